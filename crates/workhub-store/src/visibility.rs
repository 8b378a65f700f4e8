//! Directory visibility: which parts of the department tree the members of a department see.

use async_trait::async_trait;
use workhub_core::CorpId;

use crate::{Committed, NewEvent, StoreResult};

/// Members of `department` (and of its sub-departments without a rule of their own) see the
/// subtrees of `visible`, besides their own departments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VisibilityRule {
    pub department: i64,
    pub visible: Vec<i64>,
}

#[async_trait]
pub trait VisibilityStore: Send + Sync {
    async fn list_visibility_rules(&self, corp: &CorpId) -> StoreResult<Vec<VisibilityRule>>;
    /// Sets a department's rule, or with None removes it (the department then follows its
    /// parent's rule, or sees everything).
    async fn set_visibility_rule(
        &self,
        corp: &CorpId,
        department: i64,
        visible: Option<Vec<i64>>,
        now: i64,
        event: NewEvent,
    ) -> StoreResult<Committed<()>>;
}

//! The audit log: who did what security-relevant thing, from where, with what outcome.

use async_trait::async_trait;

use crate::StoreResult;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRecord {
    /// uuid v7: sorts by time.
    pub id: String,
    /// Empty for server-operator actions.
    pub corp_id: String,
    pub time: i64,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub ip: String,
    pub user_agent: String,
    /// `success` or `failure:<code>`.
    pub outcome: String,
}

#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub actor: Option<String>,
    pub action: Option<String>,
    /// Prefix match, so `failure` finds every failure.
    pub outcome: Option<String>,
    pub from: Option<i64>,
    pub to: Option<i64>,
    /// Only records with an id below this (the previous page's last id).
    pub before_id: Option<String>,
    pub limit: i64,
}

#[async_trait]
pub trait AuditStore: Send + Sync {
    async fn append_audit(&self, record: AuditRecord) -> StoreResult<()>;
    /// A company's records, newest first.
    async fn list_audit(
        &self,
        corp_id: &str,
        filter: &AuditFilter,
    ) -> StoreResult<Vec<AuditRecord>>;
}

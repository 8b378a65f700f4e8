//! The accounts context: sign-in, sessions and devices, two-factor codes, passwords, new-device
//! approvals and the company security policy that governs all of them.

mod login;
pub mod password;
pub mod policy;
mod sessions;

use serde::Serialize;
use workhub_core::{CorpId, Error};
use workhub_store::{NewEvent, Recipients};

pub use login::{LoginInput, LoginOutcome, PollOutcome, SignedIn};
pub use policy::{Platform, SecurityPolicy};

use crate::audit::Audit;
use crate::authz::catalogue as p;
use crate::context::{Actor, Meta, UserActor};
use crate::{Deps, StoreResultExt};

/// Event kinds this context emits.
pub mod kinds {
    pub const SESSION_REVOKED: &str = "session.revoked";
    pub const POLICY_CHANGED: &str = "security_policy.changed";
    pub const APPROVAL_REQUESTED: &str = "device_approval.requested";
    pub const APPROVAL_DECIDED: &str = "device_approval.decided";
}

#[derive(Clone)]
pub struct Accounts {
    deps: Deps,
    audit: Audit,
}

impl Accounts {
    pub(crate) fn new(deps: Deps, audit: Audit) -> Self {
        Self { deps, audit }
    }

    /// The company's policy, or the defaults if it never saved one.
    pub async fn policy(&self, corp: &CorpId) -> Result<SecurityPolicy, Error> {
        let saved = self
            .deps
            .stores
            .accounts
            .find_policy(corp)
            .await
            .or_internal()?;
        Ok(policy_of(saved.as_deref()))
    }

    /// Replaces the policy. Refuses a policy that would lock the saving admin out at once.
    pub async fn save_policy(
        &self,
        who: &UserActor,
        meta: &Meta,
        policy: SecurityPolicy,
    ) -> Result<SecurityPolicy, Error> {
        let result = self.try_save_policy(who, meta, &policy).await;
        self.audit
            .record(
                who.corp_id.as_str(),
                &Actor::User(who.clone()),
                meta,
                "security_policy.update",
                "",
                result.as_ref().map(|_| ()),
            )
            .await;
        result.map(|()| policy)
    }

    async fn try_save_policy(
        &self,
        who: &UserActor,
        meta: &Meta,
        policy: &SecurityPolicy,
    ) -> Result<(), Error> {
        who.require(p::SECURITY_POLICY_EDIT)?;
        policy.validate()?;
        if !policy.ip_allowed(&meta.ip) {
            return Err(Error::with(
                workhub_core::Code::InvalidRequest,
                format!("ip_allowlist excludes your address {}", meta.ip),
            ));
        }
        let json =
            serde_json::to_string(policy).map_err(|_| Error::new(workhub_core::Code::Internal))?;
        let event = NewEvent::new(
            Recipients::WholeCorp,
            kinds::POLICY_CHANGED,
            &serde_json::json!({ "policy": policy }),
        );
        let committed = self
            .deps
            .stores
            .accounts
            .save_policy(&who.corp_id, json, self.deps.now(), event)
            .await
            .or_internal()?;
        self.deps.publish(committed).await;
        Ok(())
    }

    /// The caller's own account.
    pub async fn profile(&self, who: &UserActor) -> Result<workhub_store::accounts::User, Error> {
        let user = self
            .deps
            .stores
            .accounts
            .find_user(&who.corp_id, &who.userid)
            .await
            .or_internal()?;
        user.ok_or_else(|| Error::new(workhub_core::Code::UserNotFound))
    }

    /// The policy, for admins.
    pub async fn policy_for_admin(&self, who: &UserActor) -> Result<SecurityPolicy, Error> {
        who.require(p::SECURITY_POLICY_READ)?;
        self.policy(&who.corp_id).await
    }
}

/// A session as shown to people.
#[derive(Debug, Clone, Serialize)]
pub struct SessionView {
    pub id: String,
    pub userid: String,
    pub device_id: String,
    pub device_name: String,
    pub platform: String,
    pub ip: String,
    pub user_agent: String,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub current: bool,
}

/// A pending device approval as shown to people.
#[derive(Debug, Clone, Serialize)]
pub struct ApprovalView {
    pub id: String,
    pub userid: String,
    pub device_id: String,
    pub device_name: String,
    pub platform: String,
    pub ip: String,
    pub created_at: i64,
}

/// A saved policy, or the defaults when none was saved (or it no longer reads).
pub(crate) fn policy_of(saved: Option<&str>) -> SecurityPolicy {
    saved
        .and_then(|json| serde_json::from_str(json).ok())
        .unwrap_or_default()
}

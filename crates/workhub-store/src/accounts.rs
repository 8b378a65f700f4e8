//! Members' credentials, sessions, devices, new-device approvals and the security policy.

use async_trait::async_trait;
use workhub_core::{CorpId, UserId};

use crate::{Committed, NewEvent, StoreResult};

#[derive(Debug, Clone)]
pub struct NewUser {
    pub corp_id: CorpId,
    pub userid: UserId,
    pub name: String,
    pub mobile: Option<String>,
    pub email: Option<String>,
    pub is_admin: bool,
    pub password_digest: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub corp_id: CorpId,
    pub userid: UserId,
    pub name: String,
    pub mobile: Option<String>,
    pub email: Option<String>,
    pub is_admin: bool,
    pub disabled: bool,
    pub password_digest: String,
    pub password_changed_at: i64,
    pub totp_secret: Option<String>,
    pub totp_enabled: bool,
    pub failed_logins: i64,
    pub locked_until: i64,
    /// Holds at least one admin role besides super admin (their grants are worth reading).
    pub has_admin_roles: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub session_id: String,
    pub corp_id: CorpId,
    pub userid: UserId,
    pub device_id: String,
    pub device_name: String,
    pub platform: String,
    pub ip: String,
    pub user_agent: String,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub revoked: bool,
}

/// A live session and everything every request checks about it, read in one query: each
/// authenticated request pays for this read, so it is one round trip, not three.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedIn {
    pub session: Session,
    /// The member's standing; None once the member is deleted.
    pub member: Option<MemberStanding>,
    /// The company's saved security policy (JSON), if it saved one.
    pub policy: Option<String>,
}

/// What a request needs to know about the member behind a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemberStanding {
    pub disabled: bool,
    pub is_admin: bool,
    pub has_admin_roles: bool,
}

/// A session to open, with the digest of its bearer token.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub session: Session,
    pub token_digest: String,
    /// Whether the device becomes trusted (it may approve the user's new devices).
    pub trust_device: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device {
    pub device_id: String,
    pub platform: String,
    pub name: String,
    pub trusted: bool,
    pub last_seen_at: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApprovalStatus {
    Pending,
    Approved,
    Rejected,
    /// Approved, and the waiting device has collected its session.
    Used,
}

impl ApprovalStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ApprovalStatus::Pending => "pending",
            ApprovalStatus::Approved => "approved",
            ApprovalStatus::Rejected => "rejected",
            ApprovalStatus::Used => "used",
        }
    }
    pub fn parse(s: &str) -> ApprovalStatus {
        match s {
            "approved" => ApprovalStatus::Approved,
            "rejected" => ApprovalStatus::Rejected,
            "used" => ApprovalStatus::Used,
            _ => ApprovalStatus::Pending,
        }
    }
}

/// A sign-in from an unknown device, waiting for an administrator or a trusted device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceApproval {
    pub approval_id: String,
    pub corp_id: CorpId,
    pub userid: UserId,
    pub device_id: String,
    pub device_name: String,
    pub platform: String,
    pub ip: String,
    pub user_agent: String,
    pub poll_digest: String,
    pub status: ApprovalStatus,
    pub created_at: i64,
}

#[async_trait]
pub trait AccountStore: Send + Sync {
    /// Adds a member (and starts their event stream).
    async fn add_user(&self, user: NewUser) -> StoreResult<()>;
    async fn find_user(&self, corp: &CorpId, userid: &UserId) -> StoreResult<Option<User>>;
    /// The member whose userid, mobile or email is `login` (userid and email case-insensitive).
    async fn find_user_by_login(&self, corp: &CorpId, login: &str) -> StoreResult<Option<User>>;
    /// Counts a failed sign-in; `lock_until` locks the account when the threshold is reached.
    async fn record_login_failure(
        &self,
        corp: &CorpId,
        userid: &UserId,
        lock_until: Option<i64>,
    ) -> StoreResult<()>;
    /// Opens a session, records the device and clears failed sign-ins, in one unit.
    async fn open_session(&self, new: NewSession) -> StoreResult<()>;
    /// The live (not revoked) session a token digest opens, with what checking it needs.
    async fn find_signed_in(&self, token_digest: &str) -> StoreResult<Option<SignedIn>>;
    async fn touch_session(&self, session_id: &str, now: i64, ip: &str) -> StoreResult<()>;
    /// Live sessions of a company, or of one member, newest first.
    async fn list_sessions(
        &self,
        corp: &CorpId,
        userid: Option<&UserId>,
    ) -> StoreResult<Vec<Session>>;
    /// Revokes a live session; None if there is no such live session in this company.
    async fn revoke_session(
        &self,
        corp: &CorpId,
        session_id: &str,
        now: i64,
        event: NewEvent,
    ) -> StoreResult<Committed<Option<Session>>>;
    async fn find_device(
        &self,
        corp: &CorpId,
        userid: &UserId,
        device_id: &str,
    ) -> StoreResult<Option<Device>>;
    /// Replaces the password, remembering the old digest; keeps the newest `keep` digests.
    /// How many devices the member has ever signed in from.
    async fn count_devices(&self, corp: &CorpId, userid: &UserId) -> StoreResult<i64>;
    async fn set_password(
        &self,
        corp: &CorpId,
        userid: &UserId,
        digest: String,
        now: i64,
        keep: i64,
    ) -> StoreResult<()>;
    /// Earlier password digests, newest first.
    async fn password_history(
        &self,
        corp: &CorpId,
        userid: &UserId,
        limit: i64,
    ) -> StoreResult<Vec<String>>;
    async fn set_totp(
        &self,
        corp: &CorpId,
        userid: &UserId,
        secret: Option<String>,
        enabled: bool,
    ) -> StoreResult<()>;
    async fn create_device_approval(
        &self,
        approval: DeviceApproval,
        event: NewEvent,
    ) -> StoreResult<Committed<()>>;
    async fn find_device_approval(&self, approval_id: &str) -> StoreResult<Option<DeviceApproval>>;
    /// Pending approvals of a company, or of one member.
    async fn list_device_approvals(
        &self,
        corp: &CorpId,
        userid: Option<&UserId>,
    ) -> StoreResult<Vec<DeviceApproval>>;
    /// Moves a pending approval to `to`; None if it was not pending (or not in this company).
    async fn decide_device_approval(
        &self,
        corp: &CorpId,
        approval_id: &str,
        to: ApprovalStatus,
        now: i64,
        event: NewEvent,
    ) -> StoreResult<Committed<Option<DeviceApproval>>>;
    /// Marks an approved approval used; false if it was not in the approved state (so a
    /// poll can turn into a session only once).
    async fn consume_device_approval(&self, approval_id: &str) -> StoreResult<bool>;
    /// The company's security policy as JSON text, if one was saved.
    async fn find_policy(&self, corp: &CorpId) -> StoreResult<Option<String>>;
    async fn save_policy(
        &self,
        corp: &CorpId,
        json: String,
        now: i64,
        event: NewEvent,
    ) -> StoreResult<Committed<()>>;
}

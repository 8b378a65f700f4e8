//! Companies (tenants), their apps, secrets and WeCom access tokens.

use async_trait::async_trait;
use workhub_core::{CorpId, Edition};

use crate::accounts::NewUser;
use crate::{Committed, NewEvent, StoreResult};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Corp {
    pub corp_id: CorpId,
    pub name: String,
    pub edition: Edition,
    pub verified: bool,
    pub uscc: Option<String>,
    pub industry: Option<String>,
    pub size: Option<String>,
    pub address: Option<String>,
    pub logo_file_id: Option<String>,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CorpSummary {
    pub corp: Corp,
    pub member_count: i64,
}

#[derive(Debug, Clone)]
pub struct NewCorp {
    pub corp_id: CorpId,
    pub name: String,
    pub edition: Edition,
    pub uscc: Option<String>,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CorpDetails {
    pub industry: Option<String>,
    pub size: Option<String>,
    pub address: Option<String>,
    pub logo_file_id: Option<String>,
}

/// Agent id 0 is the contacts-sync secret; self-built apps count from 1000002 as in WeCom.
pub const CONTACTS_AGENT: i64 = 0;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct App {
    pub corp_id: CorpId,
    pub agent_id: i64,
    pub name: String,
    pub enabled: bool,
    pub created_at: i64,
    /// The visible range as JSON: `{"departments": [..], "users": [..], "tags": [..]}`.
    pub visible: String,
    /// CIDR ranges as a JSON array; empty allows any address.
    pub trusted_ips: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessToken {
    pub corp_id: CorpId,
    pub agent_id: i64,
    pub expires_at: i64,
}

#[async_trait]
pub trait CorpStore: Send + Sync {
    /// Creates the company, its first administrator and its contacts-sync secret together.
    async fn create_corp(
        &self,
        corp: NewCorp,
        admin: NewUser,
        contacts_secret_digest: String,
    ) -> StoreResult<()>;
    async fn find_corp(&self, corp: &CorpId) -> StoreResult<Option<Corp>>;
    /// Companies with member counts, newest first; `verified` filters when given.
    async fn list_corps(&self, verified: Option<bool>) -> StoreResult<Vec<CorpSummary>>;
    /// Marks the company verified; false if it does not exist.
    async fn verify_corp(
        &self,
        corp: &CorpId,
        now: i64,
        event: NewEvent,
    ) -> StoreResult<Committed<bool>>;
    async fn set_edition(&self, corp: &CorpId, edition: Edition) -> StoreResult<bool>;
    async fn update_details(&self, corp: &CorpId, details: CorpDetails) -> StoreResult<bool>;
    async fn count_members(&self, corp: &CorpId) -> StoreResult<i64>;
    /// Creates a self-built app with the next free agent id and returns it.
    async fn create_app(
        &self,
        corp: &CorpId,
        name: &str,
        secret_digest: String,
        now: i64,
    ) -> StoreResult<App>;
    /// The company's self-built apps, by agent id.
    async fn list_apps(&self, corp: &CorpId) -> StoreResult<Vec<App>>;
    async fn find_app(&self, corp: &CorpId, agent_id: i64) -> StoreResult<Option<App>>;
    /// Saves an app's name, state, visible range and trusted addresses; false if unknown.
    async fn update_app(&self, app: App) -> StoreResult<bool>;
    /// Replaces every secret of an agent (0: the contacts secret) with a new one.
    async fn rotate_secret(
        &self,
        corp: &CorpId,
        agent_id: i64,
        digest: String,
        now: i64,
    ) -> StoreResult<()>;
    /// The company's rate limits as JSON text, if it set its own.
    async fn find_rate_limits(&self, corp: &CorpId) -> StoreResult<Option<String>>;
    async fn save_rate_limits(&self, corp: &CorpId, json: String) -> StoreResult<bool>;
    /// Which company and agent a secret (by digest) belongs to.
    async fn find_secret(&self, secret_digest: &str) -> StoreResult<Option<(CorpId, i64)>>;
    /// Stores a new access token; also forgets this agent's tokens that expired before `now`.
    async fn insert_access_token(
        &self,
        digest: String,
        token: AccessToken,
        now: i64,
    ) -> StoreResult<()>;
    async fn find_access_token(&self, digest: &str) -> StoreResult<Option<AccessToken>>;
}

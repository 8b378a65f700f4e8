//! Server operators: the people who run a Workhub server and verify companies.

use async_trait::async_trait;

use crate::StoreResult;

#[async_trait]
pub trait OperatorStore: Send + Sync {
    async fn count_operators(&self) -> StoreResult<i64>;
    /// Fails with `Duplicate("operator")` if the name is taken.
    async fn create_operator(
        &self,
        username: &str,
        password_digest: String,
        now: i64,
    ) -> StoreResult<()>;
    async fn find_operator_password(&self, username: &str) -> StoreResult<Option<String>>;
    async fn open_operator_session(
        &self,
        token_digest: String,
        username: &str,
        expires_at: i64,
    ) -> StoreResult<()>;
    /// The operator a live session token belongs to.
    async fn find_operator_session(
        &self,
        token_digest: &str,
        now: i64,
    ) -> StoreResult<Option<String>>;
    async fn close_operator_session(&self, token_digest: &str) -> StoreResult<()>;
}

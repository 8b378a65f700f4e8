//! Self-service company registration and the files uploaded during it.

use async_trait::async_trait;

use crate::StoreResult;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signup {
    pub signup_id: String,
    pub token_digest: String,
    pub company_name: String,
    pub uscc: String,
    pub licence_file_id: String,
    /// `bank`, `admin`, `details` or `done`: the next step to complete.
    pub step: String,
    pub bank_name: Option<String>,
    pub account_name: Option<String>,
    pub account_number: Option<String>,
    /// The code the operator sent with the small payment; None until sent.
    pub bank_code: Option<String>,
    /// `none`, `awaiting_payment` or `verified`.
    pub bank_status: String,
    pub corp_id: Option<String>,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredFile {
    pub file_id: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
    pub created_at: i64,
}

#[async_trait]
pub trait SignupStore: Send + Sync {
    async fn create_signup(&self, signup: Signup) -> StoreResult<()>;
    async fn find_signup(&self, signup_id: &str) -> StoreResult<Option<Signup>>;
    /// Sign-ups, newest first.
    async fn list_signups(&self) -> StoreResult<Vec<Signup>>;
    /// Saves the whole record (every field but id, token and creation time).
    async fn update_signup(&self, signup: Signup) -> StoreResult<()>;
    async fn put_file(&self, file: StoredFile) -> StoreResult<()>;
    async fn find_file(&self, file_id: &str) -> StoreResult<Option<StoredFile>>;
}

//! Uploads in progress and the files they become. Bytes are not here: they live in blob
//! storage (local disk or S3) under their SHA-256; these rows say who owns what.

use async_trait::async_trait;
use workhub_core::{CorpId, UserId};

use crate::StoreResult;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upload {
    pub upload_id: String,
    pub corp_id: CorpId,
    pub userid: UserId,
    pub length: i64,
    pub offset: i64,
    pub name: String,
    pub content_type: String,
    /// Set once the last byte arrived and the file was stored.
    pub file_id: Option<String>,
    pub created_at: i64,
    pub expires_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileRecord {
    pub corp_id: CorpId,
    pub file_id: String,
    pub sha256: String,
    pub size: i64,
    pub name: String,
    pub content_type: String,
    pub created_by: String,
    pub created_at: i64,
}

#[async_trait]
pub trait FileStore: Send + Sync {
    async fn create_upload(&self, upload: Upload) -> StoreResult<()>;
    async fn find_upload(&self, upload_id: &str) -> StoreResult<Option<Upload>>;
    /// Moves the offset from `from` to `to`; false if another request moved it first.
    async fn advance_upload(&self, upload_id: &str, from: i64, to: i64) -> StoreResult<bool>;
    /// Records the finished file and links the upload to it, in one unit.
    async fn finish_upload(&self, upload_id: &str, file: FileRecord) -> StoreResult<()>;
    /// Records a file stored in one piece (WeCom `media/upload`).
    async fn add_corp_file(&self, file: FileRecord) -> StoreResult<()>;
    async fn delete_upload(&self, upload_id: &str) -> StoreResult<bool>;
    /// A member's unfinished uploads still open at `now`, newest first (at most 100).
    async fn list_open_uploads(
        &self,
        corp: &CorpId,
        userid: &UserId,
        now: i64,
    ) -> StoreResult<Vec<Upload>>;
    /// Unfinished uploads that expired before `now`.
    async fn list_expired_uploads(&self, now: i64) -> StoreResult<Vec<Upload>>;
    async fn find_corp_file(&self, corp: &CorpId, file_id: &str)
    -> StoreResult<Option<FileRecord>>;
    /// Deletes the company's files created before `before` that no remaining message names;
    /// returns the hashes no file of any company uses any more (their bytes can go).
    async fn purge_unreferenced_files(
        &self,
        corp: &CorpId,
        before: i64,
    ) -> StoreResult<Vec<String>>;
}

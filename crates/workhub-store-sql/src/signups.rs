//! Sign-up applications and uploaded files (kept in the database so every node sees them).

use sqlx::Row;
use workhub_store::StoreResult;
use workhub_store::signups::{Signup, SignupStore, StoredFile};

use crate::{SqlStore, backend_error, rows};

#[async_trait::async_trait]
impl SignupStore for SqlStore {
    async fn create_signup(&self, x: Signup) -> StoreResult<()> {
        self.writer
            .run(move |conn| {
                Box::pin(async move {
                    sqlx::query(
                        "INSERT INTO signups (signup_id, token_digest, company_name, uscc, \
                         licence_file_id, step, bank_status, created_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                    )
                    .bind(x.signup_id)
                    .bind(x.token_digest)
                    .bind(x.company_name)
                    .bind(x.uscc)
                    .bind(x.licence_file_id)
                    .bind(x.step)
                    .bind(x.bank_status)
                    .bind(x.created_at)
                    .execute(conn)
                    .await
                    .map_err(backend_error)?;
                    Ok(())
                })
            })
            .await
    }

    async fn find_signup(&self, signup_id: &str) -> StoreResult<Option<Signup>> {
        let row = sqlx::query("SELECT * FROM signups WHERE signup_id = $1")
            .bind(signup_id.to_string())
            .fetch_optional(&self.pool)
            .await
            .map_err(backend_error)?;
        row.as_ref()
            .map(rows::signup)
            .transpose()
            .map_err(backend_error)
    }

    async fn list_signups(&self) -> StoreResult<Vec<Signup>> {
        let rows = sqlx::query("SELECT * FROM signups ORDER BY created_at DESC")
            .fetch_all(&self.pool)
            .await
            .map_err(backend_error)?;
        rows.iter()
            .map(rows::signup)
            .collect::<Result<_, _>>()
            .map_err(backend_error)
    }

    async fn update_signup(&self, x: Signup) -> StoreResult<()> {
        self.writer
            .run(move |conn| {
                Box::pin(async move {
                    sqlx::query(
                        "UPDATE signups SET company_name = $2, uscc = $3, licence_file_id = $4, \
                         step = $5, bank_name = $6, account_name = $7, account_number = $8, \
                         bank_code = $9, bank_status = $10, corp_id = $11 WHERE signup_id = $1",
                    )
                    .bind(x.signup_id)
                    .bind(x.company_name)
                    .bind(x.uscc)
                    .bind(x.licence_file_id)
                    .bind(x.step)
                    .bind(x.bank_name)
                    .bind(x.account_name)
                    .bind(x.account_number)
                    .bind(x.bank_code)
                    .bind(x.bank_status)
                    .bind(x.corp_id)
                    .execute(conn)
                    .await
                    .map_err(backend_error)?;
                    Ok(())
                })
            })
            .await
    }

    async fn put_file(&self, file: StoredFile) -> StoreResult<()> {
        self.writer
            .run(move |conn| {
                Box::pin(async move {
                    sqlx::query(
                        "INSERT INTO uploaded_files (file_id, content_type, bytes, created_at) \
                         VALUES ($1, $2, $3, $4)",
                    )
                    .bind(file.file_id)
                    .bind(file.content_type)
                    .bind(file.bytes)
                    .bind(file.created_at)
                    .execute(conn)
                    .await
                    .map_err(backend_error)?;
                    Ok(())
                })
            })
            .await
    }

    async fn find_file(&self, file_id: &str) -> StoreResult<Option<StoredFile>> {
        let row = sqlx::query("SELECT * FROM uploaded_files WHERE file_id = $1")
            .bind(file_id.to_string())
            .fetch_optional(&self.pool)
            .await
            .map_err(backend_error)?;
        row.map(|r| {
            Ok(StoredFile {
                file_id: r.try_get("file_id")?,
                content_type: r.try_get("content_type")?,
                bytes: r.try_get("bytes")?,
                created_at: r.try_get("created_at")?,
            })
        })
        .transpose()
        .map_err(backend_error)
    }
}

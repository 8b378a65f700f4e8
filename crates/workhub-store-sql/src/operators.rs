//! Server operators and their console sessions.

use sqlx::Row;
use workhub_store::StoreResult;
use workhub_store::operators::OperatorStore;

use crate::{SqlStore, backend_error};

#[async_trait::async_trait]
impl OperatorStore for SqlStore {
    async fn count_operators(&self) -> StoreResult<i64> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM operators")
            .fetch_one(&self.pool)
            .await
            .map_err(backend_error)?;
        row.try_get("n").map_err(backend_error)
    }

    async fn create_operator(
        &self,
        username: &str,
        password_digest: String,
        now: i64,
    ) -> StoreResult<()> {
        let username = username.to_string();
        self.writer
            .run(move |conn| {
                Box::pin(async move {
                    sqlx::query(
                        "INSERT INTO operators (username, password_digest, created_at) \
                         VALUES ($1, $2, $3)",
                    )
                    .bind(username)
                    .bind(password_digest)
                    .bind(now)
                    .execute(conn)
                    .await
                    .map_err(backend_error)?;
                    Ok(())
                })
            })
            .await
    }

    async fn find_operator_password(&self, username: &str) -> StoreResult<Option<String>> {
        let row = sqlx::query("SELECT password_digest FROM operators WHERE username = $1")
            .bind(username.to_string())
            .fetch_optional(&self.pool)
            .await
            .map_err(backend_error)?;
        row.map(|r| r.try_get("password_digest"))
            .transpose()
            .map_err(backend_error)
    }

    async fn open_operator_session(
        &self,
        token_digest: String,
        username: &str,
        expires_at: i64,
    ) -> StoreResult<()> {
        let username = username.to_string();
        self.writer
            .run(move |conn| {
                Box::pin(async move {
                    sqlx::query(
                        "INSERT INTO operator_sessions (token_digest, username, expires_at) \
                         VALUES ($1, $2, $3)",
                    )
                    .bind(token_digest)
                    .bind(username)
                    .bind(expires_at)
                    .execute(conn)
                    .await
                    .map_err(backend_error)?;
                    Ok(())
                })
            })
            .await
    }

    async fn find_operator_session(
        &self,
        token_digest: &str,
        now: i64,
    ) -> StoreResult<Option<String>> {
        let row = sqlx::query(
            "SELECT username FROM operator_sessions WHERE token_digest = $1 AND expires_at > $2",
        )
        .bind(token_digest.to_string())
        .bind(now)
        .fetch_optional(&self.pool)
        .await
        .map_err(backend_error)?;
        row.map(|r| r.try_get("username"))
            .transpose()
            .map_err(backend_error)
    }

    async fn close_operator_session(&self, token_digest: &str) -> StoreResult<()> {
        let digest = token_digest.to_string();
        self.writer
            .run(move |conn| {
                Box::pin(async move {
                    sqlx::query("DELETE FROM operator_sessions WHERE token_digest = $1")
                        .bind(digest)
                        .execute(conn)
                        .await
                        .map_err(backend_error)?;
                    Ok(())
                })
            })
            .await
    }
}

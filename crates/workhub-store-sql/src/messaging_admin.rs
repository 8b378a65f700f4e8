//! Group robots, message retention and sensitive-word lists: the settings around messaging.

use sqlx::Row;
use sqlx::any::AnyRow;
use workhub_core::CorpId;
use workhub_store::StoreResult;
use workhub_store::messaging::{MessagingAdminStore, Robot, SensitiveWord};

use crate::rows::RowResult;
use crate::rows::s;
use crate::{SqlStore, backend_error};

#[async_trait::async_trait]
impl MessagingAdminStore for SqlStore {
    async fn create_robot(&self, robot: Robot) -> StoreResult<()> {
        self.writer
            .run(move |conn| {
                Box::pin(async move {
                    sqlx::query(
                        "INSERT INTO robots (key_digest, corp_id, conversation_id, key_hint, name, \
                         created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                    )
                    .bind(robot.key_digest)
                    .bind(s(&robot.corp_id))
                    .bind(robot.conversation_id)
                    .bind(robot.key_hint)
                    .bind(robot.name)
                    .bind(robot.created_by)
                    .bind(robot.created_at)
                    .execute(conn)
                    .await
                    .map_err(backend_error)?;
                    Ok(())
                })
            })
            .await
    }

    async fn find_robot(&self, key_digest: &str) -> StoreResult<Option<Robot>> {
        let row = sqlx::query("SELECT * FROM robots WHERE key_digest = $1")
            .bind(key_digest.to_string())
            .fetch_optional(&self.pool)
            .await
            .map_err(backend_error)?;
        row.as_ref().map(robot).transpose().map_err(backend_error)
    }

    async fn list_robots(&self, corp: &CorpId, conversation: &str) -> StoreResult<Vec<Robot>> {
        let rows = sqlx::query(
            "SELECT * FROM robots WHERE corp_id = $1 AND conversation_id = $2 ORDER BY created_at",
        )
        .bind(s(corp))
        .bind(conversation.to_string())
        .fetch_all(&self.pool)
        .await
        .map_err(backend_error)?;
        rows.iter()
            .map(robot)
            .collect::<Result<_, _>>()
            .map_err(backend_error)
    }

    async fn delete_robot(
        &self,
        corp: &CorpId,
        conversation: &str,
        key_hint: &str,
    ) -> StoreResult<bool> {
        let (corp, conversation, key_hint) =
            (corp.clone(), conversation.to_string(), key_hint.to_string());
        self.writer
            .run(move |conn| {
                Box::pin(async move {
                    let done = sqlx::query(
                        "DELETE FROM robots \
                         WHERE corp_id = $1 AND conversation_id = $2 AND key_hint = $3",
                    )
                    .bind(s(&corp))
                    .bind(conversation)
                    .bind(key_hint)
                    .execute(conn)
                    .await
                    .map_err(backend_error)?;
                    Ok(done.rows_affected() > 0)
                })
            })
            .await
    }

    async fn find_retention(&self, corp: &CorpId) -> StoreResult<Option<i64>> {
        let row = sqlx::query("SELECT retention_days FROM messaging_settings WHERE corp_id = $1")
            .bind(s(corp))
            .fetch_optional(&self.pool)
            .await
            .map_err(backend_error)?;
        row.map(|r| r.try_get("retention_days"))
            .transpose()
            .map_err(backend_error)
    }

    async fn save_retention(&self, corp: &CorpId, days: i64) -> StoreResult<()> {
        let corp = corp.clone();
        self.writer
            .run(move |conn| {
                Box::pin(async move {
                    sqlx::query(
                        "INSERT INTO messaging_settings (corp_id, retention_days) VALUES ($1, $2) \
                         ON CONFLICT (corp_id) DO UPDATE SET retention_days = $2",
                    )
                    .bind(s(&corp))
                    .bind(days)
                    .execute(conn)
                    .await
                    .map_err(backend_error)?;
                    Ok(())
                })
            })
            .await
    }

    async fn list_sensitive_words(&self, corp: &CorpId) -> StoreResult<Vec<SensitiveWord>> {
        let rows = sqlx::query(
            "SELECT word, action FROM sensitive_words WHERE corp_id = $1 ORDER BY word",
        )
        .bind(s(corp))
        .fetch_all(&self.pool)
        .await
        .map_err(backend_error)?;
        rows.iter()
            .map(|r| {
                Ok(SensitiveWord {
                    word: r.try_get("word")?,
                    action: r.try_get("action")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(backend_error)
    }

    async fn sensitive_words_version(&self, corp: &CorpId) -> StoreResult<(i64, i64)> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS words, COALESCE(MAX(created_at), 0) AS saved_at \
             FROM sensitive_words WHERE corp_id = $1",
        )
        .bind(s(corp))
        .fetch_one(&self.pool)
        .await
        .map_err(backend_error)?;
        let words: i64 = row.try_get("words").map_err(backend_error)?;
        let saved_at: i64 = row.try_get("saved_at").map_err(backend_error)?;
        Ok((words, saved_at))
    }

    async fn save_sensitive_words(
        &self,
        corp: &CorpId,
        words: Vec<SensitiveWord>,
        now: i64,
    ) -> StoreResult<()> {
        let corp = corp.clone();
        self.writer
            .run(move |conn| {
                Box::pin(async move {
                    sqlx::query("DELETE FROM sensitive_words WHERE corp_id = $1")
                        .bind(s(&corp))
                        .execute(&mut *conn)
                        .await
                        .map_err(backend_error)?;
                    for w in words {
                        sqlx::query(
                            "INSERT INTO sensitive_words (corp_id, word, action, created_at) \
                             VALUES ($1, $2, $3, $4) ON CONFLICT (corp_id, word) DO NOTHING",
                        )
                        .bind(s(&corp))
                        .bind(w.word)
                        .bind(w.action)
                        .bind(now)
                        .execute(&mut *conn)
                        .await
                        .map_err(backend_error)?;
                    }
                    Ok(())
                })
            })
            .await
    }
}

fn robot(row: &AnyRow) -> RowResult<Robot> {
    Ok(Robot {
        key_digest: row.try_get("key_digest")?,
        corp_id: CorpId::from_trusted(row.try_get("corp_id")?),
        conversation_id: row.try_get("conversation_id")?,
        key_hint: row.try_get("key_hint")?,
        name: row.try_get("name")?,
        created_by: row.try_get("created_by")?,
        created_at: row.try_get("created_at")?,
    })
}

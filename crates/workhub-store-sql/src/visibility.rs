//! Directory visibility rules.

use sqlx::Row;
use workhub_core::CorpId;
use workhub_store::visibility::{VisibilityRule, VisibilityStore};
use workhub_store::{Committed, NewEvent, StoreResult};

use crate::rows::s;
use crate::{SqlStore, backend_error, events};

#[async_trait::async_trait]
impl VisibilityStore for SqlStore {
    async fn list_visibility_rules(&self, corp: &CorpId) -> StoreResult<Vec<VisibilityRule>> {
        let rows = sqlx::query(
            "SELECT dept_id, visible FROM department_visibility WHERE corp_id = $1 ORDER BY dept_id",
        )
        .bind(s(corp))
        .fetch_all(&self.pool)
        .await
        .map_err(backend_error)?;
        rows.iter()
            .map(|r| {
                let visible: String = r.try_get("visible")?;
                Ok(VisibilityRule {
                    department: r.try_get("dept_id")?,
                    visible: serde_json::from_str(&visible).unwrap_or_default(),
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(backend_error)
    }

    async fn set_visibility_rule(
        &self,
        corp: &CorpId,
        department: i64,
        visible: Option<Vec<i64>>,
        now: i64,
        event: NewEvent,
    ) -> StoreResult<Committed<()>> {
        let corp = corp.clone();
        self.writer
            .run(move |conn| {
                Box::pin(async move {
                    sqlx::query("DELETE FROM department_visibility WHERE corp_id = $1 AND dept_id = $2")
                        .bind(s(&corp))
                        .bind(department)
                        .execute(&mut *conn)
                        .await
                        .map_err(backend_error)?;
                    if let Some(visible) = visible {
                        let visible = serde_json::to_string(&visible).unwrap_or_else(|_| "[]".into());
                        sqlx::query(
                            "INSERT INTO department_visibility (corp_id, dept_id, visible, updated_at) \
                             VALUES ($1, $2, $3, $4)",
                        )
                        .bind(s(&corp))
                        .bind(department)
                        .bind(visible)
                        .bind(now)
                        .execute(&mut *conn)
                        .await
                        .map_err(backend_error)?;
                    }
                    let appended = events::append(conn, &corp, &event, now).await?;
                    Ok(Committed { value: (), appended })
                })
            })
            .await
    }
}

//! The audit log.

use workhub_store::StoreResult;
use workhub_store::audit::{AuditFilter, AuditRecord, AuditStore};

use crate::{SqlStore, backend_error, rows};

#[async_trait::async_trait]
impl AuditStore for SqlStore {
    async fn append_audit(&self, r: AuditRecord) -> StoreResult<()> {
        self.writer
            .run_traffic(move |conn| {
                Box::pin(async move {
                    sqlx::query(
                        "INSERT INTO audit_log (id, corp_id, time, actor, action, target, ip, \
                         user_agent, outcome) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                    )
                    .bind(r.id)
                    .bind(r.corp_id)
                    .bind(r.time)
                    .bind(r.actor)
                    .bind(r.action)
                    .bind(r.target)
                    .bind(r.ip)
                    .bind(r.user_agent)
                    .bind(r.outcome)
                    .execute(conn)
                    .await
                    .map_err(backend_error)?;
                    Ok(())
                })
            })
            .await
    }

    async fn list_audit(&self, corp_id: &str, f: &AuditFilter) -> StoreResult<Vec<AuditRecord>> {
        // Empty strings and out-of-range numbers switch a filter off, so one statement serves.
        let rows = sqlx::query(
            "SELECT * FROM audit_log WHERE corp_id = $1 \
             AND ($2 = '' OR actor = $2) AND ($3 = '' OR action = $3) \
             AND ($4 = '' OR outcome LIKE $5) AND time >= $6 AND time <= $7 \
             AND ($8 = '' OR id < $8) ORDER BY id DESC LIMIT $9",
        )
        .bind(corp_id.to_string())
        .bind(f.actor.clone().unwrap_or_default())
        .bind(f.action.clone().unwrap_or_default())
        .bind(f.outcome.clone().unwrap_or_default())
        .bind(format!("{}%", f.outcome.clone().unwrap_or_default()))
        .bind(f.from.unwrap_or(i64::MIN))
        .bind(f.to.unwrap_or(i64::MAX))
        .bind(f.before_id.clone().unwrap_or_default())
        .bind(f.limit)
        .fetch_all(&self.pool)
        .await
        .map_err(backend_error)?;
        rows.iter()
            .map(rows::audit)
            .collect::<Result<_, _>>()
            .map_err(backend_error)
    }
}

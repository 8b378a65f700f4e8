//! Companies, apps, secrets and access tokens.

use sqlx::{AnyConnection, Row};
use workhub_core::{CorpId, Edition};
use workhub_store::accounts::NewUser;
use workhub_store::corps::{AccessToken, App, Corp, CorpDetails, CorpStore, CorpSummary, NewCorp};
use workhub_store::{Committed, NewEvent, StoreResult};

use crate::rows::{self, b};
use crate::{SqlStore, backend_error, events};

/// The first agent id WeCom gives a self-built app.
const FIRST_AGENT_ID: i64 = 1_000_002;

fn app(r: &sqlx::any::AnyRow) -> Result<App, sqlx::Error> {
    Ok(App {
        corp_id: CorpId::from_trusted(r.try_get("corp_id")?),
        agent_id: r.try_get("agent_id")?,
        name: r.try_get("name")?,
        enabled: r.try_get::<i64, _>("enabled")? != 0,
        created_at: r.try_get("created_at")?,
        visible: r.try_get("visible")?,
        trusted_ips: r.try_get("trusted_ips")?,
    })
}

/// Inserts a member and starts their event stream; shared by every path that adds members.
pub(crate) async fn insert_user(conn: &mut AnyConnection, user: &NewUser) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO users (corp_id, userid, name, mobile, email, is_admin, status, \
         password_digest, password_changed_at, totp_secret, totp_enabled, failed_logins, \
         locked_until, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $8, NULL, 0, 0, 0, $9)",
    )
    .bind(user.corp_id.as_str().to_string())
    .bind(user.userid.as_str().to_string())
    .bind(user.name.clone())
    .bind(user.mobile.clone())
    .bind(user.email.clone())
    .bind(b(user.is_admin))
    .bind(user.password_digest.clone())
    .bind(user.created_at)
    .bind(user.created_at)
    .execute(&mut *conn)
    .await
    .map_err(backend_error)?;
    // Everyone starts in the root department; the directory replaces this with its own list.
    sqlx::query(
        "INSERT INTO member_departments (corp_id, userid, dept_id, sort_order, is_leader, list_index) \
         VALUES ($1, $2, 1, 0, 0, 0)",
    )
    .bind(user.corp_id.as_str().to_string())
    .bind(user.userid.as_str().to_string())
    .execute(&mut *conn)
    .await
    .map_err(backend_error)?;
    let keys = workhub_core::search::member_keys(
        user.userid.as_str(),
        &user.name,
        None,
        user.mobile.as_deref(),
        user.email.as_deref(),
    );
    crate::directory::write_search_keys(conn, &user.corp_id, &user.userid, &keys).await?;
    events::start_stream(conn, &user.corp_id, &user.userid).await
}

#[async_trait::async_trait]
impl CorpStore for SqlStore {
    async fn create_corp(
        &self,
        corp: NewCorp,
        admin: NewUser,
        contacts_secret_digest: String,
    ) -> StoreResult<()> {
        self.writer
            .run(move |conn| {
                Box::pin(async move {
                    sqlx::query(
                        "INSERT INTO corps (corp_id, name, edition, verified, uscc, created_at) \
                         VALUES ($1, $2, $3, 0, $4, $5)",
                    )
                    .bind(corp.corp_id.as_str().to_string())
                    .bind(corp.name.clone())
                    .bind(corp.edition.as_str().to_string())
                    .bind(corp.uscc.clone())
                    .bind(corp.created_at)
                    .execute(&mut *conn)
                    .await
                    .map_err(backend_error)?;
                    sqlx::query(
                        "INSERT INTO departments (corp_id, dept_id, name, name_en, parent_id, \
                         sort_order, created_at) VALUES ($1, 1, $2, NULL, 0, 0, $3)",
                    )
                    .bind(corp.corp_id.as_str().to_string())
                    .bind(corp.name.clone())
                    .bind(corp.created_at)
                    .execute(&mut *conn)
                    .await
                    .map_err(backend_error)?;
                    insert_user(conn, &admin).await?;
                    sqlx::query(
                        "INSERT INTO corp_secrets (secret_digest, corp_id, agent_id, created_at) \
                         VALUES ($1, $2, 0, $3)",
                    )
                    .bind(contacts_secret_digest)
                    .bind(corp.corp_id.as_str().to_string())
                    .bind(corp.created_at)
                    .execute(&mut *conn)
                    .await
                    .map_err(backend_error)?;
                    Ok(())
                })
            })
            .await
    }

    async fn find_corp(&self, corp: &CorpId) -> StoreResult<Option<Corp>> {
        let row = sqlx::query("SELECT * FROM corps WHERE corp_id = $1")
            .bind(corp.as_str().to_string())
            .fetch_optional(&self.pool)
            .await
            .map_err(backend_error)?;
        row.as_ref()
            .map(rows::corp)
            .transpose()
            .map_err(backend_error)
    }

    async fn list_corps(&self, verified: Option<bool>) -> StoreResult<Vec<CorpSummary>> {
        // -1 matches both states.
        let wanted = verified.map(b).unwrap_or(-1);
        let rows = sqlx::query(
            "SELECT c.*, (SELECT COUNT(*) FROM users u WHERE u.corp_id = c.corp_id) AS members \
             FROM corps c WHERE ($1 = -1 OR c.verified = $1) ORDER BY c.created_at DESC",
        )
        .bind(wanted)
        .fetch_all(&self.pool)
        .await
        .map_err(backend_error)?;
        rows.iter()
            .map(|r| {
                Ok(CorpSummary {
                    corp: rows::corp(r)?,
                    member_count: r.try_get("members")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(backend_error)
    }

    async fn verify_corp(
        &self,
        corp: &CorpId,
        now: i64,
        event: NewEvent,
    ) -> StoreResult<Committed<bool>> {
        let corp = corp.clone();
        self.writer
            .run(move |conn| {
                Box::pin(async move {
                    let done = sqlx::query(
                        "UPDATE corps SET verified = 1, verified_at = $2 \
                         WHERE corp_id = $1 AND verified = 0",
                    )
                    .bind(corp.as_str().to_string())
                    .bind(now)
                    .execute(&mut *conn)
                    .await
                    .map_err(backend_error)?
                    .rows_affected()
                        == 1;
                    events::append_if(conn, &corp, done, &event, now).await
                })
            })
            .await
    }

    async fn set_edition(&self, corp: &CorpId, edition: Edition) -> StoreResult<bool> {
        let corp = corp.clone();
        self.writer
            .run(move |conn| {
                Box::pin(async move {
                    let n = sqlx::query("UPDATE corps SET edition = $2 WHERE corp_id = $1")
                        .bind(corp.as_str().to_string())
                        .bind(edition.as_str().to_string())
                        .execute(conn)
                        .await
                        .map_err(backend_error)?;
                    Ok(n.rows_affected() == 1)
                })
            })
            .await
    }

    async fn update_details(&self, corp: &CorpId, details: CorpDetails) -> StoreResult<bool> {
        let corp = corp.clone();
        self.writer
            .run(move |conn| {
                Box::pin(async move {
                    let n = sqlx::query(
                        "UPDATE corps SET industry = $2, size = $3, address = $4, \
                         logo_file_id = $5 WHERE corp_id = $1",
                    )
                    .bind(corp.as_str().to_string())
                    .bind(details.industry)
                    .bind(details.size)
                    .bind(details.address)
                    .bind(details.logo_file_id)
                    .execute(conn)
                    .await
                    .map_err(backend_error)?;
                    Ok(n.rows_affected() == 1)
                })
            })
            .await
    }

    async fn count_members(&self, corp: &CorpId) -> StoreResult<i64> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM users WHERE corp_id = $1")
            .bind(corp.as_str().to_string())
            .fetch_one(&self.pool)
            .await
            .map_err(backend_error)?;
        row.try_get("n").map_err(backend_error)
    }

    async fn create_app(
        &self,
        corp: &CorpId,
        name: &str,
        secret_digest: String,
        now: i64,
    ) -> StoreResult<App> {
        let (corp, name) = (corp.clone(), name.to_string());
        self.writer
            .run(move |conn| {
                Box::pin(async move {
                    let row = sqlx::query(
                        "SELECT COALESCE(MAX(agent_id), 0) AS top FROM apps WHERE corp_id = $1",
                    )
                    .bind(corp.as_str().to_string())
                    .fetch_one(&mut *conn)
                    .await
                    .map_err(backend_error)?;
                    let top: i64 = row.try_get("top").map_err(backend_error)?;
                    let agent_id = (top + 1).max(FIRST_AGENT_ID);
                    sqlx::query(
                        "INSERT INTO apps (corp_id, agent_id, name, enabled, created_at) \
                         VALUES ($1, $2, $3, 1, $4)",
                    )
                    .bind(corp.as_str().to_string())
                    .bind(agent_id)
                    .bind(name.clone())
                    .bind(now)
                    .execute(&mut *conn)
                    .await
                    .map_err(backend_error)?;
                    sqlx::query(
                        "INSERT INTO corp_secrets (secret_digest, corp_id, agent_id, created_at) \
                         VALUES ($1, $2, $3, $4)",
                    )
                    .bind(secret_digest)
                    .bind(corp.as_str().to_string())
                    .bind(agent_id)
                    .bind(now)
                    .execute(&mut *conn)
                    .await
                    .map_err(backend_error)?;
                    Ok(App {
                        corp_id: corp,
                        agent_id,
                        name,
                        enabled: true,
                        created_at: now,
                        visible: "{}".into(),
                        trusted_ips: "[]".into(),
                    })
                })
            })
            .await
    }

    async fn list_apps(&self, corp: &CorpId) -> StoreResult<Vec<App>> {
        let rows = sqlx::query("SELECT * FROM apps WHERE corp_id = $1 ORDER BY agent_id")
            .bind(corp.as_str().to_string())
            .fetch_all(&self.pool)
            .await
            .map_err(backend_error)?;
        rows.iter()
            .map(app)
            .collect::<Result<_, sqlx::Error>>()
            .map_err(backend_error)
    }

    async fn find_app(&self, corp: &CorpId, agent_id: i64) -> StoreResult<Option<App>> {
        let row = sqlx::query("SELECT * FROM apps WHERE corp_id = $1 AND agent_id = $2")
            .bind(corp.as_str().to_string())
            .bind(agent_id)
            .fetch_optional(&self.pool)
            .await
            .map_err(backend_error)?;
        row.as_ref().map(app).transpose().map_err(backend_error)
    }

    async fn update_app(&self, a: App) -> StoreResult<bool> {
        self.writer
            .run(move |conn| {
                Box::pin(async move {
                    let n = sqlx::query(
                        "UPDATE apps SET name = $3, enabled = $4, visible = $5, trusted_ips = $6 \
                         WHERE corp_id = $1 AND agent_id = $2",
                    )
                    .bind(a.corp_id.as_str().to_string())
                    .bind(a.agent_id)
                    .bind(a.name)
                    .bind(i64::from(a.enabled))
                    .bind(a.visible)
                    .bind(a.trusted_ips)
                    .execute(conn)
                    .await
                    .map_err(backend_error)?;
                    Ok(n.rows_affected() == 1)
                })
            })
            .await
    }

    async fn rotate_secret(
        &self,
        corp: &CorpId,
        agent_id: i64,
        digest: String,
        now: i64,
    ) -> StoreResult<()> {
        let corp = corp.clone();
        self.writer
            .run(move |conn| {
                Box::pin(async move {
                    sqlx::query("DELETE FROM corp_secrets WHERE corp_id = $1 AND agent_id = $2")
                        .bind(corp.as_str().to_string())
                        .bind(agent_id)
                        .execute(&mut *conn)
                        .await
                        .map_err(backend_error)?;
                    sqlx::query(
                        "INSERT INTO corp_secrets (secret_digest, corp_id, agent_id, created_at) \
                         VALUES ($1, $2, $3, $4)",
                    )
                    .bind(digest)
                    .bind(corp.as_str().to_string())
                    .bind(agent_id)
                    .bind(now)
                    .execute(&mut *conn)
                    .await
                    .map_err(backend_error)?;
                    Ok(())
                })
            })
            .await
    }

    async fn find_rate_limits(&self, corp: &CorpId) -> StoreResult<Option<String>> {
        let row = sqlx::query("SELECT rate_limits FROM corps WHERE corp_id = $1")
            .bind(corp.as_str().to_string())
            .fetch_optional(&self.pool)
            .await
            .map_err(backend_error)?;
        Ok(row.and_then(|r| r.try_get::<Option<String>, _>("rate_limits").ok().flatten()))
    }

    async fn save_rate_limits(&self, corp: &CorpId, json: String) -> StoreResult<bool> {
        let corp = corp.clone();
        self.writer
            .run(move |conn| {
                Box::pin(async move {
                    let n = sqlx::query("UPDATE corps SET rate_limits = $2 WHERE corp_id = $1")
                        .bind(corp.as_str().to_string())
                        .bind(json)
                        .execute(conn)
                        .await
                        .map_err(backend_error)?;
                    Ok(n.rows_affected() == 1)
                })
            })
            .await
    }

    async fn find_secret(&self, secret_digest: &str) -> StoreResult<Option<(CorpId, i64)>> {
        let row =
            sqlx::query("SELECT corp_id, agent_id FROM corp_secrets WHERE secret_digest = $1")
                .bind(secret_digest.to_string())
                .fetch_optional(&self.pool)
                .await
                .map_err(backend_error)?;
        row.map(|r| {
            Ok((
                CorpId::from_trusted(r.try_get("corp_id")?),
                r.try_get("agent_id")?,
            ))
        })
        .transpose()
        .map_err(backend_error)
    }

    async fn insert_access_token(
        &self,
        digest: String,
        token: AccessToken,
        now: i64,
    ) -> StoreResult<()> {
        self.writer
            .run(move |conn| {
                Box::pin(async move {
                    sqlx::query(
                        "DELETE FROM access_tokens WHERE corp_id = $1 AND agent_id = $2 \
                         AND expires_at < $3",
                    )
                    .bind(token.corp_id.as_str().to_string())
                    .bind(token.agent_id)
                    .bind(now)
                    .execute(&mut *conn)
                    .await
                    .map_err(backend_error)?;
                    sqlx::query(
                        "INSERT INTO access_tokens (token_digest, corp_id, agent_id, expires_at) \
                         VALUES ($1, $2, $3, $4)",
                    )
                    .bind(digest)
                    .bind(token.corp_id.as_str().to_string())
                    .bind(token.agent_id)
                    .bind(token.expires_at)
                    .execute(&mut *conn)
                    .await
                    .map_err(backend_error)?;
                    Ok(())
                })
            })
            .await
    }

    async fn find_access_token(&self, digest: &str) -> StoreResult<Option<AccessToken>> {
        let row = sqlx::query(
            "SELECT corp_id, agent_id, expires_at FROM access_tokens WHERE token_digest = $1",
        )
        .bind(digest.to_string())
        .fetch_optional(&self.pool)
        .await
        .map_err(backend_error)?;
        row.map(|r| {
            Ok(AccessToken {
                corp_id: CorpId::from_trusted(r.try_get("corp_id")?),
                agent_id: r.try_get("agent_id")?,
                expires_at: r.try_get("expires_at")?,
            })
        })
        .transpose()
        .map_err(backend_error)
    }
}

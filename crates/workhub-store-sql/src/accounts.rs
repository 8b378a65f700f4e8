//! Members' credentials, sessions, devices, device approvals and security policies.

use sqlx::Row;
use workhub_core::{CorpId, UserId};
use workhub_store::accounts::{
    AccountStore, ApprovalStatus, Device, DeviceApproval, NewSession, NewUser, Session, SignedIn,
    User,
};
use workhub_store::{Committed, NewEvent, StoreResult};

use crate::rows::s;
use crate::rows::{self, b};
use crate::{Backend, SqlStore, backend_error, events};

#[async_trait::async_trait]
impl AccountStore for SqlStore {
    async fn add_user(&self, user: NewUser) -> StoreResult<()> {
        self.writer
            .run(move |conn| Box::pin(async move { crate::corps::insert_user(conn, &user).await }))
            .await
    }

    async fn find_user(&self, corp: &CorpId, userid: &UserId) -> StoreResult<Option<User>> {
        let row = sqlx::query("SELECT * FROM users WHERE corp_id = $1 AND userid = $2")
            .bind(s(corp))
            .bind(s(userid))
            .fetch_optional(&self.pool)
            .await
            .map_err(backend_error)?;
        row.as_ref()
            .map(rows::user)
            .transpose()
            .map_err(backend_error)
    }

    async fn find_user_by_login(&self, corp: &CorpId, login: &str) -> StoreResult<Option<User>> {
        let login = login.trim().to_string();
        let row = sqlx::query(
            "SELECT * FROM users WHERE corp_id = $1 \
             AND (userid = LOWER($2) OR mobile = $2 OR LOWER(email) = LOWER($2)) LIMIT 1",
        )
        .bind(s(corp))
        .bind(login)
        .fetch_optional(&self.pool)
        .await
        .map_err(backend_error)?;
        row.as_ref()
            .map(rows::user)
            .transpose()
            .map_err(backend_error)
    }

    async fn record_login_failure(
        &self,
        corp: &CorpId,
        userid: &UserId,
        lock_until: Option<i64>,
    ) -> StoreResult<()> {
        let (corp, userid) = (s(corp), s(userid));
        self.writer
            .run(move |conn| {
                Box::pin(async move {
                    // A lock (lock_until > 0) resets the counter, so failures count afresh
                    // once it ends.
                    let sql = "UPDATE users SET \
                         failed_logins = CASE WHEN $3 > 0 THEN 0 ELSE failed_logins + 1 END, \
                         locked_until = CASE WHEN $3 > 0 THEN $3 ELSE locked_until END \
                         WHERE corp_id = $1 AND userid = $2";
                    sqlx::query(sql)
                        .bind(corp)
                        .bind(userid)
                        .bind(lock_until.unwrap_or(0))
                        .execute(conn)
                        .await
                        .map_err(backend_error)?;
                    Ok(())
                })
            })
            .await
    }

    async fn open_session(&self, new: NewSession) -> StoreResult<()> {
        self.writer
            .run(move |conn| {
                Box::pin(async move {
                    let ses = &new.session;
                    sqlx::query(
                        "INSERT INTO sessions (session_id, token_digest, corp_id, userid, \
                         device_id, device_name, platform, ip, user_agent, created_at, \
                         last_seen_at, revoked_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, NULL)",
                    )
                    .bind(ses.session_id.clone())
                    .bind(new.token_digest.clone())
                    .bind(s(&ses.corp_id))
                    .bind(s(&ses.userid))
                    .bind(ses.device_id.clone())
                    .bind(ses.device_name.clone())
                    .bind(ses.platform.clone())
                    .bind(ses.ip.clone())
                    .bind(ses.user_agent.clone())
                    .bind(ses.created_at)
                    .execute(&mut *conn)
                    .await
                    .map_err(backend_error)?;
                    sqlx::query(
                        "INSERT INTO devices (corp_id, userid, device_id, platform, name, trusted, \
                         first_seen_at, last_seen_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) \
                         ON CONFLICT (corp_id, userid, device_id) DO UPDATE SET \
                         platform = $4, name = $5, last_seen_at = $7, \
                         trusted = CASE WHEN $6 = 1 THEN 1 ELSE devices.trusted END",
                    )
                    .bind(s(&ses.corp_id))
                    .bind(s(&ses.userid))
                    .bind(ses.device_id.clone())
                    .bind(ses.platform.clone())
                    .bind(ses.device_name.clone())
                    .bind(b(new.trust_device))
                    .bind(ses.created_at)
                    .execute(&mut *conn)
                    .await
                    .map_err(backend_error)?;
                    sqlx::query(
                        "UPDATE users SET failed_logins = 0, locked_until = 0 \
                         WHERE corp_id = $1 AND userid = $2",
                    )
                    .bind(s(&ses.corp_id))
                    .bind(s(&ses.userid))
                    .execute(&mut *conn)
                    .await
                    .map_err(backend_error)?;
                    Ok(())
                })
            })
            .await
    }

    async fn find_signed_in(&self, token_digest: &str) -> StoreResult<Option<SignedIn>> {
        let changes = self.writer.changes();
        let cached = self.backend == Backend::Sqlite;
        if cached && let Some(hit) = self.signed_in.get(token_digest, changes) {
            return Ok(Some(hit));
        }
        let row = sqlx::query(
            "SELECT s.*, u.status AS member_status, u.is_admin AS member_is_admin, \
             u.admin_roles AS member_admin_roles, p.policy AS corp_policy FROM sessions s \
             LEFT JOIN users u ON u.corp_id = s.corp_id AND u.userid = s.userid \
             LEFT JOIN security_policies p ON p.corp_id = s.corp_id \
             WHERE s.token_digest = $1 AND s.revoked_at IS NULL",
        )
        .bind(token_digest.to_string())
        .fetch_optional(&self.pool)
        .await
        .map_err(backend_error)?;
        let found = row
            .as_ref()
            .map(rows::signed_in)
            .transpose()
            .map_err(backend_error)?;
        if cached && let Some(signed_in) = &found {
            self.signed_in.put(token_digest, changes, signed_in);
        }
        Ok(found)
    }

    async fn touch_session(&self, session_id: &str, now: i64, ip: &str) -> StoreResult<()> {
        let (id, address) = (session_id.to_string(), ip.to_string());
        // A session's last use ends nothing: it leaves cached sessions valid.
        self.writer
            .run_traffic(move |conn| {
                Box::pin(async move {
                    sqlx::query(
                        "UPDATE sessions SET last_seen_at = $2, ip = $3 WHERE session_id = $1",
                    )
                    .bind(id)
                    .bind(now)
                    .bind(address)
                    .execute(conn)
                    .await
                    .map_err(backend_error)?;
                    Ok(())
                })
            })
            .await?;
        self.signed_in.touched(session_id, now, ip);
        Ok(())
    }

    async fn list_sessions(
        &self,
        corp: &CorpId,
        userid: Option<&UserId>,
    ) -> StoreResult<Vec<Session>> {
        let rows = sqlx::query(
            "SELECT * FROM sessions WHERE corp_id = $1 AND revoked_at IS NULL \
             AND ($2 = '' OR userid = $2) ORDER BY created_at DESC, session_id",
        )
        .bind(s(corp))
        .bind(userid.map(s).unwrap_or_default())
        .fetch_all(&self.pool)
        .await
        .map_err(backend_error)?;
        rows.iter()
            .map(rows::session)
            .collect::<Result<_, _>>()
            .map_err(backend_error)
    }

    async fn revoke_session(
        &self,
        corp: &CorpId,
        session_id: &str,
        now: i64,
        event: NewEvent,
    ) -> StoreResult<Committed<Option<Session>>> {
        let (corp, id) = (corp.clone(), session_id.to_string());
        self.writer
            .run(move |conn| {
                Box::pin(async move {
                    let row = sqlx::query(
                        "UPDATE sessions SET revoked_at = $3 \
                         WHERE corp_id = $1 AND session_id = $2 AND revoked_at IS NULL RETURNING *",
                    )
                    .bind(s(&corp))
                    .bind(id)
                    .bind(now)
                    .fetch_optional(&mut *conn)
                    .await
                    .map_err(backend_error)?;
                    let Some(row) = row else {
                        return Ok(Committed {
                            value: None,
                            appended: vec![],
                        });
                    };
                    let session = rows::session(&row).map_err(backend_error)?;
                    let appended = events::append(conn, &corp, &event, now).await?;
                    Ok(Committed {
                        value: Some(session),
                        appended,
                    })
                })
            })
            .await
    }

    async fn find_device(
        &self,
        corp: &CorpId,
        userid: &UserId,
        device_id: &str,
    ) -> StoreResult<Option<Device>> {
        let row = sqlx::query(
            "SELECT * FROM devices WHERE corp_id = $1 AND userid = $2 AND device_id = $3",
        )
        .bind(s(corp))
        .bind(s(userid))
        .bind(device_id.to_string())
        .fetch_optional(&self.pool)
        .await
        .map_err(backend_error)?;
        row.map(|r| {
            Ok(Device {
                device_id: r.try_get("device_id")?,
                platform: r.try_get("platform")?,
                name: r.try_get("name")?,
                trusted: r.try_get::<i64, _>("trusted")? != 0,
                last_seen_at: r.try_get("last_seen_at")?,
            })
        })
        .transpose()
        .map_err(backend_error)
    }

    async fn count_devices(&self, corp: &CorpId, userid: &UserId) -> StoreResult<i64> {
        let row =
            sqlx::query("SELECT COUNT(*) AS n FROM devices WHERE corp_id = $1 AND userid = $2")
                .bind(s(corp))
                .bind(s(userid))
                .fetch_one(&self.pool)
                .await
                .map_err(backend_error)?;
        row.try_get("n").map_err(backend_error)
    }

    async fn set_password(
        &self,
        corp: &CorpId,
        userid: &UserId,
        digest: String,
        now: i64,
        keep: i64,
    ) -> StoreResult<()> {
        let (corp, userid) = (s(corp), s(userid));
        self.writer
            .run(move |conn| {
                Box::pin(async move {
                    sqlx::query(
                        "INSERT INTO password_history (corp_id, userid, password_digest, created_at) \
                         SELECT corp_id, userid, password_digest, $3 FROM users \
                         WHERE corp_id = $1 AND userid = $2",
                    )
                    .bind(corp.clone())
                    .bind(userid.clone())
                    .bind(now)
                    .execute(&mut *conn)
                    .await
                    .map_err(backend_error)?;
                    sqlx::query(
                        "DELETE FROM password_history WHERE corp_id = $1 AND userid = $2 \
                         AND password_digest NOT IN (SELECT password_digest FROM password_history \
                         WHERE corp_id = $1 AND userid = $2 ORDER BY created_at DESC LIMIT $3)",
                    )
                    .bind(corp.clone())
                    .bind(userid.clone())
                    .bind(keep.max(0))
                    .execute(&mut *conn)
                    .await
                    .map_err(backend_error)?;
                    sqlx::query(
                        "UPDATE users SET password_digest = $3, password_changed_at = $4 \
                         WHERE corp_id = $1 AND userid = $2",
                    )
                    .bind(corp)
                    .bind(userid)
                    .bind(digest)
                    .bind(now)
                    .execute(&mut *conn)
                    .await
                    .map_err(backend_error)?;
                    Ok(())
                })
            })
            .await
    }

    async fn password_history(
        &self,
        corp: &CorpId,
        userid: &UserId,
        limit: i64,
    ) -> StoreResult<Vec<String>> {
        let rows = sqlx::query(
            "SELECT password_digest FROM password_history WHERE corp_id = $1 AND userid = $2 \
             ORDER BY created_at DESC LIMIT $3",
        )
        .bind(s(corp))
        .bind(s(userid))
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .map_err(backend_error)?;
        rows.iter()
            .map(|r| r.try_get("password_digest"))
            .collect::<Result<_, _>>()
            .map_err(backend_error)
    }

    async fn set_totp(
        &self,
        corp: &CorpId,
        userid: &UserId,
        secret: Option<String>,
        enabled: bool,
    ) -> StoreResult<()> {
        let (corp, userid) = (s(corp), s(userid));
        self.writer
            .run(move |conn| {
                Box::pin(async move {
                    sqlx::query(
                        "UPDATE users SET totp_secret = $3, totp_enabled = $4 \
                         WHERE corp_id = $1 AND userid = $2",
                    )
                    .bind(corp)
                    .bind(userid)
                    .bind(secret)
                    .bind(b(enabled))
                    .execute(conn)
                    .await
                    .map_err(backend_error)?;
                    Ok(())
                })
            })
            .await
    }

    async fn create_device_approval(
        &self,
        approval: DeviceApproval,
        event: NewEvent,
    ) -> StoreResult<Committed<()>> {
        self.writer
            .run(move |conn| {
                Box::pin(async move {
                    let a = &approval;
                    sqlx::query(
                        "INSERT INTO device_approvals (approval_id, corp_id, userid, device_id, \
                         device_name, platform, ip, user_agent, poll_digest, status, created_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                    )
                    .bind(a.approval_id.clone())
                    .bind(s(&a.corp_id))
                    .bind(s(&a.userid))
                    .bind(a.device_id.clone())
                    .bind(a.device_name.clone())
                    .bind(a.platform.clone())
                    .bind(a.ip.clone())
                    .bind(a.user_agent.clone())
                    .bind(a.poll_digest.clone())
                    .bind(a.status.as_str().to_string())
                    .bind(a.created_at)
                    .execute(&mut *conn)
                    .await
                    .map_err(backend_error)?;
                    let appended = events::append(conn, &a.corp_id, &event, a.created_at).await?;
                    Ok(Committed {
                        value: (),
                        appended,
                    })
                })
            })
            .await
    }

    async fn find_device_approval(&self, approval_id: &str) -> StoreResult<Option<DeviceApproval>> {
        let row = sqlx::query("SELECT * FROM device_approvals WHERE approval_id = $1")
            .bind(approval_id.to_string())
            .fetch_optional(&self.pool)
            .await
            .map_err(backend_error)?;
        row.as_ref()
            .map(rows::approval)
            .transpose()
            .map_err(backend_error)
    }

    async fn list_device_approvals(
        &self,
        corp: &CorpId,
        userid: Option<&UserId>,
    ) -> StoreResult<Vec<DeviceApproval>> {
        let rows = sqlx::query(
            "SELECT * FROM device_approvals WHERE corp_id = $1 AND status = 'pending' \
             AND ($2 = '' OR userid = $2) ORDER BY created_at DESC",
        )
        .bind(s(corp))
        .bind(userid.map(s).unwrap_or_default())
        .fetch_all(&self.pool)
        .await
        .map_err(backend_error)?;
        rows.iter()
            .map(rows::approval)
            .collect::<Result<_, _>>()
            .map_err(backend_error)
    }

    async fn decide_device_approval(
        &self,
        corp: &CorpId,
        approval_id: &str,
        to: ApprovalStatus,
        now: i64,
        event: NewEvent,
    ) -> StoreResult<Committed<Option<DeviceApproval>>> {
        let (corp, id) = (corp.clone(), approval_id.to_string());
        self.writer
            .run(move |conn| {
                Box::pin(async move {
                    let row = sqlx::query(
                        "UPDATE device_approvals SET status = $3, decided_at = $4 \
                         WHERE corp_id = $1 AND approval_id = $2 AND status = 'pending' RETURNING *",
                    )
                    .bind(s(&corp))
                    .bind(id)
                    .bind(to.as_str().to_string())
                    .bind(now)
                    .fetch_optional(&mut *conn)
                    .await
                    .map_err(backend_error)?;
                    let Some(row) = row else {
                        return Ok(Committed { value: None, appended: vec![] });
                    };
                    let approval = rows::approval(&row).map_err(backend_error)?;
                    let appended = events::append(conn, &corp, &event, now).await?;
                    Ok(Committed { value: Some(approval), appended })
                })
            })
            .await
    }

    async fn consume_device_approval(&self, approval_id: &str) -> StoreResult<bool> {
        let id = approval_id.to_string();
        self.writer
            .run(move |conn| {
                Box::pin(async move {
                    let n = sqlx::query(
                        "UPDATE device_approvals SET status = 'used' \
                         WHERE approval_id = $1 AND status = 'approved'",
                    )
                    .bind(id)
                    .execute(conn)
                    .await
                    .map_err(backend_error)?;
                    Ok(n.rows_affected() == 1)
                })
            })
            .await
    }

    async fn find_policy(&self, corp: &CorpId) -> StoreResult<Option<String>> {
        let row = sqlx::query("SELECT policy FROM security_policies WHERE corp_id = $1")
            .bind(s(corp))
            .fetch_optional(&self.pool)
            .await
            .map_err(backend_error)?;
        row.map(|r| r.try_get("policy"))
            .transpose()
            .map_err(backend_error)
    }

    async fn save_policy(
        &self,
        corp: &CorpId,
        json: String,
        now: i64,
        event: NewEvent,
    ) -> StoreResult<Committed<()>> {
        let corp = corp.clone();
        self.writer
            .run(move |conn| {
                Box::pin(async move {
                    sqlx::query(
                        "INSERT INTO security_policies (corp_id, policy, updated_at) \
                         VALUES ($1, $2, $3) ON CONFLICT (corp_id) \
                         DO UPDATE SET policy = $2, updated_at = $3",
                    )
                    .bind(s(&corp))
                    .bind(json)
                    .bind(now)
                    .execute(&mut *conn)
                    .await
                    .map_err(backend_error)?;
                    let appended = events::append(conn, &corp, &event, now).await?;
                    Ok(Committed {
                        value: (),
                        appended,
                    })
                })
            })
            .await
    }
}

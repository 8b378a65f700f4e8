//! Custom admin roles and role grants.

use sqlx::Row;
use sqlx::any::AnyRow;
use workhub_core::{CorpId, UserId};
use workhub_store::roles::{
    CustomRole, DeleteRole, HeldRole, RoleGrant, RoleStore, SuperAdminChange,
};
use workhub_store::{Committed, NewEvent, StoreResult};

use crate::rows::{RowResult, s};
use crate::{SqlStore, backend_error, events};

fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "[]".to_string())
}

fn role(row: &AnyRow) -> RowResult<CustomRole> {
    let permissions: String = row.try_get("permissions")?;
    Ok(CustomRole {
        role_id: row.try_get("role_id")?,
        name: row.try_get("name")?,
        description: row.try_get("description")?,
        permissions: serde_json::from_str(&permissions).unwrap_or_default(),
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

fn grant(row: &AnyRow) -> RowResult<RoleGrant> {
    let departments: String = row.try_get("departments")?;
    let userid: String = row.try_get("userid")?;
    Ok(RoleGrant {
        role_id: row.try_get("role_id")?,
        userid: UserId::parse(&userid).map_err(|e| sqlx::Error::Decode(e.to_string().into()))?,
        departments: serde_json::from_str(&departments).unwrap_or_default(),
        granted_by: row.try_get("granted_by")?,
        granted_at: row.try_get("granted_at")?,
    })
}

/// Keeps `users.admin_roles` equal to the member's number of grants.
async fn recount(
    conn: &mut sqlx::AnyConnection,
    corp: &CorpId,
    userid: &UserId,
) -> StoreResult<()> {
    sqlx::query(
        "UPDATE users SET admin_roles = (SELECT COUNT(*) FROM admin_grants g \
         WHERE g.corp_id = $1 AND g.userid = $2) WHERE corp_id = $1 AND userid = $2",
    )
    .bind(s(corp))
    .bind(s(userid))
    .execute(conn)
    .await
    .map_err(backend_error)?;
    Ok(())
}

fn unchanged<T>(value: T) -> Committed<T> {
    Committed {
        value,
        appended: vec![],
    }
}

#[async_trait::async_trait]
impl RoleStore for SqlStore {
    async fn list_roles(&self, corp: &CorpId) -> StoreResult<Vec<CustomRole>> {
        let rows = sqlx::query(
            "SELECT * FROM admin_roles WHERE corp_id = $1 ORDER BY created_at, role_id",
        )
        .bind(s(corp))
        .fetch_all(&self.pool)
        .await
        .map_err(backend_error)?;
        rows.iter()
            .map(role)
            .collect::<Result<_, _>>()
            .map_err(backend_error)
    }

    async fn create_role(&self, corp: &CorpId, role: CustomRole) -> StoreResult<()> {
        let corp = corp.clone();
        self.writer
            .run(move |conn| {
                Box::pin(async move {
                    sqlx::query(
                        "INSERT INTO admin_roles (corp_id, role_id, name, description, permissions, \
                         created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                    )
                    .bind(s(&corp))
                    .bind(role.role_id)
                    .bind(role.name)
                    .bind(role.description)
                    .bind(json(&role.permissions))
                    .bind(role.created_at)
                    .bind(role.updated_at)
                    .execute(conn)
                    .await
                    .map_err(backend_error)?;
                    Ok(())
                })
            })
            .await
    }

    async fn update_role(
        &self,
        corp: &CorpId,
        role: CustomRole,
        event: NewEvent,
    ) -> StoreResult<Committed<bool>> {
        let corp = corp.clone();
        self.writer
            .run(move |conn| {
                Box::pin(async move {
                    let n = sqlx::query(
                        "UPDATE admin_roles SET name = $3, description = $4, permissions = $5, \
                         updated_at = $6 WHERE corp_id = $1 AND role_id = $2",
                    )
                    .bind(s(&corp))
                    .bind(role.role_id)
                    .bind(role.name)
                    .bind(role.description)
                    .bind(json(&role.permissions))
                    .bind(role.updated_at)
                    .execute(&mut *conn)
                    .await
                    .map_err(backend_error)?;
                    if n.rows_affected() == 0 {
                        return Ok(unchanged(false));
                    }
                    let appended = events::append(conn, &corp, &event, role.updated_at).await?;
                    Ok(Committed {
                        value: true,
                        appended,
                    })
                })
            })
            .await
    }

    async fn delete_role(&self, corp: &CorpId, role_id: &str) -> StoreResult<DeleteRole> {
        let (corp, role_id) = (corp.clone(), role_id.to_string());
        self.writer
            .run(move |conn| {
                Box::pin(async move {
                    // One statement, so a grant made meanwhile either blocks it or comes after.
                    let n = sqlx::query(
                        "DELETE FROM admin_roles WHERE corp_id = $1 AND role_id = $2 AND NOT EXISTS \
                         (SELECT 1 FROM admin_grants g WHERE g.corp_id = $1 AND g.role_id = $2)",
                    )
                    .bind(s(&corp))
                    .bind(role_id.clone())
                    .execute(&mut *conn)
                    .await
                    .map_err(backend_error)?;
                    if n.rows_affected() > 0 {
                        return Ok(DeleteRole::Deleted);
                    }
                    let exists = sqlx::query("SELECT 1 FROM admin_roles WHERE corp_id = $1 AND role_id = $2")
                        .bind(s(&corp))
                        .bind(role_id)
                        .fetch_optional(&mut *conn)
                        .await
                        .map_err(backend_error)?;
                    Ok(if exists.is_some() {
                        DeleteRole::InUse
                    } else {
                        DeleteRole::NotFound
                    })
                })
            })
            .await
    }

    async fn list_grants(&self, corp: &CorpId) -> StoreResult<Vec<RoleGrant>> {
        let rows = sqlx::query(
            "SELECT * FROM admin_grants WHERE corp_id = $1 ORDER BY role_id, granted_at, userid",
        )
        .bind(s(corp))
        .fetch_all(&self.pool)
        .await
        .map_err(backend_error)?;
        rows.iter()
            .map(grant)
            .collect::<Result<_, _>>()
            .map_err(backend_error)
    }

    async fn super_admins(&self, corp: &CorpId) -> StoreResult<Vec<UserId>> {
        let rows = sqlx::query(
            "SELECT userid FROM users WHERE corp_id = $1 AND is_admin = 1 ORDER BY created_at",
        )
        .bind(s(corp))
        .fetch_all(&self.pool)
        .await
        .map_err(backend_error)?;
        Ok(rows
            .iter()
            .filter_map(|r| r.try_get::<String, _>("userid").ok())
            .filter_map(|u| UserId::parse(&u).ok())
            .collect())
    }

    async fn grants_of(&self, corp: &CorpId, userid: &UserId) -> StoreResult<Vec<HeldRole>> {
        let rows = sqlx::query(
            "SELECT g.*, r.permissions FROM admin_grants g LEFT JOIN admin_roles r \
             ON r.corp_id = g.corp_id AND r.role_id = g.role_id \
             WHERE g.corp_id = $1 AND g.userid = $2 ORDER BY g.role_id",
        )
        .bind(s(corp))
        .bind(s(userid))
        .fetch_all(&self.pool)
        .await
        .map_err(backend_error)?;
        rows.iter()
            .map(|row| {
                let permissions: Option<String> = row.try_get("permissions")?;
                Ok(HeldRole {
                    grant: grant(row)?,
                    custom_permissions: permissions
                        .map(|p| serde_json::from_str(&p).unwrap_or_default()),
                })
            })
            .collect::<RowResult<_>>()
            .map_err(backend_error)
    }

    async fn put_grant(
        &self,
        corp: &CorpId,
        grant: RoleGrant,
        custom: bool,
        event: NewEvent,
    ) -> StoreResult<Committed<bool>> {
        let corp = corp.clone();
        self.writer
            .run(move |conn| {
                Box::pin(async move {
                    if custom {
                        let exists = sqlx::query(
                            "SELECT 1 FROM admin_roles WHERE corp_id = $1 AND role_id = $2",
                        )
                        .bind(s(&corp))
                        .bind(grant.role_id.clone())
                        .fetch_optional(&mut *conn)
                        .await
                        .map_err(backend_error)?;
                        if exists.is_none() {
                            return Ok(unchanged(false));
                        }
                    }
                    sqlx::query(
                        "INSERT INTO admin_grants (corp_id, userid, role_id, departments, granted_by, \
                         granted_at) VALUES ($1, $2, $3, $4, $5, $6) \
                         ON CONFLICT (corp_id, userid, role_id) DO UPDATE SET departments = $4",
                    )
                    .bind(s(&corp))
                    .bind(s(&grant.userid))
                    .bind(grant.role_id)
                    .bind(json(&grant.departments))
                    .bind(grant.granted_by)
                    .bind(grant.granted_at)
                    .execute(&mut *conn)
                    .await
                    .map_err(backend_error)?;
                    recount(&mut *conn, &corp, &grant.userid).await?;
                    let appended = events::append(conn, &corp, &event, grant.granted_at).await?;
                    Ok(Committed {
                        value: true,
                        appended,
                    })
                })
            })
            .await
    }

    async fn delete_grant(
        &self,
        corp: &CorpId,
        role_id: &str,
        userid: &UserId,
        now: i64,
        event: NewEvent,
    ) -> StoreResult<Committed<bool>> {
        let (corp, role_id, userid) = (corp.clone(), role_id.to_string(), userid.clone());
        self.writer
            .run(move |conn| {
                Box::pin(async move {
                    let n = sqlx::query(
                        "DELETE FROM admin_grants WHERE corp_id = $1 AND userid = $2 AND role_id = $3",
                    )
                    .bind(s(&corp))
                    .bind(s(&userid))
                    .bind(role_id)
                    .execute(&mut *conn)
                    .await
                    .map_err(backend_error)?;
                    if n.rows_affected() == 0 {
                        return Ok(unchanged(false));
                    }
                    recount(&mut *conn, &corp, &userid).await?;
                    let appended = events::append(conn, &corp, &event, now).await?;
                    Ok(Committed {
                        value: true,
                        appended,
                    })
                })
            })
            .await
    }

    async fn set_super_admin(
        &self,
        corp: &CorpId,
        userid: &UserId,
        on: bool,
        now: i64,
        event: NewEvent,
    ) -> StoreResult<Committed<SuperAdminChange>> {
        let (corp, userid) = (corp.clone(), userid.clone());
        self.writer
            .run(move |conn| {
                Box::pin(async move {
                    // PostgreSQL: lock the company's super admins so two removals at once cannot
                    // both see the other one still there. SQLite has a single writer.
                    let lock = if conn.backend_name() == "PostgreSQL" {
                        " FOR UPDATE"
                    } else {
                        ""
                    };
                    let admins = sqlx::query(sqlx::AssertSqlSafe(format!(
                        "SELECT userid FROM users WHERE corp_id = $1 AND is_admin = 1{lock}"
                    )))
                    .bind(s(&corp))
                    .fetch_all(&mut *conn)
                    .await
                    .map_err(backend_error)?;
                    let others = admins
                        .iter()
                        .filter_map(|r| r.try_get::<String, _>("userid").ok())
                        .filter(|u| u != userid.as_str())
                        .count();
                    if !on && others == 0 {
                        return Ok(unchanged(SuperAdminChange::LastSuperAdmin));
                    }
                    let n = sqlx::query(
                        "UPDATE users SET is_admin = $3 WHERE corp_id = $1 AND userid = $2",
                    )
                    .bind(s(&corp))
                    .bind(s(&userid))
                    .bind(i64::from(on))
                    .execute(&mut *conn)
                    .await
                    .map_err(backend_error)?;
                    if n.rows_affected() == 0 {
                        return Ok(unchanged(SuperAdminChange::UserNotFound));
                    }
                    let appended = events::append(conn, &corp, &event, now).await?;
                    Ok(Committed {
                        value: SuperAdminChange::Done,
                        appended,
                    })
                })
            })
            .await
    }
}

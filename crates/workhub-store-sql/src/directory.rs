//! The org directory in SQL.

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AssertSqlSafe, Row};
use workhub_core::{CorpId, UserId};
use workhub_store::accounts::NewUser;
use workhub_store::directory::{
    Activation, DeleteDepartment, Department, DirectoryStore, EventFor, Job, Member, Membership,
    Profile, Tag, TagChange,
};
use workhub_store::{Committed, NewEvent, StoreResult};

use crate::rows::s;
use crate::rows::{b, placeholders};
use crate::{SqlStore, backend_error, events};

fn department(r: &AnyRow) -> Result<Department, sqlx::Error> {
    Ok(Department {
        id: r.try_get("dept_id")?,
        name: r.try_get("name")?,
        name_en: r.try_get("name_en")?,
        parent_id: r.try_get("parent_id")?,
        order: r.try_get("sort_order")?,
    })
}

fn member(r: &AnyRow) -> Result<Member, sqlx::Error> {
    let leaders: String = r.try_get("direct_leaders")?;
    Ok(Member {
        userid: UserId::from_trusted(r.try_get("userid")?),
        name: r.try_get("name")?,
        mobile: r.try_get("mobile")?,
        email: r.try_get("email")?,
        is_admin: r.try_get::<i64, _>("is_admin")? != 0,
        status: r.try_get("status")?,
        profile: Profile {
            alias: r.try_get("alias")?,
            position: r.try_get("position")?,
            gender: r.try_get("gender")?,
            telephone: r.try_get("telephone")?,
            avatar: r.try_get("avatar")?,
            extattr: r.try_get("extattr")?,
            main_department: r.try_get("main_department")?,
            direct_leaders: serde_json::from_str(&leaders).unwrap_or_default(),
        },
        departments: vec![],
    })
}

fn search_keys(m: &Member) -> String {
    workhub_core::search::member_keys(
        m.userid.as_str(),
        &m.name,
        m.profile.alias.as_deref(),
        m.mobile.as_deref(),
        m.email.as_deref(),
    )
}

pub(crate) async fn write_search_keys(
    conn: &mut AnyConnection,
    corp: &CorpId,
    userid: &UserId,
    keys: &str,
) -> StoreResult<()> {
    sqlx::query("UPDATE users SET search_keys = $3 WHERE corp_id = $1 AND userid = $2")
        .bind(s(corp))
        .bind(s(userid))
        .bind(keys.to_string())
        .execute(&mut *conn)
        .await
        .map_err(backend_error)?;
    bump_version(conn, corp).await
}

/// Marks the company's directory changed, so search indexes on every node rebuild.
async fn bump_version(conn: &mut AnyConnection, corp: &CorpId) -> StoreResult<()> {
    sqlx::query("UPDATE corps SET directory_version = directory_version + 1 WHERE corp_id = $1")
        .bind(s(corp))
        .execute(conn)
        .await
        .map_err(backend_error)?;
    Ok(())
}

/// Fills search keys of members written before they existed (run once at start-up).
pub(crate) async fn backfill_search_keys(store: &SqlStore) -> StoreResult<()> {
    let rows = sqlx::query("SELECT * FROM users WHERE search_keys = ''")
        .fetch_all(&store.pool)
        .await
        .map_err(backend_error)?;
    for row in rows {
        let corp = CorpId::from_trusted(row.try_get("corp_id").map_err(backend_error)?);
        let m = member(&row).map_err(backend_error)?;
        let keys = search_keys(&m);
        store
            .writer
            .run(move |conn| {
                Box::pin(async move { write_search_keys(conn, &corp, &m.userid, &keys).await })
            })
            .await?;
    }
    Ok(())
}

async fn write_job(conn: &mut AnyConnection, job: Job) -> StoreResult<()> {
    sqlx::query(
        "UPDATE jobs SET status = $3, total = $4, done = $5, result = $6, heartbeat_at = $7 \
         WHERE job_id = $1 AND corp_id = $2",
    )
    .bind(job.job_id)
    .bind(s(&job.corp_id))
    .bind(job.status)
    .bind(job.total)
    .bind(job.done)
    .bind(job.result)
    .bind(job.heartbeat_at)
    .execute(conn)
    .await
    .map_err(backend_error)?;
    Ok(())
}

fn job(r: &AnyRow) -> Result<Job, sqlx::Error> {
    Ok(Job {
        job_id: r.try_get("job_id")?,
        corp_id: CorpId::from_trusted(r.try_get("corp_id")?),
        kind: r.try_get("kind")?,
        status: r.try_get("status")?,
        total: r.try_get("total")?,
        done: r.try_get("done")?,
        result: r.try_get("result")?,
        created_at: r.try_get("created_at")?,
        source: r.try_get("source")?,
        heartbeat_at: r.try_get("heartbeat_at")?,
    })
}

/// Attaches memberships (in each member's own order) to members.
fn attach(mut members: Vec<Member>, rows: &[AnyRow]) -> Result<Vec<Member>, sqlx::Error> {
    let mut by_user: std::collections::HashMap<String, Vec<(i64, Membership)>> = Default::default();
    for r in rows {
        let m = Membership {
            dept_id: r.try_get("dept_id")?,
            order: r.try_get("sort_order")?,
            is_leader: r.try_get::<i64, _>("is_leader")? != 0,
        };
        by_user
            .entry(r.try_get("userid")?)
            .or_default()
            .push((r.try_get("list_index")?, m));
    }
    for member in &mut members {
        let mut list = by_user.remove(member.userid.as_str()).unwrap_or_default();
        list.sort_by_key(|(i, _)| *i);
        member.departments = list.into_iter().map(|(_, m)| m).collect();
    }
    Ok(members)
}

/// Writes a member's profile and replaces their memberships, inside the caller's transaction.
async fn write_member(conn: &mut AnyConnection, corp: &CorpId, m: &Member) -> StoreResult<bool> {
    let p = &m.profile;
    let leaders = serde_json::to_string(&p.direct_leaders).unwrap_or_else(|_| "[]".into());
    let n = sqlx::query(
        "UPDATE users SET name = $3, mobile = $4, email = $5, status = $6, alias = $7, position = $8, \
         gender = $9, telephone = $10, avatar = $11, extattr = $12, main_department = $13, \
         direct_leaders = $14 WHERE corp_id = $1 AND userid = $2",
    )
    .bind(s(corp))
    .bind(s(&m.userid))
    .bind(m.name.clone())
    .bind(m.mobile.clone())
    .bind(m.email.clone())
    .bind(m.status)
    .bind(p.alias.clone())
    .bind(p.position.clone())
    .bind(p.gender.clone())
    .bind(p.telephone.clone())
    .bind(p.avatar.clone())
    .bind(p.extattr.clone())
    .bind(p.main_department)
    .bind(leaders)
    .execute(&mut *conn)
    .await
    .map_err(backend_error)?;
    if n.rows_affected() == 0 {
        return Ok(false);
    }
    write_search_keys(conn, corp, &m.userid, &search_keys(m)).await?;
    sqlx::query("DELETE FROM member_departments WHERE corp_id = $1 AND userid = $2")
        .bind(s(corp))
        .bind(s(&m.userid))
        .execute(&mut *conn)
        .await
        .map_err(backend_error)?;
    for (i, d) in m.departments.iter().enumerate() {
        sqlx::query(
            "INSERT INTO member_departments (corp_id, userid, dept_id, sort_order, is_leader, list_index) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(s(corp))
        .bind(s(&m.userid))
        .bind(d.dept_id)
        .bind(d.order)
        .bind(b(d.is_leader))
        .bind(i64::try_from(i).unwrap_or(0))
        .execute(&mut *conn)
        .await
        .map_err(backend_error)?;
    }
    Ok(true)
}

/// Inserts new members' rows (accounts, profiles, search keys, departments), several per
/// statement.
async fn insert_members(
    conn: &mut AnyConnection,
    corp: &CorpId,
    members: &[(NewUser, Member)],
) -> StoreResult<()> {
    // 19 values per member; TOTP and lock-out counters start at zero.
    const BOUND: usize = 19;
    let rows: Vec<String> = (0..members.len())
        .map(|i| {
            let at = i * BOUND;
            format!(
                "({}, 0, 0, 0, {})",
                placeholders(at + 1, 9),
                placeholders(at + 10, BOUND - 9)
            )
        })
        .collect();
    let sql = format!(
        "INSERT INTO users (corp_id, userid, name, mobile, email, is_admin, status, password_digest, \
         password_changed_at, totp_enabled, failed_logins, locked_until, created_at, alias, \
         position, gender, telephone, avatar, extattr, main_department, direct_leaders, \
         search_keys) VALUES {}",
        rows.join(", ")
    );
    let mut query = sqlx::query(AssertSqlSafe(sql));
    for (account, m) in members {
        let p = &m.profile;
        query = query
            .bind(s(corp))
            .bind(s(&m.userid))
            .bind(m.name.clone())
            .bind(m.mobile.clone())
            .bind(m.email.clone())
            .bind(b(account.is_admin))
            .bind(m.status)
            .bind(account.password_digest.clone())
            .bind(account.created_at)
            .bind(account.created_at)
            .bind(p.alias.clone())
            .bind(p.position.clone())
            .bind(p.gender.clone())
            .bind(p.telephone.clone())
            .bind(p.avatar.clone())
            .bind(p.extattr.clone())
            .bind(p.main_department)
            .bind(serde_json::to_string(&p.direct_leaders).unwrap_or_else(|_| "[]".into()))
            .bind(search_keys(m));
    }
    query.execute(&mut *conn).await.map_err(backend_error)?;
    let memberships: Vec<(&Member, usize, &Membership)> = members
        .iter()
        .flat_map(|(_, m)| {
            m.departments
                .iter()
                .enumerate()
                .map(move |(i, d)| (m, i, d))
        })
        .collect();
    for chunk in memberships.chunks(500) {
        let values: Vec<String> = (0..chunk.len())
            .map(|i| format!("({})", placeholders(i * 6 + 1, 6)))
            .collect();
        let sql = format!(
            "INSERT INTO member_departments (corp_id, userid, dept_id, sort_order, is_leader, \
             list_index) VALUES {}",
            values.join(", ")
        );
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for (m, i, d) in chunk {
            query = query
                .bind(s(corp))
                .bind(s(&m.userid))
                .bind(d.dept_id)
                .bind(d.order)
                .bind(b(d.is_leader))
                .bind(i64::try_from(*i).unwrap_or(0));
        }
        query.execute(&mut *conn).await.map_err(backend_error)?;
    }
    Ok(())
}

async fn next_id(
    conn: &mut AnyConnection,
    table: &'static str,
    column: &'static str,
    corp: &CorpId,
) -> StoreResult<i64> {
    let sql =
        format!("SELECT COALESCE(MAX({column}), 0) + 1 AS next FROM {table} WHERE corp_id = $1");
    let row = sqlx::query(AssertSqlSafe(sql))
        .bind(s(corp))
        .fetch_one(&mut *conn)
        .await
        .map_err(backend_error)?;
    row.try_get("next").map_err(backend_error)
}

#[async_trait::async_trait]
impl DirectoryStore for SqlStore {
    async fn list_departments(&self, corp: &CorpId) -> StoreResult<Vec<Department>> {
        let rows = sqlx::query(
            "SELECT * FROM departments WHERE corp_id = $1 ORDER BY parent_id, sort_order DESC, dept_id",
        )
        .bind(s(corp))
        .fetch_all(&self.pool)
        .await
        .map_err(backend_error)?;
        rows.iter()
            .map(department)
            .collect::<Result<_, _>>()
            .map_err(backend_error)
    }

    async fn create_department(
        &self,
        corp: &CorpId,
        id: Option<i64>,
        dept: Department,
        now: i64,
        event: EventFor,
    ) -> StoreResult<Committed<i64>> {
        let corp = corp.clone();
        self.writer
            .run(move |conn| {
                Box::pin(async move {
                    let id = match id {
                        Some(id) => id,
                        None => next_id(conn, "departments", "dept_id", &corp).await?,
                    };
                    sqlx::query(
                        "INSERT INTO departments (corp_id, dept_id, name, name_en, parent_id, sort_order, created_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7)",
                    )
                    .bind(s(&corp))
                    .bind(id)
                    .bind(dept.name)
                    .bind(dept.name_en)
                    .bind(dept.parent_id)
                    .bind(dept.order)
                    .bind(now)
                    .execute(&mut *conn)
                    .await
                    .map_err(backend_error)?;
                    let appended = events::append(conn, &corp, &event(id), now).await?;
                    Ok(Committed { value: id, appended })
                })
            })
            .await
    }

    async fn update_department(
        &self,
        corp: &CorpId,
        dept: Department,
        now: i64,
        event: NewEvent,
    ) -> StoreResult<Committed<bool>> {
        let corp = corp.clone();
        self.writer
            .run(move |conn| {
                Box::pin(async move {
                    let n = sqlx::query(
                        "UPDATE departments SET name = $3, name_en = $4, parent_id = $5, sort_order = $6 \
                         WHERE corp_id = $1 AND dept_id = $2",
                    )
                    .bind(s(&corp))
                    .bind(dept.id)
                    .bind(dept.name)
                    .bind(dept.name_en)
                    .bind(dept.parent_id)
                    .bind(dept.order)
                    .execute(&mut *conn)
                    .await
                    .map_err(backend_error)?;
    events::append_if(conn, &corp, n.rows_affected() > 0, &event, now).await
                })
            })
            .await
    }

    async fn delete_department(
        &self,
        corp: &CorpId,
        id: i64,
        now: i64,
        event: NewEvent,
    ) -> StoreResult<Committed<DeleteDepartment>> {
        let corp = corp.clone();
        self.writer
            .run(move |conn| {
                Box::pin(async move {
                    let found = sqlx::query(
                        "SELECT \
                         (SELECT COUNT(*) FROM departments WHERE corp_id = $1 AND dept_id = $2) AS found, \
                         (SELECT COUNT(*) FROM member_departments WHERE corp_id = $1 AND dept_id = $2) AS members, \
                         (SELECT COUNT(*) FROM departments WHERE corp_id = $1 AND parent_id = $2) AS children",
                    )
                    .bind(s(&corp))
                    .bind(id)
                    .fetch_one(&mut *conn)
                    .await
                    .map_err(backend_error)?;
                    let get = |c: &str| found.try_get::<i64, _>(c).map_err(backend_error);
                    let outcome = if get("found")? == 0 {
                        DeleteDepartment::NotFound
                    } else if get("members")? > 0 {
                        DeleteDepartment::HasMembers
                    } else if get("children")? > 0 {
                        DeleteDepartment::HasChildren
                    } else {
                        DeleteDepartment::Deleted
                    };
                    if outcome != DeleteDepartment::Deleted {
                        return Ok(Committed { value: outcome, appended: vec![] });
                    }
                    for sql in ["DELETE FROM departments WHERE corp_id = $1 AND dept_id = $2", "DELETE FROM tag_departments WHERE corp_id = $1 AND dept_id = $2"] {
                        sqlx::query(sql).bind(s(&corp)).bind(id).execute(&mut *conn).await.map_err(backend_error)?;
                    }
                    let appended = events::append(conn, &corp, &event, now).await?;
                    Ok(Committed { value: outcome, appended })
                })
            })
            .await
    }

    async fn list_members(
        &self,
        corp: &CorpId,
        departments: Option<&[i64]>,
    ) -> StoreResult<Vec<Member>> {
        let (users_sql, links_sql) = match departments {
            None => (
                "SELECT * FROM users WHERE corp_id = $1 ORDER BY userid".to_string(),
                "SELECT * FROM member_departments WHERE corp_id = $1".to_string(),
            ),
            Some([]) => return Ok(vec![]),
            Some(ids) => {
                let inner = format!(
                    "SELECT userid FROM member_departments WHERE corp_id = $1 AND dept_id IN ({})",
                    placeholders(2, ids.len())
                );
                (
                    format!(
                        "SELECT * FROM users WHERE corp_id = $1 AND userid IN ({inner}) ORDER BY userid"
                    ),
                    format!(
                        "SELECT * FROM member_departments WHERE corp_id = $1 AND userid IN ({inner})"
                    ),
                )
            }
        };
        let ids = departments.unwrap_or_default();
        let mut users = sqlx::query(AssertSqlSafe(users_sql)).bind(s(corp));
        let mut links = sqlx::query(AssertSqlSafe(links_sql)).bind(s(corp));
        for id in ids {
            users = users.bind(*id);
            links = links.bind(*id);
        }
        let users = users.fetch_all(&self.pool).await.map_err(backend_error)?;
        let links = links.fetch_all(&self.pool).await.map_err(backend_error)?;
        let members = users
            .iter()
            .map(member)
            .collect::<Result<Vec<_>, _>>()
            .map_err(backend_error)?;
        attach(members, &links).map_err(backend_error)
    }

    async fn directory_version(&self, corp: &CorpId) -> StoreResult<i64> {
        let row = sqlx::query("SELECT directory_version FROM corps WHERE corp_id = $1")
            .bind(s(corp))
            .fetch_optional(&self.pool)
            .await
            .map_err(backend_error)?;
        Ok(row
            .and_then(|r| r.try_get("directory_version").ok())
            .unwrap_or(0))
    }

    async fn list_search_keys(&self, corp: &CorpId) -> StoreResult<Vec<(UserId, String, String)>> {
        let rows = sqlx::query("SELECT userid, name, search_keys FROM users WHERE corp_id = $1")
            .bind(s(corp))
            .fetch_all(&self.pool)
            .await
            .map_err(backend_error)?;
        rows.iter()
            .map(|r| {
                Ok((
                    UserId::from_trusted(r.try_get("userid")?),
                    r.try_get("name")?,
                    r.try_get("search_keys")?,
                ))
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(backend_error)
    }

    async fn find_members(&self, corp: &CorpId, userids: &[UserId]) -> StoreResult<Vec<Member>> {
        if userids.is_empty() {
            return Ok(vec![]);
        }
        let list = placeholders(2, userids.len());
        let mut users = sqlx::query(AssertSqlSafe(format!(
            "SELECT * FROM users WHERE corp_id = $1 AND userid IN ({list})"
        )))
        .bind(s(corp));
        let mut links = sqlx::query(AssertSqlSafe(format!(
            "SELECT * FROM member_departments WHERE corp_id = $1 AND userid IN ({list})"
        )))
        .bind(s(corp));
        for u in userids {
            users = users.bind(s(u));
            links = links.bind(s(u));
        }
        let users = users.fetch_all(&self.pool).await.map_err(backend_error)?;
        let links = links.fetch_all(&self.pool).await.map_err(backend_error)?;
        let members = users
            .iter()
            .map(member)
            .collect::<Result<Vec<_>, _>>()
            .map_err(backend_error)?;
        attach(members, &links).map_err(backend_error)
    }

    async fn find_member(&self, corp: &CorpId, userid: &UserId) -> StoreResult<Option<Member>> {
        let row = sqlx::query("SELECT * FROM users WHERE corp_id = $1 AND userid = $2")
            .bind(s(corp))
            .bind(s(userid))
            .fetch_optional(&self.pool)
            .await
            .map_err(backend_error)?;
        let Some(row) = row else { return Ok(None) };
        let links =
            sqlx::query("SELECT * FROM member_departments WHERE corp_id = $1 AND userid = $2")
                .bind(s(corp))
                .bind(s(userid))
                .fetch_all(&self.pool)
                .await
                .map_err(backend_error)?;
        let m = member(&row).map_err(backend_error)?;
        Ok(attach(vec![m], &links).map_err(backend_error)?.pop())
    }

    async fn create_member(
        &self,
        account: NewUser,
        m: Member,
        limit: Option<i64>,
        event: NewEvent,
    ) -> StoreResult<Committed<bool>> {
        self.writer
            .run(move |conn| {
                Box::pin(async move {
                    let corp = account.corp_id.clone();
                    if let Some(limit) = limit {
                        let row = sqlx::query("SELECT COUNT(*) AS n FROM users WHERE corp_id = $1")
                            .bind(s(&corp))
                            .fetch_one(&mut *conn)
                            .await
                            .map_err(backend_error)?;
                        if row.try_get::<i64, _>("n").map_err(backend_error)? >= limit {
                            return Ok(Committed {
                                value: false,
                                appended: vec![],
                            });
                        }
                    }
                    crate::corps::insert_user(conn, &account).await?;
                    write_member(conn, &corp, &m).await?;
                    let appended = events::append(conn, &corp, &event, account.created_at).await?;
                    Ok(Committed {
                        value: true,
                        appended,
                    })
                })
            })
            .await
    }

    async fn create_members(
        &self,
        corp: &CorpId,
        members: Vec<(NewUser, Member)>,
        limit: Option<i64>,
    ) -> StoreResult<bool> {
        let corp = corp.clone();
        self.writer
            .run(move |conn| {
                Box::pin(async move {
                    if let Some(limit) = limit {
                        let row = sqlx::query("SELECT COUNT(*) AS n FROM users WHERE corp_id = $1")
                            .bind(s(&corp))
                            .fetch_one(&mut *conn)
                            .await
                            .map_err(backend_error)?;
                        let now = row.try_get::<i64, _>("n").map_err(backend_error)?;
                        if now + i64::try_from(members.len()).unwrap_or(i64::MAX) > limit {
                            return Ok(false);
                        }
                    }
                    // A few hundred rows per statement keeps both engines under their limits on
                    // bound parameters.
                    for chunk in members.chunks(200) {
                        insert_members(conn, &corp, chunk).await?;
                    }
                    bump_version(conn, &corp).await?;
                    Ok(true)
                })
            })
            .await
    }

    async fn update_member(
        &self,
        corp: &CorpId,
        m: Member,
        now: i64,
        event: NewEvent,
    ) -> StoreResult<Committed<bool>> {
        let corp = corp.clone();
        self.writer
            .run(move |conn| {
                Box::pin(async move {
                    if !write_member(conn, &corp, &m).await? {
                        return Ok(Committed { value: false, appended: vec![] });
                    }
                    if m.status == 2 {
                        // Disabling a member ends their sessions.
                        sqlx::query("UPDATE sessions SET revoked_at = $3 WHERE corp_id = $1 AND userid = $2 AND revoked_at IS NULL")
                            .bind(s(&corp))
                            .bind(s(&m.userid))
                            .bind(now)
                            .execute(&mut *conn)
                            .await
                            .map_err(backend_error)?;
                    }
                    let appended = events::append(conn, &corp, &event, now).await?;
                    Ok(Committed { value: true, appended })
                })
            })
            .await
    }

    async fn delete_member(
        &self,
        corp: &CorpId,
        userid: &UserId,
        now: i64,
        event: NewEvent,
    ) -> StoreResult<Committed<bool>> {
        let (corp, userid) = (corp.clone(), userid.clone());
        self.writer
            .run(move |conn| {
                Box::pin(async move {
                    let n = sqlx::query("DELETE FROM users WHERE corp_id = $1 AND userid = $2")
                        .bind(s(&corp))
                        .bind(s(&userid))
                        .execute(&mut *conn)
                        .await
                        .map_err(backend_error)?;
                    if n.rows_affected() == 0 {
                        return Ok(Committed {
                            value: false,
                            appended: vec![],
                        });
                    }
                    for sql in [
                        "DELETE FROM member_departments WHERE corp_id = $1 AND userid = $2",
                        "DELETE FROM tag_members WHERE corp_id = $1 AND userid = $2",
                        "DELETE FROM devices WHERE corp_id = $1 AND userid = $2",
                        "DELETE FROM password_history WHERE corp_id = $1 AND userid = $2",
                        "DELETE FROM activations WHERE corp_id = $1 AND userid = $2",
                        "DELETE FROM sessions WHERE corp_id = $1 AND userid = $2",
                        "DELETE FROM admin_grants WHERE corp_id = $1 AND userid = $2",
                    ] {
                        sqlx::query(sql)
                            .bind(s(&corp))
                            .bind(s(&userid))
                            .execute(&mut *conn)
                            .await
                            .map_err(backend_error)?;
                    }
                    bump_version(conn, &corp).await?;
                    let appended = events::append(conn, &corp, &event, now).await?;
                    Ok(Committed {
                        value: true,
                        appended,
                    })
                })
            })
            .await
    }

    async fn create_activation(
        &self,
        corp: &CorpId,
        userid: &UserId,
        digest: String,
        expires_at: i64,
    ) -> StoreResult<()> {
        let (corp, userid) = (corp.clone(), userid.clone());
        self.writer
            .run(move |conn| {
                Box::pin(async move {
                    // One live link per member: a new invitation replaces the old one.
                    sqlx::query("DELETE FROM activations WHERE corp_id = $1 AND userid = $2")
                        .bind(s(&corp))
                        .bind(s(&userid))
                        .execute(&mut *conn)
                        .await
                        .map_err(backend_error)?;
                    sqlx::query("INSERT INTO activations (token_digest, corp_id, userid, expires_at) VALUES ($1, $2, $3, $4)")
                        .bind(digest)
                        .bind(s(&corp))
                        .bind(s(&userid))
                        .bind(expires_at)
                        .execute(&mut *conn)
                        .await
                        .map_err(backend_error)?;
                    Ok(())
                })
            })
            .await
    }

    async fn find_activation(&self, digest: &str) -> StoreResult<Option<Activation>> {
        let row = sqlx::query("SELECT * FROM activations WHERE token_digest = $1")
            .bind(digest.to_string())
            .fetch_optional(&self.pool)
            .await
            .map_err(backend_error)?;
        row.map(|r| {
            Ok(Activation {
                corp_id: CorpId::from_trusted(r.try_get("corp_id")?),
                userid: UserId::from_trusted(r.try_get("userid")?),
                expires_at: r.try_get("expires_at")?,
            })
        })
        .transpose()
        .map_err(backend_error)
    }

    async fn activate(
        &self,
        digest: &str,
        a: Activation,
        password_digest: String,
        now: i64,
        event: NewEvent,
    ) -> StoreResult<Committed<bool>> {
        let digest = digest.to_string();
        self.writer
            .run(move |conn| {
                Box::pin(async move {
                    let n = sqlx::query("DELETE FROM activations WHERE token_digest = $1")
                        .bind(digest)
                        .execute(&mut *conn)
                        .await
                        .map_err(backend_error)?;
                    if n.rows_affected() == 0 {
                        return Ok(Committed { value: false, appended: vec![] });
                    }
                    sqlx::query(
                        "UPDATE users SET password_digest = $3, password_changed_at = $4, \
                         status = CASE WHEN status = 4 THEN 1 ELSE status END WHERE corp_id = $1 AND userid = $2",
                    )
                    .bind(s(&a.corp_id))
                    .bind(s(&a.userid))
                    .bind(password_digest)
                    .bind(now)
                    .execute(&mut *conn)
                    .await
                    .map_err(backend_error)?;
                    let appended = events::append(conn, &a.corp_id, &event, now).await?;
                    Ok(Committed { value: true, appended })
                })
            })
            .await
    }

    async fn create_job(&self, job: Job) -> StoreResult<()> {
        self.writer
            .run(move |conn| {
                Box::pin(async move {
                    sqlx::query(
                        "INSERT INTO jobs (job_id, corp_id, kind, status, total, done, result, \
                         created_at, source, heartbeat_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                    )
                    .bind(job.job_id)
                    .bind(s(&job.corp_id))
                    .bind(job.kind)
                    .bind(job.status)
                    .bind(job.total)
                    .bind(job.done)
                    .bind(job.result)
                    .bind(job.created_at)
                    .bind(job.source)
                    .bind(job.heartbeat_at)
                    .execute(conn)
                    .await
                    .map_err(backend_error)?;
                    Ok(())
                })
            })
            .await
    }

    async fn update_job(&self, job: Job) -> StoreResult<()> {
        self.writer
            .run(move |conn| {
                Box::pin(async move {
                    write_job(conn, job).await?;
                    Ok(())
                })
            })
            .await
    }

    async fn finish_job(&self, job: Job, now: i64, event: NewEvent) -> StoreResult<Committed<()>> {
        self.writer
            .run(move |conn| {
                Box::pin(async move {
                    let corp = job.corp_id.clone();
                    write_job(&mut *conn, job).await?;
                    let appended = events::append(conn, &corp, &event, now).await?;
                    Ok(Committed {
                        value: (),
                        appended,
                    })
                })
            })
            .await
    }

    async fn find_job(&self, corp: &CorpId, job_id: &str) -> StoreResult<Option<Job>> {
        let row = sqlx::query("SELECT * FROM jobs WHERE corp_id = $1 AND job_id = $2")
            .bind(s(corp))
            .bind(job_id.to_string())
            .fetch_optional(&self.pool)
            .await
            .map_err(backend_error)?;
        row.as_ref().map(job).transpose().map_err(backend_error)
    }

    async fn claim_stale_jobs(&self, before: i64, now: i64) -> StoreResult<Vec<Job>> {
        self.writer
            .run(move |conn| {
                Box::pin(async move {
                    let rows = sqlx::query(
                        "SELECT * FROM jobs WHERE status < 3 AND heartbeat_at < $1 AND source <> '' \
                         ORDER BY created_at LIMIT 10",
                    )
                    .bind(before)
                    .fetch_all(&mut *conn)
                    .await
                    .map_err(backend_error)?;
                    let mut claimed = Vec::new();
                    for row in &rows {
                        let mut found = job(row).map_err(backend_error)?;
                        let n = sqlx::query(
                            "UPDATE jobs SET heartbeat_at = $2 WHERE job_id = $1 AND heartbeat_at = $3",
                        )
                        .bind(found.job_id.clone())
                        .bind(now)
                        .bind(found.heartbeat_at)
                        .execute(&mut *conn)
                        .await
                        .map_err(backend_error)?;
                        if n.rows_affected() == 1 {
                            found.heartbeat_at = now;
                            claimed.push(found);
                        }
                    }
                    Ok(claimed)
                })
            })
            .await
    }

    async fn list_tags(&self, corp: &CorpId) -> StoreResult<Vec<Tag>> {
        let rows = sqlx::query("SELECT tag_id, name FROM tags WHERE corp_id = $1 ORDER BY tag_id")
            .bind(s(corp))
            .fetch_all(&self.pool)
            .await
            .map_err(backend_error)?;
        rows.iter()
            .map(|r| {
                Ok(Tag {
                    id: r.try_get("tag_id")?,
                    name: r.try_get("name")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(backend_error)
    }

    async fn create_tag(
        &self,
        corp: &CorpId,
        id: Option<i64>,
        name: &str,
        now: i64,
        event: EventFor,
    ) -> StoreResult<Committed<i64>> {
        let (corp, name) = (corp.clone(), name.to_string());
        self.writer
            .run(move |conn| {
                Box::pin(async move {
                    let id = match id {
                        Some(id) => id,
                        None => next_id(conn, "tags", "tag_id", &corp).await?,
                    };
                    sqlx::query("INSERT INTO tags (corp_id, tag_id, name, created_at) VALUES ($1, $2, $3, $4)")
                        .bind(s(&corp))
                        .bind(id)
                        .bind(name)
                        .bind(now)
                        .execute(&mut *conn)
                        .await
                        .map_err(backend_error)?;
                    let appended = events::append(conn, &corp, &event(id), now).await?;
                    Ok(Committed { value: id, appended })
                })
            })
            .await
    }

    async fn rename_tag(
        &self,
        corp: &CorpId,
        id: i64,
        name: &str,
        now: i64,
        event: NewEvent,
    ) -> StoreResult<Committed<bool>> {
        let (corp, name) = (corp.clone(), name.to_string());
        self.writer
            .run(move |conn| {
                Box::pin(async move {
                    let n =
                        sqlx::query("UPDATE tags SET name = $3 WHERE corp_id = $1 AND tag_id = $2")
                            .bind(s(&corp))
                            .bind(id)
                            .bind(name)
                            .execute(&mut *conn)
                            .await
                            .map_err(backend_error)?;
                    if n.rows_affected() == 0 {
                        return Ok(Committed {
                            value: false,
                            appended: vec![],
                        });
                    }
                    let appended = events::append(conn, &corp, &event, now).await?;
                    Ok(Committed {
                        value: true,
                        appended,
                    })
                })
            })
            .await
    }

    async fn delete_tag(
        &self,
        corp: &CorpId,
        id: i64,
        now: i64,
        event: NewEvent,
    ) -> StoreResult<Committed<bool>> {
        let corp = corp.clone();
        self.writer
            .run(move |conn| {
                Box::pin(async move {
                    let n = sqlx::query("DELETE FROM tags WHERE corp_id = $1 AND tag_id = $2")
                        .bind(s(&corp))
                        .bind(id)
                        .execute(&mut *conn)
                        .await
                        .map_err(backend_error)?;
                    if n.rows_affected() == 0 {
                        return Ok(Committed {
                            value: false,
                            appended: vec![],
                        });
                    }
                    for sql in [
                        "DELETE FROM tag_members WHERE corp_id = $1 AND tag_id = $2",
                        "DELETE FROM tag_departments WHERE corp_id = $1 AND tag_id = $2",
                    ] {
                        sqlx::query(sql)
                            .bind(s(&corp))
                            .bind(id)
                            .execute(&mut *conn)
                            .await
                            .map_err(backend_error)?;
                    }
                    let appended = events::append(conn, &corp, &event, now).await?;
                    Ok(Committed {
                        value: true,
                        appended,
                    })
                })
            })
            .await
    }

    async fn tag_members(&self, corp: &CorpId, id: i64) -> StoreResult<(Vec<UserId>, Vec<i64>)> {
        let users = sqlx::query(
            "SELECT userid FROM tag_members WHERE corp_id = $1 AND tag_id = $2 ORDER BY userid",
        )
        .bind(s(corp))
        .bind(id)
        .fetch_all(&self.pool)
        .await
        .map_err(backend_error)?;
        let depts = sqlx::query("SELECT dept_id FROM tag_departments WHERE corp_id = $1 AND tag_id = $2 ORDER BY dept_id")
            .bind(s(corp))
            .bind(id)
            .fetch_all(&self.pool)
            .await
            .map_err(backend_error)?;
        let users = users
            .iter()
            .map(|r| r.try_get::<String, _>("userid").map(UserId::from_trusted))
            .collect::<Result<_, _>>()
            .map_err(backend_error)?;
        let depts = depts
            .iter()
            .map(|r| r.try_get::<i64, _>("dept_id"))
            .collect::<Result<_, _>>()
            .map_err(backend_error)?;
        Ok((users, depts))
    }

    async fn change_tag_members(
        &self,
        corp: &CorpId,
        id: i64,
        change: TagChange,
        now: i64,
        event: NewEvent,
    ) -> StoreResult<Committed<()>> {
        let TagChange {
            users,
            departments: depts,
            remove,
        } = change;
        let corp = corp.clone();
        self.writer
            .run(move |conn| {
                Box::pin(async move {
                    let (user_sql, dept_sql) = if remove {
                        ("DELETE FROM tag_members WHERE corp_id = $1 AND tag_id = $2 AND userid = $3", "DELETE FROM tag_departments WHERE corp_id = $1 AND tag_id = $2 AND dept_id = $3")
                    } else {
                        (
                            "INSERT INTO tag_members (corp_id, tag_id, userid) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                            "INSERT INTO tag_departments (corp_id, tag_id, dept_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                        )
                    };
                    for u in &users {
                        sqlx::query(user_sql).bind(s(&corp)).bind(id).bind(s(u)).execute(&mut *conn).await.map_err(backend_error)?;
                    }
                    for d in &depts {
                        sqlx::query(dept_sql).bind(s(&corp)).bind(id).bind(*d).execute(&mut *conn).await.map_err(backend_error)?;
                    }
                    let appended = events::append(conn, &corp, &event, now).await?;
                    Ok(Committed { value: (), appended })
                })
            })
            .await
    }
}

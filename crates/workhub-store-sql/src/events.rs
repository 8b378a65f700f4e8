//! Appending to and reading the per-user event streams.
//!
//! The next seq comes from `user_seqs`, incremented in the writing transaction. On PostgreSQL
//! the UPDATE holds the row lock until commit, so a user's events commit in seq order and a
//! reader never sees seq N+1 before N; on SQLite there is one writer.

use sqlx::{AnyConnection, AssertSqlSafe, Row};
use workhub_core::{CorpId, Seq, UserId};
use workhub_store::{
    Appended, Committed, EventRecord, EventStore, NewEvent, Recipients, StoreResult,
};

use crate::{SqlStore, backend_error, rows};

/// Appends `event` to each recipient's stream inside the caller's transaction.
pub(crate) async fn append(
    conn: &mut AnyConnection,
    corp: &CorpId,
    event: &NewEvent,
    now: i64,
) -> StoreResult<Vec<Appended>> {
    let rows = match &event.recipients {
        Recipients::WholeCorp => sqlx::query(
            "UPDATE user_seqs SET seq = seq + 1 WHERE corp_id = $1 \
             AND userid IN (SELECT userid FROM users WHERE corp_id = $1) RETURNING userid, seq",
        )
        .bind(corp.as_str().to_string())
        .fetch_all(&mut *conn)
        .await
        .map_err(backend_error)?,
        Recipients::Users(users) => {
            let mut rows = Vec::with_capacity(users.len());
            for user in users {
                let row = sqlx::query(
                    "UPDATE user_seqs SET seq = seq + 1 WHERE corp_id = $1 AND userid = $2 \
                     RETURNING userid, seq",
                )
                .bind(corp.as_str().to_string())
                .bind(user.as_str().to_string())
                .fetch_optional(&mut *conn)
                .await
                .map_err(backend_error)?;
                rows.extend(row);
            }
            rows
        }
    };
    let mut appended = Vec::with_capacity(rows.len());
    for row in rows {
        let userid: String = row.try_get("userid").map_err(backend_error)?;
        let seq: i64 = row.try_get("seq").map_err(backend_error)?;
        sqlx::query(
            "INSERT INTO events (corp_id, userid, seq, kind, data, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(corp.as_str().to_string())
        .bind(userid.clone())
        .bind(seq)
        .bind(event.kind.to_string())
        .bind(event.data.clone())
        .bind(now)
        .execute(&mut *conn)
        .await
        .map_err(backend_error)?;
        appended.push(Appended {
            corp_id: corp.clone(),
            userid: UserId::from_trusted(userid),
            seq,
            payload: None,
        });
    }
    Ok(appended)
}

/// Appends one event to the stream of every member of a conversation, in two statements
/// whatever the group's size. `message_id` makes the event a reference to a stored message.
pub(crate) async fn append_to_members(
    conn: &mut AnyConnection,
    corp: &CorpId,
    conversation: &str,
    event: (&str, &str),
    message_id: Option<&str>,
    now: i64,
) -> StoreResult<Vec<Appended>> {
    const MEMBERS: &str =
        "SELECT userid FROM conversation_members WHERE corp_id = $1 AND conversation_id = $2";
    if conn.backend_name() == "PostgreSQL" {
        // Rows locked in one order everywhere, so two messages to overlapping groups cannot
        // deadlock; SQLite has a single writer and needs no locks.
        sqlx::query(AssertSqlSafe(format!(
            "SELECT userid FROM user_seqs WHERE corp_id = $1 AND userid IN ({MEMBERS}) \
             ORDER BY userid FOR UPDATE"
        )))
        .bind(corp.as_str().to_string())
        .bind(conversation.to_string())
        .fetch_all(&mut *conn)
        .await
        .map_err(backend_error)?;
    }
    let rows = sqlx::query(AssertSqlSafe(format!(
        "UPDATE user_seqs SET seq = seq + 1 WHERE corp_id = $1 AND userid IN ({MEMBERS}) \
         RETURNING userid, seq"
    )))
    .bind(corp.as_str().to_string())
    .bind(conversation.to_string())
    .fetch_all(&mut *conn)
    .await
    .map_err(backend_error)?;
    // The UPDATE left each member's counter at the seq just allocated to them.
    sqlx::query(AssertSqlSafe(format!(
        "INSERT INTO events (corp_id, userid, seq, kind, data, created_at, message_id) \
         SELECT corp_id, userid, seq, $3, $4, $5, $6 FROM user_seqs \
         WHERE corp_id = $1 AND userid IN ({MEMBERS})"
    )))
    .bind(corp.as_str().to_string())
    .bind(conversation.to_string())
    .bind(event.0.to_string())
    .bind(event.1.to_string())
    .bind(now)
    .bind(message_id.map(str::to_string))
    .execute(&mut *conn)
    .await
    .map_err(backend_error)?;
    rows.iter()
        .map(|row| {
            Ok(Appended {
                corp_id: corp.clone(),
                userid: UserId::from_trusted(row.try_get::<String, _>("userid")?),
                seq: row.try_get("seq")?,
                payload: None,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(backend_error)
}

/// Appends `event` only when the write `changed` something, so a write that found nothing to
/// change stays silent; returns whether it changed.
pub(crate) async fn append_if(
    conn: &mut AnyConnection,
    corp: &CorpId,
    changed: bool,
    event: &NewEvent,
    now: i64,
) -> StoreResult<Committed<bool>> {
    let appended = if changed {
        append(conn, corp, event, now).await?
    } else {
        vec![]
    };
    Ok(Committed {
        value: changed,
        appended,
    })
}

/// Starts a member's stream; called when the member is created.
pub(crate) async fn start_stream(
    conn: &mut AnyConnection,
    corp: &CorpId,
    user: &UserId,
) -> StoreResult<()> {
    // A member deleted and created again continues their old stream.
    sqlx::query(
        "INSERT INTO user_seqs (corp_id, userid, seq) VALUES ($1, $2, 0) \
         ON CONFLICT (corp_id, userid) DO NOTHING",
    )
    .bind(corp.as_str().to_string())
    .bind(user.as_str().to_string())
    .execute(conn)
    .await
    .map_err(backend_error)?;
    Ok(())
}

#[async_trait::async_trait]
impl EventStore for SqlStore {
    async fn list_events(
        &self,
        corp: &CorpId,
        user: &UserId,
        since: Seq,
        limit: i64,
    ) -> StoreResult<Vec<EventRecord>> {
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT e.seq, e.kind, e.data, e.created_at, {} FROM events e \
                 LEFT JOIN messages m ON m.corp_id = e.corp_id AND m.id = e.message_id \
                 WHERE e.corp_id = $1 AND e.userid = $2 AND e.seq > $3 ORDER BY e.seq LIMIT $4",
            rows::MESSAGE_COLUMNS
        )))
        .bind(corp.as_str().to_string())
        .bind(user.as_str().to_string())
        .bind(since)
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .map_err(backend_error)?;
        rows.iter()
            .map(|r| {
                let message = match r.try_get::<Option<String>, _>("m_id")? {
                    Some(_) => Some(rows::joined_message(corp, r)?),
                    None => None,
                };
                Ok(EventRecord {
                    seq: r.try_get("seq")?,
                    kind: r.try_get("kind")?,
                    data: r.try_get("data")?,
                    created_at: r.try_get("created_at")?,
                    message,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(backend_error)
    }

    async fn latest_seq(&self, corp: &CorpId, user: &UserId) -> StoreResult<Seq> {
        let row = sqlx::query(
            "SELECT COALESCE(MAX(seq), 0) AS seq FROM events WHERE corp_id = $1 AND userid = $2",
        )
        .bind(corp.as_str().to_string())
        .bind(user.as_str().to_string())
        .fetch_one(&self.pool)
        .await
        .map_err(backend_error)?;
        row.try_get("seq").map_err(backend_error)
    }
}

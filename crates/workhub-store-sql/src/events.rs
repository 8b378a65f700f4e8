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

use crate::{SqlStore, backend_error};
use workhub_store::events::StreamBounds;
use workhub_store::messaging::Message;

/// Appends `event` to each recipient's stream inside the caller's transaction, in a fixed
/// number of queries however many recipients (a change announced to a 10,000-member company
/// is one set-based INSERT, not 10,000).
pub(crate) async fn append(
    conn: &mut AnyConnection,
    corp: &CorpId,
    event: &NewEvent,
    now: i64,
) -> StoreResult<Vec<Appended>> {
    if let Recipients::Users(users) = &event.recipients
        && let [user] = users.as_slice()
    {
        return append_to_one(conn, corp, user, event, now).await;
    }
    let postgres = conn.backend_name() == "PostgreSQL";
    let (recipients, audience) = recipients_of(corp, event, postgres);
    fan_out(
        conn,
        corp,
        recipients,
        &audience,
        (event.kind, &event.data),
        None,
        now,
    )
    .await
}

/// A subquery of `event`'s recipients' userids, reading `$2`, and the value to bind there: the
/// company again, or a JSON list of userids.
pub(crate) fn recipients_of(
    corp: &CorpId,
    event: &NewEvent,
    postgres: bool,
) -> (&'static str, String) {
    match &event.recipients {
        Recipients::WholeCorp => (
            "SELECT userid FROM users WHERE corp_id = $2",
            corp.as_str().to_string(),
        ),
        Recipients::Users(users) => (
            if postgres {
                "SELECT jsonb_array_elements_text($2::jsonb)"
            } else {
                "SELECT value FROM json_each($2)"
            },
            serde_json::to_string(users).unwrap_or_else(|_| "[]".into()),
        ),
    }
}

/// The common case of one recipient (a member's own devices), in two plain statements: on
/// PostgreSQL the set-based fan-out's lock and JSON cost a quarter of the throughput of
/// writes that all go to one member.
async fn append_to_one(
    conn: &mut AnyConnection,
    corp: &CorpId,
    user: &UserId,
    event: &NewEvent,
    now: i64,
) -> StoreResult<Vec<Appended>> {
    let bumped = sqlx::query(
        "UPDATE user_seqs SET seq = seq + 1 WHERE corp_id = $1 AND userid = $2 RETURNING seq",
    )
    .bind(corp.as_str().to_string())
    .bind(user.as_str().to_string())
    .fetch_optional(&mut *conn)
    .await
    .map_err(backend_error)?;
    // An unknown member has no stream: the event is dropped, the write goes on.
    let Some(row) = bumped else {
        return Ok(vec![]);
    };
    let seq: Seq = row.try_get("seq").map_err(backend_error)?;
    sqlx::query(
        "INSERT INTO events (corp_id, userid, seq, kind, data, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(corp.as_str().to_string())
    .bind(user.as_str().to_string())
    .bind(seq)
    .bind(event.kind.to_string())
    .bind(event.data.clone())
    .bind(now)
    .execute(&mut *conn)
    .await
    .map_err(backend_error)?;
    Ok(vec![Appended {
        corp_id: corp.clone(),
        userid: user.clone(),
        seq,
        payload: None,
    }])
}

/// Bumps the seq of everyone the `recipients` subquery selects (it may read `audience`, bound
/// as `$2`) and appends the event to their streams, in a fixed number of queries whatever their
/// number. `message_id` makes the event a reference to a stored message.
pub(crate) async fn fan_out(
    conn: &mut AnyConnection,
    corp: &CorpId,
    recipients: &'static str,
    audience: &str,
    event: (&str, &str),
    message_id: Option<&str>,
    now: i64,
) -> StoreResult<Vec<Appended>> {
    let args = FanOutArgs {
        corp: "$1",
        recipients,
        kind: "$3",
        data: "$4",
        now: "$5",
        message_id: "$6",
    };
    let seqs: String = if conn.backend_name() == "PostgreSQL" {
        // Rows locked in one order everywhere, so two writes to overlapping audiences cannot
        // deadlock; then one statement bumps, appends and reports.
        sqlx::query(AssertSqlSafe(format!(
            "SELECT COUNT(*) AS locked FROM (SELECT userid FROM user_seqs WHERE corp_id = $1 \
             AND userid IN ({recipients}) ORDER BY userid FOR UPDATE) AS recipients"
        )))
        .bind(corp.as_str().to_string())
        .bind(audience.to_string())
        .fetch_one(&mut *conn)
        .await
        .map_err(backend_error)?;
        let insert = args.insert();
        let query = format!(
            "WITH bumped AS (UPDATE user_seqs SET seq = seq + 1 WHERE corp_id = $1 \
             AND userid IN ({recipients}) RETURNING corp_id, userid, seq), \
             appended AS ({insert} FROM bumped RETURNING userid, seq) \
             SELECT COALESCE(json_agg(json_build_array(userid, seq)), '[]')::text AS seqs \
             FROM appended"
        );
        with_event(query, corp, audience, event, now, message_id)
            .fetch_one(&mut *conn)
            .await
            .map_err(backend_error)?
            .try_get("seqs")
            .map_err(backend_error)?
    } else {
        let rows = with_event(args.sqlite(), corp, audience, event, now, message_id)
            .fetch_all(&mut *conn)
            .await
            .map_err(backend_error)?;
        column_of(&rows, "seqs")?
            .ok_or_else(|| workhub_store::StoreError::Backend("no appended seqs".into()))?
    };
    appended_from(corp, &seqs)
}

/// Where the arguments of a fan-out sit in a query (`$N`), so it can share a query with the
/// write that causes it.
pub(crate) struct FanOutArgs {
    pub corp: &'static str,
    /// A subquery of the recipients' userids.
    pub recipients: &'static str,
    pub kind: &'static str,
    pub data: &'static str,
    pub now: &'static str,
    pub message_id: &'static str,
}

impl FanOutArgs {
    fn insert(&self) -> String {
        format!(
            "INSERT INTO events (corp_id, userid, seq, kind, data, created_at, message_id) \
             SELECT corp_id, userid, seq, {}, {}, {}, {}",
            self.kind, self.data, self.now, self.message_id
        )
    }

    /// The fan-out as SQLite statements for one query: SQLite has a single writer and needs no
    /// locks, but no data-modifying CTEs either, and each query is a round trip to the
    /// connection's thread (sqlx binds `$N` in every statement to the Nth argument). The new
    /// seqs come back as one JSON row `seqs`, not a row per member.
    pub(crate) fn sqlite(&self) -> String {
        let (corp, members, insert) = (self.corp, self.recipients, self.insert());
        format!(
            "UPDATE user_seqs SET seq = seq + 1 WHERE corp_id = {corp} \
             AND userid IN ({members}); \
             {insert} FROM user_seqs WHERE corp_id = {corp} AND userid IN ({members}); \
             SELECT COALESCE(json_group_array(json_array(userid, seq)), '[]') AS seqs \
             FROM user_seqs WHERE corp_id = {corp} AND userid IN ({members})"
        )
    }
}

/// The value of `column` in the first of `rows` that has it (a query of several statements
/// returns the rows of each).
pub(crate) fn column_of<T>(rows: &[sqlx::any::AnyRow], column: &str) -> StoreResult<Option<T>>
where
    T: for<'r> sqlx::Decode<'r, sqlx::Any> + sqlx::Type<sqlx::Any>,
{
    match rows.iter().find(|r| r.try_column(column).is_ok()) {
        Some(row) => row.try_get(column).map(Some).map_err(backend_error),
        None => Ok(None),
    }
}

/// The members' streams a fan-out advanced, from its `seqs` JSON (`[[userid, seq], …]`).
pub(crate) fn appended_from(corp: &CorpId, seqs: &str) -> StoreResult<Vec<Appended>> {
    let seqs: Vec<(String, Seq)> = serde_json::from_str(seqs)
        .map_err(|e| workhub_store::StoreError::Backend(format!("appended seqs: {e}")))?;
    Ok(appended(corp, seqs))
}

/// The streams a fan-out advanced, from their (userid, new seq).
pub(crate) fn appended(corp: &CorpId, seqs: Vec<(String, Seq)>) -> Vec<Appended> {
    seqs.into_iter()
        .map(|(userid, seq)| Appended {
            corp_id: corp.clone(),
            userid: UserId::from_trusted(userid),
            seq,
            payload: None,
        })
        .collect()
}

/// `sql` with the arguments of `fan_out`'s query bound, $1 to $6.
fn with_event(
    sql: String,
    corp: &CorpId,
    audience: &str,
    event: (&str, &str),
    now: i64,
    message_id: Option<&str>,
) -> sqlx::query::Query<'static, sqlx::Any, sqlx::any::AnyArguments> {
    sqlx::query(AssertSqlSafe(sql))
        .bind(corp.as_str().to_string())
        .bind(audience.to_string())
        .bind(event.0.to_string())
        .bind(event.1.to_string())
        .bind(now)
        .bind(message_id.map(str::to_string))
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

/// Starts a member's stream (called when the member is created) or a large group's.
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
        // A catch-up page holds thousands of events: it comes back as one JSON row, not a row
        // per event (each row through sqlx is a message between threads and a decode per
        // column), which takes the read of 5,000 events from tens of milliseconds to a few.
        const PAGE: &str = "SELECT e.seq, e.kind, e.data, e.created_at, m.id AS m_id, \
             m.conversation_id, m.seq AS m_seq, m.sender, m.client_msg_id, m.kind AS m_kind, \
             m.content, m.mentions, m.reply_to, m.recalled_at, m.created_at AS m_created_at \
             FROM events e LEFT JOIN messages m ON m.corp_id = e.corp_id AND m.id = e.message_id \
             WHERE e.corp_id = $1 AND e.userid = $2 AND e.seq > $3 ORDER BY e.seq LIMIT $4";
        const COLUMNS: &str = "seq, kind, data, created_at, m_id, conversation_id, m_seq, sender, \
             client_msg_id, m_kind, content, mentions, reply_to, recalled_at, m_created_at";
        let query = match self.backend {
            crate::Backend::Sqlite => format!(
                "SELECT COALESCE(json_group_array(json_array({COLUMNS})), '[]') AS page \
                 FROM ({PAGE}) p"
            ),
            crate::Backend::Postgres => format!(
                "SELECT COALESCE(json_agg(json_build_array({COLUMNS}) ORDER BY seq), '[]')::text \
                 AS page FROM ({PAGE}) p"
            ),
        };
        let page: String = sqlx::query(AssertSqlSafe(query))
            .bind(corp.as_str().to_string())
            .bind(user.as_str().to_string())
            .bind(since)
            .bind(limit)
            .fetch_one(&self.pool)
            .await
            .map_err(backend_error)?
            .try_get("page")
            .map_err(backend_error)?;
        let rows: Vec<PageRow> = serde_json::from_str(&page)
            .map_err(|e| workhub_store::StoreError::Backend(format!("event page: {e}")))?;
        let mut events: Vec<EventRecord> = rows.into_iter().map(|r| r.into_record(corp)).collect();
        // SQLite does not promise an aggregate's order.
        events.sort_by_key(|e| e.seq);
        Ok(events)
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

    async fn stream_bounds(&self, corp: &CorpId, user: &UserId) -> StoreResult<StreamBounds> {
        crate::pruning::bounds(self, corp, user).await
    }

    async fn prune_events(&self, corp: &CorpId, before: i64, now: i64) -> StoreResult<u64> {
        crate::pruning::prune(self, corp, before, now).await
    }

    async fn conversation_streams(
        &self,
        corp: &CorpId,
        user: &UserId,
    ) -> StoreResult<Vec<(String, Seq)>> {
        let rows = sqlx::query(
            "SELECT cm.conversation_id, s.seq FROM conversation_members cm \
             JOIN conversations c ON c.corp_id = cm.corp_id AND c.id = cm.conversation_id \
             JOIN user_seqs s ON s.corp_id = cm.corp_id \
               AND s.userid = 'conversation:' || cm.conversation_id \
             WHERE cm.corp_id = $1 AND cm.userid = $2 AND c.large = 1 \
             ORDER BY cm.conversation_id",
        )
        .bind(corp.as_str().to_string())
        .bind(user.as_str().to_string())
        .fetch_all(&self.pool)
        .await
        .map_err(backend_error)?;
        rows.iter()
            .map(|r| Ok((r.try_get("conversation_id")?, r.try_get("seq")?)))
            .collect::<Result<_, sqlx::Error>>()
            .map_err(backend_error)
    }
}

/// One event of a page as the aggregate lists it (an array, in `COLUMNS` order): the event,
/// then the message it refers to (all null when it refers to none, or it was purged).
#[derive(serde::Deserialize)]
struct PageRow {
    seq: Seq,
    kind: String,
    data: String,
    created_at: i64,
    message_id: Option<String>,
    conversation_id: Option<String>,
    message_seq: Option<i64>,
    sender: Option<String>,
    client_msg_id: Option<String>,
    message_kind: Option<String>,
    content: Option<String>,
    mentions: Option<String>,
    reply_to: Option<String>,
    recalled_at: Option<i64>,
    message_created_at: Option<i64>,
}

impl PageRow {
    fn into_record(self, corp: &CorpId) -> EventRecord {
        let message = self.message_id.map(|id| Message {
            corp_id: corp.clone(),
            id,
            conversation_id: self.conversation_id.unwrap_or_default(),
            seq: self.message_seq.unwrap_or_default(),
            sender: self.sender.unwrap_or_default(),
            client_msg_id: self.client_msg_id.unwrap_or_default(),
            kind: self.message_kind.unwrap_or_default(),
            content: self.content.unwrap_or_default(),
            mentions: self.mentions.unwrap_or_default(),
            reply_to: self.reply_to,
            recalled_at: self.recalled_at,
            created_at: self.message_created_at.unwrap_or_default(),
        });
        EventRecord {
            seq: self.seq,
            kind: self.kind,
            data: self.data,
            created_at: self.created_at,
            message,
        }
    }
}

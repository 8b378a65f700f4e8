//! Messages and read marks on SQLite's native writer (`writer::native`): what PostgreSQL's
//! units do, in statements SQLite runs fast, on the writer's own thread.

use std::sync::LazyLock;

use rusqlite::{Connection, ToSql};
use workhub_core::{CorpId, UserId};
use workhub_store::messaging::{Message, Sender};
use workhub_store::{Appended, Committed, NewEvent, StoreResult};

use crate::events_sqlite::{append, bump_returning, fan_out};
use crate::messaging::{MARK_READ, MESSAGE_AUDIENCE, MOVE_ON, SENDER_READ, insert_sql};
use crate::writer::{bound, native_error};

static BUMP_AUDIENCE: LazyLock<String> = LazyLock::new(|| bump_returning(MESSAGE_AUDIENCE));
static INSERT_BY_MEMBER: LazyLock<String> = LazyLock::new(|| insert_sql(Sender::Member));
static INSERT_BY_SERVICE: LazyLock<String> = LazyLock::new(|| insert_sql(Sender::Service));

/// Stores `message` with the conversation's next seq, moves the conversation on, marks it
/// read for the sender and appends `kind` to its audience's streams (events that reference
/// the message); returns the seq and the streams advanced, or None when nothing was stored
/// (see `insert_sql`), and then nothing changed.
pub(crate) fn insert_message(
    conn: &Connection,
    message: &Message,
    kind: &str,
    sender: Sender,
) -> StoreResult<Option<(i64, Vec<Appended>)>> {
    let m = message;
    let args: [&dyn ToSql; 11] = [
        &m.corp_id.as_str(),
        &m.id,
        &m.conversation_id,
        &m.sender,
        &m.client_msg_id,
        &m.kind,
        &m.content,
        &m.mentions,
        &m.reply_to,
        &m.recalled_at,
        &m.created_at,
    ];
    let insert = match sender {
        Sender::Member => &*INSERT_BY_MEMBER,
        Sender::Service => &*INSERT_BY_SERVICE,
    };
    let inserted = (|| {
        let Some(seq) = first_row(conn, insert, &args, |row| row.get::<_, i64>(0))? else {
            return Ok(None);
        };
        bound(conn, MOVE_ON, &args)?.raw_execute()?;
        let event = (kind, "");
        let appended = fan_out(
            conn,
            &m.corp_id,
            &BUMP_AUDIENCE,
            &args,
            event,
            Some(&m.id),
            m.created_at,
        )?;
        bound(conn, SENDER_READ, &args)?.raw_execute()?;
        Ok(Some((seq, appended)))
    })();
    inserted.map_err(native_error)
}

/// Moves `user`'s read mark in `conversation` up to `seq` and, if it moved, appends `event`;
/// returns whether it moved.
pub(crate) fn mark_read(
    conn: &Connection,
    (corp, conversation, user): (&CorpId, &str, &UserId),
    seq: i64,
    now: i64,
    event: &NewEvent,
) -> StoreResult<Committed<bool>> {
    let moved = (|| {
        let args: [&dyn ToSql; 4] = [&corp.as_str(), &conversation, &user.as_str(), &seq];
        let changed = bound(conn, MARK_READ, &args)?.raw_execute()? > 0;
        let appended = match changed {
            true => append(conn, corp, event, now)?,
            false => vec![],
        };
        Ok(Committed {
            value: changed,
            appended,
        })
    })();
    moved.map_err(native_error)
}

/// The first row `sql` returns, read by `read`; the statement then runs to its end (an
/// INSERT's RETURNING returns its rows as it goes).
fn first_row<T>(
    conn: &Connection,
    sql: &str,
    args: &[&dyn ToSql],
    read: impl FnOnce(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
) -> rusqlite::Result<Option<T>> {
    let mut stmt = bound(conn, sql, args)?;
    let mut rows = stmt.raw_query();
    let first = rows.next()?.map(read).transpose()?;
    while rows.next()?.is_some() {}
    Ok(first)
}

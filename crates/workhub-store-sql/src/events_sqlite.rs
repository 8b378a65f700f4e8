//! Appending to the event streams on SQLite's native writer (`writer::native`): what `events`
//! does through sqlx, in statements that need no JSON round trip.

use rusqlite::{Connection, ToSql, params};
use workhub_core::CorpId;
use workhub_store::{Appended, NewEvent};

use crate::events::{appended, recipients_of};
use crate::writer::bound;

const APPEND: &str = "INSERT INTO events (corp_id, userid, seq, kind, data, created_at, \
     message_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";

/// The statement that bumps the stream seq of everyone `recipients` selects (the company is
/// `$1`) and returns them: one statement where sqlx's fan-out needs three.
pub(crate) fn bump_returning(recipients: &str) -> String {
    format!(
        "UPDATE user_seqs SET seq = seq + 1 WHERE corp_id = $1 AND userid IN ({recipients}) \
         RETURNING userid, seq"
    )
}

/// Appends `event` to its recipients' streams (a member without a stream is skipped).
pub(crate) fn append(
    conn: &Connection,
    corp: &CorpId,
    event: &NewEvent,
    now: i64,
) -> rusqlite::Result<Vec<Appended>> {
    let (recipients, audience) = recipients_of(corp, event, false);
    let args: [&dyn ToSql; 2] = [&corp.as_str(), &audience];
    fan_out(
        conn,
        corp,
        &bump_returning(recipients),
        &args,
        (event.kind, &event.data),
        None,
        now,
    )
}

/// Runs `bump` (a `bump_returning` statement, its arguments `args`) and appends the event to
/// every stream it moved on; `message_id` makes the event a reference to a stored message.
pub(crate) fn fan_out(
    conn: &Connection,
    corp: &CorpId,
    bump: &str,
    args: &[&dyn ToSql],
    event: (&str, &str),
    message_id: Option<&str>,
    now: i64,
) -> rusqlite::Result<Vec<Appended>> {
    let mut streams: Vec<(String, i64)> = Vec::new();
    let mut bumped = bound(conn, bump, args)?;
    let mut rows = bumped.raw_query();
    while let Some(row) = rows.next()? {
        streams.push((row.get(0)?, row.get(1)?));
    }
    drop(rows);
    let mut append = conn.prepare_cached(APPEND)?;
    let corp_id = corp.as_str();
    for (userid, seq) in &streams {
        append.execute(params![
            corp_id, userid, seq, event.0, event.1, now, message_id
        ])?;
    }
    Ok(appended(corp, streams))
}

//! Deleting old events from the front of each stream, so the events table stops growing with
//! every message and directory change ever made.
//!
//! Events carry their time but no index on it: one would cost every message's fan-out a second
//! index entry per recipient. Each stream has a mark instead, its head at a moment: once that
//! moment is older than the cut-off, every event up to the mark is older too and goes (the
//! primary key finds them), and the stream is marked again. `pruned_seq` records how far a stream
//! was cut, so a reader behind it is told to start again rather than silently skipping.

use std::collections::VecDeque;

use sqlx::{AnyConnection, Row};
use workhub_core::{CorpId, Seq, UserId};
use workhub_store::StoreResult;
use workhub_store::events::StreamBounds;

use crate::rows::s;
use crate::{Backend, SqlStore, backend_error};

/// Events deleted per writer unit at most: a long-lived company's first prune deletes months of
/// events, and one unit must not hold the single SQLite writer (and every send behind it) for
/// long.
const EVENTS_PER_UNIT: i64 = 5_000;

/// How far a due stream may be cut: to its mark, but never its newest event.
const CUT: &str = "CASE WHEN mark_seq < seq THEN mark_seq ELSE seq - 1 END";

/// A stream still to cut: its events after `from` (None: from its oldest) up to `upto` go.
struct Pending {
    userid: String,
    from: Option<Seq>,
    upto: Seq,
}

pub(crate) async fn prune(
    store: &SqlStore,
    corp: &CorpId,
    before: i64,
    now: i64,
) -> StoreResult<u64> {
    let corp = s(corp);
    let postgres = store.backend == Backend::Postgres;
    let c = corp.clone();
    let due: Vec<(String, Seq)> = store
        .writer
        .run_traffic(move |conn| {
            Box::pin(async move { cut(conn, &c, before, now, postgres).await })
        })
        .await?;
    let mut pending: VecDeque<Pending> = due
        .into_iter()
        .map(|(userid, upto)| Pending {
            userid,
            from: None,
            upto,
        })
        .collect();
    let mut deleted = 0;
    while !pending.is_empty() {
        let corp = corp.clone();
        let (more, rest) = store
            .writer
            .run_traffic(move |conn| {
                Box::pin(async move { delete_some(conn, &corp, pending, EVENTS_PER_UNIT).await })
            })
            .await?;
        deleted += more;
        pending = rest;
    }
    Ok(deleted)
}

/// Deletes up to about `budget` events from the front of the pending streams, in seq windows
/// (seqs are dense, so a window holds at most its width); how many went, and what is left.
async fn delete_some(
    conn: &mut AnyConnection,
    corp: &str,
    mut pending: VecDeque<Pending>,
    mut budget: i64,
) -> StoreResult<(u64, VecDeque<Pending>)> {
    let mut deleted = 0;
    while budget > 0 {
        let Some(mut stream) = pending.pop_front() else {
            break;
        };
        let from = match stream.from {
            Some(from) => from,
            None => oldest(conn, corp, &stream.userid).await? - 1,
        };
        let to = stream.upto.min(from + budget);
        deleted += sqlx::query(
            "DELETE FROM events WHERE corp_id = $1 AND userid = $2 AND seq > $3 AND seq <= $4",
        )
        .bind(corp.to_string())
        .bind(stream.userid.clone())
        .bind(from)
        .bind(to)
        .execute(&mut *conn)
        .await
        .map_err(backend_error)?
        .rows_affected();
        budget -= (to - from).max(1);
        if to < stream.upto {
            stream.from = Some(to);
            pending.push_front(stream);
        }
    }
    Ok((deleted, pending))
}

/// The oldest seq a stream still holds.
async fn oldest(conn: &mut AnyConnection, corp: &str, userid: &str) -> StoreResult<Seq> {
    let row = sqlx::query(
        "SELECT COALESCE(MIN(seq), 0) AS seq FROM events WHERE corp_id = $1 AND userid = $2",
    )
    .bind(corp.to_string())
    .bind(userid.to_string())
    .fetch_one(&mut *conn)
    .await
    .map_err(backend_error)?;
    row.try_get("seq").map_err(backend_error)
}

/// Raises `pruned_seq` of the streams whose mark is due and marks them (and the unmarked) anew;
/// answers the streams to cut and how far. Their events go in later units: a reader in between
/// still finds them, and a crash before leaves them for the next cut, which deletes up to its
/// own, higher, mark.
async fn cut(
    conn: &mut AnyConnection,
    corp: &str,
    before: i64,
    now: i64,
    postgres: bool,
) -> StoreResult<Vec<(String, Seq)>> {
    if postgres {
        // In userid order, as every fan-out locks them, so this cannot deadlock with a send.
        sqlx::query(
            "SELECT COUNT(*) AS locked FROM (SELECT userid FROM user_seqs WHERE corp_id = $1 \
             AND (mark_at = 0 OR mark_at <= $2) ORDER BY userid FOR UPDATE) AS due",
        )
        .bind(corp.to_string())
        .bind(before)
        .fetch_one(&mut *conn)
        .await
        .map_err(backend_error)?;
    }
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE user_seqs SET pruned_seq = {CUT} WHERE corp_id = $1 AND mark_at > 0 \
         AND mark_at <= $2 AND pruned_seq < {CUT} RETURNING userid, pruned_seq"
    )))
    .bind(corp.to_string())
    .bind(before)
    .fetch_all(&mut *conn)
    .await
    .map_err(backend_error)?;
    let due = rows
        .iter()
        .map(|r| Ok((r.try_get("userid")?, r.try_get("pruned_seq")?)))
        .collect::<Result<Vec<_>, sqlx::Error>>()
        .map_err(backend_error)?;
    sqlx::query(
        "UPDATE user_seqs SET mark_seq = seq, mark_at = $3 \
         WHERE corp_id = $1 AND (mark_at = 0 OR mark_at <= $2)",
    )
    .bind(corp.to_string())
    .bind(before)
    .bind(now)
    .execute(&mut *conn)
    .await
    .map_err(backend_error)?;
    Ok(due)
}

pub(crate) async fn bounds(
    store: &SqlStore,
    corp: &CorpId,
    user: &UserId,
) -> StoreResult<StreamBounds> {
    let row =
        sqlx::query("SELECT seq, pruned_seq FROM user_seqs WHERE corp_id = $1 AND userid = $2")
            .bind(s(corp))
            .bind(s(user))
            .fetch_optional(&store.pool)
            .await
            .map_err(backend_error)?;
    let Some(row) = row else {
        return Ok(StreamBounds::default());
    };
    Ok(StreamBounds {
        pruned: row.try_get("pruned_seq").map_err(backend_error)?,
        head: row.try_get("seq").map_err(backend_error)?,
    })
}

#[cfg(test)]
mod tests {
    use sqlx::{Connection, Executor};

    use super::*;

    /// However long a stream's cut, each unit deletes at most its budget, and the next unit
    /// goes on where it stopped.
    #[tokio::test]
    async fn long_cuts_are_deleted_a_window_per_unit() {
        sqlx::any::install_default_drivers();
        let mut conn = AnyConnection::connect("sqlite::memory:").await.unwrap();
        conn.execute("CREATE TABLE events (corp_id TEXT, userid TEXT, seq BIGINT)")
            .await
            .unwrap();
        for (userid, n) in [("u1", 7), ("u2", 3)] {
            for seq in 1..=n {
                let insert = "INSERT INTO events VALUES ('c', $1, $2)";
                sqlx::query(insert)
                    .bind(userid)
                    .bind(seq)
                    .execute(&mut conn)
                    .await
                    .unwrap();
            }
        }
        let stream = |userid: &str, upto| Pending {
            userid: userid.into(),
            from: None,
            upto,
        };
        let mut pending = VecDeque::from([stream("u1", 6), stream("u2", 2)]);
        let mut units = vec![];
        while !pending.is_empty() {
            let (deleted, rest) = delete_some(&mut conn, "c", pending, 3).await.unwrap();
            units.push(deleted);
            pending = rest;
        }
        assert_eq!(units, [3, 3, 2]);
        let left: Vec<(String, i64)> = sqlx::query("SELECT userid, seq FROM events ORDER BY 1, 2")
            .fetch_all(&mut conn)
            .await
            .unwrap()
            .iter()
            .map(|r| (r.get("userid"), r.get("seq")))
            .collect();
        assert_eq!(left, [("u1".to_string(), 7), ("u2".to_string(), 3)]);
    }
}

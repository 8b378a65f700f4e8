//! Deleting old events from the front of each stream, so the events table stops growing with
//! every message and directory change ever made.
//!
//! Events carry their time but no index on it: one would cost every message's fan-out a second
//! index entry per recipient. Each stream has a mark instead, its head at a moment: once that
//! moment is older than the cut-off, every event up to the mark is older too and goes (the
//! primary key finds them), and the stream is marked again. `pruned_seq` records how far a stream
//! was cut, so a reader behind it is told to start again rather than silently skipping.

use sqlx::{AnyConnection, Row};
use workhub_core::{CorpId, Seq, UserId};
use workhub_store::StoreResult;
use workhub_store::events::StreamBounds;

use crate::rows::s;
use crate::{Backend, SqlStore, backend_error};

/// Streams cut per writer unit: a large company's first prune must not hold the single SQLite
/// writer (and every send behind it) for long.
const STREAMS_PER_UNIT: usize = 500;

/// How far a due stream may be cut: to its mark, but never its newest event.
const CUT: &str = "CASE WHEN mark_seq < seq THEN mark_seq ELSE seq - 1 END";

pub(crate) async fn prune(
    store: &SqlStore,
    corp: &CorpId,
    before: i64,
    now: i64,
) -> StoreResult<u64> {
    let corp = s(corp);
    let postgres = store.backend == Backend::Postgres;
    let (c, due_corp) = (corp.clone(), corp.clone());
    let due: Vec<(String, Seq)> = store
        .writer
        .run_traffic(move |conn| {
            Box::pin(async move { cut(conn, &c, before, now, postgres).await })
        })
        .await?;
    let mut deleted = 0;
    for streams in due.chunks(STREAMS_PER_UNIT) {
        let (corp, streams) = (due_corp.clone(), streams.to_vec());
        deleted += store
            .writer
            .run_traffic(move |conn| {
                Box::pin(async move {
                    let mut deleted = 0;
                    for (userid, upto) in streams {
                        deleted += sqlx::query(
                            "DELETE FROM events WHERE corp_id = $1 AND userid = $2 AND seq <= $3",
                        )
                        .bind(corp.clone())
                        .bind(userid)
                        .bind(upto)
                        .execute(&mut *conn)
                        .await
                        .map_err(backend_error)?
                        .rows_affected();
                    }
                    Ok(deleted)
                })
            })
            .await?;
    }
    Ok(deleted)
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

//! SQLite's group commit: one task owns the write connection and commits the units queued
//! meanwhile in one transaction.
//!
//! Each statement is a round trip to the connection's thread (tens of microseconds on a busy
//! machine, more when the other core was idle), so the batch spends few: a unit that may run
//! again runs without a savepoint, the others each in a savepoint opened as the previous one is
//! released, the transaction opening with the first savepoint and committing as the last is
//! released.

use futures::future::BoxFuture;
use sqlx::{AnyConnection, Executor};
use tokio::sync::mpsc;
use workhub_store::StoreResult;

use crate::backend_error;

/// Called once the batch's COMMIT has succeeded or failed.
pub(super) type Reply = Box<dyn FnOnce(StoreResult<()>) + Send>;
/// One run of a unit: whether it succeeded (else its writes must be undone), and its reply.
pub(super) type Outcome = (bool, Reply);

type RunOnce = Box<dyn for<'c> FnOnce(&'c mut AnyConnection) -> BoxFuture<'c, Outcome> + Send>;
type RunAgain = Box<dyn for<'c> FnMut(&'c mut AnyConnection) -> BoxFuture<'c, Outcome> + Send>;

/// A queued unit.
pub(super) enum Job {
    /// Runs once, in a savepoint of its own, so that a failure undoes its writes alone.
    Once(RunOnce),
    /// May run again, so it runs without a savepoint: if it fails, the transaction is rolled
    /// back and the batch runs again with every unit in a savepoint.
    Replayable(RunAgain),
}

/// Most units committed together; bounds the latency one batch adds.
const MAX_BATCH: usize = 512;

pub(super) async fn commit_batches(mut conn: AnyConnection, mut queue: mpsc::Receiver<Job>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while queue.recv_many(&mut batch, MAX_BATCH).await > 0 {
        // Queued units are concurrent, so any order is theirs: those that may run again first.
        batch.sort_by_key(|job| matches!(job, Job::Once(_)));
        let done = match commit(&mut conn, &mut batch, false).await {
            Some(done) => Some(done),
            // A unit run without a savepoint failed: again, with every unit in one.
            None => commit(&mut conn, &mut batch, true).await,
        };
        // With every unit in a savepoint a batch always runs to its end.
        let Some((replies, committed)) = done else {
            continue;
        };
        for reply in replies {
            reply(committed.clone());
        }
    }
}

/// Where the savepoint `unit` stands.
#[derive(PartialEq)]
enum Savepoint {
    None,
    /// Open, and no unit ran in it yet.
    Ready,
    /// A unit ran in it: released before the next opens.
    Used,
}

/// Runs the batch in one transaction and commits it: the replies and whether it committed.
/// None if a unit that ran without a savepoint failed: the transaction is rolled back and the
/// batch left as it was (only units that may run again have run), to run with `guard_all`.
async fn commit(
    conn: &mut AnyConnection,
    batch: &mut Vec<Job>,
    guard_all: bool,
) -> Option<(Vec<Reply>, StoreResult<()>)> {
    let mut replies = Vec::with_capacity(batch.len());
    let guard_first = guard_all || matches!(batch.first(), Some(Job::Once(_)));
    let (begin, mut savepoint) = match guard_first {
        true => ("BEGIN IMMEDIATE; SAVEPOINT unit", Savepoint::Ready),
        false => ("BEGIN IMMEDIATE", Savepoint::None),
    };
    if let Err(e) = conn.execute(begin).await {
        // Dropping the jobs drops their answer channels: each caller sees an error.
        tracing::error!(error = %e, "could not begin a write transaction");
        let _ = conn.execute("ROLLBACK").await;
        batch.clear();
        return Some((replies, Err(backend_error(e))));
    }
    let mut unguarded = 0;
    let first_unguarded = if guard_all {
        &mut [][..]
    } else {
        &mut batch[..]
    };
    for job in first_unguarded {
        let Job::Replayable(attempt) = job else {
            break;
        };
        let (ok, reply) = attempt(conn).await;
        if !ok {
            let _ = conn.execute("ROLLBACK").await;
            return None;
        }
        replies.push(reply);
        unguarded += 1;
    }
    for job in batch.drain(..).skip(unguarded) {
        let opened = match savepoint {
            Savepoint::Ready => Ok(()),
            Savepoint::Used => conn.execute("RELEASE unit; SAVEPOINT unit").await.map(drop),
            Savepoint::None => conn.execute("SAVEPOINT unit").await.map(drop),
        };
        replies.push(run_in_savepoint(conn, opened, job).await);
        savepoint = Savepoint::Used;
    }
    let end = match savepoint {
        Savepoint::None => "COMMIT",
        _ => "RELEASE unit; COMMIT",
    };
    let committed = match conn.execute(end).await {
        Ok(_) => Ok(()),
        Err(e) => {
            tracing::error!(error = %e, "group commit failed");
            let _ = conn.execute("ROLLBACK").await;
            Err(backend_error(e))
        }
    };
    Some((replies, committed))
}

/// Runs `job` inside the savepoint just opened, rolled back to if the job fails.
async fn run_in_savepoint(
    conn: &mut AnyConnection,
    opened: Result<(), sqlx::Error>,
    job: Job,
) -> Reply {
    if let Err(e) = opened {
        tracing::error!(error = %e, "could not open a savepoint");
        // The job never runs, so its answer channel is dropped with it and the caller errs.
        drop(job);
        return Box::new(|_| ());
    }
    let (ok, reply) = match job {
        Job::Once(run) => run(conn).await,
        Job::Replayable(mut attempt) => attempt(conn).await,
    };
    if !ok && let Err(e) = conn.execute("ROLLBACK TO unit").await {
        tracing::error!(error = %e, "savepoint rollback failed");
    }
    reply
}

//! SQLite's group commit: one task owns the write connections and commits the units queued
//! meanwhile in one transaction (two when units for both connections are queued, see `native`).
//!
//! On the sqlx connection each statement is a round trip to the connection's thread, so the
//! batch spends few: each unit runs in a savepoint opened as the previous one is released, the
//! transaction opening with the first savepoint and committing as the last is released.

use std::panic::AssertUnwindSafe;

use futures::FutureExt;
use futures::future::BoxFuture;
use sqlx::{AnyConnection, Executor};
use tokio::sync::mpsc;
use workhub_store::StoreResult;

use super::native::{NativeUnit, NativeWriter};
use crate::backend_error;

/// Called once the batch's COMMIT has succeeded or failed.
pub(super) type Reply = Box<dyn FnOnce(StoreResult<()>) + Send>;
/// One run of a unit: whether it succeeded (else its writes must be undone), and its reply.
pub(super) type Outcome = (bool, Reply);

/// A unit for the sqlx connection; it runs in a savepoint of its own, so that a failure undoes
/// its writes alone.
pub(super) type Job =
    Box<dyn for<'c> FnOnce(&'c mut AnyConnection) -> BoxFuture<'c, Outcome> + Send>;

/// What the writer's queue carries: a unit for the sqlx connection, or for the native one.
pub(super) enum Queued {
    Sqlx(Job),
    Native(NativeUnit),
}

/// Most units committed together; bounds the latency one batch adds.
const MAX_BATCH: usize = 512;

pub(super) async fn commit_batches(
    mut conn: AnyConnection,
    native: NativeWriter,
    mut queue: mpsc::Receiver<Queued>,
) {
    let mut queued = Vec::with_capacity(MAX_BATCH);
    let (mut jobs, mut units) = (Vec::new(), Vec::new());
    while queue.recv_many(&mut queued, MAX_BATCH).await > 0 {
        for item in queued.drain(..) {
            match item {
                Queued::Sqlx(job) => jobs.push(job),
                Queued::Native(unit) => units.push(unit),
            }
        }
        if !units.is_empty() {
            native.commit(std::mem::take(&mut units)).await;
        }
        if !jobs.is_empty() {
            commit(&mut conn, std::mem::take(&mut jobs)).await;
        }
    }
}

/// Runs `jobs` in one transaction, commits it and answers their callers.
async fn commit(conn: &mut AnyConnection, jobs: Vec<Job>) {
    if let Err(e) = conn.execute("BEGIN IMMEDIATE; SAVEPOINT unit").await {
        // Dropping the jobs drops their answer channels: each caller sees an error.
        tracing::error!(error = %e, "could not begin a write transaction");
        let _ = conn.execute("ROLLBACK").await;
        return;
    }
    let mut replies = Vec::with_capacity(jobs.len());
    for (i, job) in jobs.into_iter().enumerate() {
        let opened = match i {
            0 => Ok(()),
            _ => conn.execute("RELEASE unit; SAVEPOINT unit").await.map(drop),
        };
        replies.push(run_in_savepoint(conn, opened, job).await);
    }
    let committed = match conn.execute("RELEASE unit; COMMIT").await {
        Ok(_) => Ok(()),
        Err(e) => {
            tracing::error!(error = %e, "group commit failed");
            let _ = conn.execute("ROLLBACK").await;
            Err(backend_error(e))
        }
    };
    for reply in replies {
        reply(committed.clone());
    }
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
    // As on the native thread (see there), a panicking unit is undone and the writer goes on.
    let (ok, reply) = AssertUnwindSafe(job(conn))
        .catch_unwind()
        .await
        .unwrap_or_else(|_| {
            tracing::error!("a write unit panicked; its writes are undone");
            (false, Box::new(|_| ()))
        });
    if !ok && let Err(e) = conn.execute("ROLLBACK TO unit").await {
        tracing::error!(error = %e, "savepoint rollback failed");
    }
    reply
}

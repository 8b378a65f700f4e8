//! The write path. Every write is a unit of work run inside a transaction.
//!
//! SQLite allows one writer at a time and each commit costs an fsync (~420/s on this kind of
//! machine), so one task owns the write connection and commits every unit queued meanwhile in
//! one transaction (group commit, see `batch`). A unit that fails is rolled back alone. Callers
//! get their answer only after the COMMIT that made their unit durable. PostgreSQL runs each
//! unit in its own pooled transaction; its WAL already groups concurrent commits.

mod batch;
#[cfg(test)]
mod tests;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use futures::future::BoxFuture;
use sqlx::{AnyConnection, AnyPool, Connection, Executor};
use tokio::sync::{mpsc, oneshot};
use workhub_store::{StoreError, StoreResult};

use crate::backend_error;
use batch::{Job, Outcome, Reply, commit_batches};

/// A unit of work: given the transaction's connection, do the writes.
pub type TxFuture<'c, T> = BoxFuture<'c, StoreResult<T>>;

/// Queued units before writers wait (back-pressure).
const QUEUE: usize = 4096;

pub(crate) struct Writer {
    mode: Mode,
    /// Units committed through `run`: each may have ended or restricted a session.
    changes: AtomicU64,
}

enum Mode {
    Batched(mpsc::Sender<Job>),
    Pooled(AnyPool),
}

impl Writer {
    pub(crate) async fn start_batched(url: &str, pragmas: &'static str) -> StoreResult<Writer> {
        let mut conn = AnyConnection::connect(url).await.map_err(backend_error)?;
        conn.execute(pragmas).await.map_err(backend_error)?;
        let (tx, rx) = mpsc::channel(QUEUE);
        tokio::spawn(commit_batches(conn, rx));
        Ok(Writer::with(Mode::Batched(tx)))
    }

    pub(crate) fn pooled(pool: AnyPool) -> Writer {
        Writer::with(Mode::Pooled(pool))
    }

    fn with(mode: Mode) -> Writer {
        Writer {
            mode,
            changes: AtomicU64::new(0),
        }
    }

    /// How many units `run` has committed: sessions verified before the count moved may have
    /// been revoked, their member disabled or their company's policy changed since.
    pub(crate) fn changes(&self) -> u64 {
        self.changes.load(Ordering::Acquire)
    }

    /// Runs `unit` in a transaction and returns once its result is durable.
    pub(crate) async fn run<T, F>(&self, unit: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut AnyConnection) -> TxFuture<'c, T> + Send + 'static,
    {
        let value = self.run_traffic(unit).await?;
        // Counted before the caller hears of it: a request that follows sees the change.
        self.changes.fetch_add(1, Ordering::AcqRel);
        Ok(value)
    }

    /// Like `run`, for a unit that changes no session, member or security policy (messages,
    /// files, audit records): sessions verified before it stay valid after it.
    pub(crate) async fn run_traffic<T, F>(&self, unit: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut AnyConnection) -> TxFuture<'c, T> + Send + 'static,
    {
        let queue = match &self.mode {
            Mode::Pooled(pool) => return in_transaction(pool, unit).await,
            Mode::Batched(queue) => queue,
        };
        enqueue(queue, |answer| {
            Job::Once(Box::new(move |conn| {
                Box::pin(async move {
                    outcome(unit(conn).await, move |result| {
                        let _ = answer.send(result);
                    })
                })
            }))
        })
        .await
    }

    /// Like `run_traffic`, for a unit the writer may run more than once: it only reads and
    /// writes the database, from data of its own. On SQLite it then runs without a savepoint
    /// (one round trip to the connection's thread fewer), which suits the busiest unit, a
    /// message; if it fails, its batch is rolled back and run again with savepoints.
    pub(crate) async fn run_traffic_replayable<T, F>(&self, unit: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: for<'c> Fn(&'c mut AnyConnection) -> TxFuture<'c, T> + Send + Sync + 'static,
    {
        let queue = match &self.mode {
            Mode::Pooled(pool) => return in_transaction(pool, unit).await,
            Mode::Batched(queue) => queue,
        };
        enqueue(queue, |answer| {
            // Each run makes a reply; only the run whose batch commits sends it.
            let answer = Arc::new(Mutex::new(Some(answer)));
            Job::Replayable(Box::new(move |conn| {
                let (run, answer) = (unit(conn), answer.clone());
                Box::pin(async move {
                    outcome(run.await, move |result| {
                        if let Some(answer) = answer.lock().ok().and_then(|mut a| a.take()) {
                            let _ = answer.send(result);
                        }
                    })
                })
            }))
        })
        .await
    }
}

/// Queues the job `make` builds around the caller's answer channel, and waits for the answer.
async fn enqueue<T>(
    queue: &mpsc::Sender<Job>,
    make: impl FnOnce(oneshot::Sender<StoreResult<T>>) -> Job,
) -> StoreResult<T> {
    let (answer, answered) = oneshot::channel();
    queue.send(make(answer)).await.map_err(|_| stopped())?;
    answered.await.map_err(|_| stopped())?
}

async fn in_transaction<T, F>(pool: &AnyPool, unit: F) -> StoreResult<T>
where
    F: for<'c> FnOnce(&'c mut AnyConnection) -> TxFuture<'c, T>,
{
    let mut tx = pool.begin().await.map_err(backend_error)?;
    let value = unit(&mut tx).await?;
    tx.commit().await.map_err(backend_error)?;
    Ok(value)
}

/// Whether a unit's run succeeded, and how to answer its caller once the batch has committed.
fn outcome<T: Send + 'static>(
    result: StoreResult<T>,
    answer: impl FnOnce(StoreResult<T>) + Send + 'static,
) -> Outcome {
    match result {
        Ok(value) => {
            let reply: Reply = Box::new(move |committed| answer(committed.map(|()| value)));
            (true, reply)
        }
        Err(e) => {
            let reply: Reply = Box::new(move |_| answer(Err(e)));
            (false, reply)
        }
    }
}

fn stopped() -> StoreError {
    StoreError::Backend("the database writer stopped before committing".to_string())
}

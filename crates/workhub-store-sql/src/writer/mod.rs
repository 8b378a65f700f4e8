//! The write path. Every write is a unit of work run inside a transaction.
//!
//! SQLite allows one writer at a time and each commit costs an fsync (~420/s on this kind of
//! machine), so one task owns the write connection and commits every unit queued meanwhile in
//! one transaction (group commit, see `batch`). A unit that fails is rolled back alone. Callers
//! get their answer only after the COMMIT that made their unit durable. PostgreSQL runs each
//! unit in its own pooled transaction; its WAL already groups concurrent commits.
//!
//! The busiest units are also written for SQLite directly (`native`), where a batch of them
//! costs one hand-off between threads instead of one per statement.

mod batch;
mod native;
#[cfg(test)]
mod tests;

use std::sync::atomic::{AtomicU64, Ordering};

use futures::future::BoxFuture;
use sqlx::{AnyConnection, AnyPool, Connection, Executor};
use tokio::sync::{mpsc, oneshot};
use workhub_store::{StoreError, StoreResult};

use crate::backend_error;
use batch::{Outcome, Queued, Reply, commit_batches};
use native::NativeWriter;
pub(crate) use native::{bound, native_error};

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
    Batched(mpsc::Sender<Queued>),
    Pooled(AnyPool),
}

impl Writer {
    /// Starts SQLite's writer on the database file `path`, which `url` names for sqlx.
    pub(crate) async fn start_batched(
        url: &str,
        path: &std::path::Path,
        pragmas: &'static str,
    ) -> StoreResult<Writer> {
        let mut conn = AnyConnection::connect(url).await.map_err(backend_error)?;
        conn.execute(pragmas).await.map_err(backend_error)?;
        let native = NativeWriter::start(path, pragmas)?;
        let (tx, rx) = mpsc::channel(QUEUE);
        tokio::spawn(commit_batches(conn, native, rx));
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
            Queued::Sqlx(Box::new(move |conn| {
                Box::pin(async move {
                    outcome(unit(conn).await, move |result| {
                        let _ = answer.send(result);
                    })
                })
            }))
        })
        .await
    }

    /// Like `run_traffic`, for a unit written twice over the same `input`: `sqlite` for
    /// SQLite's native writer (see `native`), `pooled` for PostgreSQL. Only one of them runs.
    pub(crate) async fn run_traffic_native<I, T, S, P>(
        &self,
        input: I,
        sqlite: S,
        pooled: P,
    ) -> StoreResult<T>
    where
        I: Send + 'static,
        T: Send + 'static,
        S: FnOnce(&rusqlite::Connection, I) -> StoreResult<T> + Send + 'static,
        P: for<'c> FnOnce(&'c mut AnyConnection, I) -> TxFuture<'c, T> + Send + 'static,
    {
        let queue = match &self.mode {
            Mode::Pooled(pool) => return in_transaction(pool, |conn| pooled(conn, input)).await,
            Mode::Batched(queue) => queue,
        };
        enqueue(queue, |answer| {
            Queued::Native(Box::new(move |conn| {
                outcome(sqlite(conn, input), move |result| {
                    let _ = answer.send(result);
                })
            }))
        })
        .await
    }
}

/// Queues the job `make` builds around the caller's answer channel, and waits for the answer.
async fn enqueue<T>(
    queue: &mpsc::Sender<Queued>,
    make: impl FnOnce(oneshot::Sender<StoreResult<T>>) -> Queued,
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

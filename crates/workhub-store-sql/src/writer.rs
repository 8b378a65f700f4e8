//! The write path. Every write is a unit of work run inside a transaction.
//!
//! SQLite allows one writer at a time and each commit costs an fsync (~420/s on this kind of
//! machine), so one task owns the write connection and commits every unit queued meanwhile in
//! one transaction (group commit). Each unit runs inside its own savepoint, so a unit that fails
//! is rolled back alone. Callers get their answer only after the COMMIT that made their unit
//! durable. PostgreSQL runs each unit in its own pooled transaction; its WAL already groups
//! concurrent commits.

use futures::future::BoxFuture;
use sqlx::{AnyConnection, AnyPool, Connection, Executor};
use tokio::sync::{mpsc, oneshot};
use workhub_store::{StoreError, StoreResult};

use crate::backend_error;

/// A unit of work: given the transaction's connection, do the writes.
pub type TxFuture<'c, T> = BoxFuture<'c, StoreResult<T>>;

/// Called once the batch's COMMIT has succeeded or failed.
type Reply = Box<dyn FnOnce(StoreResult<()>) + Send>;
/// A queued unit; returns whether it succeeded (else its savepoint is rolled back).
type Job = Box<dyn for<'c> FnOnce(&'c mut AnyConnection) -> BoxFuture<'c, (bool, Reply)> + Send>;

/// Most units committed together; bounds the latency one batch adds.
const MAX_BATCH: usize = 512;
/// Queued units before writers wait (back-pressure).
const QUEUE: usize = 4096;

pub(crate) enum Writer {
    Batched(mpsc::Sender<Job>),
    Pooled(AnyPool),
}

impl Writer {
    pub(crate) async fn start_batched(url: &str, pragmas: &'static str) -> StoreResult<Writer> {
        let mut conn = AnyConnection::connect(url).await.map_err(backend_error)?;
        conn.execute(pragmas).await.map_err(backend_error)?;
        let (tx, rx) = mpsc::channel(QUEUE);
        tokio::spawn(commit_batches(conn, rx));
        Ok(Writer::Batched(tx))
    }

    /// Runs `unit` in a transaction and returns once its result is durable.
    pub(crate) async fn run<T, F>(&self, unit: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut AnyConnection) -> TxFuture<'c, T> + Send + 'static,
    {
        match self {
            Writer::Pooled(pool) => {
                let mut tx = pool.begin().await.map_err(backend_error)?;
                let value = unit(&mut tx).await?;
                tx.commit().await.map_err(backend_error)?;
                Ok(value)
            }
            Writer::Batched(queue) => {
                let (answer, answered) = oneshot::channel();
                let job: Job = Box::new(move |conn| {
                    Box::pin(async move {
                        match unit(conn).await {
                            Ok(value) => {
                                let reply: Reply = Box::new(move |committed| {
                                    let _ = answer.send(committed.map(|()| value));
                                });
                                (true, reply)
                            }
                            Err(e) => {
                                let reply: Reply = Box::new(move |_| {
                                    let _ = answer.send(Err(e));
                                });
                                (false, reply)
                            }
                        }
                    })
                });
                queue.send(job).await.map_err(|_| stopped())?;
                answered.await.map_err(|_| stopped())?
            }
        }
    }
}

fn stopped() -> StoreError {
    StoreError::Backend("the database writer stopped before committing".to_string())
}

async fn commit_batches(mut conn: AnyConnection, mut queue: mpsc::Receiver<Job>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while queue.recv_many(&mut batch, MAX_BATCH).await > 0 {
        if let Err(e) = conn.execute("BEGIN IMMEDIATE").await {
            // Dropping the jobs drops their answer channels: each caller sees an error.
            tracing::error!(error = %e, "could not begin a write transaction");
            batch.clear();
            continue;
        }
        let mut replies = Vec::with_capacity(batch.len());
        let mut savepoint = conn.execute("SAVEPOINT unit").await.map(drop);
        for job in batch.drain(..) {
            let (ok, reply) = run_in_savepoint(&mut conn, &savepoint, job).await;
            replies.push((ok, reply));
            // Releasing one unit's savepoint and opening the next is one round trip to the
            // connection's thread, not two: each costs tens of microseconds on a busy machine.
            savepoint = conn.execute("RELEASE unit; SAVEPOINT unit").await.map(drop);
        }
        if let Err(e) = conn.execute("RELEASE unit").await {
            tracing::error!(error = %e, "savepoint release failed");
        }
        let committed = match conn.execute("COMMIT").await {
            Ok(_) => Ok(()),
            Err(e) => {
                tracing::error!(error = %e, "group commit failed");
                let _ = conn.execute("ROLLBACK").await;
                Err(backend_error(e))
            }
        };
        for (_, reply) in replies {
            reply(committed.clone());
        }
    }
}

/// Runs `job` inside the open savepoint, rolled back to if the job fails.
async fn run_in_savepoint(
    conn: &mut AnyConnection,
    savepoint: &Result<(), sqlx::Error>,
    job: Job,
) -> (bool, Reply) {
    if let Err(e) = savepoint {
        let err = StoreError::Backend(e.to_string());
        let reply: Reply = Box::new(move |_| drop(err));
        // The job never ran, so its answer channel is dropped with it and the caller errs.
        drop(job);
        return (false, reply);
    }
    let (ok, reply) = job(conn).await;
    if !ok && let Err(e) = conn.execute("ROLLBACK TO unit").await {
        tracing::error!(error = %e, "savepoint rollback failed");
    }
    (ok, reply)
}

//! SQLite's busiest units (messages, read marks) run on a thread of their own, on a second write
//! connection driven directly (rusqlite) rather than through sqlx.
//!
//! Through sqlx every statement is a hand-off to the connection's thread and back, and on a
//! virtual machine each hand-off costs more than the statements (measured: 165 µs of writer
//! time per message, of which SQLite itself was a small part). Here a whole batch is one
//! hand-off: the thread opens the transaction, runs every unit in a savepoint of its own,
//! commits and answers the callers. The writer task still decides when: it hands a batch here
//! and waits for it before running anything on its sqlx connection, so the two connections
//! never hold a write transaction at once.

use std::panic::AssertUnwindSafe;
use std::path::Path;
use std::sync::mpsc;

use rusqlite::{Connection, Statement, ToSql};
use tokio::sync::oneshot;
use workhub_store::{StoreError, StoreResult};

use super::batch::{Outcome, Reply};

/// A unit written for this thread's connection.
pub(super) type NativeUnit = Box<dyn FnOnce(&Connection) -> Outcome + Send>;

type Batch = (Vec<NativeUnit>, oneshot::Sender<()>);

/// The thread's queue; it ends when this is dropped.
pub(super) struct NativeWriter(mpsc::Sender<Batch>);

impl NativeWriter {
    /// Opens the database at `path` with `pragmas` and starts the thread.
    pub(super) fn start(path: &Path, pragmas: &str) -> StoreResult<NativeWriter> {
        let conn = Connection::open(path).map_err(native_error)?;
        conn.execute_batch(pragmas).map_err(native_error)?;
        // Every statement a batch runs stays prepared (a message runs five; the transaction and
        // its savepoints five more).
        conn.set_prepared_statement_cache_capacity(64);
        let (queue, batches) = mpsc::channel::<Batch>();
        std::thread::Builder::new()
            .name("sqlite-writer".into())
            .spawn(move || {
                for (units, done) in batches {
                    commit(&conn, units);
                    let _ = done.send(());
                }
            })
            .map_err(|e| StoreError::Backend(format!("could not start the writer thread: {e}")))?;
        Ok(NativeWriter(queue))
    }

    /// Runs `units` in one transaction and commits it; returns once every caller is answered.
    pub(super) async fn commit(&self, units: Vec<NativeUnit>) {
        let (done, finished) = oneshot::channel();
        // If the thread is gone the units are dropped with their answer channels: each caller
        // hears that the writer stopped.
        if self.0.send((units, done)).is_ok() {
            let _ = finished.await;
        }
    }
}

fn commit(conn: &Connection, units: Vec<NativeUnit>) {
    if let Err(e) = run(conn, "BEGIN IMMEDIATE") {
        // Dropping the units drops their answer channels: each caller sees an error.
        tracing::error!(error = %e, "could not begin a write transaction");
        let _ = run(conn, "ROLLBACK");
        return;
    }
    let mut replies: Vec<Reply> = Vec::with_capacity(units.len());
    for unit in units {
        if let Err(e) = run(conn, "SAVEPOINT unit") {
            tracing::error!(error = %e, "could not open a savepoint");
            continue;
        }
        // A unit that panics is undone like one that failed, and the thread goes on: every
        // later message needs it. The panicking unit's answer channel is dropped on the way, so
        // its caller hears that the write failed.
        let (ok, reply) =
            std::panic::catch_unwind(AssertUnwindSafe(|| unit(conn))).unwrap_or_else(|_| {
                tracing::error!("a write unit panicked; its writes are undone");
                (false, Box::new(|_| ()))
            });
        if !ok && let Err(e) = run(conn, "ROLLBACK TO unit") {
            tracing::error!(error = %e, "savepoint rollback failed");
        }
        if let Err(e) = run(conn, "RELEASE unit") {
            tracing::error!(error = %e, "could not release a savepoint");
        }
        replies.push(reply);
    }
    let committed = run(conn, "COMMIT").map(drop).map_err(|e| {
        tracing::error!(error = %e, "group commit failed");
        let _ = run(conn, "ROLLBACK");
        native_error(e)
    });
    for reply in replies {
        reply(committed.clone());
    }
}

/// Runs `sql`, one statement without arguments, from the statement cache.
fn run(conn: &Connection, sql: &str) -> rusqlite::Result<usize> {
    conn.prepare_cached(sql)?.execute([])
}

/// Prepares `sql`, written with sqlx's `$N` placeholders, and binds `args` to it: SQLite reads
/// `$N` as a parameter named "$N", so each is bound by the number in its name. The SQL text is
/// thus shared with the sqlx code paths.
pub(crate) fn bound<'c>(
    conn: &'c Connection,
    sql: &str,
    args: &[&dyn ToSql],
) -> rusqlite::Result<rusqlite::CachedStatement<'c>> {
    let mut stmt = conn.prepare_cached(sql)?;
    bind_numbered(&mut stmt, args)?;
    Ok(stmt)
}

fn bind_numbered(stmt: &mut Statement<'_>, args: &[&dyn ToSql]) -> rusqlite::Result<()> {
    for index in 1..=stmt.parameter_count() {
        let arg = stmt
            .parameter_name(index)
            .and_then(|name| name.strip_prefix('$'))
            .and_then(|n| n.parse::<usize>().ok())
            .and_then(|n| args.get(n.checked_sub(1)?))
            .ok_or(rusqlite::Error::InvalidParameterCount(index, args.len()))?;
        stmt.raw_bind_parameter(index, arg)?;
    }
    Ok(())
}

/// A rusqlite error as the store's: a broken unique constraint is a `Duplicate`.
pub(crate) fn native_error(e: rusqlite::Error) -> StoreError {
    if let rusqlite::Error::SqliteFailure(failure, message) = &e
        && matches!(
            failure.extended_code,
            rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE | rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
        )
    {
        return StoreError::Duplicate(message.clone().unwrap_or_else(|| "key".to_string()));
    }
    StoreError::Backend(e.to_string())
}

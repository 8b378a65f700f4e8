//! The SQL implementation of every store trait, one code path for SQLite and PostgreSQL
//! through sqlx's `Any` driver. Dialect branches exist only where the engines must differ:
//! SQLite's single-writer group commit (see `writer`) and the migration folders.

mod accounts;
mod audit;
mod corps;
mod directory;
mod events;
mod events_sqlite;
mod files;
mod messaging;
mod messaging_admin;
mod messaging_sqlite;
pub mod migrations;
mod operators;
mod pruning;
mod roles;
mod rows;
mod signed_in;
mod signups;
mod visibility;
mod writer;

use std::sync::Arc;
use std::time::Duration;

use sqlx::any::AnyPoolOptions;
use sqlx::{AnyPool, Executor};
use workhub_store::{StoreError, StoreHealth, StoreResult, Stores};

use writer::Writer;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// One database: a read pool and the write path.
pub struct SqlStore {
    pool: AnyPool,
    writer: Writer,
    backend: Backend,
    signed_in: signed_in::SignedInCache,
}

/// SQLite connection settings: WAL so readers never block the writer, FULL so a commit is
/// fsync'd before it is acknowledged, and a busy timeout for other processes (the CLI). Temporary
/// storage in memory: every unit of a batch runs in a savepoint, whose journal (the pages' prior
/// contents, for a rollback to it) otherwise spills into a temporary file past 64 KiB, and a
/// batch of messages wrote ~27 pages per message there (BENCHMARKS.md, "savepoint journal").
const SQLITE_PRAGMAS: &str = "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
     PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON; PRAGMA temp_store = MEMORY;";

impl SqlStore {
    /// Connects, runs pending migrations and starts the writer.
    /// `url` is `sqlite://PATH` or `postgres://...`.
    pub async fn open(url: &str) -> StoreResult<Arc<SqlStore>> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else {
            return Err(StoreError::Backend(format!(
                "unsupported database url scheme: {url}"
            )));
        };
        let url = match backend {
            Backend::Sqlite if !url.contains('?') => format!("{url}?mode=rwc"),
            _ => url.to_string(),
        };
        // The readers and both writers open the database by its file: each would get an empty
        // database of its own in memory.
        if backend == Backend::Sqlite
            && (sqlite_file(&url).as_os_str() == ":memory:" || url.contains("mode=memory"))
        {
            return Err(StoreError::Backend(
                "an in-memory SQLite database cannot be shared by the server's connections: \
                 give a file (sqlite://PATH) or a data folder"
                    .to_string(),
            ));
        }
        let mut options = AnyPoolOptions::new()
            .max_connections(if backend == Backend::Sqlite { 4 } else { 16 })
            .acquire_timeout(Duration::from_secs(10));
        if backend == Backend::Sqlite {
            // Pinging an in-process connection before each use proves nothing a query would not,
            // and costs a round trip to its thread on every read.
            options = options.test_before_acquire(false).after_connect(|conn, _| {
                Box::pin(async move {
                    conn.execute(SQLITE_PRAGMAS).await?;
                    Ok(())
                })
            });
        }
        let pool = options.connect(&url).await.map_err(backend_error)?;
        migrations::run(&pool, backend).await?;
        let writer = match backend {
            Backend::Sqlite => {
                Writer::start_batched(&url, &sqlite_file(&url), SQLITE_PRAGMAS).await?
            }
            Backend::Postgres => Writer::pooled(pool.clone()),
        };
        let store = SqlStore {
            pool,
            writer,
            backend,
            signed_in: Default::default(),
        };
        directory::backfill_search_keys(&store).await?;
        Ok(Arc::new(store))
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Every store trait, served by this one database.
    pub fn stores(self: &Arc<Self>) -> Stores {
        Stores {
            corps: self.clone(),
            directory: self.clone(),
            accounts: self.clone(),
            events: self.clone(),
            messages: self.clone(),
            messaging_admin: self.clone(),
            files: self.clone(),
            audit: self.clone(),
            signups: self.clone(),
            operators: self.clone(),
            roles: self.clone(),
            visibility: self.clone(),
            health: self.clone(),
        }
    }

    /// Closes the pool and lets the writer finish what is queued.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// The database file a `sqlite:` url names (`sqlite://PATH?options`).
fn sqlite_file(url: &str) -> std::path::PathBuf {
    let rest = url.strip_prefix("sqlite:").unwrap_or(url);
    let rest = rest.strip_prefix("//").unwrap_or(rest);
    rest.split('?').next().unwrap_or(rest).into()
}

/// The SQLite url for a data folder.
pub fn sqlite_url(data_dir: &std::path::Path) -> String {
    format!("sqlite://{}", data_dir.join("workhub.db").display())
}

pub(crate) fn backend_error(e: sqlx::Error) -> StoreError {
    if let sqlx::Error::Database(db) = &e
        && db.is_unique_violation()
    {
        return StoreError::Duplicate(db.constraint().unwrap_or("key").to_string());
    }
    StoreError::Backend(e.to_string())
}

#[async_trait::async_trait]
impl StoreHealth for SqlStore {
    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map_err(backend_error)?;
        Ok(())
    }

    async fn describe(&self) -> StoreResult<(String, i64)> {
        let version = migrations::latest_applied(&self.pool).await?;
        let name = match self.backend {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        };
        Ok((name.to_string(), version))
    }
}

#[cfg(test)]
mod tests;

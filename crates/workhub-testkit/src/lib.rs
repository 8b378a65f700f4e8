//! Test fixtures shared by the crates' tests: throw-away databases on both engines.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use sqlx::{Connection, Executor};

/// The environment variable that points the PostgreSQL suites at a server.
pub const DATABASE_ENV: &str = "WORKHUB_TEST_DATABASE_URL";
/// The environment variable that points the Redis suites at a server.
pub const REDIS_ENV: &str = "WORKHUB_TEST_REDIS_URL";

/// A database that exists for one test: a SQLite file in a temporary folder, or a fresh
/// schema on the PostgreSQL server named by `WORKHUB_TEST_DATABASE_URL`.
pub struct TestDb {
    pub url: String,
    pub dir: tempfile::TempDir,
    pg: Option<(String, String)>,
}

impl TestDb {
    pub fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("workhub.db").display());
        TestDb { url, dir, pg: None }
    }

    /// None (after saying so on stderr) when no PostgreSQL server is configured.
    pub async fn postgres(test: &str) -> Option<TestDb> {
        let Ok(base) = std::env::var(DATABASE_ENV) else {
            eprintln!("SKIPPED {test} on PostgreSQL: set {DATABASE_ENV} to run it");
            return None;
        };
        let schema = format!("wh_test_{}", workhub_core::secret::random_hex(6));
        let mut conn = sqlx::PgConnection::connect(&base)
            .await
            .expect("connect to PostgreSQL");
        conn.execute(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
            .await
            .unwrap();
        let sep = if base.contains('?') { '&' } else { '?' };
        let url = format!("{base}{sep}options=-c%20search_path%3D{schema}");
        Some(TestDb {
            url,
            dir: tempfile::tempdir().unwrap(),
            pg: Some((base, schema)),
        })
    }

    /// Both engines: SQLite always, PostgreSQL when configured.
    pub async fn both(test: &str) -> Vec<TestDb> {
        let mut dbs = vec![TestDb::sqlite()];
        dbs.extend(TestDb::postgres(test).await);
        dbs
    }

    pub fn engine(&self) -> &'static str {
        if self.pg.is_some() {
            "postgres"
        } else {
            "sqlite"
        }
    }

    /// Drops the PostgreSQL schema (the SQLite folder goes with the value).
    pub async fn cleanup(self) {
        if let Some((base, schema)) = &self.pg
            && let Ok(mut conn) = sqlx::PgConnection::connect(base).await
        {
            let _ = conn
                .execute(sqlx::AssertSqlSafe(format!("DROP SCHEMA {schema} CASCADE")))
                .await;
        }
    }
}

/// The Redis url for tests, or None after saying the test skips.
pub fn redis_url(test: &str) -> Option<String> {
    match std::env::var(REDIS_ENV) {
        Ok(url) => Some(url),
        Err(_) => {
            eprintln!("SKIPPED {test} on Redis: set {REDIS_ENV} to run it");
            None
        }
    }
}

//! The group commit's guarantees.
use std::sync::Arc;

use sqlx::Row;

use super::*;

/// A writer on a new database in `dir` with a table `t (n)`, and the database's url.
async fn writer_with_table(dir: &std::path::Path) -> (Writer, String) {
    let file = dir.join("w.db");
    let url = format!("sqlite://{}?mode=rwc", file.display());
    sqlx::any::install_default_drivers();
    let writer = Writer::start_batched(&url, &file, "PRAGMA journal_mode = WAL;")
        .await
        .unwrap();
    writer
        .run(|conn| {
            Box::pin(async move {
                conn.execute("CREATE TABLE t (n INTEGER PRIMARY KEY)")
                    .await
                    .map_err(backend_error)?;
                Ok(())
            })
        })
        .await
        .unwrap();
    (writer, url)
}

/// The `n`s stored in `t`, in order.
async fn stored(url: &str) -> Vec<i64> {
    let mut conn = AnyConnection::connect(url).await.unwrap();
    let rows = sqlx::query("SELECT n FROM t ORDER BY n").fetch_all(&mut conn);
    rows.await
        .unwrap()
        .iter()
        .map(|r| r.get::<i64, _>("n"))
        .collect()
}

/// Units whose `n` is a multiple of 5 fail after writing.
fn fails(n: i64) -> bool {
    n % 5 == 0
}

/// Insert `n`, then fail if `fails(n)`.
fn insert(conn: &mut AnyConnection, n: i64) -> TxFuture<'_, i64> {
    Box::pin(async move {
        sqlx::query("INSERT INTO t (n) VALUES ($1)")
            .bind(n)
            .execute(&mut *conn)
            .await
            .map_err(backend_error)?;
        if fails(n) {
            return Err(StoreError::Backend(format!("unit {n} fails")));
        }
        Ok(n)
    })
}

/// The same on the native writer's connection, with the `$N` placeholders of the sqlx paths.
fn insert_natively(conn: &rusqlite::Connection, n: i64) -> StoreResult<i64> {
    bound(conn, "INSERT INTO t (n) VALUES ($1)", &[&n])
        .and_then(|mut insert| insert.raw_execute())
        .map_err(native_error)?;
    if fails(n) {
        return Err(StoreError::Backend(format!("unit {n} fails")));
    }
    Ok(n)
}

/// Units committed in one batch stand or fall alone, on either of SQLite's write connections: a
/// unit that fails after writing leaves nothing behind, and the units around it are committed,
/// once.
#[tokio::test]
async fn a_failing_unit_is_rolled_back_alone() {
    let dir = tempfile::tempdir().unwrap();
    let (writer, url) = writer_with_table(dir.path()).await;
    let writer = Arc::new(writer);
    let units = (0..90i64).map(|n| {
        let writer = writer.clone();
        tokio::spawn(async move {
            match n % 3 {
                0 => writer.run_traffic(move |c| insert(c, n)).await,
                1 => writer.run(move |c| insert(c, n)).await,
                _ => writer.run_traffic_native(n, insert_natively, insert).await,
            }
        })
    });
    let results = futures::future::join_all(units).await;
    let mut answered: Vec<i64> = results
        .into_iter()
        .filter_map(|r| r.unwrap().ok())
        .collect();
    answered.sort();
    let expected: Vec<i64> = (0..90).filter(|n| !fails(*n)).collect();
    assert_eq!(
        answered, expected,
        "exactly the units that succeeded say so"
    );
    let stored = stored(&url).await;
    assert_eq!(stored, expected, "and only their rows are stored");
    let counted = expected.iter().filter(|n| *n % 3 == 1).count() as u64;
    assert_eq!(writer.changes(), 1 + counted, "only `run` counts changes");
}

/// A unit that panics after writing, on either connection, is undone and answered with an
/// error, and the writer carries on with the units after it.
#[tokio::test]
async fn a_panicking_unit_is_undone_and_the_writer_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let (writer, url) = writer_with_table(dir.path()).await;
    let panics = |conn: &rusqlite::Connection, n: i64| -> StoreResult<i64> {
        insert_natively(conn, n)?;
        panic!("unit {n} panics after writing");
    };
    let failed = writer.run_traffic_native(1, panics, insert).await;
    assert!(failed.is_err(), "the caller hears of the failure");
    let after = writer.run_traffic_native(2, insert_natively, insert).await;
    assert_eq!(after.unwrap(), 2, "the next unit is written");
    let failed: StoreResult<()> = writer
        .run(|conn| {
            Box::pin(async move {
                insert(conn, 3).await?;
                panic!("unit 3 panics after writing");
            })
        })
        .await;
    assert!(failed.is_err(), "the caller hears of the failure");
    assert_eq!(writer.run(|conn| insert(conn, 4)).await.unwrap(), 4);
    let stored = stored(&url).await;
    assert_eq!(stored, [2, 4], "the panicking units' rows are gone");
}

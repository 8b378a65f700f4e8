//! The group commit's guarantees.
use std::sync::Arc;

use sqlx::Row;

use super::*;

/// Insert `n`, then fail if `n` is a multiple of 3: a unit that fails after writing.
fn insert(conn: &mut AnyConnection, n: i64) -> TxFuture<'_, i64> {
    Box::pin(async move {
        sqlx::query("INSERT INTO t (n) VALUES ($1)")
            .bind(n)
            .execute(&mut *conn)
            .await
            .map_err(backend_error)?;
        if n % 3 == 0 {
            return Err(StoreError::Backend(format!("unit {n} fails")));
        }
        Ok(n)
    })
}

/// Units committed in one batch stand or fall alone, whether they run in savepoints or may
/// run again without: a unit that fails after writing leaves nothing behind, and the units
/// around it are committed, once.
#[tokio::test]
async fn a_failing_unit_is_rolled_back_alone() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("w.db").display());
    sqlx::any::install_default_drivers();
    let writer = Arc::new(
        Writer::start_batched(&url, "PRAGMA journal_mode = WAL;")
            .await
            .unwrap(),
    );
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
    let units = (0..90i64).map(|n| {
        let writer = writer.clone();
        tokio::spawn(async move {
            match n % 2 {
                0 => writer.run_traffic_replayable(move |c| insert(c, n)).await,
                _ => writer.run(move |c| insert(c, n)).await,
            }
        })
    });
    let results = futures::future::join_all(units).await;
    let mut answered: Vec<i64> = results
        .into_iter()
        .filter_map(|r| r.unwrap().ok())
        .collect();
    answered.sort();
    let expected: Vec<i64> = (0..90).filter(|n| n % 3 != 0).collect();
    assert_eq!(
        answered, expected,
        "exactly the units that succeeded say so"
    );
    let mut conn = AnyConnection::connect(&url).await.unwrap();
    let stored: Vec<i64> = sqlx::query("SELECT n FROM t ORDER BY n")
        .fetch_all(&mut conn)
        .await
        .unwrap()
        .iter()
        .map(|r| r.get::<i64, _>("n"))
        .collect();
    assert_eq!(stored, expected, "and only their rows are stored");
    let counted = expected.iter().filter(|n| *n % 2 == 1).count() as u64;
    assert_eq!(writer.changes(), 1 + counted, "only `run` counts changes");
}

//! Runs the store conformance suite on SQLite, and on PostgreSQL when configured.

use workhub_testkit::TestDb;

use crate::SqlStore;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conformance_on_every_engine() {
    for db in TestDb::both("store conformance").await {
        eprintln!("store conformance on {}", db.engine());
        let store = SqlStore::open(&db.url).await.expect("open");
        workhub_store::conformance::run_all(&store.stores()).await;
        // Opening again finds the schema current and migrates nothing.
        drop(store);
        let again = SqlStore::open(&db.url).await.expect("reopen");
        let (_, version) = workhub_store::StoreHealth::describe(&*again)
            .await
            .expect("describe");
        assert_eq!(version, crate::migrations::latest_known());
        db.cleanup().await;
    }
}

/// An in-memory SQLite url is refused with a reason: each of the store's connections would
/// open an empty database of its own, and messages would vanish from every read.
#[tokio::test]
async fn an_in_memory_sqlite_database_is_refused() {
    for url in ["sqlite::memory:", "sqlite://file?mode=memory"] {
        let refused = SqlStore::open(url).await.err().expect(url).to_string();
        assert!(refused.contains("in-memory"), "{url}: {refused}");
    }
}

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

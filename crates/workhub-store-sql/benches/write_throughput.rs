//! Acknowledged writes per second with 1, 8 and 64 concurrent writers, on SQLite (always) and
//! PostgreSQL (when `WORKHUB_TEST_DATABASE_URL` is set). Every write is durable when its call
//! returns: SQLite commits with `synchronous = FULL` (fsync) and PostgreSQL with its defaults.
//!
//!     cargo bench -p workhub-store-sql --bench write_throughput
//!
//! Each write is one store unit of work: an audit record, or a security-policy save that also
//! appends an event to a member's stream (the outbox path every domain write takes).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use workhub_core::UserId;
use workhub_store::audit::AuditRecord;
use workhub_store::{NewEvent, Recipients, Stores};
use workhub_store_sql::SqlStore;
use workhub_testkit::TestDb;

const RUN: Duration = Duration::from_secs(3);

#[derive(Clone, Copy)]
enum Kind {
    Audit,
    PolicyWithEvent,
}

async fn measure(stores: &Stores, corp: &workhub_core::CorpId, writers: usize, kind: Kind) -> f64 {
    let deadline = Instant::now() + RUN;
    let started = Instant::now();
    let mut tasks = Vec::new();
    for w in 0..writers {
        let stores = stores.clone();
        let corp = corp.clone();
        tasks.push(tokio::spawn(async move {
            let mut done = 0u64;
            while Instant::now() < deadline {
                match kind {
                    Kind::Audit => {
                        let id = uuid::Uuid::now_v7().to_string();
                        let r = AuditRecord {
                            id,
                            corp_id: corp.to_string(),
                            time: 1,
                            actor: format!("w{w}"),
                            action: "bench".into(),
                            target: String::new(),
                            ip: String::new(),
                            user_agent: String::new(),
                            outcome: "success".into(),
                        };
                        stores.audit.append_audit(r).await.unwrap();
                    }
                    Kind::PolicyWithEvent => {
                        let e = NewEvent::new(
                            Recipients::Users(vec![UserId::parse("admin").unwrap()]),
                            "bench",
                            &w,
                        );
                        stores
                            .accounts
                            .save_policy(&corp, "{}".into(), 1, e)
                            .await
                            .unwrap();
                    }
                }
                done += 1;
            }
            done
        }));
    }
    let mut total = 0;
    for t in tasks {
        total += t.await.unwrap();
    }
    total as f64 / started.elapsed().as_secs_f64()
}

#[tokio::main]
async fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let mut dbs = vec![TestDb::sqlite()];
    dbs.extend(TestDb::postgres("write throughput").await);
    println!("| engine | write | writers | acknowledged writes/s |");
    println!("|---|---|---|---|");
    for db in dbs {
        let store: Arc<SqlStore> = SqlStore::open(&db.url).await.unwrap();
        let stores = store.stores();
        let corp = workhub_store::conformance::new_corp(&stores, 1).await;
        for (kind, name) in [
            (Kind::Audit, "audit record"),
            (Kind::PolicyWithEvent, "policy + event"),
        ] {
            for writers in [1, 8, 64] {
                let rate = measure(&stores, &corp, writers, kind).await;
                println!("| {} | {name} | {writers} | {rate:.0} |", db.engine());
            }
        }
        store.close().await;
        db.cleanup().await;
    }
}

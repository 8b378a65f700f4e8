//! Directory search latency over 100,000 members (issue: p99 < 20 ms).
//!
//!     cargo bench -p workhub-domain --bench directory_search
//!
//! Fills a SQLite database (and PostgreSQL when `WORKHUB_TEST_DATABASE_URL` is set) with
//! 100,000 members with generated Chinese names, then times 1,000 searches of mixed kinds
//! (pinyin, initials, Chinese, mobile prefix, userid) through the domain service.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::Instant;

use workhub_bus::{LocalBus, LocalLimiter};
use workhub_core::{CorpId, SystemClock, UserId};
use workhub_domain::{Actor, Deps, Domain};
use workhub_store::accounts::NewUser;
use workhub_store_sql::SqlStore;
use workhub_testkit::TestDb;

const MEMBERS: usize = 100_000;
const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "秀", "霞", "平", "刚", "桂", "英", "华", "玉", "萍", "红", "鹏", "飞", "波",
];

fn name(i: usize) -> String {
    let s = SURNAMES[i % SURNAMES.len()];
    let g1 = GIVEN[(i / SURNAMES.len()) % GIVEN.len()];
    let g2 = GIVEN[(i / (SURNAMES.len() * GIVEN.len())) % GIVEN.len()];
    format!("{s}{g1}{g2}")
}

async fn fill(store: &Arc<SqlStore>, corp: &CorpId) {
    let stores = store.stores();
    let mut tasks = Vec::new();
    for w in 0..64 {
        let (stores, corp) = (stores.clone(), corp.clone());
        tasks.push(tokio::spawn(async move {
            for i in (w..MEMBERS).step_by(64) {
                let user = NewUser {
                    corp_id: corp.clone(),
                    userid: UserId::parse(&format!("u{i:06}")).unwrap(),
                    name: name(i),
                    mobile: Some(format!("139{i:08}")),
                    email: None,
                    is_admin: false,
                    password_digest: String::new(),
                    created_at: 1,
                };
                stores.accounts.add_user(user).await.unwrap();
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
}

#[tokio::main]
async fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let mut dbs = vec![TestDb::sqlite()];
    dbs.extend(TestDb::postgres("directory search").await);
    println!("| engine | members | queries | p50 ms | p99 ms | max ms |");
    println!("|---|---|---|---|---|---|");
    for db in dbs {
        let store = SqlStore::open(&db.url).await.unwrap();
        let stores = store.stores();
        let corp = workhub_store::conformance::new_corp(&stores, 1).await;
        let filled = Instant::now();
        fill(&store, &corp).await;
        eprintln!(
            "{}: filled {MEMBERS} members in {:.1} s",
            db.engine(),
            filled.elapsed().as_secs_f64()
        );
        let deps = Deps {
            stores,
            bus: Arc::new(LocalBus::default()),
            limiter: Arc::new(LocalLimiter::default()),
            clock: Arc::new(SystemClock),
            outbound: Arc::new(workhub_domain::callbacks::NoOutbound),
            settings: Default::default(),
        };
        let domain = Domain::new(deps);
        let app = Actor::App {
            corp_id: corp.clone(),
            agent_id: 0,
        };
        let queries: Vec<String> = (0..1000)
            .map(|i| match i % 5 {
                0 => workhub_core::search::pinyin(&name(i * 97)).0[0].clone(),
                1 => workhub_core::search::pinyin(&name(i * 89)).1[0].clone(),
                2 => name(i * 83),
                3 => format!("139{:05}", i * 7),
                _ => format!("u{:06}", i * 61),
            })
            .collect();
        let mut times = Vec::with_capacity(queries.len());
        let mut hits = 0;
        for q in &queries {
            let started = Instant::now();
            hits += domain.directory.search(&app, q, 20).await.unwrap().len();
            times.push(started.elapsed().as_secs_f64() * 1000.0);
        }
        times.sort_by(f64::total_cmp);
        let at = |p: f64| times[((times.len() as f64 * p) as usize).min(times.len() - 1)];
        eprintln!("{}: {hits} results in total", db.engine());
        println!(
            "| {} | {MEMBERS} | {} | {:.2} | {:.2} | {:.2} |",
            db.engine(),
            times.len(),
            at(0.5),
            at(0.99),
            times[times.len() - 1]
        );
        store.close().await;
        db.cleanup().await;
    }
}

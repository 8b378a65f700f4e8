//! Importing 10,000 members from one CSV file (issue: < 10 s).
//!
//!     cargo bench -p workhub-server --bench directory_import
//!
//! The real server on a temporary SQLite (and on PostgreSQL when `WORKHUB_TEST_DATABASE_URL` is
//! set); times the dry run, then the job from "apply" until `GET /jobs/{id}` says done. Every
//! member is written through the same service as a single create (validation, audit record,
//! event to every member's stream).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use workhub_domain::{Actor, Meta};
use workhub_server::config::Config;
use workhub_server::serve;
use workhub_testkit::TestDb;

const MEMBERS: usize = 10_000;

fn members() -> usize {
    std::env::var("WORKHUB_BENCH_MEMBERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(MEMBERS)
}

#[tokio::main]
async fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut dbs = vec![TestDb::sqlite()];
    dbs.extend(TestDb::postgres("directory import").await);
    println!("| engine | members | preview s | import s | members/s |");
    println!("|---|---|---|---|---|");
    for db in dbs {
        let mut config = Config {
            listen: "127.0.0.1:0".into(),
            data_dir: db.dir.path().to_path_buf(),
            ..Config::default()
        };
        if db.engine() == "postgres" {
            config.database_url = db.url.clone();
        }
        let running = serve::start(config.clone()).await.unwrap();
        let url = format!("http://{}", running.addr);
        let store = serve::open_store(&config).await.unwrap();
        let domain = serve::domain(&config, &store).await.unwrap();
        let new = workhub_domain::corps::NewCompany {
            name: "Import".into(),
            admin_userid: "admin".into(),
            admin_name: String::new(),
            admin_password: "Admin-Passw0rd!".into(),
            admin_mobile: None,
            admin_email: None,
            edition: workhub_core::Edition::Professional,
            uscc: None,
        };
        let corp = domain
            .corps
            .create(&Actor::Operator("bench".into()), &Meta::default(), new)
            .await
            .unwrap();
        domain
            .corps
            .verify(
                "bench",
                &Meta::default(),
                &workhub_core::CorpId::parse(&corp.corpid).unwrap(),
            )
            .await
            .unwrap();
        let http = reqwest::Client::new();
        let body = json!({ "corpid": corp.corpid, "login": "admin", "password": "Admin-Passw0rd!", "device_id": "bench", "platform": "web" });
        let login: Value = http
            .post(format!("{url}/api/v1/auth/login"))
            .json(&body)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let token = login["token"].as_str().unwrap().to_string();

        let mut csv = String::from("姓名,帐号,手机号,邮箱,所在部门,职位\n");
        for i in 0..members() {
            csv.push_str(&format!("成员{i},m{i:05},136{i:08},,1,工程师\n"));
        }
        let started = Instant::now();
        let preview: Value = http
            .post(format!("{url}/api/v1/directory/import/preview?mode=sync"))
            .bearer_auth(&token)
            .body(csv)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let preview_s = started.elapsed().as_secs_f64();
        assert_eq!(preview["preview"]["create"], members(), "{preview}");
        let import_id = preview["import_id"].as_str().unwrap();
        let started = Instant::now();
        let job: Value = http
            .post(format!(
                "{url}/api/v1/directory/import/{import_id}/apply?mode=sync"
            ))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let jobid = job["jobid"].as_str().unwrap().to_string();
        loop {
            let job: Value = http
                .get(format!("{url}/api/v1/directory/jobs/{jobid}"))
                .bearer_auth(&token)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            if job["status"] == 3 {
                let failed = job["result"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|r| r["errcode"] != 0)
                    .count();
                assert_eq!(failed, 0);
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let import_s = started.elapsed().as_secs_f64();
        println!(
            "| {} | {} | {preview_s:.2} | {import_s:.2} | {:.0} |",
            db.engine(),
            members(),
            members() as f64 / import_s
        );
        running.shutdown.cancel();
        let _ = running.done.await;
        store.close().await;
        db.cleanup().await;
    }
}

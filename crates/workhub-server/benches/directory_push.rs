//! Commit-to-WebSocket latency of directory changes (issue: p99 ≤ 100 ms).
//!
//!     cargo bench -p workhub-server --bench directory_push
//!
//! Starts the real server on a temporary SQLite, signs in 200 members, each holding a
//! WebSocket, then renames a department 100 times. Every rename is one event in all 201
//! streams; latency is the time a client receives it minus the event's commit timestamp
//! (taken just before the commit, so the figure slightly overstates).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use futures::StreamExt;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use workhub_domain::accounts::password;
use workhub_domain::{Actor, Meta};
use workhub_server::config::Config;
use workhub_server::serve;

const MEMBERS: usize = 200;
const CHANGES: usize = 100;

fn now_ms() -> i64 {
    i64::try_from(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_millis(),
    )
    .unwrap()
}

#[tokio::main]
async fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let _ = rustls::crypto::ring::default_provider().install_default();
    let dir = tempfile::tempdir().unwrap();
    let config = Config {
        listen: "127.0.0.1:0".into(),
        data_dir: dir.path().to_path_buf(),
        ..Config::default()
    };
    let running = serve::start(config.clone()).await.unwrap();
    let url = format!("http://{}", running.addr);
    let store = serve::open_store(&config).await.unwrap();
    let domain = serve::domain(&config, &store).await.unwrap();
    let new = workhub_domain::corps::NewCompany {
        name: "Bench".into(),
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
    let corp_id = workhub_core::CorpId::parse(&corp.corpid).unwrap();
    domain
        .corps
        .verify("bench", &Meta::default(), &corp_id)
        .await
        .unwrap();
    let digest = password::hash("Member-Passw0rd").await.unwrap();
    for i in 0..MEMBERS {
        let mut user = workhub_store::conformance::new_user(&corp_id, &format!("m{i:04}"), 1);
        user.password_digest = digest.clone();
        store.stores().accounts.add_user(user).await.unwrap();
    }
    let http = reqwest::Client::new();
    let login = |userid: String| {
        let (http, url, corpid) = (http.clone(), url.clone(), corp.corpid.clone());
        async move {
            let password = if userid == "admin" {
                "Admin-Passw0rd!"
            } else {
                "Member-Passw0rd"
            };
            let body = json!({ "corpid": corpid, "login": userid, "password": password, "device_id": userid, "platform": "web" });
            let res: Value = http
                .post(format!("{url}/api/v1/auth/login"))
                .json(&body)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            res["token"].as_str().unwrap().to_string()
        }
    };
    let admin = login("admin".into()).await;
    let (_, dept) = (
        0,
        http.post(format!("{url}/api/v1/directory/departments"))
            .bearer_auth(&admin)
            .json(&json!({ "name": "Bench 0", "parentid": 1 }))
            .send()
            .await
            .unwrap()
            .json::<Value>()
            .await
            .unwrap(),
    );
    let dept = dept["id"].as_i64().unwrap();

    let mut receivers = Vec::new();
    let users: Vec<String> = std::iter::once("admin".to_string())
        .chain((0..MEMBERS).map(|i| format!("m{i:04}")))
        .collect();
    for user in users {
        let token = login(user).await;
        let latest: Value = http
            .get(format!("{url}/api/v1/sync?since=0&limit=1000"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let since = latest["next_since"].as_i64().unwrap();
        let mut req = format!(
            "{}/api/v1/ws?since={since}",
            url.replace("http://", "ws://")
        )
        .into_client_request()
        .unwrap();
        req.headers_mut()
            .insert("authorization", format!("Bearer {token}").parse().unwrap());
        let (mut ws, _) = tokio_tungstenite::connect_async(req).await.unwrap();
        receivers.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            while latencies.len() < CHANGES {
                let Ok(Some(Ok(msg))) =
                    tokio::time::timeout(Duration::from_secs(30), ws.next()).await
                else {
                    break;
                };
                let Ok(text) = msg.to_text() else { continue };
                let Ok(v) = serde_json::from_str::<Value>(text) else {
                    continue;
                };
                if v["event"]["kind"] == "department.updated" {
                    latencies.push(now_ms() - v["event"]["created_at"].as_i64().unwrap());
                }
            }
            latencies
        }));
    }
    for i in 1..=CHANGES {
        let res = http
            .patch(format!("{url}/api/v1/directory/departments/{dept}"))
            .bearer_auth(&admin)
            .json(&json!({ "name": format!("Bench {i}") }))
            .send()
            .await
            .unwrap();
        assert!(res.status().is_success());
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let mut all = Vec::new();
    for r in receivers {
        all.extend(r.await.unwrap());
    }
    all.sort_unstable();
    let at = |p: f64| all[((all.len() as f64 * p) as usize).min(all.len() - 1)];
    println!("| online members | changes | deliveries | expected | p50 ms | p99 ms | max ms |");
    println!("|---|---|---|---|---|---|---|");
    println!(
        "| {} | {CHANGES} | {} | {} | {} | {} | {} |",
        MEMBERS + 1,
        all.len(),
        (MEMBERS + 1) * CHANGES,
        at(0.5),
        at(0.99),
        all[all.len() - 1]
    );
    running.shutdown.cancel();
    let _ = running.done.await;
}

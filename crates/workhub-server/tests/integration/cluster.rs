//! Two `workhub` processes on one PostgreSQL and one Redis: an event written through node A
//! reaches a WebSocket connected to node B, in a member's own stream and in a large group's, and
//! a sensitive word saved on node A is applied on node B.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use workhub_testkit::TestDb;

use crate::support::SECOND;

struct Node {
    child: Child,
    url: String,
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A node whose every group is large (its messages go to the group's own stream).
fn start_node(database_url: &str, redis_url: &str, data_dir: &std::path::Path) -> Node {
    let config = data_dir.join("workhub.toml");
    std::fs::write(&config, "[messaging]\nlarge_group_members = 0\n").unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_workhub"))
        .args([
            "serve",
            "--config",
            &config.display().to_string(),
            "--listen",
            "127.0.0.1:0",
            "--data-dir",
            &data_dir.display().to_string(),
            "--database-url",
            database_url,
            "--redis-url",
            redis_url,
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("node starts");
    let stdout = child.stdout.take().unwrap();
    let line = BufReader::new(stdout)
        .lines()
        .map_while(Result::ok)
        .find(|l| l.starts_with("listening on "))
        .expect("listening line");
    Node {
        child,
        url: line.trim_start_matches("listening on ").to_string(),
    }
}

#[tokio::test]
async fn an_event_written_on_node_a_reaches_a_websocket_on_node_b() {
    let Some(redis) = workhub_testkit::redis_url("cluster") else {
        return;
    };
    let Some(db) = TestDb::postgres("cluster").await else {
        return;
    };
    let out = Command::new(env!("CARGO_BIN_EXE_workhub"))
        .args([
            "corp",
            "create",
            "--database-url",
            &db.url,
            "--name",
            "Cluster",
            "--admin-userid",
            "admin",
            "--admin-password",
            "Admin-Passw0rd!",
        ])
        .output()
        .unwrap();
    let corp: Value =
        serde_json::from_str(String::from_utf8_lossy(&out.stdout).lines().last().unwrap()).unwrap();
    let corpid = corp["corpid"].as_str().unwrap().to_string();
    // Each node has its own local folder (search index, files), as on separate machines.
    let (dir_a, dir_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let a = start_node(&db.url, &redis, dir_a.path());
    let b = start_node(&db.url, &redis, dir_b.path());

    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = reqwest::Client::new();
    let login = |url: String, device: &'static str| {
        let http = http.clone();
        let corpid = corpid.clone();
        async move {
            let body = json!({ "corpid": corpid, "login": "admin", "password": "Admin-Passw0rd!", "device_id": device, "platform": "web" });
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
    let token_a = login(a.url.clone(), "on-a").await;
    let token_b = login(b.url.clone(), "on-b").await;
    let (_, latest) = (
        StatusCode::OK,
        http.get(format!("{}/api/v1/sync?since=0", b.url))
            .bearer_auth(&token_b)
            .send()
            .await
            .unwrap()
            .json::<Value>()
            .await
            .unwrap(),
    );
    let since = latest["next_since"].as_i64().unwrap();

    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let mut req = format!(
        "{}/api/v1/ws?since={since}&conversations=",
        b.url.replace("http://", "ws://")
    )
    .into_client_request()
    .unwrap();
    req.headers_mut().insert(
        "authorization",
        format!("Bearer {token_b}").parse().unwrap(),
    );
    let (mut ws, _) = tokio_tungstenite::connect_async(req).await.unwrap();

    let policy: Value = http
        .get(format!("{}/api/v1/admin/security-policy", a.url))
        .bearer_auth(&token_a)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let res = http
        .request(
            Method::PUT,
            format!("{}/api/v1/admin/security-policy", a.url),
        )
        .bearer_auth(&token_a)
        .json(&policy)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);

    use futures::StreamExt;
    let msg = tokio::time::timeout(5 * SECOND, ws.next())
        .await
        .expect("in time")
        .unwrap()
        .unwrap();
    let event: Value = serde_json::from_str(msg.to_text().unwrap()).unwrap();
    assert_eq!(event["event"]["kind"], "security_policy.changed");
    assert_eq!(event["event"]["seq"], since + 1);

    // A message sent through node A reaches the same user's other device, connected to B.
    let post = |path: String, body: Value| {
        let (http, token) = (http.clone(), token_a.clone());
        async move {
            let res = http
                .post(path)
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), StatusCode::OK);
            res.json::<Value>().await.unwrap()
        }
    };
    let notes = json!({ "kind": "direct", "userid": "admin" });
    let chat = post(format!("{}/api/v1/conversations", a.url), notes).await;
    let text =
        json!({ "client_msg_id": "cluster-1", "type": "text", "content": { "content": "跨节点" } });
    let path = format!(
        "{}/api/v1/conversations/{}/messages",
        a.url,
        chat["id"].as_str().unwrap()
    );
    let sent = post(path, text).await;
    let mut kinds = vec![];
    while kinds.last() != Some(&"message.new".to_string()) {
        let msg = tokio::time::timeout(5 * SECOND, ws.next())
            .await
            .expect("the message arrives on node B in time")
            .unwrap()
            .unwrap();
        let event: Value = serde_json::from_str(msg.to_text().unwrap()).unwrap();
        kinds.push(event["event"]["kind"].as_str().unwrap().to_string());
        if event["event"]["kind"] == "message.new" {
            assert_eq!(event["event"]["data"]["id"], sent["id"]);
            assert_eq!(event["event"]["data"]["content"]["content"], "跨节点");
        }
    }
    assert_eq!(kinds, ["conversation.changed", "message.new"]);

    // A group's message travels in the group's stream, announced across nodes the same way.
    let group = json!({ "kind": "group", "name": "大群", "members": [] });
    let group = post(format!("{}/api/v1/conversations", a.url), group).await;
    let group_id = group["id"].as_str().unwrap();
    let text =
        json!({ "client_msg_id": "cluster-2", "type": "text", "content": { "content": "大群" } });
    let path = format!("{}/api/v1/conversations/{group_id}/messages", a.url);
    let sent = post(path, text).await;
    loop {
        let msg = tokio::time::timeout(5 * SECOND, ws.next())
            .await
            .expect("the group's message arrives on node B in time")
            .unwrap()
            .unwrap();
        let frame: Value = serde_json::from_str(msg.to_text().unwrap()).unwrap();
        if frame["event"]["kind"] == "message.new" {
            assert_eq!(frame["conversation_id"], group_id);
            assert_eq!(frame["event"]["seq"], 1, "the first of the group's stream");
            assert_eq!(frame["event"]["data"]["id"], sent["id"]);
            break;
        }
    }
    // A word an admin blocks on node A is blocked on node B within about a second (B checks
    // whether the list changed every second; it compiled the empty list just before).
    let send_on_b = |n: usize| {
        let (http, token, url) = (http.clone(), token_b.clone(), b.url.clone());
        let path = format!("{url}/api/v1/conversations/{group_id}/messages");
        async move {
            let text = json!({ "client_msg_id": format!("word-{n}"), "type": "text",
                               "content": { "content": "线上赌博" } });
            let res = http.post(path).bearer_auth(token).json(&text).send();
            let res = res.await.unwrap();
            (res.status(), res.json::<Value>().await.unwrap())
        }
    };
    assert_eq!(send_on_b(0).await.0, StatusCode::OK, "no words yet");
    let words = json!({ "words": [{ "word": "赌博", "action": "block" }] });
    let res = http
        .put(format!("{}/api/v1/admin/sensitive-words", a.url))
        .bearer_auth(&token_a)
        .json(&words)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let saved = std::time::Instant::now();
    let mut n = 1;
    loop {
        let (status, body) = send_on_b(n).await;
        if status == StatusCode::BAD_REQUEST {
            assert_eq!(body["code"], "sensitive_word");
            break;
        }
        assert!(
            saved.elapsed() < 3 * SECOND,
            "node B still lets the word through"
        );
        tokio::time::sleep(SECOND / 10).await;
        n += 1;
    }
    drop((a, b));
    db.cleanup().await;
}

//! Message search through the server: both languages, only my conversations, the index's
//! look-back for late commits, filters and order over many matches, and rebuilding an index of
//! an older schema.

use reqwest::StatusCode;
use serde_json::{Value, json};
use workhub_testkit::TestDb;

use crate::messaging::{direct_messages_path, post, text};
use crate::support::{SECOND, TestServer, urlencode};

/// Searches until the index has caught up (it follows the messages table every 500 ms, and
/// looks behind its cursor every 5 s).
async fn search_until(s: &TestServer, token: &str, query: &str, want: usize) -> Value {
    for _ in 0..100 {
        let (status, found) = s
            .get(&format!("/api/v1/search/messages?{query}"), token)
            .await;
        assert_eq!(status, StatusCode::OK, "{found}");
        if found["results"].as_array().unwrap().len() >= want {
            return found;
        }
        tokio::time::sleep(SECOND / 10).await;
    }
    panic!("search for {query} found fewer than {want}");
}

/// Creation order is not commit order: a message stamped before one the indexer has passed, but
/// committed after it, is found by the indexer's look-back.
#[tokio::test]
async fn search_finds_a_message_that_committed_late() {
    for db in TestDb::both("late message search").await {
        let s = TestServer::on(db).await;
        let c = s.corp().await;
        let admin = c.admin_token.as_str();
        s.member(&c, "bob").await;
        let path = direct_messages_path(&s, admin, "bob").await;
        post(&s, admin, &path, text("on-time", "punctual 准时")).await;
        search_until(&s, admin, "q=punctual", 1).await;
        s.clock.advance_ms(-3_000);
        let (status, late) = post(&s, admin, &path, text("late", "tardy 迟到")).await;
        s.clock.advance_ms(3_000);
        assert_eq!(status, StatusCode::OK, "{late}");
        let found = search_until(&s, admin, "q=tardy", 1).await;
        assert_eq!(found["results"][0]["message"]["id"], late["id"], "{found}");
        s.stop().await;
    }
}

#[tokio::test]
async fn search_finds_chinese_and_english_in_my_conversations_only() {
    for db in TestDb::both("message search").await {
        let s = TestServer::on(db).await;
        let c = s.corp().await;
        let admin = c.admin_token.as_str();
        let bob = s.member(&c, "bob").await;
        let carol = s.member(&c, "carol").await;
        let path = direct_messages_path(&s, admin, "bob").await;
        let (_, m1) = post(&s, admin, &path, text("s1", "我们明天讨论第三季度的预算")).await;
        post(
            &s,
            &bob,
            &path,
            text("s2", "The BUDGET review is on Friday"),
        )
        .await;
        let (_, gone) = post(&s, admin, &path, text("s3", "预算草稿，稍后撤回")).await;
        let other = direct_messages_path(&s, admin, "carol").await;
        post(&s, admin, &other, text("s4", "给 carol 的预算")).await;

        let q = |w: &str| format!("q={}", urlencode(w));
        let found = search_until(&s, &bob, &q("预算"), 2).await;
        let hits = found["results"].as_array().unwrap();
        assert_eq!(hits.len(), 2, "bob sees only his conversation: {found}");
        assert!(hits.iter().any(|h| h["message"]["id"] == m1["id"]
            && h["highlight"].as_str().unwrap().contains("<b>预算</b>")));
        assert_eq!(
            search_until(&s, &bob, &q("budget"), 1).await["results"][0]["message"]["client_msg_id"],
            "s2",
            "English, any case"
        );
        assert_eq!(
            search_until(&s, &carol, &q("预算"), 1).await["results"]
                .as_array()
                .unwrap()
                .len(),
            1
        );

        post(
            &s,
            admin,
            &format!("/api/v1/messages/{}/recall", gone["id"].as_str().unwrap()),
            json!({}),
        )
        .await;
        let after = search_until(&s, &bob, &q("预算"), 1).await;
        assert_eq!(after["partial"], false, "the index has caught up");
        assert!(
            after["results"]
                .as_array()
                .unwrap()
                .iter()
                .all(|h| h["message"]["id"] != gone["id"]),
            "recalled messages are not found"
        );
        let by_sender = search_until(&s, &bob, &format!("{}&sender=bob", q("budget")), 1).await;
        assert_eq!(by_sender["results"].as_array().unwrap().len(), 1);
        let none = s
            .get(
                &format!("/api/v1/search/messages?{}&sender=admin", q("budget")),
                &bob,
            )
            .await
            .1;
        assert_eq!(none["results"], json!([]));
        let (status, _) = s
            .get(
                &format!("/api/v1/search/messages?{}&conversation=nope", q("预算")),
                &bob,
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(
            s.get("/api/v1/search/messages?q=", &bob).await.0,
            StatusCode::BAD_REQUEST
        );
        s.stop().await;
    }
}

/// The client ids of a search's results, in their order.
fn client_ids(found: &Value) -> Vec<&str> {
    found["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["message"]["client_msg_id"].as_str().unwrap())
        .collect()
}

/// Every filter applies to every match, and the newest come first, however many messages match:
/// applied to the index's first candidates only, a window in the middle found nothing.
#[tokio::test]
async fn filters_and_order_hold_over_many_matches() {
    for db in TestDb::both("search over many matches").await {
        let s = TestServer::on(db).await;
        let c = s.corp().await;
        let admin = c.admin_token.as_str();
        s.member(&c, "bob").await;
        let path = direct_messages_path(&s, admin, "bob").await;
        let start = workhub_core::Clock::now_ms(&s.clock);
        for i in 0..120 {
            post(
                &s,
                admin,
                &path,
                text(&format!("w{i}"), &format!("周报 第{i}期")),
            )
            .await;
            s.clock.advance_ms(1_000);
        }
        // Found last means every one before it is indexed: the index follows creation order.
        post(&s, admin, &path, text("last", "indexed")).await;
        search_until(&s, admin, "q=indexed", 1).await;
        let q = format!("q={}&limit=5", urlencode("周报"));
        let newest = search_until(&s, admin, &q, 5).await;
        assert_eq!(
            client_ids(&newest),
            ["w119", "w118", "w117", "w116", "w115"]
        );
        let (from, to) = (start + 60_000, start + 62_000);
        let (status, window) = s
            .get(
                &format!("/api/v1/search/messages?{q}&from={from}&to={to}"),
                admin,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{window}");
        assert_eq!(
            client_ids(&window),
            ["w62", "w61", "w60"],
            "both bounds included"
        );
        let (_, files) = s
            .get(&format!("/api/v1/search/messages?{q}&has_file=true"), admin)
            .await;
        assert_eq!(files["results"], json!([]), "none has a file");
        s.stop().await;
    }
}

/// An index left by an older version (another schema, in `search/index`) is deleted when the
/// node starts, and the current one is built from the messages table.
#[tokio::test]
async fn an_index_of_an_older_schema_is_replaced_and_rebuilt() {
    let s = TestServer::sqlite().await;
    let c = s.corp().await;
    let admin = c.admin_token.as_str().to_string();
    s.member(&c, "bob").await;
    let path = direct_messages_path(&s, &admin, "bob").await;
    post(
        &s,
        &admin,
        &path,
        text("kept", "升级之前 before the upgrade"),
    )
    .await;
    search_until(&s, &admin, "q=upgrade", 1).await;
    let search = s.config.data_dir.join("search");
    // Between the stop and the start: the files as the first schema named them.
    let s = s
        .restart_with(|c| {
            let search = c.data_dir.join("search");
            std::fs::rename(search.join("index-v2"), search.join("index")).unwrap();
            // Written after each indexing round; a stop may come before the first was.
            let _ = std::fs::rename(search.join("cursor-v2"), search.join("cursor"));
        })
        .await;
    assert!(!search.join("index").exists() && !search.join("cursor").exists());
    let found = search_until(&s, &admin, "q=upgrade", 1).await;
    assert_eq!(client_ids(&found), ["kept"]);
    s.stop().await;
}

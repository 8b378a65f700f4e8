//! The per-user event stream: sync pages, WebSocket catch-up and push, across restarts.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use workhub_core::FixedClock;
use workhub_testkit::TestDb;

use crate::support::{SECOND, TestServer};

/// Each policy save appends one event to every member's stream.
async fn emit(s: &TestServer, token: &str, n: usize) {
    for i in 0..n {
        let (_, mut policy) = s.get("/api/v1/admin/security-policy", token).await;
        policy["lockout_minutes"] = json!(10 + i);
        assert_eq!(
            s.call(
                Method::PUT,
                "/api/v1/admin/security-policy",
                Some(token),
                Some(policy)
            )
            .await
            .0,
            StatusCode::OK
        );
    }
}

#[tokio::test]
async fn sync_pages_in_order_without_gaps_and_survives_restart() {
    for db in TestDb::both("event stream").await {
        let s = TestServer::on(db).await;
        let c = s.corp().await;
        emit(&s, &c.admin_token, 7).await;
        let mut seqs = vec![];
        let mut since = 0;
        loop {
            let (status, page) = s
                .get(
                    &format!("/api/v1/sync?since={since}&limit=3"),
                    &c.admin_token,
                )
                .await;
            assert_eq!(status, StatusCode::OK);
            seqs.extend(
                page["events"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|e| e["seq"].as_i64().unwrap()),
            );
            since = page["next_since"].as_i64().unwrap();
            if page["has_more"] == false {
                break;
            }
        }
        assert_eq!(
            seqs,
            (1..=8).collect::<Vec<_>>(),
            "corp.verified then seven policy changes"
        );
        let (status, latest) = s.get("/api/v1/sync/latest", &c.admin_token).await;
        assert_eq!((status, latest["seq"].as_i64()), (StatusCode::OK, Some(8)));
        let (_, first) = s.get("/api/v1/sync?since=0&limit=1", &c.admin_token).await;
        assert_eq!(first["events"][0]["kind"], "corp.verified");
        // A position the stream never reached (a database restored from a backup): the client
        // must start again rather than wait, silently, for the stream to pass it.
        let (status, beyond) = s.get("/api/v1/sync?since=100", &c.admin_token).await;
        assert_eq!(
            (status, beyond["code"].as_str()),
            (StatusCode::GONE, Some("sync_expired"))
        );

        let s = s.restart().await;
        let (_, after) = s.get("/api/v1/sync?since=8", &c.admin_token).await;
        assert!(
            after["events"].as_array().unwrap().is_empty(),
            "a restart adds nothing"
        );
        emit(&s, &c.admin_token, 1).await;
        let (_, after) = s.get("/api/v1/sync?since=8", &c.admin_token).await;
        assert_eq!(
            after["events"][0]["seq"], 9,
            "the sequence continues after a restart"
        );
        let (_, latest) = s.get("/api/v1/sync/latest", &c.admin_token).await;
        assert_eq!(latest["seq"], 9);
        let (status, _) = s.get("/api/v1/sync/latest", "not-a-token").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        s.stop().await;
    }
}

#[tokio::test]
async fn websocket_catches_up_then_pushes_each_event_once_in_order() {
    let s = TestServer::sqlite().await;
    let c = s.corp().await;
    emit(&s, &c.admin_token, 3).await;
    let mut ws = s.ws(&c.admin_token, 2).await;
    let mut got = vec![];
    for _ in 0..2 {
        got.push(
            ws.next_event(5 * SECOND).await.expect("catch-up")["seq"]
                .as_i64()
                .unwrap(),
        );
    }
    assert_eq!(got, vec![3, 4], "only what is newer than since=2");
    let writer = {
        let (url, token) = (s.url.clone(), c.admin_token.clone());
        tokio::spawn(async move {
            let http = reqwest::Client::new();
            for i in 0..20 {
                let policy = http
                    .get(format!("{url}/api/v1/admin/security-policy"))
                    .bearer_auth(&token)
                    .send()
                    .await
                    .unwrap();
                let mut policy: serde_json::Value = policy.json().await.unwrap();
                policy["lockout_minutes"] = json!(100 + i);
                http.put(format!("{url}/api/v1/admin/security-policy"))
                    .bearer_auth(&token)
                    .json(&policy)
                    .send()
                    .await
                    .unwrap();
            }
        })
    };
    for expected in 5..=24 {
        let e = ws.next_event(5 * SECOND).await.expect("live event");
        assert_eq!(e["seq"], expected);
        assert_eq!(e["kind"], "security_policy.changed");
    }
    writer.await.unwrap();
    assert!(ws.next_event(SECOND).await.is_none(), "no duplicates");
    ws.close().await;

    // Reconnect from the last seq seen: nothing is replayed, the next event arrives.
    let mut again = s.ws(&c.admin_token, 24).await;
    emit(&s, &c.admin_token, 1).await;
    assert_eq!(again.next_event(5 * SECOND).await.expect("next")["seq"], 25);
}

/// The seqs of a sync page, or its error code.
async fn sync_from(s: &TestServer, token: &str, since: i64) -> Result<Vec<i64>, String> {
    let (status, page) = s.get(&format!("/api/v1/sync?since={since}"), token).await;
    if status != StatusCode::OK {
        return Err(format!("{status} {}", page["code"].as_str().unwrap_or("")));
    }
    let events = page["events"].as_array().unwrap();
    Ok(events.iter().map(|e| e["seq"].as_i64().unwrap()).collect())
}

#[tokio::test]
async fn events_past_keep_days_are_pruned_and_a_reader_behind_them_starts_again() {
    const DAY: i64 = 86_400_000;
    for db in TestDb::both("event pruning").await {
        let clock = FixedClock::at(1_800_000_000_000);
        let s = TestServer::with(db, clock, |c| c.events.keep_days = 1).await;
        let c = s.corp().await;
        let admin = c.admin_token.as_str();
        emit(&s, admin, 3).await;
        let prune = || s.domain.events.prune_expired();
        assert_eq!(prune().await.unwrap(), 0, "the first pass only marks");
        s.clock.advance_ms(DAY + 1);
        emit(&s, admin, 1).await;
        assert_eq!(
            prune().await.unwrap(),
            4,
            "what the stream held at the mark"
        );

        let expired = Err("410 Gone sync_expired".to_string());
        assert_eq!(sync_from(&s, admin, 0).await, expired, "from the start");
        assert_eq!(sync_from(&s, admin, 3).await, expired, "behind the cut");
        assert_eq!(sync_from(&s, admin, 4).await, Ok(vec![5]), "at the cut");
        assert_eq!(sync_from(&s, admin, 5).await, Ok(vec![]));
        assert_eq!(
            sync_from(&s, admin, 6).await,
            expired,
            "ahead of the stream"
        );
        let (_, latest) = s.get("/api/v1/sync/latest", admin).await;
        assert_eq!(latest["seq"], 5, "where a reset client starts again");

        // The socket tells a client behind the cut to start again, and closes.
        let mut behind = s.ws(admin, 2).await;
        let reset: Value = behind.next_json(5 * SECOND).await.expect("a frame");
        assert_eq!(reset, json!({ "type": "reset", "code": "sync_expired" }));
        assert!(behind.closed_within(5 * SECOND).await);
        let mut ahead = s.ws(admin, 9).await;
        assert_eq!(ahead.next_json(5 * SECOND).await, Some(reset));

        // From the cut on, the stream goes on as before.
        let mut current = s.ws(admin, 4).await;
        assert_eq!(current.next_event(5 * SECOND).await.unwrap()["seq"], 5);
        emit(&s, admin, 1).await;
        assert_eq!(current.next_event(5 * SECOND).await.unwrap()["seq"], 6);
        s.stop().await;
    }
}

//! Large groups (read fan-out): past `large_group_members` a group's messages are written once,
//! to the group's own stream, and members' sockets follow that stream beside their own — live,
//! after a reconnect from the positions they name, from the moment they join, and no longer
//! once they leave.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use workhub_core::FixedClock;
use workhub_testkit::TestDb;

use crate::messaging::{post, text};
use crate::support::{SECOND, TestServer, Ws};

/// Every frame that arrives within `wait` of the one before.
async fn frames(ws: &mut Ws, wait: Duration) -> Vec<Value> {
    let mut all = vec![];
    while let Some(frame) = ws.next_frame(wait).await {
        all.push(frame);
    }
    all
}

/// The `(stream seq, text)` of a group's message frames.
fn group_messages(frames: &[Value], group: &str) -> Vec<(i64, String)> {
    frames
        .iter()
        .filter(|f| f["conversation_id"] == group && f["event"]["kind"] == "message.new")
        .map(|f| {
            let e = &f["event"];
            let text = e["data"]["content"]["content"].as_str().unwrap_or("");
            (e["seq"].as_i64().unwrap(), text.to_string())
        })
        .collect()
}

/// Waits for the next message frame of `group` (other frames are passed over).
async fn next_group_message(ws: &mut Ws, group: &str) -> (i64, String) {
    loop {
        let frame = ws.next_frame(3 * SECOND).await.expect("a frame in time");
        if let Some(m) = group_messages(std::slice::from_ref(&frame), group).pop() {
            return m;
        }
    }
}

async fn latest(s: &TestServer, token: &str) -> Value {
    let (status, latest) = s.get("/api/v1/sync/latest", token).await;
    assert_eq!(status, StatusCode::OK, "{latest}");
    latest
}

async fn change_members(s: &TestServer, owner: &str, group: &str, change: Value) {
    let path = format!("/api/v1/conversations/{group}");
    let (status, body) = s
        .call(Method::PATCH, &path, Some(owner), Some(change))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn large_groups_reach_members_through_their_own_stream() {
    for db in TestDb::both("large groups").await {
        let clock = FixedClock::at(1_800_000_000_000);
        let s = TestServer::with(db, clock, |c| c.messaging.large_group_members = 2).await;
        let c = s.corp().await;
        let alice = c.admin_token.as_str();
        let bob = s.member(&c, "bob").await;
        s.member(&c, "carol").await;
        let dave = s.member(&c, "dave").await;
        let bob_since = latest(&s, &bob).await["seq"].as_i64().unwrap();
        let mut bob_ws = s.ws(&bob, bob_since).await;
        // A client from before large groups (no `conversations=`) gets its own stream only.
        let mut legacy_ws = s.ws_with(&bob, &format!("since={bob_since}")).await;
        let dave_since = latest(&s, &dave).await["seq"].as_i64().unwrap();
        let mut dave_ws = s.ws(&dave, dave_since).await;

        // Two members: a small group, its messages in each member's own stream.
        let new_group = json!({ "kind": "group", "name": "全员群", "members": ["bob"] });
        let (status, group) = post(&s, alice, "/api/v1/conversations", new_group).await;
        assert_eq!(status, StatusCode::OK, "{group}");
        let id = group["id"].as_str().unwrap().to_string();
        let messages = format!("/api/v1/conversations/{id}/messages");
        post(&s, alice, &messages, text("s-1", "small")).await;
        let small = frames(&mut bob_ws, SECOND / 2).await;
        assert!(
            small
                .iter()
                .any(|f| f["event"]["kind"] == "message.new" && f.get("conversation_id").is_none()),
            "{small:?}"
        );

        // Carol makes three: the group turns large, and its members hear where its stream is.
        change_members(&s, alice, &id, json!({ "add_members": ["carol"] })).await;
        let changed = bob_ws.next_event(3 * SECOND).await.expect("the change");
        assert_eq!(changed["kind"], "conversation.changed");
        assert_eq!(changed["data"]["stream"], 0);
        post(&s, alice, &messages, text("l-1", "large one")).await;
        assert_eq!(
            next_group_message(&mut bob_ws, &id).await,
            (1, "large one".into())
        );
        let legacy = frames(&mut legacy_ws, SECOND / 2).await;
        assert!(!legacy.is_empty(), "its own stream still flows");
        assert!(
            legacy.iter().all(|f| f.get("conversation_id").is_none()),
            "{legacy:?}"
        );
        let (_, own) = s
            .get(&format!("/api/v1/sync?since={bob_since}"), &bob)
            .await;
        let own_messages = own["events"].as_array().unwrap().iter();
        assert_eq!(
            own_messages.filter(|e| e["kind"] == "message.new").count(),
            1,
            "only the small group's message is in bob's own stream: {own}"
        );
        let positions = latest(&s, &bob).await["conversations"].clone();
        assert_eq!(positions.as_object().map(|p| p.len()), Some(1));
        assert_eq!(positions[&id], 1);
        let (status, page) = s
            .get(&format!("/api/v1/sync?since=0&conversation={id}"), &bob)
            .await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert_eq!(page["events"][0]["data"]["content"]["content"], "large one");
        let (status, err) = s
            .get(&format!("/api/v1/sync?since=0&conversation={id}"), &dave)
            .await;
        assert_eq!(
            (status, err["code"].as_str()),
            (StatusCode::NOT_FOUND, Some("conversation_not_found"))
        );

        // Bob away for two messages: back from his position, he gets them once, in order.
        bob_ws.close().await;
        post(&s, alice, &messages, text("l-2", "while away 1")).await;
        post(&s, alice, &messages, text("l-3", "while away 2")).await;
        let query = format!("since={bob_since}&conversations={id}:1");
        let mut bob_ws = s.ws_with(&bob, &query).await;
        post(&s, alice, &messages, text("l-4", "back")).await;
        let back = frames(&mut bob_ws, SECOND).await;
        assert_eq!(
            group_messages(&back, &id),
            vec![
                (2, "while away 1".into()),
                (3, "while away 2".into()),
                (4, "back".into())
            ]
        );

        // Dave is added while connected: his socket follows the group from then on.
        change_members(&s, alice, &id, json!({ "add_members": ["dave"] })).await;
        post(&s, alice, &messages, text("l-5", "welcome dave")).await;
        assert_eq!(
            next_group_message(&mut dave_ws, &id).await,
            (5, "welcome dave".into())
        );
        // Naming a group one is not in gets nothing of it.
        let eve = s.member(&c, "eve").await;
        let eve_since = latest(&s, &eve).await["seq"].as_i64().unwrap();
        let mut eve_ws = s
            .ws_with(&eve, &format!("since={eve_since}&conversations={id}:0"))
            .await;
        // Bob leaves: his socket stops at the change.
        let (status, _) = post(
            &s,
            &bob,
            &format!("/api/v1/conversations/{id}/leave"),
            json!({}),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        post(&s, alice, &messages, text("l-6", "after bob left")).await;
        // The group's stream notes the removal where it happened (sockets of those removed stop
        // there), then goes on.
        let seen = frames(&mut dave_ws, SECOND).await;
        let notice = seen
            .iter()
            .find(|f| f["event"]["kind"] == "conversation.members_removed")
            .expect("the removal in the group's stream");
        assert_eq!(
            (&notice["conversation_id"], &notice["event"]["seq"]),
            (&json!(id), &json!(6))
        );
        assert_eq!(notice["event"]["data"]["removed"], json!(["bob"]));
        assert_eq!(
            group_messages(&seen, &id),
            vec![(7, "after bob left".into())]
        );
        let after = frames(&mut bob_ws, SECOND / 2).await;
        assert_eq!(
            group_messages(&after, &id),
            vec![(5, "welcome dave".into())],
            "nothing after he left"
        );
        assert!(frames(&mut eve_ws, SECOND / 2).await.is_empty());

        // A device already at the group's head reconnects to nothing old, then the next one.
        dave_ws.close().await;
        let query = format!("since={dave_since}&conversations={id}:7");
        let mut dave_ws = s.ws_with(&dave, &query).await;
        post(&s, alice, &messages, text("l-7", "next")).await;
        let resumed = frames(&mut dave_ws, SECOND).await;
        assert_eq!(group_messages(&resumed, &id), vec![(8, "next".into())]);

        // A position past the group's head (a restored database): the client starts again.
        let ahead = format!("/api/v1/sync?conversation={id}&since=99");
        let (status, err) = s.get(&ahead, &dave).await;
        assert_eq!(
            (status, err["code"].as_str()),
            (StatusCode::GONE, Some("sync_expired"))
        );
        let query = format!("since={dave_since}&conversations={id}:99");
        let mut ahead_ws = s.ws_with(&dave, &query).await;
        assert_eq!(
            ahead_ws.next_json(5 * SECOND).await,
            Some(json!({ "type": "reset", "code": "sync_expired" }))
        );
        s.stop().await;
    }
}

#[tokio::test]
async fn groups_grown_past_a_lowered_threshold_switch_after_a_restart() {
    let s = TestServer::sqlite().await;
    let c = s.corp().await;
    let alice = c.admin_token.clone();
    let bob = s.member(&c, "bob").await;
    s.member(&c, "carol").await;
    let new_group = json!({ "kind": "group", "name": "老群", "members": ["bob", "carol"] });
    let (_, group) = post(&s, &alice, "/api/v1/conversations", new_group).await;
    let id = group["id"].as_str().unwrap().to_string();
    let messages = format!("/api/v1/conversations/{id}/messages");
    post(&s, &alice, &messages, text("o-1", "before")).await;
    assert_eq!(latest(&s, &bob).await["conversations"], json!({}));

    // The operator lowers the threshold: the group of three switches at start-up.
    let s = s
        .restart_with(|c| c.messaging.large_group_members = 2)
        .await;
    let mut positions = json!({});
    for _ in 0..50 {
        positions = latest(&s, &bob).await["conversations"].clone();
        if positions.get(&id).is_some() {
            break;
        }
        tokio::time::sleep(SECOND / 10).await;
    }
    assert_eq!(positions[&id], 0, "{positions}");
    let (_, own) = s.get("/api/v1/sync?since=0", &bob).await;
    let last = own["events"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        (&last["kind"], &last["data"]["stream"]),
        (&json!("conversation.changed"), &json!(0))
    );
    let since = latest(&s, &bob).await["seq"].as_i64().unwrap();
    let mut ws = s.ws(&bob, since).await;
    post(&s, &alice, &messages, text("o-2", "after")).await;
    assert_eq!(next_group_message(&mut ws, &id).await, (1, "after".into()));
    s.stop().await;
}

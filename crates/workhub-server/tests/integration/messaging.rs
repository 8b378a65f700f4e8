//! Conversations and messages over the native API: idempotent sends, read receipts, recall,
//! groups and their rules, and catch-up through the event stream with nothing missing or twice.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use workhub_testkit::TestDb;

use crate::support::{SECOND, TestServer};

pub async fn post(s: &TestServer, token: &str, path: &str, body: Value) -> (StatusCode, Value) {
    s.call(Method::POST, path, Some(token), Some(body)).await
}

/// Opens a direct chat from `token`'s owner to `peer`; the path of its messages.
pub async fn direct_messages_path(s: &TestServer, token: &str, peer: &str) -> String {
    let open = json!({ "kind": "direct", "userid": peer });
    let (status, chat) = post(s, token, "/api/v1/conversations", open).await;
    assert_eq!(status, StatusCode::OK, "{chat}");
    format!(
        "/api/v1/conversations/{}/messages",
        chat["id"].as_str().unwrap()
    )
}

pub fn text(client_msg_id: &str, content: &str) -> Value {
    json!({ "client_msg_id": client_msg_id, "type": "text", "content": { "content": content } })
}

/// Every event of a user's stream after `since`, following pages to the end.
pub async fn all_events(s: &TestServer, token: &str, since: i64) -> (Vec<Value>, usize) {
    let (mut events, mut since, mut requests) = (vec![], since, 0);
    loop {
        let (status, page) = s
            .get(&format!("/api/v1/sync?since={since}&limit=5000"), token)
            .await;
        assert_eq!(status, StatusCode::OK);
        requests += 1;
        events.extend(page["events"].as_array().unwrap().iter().cloned());
        since = page["next_since"].as_i64().unwrap();
        if page["has_more"] == false {
            return (events, requests);
        }
    }
}

#[tokio::test]
async fn direct_messages_are_idempotent_read_receipted_and_recallable() {
    for db in TestDb::both("direct messages").await {
        let s = TestServer::on(db).await;
        let c = s.corp().await;
        let alice = c.admin_token.as_str();
        let bob = s.member(&c, "bob").await;
        let (_, bob_start) = s.get("/api/v1/sync?since=0&limit=5000", &bob).await;
        let bob_since = bob_start["next_since"].as_i64().unwrap();

        let open = json!({ "kind": "direct", "userid": "bob" });
        let (status, chat) = post(&s, alice, "/api/v1/conversations", open.clone()).await;
        assert_eq!(status, StatusCode::OK, "{chat}");
        let (_, again) = post(
            &s,
            &bob,
            "/api/v1/conversations",
            json!({ "kind": "direct", "userid": "admin" }),
        )
        .await;
        assert_eq!(again["id"], chat["id"], "one direct conversation per pair");
        assert_eq!(again["peer"], "admin");
        let id = chat["id"].as_str().unwrap();
        let path = format!("/api/v1/conversations/{id}/messages");

        let (status, first) = post(&s, alice, &path, text("c-1", "你好 bob")).await;
        assert_eq!(status, StatusCode::OK, "{first}");
        let (_, retry) = post(&s, alice, &path, text("c-1", "你好 bob")).await;
        assert_eq!(
            retry["id"], first["id"],
            "a retry returns the first message"
        );
        let (_, second) = post(&s, alice, &path, text("c-2", "second")).await;
        assert_eq!(
            (first["seq"].as_i64(), second["seq"].as_i64()),
            (Some(1), Some(2))
        );

        let (events, _) = all_events(&s, &bob, bob_since).await;
        let delivered: Vec<&Value> = events
            .iter()
            .filter(|e| e["kind"] == "message.new")
            .collect();
        assert_eq!(
            delivered.len(),
            2,
            "the retry delivered nothing: {events:?}"
        );
        assert_eq!(delivered[0]["data"]["content"]["content"], "你好 bob");

        let (_, list) = s.get("/api/v1/conversations", &bob).await;
        assert_eq!(list["conversations"][0]["unread"], 2);
        assert_eq!(list["conversations"][0]["last_message"]["id"], second["id"]);

        let receipts = format!(
            "/api/v1/messages/{}/receipts",
            second["id"].as_str().unwrap()
        );
        assert_eq!(
            s.get(&receipts, alice).await.1,
            json!({ "read": [], "unread": ["bob"] })
        );
        let (_, latest) = s.get("/api/v1/sync?since=0&limit=5000", alice).await;
        let mut ws = s.ws(alice, latest["next_since"].as_i64().unwrap()).await;
        let (status, read) = post(
            &s,
            &bob,
            &format!("/api/v1/conversations/{id}/read"),
            json!({ "seq": 2 }),
        )
        .await;
        assert_eq!(
            (status, read["read_seq"].as_i64()),
            (StatusCode::OK, Some(2))
        );
        assert_eq!(
            s.get(&receipts, alice).await.1,
            json!({ "read": ["bob"], "unread": [] })
        );
        let pushed = ws
            .next_event(5 * SECOND)
            .await
            .expect("the sender hears that bob read it");
        assert_eq!(
            (pushed["kind"].as_str(), pushed["data"]["read_seq"].as_i64()),
            (Some("conversation.read"), Some(2))
        );
        ws.close().await;
        let (_, list) = s.get("/api/v1/conversations", &bob).await;
        assert_eq!(list["conversations"][0]["unread"], 0);

        let (_, page) = s.get(&format!("{path}?limit=1"), &bob).await;
        assert_eq!(
            (
                page["messages"][0]["seq"].as_i64(),
                page["has_more"].as_bool()
            ),
            (Some(2), Some(true))
        );
        let (_, older) = s.get(&format!("{path}?limit=5&before=2"), &bob).await;
        assert_eq!(older["messages"][0]["id"], first["id"]);

        let recall = format!("/api/v1/messages/{}/recall", first["id"].as_str().unwrap());
        let (status, refused) = post(&s, &bob, &recall, json!({})).await;
        assert_eq!(
            (status, refused["code"].as_str()),
            (StatusCode::FORBIDDEN, Some("recall_expired")),
            "not bob's message"
        );
        let (status, recalled) = post(&s, alice, &recall, json!({})).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            (recalled["recalled"].as_bool(), recalled["content"].clone()),
            (Some(true), json!({}))
        );
        let (events, _) = all_events(&s, &bob, bob_since).await;
        assert!(
            events
                .iter()
                .all(|e| e["data"]["content"]["content"] != "你好 bob"),
            "the recalled text is gone from the stream too"
        );
        assert!(events.iter().any(|e| e["kind"] == "message.recalled"));
        s.stop().await;
    }
}

#[tokio::test]
async fn groups_enforce_roles_and_strangers_see_nothing() {
    let s = TestServer::sqlite().await;
    let c = s.corp().await;
    let owner = c.admin_token.as_str();
    let bob = s.member(&c, "bob").await;
    let carol = s.member(&c, "carol").await;
    let new_group = json!({ "kind": "group", "name": "项目组", "members": ["bob"] });
    let (status, group) = post(&s, owner, "/api/v1/conversations", new_group).await;
    assert_eq!(status, StatusCode::OK, "{group}");
    assert_eq!(
        (group["my_role"].as_str(), group["member_count"].as_i64()),
        (Some("owner"), Some(2))
    );
    let id = group["id"].as_str().unwrap();
    let path = format!("/api/v1/conversations/{id}");

    let (status, err) = s.get(&path, &carol).await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("conversation_not_found"))
    );
    // Sending is refused where the message would be written: nothing is stored or delivered.
    for target in [path.clone(), "/api/v1/conversations/nowhere".to_string()] {
        let (status, err) =
            post(&s, &carol, &format!("{target}/messages"), text("c-1", "hi")).await;
        assert_eq!(
            (status, err["code"].as_str()),
            (StatusCode::NOT_FOUND, Some("conversation_not_found")),
            "{target}"
        );
    }
    let (_, history) = s.get(&format!("{path}/messages"), owner).await;
    assert!(
        history["messages"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["sender"] != "carol"),
        "{history}"
    );
    let mut all = text("m-1", "hello all");
    all["mentions"] = json!(["@all"]);
    let (status, err) = post(&s, &bob, &format!("{path}/messages"), all.clone()).await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("mention_all_forbidden"))
    );
    let (status, sent) = post(&s, owner, &format!("{path}/messages"), all).await;
    assert_eq!(
        (status, sent["mentions"].clone()),
        (StatusCode::OK, json!(["@all"]))
    );

    let rename = json!({ "name": "新名字" });
    let (status, err) = s
        .call(Method::PATCH, &path, Some(&bob), Some(rename.clone()))
        .await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("not_group_manager"))
    );
    let (status, _) = s
        .call(
            Method::PATCH,
            &path,
            Some(&bob),
            Some(json!({ "add_members": ["carol"] })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "any member may invite");
    let (_, renamed) = s
        .call(Method::PATCH, &path, Some(owner), Some(rename))
        .await;
    assert_eq!(
        (renamed["name"].as_str(), renamed["member_count"].as_i64()),
        (Some("新名字"), Some(3))
    );
    let (status, _) = s
        .call(
            Method::PATCH,
            &path,
            Some(owner),
            Some(json!({ "add_members": ["ghost"] })),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "unknown members are refused"
    );
    let (status, detail) = s.get(&path, &carol).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(detail["members"].as_array().unwrap().len(), 3);

    let (status, _) = post(&s, &carol, &format!("{path}/leave"), json!({})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(s.get(&path, &carol).await.0, StatusCode::NOT_FOUND);

    // Another company's member gets nothing, whatever id they try.
    let other = s.corp().await;
    assert_eq!(
        s.get(&path, &other.admin_token).await.0,
        StatusCode::NOT_FOUND
    );
    let (status, _) = post(
        &s,
        &other.admin_token,
        &format!("{path}/messages"),
        text("x", "hi"),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let receipts = format!("/api/v1/messages/{}/receipts", sent["id"].as_str().unwrap());
    assert_eq!(
        s.get(&receipts, &other.admin_token).await.0,
        StatusCode::NOT_FOUND
    );

    for bad in [
        json!({ "client_msg_id": "e", "type": "text", "content": { "content": " " } }),
        json!({ "client_msg_id": "t", "type": "sticker", "content": {} }),
        json!({ "client_msg_id": "", "type": "text", "content": { "content": "x" } }),
        json!({ "client_msg_id": "l", "type": "text", "content": { "content": "字".repeat(6000) } }),
        json!({ "type": "text" }),
    ] {
        let (status, err) = post(&s, owner, &format!("{path}/messages"), bad.clone()).await;
        assert!(status.is_client_error(), "{bad}: {status} {err}");
        assert!(err["code"].is_string());
    }
    s.stop().await;
}

#[tokio::test]
async fn an_offline_member_catches_up_in_order_once() {
    for db in TestDb::both("message catch-up").await {
        let s = TestServer::on(db).await;
        let c = s.corp().await;
        let bob = s.member(&c, "bob").await;
        let (_, start) = s.get("/api/v1/sync?since=0&limit=5000", &bob).await;
        let since = start["next_since"].as_i64().unwrap();
        let path = direct_messages_path(&s, &c.admin_token, "bob").await;
        // Bob's phone is online and sees the messages pushed as they are sent.
        let mut phone = s.ws(&bob, since).await;
        // Eight concurrent senders (devices) while bob's laptop is offline.
        let sends = (0..8).map(|device| {
            let (s, path, token) = (&s, &path, c.admin_token.clone());
            async move {
                for i in 0..75 {
                    let id = format!("d{device}-{i}");
                    assert_eq!(
                        post(s, &token, path, text(&id, &id)).await.0,
                        StatusCode::OK
                    );
                }
            }
        });
        futures::future::join_all(sends).await;
        let (events, requests) = all_events(&s, &bob, since).await;
        assert_eq!(requests, 1, "600 messages fit one page");
        let seqs: Vec<i64> = events
            .iter()
            .filter(|e| e["kind"] == "message.new")
            .map(|e| e["data"]["seq"].as_i64().unwrap())
            .collect();
        assert_eq!(
            seqs,
            (1..=600).collect::<Vec<_>>(),
            "every message once, in order"
        );
        let stream: Vec<i64> = events.iter().map(|e| e["seq"].as_i64().unwrap()).collect();
        assert!(
            stream.windows(2).all(|w| w[1] == w[0] + 1),
            "no gaps in the stream"
        );
        let mut pushed = vec![];
        while pushed.len() < events.len() {
            pushed.push(phone.next_event(5 * SECOND).await.expect("pushed in time"));
        }
        assert_eq!(pushed, events, "the pushed stream is the synced stream");
        phone.close().await;
        s.stop().await;
    }
}

#[tokio::test]
async fn messages_past_retention_are_purged_from_every_read_path() {
    for db in TestDb::both("message retention").await {
        // Groups of three are large here: their messages live in the group's own stream.
        let clock = workhub_core::FixedClock::at(1_800_000_000_000);
        let s = TestServer::with(db, clock, |c| c.messaging.large_group_members = 2).await;
        let c = s.corp().await;
        let admin = c.admin_token.as_str();
        let bob = s.member(&c, "bob").await;
        s.member(&c, "carol").await;
        let (status, err) = s
            .call(
                Method::PUT,
                "/api/v1/admin/messaging",
                Some(&bob),
                Some(json!({ "retention_days": 1 })),
            )
            .await;
        assert_eq!(
            (status, err["code"].as_str()),
            (StatusCode::FORBIDDEN, Some("forbidden"))
        );
        let (_, settings) = s.get("/api/v1/admin/messaging", admin).await;
        assert_eq!(settings["retention_days"], 180, "the default");
        let (status, _) = s
            .call(
                Method::PUT,
                "/api/v1/admin/messaging",
                Some(admin),
                Some(json!({ "retention_days": 0 })),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        let (_, saved) = s
            .call(
                Method::PUT,
                "/api/v1/admin/messaging",
                Some(admin),
                Some(json!({ "retention_days": 30 })),
            )
            .await;
        assert_eq!(saved["retention_days"], 30);

        // Sessions expire over the weeks this test skips: sign in again after each jump.
        let fresh = |login: &'static str, password: &'static str| {
            let s = &s;
            let corpid = c.corpid.clone();
            async move {
                let (_, body) = s.login(&corpid, login, password, "again").await;
                body["token"].as_str().unwrap().to_string()
            }
        };
        let path = direct_messages_path(&s, admin, "bob").await;
        let (_, old) = post(&s, admin, &path, text("old-1", "机密：旧消息")).await;
        let trio = json!({ "kind": "group", "name": "大群", "members": ["bob", "carol"] });
        let (_, group) = post(&s, admin, "/api/v1/conversations", trio).await;
        let group = group["id"].as_str().unwrap().to_string();
        let group_path = format!("/api/v1/conversations/{group}/messages");
        post(&s, admin, &group_path, text("old-2", "机密：大群旧消息")).await;
        s.clock.advance_ms(20 * 86_400_000);
        let admin = fresh("admin", crate::support::ADMIN_PASSWORD).await;
        let admin = admin.as_str();
        let (_, recent) = post(&s, admin, &path, text("new-1", "新消息")).await;
        s.clock.advance_ms(11 * 86_400_000);
        let admin = fresh("admin", crate::support::ADMIN_PASSWORD).await;
        let admin = admin.as_str();
        assert_eq!(
            s.domain.messaging.purge_expired().await.unwrap(),
            2,
            "only the 31-day-old ones"
        );
        let bob = fresh("bob", crate::support::MEMBER_PASSWORD).await;

        let (_, history) = s.get(&path, &bob).await;
        let ids: Vec<&Value> = history["messages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| &m["id"])
            .collect();
        assert_eq!(ids, [&recent["id"]]);
        let receipts = format!("/api/v1/messages/{}/receipts", old["id"].as_str().unwrap());
        assert_eq!(s.get(&receipts, admin).await.0, StatusCode::NOT_FOUND);
        let (events, _) = all_events(&s, &bob, 0).await;
        let text_of_stream = serde_json::to_string(&events).unwrap();
        assert!(
            !text_of_stream.contains("旧消息"),
            "the stream no longer carries it"
        );
        assert!(events.iter().any(|e| e["data"]["purged"] == true));
        assert!(text_of_stream.contains("新消息"));
        let (status, page) = s
            .get(&format!("/api/v1/sync?since=0&conversation={group}"), &bob)
            .await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            !page.to_string().contains("大群旧消息"),
            "nor the group's: {page}"
        );
        assert_eq!(page["events"][0]["data"]["purged"], true);
        let (_, audit) = s.get("/api/v1/admin/audit", admin).await;
        assert!(audit.to_string().contains("messaging.retention_changed"));
        s.stop().await;
    }
}

#[tokio::test]
async fn sensitive_words_block_mask_and_warn_before_anything_is_stored() {
    let s = TestServer::sqlite().await;
    let c = s.corp().await;
    let admin = c.admin_token.as_str();
    let bob = s.member(&c, "bob").await;
    let words = json!({ "words": [
        { "word": "赌博", "action": "block" },
        { "word": "发票", "action": "mask" },
        { "word": "VPN", "action": "warn" },
    ] });
    let (status, _) = s
        .call(
            Method::PUT,
            "/api/v1/admin/sensitive-words",
            Some(&bob),
            Some(words.clone()),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, saved) = s
        .call(
            Method::PUT,
            "/api/v1/admin/sensitive-words",
            Some(admin),
            Some(words),
        )
        .await;
    assert_eq!((status, saved["count"].as_i64()), (StatusCode::OK, Some(3)));
    let bad = json!({ "words": [{ "word": "x", "action": "explode" }] });
    assert_eq!(
        s.call(
            Method::PUT,
            "/api/v1/admin/sensitive-words",
            Some(admin),
            Some(bad)
        )
        .await
        .0,
        StatusCode::BAD_REQUEST
    );

    let path = direct_messages_path(&s, &bob, "admin").await;
    let (status, err) = post(&s, &bob, &path, text("s-1", "今晚一起賭 博吗")).await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("sensitive_word"))
    );
    let (_, masked) = post(&s, &bob, &path, text("s-2", "代开ｆａ發票，联系我")).await;
    assert_eq!(masked["content"]["content"], "代开ｆａ**，联系我");
    let (status, warned) = post(&s, &bob, &path, text("s-3", "公司 vpn 怎么连")).await;
    assert_eq!(
        (status, warned["content"]["content"].as_str()),
        (StatusCode::OK, Some("公司 vpn 怎么连"))
    );
    let (_, history) = s.get(&path, admin).await;
    let stored = history.to_string();
    assert!(
        !stored.contains("賭") && !stored.contains("發票"),
        "blocked and masked text never stored"
    );

    // An app's message is screened the same way.
    let (_, app) = post(&s, admin, "/api/v1/admin/apps", json!({ "name": "通知" })).await;
    let query = format!(
        "/cgi-bin/gettoken?corpid={}&corpsecret={}",
        c.corpid,
        app["secret"].as_str().unwrap()
    );
    let token = s.call(Method::GET, &query, None, None).await.1["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let body = json!({ "touser": "bob", "agentid": app["agentid"], "msgtype": "text", "text": { "content": "赌博网站" } });
    let sent: Value = s
        .http
        .post(format!(
            "{}/cgi-bin/message/send?access_token={token}",
            s.url
        ))
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_ne!(sent["errcode"], 0);

    let (_, audit) = s
        .get("/api/v1/admin/audit?action=messaging.sensitive_word", admin)
        .await;
    let log = audit.to_string();
    assert!(
        log.contains("赌博:block") && log.contains("发票:mask") && log.contains("vpn:warn"),
        "{log}"
    );

    let file = "# 每行一个词\n广告,mask\n刷单\n";
    let res = s
        .http
        .post(format!(
            "{}/api/v1/admin/sensitive-words/import?action=block",
            s.url
        ))
        .bearer_auth(admin)
        .body(file)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let (_, list) = s.get("/api/v1/admin/sensitive-words", admin).await;
    assert_eq!(
        list["words"],
        json!([{ "word": "刷单", "action": "block" }, { "word": "广告", "action": "mask" }])
    );
    s.stop().await;
}

#[tokio::test]
async fn reactions_toggle_and_every_member_sees_the_tally() {
    let s = TestServer::sqlite().await;
    let c = s.corp().await;
    let admin = c.admin_token.as_str();
    let bob = s.member(&c, "bob").await;
    let path = direct_messages_path(&s, admin, "bob").await;
    let (_, sent) = post(&s, admin, &path, text("r-1", "上线了")).await;
    let react = format!(
        "/api/v1/messages/{}/reactions",
        sent["id"].as_str().unwrap()
    );
    let (_, first) = post(&s, &bob, &react, json!({ "emoji": "👍" })).await;
    assert_eq!(
        first["reactions"],
        json!([{ "emoji": "👍", "users": ["bob"] }])
    );
    let (_, both) = post(&s, admin, &react, json!({ "emoji": "👍" })).await;
    assert_eq!(
        both["reactions"],
        json!([{ "emoji": "👍", "users": ["bob", "admin"] }])
    );
    let (_, undone) = post(&s, &bob, &react, json!({ "emoji": "👍" })).await;
    assert_eq!(
        undone["reactions"],
        json!([{ "emoji": "👍", "users": ["admin"] }])
    );
    let (status, _) = post(&s, &bob, &react, json!({ "emoji": "hello" })).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "letters are not an emoji");
    let (_, history) = s.get(&path, &bob).await;
    assert_eq!(
        history["messages"][0]["reactions"],
        json!([{ "emoji": "👍", "users": ["admin"] }])
    );
    let (events, _) = all_events(&s, &bob, 0).await;
    let last = events
        .iter()
        .rev()
        .find(|e| e["kind"] == "message.reactions")
        .unwrap();
    assert_eq!(last["data"]["reactions"], undone["reactions"]);
    s.stop().await;
}

#[tokio::test]
async fn department_groups_follow_the_directory() {
    let s = TestServer::sqlite().await;
    let c = s.corp().await;
    let admin = c.admin_token.as_str();
    let (_, dept) = post(
        &s,
        admin,
        "/api/v1/directory/departments",
        json!({ "name": "研发部", "parentid": 1 }),
    )
    .await;
    let dept = dept["id"].as_i64().unwrap();
    let (_, team) = post(
        &s,
        admin,
        "/api/v1/directory/departments",
        json!({ "name": "后端组", "parentid": dept }),
    )
    .await;
    let team = team["id"].as_i64().unwrap();
    let member = |userid: &str, d: i64| json!({ "userid": userid, "name": userid, "department": [d], "email": format!("{userid}@acme.test") });
    for (u, d) in [("dev1", dept), ("dev2", team), ("sales1", 1)] {
        assert_eq!(
            post(&s, admin, "/api/v1/directory/members", member(u, d))
                .await
                .0,
            StatusCode::OK
        );
    }
    let bob = s.member(&c, "bob").await;
    let body = json!({ "kind": "group", "name": "研发部", "department": dept });
    assert_eq!(
        post(&s, &bob, "/api/v1/conversations", body.clone())
            .await
            .0,
        StatusCode::FORBIDDEN,
        "administrators only"
    );
    let (status, group) = post(&s, admin, "/api/v1/conversations", body.clone()).await;
    assert_eq!(status, StatusCode::OK, "{group}");
    let (_, again) = post(&s, admin, "/api/v1/conversations", body).await;
    assert_eq!(again["id"], group["id"], "one group per department");
    let path = format!("/api/v1/conversations/{}", group["id"].as_str().unwrap());
    let members = |detail: &Value| -> Vec<String> {
        let mut list: Vec<String> = detail["members"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["userid"].as_str().unwrap().to_string())
            .collect();
        list.sort();
        list
    };
    assert_eq!(
        members(&s.get(&path, admin).await.1),
        ["admin", "dev1", "dev2"]
    );

    // dev2 moves to sales, sales1 joins the team: the group follows at the next sync.
    let patch = |d: i64| json!({ "department": [d] });
    assert_eq!(
        s.call(
            Method::PATCH,
            "/api/v1/directory/members/dev2",
            Some(admin),
            Some(patch(1))
        )
        .await
        .0,
        StatusCode::OK
    );
    assert_eq!(
        s.call(
            Method::PATCH,
            "/api/v1/directory/members/sales1",
            Some(admin),
            Some(patch(team))
        )
        .await
        .0,
        StatusCode::OK
    );
    assert_eq!(
        s.domain.messaging.sync_department_groups().await.unwrap(),
        1
    );
    assert_eq!(
        members(&s.get(&path, admin).await.1),
        ["admin", "dev1", "sales1"]
    );
    assert_eq!(
        s.domain.messaging.sync_department_groups().await.unwrap(),
        0,
        "nothing left to do"
    );
    s.stop().await;
}

#[tokio::test]
async fn owners_name_admins_and_small_groups_see_reads_live() {
    let s = TestServer::sqlite().await;
    let c = s.corp().await;
    let owner = c.admin_token.as_str();
    let bob = s.member(&c, "bob").await;
    let carol = s.member(&c, "carol").await;
    let body = json!({ "kind": "group", "name": "小组", "members": ["bob", "carol"] });
    let (_, group) = post(&s, owner, "/api/v1/conversations", body).await;
    let path = format!("/api/v1/conversations/{}", group["id"].as_str().unwrap());
    let admins = json!({ "admins": ["bob"] });
    let (status, _) = s
        .call(Method::PATCH, &path, Some(&carol), Some(admins.clone()))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "only the owner names admins");
    let (status, _) = s
        .call(
            Method::PATCH,
            &path,
            Some(owner),
            Some(json!({ "admins": ["ghost"] })),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        s.call(Method::PATCH, &path, Some(owner), Some(admins))
            .await
            .0,
        StatusCode::OK
    );
    let (status, renamed) = s
        .call(
            Method::PATCH,
            &path,
            Some(&bob),
            Some(json!({ "name": "bob 改的名" })),
        )
        .await;
    assert_eq!(
        (status, renamed["my_role"].as_str()),
        (StatusCode::OK, Some("admin"))
    );

    let (_, sent) = post(
        &s,
        owner,
        &format!("{path}/messages"),
        text("g-1", "大家好"),
    )
    .await;
    let one = format!("/api/v1/messages/{}", sent["id"].as_str().unwrap());
    assert_eq!(s.get(&one, &carol).await.1["content"]["content"], "大家好");
    let (_, latest) = s.get("/api/v1/sync?since=0&limit=5000", owner).await;
    let mut ws = s.ws(owner, latest["next_since"].as_i64().unwrap()).await;
    post(
        &s,
        &carol,
        &format!("{path}/read"),
        json!({ "seq": sent["seq"] }),
    )
    .await;
    let pushed = ws
        .next_event(5 * SECOND)
        .await
        .expect("the sender hears carol read it");
    assert_eq!(
        (pushed["kind"].as_str(), pushed["data"]["userid"].as_str()),
        (Some("conversation.read"), Some("carol"))
    );
    ws.close().await;

    let (_, app) = post(&s, owner, "/api/v1/admin/apps", json!({ "name": "告警" })).await;
    let (_, apps) = s.get("/api/v1/apps", &carol).await;
    assert_eq!(
        apps["apps"],
        json!([{ "agentid": app["agentid"], "name": "告警" }])
    );
    s.stop().await;
}

#[tokio::test]
async fn a_resigning_member_hands_their_groups_to_a_successor() {
    for db in TestDb::both("resign").await {
        let s = TestServer::on(db).await;
        let c = s.corp().await;
        let admin = c.admin_token.as_str();
        let bob = s.member(&c, "bob").await;
        let carol = s.member(&c, "carol").await;
        let _dave = s.member(&c, "dave").await;
        // Bob owns two groups (Carol is in one) and is a member of the admin's group.
        let mut owned = vec![];
        for members in [json!(["carol"]), json!(["dave"])] {
            let body = json!({ "kind": "group", "name": "bob's", "members": members });
            let (status, group) = post(&s, &bob, "/api/v1/conversations", body).await;
            assert_eq!(status, StatusCode::OK, "{group}");
            owned.push(group["id"].as_str().unwrap().to_string());
        }
        let body = json!({ "kind": "group", "name": "admin's", "members": ["bob"] });
        let (_, theirs) = post(&s, admin, "/api/v1/conversations", body).await;
        let (_, since) = s.get("/api/v1/sync?since=0", &carol).await;
        let since = since["next_since"].as_i64().unwrap_or(0);

        let resign = |who: &str, to: &str, token: &str| {
            let path = format!("/api/v1/directory/members/{who}/resign");
            let (s, token, body) = (&s, token.to_string(), json!({ "handover_to": to }));
            async move { s.call(Method::POST, &path, Some(&token), Some(body)).await }
        };
        let (status, _) = resign("bob", "carol", &carol).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "members cannot");
        let (status, e) = resign("bob", "bob", admin).await;
        assert_eq!(
            (status, e["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some("invalid_userid"))
        );
        let (status, e) = resign("bob", "nobody", admin).await;
        assert_eq!(
            (status, e["code"].as_str()),
            (StatusCode::NOT_FOUND, Some("user_not_found"))
        );
        let (status, handed) = resign("bob", "carol", admin).await;
        assert_eq!(status, StatusCode::OK, "{handed}");
        assert_eq!(handed["groups_transferred"], 2);

        for id in &owned {
            let (status, group) = s.get(&format!("/api/v1/conversations/{id}"), &carol).await;
            assert_eq!(status, StatusCode::OK, "Carol joined and owns {id}");
            assert_eq!(group["conversation"]["my_role"], "owner", "{group}");
            let ids: Vec<&str> = group["members"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m["userid"].as_str().unwrap())
                .collect();
            assert!(!ids.contains(&"bob"), "{ids:?}");
        }
        let path = format!("/api/v1/conversations/{}", theirs["id"].as_str().unwrap());
        let (_, group) = s.get(&path, admin).await;
        assert_eq!(
            group["conversation"]["member_count"], 1,
            "Bob left the admin's group: {group}"
        );
        let (_, bob_now) = s.get("/api/v1/directory/members/bob", admin).await;
        assert_eq!(bob_now["status"], 2, "disabled");
        let (status, _) = s.get("/api/v1/me", &bob).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "signed out");

        // Everyone's stream says who left and who took over.
        let (events, _) = all_events(&s, &carol, since).await;
        let resigned = events
            .iter()
            .find(|e| e["kind"] == "member.resigned")
            .expect("event");
        assert_eq!(resigned["data"]["handover_to"], "carol", "{resigned}");
        assert_eq!(resigned["data"]["userid"], "bob");
        s.stop().await;
    }
}

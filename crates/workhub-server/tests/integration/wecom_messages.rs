//! WeCom's messaging API as existing integrations call it: `message/send` and `recall`,
//! `appchat/*` and the group robot webhook (shared/wecom-api.md §5, §13.2).

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use workhub_testkit::TestDb;

use crate::messaging::{all_events, post};
use crate::support::{TestCorp, TestServer};

/// A self-built app of `c` and an access token for it.
async fn app_token(s: &TestServer, c: &TestCorp, name: &str) -> (i64, String) {
    let (status, app) = post(
        s,
        &c.admin_token,
        "/api/v1/admin/apps",
        json!({ "name": name }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{app}");
    let query = format!(
        "/cgi-bin/gettoken?corpid={}&corpsecret={}",
        c.corpid,
        app["secret"].as_str().unwrap()
    );
    let (_, token) = s.call(Method::GET, &query, None, None).await;
    (
        app["agentid"].as_i64().unwrap(),
        token["access_token"].as_str().unwrap().to_string(),
    )
}

/// A WeCom call: always HTTP 200, the body carries errcode.
async fn cgi(s: &TestServer, path: &str, token: &str, body: Option<Value>) -> Value {
    let sep = if path.contains('?') { '&' } else { '?' };
    let url = format!("{}/cgi-bin/{path}{sep}access_token={token}", s.url);
    let req = match body {
        Some(b) => s.http.post(url).body(b.to_string()),
        None => s.http.get(url),
    };
    let res = req.send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

/// The messages a member's stream delivered, as (type, content) pairs.
async fn received(s: &TestServer, token: &str) -> Vec<(String, Value)> {
    let (events, _) = all_events(s, token, 0).await;
    events
        .iter()
        .filter(|e| e["kind"] == "message.new")
        .map(|e| {
            (
                e["data"]["type"].as_str().unwrap().to_string(),
                e["data"]["content"].clone(),
            )
        })
        .collect()
}

#[tokio::test]
async fn app_messages_reach_members_and_report_invalid_targets() {
    for db in TestDb::both("wecom message/send").await {
        let s = TestServer::on(db).await;
        let c = s.corp().await;
        let bob = s.member(&c, "bob").await;
        let (agentid, token) = app_token(&s, &c, "告警").await;

        // Alertmanager's body: agentid and safe as strings, text and markdown both present.
        let alert = json!({ "text": { "content": "" }, "touser": "@all", "agentid": agentid.to_string(),
            "safe": "0", "msgtype": "markdown", "markdown": { "content": "**FIRING** disk full" } });
        let sent = cgi(&s, "message/send", &token, Some(alert)).await;
        assert_eq!(sent["errcode"], 0, "{sent}");
        assert!(sent["msgid"].as_str().is_some_and(|m| !m.is_empty()));
        assert_eq!(
            received(&s, &bob).await,
            [(
                "markdown".to_string(),
                json!({ "content": "**FIRING** disk full" })
            )]
        );
        let (_, list) = s.get("/api/v1/conversations", &bob).await;
        assert_eq!(
            (
                list["conversations"][0]["kind"].as_str(),
                list["conversations"][0]["name"].as_str()
            ),
            (Some("app"), Some("告警"))
        );

        let partly = json!({ "touser": "BOB|nobody", "toparty": "1|999", "totag": "42", "agentid": agentid,
            "msgtype": "text", "text": { "content": "hi" } });
        let sent = cgi(&s, "message/send", &token, Some(partly)).await;
        assert_eq!(
            (
                sent["errcode"].as_i64(),
                sent["invaliduser"].as_str(),
                sent["invalidparty"].as_str(),
                sent["invalidtag"].as_str()
            ),
            (Some(0), Some("nobody"), Some("999"), Some("42"))
        );
        assert_eq!(
            received(&s, &bob).await.len(),
            2,
            "bob got it once though named twice"
        );

        let none = json!({ "touser": "nobody", "agentid": agentid, "msgtype": "text", "text": { "content": "hi" } });
        let sent = cgi(&s, "message/send", &token, Some(none)).await;
        assert_eq!(
            (sent["errcode"].as_i64(), sent["invaliduser"].as_str()),
            (Some(81013), Some("nobody"))
        );
        let wrong_agent = json!({ "touser": "bob", "agentid": agentid + 1, "msgtype": "text", "text": { "content": "hi" } });
        assert_ne!(
            cgi(&s, "message/send", &token, Some(wrong_agent)).await["errcode"],
            0
        );
        let bad_type =
            json!({ "touser": "bob", "agentid": agentid, "msgtype": "hologram", "hologram": {} });
        assert_eq!(
            cgi(&s, "message/send", &token, Some(bad_type)).await["errcode"],
            40008
        );
        let empty = json!({ "touser": "bob", "agentid": agentid, "msgtype": "text", "text": { "content": "" } });
        assert_eq!(
            cgi(&s, "message/send", &token, Some(empty)).await["errcode"],
            44004
        );

        let card = json!({ "touser": "bob", "agentid": agentid, "msgtype": "textcard",
            "textcard": { "title": "审批", "description": "<div class=\"gray\">今天</div>", "url": "https://example.com/a", "btntxt": "详情" } });
        let sent = cgi(&s, "message/send", &token, Some(card)).await;
        assert_eq!(sent["errcode"], 0);
        let recall = cgi(
            &s,
            "message/recall",
            &token,
            Some(json!({ "msgid": sent["msgid"] })),
        )
        .await;
        assert_eq!(recall["errcode"], 0);
        let (events, _) = all_events(&s, &bob, 0).await;
        assert!(
            events
                .iter()
                .any(|e| e["kind"] == "message.recalled" && e["data"]["type"] == "textcard")
        );
        let again = cgi(
            &s,
            "message/recall",
            &token,
            Some(json!({ "msgid": "0000" })),
        )
        .await;
        assert_ne!(again["errcode"], 0, "an unknown msgid is an error");
        s.stop().await;
    }
}

#[tokio::test]
async fn app_group_chats_and_robot_webhooks() {
    let s = TestServer::sqlite().await;
    let c = s.corp().await;
    let bob = s.member(&c, "bob").await;
    let (_, token) = app_token(&s, &c, "机器人应用").await;

    let create = json!({ "name": "值班群", "owner": "admin", "userlist": ["admin", "bob"], "chatid": "oncall1" });
    let created = cgi(&s, "appchat/create", &token, Some(create.clone())).await;
    assert_eq!(
        (created["errcode"].as_i64(), created["chatid"].as_str()),
        (Some(0), Some("oncall1"))
    );
    assert_ne!(
        cgi(&s, "appchat/create", &token, Some(create)).await["errcode"],
        0,
        "the chatid is taken"
    );
    let too_few = json!({ "name": "x", "userlist": ["admin"] });
    assert_eq!(
        cgi(&s, "appchat/create", &token, Some(too_few)).await["errcode"],
        86006
    );
    let bad_id = json!({ "name": "x", "userlist": ["admin", "bob"], "chatid": "no-dashes" });
    assert_eq!(
        cgi(&s, "appchat/create", &token, Some(bad_id)).await["errcode"],
        86001
    );

    let got = cgi(&s, "appchat/get?chatid=oncall1", &token, None).await;
    assert_eq!(got["chat_info"]["userlist"], json!(["admin", "bob"]));
    assert_eq!(
        cgi(&s, "appchat/get?chatid=nope", &token, None).await["errcode"],
        86003
    );
    let update = json!({ "chatid": "oncall1", "name": "值班群 2", "del_user_list": ["bob"] });
    assert_eq!(
        cgi(&s, "appchat/update", &token, Some(update)).await["errcode"],
        0
    );
    let got = cgi(&s, "appchat/get?chatid=oncall1", &token, None).await;
    assert_eq!(
        (
            got["chat_info"]["name"].as_str(),
            got["chat_info"]["userlist"].clone()
        ),
        (Some("值班群 2"), json!(["admin"]))
    );
    let back = json!({ "chatid": "oncall1", "add_user_list": ["bob"] });
    assert_eq!(
        cgi(&s, "appchat/update", &token, Some(back)).await["errcode"],
        0
    );
    let send = json!({ "chatid": "oncall1", "msgtype": "text", "text": { "content": "交接" } });
    assert_eq!(
        cgi(&s, "appchat/send", &token, Some(send)).await["errcode"],
        0
    );
    assert!(
        received(&s, &bob)
            .await
            .contains(&("text".into(), json!({ "content": "交接" })))
    );

    // The owner adds a robot in the group's settings; its URL needs no access token.
    let path = "/api/v1/conversations/oncall1/robots";
    let (status, refused) = post(&s, &bob, path, json!({ "name": "告警" })).await;
    assert_eq!(
        (status, refused["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("not_group_manager"))
    );
    let (status, robot) = post(&s, &c.admin_token, path, json!({ "name": "告警" })).await;
    assert_eq!(status, StatusCode::OK, "{robot}");
    let url = robot["webhook_url"].as_str().unwrap();
    assert!(url.contains("/cgi-bin/webhook/send?key="), "{url}");
    let key = robot["key"].as_str().unwrap();
    let hook = |body: Value| {
        let url = format!("{}/cgi-bin/webhook/send?key={key}", s.url);
        let http = s.http.clone();
        async move {
            http.post(url)
                .json(&body)
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    let text =
        json!({ "msgtype": "text", "text": { "content": "磁盘满了", "mentioned_list": ["bob"] } });
    assert_eq!(hook(text).await["errcode"], 0);
    // Grafana's robot body.
    let grafana = json!({ "markdown": { "content": "# Alert\nCPU\n" }, "msgtype": "markdown" });
    assert_eq!(hook(grafana).await["errcode"], 0);
    // A file the robot uploads first (over 1 MiB), then sends by its media_id.
    let part = reqwest::multipart::Part::bytes(vec![7u8; 2_000_000]).file_name("dump.bin");
    let form = reqwest::multipart::Form::new().part("media", part);
    let upload = format!("{}/cgi-bin/webhook/upload_media?key={key}&type=file", s.url);
    let up: Value = s
        .http
        .post(upload)
        .multipart(form)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (up["errcode"].as_i64(), up["type"].as_str()),
        (Some(0), Some("file")),
        "{up}"
    );
    let file = json!({ "msgtype": "file", "file": { "media_id": up["media_id"] } });
    assert_eq!(hook(file).await["errcode"], 0);
    let unknown = json!({ "msgtype": "file", "file": { "media_id": "no-such-media" } });
    assert_eq!(hook(unknown).await["errcode"], 40007);
    let (events, _) = all_events(&s, &bob, 0).await;
    let sent = events
        .iter()
        .find(|e| e["kind"] == "message.new" && e["data"]["type"] == "file")
        .expect("the robot's file reached bob");
    let content = &sent["data"]["content"];
    assert_eq!(
        (content["name"].as_str(), content["size"].as_i64()),
        (Some("dump.bin"), Some(2_000_000))
    );
    let file_path = format!("/api/v1/files/{}", content["file_id"].as_str().unwrap());
    let download = s
        .http
        .get(format!("{}{file_path}", s.url))
        .bearer_auth(&bob)
        .send()
        .await
        .unwrap();
    assert_eq!(
        download.bytes().await.unwrap().len(),
        2_000_000,
        "members download it"
    );
    let robot_text = events
        .iter()
        .find(|e| e["kind"] == "message.new" && e["data"]["content"]["content"] == "磁盘满了")
        .expect("the robot's message reached bob");
    assert_eq!(
        (
            robot_text["data"]["sender"].as_str(),
            robot_text["data"]["mentions"].clone()
        ),
        (Some("robot:告警"), json!(["bob"]))
    );

    let bad = s
        .http
        .post(format!("{}/cgi-bin/webhook/send?key=nope", s.url))
        .json(&json!({ "msgtype": "text", "text": { "content": "x" } }));
    assert_eq!(
        bad.send().await.unwrap().json::<Value>().await.unwrap()["errcode"],
        93000
    );
    let mut last = Value::Null;
    for _ in 0..20 {
        last = hook(json!({ "msgtype": "text", "text": { "content": "flood" } })).await;
    }
    assert_eq!(last["errcode"], 45009, "20 messages a minute per robot");

    let (_, detail) = s.get("/api/v1/conversations/oncall1", &c.admin_token).await;
    let hint = detail["robots"][0]["key_hint"]
        .as_str()
        .unwrap()
        .to_string();
    let removed = s
        .call(
            Method::DELETE,
            &format!("{path}/{hint}"),
            Some(&c.admin_token),
            None,
        )
        .await;
    assert_eq!(removed.0, StatusCode::OK);
    assert_eq!(
        hook(json!({ "msgtype": "text", "text": { "content": "x" } })).await["errcode"],
        93000
    );
    s.stop().await;
}

#[tokio::test]
async fn media_uploaded_by_an_app_is_served_to_its_company_only() {
    let s = TestServer::sqlite().await;
    let c = s.corp().await;
    let (_, token) = app_token(&s, &c, "上传").await;
    let bytes = "季度报表\n第一行".as_bytes().to_vec();
    let part = reqwest::multipart::Part::bytes(bytes.clone()).file_name("报表.txt");
    let form = reqwest::multipart::Form::new().part("media", part);
    let url = format!(
        "{}/cgi-bin/media/upload?access_token={token}&type=file",
        s.url
    );
    let up: Value = s
        .http
        .post(url)
        .multipart(form)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(up["errcode"], 0, "{up}");
    let media_id = up["media_id"].as_str().unwrap();
    let get = format!(
        "{}/cgi-bin/media/get?access_token={token}&media_id={media_id}",
        s.url
    );
    let res = s.http.get(&get).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.bytes().await.unwrap().to_vec(), bytes);
    let part = s
        .http
        .get(&get)
        .header("range", "bytes=0-2")
        .send()
        .await
        .unwrap();
    assert_eq!(part.bytes().await.unwrap().to_vec(), bytes[..3].to_vec());

    let other = s.corp().await;
    let (_, foreign) = app_token(&s, &other, "别家").await;
    let theirs = format!(
        "{}/cgi-bin/media/get?access_token={foreign}&media_id={media_id}",
        s.url
    );
    let refused: Value = s
        .http
        .get(theirs)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        refused["errcode"], 40007,
        "another company's media does not exist for it"
    );
    let batch = json!({ "media_id": media_id });
    assert_ne!(
        cgi(&s, "batch/syncuser", &foreign, Some(batch)).await["errcode"],
        0
    );
    s.stop().await;
}

//! The org directory through the native API: limits, masking, activation, live events.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use workhub_testkit::TestDb;

use crate::support::{SECOND, TestServer, urlencode};

async fn post(s: &TestServer, token: &str, path: &str, body: Value) -> (StatusCode, Value) {
    s.call(Method::POST, path, Some(token), Some(body)).await
}

fn member(userid: &str, dept: i64) -> Value {
    json!({ "userid": userid, "name": format!("成员{userid}"), "department": [dept], "email": format!("{userid}@acme.test") })
}

#[tokio::test]
async fn departments_and_members_with_edition_limits() {
    for db in TestDb::both("directory").await {
        let s = TestServer::on(db).await;
        let c = s.corp().await;
        let t = c.admin_token.as_str();
        // Standard edition: three levels below the root.
        let mut parent = 1;
        for level in 1..=3 {
            let (status, body) = post(
                &s,
                t,
                "/api/v1/directory/departments",
                json!({ "name": format!("L{level}"), "parentid": parent }),
            )
            .await;
            assert_eq!(status, StatusCode::OK, "{body}");
            parent = body["id"].as_i64().unwrap();
        }
        let (status, body) = post(
            &s,
            t,
            "/api/v1/directory/departments",
            json!({ "name": "L4", "parentid": parent }),
        )
        .await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::FORBIDDEN, Some("department_depth"))
        );
        let (_, tree) = s.get("/api/v1/directory/departments", t).await;
        let ids: Vec<i64> = tree["departments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["id"].as_i64().unwrap())
            .collect();
        assert_eq!(ids, vec![1, 2, 3, 4], "parents before children");
        let (status, body) = s
            .call(
                Method::PATCH,
                "/api/v1/directory/departments/2",
                Some(t),
                Some(json!({ "parentid": 4 })),
            )
            .await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::CONFLICT, Some("department_cycle"))
        );
        let (status, body) = post(
            &s,
            t,
            "/api/v1/directory/departments",
            json!({ "name": "L1", "parentid": 1 }),
        )
        .await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::CONFLICT, Some("department_exists"))
        );

        let (status, body) = post(&s, t, "/api/v1/directory/members", member("zhangsan", 4)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(
            (body["status"].as_i64(), body["department"][0].as_i64()),
            (Some(4), Some(4))
        );
        let (status, body) = post(&s, t, "/api/v1/directory/members", member("ZhangSan", 2)).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::CONFLICT, Some("user_exists")),
            "userids are case-insensitive"
        );
        let (status, body) = post(
            &s,
            t,
            "/api/v1/directory/members",
            json!({ "userid": "x", "name": "x", "department": [2], "email": "zhangsan@acme.test" }),
        )
        .await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::CONFLICT, Some("email_taken"))
        );
        let (status, body) = s
            .call(
                Method::DELETE,
                "/api/v1/directory/departments/4",
                Some(t),
                None,
            )
            .await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::CONFLICT, Some("department_has_members"))
        );
        let (status, body) = s
            .call(
                Method::DELETE,
                "/api/v1/directory/departments/3",
                Some(t),
                None,
            )
            .await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::CONFLICT, Some("department_has_children"))
        );
        let (_, with_children) = s
            .get("/api/v1/directory/members?department_id=2&fetch_child=1", t)
            .await;
        assert_eq!(with_children["members"].as_array().unwrap().len(), 1);
        let (_, direct) = s.get("/api/v1/directory/members?department_id=2", t).await;
        assert!(direct["members"].as_array().unwrap().is_empty());
        s.stop().await;
    }
}

#[tokio::test]
async fn unverified_companies_stop_at_fifty_members_and_existing_data_stays() {
    let s = TestServer::sqlite().await;
    let c = s.corp().await;
    // Un-verify by making a company through the store as sign-up does (verified = false).
    let created = s
        .domain
        .corps
        .create(
            &workhub_domain::Actor::Operator("t".into()),
            &Default::default(),
            workhub_domain::corps::NewCompany {
                name: "未认证".into(),
                admin_userid: "boss".into(),
                admin_name: String::new(),
                admin_password: crate::support::ADMIN_PASSWORD.into(),
                admin_mobile: None,
                admin_email: None,
                edition: workhub_core::Edition::Standard,
                uscc: None,
            },
        )
        .await
        .unwrap();
    let (_, login) = s
        .login(&created.corpid, "boss", crate::support::ADMIN_PASSWORD, "d")
        .await;
    let t = login["token"].as_str().unwrap();
    for i in 1..50 {
        let (status, body) = post(
            &s,
            t,
            "/api/v1/directory/members",
            member(&format!("m{i}"), 1),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "member {i}: {body}");
    }
    let (status, body) = post(&s, t, "/api/v1/directory/members", member("m50", 1)).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("edition_limit"))
    );
    assert!(body["message"].as_str().unwrap().contains("50"), "{body}");
    let (_, all) = s.get("/api/v1/directory/members", t).await;
    assert_eq!(
        all["members"].as_array().unwrap().len(),
        50,
        "nothing hidden, nothing half-added"
    );
    // The verified company next door is not limited by this one.
    assert_eq!(
        post(
            &s,
            &c.admin_token,
            "/api/v1/directory/members",
            member("m1", 1)
        )
        .await
        .0,
        StatusCode::OK
    );
}

#[tokio::test]
async fn invited_members_activate_sign_in_and_see_masked_contacts() {
    let s = TestServer::sqlite().await;
    let c = s.corp().await;
    let t = c.admin_token.as_str();
    let body = json!({ "userid": "lisi", "name": "李四", "department": [1], "mobile": "13900139000", "email": "lisi@acme.test" });
    assert_eq!(
        post(&s, t, "/api/v1/directory/members", body).await.0,
        StatusCode::OK
    );
    assert_eq!(
        s.login(&c.corpid, "lisi", "whatever-1", "d").await.0,
        StatusCode::UNAUTHORIZED,
        "no password before activation"
    );
    let (_, invite) = post(&s, t, "/api/v1/directory/members/lisi/invite", json!({})).await;
    let url = invite["activation_url"].as_str().unwrap();
    let token = url.split("token=").nth(1).unwrap();
    let activate = |token: &str, password: &str| json!({ "corpid": c.corpid, "token": token, "password": password });
    assert_eq!(
        s.call(
            Method::POST,
            "/api/v1/auth/activate",
            None,
            Some(activate(token, "short"))
        )
        .await
        .1["code"],
        "weak_password"
    );
    assert_eq!(
        s.call(
            Method::POST,
            "/api/v1/auth/activate",
            None,
            Some(activate(token, "Lisi-Passw0rd"))
        )
        .await
        .0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        s.call(
            Method::POST,
            "/api/v1/auth/activate",
            None,
            Some(activate(token, "Lisi-Passw0rd"))
        )
        .await
        .1["code"],
        "invalid_activation",
        "links work once"
    );
    let (_, login) = s
        .login(&c.corpid, "13900139000", "Lisi-Passw0rd", "phone")
        .await;
    let lisi = login["token"]
        .as_str()
        .expect("the member signs in by mobile")
        .to_string();
    let (_, me) = s.get("/api/v1/directory/members/lisi", &lisi).await;
    assert_eq!(
        (me["status"].as_i64(), me["mobile"].as_str()),
        (Some(1), Some("13900139000")),
        "own details unmasked"
    );
    let (_, admin) = s.get("/api/v1/directory/members/admin", &lisi).await;
    assert_eq!(
        admin["email"], "a***@acme.test",
        "others' details are masked for members"
    );
    let (status, _) = post(
        &s,
        &lisi,
        "/api/v1/directory/departments",
        json!({ "name": "x", "parentid": 1 }),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "members cannot change the directory"
    );

    // Disabling signs the member out everywhere.
    assert_eq!(
        post(&s, t, "/api/v1/directory/members/lisi/disable", json!({}))
            .await
            .0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(s.get("/api/v1/me", &lisi).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(
        s.login(&c.corpid, "lisi", "Lisi-Passw0rd", "phone").await.1["code"],
        "account_disabled"
    );
    assert_eq!(
        post(&s, t, "/api/v1/directory/members/lisi/enable", json!({}))
            .await
            .0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        s.login(&c.corpid, "lisi", "Lisi-Passw0rd", "phone").await.0,
        StatusCode::OK
    );
    assert_eq!(
        post(&s, t, "/api/v1/directory/members/admin/disable", json!({}))
            .await
            .0,
        StatusCode::FORBIDDEN,
        "not yourself"
    );
}

#[tokio::test]
async fn directory_changes_reach_every_member_live() {
    let s = TestServer::sqlite().await;
    let c = s.corp().await;
    let mut ws = s.ws(&c.admin_token, 0).await;
    while ws.next_event(SECOND / 2).await.is_some() {}
    let (_, dept) = post(
        &s,
        &c.admin_token,
        "/api/v1/directory/departments",
        json!({ "name": "市场部", "parentid": 1 }),
    )
    .await;
    let e = ws.next_event(5 * SECOND).await.expect("department event");
    assert_eq!(
        (e["kind"].as_str(), e["data"]["department"]["name"].as_str()),
        (Some("department.created"), Some("市场部"))
    );
    assert_eq!(e["data"]["department"]["id"], dept["id"]);
    post(
        &s,
        &c.admin_token,
        "/api/v1/directory/members",
        member("wangwu", dept["id"].as_i64().unwrap()),
    )
    .await;
    let e = ws.next_event(5 * SECOND).await.expect("member event");
    assert_eq!(
        (e["kind"].as_str(), e["data"].clone()),
        (Some("member.created"), json!({ "userid": "wangwu" })),
        "events reach everyone: they name the member, the API shows what each reader may see"
    );
    let (_, tag) = post(
        &s,
        &c.admin_token,
        "/api/v1/directory/tags",
        json!({ "name": "值班" }),
    )
    .await;
    assert_eq!(
        ws.next_event(5 * SECOND).await.expect("tag event")["kind"],
        "tag.created"
    );
    let path = format!("/api/v1/directory/tags/{}/members", tag["id"]);
    let (_, changed) = post(
        &s,
        &c.admin_token,
        &path,
        json!({ "userlist": ["wangwu", "ghost"], "partylist": [99] }),
    )
    .await;
    assert_eq!(
        (
            changed["invalidlist"][0].as_str(),
            changed["invalidparty"][0].as_i64()
        ),
        (Some("ghost"), Some(99))
    );
    assert_eq!(
        ws.next_event(5 * SECOND).await.expect("tag members event")["kind"],
        "tag.members_changed"
    );
}

#[tokio::test]
async fn one_company_cannot_reach_anothers_directory() {
    let s = TestServer::sqlite().await;
    let a = s.corp().await;
    let b = s.corp().await;
    let (_, dept) = post(
        &s,
        &b.admin_token,
        "/api/v1/directory/departments",
        json!({ "name": "B部", "parentid": 1 }),
    )
    .await;
    post(
        &s,
        &b.admin_token,
        "/api/v1/directory/members",
        member("bob", dept["id"].as_i64().unwrap()),
    )
    .await;
    let id = dept["id"].as_i64().unwrap();
    assert_eq!(
        s.get("/api/v1/directory/members/bob", &a.admin_token)
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        s.call(
            Method::DELETE,
            &format!("/api/v1/directory/departments/{id}"),
            Some(&a.admin_token),
            None
        )
        .await
        .0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        s.call(
            Method::PATCH,
            "/api/v1/directory/members/bob",
            Some(&a.admin_token),
            Some(json!({ "name": "x" }))
        )
        .await
        .0,
        StatusCode::NOT_FOUND
    );
    let (_, a_tree) = s.get("/api/v1/directory/departments", &a.admin_token).await;
    assert_eq!(a_tree["departments"].as_array().unwrap().len(), 1);
    // Through the WeCom API with company a's token.
    let (_, token) = s
        .call(
            Method::GET,
            &format!(
                "/cgi-bin/gettoken?corpid={}&corpsecret={}",
                a.corpid, a.contacts_secret
            ),
            None,
            None,
        )
        .await;
    let access = token["access_token"].as_str().unwrap();
    let (_, got) = s
        .call(
            Method::GET,
            &format!("/cgi-bin/user/get?access_token={access}&userid=bob"),
            None,
            None,
        )
        .await;
    assert_eq!(got["errcode"], 60111);
    let (_, del) = s
        .call(
            Method::GET,
            &format!("/cgi-bin/department/delete?access_token={access}&id={id}"),
            None,
            None,
        )
        .await;
    assert_eq!(del["errcode"], 60003);
}

#[tokio::test]
async fn search_by_name_pinyin_initials_and_contacts() {
    for db in TestDb::both("directory search").await {
        let s = TestServer::on(db).await;
        let c = s.corp().await;
        let t = c.admin_token.as_str();
        for (userid, name, mobile) in [
            ("zhangsan", "张三", "13800138000"),
            ("zhangsanfeng", "张三丰", "13800138001"),
            ("zengli", "曾丽", "13900000001"),
            ("lisi", "李四", "13900000002"),
        ] {
            let body = json!({ "userid": userid, "name": name, "department": [1], "mobile": mobile, "alias": if userid == "lisi" { "Lee" } else { "" } });
            assert_eq!(
                post(&s, t, "/api/v1/directory/members", body).await.0,
                StatusCode::OK
            );
        }
        assert_eq!(
            find(&s, t, "zhangsan").await,
            vec!["zhangsan", "zhangsanfeng"],
            "exact match first"
        );
        assert_eq!(
            find(&s, t, "zs").await,
            vec!["zhangsan", "zhangsanfeng"],
            "initials, exact first"
        );
        assert_eq!(find(&s, t, "zsf").await, vec!["zhangsanfeng"]);
        assert_eq!(find(&s, t, "张三").await, vec!["zhangsan", "zhangsanfeng"]);
        assert_eq!(
            find(&s, t, "ceng").await,
            vec!["zengli"],
            "either reading of 曾"
        );
        assert_eq!(find(&s, t, "LEE").await, vec!["lisi"], "alias, any case");
        assert_eq!(find(&s, t, "1390000000").await.len(), 2, "mobile prefix");
        assert!(find(&s, t, "%").await.is_empty(), "wildcards are literal");
        assert!(find(&s, t, "  ").await.is_empty());
        s.stop().await;
    }
}

async fn find(s: &TestServer, token: &str, q: &str) -> Vec<String> {
    let (_, body) = s
        .get(
            &format!("/api/v1/directory/search?q={}", urlencode(q)),
            token,
        )
        .await;
    body["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["userid"].as_str().unwrap().to_string())
        .collect()
}

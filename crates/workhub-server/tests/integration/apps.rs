//! Self-built apps: secrets shown once and rotated, visible range, disabling, trusted addresses.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use workhub_testkit::TestDb;

use crate::support::TestServer;

async fn token(s: &TestServer, corpid: &str, secret: &str) -> Value {
    s.call(
        Method::GET,
        &format!("/cgi-bin/gettoken?corpid={corpid}&corpsecret={secret}"),
        None,
        None,
    )
    .await
    .1
}

async fn wecom(s: &TestServer, path: &str, access: &str, ip: &str) -> Value {
    let sep = if path.contains('?') { '&' } else { '?' };
    let res = s
        .http
        .get(format!(
            "{}/cgi-bin/{path}{sep}access_token={access}",
            s.url
        ))
        .header("x-forwarded-for", ip)
        .send()
        .await
        .unwrap();
    res.json().await.unwrap()
}

#[tokio::test]
async fn apps_see_their_range_and_obey_admin_settings() {
    let s = TestServer::with(
        TestDb::sqlite(),
        workhub_core::FixedClock::at(1_800_000_000_000),
        |c| c.http.trust_forwarded_for = true,
    )
    .await;
    let c = s.corp().await;
    let t = c.admin_token.as_str();
    let (_, sales) = s
        .call(
            Method::POST,
            "/api/v1/directory/departments",
            Some(t),
            Some(json!({ "name": "销售部", "parentid": 1 })),
        )
        .await;
    let sales = sales["id"].as_i64().unwrap();
    let (_, team) = s
        .call(
            Method::POST,
            "/api/v1/directory/departments",
            Some(t),
            Some(json!({ "name": "华东组", "parentid": sales })),
        )
        .await;
    let team = team["id"].as_i64().unwrap();
    for (userid, dept) in [("seller", team), ("engineer", 1)] {
        let body = json!({ "userid": userid, "name": userid, "department": [dept], "email": format!("{userid}@acme.test") });
        assert_eq!(
            s.call(
                Method::POST,
                "/api/v1/directory/members",
                Some(t),
                Some(body)
            )
            .await
            .0,
            StatusCode::OK
        );
    }

    let (status, created) = s
        .call(
            Method::POST,
            "/api/v1/admin/apps",
            Some(t),
            Some(json!({ "name": "CRM 同步" })),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (agentid, secret) = (
        created["agentid"].as_i64().unwrap(),
        created["secret"].as_str().unwrap().to_string(),
    );
    let (_, list) = s.get("/api/v1/admin/apps", t).await;
    assert!(
        list.to_string().find(&secret).is_none(),
        "secrets are shown once, never listed"
    );
    let patch = json!({ "visible": { "departments": [sales] } });
    assert_eq!(
        s.call(
            Method::PATCH,
            &format!("/api/v1/admin/apps/{agentid}"),
            Some(t),
            Some(patch)
        )
        .await
        .0,
        StatusCode::OK
    );

    let access = token(&s, &c.corpid, &secret).await["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let depts = wecom(&s, "department/list", &access, "127.0.0.1").await;
    let ids: Vec<i64> = depts["department"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, vec![sales, team], "only the visible subtree");
    let users = wecom(
        &s,
        &format!("user/list?department_id={sales}&fetch_child=1"),
        &access,
        "127.0.0.1",
    )
    .await;
    assert_eq!(users["userlist"][0]["userid"], "seller");
    assert_eq!(
        wecom(&s, "user/get?userid=engineer", &access, "127.0.0.1").await["errcode"],
        60011,
        "outside the range"
    );
    assert_eq!(
        wecom(&s, "user/get?userid=seller", &access, "127.0.0.1").await["errcode"],
        0
    );
    assert_eq!(
        wecom(&s, "user/delete?userid=seller", &access, "127.0.0.1").await["errcode"],
        60011,
        "apps read only"
    );

    let ips = json!({ "trusted_ips": ["10.0.0.0/8"] });
    assert_eq!(
        s.call(
            Method::PATCH,
            &format!("/api/v1/admin/apps/{agentid}"),
            Some(t),
            Some(ips)
        )
        .await
        .0,
        StatusCode::OK
    );
    assert_eq!(
        wecom(&s, "department/list", &access, "10.1.2.3").await["errcode"],
        0
    );
    assert_eq!(
        wecom(&s, "department/list", &access, "192.168.1.1").await["errcode"],
        60020
    );
    let bad = json!({ "trusted_ips": ["10.0.0.0/99"] });
    assert_eq!(
        s.call(
            Method::PATCH,
            &format!("/api/v1/admin/apps/{agentid}"),
            Some(t),
            Some(bad)
        )
        .await
        .1["code"],
        "invalid_request"
    );

    assert_eq!(
        s.call(
            Method::PATCH,
            &format!("/api/v1/admin/apps/{agentid}"),
            Some(t),
            Some(json!({ "enabled": false }))
        )
        .await
        .0,
        StatusCode::OK
    );
    assert_eq!(
        wecom(&s, "department/list", &access, "10.1.2.3").await["errcode"],
        50003
    );

    let enable = json!({ "enabled": true });
    let path = format!("/api/v1/admin/apps/{agentid}");
    assert_eq!(
        s.call(Method::PATCH, &path, Some(t), Some(enable)).await.0,
        StatusCode::OK
    );
    let (_, rotated) = s
        .call(
            Method::POST,
            &format!("/api/v1/admin/apps/{agentid}/secret"),
            Some(t),
            None,
        )
        .await;
    let new_secret = rotated["secret"].as_str().unwrap();
    assert_ne!(new_secret, secret);
    assert_eq!(
        token(&s, &c.corpid, &secret).await["errcode"],
        40001,
        "the old secret stops working"
    );
    assert_eq!(token(&s, &c.corpid, new_secret).await["errcode"], 0);

    let (_, contacts) = s
        .call(Method::POST, "/api/v1/admin/contacts-secret", Some(t), None)
        .await;
    assert_eq!(
        token(&s, &c.corpid, &c.contacts_secret).await["errcode"],
        40001
    );
    assert_eq!(
        token(&s, &c.corpid, contacts["secret"].as_str().unwrap()).await["errcode"],
        0
    );
    assert_eq!(
        s.call(
            Method::POST,
            "/api/v1/admin/apps/4242/secret",
            Some(t),
            None
        )
        .await
        .1["code"],
        "app_not_found"
    );
}

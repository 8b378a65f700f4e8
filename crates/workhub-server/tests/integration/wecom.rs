//! `/cgi-bin/gettoken` as WeCom clients rely on it (see shared/wecom-api.md §1–2).

use reqwest::StatusCode;
use serde_json::Value;
use workhub_testkit::TestDb;

use crate::support::TestServer;

async fn gettoken(s: &TestServer, post: bool, query: &str) -> Value {
    let url = format!("{}/cgi-bin/gettoken?{query}", s.url);
    let req = if post {
        s.http.post(url).header("content-type", "application/json")
    } else {
        s.http.get(url)
    };
    let res = req.send().await.unwrap();
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "WeCom answers 200 even for errors"
    );
    res.json().await.unwrap()
}

#[tokio::test]
async fn tokens_are_issued_kept_valid_and_survive_restarts() {
    for db in TestDb::both("gettoken").await {
        let s = TestServer::on(db).await;
        let c = s.corp().await;
        let query = format!("corpid={}&corpsecret={}", c.corpid, c.contacts_secret);
        let first = gettoken(&s, false, &query).await;
        assert_eq!(
            (
                first["errcode"].as_i64(),
                first["errmsg"].as_str(),
                first["expires_in"].as_i64()
            ),
            (Some(0), Some("ok"), Some(7200))
        );
        let first = first["access_token"].as_str().unwrap().to_string();
        // Grafana posts with an empty JSON body.
        let second = gettoken(&s, true, &query).await["access_token"]
            .as_str()
            .unwrap()
            .to_string();
        assert_ne!(first, second);
        for token in [&first, &second] {
            assert!(
                s.domain.corps.authenticate_token(Some(token)).await.is_ok(),
                "a re-fetch does not invalidate earlier tokens"
            );
        }
        let s = s.restart().await;
        assert!(
            s.domain
                .corps
                .authenticate_token(Some(&first))
                .await
                .is_ok(),
            "tokens survive a restart"
        );
        s.clock.advance_ms(7_201_000);
        let stale = s
            .domain
            .corps
            .authenticate_token(Some(&first))
            .await
            .unwrap_err();
        assert_eq!(
            stale.code.errcode(),
            42001,
            "expired tokens answer 42001 so clients refresh"
        );
        let unknown = s
            .domain
            .corps
            .authenticate_token(Some(&"A".repeat(64)))
            .await
            .unwrap_err();
        assert_eq!(unknown.code.errcode(), 42001);
        let malformed = s
            .domain
            .corps
            .authenticate_token(Some("short"))
            .await
            .unwrap_err();
        assert_eq!(malformed.code.errcode(), 40014);
        let fresh = gettoken(&s, false, &query).await["access_token"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(
            s.domain
                .corps
                .authenticate_token(Some(&fresh))
                .await
                .is_ok(),
            "a fresh token is always accepted"
        );
        s.stop().await;
    }
}

#[tokio::test]
async fn gettoken_errors_use_wecom_codes() {
    let s = TestServer::sqlite().await;
    let c = s.corp().await;
    let cases = [
        (String::new(), 41002),
        (format!("corpid={}", c.corpid), 41004),
        (
            format!("corpid=nonsense&corpsecret={}", c.contacts_secret),
            40013,
        ),
        ("corpid=ww0000000000000000&corpsecret=x".to_string(), 40013),
        (format!("corpid={}&corpsecret=wrong", c.corpid), 40001),
    ];
    for (query, errcode) in cases {
        let body = gettoken(&s, false, &query).await;
        assert_eq!(body["errcode"], errcode, "{query}: {body}");
        assert!(
            body["errmsg"].as_str().unwrap().contains("hint: ["),
            "{body}"
        );
    }
    let res = s
        .http
        .get(format!("{}/cgi-bin/no/such/api", s.url))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_ne!(res.json::<Value>().await.unwrap()["errcode"], 0);
}

#[tokio::test]
async fn contacts_calls_are_rate_limited_per_app() {
    let s = TestServer::sqlite().await;
    let c = s.corp().await;
    let limits = serde_json::json!({ "contacts": { "per_minute": 3, "per_day": 5 }, "messages": { "per_minute": 200, "per_day": 5000 } });
    let (status, _) = s
        .call(
            reqwest::Method::PUT,
            "/api/v1/admin/rate-limits",
            Some(&c.admin_token),
            Some(limits),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let bad = serde_json::json!({ "contacts": { "per_minute": 0, "per_day": 5 }, "messages": { "per_minute": 1, "per_day": 1 } });
    assert_eq!(
        s.call(
            reqwest::Method::PUT,
            "/api/v1/admin/rate-limits",
            Some(&c.admin_token),
            Some(bad)
        )
        .await
        .0,
        StatusCode::BAD_REQUEST
    );
    let token = gettoken(
        &s,
        false,
        &format!("corpid={}&corpsecret={}", c.corpid, c.contacts_secret),
    )
    .await["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let list = || async {
        s.http
            .get(format!(
                "{}/cgi-bin/department/list?access_token={token}",
                s.url
            ))
            .send()
            .await
            .unwrap()
            .json::<Value>()
            .await
            .unwrap()
    };
    for _ in 0..3 {
        assert_eq!(list().await["errcode"], 0);
    }
    let limited = list().await;
    assert_eq!(limited["errcode"], 45009, "{limited}");
    let (_, overview) = s.get("/api/v1/admin/rate-limits", &c.admin_token).await;
    assert_eq!(
        overview["apps"][0]["contacts"],
        serde_json::json!([0, 2]),
        "{overview}"
    );
    assert_eq!(
        overview["apps"][0]["messages"],
        serde_json::json!([200, 5000])
    );
    s.clock.advance_ms(60_000);
    assert_eq!(list().await["errcode"], 0, "a new minute");
    assert_eq!(list().await["errcode"], 0);
    assert_eq!(list().await["errcode"], 45009, "the day's five are spent");
    // gettoken itself is not limited, and the native API is not an app.
    assert_eq!(
        gettoken(
            &s,
            false,
            &format!("corpid={}&corpsecret={}", c.corpid, c.contacts_secret)
        )
        .await["errcode"],
        0
    );
    assert_eq!(
        s.get("/api/v1/directory/departments", &c.admin_token)
            .await
            .0,
        StatusCode::OK
    );
}

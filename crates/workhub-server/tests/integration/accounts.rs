//! Sign-in, sessions, devices and the twelve security-policy parameters, end to end.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use workhub_testkit::TestDb;

use crate::support::{ADMIN_PASSWORD, SECOND, TestServer};

const MINUTE: i64 = 60_000;

async fn set_policy(s: &TestServer, token: &str, changes: Value) -> (StatusCode, Value) {
    let (_, mut policy) = s.get("/api/v1/admin/security-policy", token).await;
    for (k, v) in changes.as_object().unwrap() {
        policy[k] = v.clone();
    }
    s.call(
        Method::PUT,
        "/api/v1/admin/security-policy",
        Some(token),
        Some(policy),
    )
    .await
}

#[tokio::test]
async fn login_by_userid_mobile_or_email_and_wrong_password() {
    for db in TestDb::both("login").await {
        let s = TestServer::on(db).await;
        let c = s.corp().await;
        let (status, me) = s.get("/api/v1/me", &c.admin_token).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            (
                me["userid"].as_str(),
                me["is_admin"].as_bool(),
                me["corp"]["verified"].as_bool()
            ),
            (Some("admin"), Some(true), Some(true))
        );
        let (status, _) = s
            .login(&c.corpid, "ADMIN@acme.test", ADMIN_PASSWORD, "d2")
            .await;
        assert_eq!(status, StatusCode::OK, "email logins are case-insensitive");
        let (status, body) = s.login(&c.corpid, "admin", "wrong-password", "d2").await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::UNAUTHORIZED, Some("invalid_credentials"))
        );
        let (status, body) = s.login(&c.corpid, "nobody", ADMIN_PASSWORD, "d2").await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::UNAUTHORIZED, Some("invalid_credentials")),
            "unknown users look the same"
        );
        let (status, _) = s.get("/api/v1/me", "not-a-token").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        s.stop().await;
    }
}

#[tokio::test]
async fn lockout_after_threshold_then_unlock_after_duration() {
    let s = TestServer::sqlite().await;
    let c = s.corp().await;
    assert_eq!(
        set_policy(
            &s,
            &c.admin_token,
            json!({ "lockout_threshold": 3, "lockout_minutes": 10 })
        )
        .await
        .0,
        StatusCode::OK
    );
    for _ in 0..2 {
        assert_eq!(
            s.login(&c.corpid, "admin", "bad", "d").await.0,
            StatusCode::UNAUTHORIZED
        );
    }
    let (status, body) = s.login(&c.corpid, "admin", "bad", "d").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::LOCKED, Some("account_locked"))
    );
    let (status, _) = s.login(&c.corpid, "admin", ADMIN_PASSWORD, "d").await;
    assert_eq!(
        status,
        StatusCode::LOCKED,
        "even the right password waits out the lock"
    );
    s.clock.advance_ms(10 * MINUTE + 1);
    assert_eq!(
        s.login(&c.corpid, "admin", ADMIN_PASSWORD, "d").await.0,
        StatusCode::OK
    );
}

#[tokio::test]
async fn password_rules_history_and_expiry() {
    let s = TestServer::sqlite().await;
    let c = s.corp().await;
    let rules = json!({ "min_password_length": 10, "required_char_classes": ["upper", "digit", "symbol"], "password_history": 2, "password_expiry_days": 30 });
    assert_eq!(
        set_policy(&s, &c.admin_token, rules).await.0,
        StatusCode::OK
    );
    let change = |old: &str, new: &str| json!({ "old_password": old, "new_password": new });
    let (status, body) = s
        .call(
            Method::POST,
            "/api/v1/me/password",
            Some(&c.admin_token),
            Some(change(ADMIN_PASSWORD, "short1!A")),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("weak_password"))
    );
    assert!(body["message"].as_str().unwrap().contains("≥ 10"), "{body}");
    let (status, body) = s
        .call(
            Method::POST,
            "/api/v1/me/password",
            Some(&c.admin_token),
            Some(change(ADMIN_PASSWORD, ADMIN_PASSWORD)),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("password_reused"))
    );
    assert_eq!(
        s.call(
            Method::POST,
            "/api/v1/me/password",
            Some(&c.admin_token),
            Some(change(ADMIN_PASSWORD, "Second-Pass-1"))
        )
        .await
        .0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        s.call(
            Method::POST,
            "/api/v1/me/password",
            Some(&c.admin_token),
            Some(change("Second-Pass-1", "Third-Pass-1"))
        )
        .await
        .0,
        StatusCode::NO_CONTENT
    );
    let (status, body) = s
        .call(
            Method::POST,
            "/api/v1/me/password",
            Some(&c.admin_token),
            Some(change("Third-Pass-1", ADMIN_PASSWORD)),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("password_reused")),
        "the last two may not return"
    );

    s.clock.advance_ms(31 * 24 * 60 * MINUTE);
    let (status, body) = s.login(&c.corpid, "admin", "Third-Pass-1", "d").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("password_expired"))
    );
    let expired = json!({ "corpid": c.corpid, "login": "admin", "old_password": "Third-Pass-1", "new_password": "Fourth-Pass-1" });
    assert_eq!(
        s.call(
            Method::POST,
            "/api/v1/auth/password/expired",
            None,
            Some(expired)
        )
        .await
        .0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        s.login(&c.corpid, "admin", "Fourth-Pass-1", "d").await.0,
        StatusCode::OK
    );
}

#[tokio::test]
async fn totp_is_required_once_enabled() {
    let s = TestServer::sqlite().await;
    let c = s.corp().await;
    let (status, setup) = s
        .call(
            Method::POST,
            "/api/v1/me/totp/setup",
            Some(&c.admin_token),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        setup["otpauth_url"]
            .as_str()
            .unwrap()
            .starts_with("otpauth://totp/")
    );
    let secret = setup["secret"].as_str().unwrap().to_string();
    let code = |s: &TestServer| {
        workhub_domain::accounts::password::totp_code(
            &secret,
            workhub_core::Clock::now_ms(&s.clock),
        )
        .unwrap()
    };
    let (status, body) = s
        .call(
            Method::POST,
            "/api/v1/me/totp/enable",
            Some(&c.admin_token),
            Some(json!({ "code": "000000" })),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("invalid_totp"))
    );
    assert_eq!(
        s.call(
            Method::POST,
            "/api/v1/me/totp/enable",
            Some(&c.admin_token),
            Some(json!({ "code": code(&s) }))
        )
        .await
        .0,
        StatusCode::NO_CONTENT
    );

    let (status, body) = s.login(&c.corpid, "admin", ADMIN_PASSWORD, "d").await;
    assert_eq!(
        (status, body["status"].as_str()),
        (StatusCode::OK, Some("totp_required"))
    );
    let with_code = |code: &str| json!({ "corpid": c.corpid, "login": "admin", "password": ADMIN_PASSWORD, "totp_code": code, "device_id": "d", "platform": "web" });
    let (status, body) = s
        .call(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(with_code("123456")),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("invalid_totp"))
    );
    let (status, body) = s
        .call(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(with_code(&code(&s))),
        )
        .await;
    assert_eq!(
        (status, body["status"].as_str()),
        (StatusCode::OK, Some("ok"))
    );
}

#[tokio::test]
async fn new_devices_wait_for_approval_and_become_one_session() {
    let s = TestServer::sqlite().await;
    let c = s.corp().await;
    assert_eq!(
        set_policy(&s, &c.admin_token, json!({ "new_device_approval": true }))
            .await
            .0,
        StatusCode::OK
    );
    // The device the admin already used is known; a new one waits.
    assert_eq!(
        s.login(&c.corpid, "admin", ADMIN_PASSWORD, "admin-dev")
            .await
            .1["status"],
        "ok"
    );
    let (_, pending) = s.login(&c.corpid, "admin", ADMIN_PASSWORD, "phone").await;
    assert_eq!(pending["status"], "device_pending");
    let id = pending["approval_id"].as_str().unwrap();
    let poll = format!(
        "/api/v1/auth/device-approvals/{id}?poll_token={}",
        pending["poll_token"].as_str().unwrap()
    );
    assert_eq!(
        s.call(Method::GET, &poll, None, None).await.1["status"],
        "pending"
    );
    let wrong = format!("/api/v1/auth/device-approvals/{id}?poll_token=guess");
    assert_eq!(
        s.call(Method::GET, &wrong, None, None).await.0,
        StatusCode::NOT_FOUND
    );

    let (_, mine) = s.get("/api/v1/me/device-approvals", &c.admin_token).await;
    assert_eq!(mine["approvals"][0]["device_id"], "phone");
    let approve = format!("/api/v1/device-approvals/{id}/approve");
    assert_eq!(
        s.call(Method::POST, &approve, Some(&c.admin_token), None)
            .await
            .0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        s.call(Method::POST, &approve, Some(&c.admin_token), None)
            .await
            .0,
        StatusCode::CONFLICT
    );
    let (status, body) = s.call(Method::GET, &poll, None, None).await;
    assert_eq!(
        (status, body["status"].as_str()),
        (StatusCode::OK, Some("ok"))
    );
    assert!(body["token"].as_str().is_some());
    assert_eq!(
        s.call(Method::GET, &poll, None, None).await.0,
        StatusCode::NOT_FOUND,
        "an approval opens one session only"
    );
    assert_eq!(
        s.login(&c.corpid, "admin", ADMIN_PASSWORD, "phone").await.1["status"],
        "ok",
        "now a known device"
    );
}

#[tokio::test]
async fn device_count_platforms_and_ip_allowlist() {
    let s = TestServer::with(
        TestDb::sqlite(),
        workhub_core::FixedClock::at(1_800_000_000_000),
        |c| c.http.trust_forwarded_for = true,
    )
    .await;
    let c = s.corp().await;
    assert_eq!(
        set_policy(
            &s,
            &c.admin_token,
            json!({ "max_devices": 2, "allowed_platforms": ["web", "desktop"] })
        )
        .await
        .0,
        StatusCode::OK
    );
    assert_eq!(
        s.login(&c.corpid, "admin", ADMIN_PASSWORD, "second")
            .await
            .0,
        StatusCode::OK
    );
    let (status, body) = s.login(&c.corpid, "admin", ADMIN_PASSWORD, "third").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("too_many_devices"))
    );
    assert_eq!(
        s.login(&c.corpid, "admin", ADMIN_PASSWORD, "second")
            .await
            .0,
        StatusCode::OK,
        "a known device may sign in again"
    );
    let mobile = json!({ "corpid": c.corpid, "login": "admin", "password": ADMIN_PASSWORD, "device_id": "second", "platform": "mobile" });
    let (status, body) = s
        .call(Method::POST, "/api/v1/auth/login", None, Some(mobile))
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("platform_not_allowed"))
    );

    let (status, body) = set_policy(
        &s,
        &c.admin_token,
        json!({ "ip_allowlist": ["10.0.0.0/8"] }),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "an admin cannot lock themself out: {body}"
    );
    assert_eq!(
        set_policy(
            &s,
            &c.admin_token,
            json!({ "ip_allowlist": ["127.0.0.0/8", "10.1.0.0/16"] })
        )
        .await
        .0,
        StatusCode::OK
    );
    let from = |ip: &str| {
        let body = json!({ "corpid": c.corpid, "login": "admin", "password": ADMIN_PASSWORD, "device_id": "second", "platform": "web" });
        s.http
            .post(format!("{}/api/v1/auth/login", s.url))
            .header("x-forwarded-for", ip)
            .json(&body)
            .send()
    };
    assert_eq!(from("10.1.2.3").await.unwrap().status(), StatusCode::OK);
    assert_eq!(
        from("8.8.8.8").await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    let res = s
        .http
        .get(format!("{}/api/v1/me", s.url))
        .bearer_auth(&c.admin_token)
        .header("x-forwarded-for", "8.8.8.8")
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::FORBIDDEN,
        "the allow-list also guards existing sessions"
    );
}

#[tokio::test]
async fn sessions_expire_when_idle_or_too_old() {
    let s = TestServer::sqlite().await;
    let c = s.corp().await;
    assert_eq!(
        set_policy(
            &s,
            &c.admin_token,
            json!({ "session_idle_minutes": 30, "session_max_hours": 2 })
        )
        .await
        .0,
        StatusCode::OK
    );
    s.clock.advance_ms(29 * MINUTE);
    assert_eq!(
        s.get("/api/v1/me", &c.admin_token).await.0,
        StatusCode::OK,
        "activity keeps it alive"
    );
    s.clock.advance_ms(29 * MINUTE);
    assert_eq!(s.get("/api/v1/me", &c.admin_token).await.0, StatusCode::OK);
    s.clock.advance_ms(31 * MINUTE);
    assert_eq!(
        s.get("/api/v1/me", &c.admin_token).await.0,
        StatusCode::UNAUTHORIZED,
        "idle for 31 minutes"
    );

    let token = s.login(&c.corpid, "admin", ADMIN_PASSWORD, "d").await.1["token"]
        .as_str()
        .unwrap()
        .to_string();
    for _ in 0..4 {
        s.clock.advance_ms(29 * MINUTE);
        assert_eq!(s.get("/api/v1/me", &token).await.0, StatusCode::OK);
    }
    s.clock.advance_ms(5 * MINUTE);
    assert_eq!(
        s.get("/api/v1/me", &token).await.0,
        StatusCode::UNAUTHORIZED,
        "older than two hours"
    );
}

#[tokio::test]
async fn revoking_a_session_signs_its_device_out_in_real_time() {
    let s = TestServer::sqlite().await;
    let c = s.corp().await;
    let (_, other) = s.login(&c.corpid, "admin", ADMIN_PASSWORD, "laptop").await;
    let other_token = other["token"].as_str().unwrap();
    let mut ws = s.ws(other_token, 0).await;
    // Drain what the stream already holds (corp.verified).
    while ws.next_event(SECOND / 2).await.is_some() {}
    let (_, list) = s.get("/api/v1/me/sessions", &c.admin_token).await;
    let sessions = list["sessions"].as_array().unwrap();
    assert_eq!(sessions.len(), 2);
    assert_eq!(sessions.iter().filter(|x| x["current"] == true).count(), 1);
    let id = other["session_id"].as_str().unwrap();
    assert_eq!(
        s.call(
            Method::DELETE,
            &format!("/api/v1/me/sessions/{id}"),
            Some(&c.admin_token),
            None
        )
        .await
        .0,
        StatusCode::NO_CONTENT
    );
    let event = ws.next_event(5 * SECOND).await.expect("revocation pushed");
    assert_eq!(
        (event["kind"].as_str(), event["data"]["session_id"].as_str()),
        (Some("session.revoked"), Some(id))
    );
    assert!(
        ws.closed_within(5 * SECOND).await,
        "the revoked session's socket closes"
    );
    assert_eq!(
        s.get("/api/v1/me", other_token).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        s.call(
            Method::DELETE,
            &format!("/api/v1/me/sessions/{id}"),
            Some(&c.admin_token),
            None
        )
        .await
        .0,
        StatusCode::NOT_FOUND
    );

    assert_eq!(
        s.call(
            Method::POST,
            "/api/v1/auth/logout",
            Some(&c.admin_token),
            None
        )
        .await
        .0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        s.get("/api/v1/me", &c.admin_token).await.0,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn audit_log_records_and_exports_security_actions() {
    let s = TestServer::sqlite().await;
    let c = s.corp().await;
    s.login(&c.corpid, "admin", "wrong", "d").await;
    let (status, log) = s
        .get("/api/v1/admin/audit?action=login", &c.admin_token)
        .await;
    assert_eq!(status, StatusCode::OK);
    let outcomes: Vec<&str> = log["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(outcomes, vec!["failure:invalid_credentials", "success"]);
    let (_, failures) = s
        .get("/api/v1/admin/audit?outcome=failure", &c.admin_token)
        .await;
    assert_eq!(failures["entries"].as_array().unwrap().len(), 1);
    let (_, page) = s.get("/api/v1/admin/audit?limit=1", &c.admin_token).await;
    let cursor = page["next_cursor"].as_str().expect("a next page");
    let (_, next) = s
        .get(
            &format!("/api/v1/admin/audit?limit=1&cursor={cursor}"),
            &c.admin_token,
        )
        .await;
    assert_ne!(next["entries"][0]["id"], page["entries"][0]["id"]);

    let res = s
        .http
        .get(format!("{}/api/v1/admin/audit/export.csv", s.url))
        .bearer_auth(&c.admin_token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["content-type"], "text/csv; charset=utf-8");
    let csv = res.text().await.unwrap();
    assert!(csv.starts_with("\u{feff}id,time,actor,action,target,ip,user_agent,outcome\n"));
    assert!(csv.contains(",login,admin,127.0.0.1,"));
    let (_, after) = s
        .get("/api/v1/admin/audit?action=audit.export", &c.admin_token)
        .await;
    assert_eq!(
        after["entries"].as_array().unwrap().len(),
        1,
        "exports are audited too"
    );
}

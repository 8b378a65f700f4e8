//! One company never reads or changes another's data, whatever endpoint it tries.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::support::{ADMIN_PASSWORD, TestServer};

#[tokio::test]
async fn companies_are_isolated() {
    let s = TestServer::sqlite().await;
    let a = s.corp().await;
    let b = s.corp().await;
    // Same userid in both companies: separate accounts.
    let (_, b_sessions) = s.get("/api/v1/me/sessions", &b.admin_token).await;
    let b_session = b_sessions["sessions"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (_, a_admin_view) = s.get("/api/v1/admin/sessions", &a.admin_token).await;
    assert!(
        a_admin_view["sessions"]
            .as_array()
            .unwrap()
            .iter()
            .all(|x| x["id"] != b_session.as_str())
    );
    for path in [
        format!("/api/v1/admin/sessions/{b_session}"),
        format!("/api/v1/me/sessions/{b_session}"),
    ] {
        let (status, _) = s
            .call(Method::DELETE, &path, Some(&a.admin_token), None)
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
    }
    assert_eq!(
        s.get("/api/v1/me", &b.admin_token).await.0,
        StatusCode::OK,
        "b's session survived"
    );

    // Policies and audit logs are per company.
    let (_, mut policy) = s.get("/api/v1/admin/security-policy", &a.admin_token).await;
    policy["max_devices"] = json!(7);
    s.call(
        Method::PUT,
        "/api/v1/admin/security-policy",
        Some(&a.admin_token),
        Some(policy),
    )
    .await;
    assert_eq!(
        s.get("/api/v1/admin/security-policy", &b.admin_token)
            .await
            .1["max_devices"],
        0
    );
    let (_, b_audit) = s.get("/api/v1/admin/audit", &b.admin_token).await;
    assert!(
        b_audit["entries"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["action"] != "security_policy.update")
    );

    // Event streams are per company: a's policy change is not in b's stream.
    let (_, b_events) = s.get("/api/v1/sync?since=0", &b.admin_token).await;
    assert!(
        b_events["events"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["kind"] != "security_policy.changed")
    );

    // A's password does not open b; a's secret gets no token for b.
    assert_eq!(
        s.login(&b.corpid, "admin", "wrong", "x").await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        s.login(&b.corpid, "admin", ADMIN_PASSWORD, "x").await.0,
        StatusCode::OK
    );
    let (_, token) = s
        .call(
            Method::GET,
            &format!(
                "/cgi-bin/gettoken?corpid={}&corpsecret={}",
                b.corpid, a.contacts_secret
            ),
            None,
            None,
        )
        .await;
    assert_eq!(token["errcode"], 40091);
}

#[tokio::test]
async fn members_who_are_not_admins_cannot_use_admin_endpoints() {
    let s = TestServer::sqlite().await;
    let a = s.corp().await;
    // Members come through the directory API in a later issue; until then, the store.
    let corp = workhub_core::CorpId::parse(&a.corpid).unwrap();
    let digest = workhub_domain::accounts::password::hash("Member-Passw0rd")
        .await
        .unwrap();
    let mut member = workhub_store::conformance::new_user(&corp, "zhangsan", 1);
    member.is_admin = false;
    member.password_digest = digest;
    add_member(&s, member).await;
    let (_, login) = s.login(&a.corpid, "zhangsan", "Member-Passw0rd", "m").await;
    let token = login["token"].as_str().expect("member signs in");
    for path in [
        "/api/v1/admin/sessions",
        "/api/v1/admin/security-policy",
        "/api/v1/admin/audit",
        "/api/v1/admin/device-approvals",
        "/api/v1/admin/audit/export.csv",
    ] {
        let (status, body) = s.get(path, token).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::FORBIDDEN, Some("forbidden")),
            "{path}"
        );
    }
    let (_, me) = s.get("/api/v1/me", token).await;
    assert_eq!(me["is_admin"], false);
}

async fn add_member(s: &TestServer, member: workhub_store::accounts::NewUser) {
    s.domain
        .deps
        .stores
        .accounts
        .add_user(member)
        .await
        .unwrap();
}

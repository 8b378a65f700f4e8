//! The four-step company sign-up and the operator's verification, through the API.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::{SECOND, TestServer};

/// A valid 1×1 PNG.
pub const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52, 0, 0, 0,
    1, 0, 0, 0, 1, 8, 6, 0, 0, 0, 0x1f, 0x15, 0xc4, 0x89, 0, 0, 0, 0x0d, 0x49, 0x44, 0x41, 0x54,
    0x78, 0x9c, 0x63, 0, 1, 0, 0, 5, 0, 1, 0x0d, 0x0a, 0x2d, 0xb4, 0, 0, 0, 0, 0x49, 0x45, 0x4e,
    0x44, 0xae, 0x42, 0x60, 0x82,
];

async fn step(s: &TestServer, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
    let res = s
        .http
        .post(format!("{}{path}", s.url))
        .header("x-signup-token", token)
        .header("accept-language", "en")
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn sign_up_in_four_steps_then_operator_verifies() {
    let s = TestServer::sqlite().await;
    s.domain
        .operators
        .create("op", "Op-Passw0rd!")
        .await
        .unwrap();
    let upload: Value = s
        .http
        .post(format!("{}/api/v1/uploads/licence", s.url))
        .body(PNG.to_vec())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let file_id = upload["file_id"].as_str().unwrap();
    assert_eq!(upload["size"], PNG.len());

    let start = json!({ "company_name": "示例科技有限公司", "uscc": "91350100m000100y43", "licence_file_id": file_id });
    let (status, started) = s
        .call(Method::POST, "/api/v1/signup", None, Some(start))
        .await;
    assert_eq!(status, StatusCode::OK, "{started}");
    let (id, token) = (
        started["signup_id"].as_str().unwrap(),
        started["signup_token"].as_str().unwrap(),
    );
    let base = format!("/api/v1/signup/{id}");

    let admin = json!({ "name": "王经理", "userid": "wang", "mobile": "13800138000", "email": "wang@example.cn", "password": "Wang-Passw0rd" });
    let (status, body) = step(&s, &format!("{base}/admin"), token, admin.clone()).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::CONFLICT, Some("signup_wrong_step")),
        "steps go in order"
    );
    let bank = json!({ "bank_name": "招商银行", "account_name": "示例科技有限公司", "account_number": "6225 8801 2345 6789" });
    assert_eq!(
        step(&s, &format!("{base}/bank"), "wrong-token", bank.clone())
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    let (status, body) = step(&s, &format!("{base}/bank"), token, bank).await;
    assert_eq!(
        (status, body["bank_status"].as_str()),
        (StatusCode::OK, Some("awaiting_payment"))
    );
    let (status, body) = step(
        &s,
        &format!("{base}/bank/confirm"),
        token,
        json!({ "code": "123456" }),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::CONFLICT, Some("bank_code_not_sent"))
    );

    // Step three creates the company and signs the administrator in.
    let res = s
        .http
        .post(format!("{}{base}/admin", s.url))
        .header("x-signup-token", token)
        .json(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.starts_with("workhub_session=") && cookie.contains("HttpOnly"));
    let corpid = res.json::<Value>().await.unwrap()["corpid"]
        .as_str()
        .unwrap()
        .to_string();
    let session = cookie
        .split(';')
        .next()
        .unwrap()
        .trim_start_matches("workhub_session=")
        .to_string();
    let (_, me) = s.get("/api/v1/me", &session).await;
    assert_eq!(
        (
            me["corp"]["verified"].as_bool(),
            me["corp"]["member_limit"].as_i64()
        ),
        (Some(false), Some(50)),
        "unverified companies are limited"
    );

    let details = json!({ "industry": "软件和信息技术服务业", "size": "51-200", "address": "福州市鼓楼区", "logo_file_id": file_id });
    let (status, body) = step(&s, &format!("{base}/details"), token, details).await;
    assert_eq!(
        (status, body["step"].as_str()),
        (StatusCode::OK, Some("done"))
    );

    // The operator sends the payment, records its code; the applicant confirms.
    let op = s
        .http
        .post(format!("{}/api/v1/operator/login", s.url))
        .json(&json!({ "username": "op", "password": "Op-Passw0rd!" }))
        .send()
        .await
        .unwrap();
    let op_cookie = op.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let op_call = |m: Method, p: &str, b: Option<Value>| {
        let mut r = s
            .http
            .request(m, format!("{}{p}", s.url))
            .header("cookie", op_cookie.clone());
        if let Some(b) = b {
            r = r.json(&b);
        }
        r.send()
    };
    let queue: Value = op_call(Method::GET, "/api/v1/operator/signups", None)
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(queue["signups"][0]["account_number"], "6225880123456789");
    let licence = op_call(
        Method::GET,
        &format!("/api/v1/operator/files/{file_id}"),
        None,
    )
    .await
    .unwrap();
    assert_eq!(licence.headers()["content-type"], "image/png");
    assert_eq!(
        op_call(
            Method::POST,
            &format!("/api/v1/operator/signups/{id}/bank-code"),
            Some(json!({ "code": "A7K2" }))
        )
        .await
        .unwrap()
        .status(),
        StatusCode::NO_CONTENT
    );
    let (status, body) = step(
        &s,
        &format!("{base}/bank/confirm"),
        token,
        json!({ "code": "WRONG" }),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::CONFLICT, Some("bank_code_mismatch"))
    );
    let (status, body) = step(
        &s,
        &format!("{base}/bank/confirm"),
        token,
        json!({ "code": "a7k2" }),
    )
    .await;
    assert_eq!(
        (status, body["bank_status"].as_str()),
        (StatusCode::OK, Some("verified"))
    );

    let mut ws = s.ws(&session, 0).await;
    let pending: Value = op_call(
        Method::GET,
        "/api/v1/operator/corps?status=unverified",
        None,
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert!(
        pending["corps"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["corpid"] == corpid.as_str())
    );
    assert_eq!(
        op_call(
            Method::POST,
            &format!("/api/v1/operator/corps/{corpid}/verify"),
            None
        )
        .await
        .unwrap()
        .status(),
        StatusCode::NO_CONTENT
    );
    let event = ws
        .next_event(5 * SECOND)
        .await
        .expect("members learn at once");
    assert_eq!(event["kind"], "corp.verified");
    let (_, me) = s.get("/api/v1/me", &session).await;
    assert_eq!(
        (
            me["corp"]["verified"].as_bool(),
            me["corp"]["member_limit"].as_i64()
        ),
        (Some(true), Some(1000))
    );
    // Anonymous callers cannot reach the console.
    assert_eq!(
        s.call(Method::GET, "/api/v1/operator/corps", None, None)
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );
}

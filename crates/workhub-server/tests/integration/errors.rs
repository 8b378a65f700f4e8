//! Bad input gets a clear 4xx in our error shape, in the caller's language; never a 500.

use reqwest::StatusCode;
use serde_json::Value;

use crate::support::TestServer;

async fn raw(
    s: &TestServer,
    method: reqwest::Method,
    path: &str,
    body: &'static str,
    lang: &str,
) -> (StatusCode, Value) {
    let res = s
        .http
        .request(method, format!("{}{path}", s.url))
        .header("accept-language", lang)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = res.status();
    let request_id = res
        .headers()
        .get("x-request-id")
        .map(|v| v.to_str().unwrap().to_string());
    let body: Value = res.json().await.unwrap_or(Value::Null);
    if status.is_client_error() {
        assert_eq!(
            body["request_id"].as_str(),
            request_id.as_deref(),
            "errors carry the request id"
        );
    }
    (status, body)
}

#[tokio::test]
async fn malformed_and_missing_and_oversized_bodies() {
    let s = TestServer::sqlite().await;
    use reqwest::Method as M;
    let cases: Vec<(M, &str, &'static str, StatusCode, &str)> = vec![
        (
            M::POST,
            "/api/v1/auth/login",
            "{\"corpid\":",
            StatusCode::BAD_REQUEST,
            "malformed_json",
        ),
        (
            M::POST,
            "/api/v1/auth/login",
            "{\"corpid\":\"x\"}",
            StatusCode::BAD_REQUEST,
            "missing_field",
        ),
        (
            M::POST,
            "/api/v1/auth/login",
            "{\"corpid\":1,\"login\":\"a\",\"password\":\"b\",\"device_id\":\"c\"}",
            StatusCode::BAD_REQUEST,
            "invalid_request",
        ),
        (
            M::POST,
            "/api/v1/auth/login",
            "[]",
            StatusCode::BAD_REQUEST,
            "invalid_request",
        ),
        (
            M::GET,
            "/api/v1/no/such/thing",
            "",
            StatusCode::NOT_FOUND,
            "not_found",
        ),
        (
            M::DELETE,
            "/api/v1/auth/login",
            "",
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
        ),
        (
            M::GET,
            "/api/v1/me",
            "",
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
        ),
        (
            M::GET,
            "/api/v1/sync?since=abc",
            "",
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
        ),
        (
            M::POST,
            "/api/v1/signup",
            "{\"company_name\":\"A\",\"uscc\":\"91350100M000100Y44\",\"licence_file_id\":\"x\"}",
            StatusCode::BAD_REQUEST,
            "invalid_uscc",
        ),
        (
            M::POST,
            "/api/v1/uploads/licence",
            "not an image",
            StatusCode::BAD_REQUEST,
            "unsupported_file_type",
        ),
    ];
    for (method, path, body, status, code) in cases {
        let (got, answer) = raw(&s, method.clone(), path, body, "en").await;
        assert_eq!(
            (got, answer["code"].as_str()),
            (status, Some(code)),
            "{method} {path}: {answer}"
        );
        assert!(!answer["message"].as_str().unwrap().is_empty());
    }
    let big = "x".repeat(2 * 1024 * 1024);
    let res = s
        .http
        .post(format!("{}/api/v1/auth/login", s.url))
        .body(big)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(
        res.json::<Value>().await.unwrap()["code"],
        "payload_too_large"
    );
}

#[tokio::test]
async fn messages_follow_accept_language() {
    let s = TestServer::sqlite().await;
    let (_, zh) = raw(&s, reqwest::Method::GET, "/api/v1/me", "", "zh-CN,zh;q=0.9").await;
    let (_, en) = raw(&s, reqwest::Method::GET, "/api/v1/me", "", "en-US").await;
    let (_, default) = raw(&s, reqwest::Method::GET, "/api/v1/me", "", "fr").await;
    assert_eq!(zh["message"], "请先登录");
    assert_eq!(en["message"], "Please sign in first");
    assert_eq!(default["message"], "请先登录", "Chinese by default");
}

#[tokio::test]
async fn operations_endpoints_and_openapi() {
    let s = TestServer::sqlite().await;
    let get = |p: &str| s.http.get(format!("{}{p}", s.url)).send();
    assert_eq!(get("/healthz").await.unwrap().text().await.unwrap(), "ok");
    let ready: Value = get("/readyz").await.unwrap().json().await.unwrap();
    assert_eq!(
        (ready["database"].as_bool(), ready["bus"].as_bool()),
        (Some(true), Some(true))
    );
    let doc: Value = get("/api/v1/openapi.json")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(doc["openapi"], "3.0.3");
    assert!(doc["paths"]["/api/v1/auth/login"]["post"].is_object());
    let metrics = get("/metrics").await.unwrap().text().await.unwrap();
    assert!(metrics.contains("workhub_http_requests_total"), "{metrics}");
    let index = get("/").await.unwrap();
    assert!(
        index.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(get("/app.js").await.unwrap().status().is_success());
}

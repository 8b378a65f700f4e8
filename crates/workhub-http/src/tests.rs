//! Checks that need no server.

use std::collections::BTreeSet;

#[test]
fn every_route_is_documented() {
    let source = include_str!("api/mod.rs");
    // The first string after each `.route(`, however rustfmt wrapped the call.
    let routed: BTreeSet<String> = source
        .split(".route(")
        .skip(1)
        .filter_map(|rest| rest.split('"').nth(1))
        .map(|p| format!("/api/v1{p}"))
        .collect();
    let documented: BTreeSet<String> = crate::api::openapi::OPERATIONS
        .iter()
        .map(|o| o.1.to_string())
        .collect();
    assert_eq!(routed, documented);
}

/// A request whose client goes away mid-way still runs to the end (a dropped handler would
/// leave a committed write unannounced).
#[tokio::test]
async fn an_abandoned_request_still_finishes() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::time::Duration;

    use axum::Router;
    use axum::body::Body;
    use axum::http::Request;
    use axum::routing::post;
    use tokio::sync::Notify;
    use tower::ServiceExt;

    let finished = Arc::new(AtomicBool::new(false));
    let go = Arc::new(Notify::new());
    let (done, go_on) = (finished.clone(), go.clone());
    let app = Router::new()
        .route(
            "/write",
            post(move || async move {
                go_on.notified().await;
                done.store(true, Ordering::SeqCst);
            }),
        )
        .layer(axum::middleware::from_fn(crate::ops::finish_abandoned));
    let request = Request::post("/write").body(Body::empty()).unwrap();
    // The client gives up while the handler waits.
    let abandoned = tokio::time::timeout(Duration::from_millis(50), app.oneshot(request)).await;
    assert!(abandoned.is_err(), "the handler is still waiting");
    go.notify_one();
    for _ in 0..100 {
        if finished.load(Ordering::SeqCst) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("the abandoned request was dropped before it finished");
}

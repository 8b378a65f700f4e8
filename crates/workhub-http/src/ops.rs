//! Health, readiness and metrics for operators and load balancers.

use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::AppState;

/// GET /healthz — the process is up.
pub async fn healthz() -> &'static str {
    "ok"
}

/// GET /readyz — the database and (in cluster mode) the bus answer.
pub async fn readyz(State(state): State<AppState>) -> Response {
    let db = state.domain.deps.stores.health.ping().await.is_ok();
    let bus = state.domain.deps.bus.healthy().await;
    let status = if db && bus && !state.shutdown.is_cancelled() {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let body = serde_json::json!({ "database": db, "bus": bus, "draining": state.shutdown.is_cancelled() });
    (status, axum::Json(body)).into_response()
}

/// GET /metrics — Prometheus text format.
pub async fn metrics(State(state): State<AppState>) -> String {
    state
        .metrics
        .as_ref()
        .map(|h| h.render())
        .unwrap_or_default()
}

/// Counts requests and their latency per route (the route pattern, never the raw path, so
/// ids do not explode the label set).
pub async fn track(req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "unmatched".to_string());
    let method = req.method().to_string();
    let started = Instant::now();
    let res = next.run(req).await;
    let status = res.status().as_u16().to_string();
    metrics::counter!("workhub_http_requests_total", "route" => route.clone(), "method" => method.clone(), "status" => status).increment(1);
    metrics::histogram!("workhub_http_request_duration_seconds", "route" => route, "method" => method).record(started.elapsed().as_secs_f64());
    res
}

/// Runs each request in a task of its own, so a request whose client goes away still runs to
/// the end. Otherwise the handler is dropped at its next await: a write the database already
/// took would commit without announcing its events (members' sockets would hear of it only at
/// their next wake-up or periodic re-read), and a multi-step operation would stop midway.
pub async fn finish_abandoned(request: Request, next: Next) -> Response {
    match tokio::spawn(next.run(request)).await {
        Ok(response) => response,
        // Panics are answered inside (`CatchPanicLayer`); this is the runtime shutting down.
        Err(_) => StatusCode::SERVICE_UNAVAILABLE.into_response(),
    }
}

//! The HTTP face of Workhub: the native API (`/api/v1`), the WeCom API (`/cgi-bin`), the
//! WebSocket, operations endpoints and the embedded web client, over one axum router.

pub mod api;
pub mod cgi_bin;
pub mod error;
pub mod extract;
pub mod ops;
pub mod wakeups;
mod web;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware;
use axum::routing::get;
use metrics_exporter_prometheus::PrometheusHandle;
use tokio_util::sync::CancellationToken;
use workhub_domain::Domain;

/// Largest JSON body the API reads; uploads have their own limits.
pub const MAX_BODY: usize = 1024 * 1024;

/// What every handler reads. Axum clones the state for each request and extractor, and the
/// services inside hold many `Arc`s: one shared `Arc` keeps that clone to a single increment.
#[derive(Clone)]
pub struct AppState(std::sync::Arc<Shared>);

impl AppState {
    pub fn new(shared: Shared) -> AppState {
        AppState(std::sync::Arc::new(shared))
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

pub struct Shared {
    pub domain: Domain,
    pub metrics: Option<PrometheusHandle>,
    /// Mark cookies `Secure` (when serving TLS, or behind a TLS-terminating proxy).
    pub secure_cookies: bool,
    /// Take the client address from `X-Forwarded-For` (only behind a trusted proxy).
    pub trust_forwarded_for: bool,
    /// Cancelled when the server begins to shut down: WebSockets close, `/readyz` fails.
    pub shutdown: CancellationToken,
    /// The message search index of this node.
    pub search: workhub_domain::messaging::search::MessageSearch,
    /// Uploads and stored files.
    pub files: workhub_domain::files::Files,
    /// Wake-ups of this node's WebSockets, routed by member.
    pub wakeups: std::sync::Arc<wakeups::Wakeups>,
}

/// The whole application.
pub fn app(state: AppState) -> Router {
    Router::new()
        .nest("/api/v1", api::routes())
        .nest("/cgi-bin", cgi_bin::routes())
        .route("/healthz", get(ops::healthz))
        .route("/readyz", get(ops::readyz))
        .route("/metrics", get(ops::metrics))
        .fallback(web::serve)
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .layer(middleware::from_fn(ops::track))
        .layer(middleware::from_fn(error::render))
        .layer(tower_http::catch_panic::CatchPanicLayer::new())
        .layer(middleware::from_fn(ops::finish_abandoned))
        .with_state(state)
}

#[cfg(test)]
mod tests;

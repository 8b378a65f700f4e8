//! Serves the embedded web client. Unknown paths outside the APIs get `index.html`, so links
//! into the client work; the APIs' unknown paths get a proper 404.

use axum::http::{Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use workhub_core::{Code, Error};

use crate::error::{ApiError, WecomError};

pub async fn serve(method: Method, uri: Uri) -> Response {
    let path = uri.path();
    if path.starts_with("/cgi-bin/") {
        return WecomError(Error::new(Code::NotFound)).into_response();
    }
    if path.starts_with("/api/") {
        return ApiError(Error::new(Code::NotFound)).into_response();
    }
    if method != Method::GET && method != Method::HEAD {
        return ApiError(Error::new(Code::MethodNotAllowed)).into_response();
    }
    let name = path.trim_start_matches('/');
    let (name, cache) = match workhub_web::asset(name) {
        Some(_) if !name.is_empty() => (name, "public, max-age=300"),
        _ => ("index.html", "no-cache"),
    };
    match workhub_web::asset(name) {
        Some((bytes, mime)) => (
            [
                (header::CONTENT_TYPE, mime),
                (header::CACHE_CONTROL, cache.to_string()),
            ],
            bytes.into_owned(),
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, "web client not built").into_response(),
    }
}

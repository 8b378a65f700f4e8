//! Extractors that turn requests into domain inputs, with our error shape on every failure.

use std::net::SocketAddr;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::header;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use workhub_core::{Code, Error};
use workhub_domain::{Meta, UserActor};

use crate::AppState;
use crate::error::{ApiError, RequestId};

pub const SESSION_COOKIE: &str = "workhub_session";
pub const OPERATOR_COOKIE: &str = "workhub_operator";

/// A JSON body, read whatever the Content-Type says (WeCom clients send none), with errors
/// that name the problem.
pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                Error::new(Code::PayloadTooLarge)
            } else {
                Error::with(Code::InvalidRequest, e.body_text())
            }
        })?;
        parse_json(&bytes).map(JsonBody).map_err(ApiError)
    }
}

/// Parses JSON, telling a syntax error from a wrong or missing field.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Error> {
    let bytes = if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        b"{}".as_slice()
    } else {
        bytes
    };
    serde_json::from_slice(bytes).map_err(|e| {
        let text = e.to_string();
        match e.classify() {
            serde_json::error::Category::Data if text.starts_with("missing field") => Error::with(
                Code::MissingField,
                text.trim_start_matches("missing field ")
                    .split(' ')
                    .next()
                    .unwrap_or("")
                    .trim_matches('`')
                    .to_string(),
            ),
            serde_json::error::Category::Data => Error::with(Code::InvalidRequest, text),
            _ => Error::with(Code::MalformedJson, text),
        }
    })
}

/// Query parameters, with our error shape.
pub struct QueryArgs<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for QueryArgs<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or("");
        serde_urlencoded_like(query)
            .map(QueryArgs)
            .map_err(ApiError)
    }
}

fn serde_urlencoded_like<T: DeserializeOwned>(query: &str) -> Result<T, Error> {
    axum::extract::Query::<T>::try_from_uri(
        &format!("/?{query}")
            .parse()
            .map_err(|_| Error::new(Code::InvalidRequest))?,
    )
    .map(|q| q.0)
    .map_err(|e| Error::with(Code::InvalidRequest, e.body_text()))
}

/// Who is calling and from where, for audit records and IP rules.
pub struct RequestMeta(pub Meta);

impl FromRequestParts<AppState> for RequestMeta {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(RequestMeta(meta_of(parts, state)))
    }
}

pub fn meta_of(parts: &Parts, state: &AppState) -> Meta {
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_default();
    // Behind a trusted reverse proxy the client's address is the last hop it appended.
    let forwarded = parts
        .headers
        .get("x-forwarded-for")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.rsplit(',').next())
        .map(|s| s.trim().to_string());
    let ip = match forwarded {
        Some(f) if state.trust_forwarded_for && !f.is_empty() => f,
        _ => peer,
    };
    Meta {
        ip,
        user_agent: parts
            .headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .chars()
            .take(512)
            .collect(),
        request_id: parts
            .extensions
            .get::<RequestId>()
            .map(|r| r.0.clone())
            .unwrap_or_default(),
    }
}

/// The language the caller reads (Accept-Language), for names the server writes.
pub struct Language(pub workhub_core::Lang);

impl FromRequestParts<AppState> for Language {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, Self::Rejection> {
        Ok(Language(
            parts
                .headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .map(workhub_core::Lang::from_accept_language)
                .unwrap_or_default(),
        ))
    }
}

/// A signed-in member (cookie or bearer token).
pub struct Session(pub UserActor);

impl FromRequestParts<AppState> for Session {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = bearer(parts)
            .or_else(|| cookie(parts, SESSION_COOKIE))
            .ok_or_else(|| Error::new(Code::Unauthenticated))?;
        let meta = meta_of(parts, state);
        Ok(Session(
            state.domain.accounts.authenticate(&meta, &token).await?,
        ))
    }
}

/// A signed-in server operator: the username and the console token.
pub struct OperatorSession(pub String, pub String);

impl FromRequestParts<AppState> for OperatorSession {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = cookie(parts, OPERATOR_COOKIE)
            .or_else(|| bearer(parts))
            .ok_or_else(|| Error::new(Code::Unauthenticated))?;
        let name = state.domain.operators.authenticate(&token).await?;
        Ok(OperatorSession(name, token))
    }
}

fn bearer(parts: &Parts) -> Option<String> {
    let value = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    value
        .strip_prefix("Bearer ")
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
}

pub fn cookie(parts: &Parts, name: &str) -> Option<String> {
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| {
            let (k, v) = pair.trim().split_once('=')?;
            (k == name && !v.is_empty()).then(|| v.to_string())
        })
}

/// A `Set-Cookie` value for a session token (or its removal when `token` is empty).
pub fn session_cookie(name: &str, token: &str, max_age_secs: i64, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    let age = if token.is_empty() { 0 } else { max_age_secs };
    format!("{name}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={age}{secure}")
}

//! Turning domain errors into answers. Handlers return [`ApiError`] (native API) or
//! [`WecomError`] (`/cgi-bin`); the `render` middleware writes the body, because only it knows
//! the request's language and id.

use axum::Json;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::json;
use workhub_core::{Code, Error, Lang};

/// An error of the native API: HTTP status from the code table, JSON body.
#[derive(Debug)]
pub struct ApiError(pub Error);

/// An error of the WeCom API: always HTTP 200 with `errcode`/`errmsg`.
#[derive(Debug)]
pub struct WecomError(pub Error);

impl<E: Into<Error>> From<E> for ApiError {
    fn from(e: E) -> Self {
        ApiError(e.into())
    }
}

impl<E: Into<Error>> From<E> for WecomError {
    fn from(e: E) -> Self {
        WecomError(e.into())
    }
}

#[derive(Clone)]
struct Native(Error);
#[derive(Clone)]
struct Wecom(Error);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.0.code.http_status())
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut res = status.into_response();
        res.extensions_mut().insert(Native(self.0));
        res
    }
}

impl IntoResponse for WecomError {
    fn into_response(self) -> Response {
        let mut res = StatusCode::OK.into_response();
        res.extensions_mut().insert(Wecom(self.0));
        res
    }
}

/// The id of the request, echoed in `x-request-id` and in error bodies.
#[derive(Clone, Debug)]
pub struct RequestId(pub String);

/// Gives every request an id, and writes error bodies in the caller's language.
pub async fn render(mut req: Request, next: Next) -> Response {
    let id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= 64 && v.chars().all(|c| c.is_ascii_graphic()))
        .map(str::to_string)
        .unwrap_or_else(|| uuid::Uuid::new_v4().simple().to_string());
    let lang = lang_of(&req);
    let wecom = req.uri().path().starts_with("/cgi-bin/");
    req.extensions_mut().insert(RequestId(id.clone()));
    let mut res = next.run(req).await;
    if let Some(Native(e)) = res.extensions_mut().remove::<Native>() {
        let status = res.status();
        res = (
            status,
            Json(json!({ "code": e.code.name(), "message": e.message(lang), "request_id": id })),
        )
            .into_response();
    } else if let Some(Wecom(e)) = res.extensions_mut().remove::<Wecom>() {
        res = wecom_body(&e, lang, &id);
    } else if (res.status().is_client_error() || res.status().is_server_error()) && !has_body(&res)
    {
        // Answers produced outside our handlers (unknown route, wrong method, panics caught by
        // the tower layer): give them the same shape.
        let code = match res.status() {
            StatusCode::NOT_FOUND => Code::NotFound,
            StatusCode::METHOD_NOT_ALLOWED => Code::MethodNotAllowed,
            StatusCode::PAYLOAD_TOO_LARGE => Code::PayloadTooLarge,
            s if s.is_client_error() => Code::InvalidRequest,
            _ => Code::Internal,
        };
        let e = Error::new(code);
        res = if wecom {
            wecom_body(&e, lang, &id)
        } else {
            (
                res.status(),
                Json(json!({ "code": code.name(), "message": e.message(lang), "request_id": id })),
            )
                .into_response()
        };
    }
    if let Ok(v) = HeaderValue::from_str(&id) {
        res.headers_mut().insert("x-request-id", v);
    }
    res
}

fn wecom_body(e: &Error, lang: Lang, id: &str) -> Response {
    let errmsg = format!("{}, hint: [{id}]", e.message(lang));
    (
        StatusCode::OK,
        Json(json!({ "errcode": e.code.errcode(), "errmsg": errmsg })),
    )
        .into_response()
}

fn has_body(res: &Response) -> bool {
    res.headers().get(header::CONTENT_TYPE).is_some()
}

pub fn lang_of(req: &Request) -> Lang {
    req.headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map(Lang::from_accept_language)
        .unwrap_or_default()
}

pub type ApiResult<T> = Result<T, ApiError>;
pub type WecomResult<T> = Result<T, WecomError>;

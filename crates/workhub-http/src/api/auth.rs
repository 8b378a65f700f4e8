//! Signing in and out.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;
use workhub_domain::accounts::{LoginInput, LoginOutcome, PollOutcome};
use workhub_store::accounts::{Session as StoredSession, User};

use crate::AppState;
use crate::error::ApiResult;
use crate::extract::{JsonBody, QueryArgs, RequestMeta, SESSION_COOKIE, Session, session_cookie};

/// Cookie lifetime; the server's policy ends sessions earlier when it says so.
const COOKIE_SECS: i64 = 30 * 24 * 3600;

#[derive(Deserialize)]
pub struct LoginBody {
    corpid: String,
    login: String,
    password: String,
    totp_code: Option<String>,
    device_id: String,
    #[serde(default)]
    device_name: String,
    #[serde(default = "web")]
    platform: String,
}

fn web() -> String {
    "web".to_string()
}

/// POST /api/v1/auth/login
pub async fn login(
    State(state): State<AppState>,
    RequestMeta(meta): RequestMeta,
    JsonBody(b): JsonBody<LoginBody>,
) -> ApiResult<Response> {
    let input = LoginInput {
        corpid: b.corpid,
        login: b.login,
        password: b.password,
        totp_code: b.totp_code,
        device_id: b.device_id,
        device_name: b.device_name,
        platform: b.platform,
    };
    Ok(match state.domain.accounts.login(&meta, input).await? {
        LoginOutcome::SignedIn(s) => signed_in(&state, s.token, &s.session, &s.user),
        LoginOutcome::TotpRequired => Json(json!({ "status": "totp_required" })).into_response(),
        LoginOutcome::DevicePending { approval_id, poll_token } => {
            Json(json!({ "status": "device_pending", "approval_id": approval_id, "poll_token": poll_token })).into_response()
        }
    })
}

pub(crate) fn signed_in(
    state: &AppState,
    token: String,
    session: &StoredSession,
    user: &User,
) -> Response {
    let cookie = session_cookie(SESSION_COOKIE, &token, COOKIE_SECS, state.secure_cookies);
    let body = json!({
        "status": "ok",
        "token": token,
        "session_id": session.session_id,
        "user": { "corpid": user.corp_id, "userid": user.userid, "name": user.name, "is_admin": user.is_admin },
    });
    ([(header::SET_COOKIE, cookie)], Json(body)).into_response()
}

#[derive(Deserialize)]
pub struct PollArgs {
    poll_token: String,
}

/// GET /api/v1/auth/device-approvals/{approval_id}?poll_token=
pub async fn poll_approval(
    State(state): State<AppState>,
    RequestMeta(meta): RequestMeta,
    Path(id): Path<String>,
    QueryArgs(q): QueryArgs<PollArgs>,
) -> ApiResult<Response> {
    Ok(
        match state
            .domain
            .accounts
            .poll_approval(&meta, &id, &q.poll_token)
            .await?
        {
            PollOutcome::Pending => Json(json!({ "status": "pending" })).into_response(),
            PollOutcome::Rejected => Json(json!({ "status": "rejected" })).into_response(),
            PollOutcome::SignedIn(s) => signed_in(&state, s.token, &s.session, &s.user),
        },
    )
}

#[derive(Deserialize)]
pub struct ExpiredBody {
    corpid: String,
    login: String,
    old_password: String,
    new_password: String,
}

/// POST /api/v1/auth/password/expired
pub async fn change_expired_password(
    State(state): State<AppState>,
    RequestMeta(meta): RequestMeta,
    JsonBody(b): JsonBody<ExpiredBody>,
) -> ApiResult<StatusCode> {
    state
        .domain
        .accounts
        .change_expired_password(&meta, &b.corpid, &b.login, &b.old_password, &b.new_password)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// POST /api/v1/auth/logout
pub async fn logout(
    State(state): State<AppState>,
    RequestMeta(meta): RequestMeta,
    Session(who): Session,
) -> ApiResult<Response> {
    state.domain.accounts.logout(&who, &meta).await?;
    let cookie = session_cookie(SESSION_COOKIE, "", 0, state.secure_cookies);
    Ok(([(header::SET_COOKIE, cookie)], StatusCode::NO_CONTENT).into_response())
}

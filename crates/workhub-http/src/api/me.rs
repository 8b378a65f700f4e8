//! The signed-in member's own account: profile, password, two-factor, sessions, approvals.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::AppState;
use crate::error::ApiResult;
use crate::extract::{JsonBody, RequestMeta, Session};

/// GET /api/v1/me
pub async fn me(State(state): State<AppState>, Session(who): Session) -> ApiResult<Json<Value>> {
    let user = state.domain.accounts.profile(&who).await?;
    let corp = state.domain.corps.get(&who.corp_id).await?;
    Ok(Json(json!({
        "corpid": who.corp_id,
        "userid": who.userid,
        "name": user.name,
        "is_admin": who.is_super_admin(),
        "roles": roles(&who),
        "permissions": who.authority.permissions(),
        "totp_enabled": user.totp_enabled,
        "session_id": who.session_id,
        "corp": {
            "corpid": corp.corp_id,
            "name": corp.name,
            "verified": corp.verified,
            "edition": corp.edition,
            "member_limit": corp.edition.member_limit(corp.verified),
        },
    })))
}

/// The roles a member holds, as `/me` lists them.
fn roles(who: &workhub_domain::UserActor) -> Vec<Value> {
    if who.is_super_admin() {
        return vec![json!({ "id": workhub_domain::authz::SUPER_ADMIN, "departments": [] })];
    }
    let grants = who.authority.grants();
    grants
        .iter()
        .map(|g| json!({ "id": g.role_id, "departments": g.departments }))
        .collect()
}

#[derive(Deserialize)]
pub struct PasswordBody {
    old_password: String,
    new_password: String,
}

/// POST /api/v1/me/password
pub async fn change_password(
    State(state): State<AppState>,
    RequestMeta(meta): RequestMeta,
    Session(who): Session,
    JsonBody(b): JsonBody<PasswordBody>,
) -> ApiResult<StatusCode> {
    state
        .domain
        .accounts
        .change_password(&who, &meta, &b.old_password, &b.new_password)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// POST /api/v1/me/totp/setup
pub async fn totp_setup(
    State(state): State<AppState>,
    Session(who): Session,
) -> ApiResult<Json<Value>> {
    let (secret, url) = state.domain.accounts.setup_totp(&who).await?;
    Ok(Json(json!({ "secret": secret, "otpauth_url": url })))
}

#[derive(Deserialize)]
pub struct CodeBody {
    code: String,
}

/// POST /api/v1/me/totp/enable
pub async fn totp_enable(
    State(state): State<AppState>,
    RequestMeta(meta): RequestMeta,
    Session(who): Session,
    JsonBody(b): JsonBody<CodeBody>,
) -> ApiResult<StatusCode> {
    state
        .domain
        .accounts
        .confirm_totp(&who, &meta, &b.code, true)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// POST /api/v1/me/totp/disable
pub async fn totp_disable(
    State(state): State<AppState>,
    RequestMeta(meta): RequestMeta,
    Session(who): Session,
    JsonBody(b): JsonBody<CodeBody>,
) -> ApiResult<StatusCode> {
    state
        .domain
        .accounts
        .confirm_totp(&who, &meta, &b.code, false)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// GET /api/v1/me/sessions
pub async fn sessions(
    State(state): State<AppState>,
    Session(who): Session,
) -> ApiResult<Json<Value>> {
    let list = state
        .domain
        .accounts
        .list_sessions(&who, None, false)
        .await?;
    Ok(Json(json!({ "sessions": list })))
}

/// DELETE /api/v1/me/sessions/{id}
pub async fn revoke_session(
    State(state): State<AppState>,
    RequestMeta(meta): RequestMeta,
    Session(who): Session,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    state
        .domain
        .accounts
        .revoke_session(&who, &meta, &id, false)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// GET /api/v1/me/device-approvals
pub async fn approvals(
    State(state): State<AppState>,
    Session(who): Session,
) -> ApiResult<Json<Value>> {
    let list = state.domain.accounts.list_approvals(&who, false).await?;
    Ok(Json(json!({ "approvals": list })))
}

/// POST /api/v1/device-approvals/{id}/approve
pub async fn approve(
    State(state): State<AppState>,
    RequestMeta(meta): RequestMeta,
    Session(who): Session,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    state
        .domain
        .accounts
        .decide_approval(&who, &meta, &id, true)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// POST /api/v1/device-approvals/{id}/reject
pub async fn reject(
    State(state): State<AppState>,
    RequestMeta(meta): RequestMeta,
    Session(who): Session,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    state
        .domain
        .accounts
        .decide_approval(&who, &meta, &id, false)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

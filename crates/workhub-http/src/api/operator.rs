//! The operator console: companies waiting for verification, and verifying them.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};
use workhub_core::{Code, CorpId, Edition, Error};

use crate::AppState;
use crate::error::ApiResult;
use crate::extract::{
    JsonBody, OPERATOR_COOKIE, OperatorSession, QueryArgs, RequestMeta, session_cookie,
};

const SETUP_COMMAND: &str = "workhub operator create --username <name> --password '<password>'";

/// GET /api/v1/operator/status
pub async fn status(State(state): State<AppState>) -> ApiResult<Json<Value>> {
    let exists = state.domain.operators.exists().await?;
    Ok(Json(
        json!({ "operator_exists": exists, "setup_command": SETUP_COMMAND }),
    ))
}

#[derive(Deserialize)]
pub struct LoginBody {
    username: String,
    password: String,
}

/// POST /api/v1/operator/login
pub async fn login(
    State(state): State<AppState>,
    RequestMeta(meta): RequestMeta,
    JsonBody(b): JsonBody<LoginBody>,
) -> ApiResult<Response> {
    let token = state
        .domain
        .operators
        .login(&meta, &b.username, &b.password)
        .await?;
    let cookie = session_cookie(OPERATOR_COOKIE, &token, 12 * 3600, state.secure_cookies);
    Ok((
        [(header::SET_COOKIE, cookie)],
        Json(json!({ "username": b.username.trim() })),
    )
        .into_response())
}

/// POST /api/v1/operator/logout
pub async fn logout(
    State(state): State<AppState>,
    OperatorSession(_, token): OperatorSession,
) -> ApiResult<Response> {
    state.domain.operators.logout(&token).await?;
    let cookie = session_cookie(OPERATOR_COOKIE, "", 0, state.secure_cookies);
    Ok(([(header::SET_COOKIE, cookie)], StatusCode::NO_CONTENT).into_response())
}

/// GET /api/v1/operator/me
pub async fn me(OperatorSession(name, _): OperatorSession) -> Json<Value> {
    Json(json!({ "username": name }))
}

/// GET /api/v1/operator/signups
pub async fn signups(
    State(state): State<AppState>,
    _op: OperatorSession,
) -> ApiResult<Json<Value>> {
    Ok(Json(
        json!({ "signups": state.domain.signup.list_for_review().await? }),
    ))
}

#[derive(Deserialize)]
pub struct CodeBody {
    code: String,
}

/// POST /api/v1/operator/signups/{id}/bank-code
pub async fn bank_code(
    State(state): State<AppState>,
    RequestMeta(meta): RequestMeta,
    OperatorSession(name, _): OperatorSession,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<CodeBody>,
) -> ApiResult<StatusCode> {
    state
        .domain
        .signup
        .record_bank_code(&name, &meta, &id, &b.code)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
pub struct CorpsArgs {
    status: Option<String>,
}

/// GET /api/v1/operator/corps?status=unverified|verified|all
pub async fn corps(
    State(state): State<AppState>,
    _op: OperatorSession,
    QueryArgs(q): QueryArgs<CorpsArgs>,
) -> ApiResult<Json<Value>> {
    let verified = match q.status.as_deref() {
        None | Some("all") | Some("") => None,
        Some("verified") => Some(true),
        Some("unverified") => Some(false),
        Some(_) => {
            return Err(
                Error::with(Code::InvalidRequest, "status: unverified, verified or all").into(),
            );
        }
    };
    let list = state.domain.corps.list(verified).await?;
    let corps: Vec<Value> = list
        .iter()
        .map(|c| json!({ "corpid": c.corp.corp_id, "name": c.corp.name, "verified": c.corp.verified, "edition": c.corp.edition, "member_count": c.member_count, "created_at": c.corp.created_at, "uscc": c.corp.uscc }))
        .collect();
    Ok(Json(json!({ "corps": corps })))
}

/// POST /api/v1/operator/corps/{corpid}/verify
pub async fn verify(
    State(state): State<AppState>,
    RequestMeta(meta): RequestMeta,
    OperatorSession(name, _): OperatorSession,
    Path(corpid): Path<String>,
) -> ApiResult<StatusCode> {
    state
        .domain
        .corps
        .verify(&name, &meta, &CorpId::parse(&corpid)?)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
pub struct EditionBody {
    edition: String,
}

/// PUT /api/v1/operator/corps/{corpid}/edition
pub async fn edition(
    State(state): State<AppState>,
    RequestMeta(meta): RequestMeta,
    OperatorSession(name, _): OperatorSession,
    Path(corpid): Path<String>,
    JsonBody(b): JsonBody<EditionBody>,
) -> ApiResult<StatusCode> {
    let edition = Edition::parse(&b.edition)
        .ok_or_else(|| Error::with(Code::InvalidRequest, "edition: standard or professional"))?;
    state
        .domain
        .corps
        .set_edition(&name, &meta, &CorpId::parse(&corpid)?, edition)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// GET /api/v1/operator/files/{id}
pub async fn file(
    State(state): State<AppState>,
    _op: OperatorSession,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let file = state.domain.signup.file(&id).await?;
    Ok(([(header::CONTENT_TYPE, file.content_type)], file.bytes).into_response())
}

//! Administrators manage self-built apps and the contacts-sync secret.

use axum::Json;
use axum::extract::{Path, State};
use serde::Deserialize;
use serde_json::{Value, json};
use workhub_domain::apps::{AppPatch, AppView};
use workhub_store::corps::CONTACTS_AGENT;

use crate::AppState;
use crate::error::ApiResult;
use crate::extract::{JsonBody, RequestMeta, Session};

/// GET /api/v1/admin/apps
pub async fn list(State(state): State<AppState>, Session(who): Session) -> ApiResult<Json<Value>> {
    Ok(Json(json!({ "apps": state.domain.apps.list(&who).await? })))
}

#[derive(Deserialize)]
pub struct NewApp {
    name: String,
}

/// POST /api/v1/admin/apps
pub async fn create(
    State(state): State<AppState>,
    RequestMeta(meta): RequestMeta,
    Session(who): Session,
    JsonBody(b): JsonBody<NewApp>,
) -> ApiResult<Json<Value>> {
    let (agentid, secret) = state.domain.apps.create(&who, &meta, &b.name).await?;
    Ok(Json(json!({ "agentid": agentid, "secret": secret })))
}

/// PATCH /api/v1/admin/apps/{agentid}
pub async fn update(
    State(state): State<AppState>,
    RequestMeta(meta): RequestMeta,
    Session(who): Session,
    Path(agentid): Path<i64>,
    JsonBody(b): JsonBody<AppPatch>,
) -> ApiResult<Json<AppView>> {
    Ok(Json(
        state.domain.apps.update(&who, &meta, agentid, b).await?,
    ))
}

/// POST /api/v1/admin/apps/{agentid}/secret
pub async fn rotate(
    State(state): State<AppState>,
    RequestMeta(meta): RequestMeta,
    Session(who): Session,
    Path(agentid): Path<i64>,
) -> ApiResult<Json<Value>> {
    Ok(Json(
        json!({ "secret": state.domain.apps.rotate_secret(&who, &meta, agentid).await? }),
    ))
}

/// POST /api/v1/admin/contacts-secret
pub async fn rotate_contacts(
    State(state): State<AppState>,
    RequestMeta(meta): RequestMeta,
    Session(who): Session,
) -> ApiResult<Json<Value>> {
    Ok(Json(
        json!({ "secret": state.domain.apps.rotate_secret(&who, &meta, CONTACTS_AGENT).await? }),
    ))
}

/// GET /api/v1/apps: enabled apps' ids and names, for any member.
pub async fn names(State(state): State<AppState>, Session(who): Session) -> ApiResult<Json<Value>> {
    let apps: Vec<Value> = state
        .domain
        .apps
        .names(&who)
        .await?
        .into_iter()
        .map(|(agentid, name)| json!({ "agentid": agentid, "name": name }))
        .collect();
    Ok(Json(json!({ "apps": apps })))
}

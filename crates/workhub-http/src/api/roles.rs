//! Admin roles and permissions: the catalogue, custom roles, and who holds which role where.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};
use workhub_domain::authz::{AREAS, CATALOGUE, RoleInput, RoleView, catalogue};

use crate::AppState;
use crate::error::ApiResult;
use crate::extract::{JsonBody, Language, RequestMeta, Session};

/// GET /api/v1/admin/permissions
pub async fn permissions(Session(who): Session) -> ApiResult<Json<Value>> {
    who.require(catalogue::SECURITY_ADMIN_ROLE_READ)?;
    Ok(Json(json!({ "areas": AREAS, "permissions": CATALOGUE })))
}

/// GET /api/v1/admin/roles
pub async fn list(
    State(state): State<AppState>,
    Language(lang): Language,
    Session(who): Session,
) -> ApiResult<Json<Value>> {
    Ok(Json(
        json!({ "roles": state.domain.roles.list(&who, lang).await? }),
    ))
}

/// POST /api/v1/admin/roles
pub async fn create(
    State(state): State<AppState>,
    RequestMeta(meta): RequestMeta,
    Session(who): Session,
    JsonBody(input): JsonBody<RoleInput>,
) -> ApiResult<(StatusCode, Json<RoleView>)> {
    let role = state.domain.roles.create(&who, &meta, input).await?;
    Ok((StatusCode::CREATED, Json(role)))
}

/// PATCH /api/v1/admin/roles/{id}
pub async fn update(
    State(state): State<AppState>,
    RequestMeta(meta): RequestMeta,
    Session(who): Session,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<RoleInput>,
) -> ApiResult<Json<RoleView>> {
    Ok(Json(
        state.domain.roles.update(&who, &meta, &id, input).await?,
    ))
}

/// DELETE /api/v1/admin/roles/{id}
pub async fn delete(
    State(state): State<AppState>,
    RequestMeta(meta): RequestMeta,
    Session(who): Session,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    state.domain.roles.delete(&who, &meta, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct HolderBody {
    #[serde(default)]
    departments: Vec<i64>,
}

/// PUT /api/v1/admin/roles/{id}/holders/{userid}
pub async fn assign(
    State(state): State<AppState>,
    RequestMeta(meta): RequestMeta,
    Session(who): Session,
    Path((id, userid)): Path<(String, String)>,
    JsonBody(body): JsonBody<HolderBody>,
) -> ApiResult<Json<Value>> {
    let holder = state
        .domain
        .roles
        .assign(&who, &meta, &id, &userid, body.departments)
        .await?;
    Ok(Json(json!(holder)))
}

/// DELETE /api/v1/admin/roles/{id}/holders/{userid}
pub async fn unassign(
    State(state): State<AppState>,
    RequestMeta(meta): RequestMeta,
    Session(who): Session,
    Path((id, userid)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    state
        .domain
        .roles
        .unassign(&who, &meta, &id, &userid)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

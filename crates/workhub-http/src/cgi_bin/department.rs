//! `/cgi-bin/department/*`.

use axum::extract::State;
use axum::http::request::Parts;
use serde_json::json;
use workhub_core::Code;
use workhub_domain::directory::DepartmentInput;

use super::{App, Body, Reply, int_param, ok, query_value};
use crate::AppState;
use crate::extract::RequestMeta;

/// POST /cgi-bin/department/create
pub async fn create(
    State(state): State<AppState>,
    RequestMeta(meta): RequestMeta,
    App(app): App,
    Body(b): Body<DepartmentInput>,
) -> Reply {
    let id = state
        .domain
        .directory
        .create_department(&app, &meta, b)
        .await?;
    Ok(ok("created", json!({ "id": id })))
}

/// POST /cgi-bin/department/update
pub async fn update(
    State(state): State<AppState>,
    RequestMeta(meta): RequestMeta,
    App(app): App,
    Body(b): Body<DepartmentInput>,
) -> Reply {
    let id =
        b.id.ok_or_else(|| workhub_core::Error::with(Code::MissingField, "id"))?;
    state
        .domain
        .directory
        .update_department(&app, &meta, id, b)
        .await?;
    Ok(ok("updated", json!({})))
}

/// GET /cgi-bin/department/delete?id=
pub async fn delete(
    State(state): State<AppState>,
    RequestMeta(meta): RequestMeta,
    App(app): App,
    parts: Parts,
) -> Reply {
    let id = int_param(&parts, "id", Code::MissingField)?;
    state
        .domain
        .directory
        .delete_department(&app, &meta, id)
        .await?;
    Ok(ok("deleted", json!({})))
}

fn optional_id(parts: &Parts) -> Result<Option<i64>, super::super::error::WecomError> {
    match query_value(parts, "id").filter(|v| !v.trim().is_empty()) {
        None => Ok(None),
        Some(_) => int_param(parts, "id", Code::MissingField).map(Some),
    }
}

/// GET /cgi-bin/department/list?id=
pub async fn list(State(state): State<AppState>, App(app): App, parts: Parts) -> Reply {
    let list = state
        .domain
        .directory
        .departments(&app, optional_id(&parts)?)
        .await?;
    Ok(ok("ok", json!({ "department": list })))
}

/// GET /cgi-bin/department/simplelist?id=
pub async fn simplelist(State(state): State<AppState>, App(app): App, parts: Parts) -> Reply {
    let list = state
        .domain
        .directory
        .departments(&app, optional_id(&parts)?)
        .await?;
    let ids: Vec<_> = list
        .iter()
        .map(|d| json!({ "id": d.id, "parentid": d.parentid, "order": d.order }))
        .collect();
    Ok(ok("ok", json!({ "department_id": ids })))
}

/// GET /cgi-bin/department/get?id=
pub async fn get(State(state): State<AppState>, App(app): App, parts: Parts) -> Reply {
    let id = int_param(&parts, "id", Code::MissingField)?;
    Ok(ok(
        "ok",
        json!({ "department": state.domain.directory.department(&app, id).await? }),
    ))
}

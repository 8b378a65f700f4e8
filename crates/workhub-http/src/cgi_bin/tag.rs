//! `/cgi-bin/tag/*`.

use axum::extract::State;
use axum::http::request::Parts;
use serde::Deserialize;
use serde_json::json;
use workhub_core::{Code, Error};
use workhub_domain::directory::input::{opt_int, opt_ints};

use super::{App, Body, Reply, int_param, ok};
use crate::AppState;
use crate::extract::RequestMeta;

#[derive(Deserialize)]
pub struct TagBody {
    tagname: Option<String>,
    #[serde(default, deserialize_with = "opt_int")]
    tagid: Option<i64>,
}

/// POST /cgi-bin/tag/create
pub async fn create(
    State(state): State<AppState>,
    RequestMeta(meta): RequestMeta,
    App(app): App,
    Body(b): Body<TagBody>,
) -> Reply {
    let name = b
        .tagname
        .ok_or_else(|| Error::with(Code::MissingField, "tagname"))?;
    let id = state
        .domain
        .directory
        .create_tag(&app, &meta, &name, b.tagid)
        .await?;
    Ok(ok("created", json!({ "tagid": id })))
}

/// POST /cgi-bin/tag/update
pub async fn update(
    State(state): State<AppState>,
    RequestMeta(meta): RequestMeta,
    App(app): App,
    Body(b): Body<TagBody>,
) -> Reply {
    let id = b
        .tagid
        .ok_or_else(|| Error::with(Code::MissingField, "tagid"))?;
    let name = b
        .tagname
        .ok_or_else(|| Error::with(Code::MissingField, "tagname"))?;
    state
        .domain
        .directory
        .rename_tag(&app, &meta, id, &name)
        .await?;
    Ok(ok("updated", json!({})))
}

/// GET /cgi-bin/tag/delete?tagid=
pub async fn delete(
    State(state): State<AppState>,
    RequestMeta(meta): RequestMeta,
    App(app): App,
    parts: Parts,
) -> Reply {
    let id = int_param(&parts, "tagid", Code::MissingField)?;
    state.domain.directory.delete_tag(&app, &meta, id).await?;
    Ok(ok("deleted", json!({})))
}

/// GET /cgi-bin/tag/get?tagid=
pub async fn get(State(state): State<AppState>, App(app): App, parts: Parts) -> Reply {
    let id = int_param(&parts, "tagid", Code::MissingField)?;
    let tag = state.domain.directory.tag_members(&app, id).await?;
    Ok(ok(
        "ok",
        json!({ "tagname": tag.name, "userlist": tag.userlist, "partylist": tag.partylist }),
    ))
}

#[derive(Deserialize)]
pub struct MembersBody {
    #[serde(default, deserialize_with = "opt_int")]
    tagid: Option<i64>,
    #[serde(default)]
    userlist: Vec<String>,
    #[serde(default, deserialize_with = "opt_ints")]
    partylist: Option<Vec<i64>>,
}

async fn change(
    state: AppState,
    meta: workhub_domain::Meta,
    app: workhub_domain::Actor,
    b: MembersBody,
    remove: bool,
) -> Reply {
    let id = b
        .tagid
        .ok_or_else(|| Error::with(Code::MissingField, "tagid"))?;
    let parties = b.partylist.unwrap_or_default();
    let invalid = state
        .domain
        .directory
        .change_tag_members(&app, &meta, id, &b.userlist, &parties, remove)
        .await?;
    let mut payload = json!({});
    if !invalid.users.is_empty() {
        payload["invalidlist"] = json!(invalid.users.join("|"));
    }
    if !invalid.parties.is_empty() {
        payload["invalidparty"] = json!(invalid.parties);
    }
    Ok(ok(if remove { "deleted" } else { "ok" }, payload))
}

/// POST /cgi-bin/tag/addtagusers
pub async fn addtagusers(
    State(state): State<AppState>,
    RequestMeta(meta): RequestMeta,
    App(app): App,
    Body(b): Body<MembersBody>,
) -> Reply {
    change(state, meta, app, b, false).await
}

/// POST /cgi-bin/tag/deltagusers
pub async fn deltagusers(
    State(state): State<AppState>,
    RequestMeta(meta): RequestMeta,
    App(app): App,
    Body(b): Body<MembersBody>,
) -> Reply {
    change(state, meta, app, b, true).await
}

/// GET /cgi-bin/tag/list
pub async fn list(State(state): State<AppState>, App(app): App) -> Reply {
    let tags = state.domain.directory.tags(&app).await?;
    let list: Vec<_> = tags
        .iter()
        .map(|t| json!({ "tagid": t.id, "tagname": t.name }))
        .collect();
    Ok(ok("ok", json!({ "taglist": list })))
}

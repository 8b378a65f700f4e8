//! `/cgi-bin/user/*`.

use axum::extract::State;
use axum::http::request::Parts;
use serde::Deserialize;
use serde_json::{Value, json};
use workhub_core::{Code, Error};
use workhub_domain::directory::MemberInput;

use super::{App, Body, Reply, int_param, ok, query_value};
use crate::AppState;
use crate::extract::RequestMeta;

fn userid_param(parts: &Parts) -> Result<String, Error> {
    query_value(parts, "userid")
        .filter(|u| !u.trim().is_empty())
        .ok_or_else(|| Error::with(Code::MissingField, "userid"))
}

/// POST /cgi-bin/user/create
pub async fn create(
    State(state): State<AppState>,
    RequestMeta(meta): RequestMeta,
    App(app): App,
    Body(b): Body<MemberInput>,
) -> Reply {
    state.domain.directory.create_member(&app, &meta, b).await?;
    Ok(ok("created", json!({})))
}

/// POST /cgi-bin/user/update
pub async fn update(
    State(state): State<AppState>,
    RequestMeta(meta): RequestMeta,
    App(app): App,
    Body(b): Body<MemberInput>,
) -> Reply {
    let userid = b
        .userid
        .clone()
        .ok_or_else(|| Error::with(Code::MissingField, "userid"))?;
    state
        .domain
        .directory
        .update_member(&app, &meta, &userid, b)
        .await?;
    Ok(ok("updated", json!({})))
}

/// GET /cgi-bin/user/get?userid=
pub async fn get(State(state): State<AppState>, App(app): App, parts: Parts) -> Reply {
    let member = state
        .domain
        .directory
        .member(&app, &userid_param(&parts)?)
        .await?;
    Ok(ok("ok", json!(member)))
}

/// GET /cgi-bin/user/delete?userid=
pub async fn delete(
    State(state): State<AppState>,
    RequestMeta(meta): RequestMeta,
    App(app): App,
    parts: Parts,
) -> Reply {
    state
        .domain
        .directory
        .delete_member(&app, &meta, &userid_param(&parts)?)
        .await?;
    Ok(ok("deleted", json!({})))
}

#[derive(Deserialize)]
pub struct BatchDelete {
    useridlist: Vec<String>,
}

/// POST /cgi-bin/user/batchdelete — all or nothing is not promised by WeCom; we stop at the
/// first failure and report it.
pub async fn batchdelete(
    State(state): State<AppState>,
    RequestMeta(meta): RequestMeta,
    App(app): App,
    Body(b): Body<BatchDelete>,
) -> Reply {
    if b.useridlist.is_empty() || b.useridlist.len() > 200 {
        return Err(Error::with(Code::InvalidRequest, "useridlist: 1..200").into());
    }
    for userid in &b.useridlist {
        state
            .domain
            .directory
            .delete_member(&app, &meta, userid)
            .await?;
    }
    Ok(ok("deleted", json!({})))
}

async fn members(
    state: &AppState,
    app: &workhub_domain::Actor,
    parts: &Parts,
) -> Result<Vec<workhub_domain::directory::MemberView>, Error> {
    let department = int_param(parts, "department_id", Code::MissingField).map_err(|e| e.0)?;
    let fetch_child = query_value(parts, "fetch_child").as_deref() == Some("1");
    state
        .domain
        .directory
        .members(app, Some(department), fetch_child)
        .await
}

/// GET /cgi-bin/user/simplelist?department_id=&fetch_child=
pub async fn simplelist(State(state): State<AppState>, App(app): App, parts: Parts) -> Reply {
    let list = members(&state, &app, &parts).await?;
    let list: Vec<Value> = list.iter().map(|m| json!({ "userid": m.userid, "name": m.name, "department": m.department, "open_userid": m.open_userid })).collect();
    Ok(ok("ok", json!({ "userlist": list })))
}

/// GET /cgi-bin/user/list?department_id=&fetch_child=
pub async fn list(State(state): State<AppState>, App(app): App, parts: Parts) -> Reply {
    Ok(ok(
        "ok",
        json!({ "userlist": members(&state, &app, &parts).await? }),
    ))
}

#[derive(Deserialize)]
pub struct ListId {
    #[serde(default)]
    cursor: String,
    #[serde(
        default,
        deserialize_with = "workhub_domain::directory::input::opt_int"
    )]
    limit: Option<i64>,
}

/// POST /cgi-bin/user/list_id — every membership, paged by an opaque cursor (an offset here).
pub async fn list_id(State(state): State<AppState>, App(app): App, Body(b): Body<ListId>) -> Reply {
    let limit = usize::try_from(b.limit.unwrap_or(1000).clamp(1, 10_000)).unwrap_or(1000);
    let offset: usize = if b.cursor.is_empty() {
        0
    } else {
        b.cursor
            .parse()
            .map_err(|_| Error::with(Code::InvalidRequest, "cursor"))?
    };
    let all = state.domain.directory.members(&app, None, false).await?;
    let rows: Vec<Value> = all
        .iter()
        .flat_map(|m| {
            m.department
                .iter()
                .map(move |d| json!({ "userid": m.userid, "department": d }))
        })
        .collect();
    let page: Vec<Value> = rows.iter().skip(offset).take(limit).cloned().collect();
    let next = if offset + page.len() < rows.len() {
        (offset + page.len()).to_string()
    } else {
        String::new()
    };
    Ok(ok("ok", json!({ "next_cursor": next, "dept_user": page })))
}

#[derive(Deserialize)]
pub struct ByMobile {
    mobile: String,
}

/// POST /cgi-bin/user/getuserid
pub async fn getuserid(
    State(state): State<AppState>,
    App(app): App,
    Body(b): Body<ByMobile>,
) -> Reply {
    Ok(ok(
        "ok",
        json!({ "userid": state.domain.directory.userid_by_mobile(&app, &b.mobile).await? }),
    ))
}

#[derive(Deserialize)]
pub struct ByUserid {
    userid: String,
}

/// POST /cgi-bin/user/convert_to_openid — Workhub has no WeChat accounts, so the openid of a
/// member is a stable name derived from the company and userid.
pub async fn convert_to_openid(
    State(state): State<AppState>,
    App(app): App,
    Body(b): Body<ByUserid>,
) -> Reply {
    let member = state.domain.directory.member(&app, &b.userid).await?;
    Ok(ok("ok", json!({ "openid": openid(&app, &member.userid) })))
}

#[derive(Deserialize)]
pub struct ByOpenid {
    openid: String,
}

/// POST /cgi-bin/user/convert_to_userid
pub async fn convert_to_userid(
    State(state): State<AppState>,
    App(app): App,
    Body(b): Body<ByOpenid>,
) -> Reply {
    let all = state.domain.directory.members(&app, None, false).await?;
    let found = all.iter().find(|m| openid(&app, &m.userid) == b.openid);
    let member = found.ok_or_else(|| Error::new(Code::UserNotFound))?;
    Ok(ok("ok", json!({ "userid": member.userid })))
}

/// A member's openid: stable, and meaningless outside their company.
fn openid(app: &workhub_domain::Actor, userid: &str) -> String {
    let corp = match app {
        workhub_domain::Actor::App { corp_id, .. } => corp_id.to_string(),
        _ => String::new(),
    };
    format!(
        "o{}",
        &workhub_core::secret::digest(&format!("{corp}:{userid}"))[..27]
    )
}

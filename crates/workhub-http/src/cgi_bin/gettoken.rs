//! `GET|POST /cgi-bin/gettoken?corpid=&corpsecret=`. The POST form exists because Grafana
//! sends one with an empty body; both read the query only.

use axum::Json;
use axum::extract::{Query, State};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::AppState;
use crate::error::WecomResult;

#[derive(Deserialize)]
pub struct Args {
    corpid: Option<String>,
    corpsecret: Option<String>,
}

/// GET /cgi-bin/gettoken
pub async fn gettoken(
    State(state): State<AppState>,
    Query(q): Query<Args>,
) -> WecomResult<Json<Value>> {
    let (token, expires_in) = state
        .domain
        .corps
        .issue_token(q.corpid.as_deref(), q.corpsecret.as_deref())
        .await?;
    Ok(Json(
        json!({ "errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": expires_in }),
    ))
}

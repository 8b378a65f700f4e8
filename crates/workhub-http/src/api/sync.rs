//! The event streams over HTTP: `sync` pages through my stream (or a large group's), `latest`
//! tells where they end. The WebSocket that pushes them is in `socket`.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::Value;
use workhub_core::Seq;
use workhub_store::EventRecord;

use crate::AppState;
use crate::error::ApiResult;
use crate::extract::{QueryArgs, Session};

/// Events of one page when the client does not say.
pub const PAGE: i64 = 500;

#[derive(Deserialize)]
pub struct SyncArgs {
    #[serde(default)]
    since: Seq,
    limit: Option<i64>,
    /// A large group's stream instead of mine.
    conversation: Option<String>,
}

/// GET /api/v1/sync?since=SEQ&limit=N[&conversation=ID]
pub async fn sync(
    State(state): State<AppState>,
    Session(who): Session,
    QueryArgs(q): QueryArgs<SyncArgs>,
) -> ApiResult<Response> {
    let events = &state.domain.events;
    let limit = q.limit.unwrap_or(PAGE);
    let page = match &q.conversation {
        Some(id) => events.sync_conversation(&who, id, q.since, limit).await?,
        None => events.sync(&who, q.since, limit).await?,
    };
    let events: Vec<String> = page.events.iter().map(event_text).collect();
    let body = format!(
        r#"{{"events":[{}],"next_since":{},"has_more":{}}}"#,
        events.join(","),
        page.next_since,
        page.has_more
    );
    Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
}

/// GET /api/v1/sync/latest: `{seq, conversations: {id: seq}}`, the newest seq of my stream and
/// of each of my large groups' streams. A new device starts there instead of paging through
/// its whole history to find the end.
pub async fn latest(
    State(state): State<AppState>,
    Session(who): Session,
) -> ApiResult<axum::Json<Value>> {
    let events = &state.domain.events;
    let seq = events.latest(&who).await?;
    let conversations: serde_json::Map<String, Value> = events
        .conversation_streams(&who)
        .await?
        .into_iter()
        .map(|(id, seq)| (id, Value::from(seq)))
        .collect();
    Ok(axum::Json(
        serde_json::json!({ "seq": seq, "conversations": conversations }),
    ))
}

/// One event as JSON text. Event data is stored as JSON text already, so it is spliced in
/// rather than parsed and written again (a catch-up page holds thousands of events).
pub fn event_text(e: &EventRecord) -> String {
    event_json(e.seq, &e.kind, &e.data, e.created_at)
}

/// An event as JSON text from its parts (`data` is JSON text; empty reads as null).
pub fn event_json(seq: Seq, kind: &str, data: &str, created_at: i64) -> String {
    let data = if data.trim().is_empty() { "null" } else { data };
    format!(
        r#"{{"seq":{seq},"kind":{},"data":{data},"created_at":{created_at}}}"#,
        Value::String(kind.to_string()),
    )
}

//! The per-user event stream over HTTP: `sync` pages through it; the WebSocket catches up from
//! `since` and then pushes each new event once, in order.
//!
//! A connection subscribes to the bus *before* catching up, so nothing committed in between is
//! missed; it remembers the last seq it sent, so a wake-up for events already sent (or a
//! duplicate wake-up) sends nothing. Seqs come from the store, never from the bus.

use std::time::Duration;

use axum::extract::State;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use futures::SinkExt;
use serde::Deserialize;
use serde_json::Value;
use tokio::time::{Instant, sleep_until};
use workhub_core::Seq;
use workhub_domain::UserActor;
use workhub_domain::accounts::kinds::SESSION_REVOKED;
use workhub_store::EventRecord;

use crate::AppState;
use crate::error::ApiResult;
use crate::extract::{QueryArgs, Session};
use crate::wakeups::AtHand;

/// How often an idle connection re-checks its session and the store (a safety net for a
/// wake-up lost between nodes) and pings the client.
const TICK: Duration = Duration::from_secs(25);
const PAGE: i64 = 500;
/// How long a socket waits for an announcement that another writer has yet to publish before
/// it reads the store instead. Every committed write publishes (requests run to the end even
/// when their client leaves), so this is a safety net; but under load a publish can trail a
/// later one by over 50 ms: with 64 sends in flight to a 200-member group, a 50 ms wait sent
/// sockets to the store about once per message.
const GAP_WAIT: Duration = Duration::from_millis(250);
/// Bytes of frames gathered before they are written, if no flush came first.
const WRITE_BUFFER: usize = 32 * 1024;

#[derive(Deserialize)]
pub struct SyncArgs {
    #[serde(default)]
    since: Seq,
    limit: Option<i64>,
}

/// GET /api/v1/sync?since=SEQ&limit=N
pub async fn sync(
    State(state): State<AppState>,
    Session(who): Session,
    QueryArgs(q): QueryArgs<SyncArgs>,
) -> ApiResult<Response> {
    let page = state
        .domain
        .events
        .sync(&who, q.since, q.limit.unwrap_or(PAGE))
        .await?;
    let events: Vec<String> = page.events.iter().map(event_text).collect();
    let body = format!(
        r#"{{"events":[{}],"next_since":{},"has_more":{}}}"#,
        events.join(","),
        page.next_since,
        page.has_more
    );
    Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
}

/// GET /api/v1/sync/latest: `{seq}`, the newest seq of my stream. A new device starts its
/// stream there instead of paging through the whole history to find the end.
pub async fn latest(
    State(state): State<AppState>,
    Session(who): Session,
) -> ApiResult<axum::Json<Value>> {
    let seq = state.domain.events.latest(&who).await?;
    Ok(axum::Json(serde_json::json!({ "seq": seq })))
}

/// One event as JSON text. Event data is stored as JSON text already, so it is spliced in
/// rather than parsed and written again (a catch-up page holds thousands of events).
pub fn event_text(e: &EventRecord) -> String {
    let data = if e.data.trim().is_empty() {
        "null"
    } else {
        &e.data
    };
    format!(
        r#"{{"seq":{},"kind":{},"data":{data},"created_at":{}}}"#,
        e.seq,
        Value::String(e.kind.clone()),
        e.created_at
    )
}

/// GET /api/v1/ws?since=SEQ (WebSocket)
pub async fn ws(
    State(state): State<AppState>,
    Session(who): Session,
    QueryArgs(q): QueryArgs<SyncArgs>,
    upgrade: WebSocketUpgrade,
) -> Response {
    // Clients only ever send pings and closes: small buffers keep an idle connection cheap
    // (tungstenite's default 128 KiB read buffer would dominate the memory of 10,000 sockets).
    // Frames are fed into the write buffer and flushed once per batch of events, so a socket
    // that is behind by many events catches up in few writes; the buffer is empty when idle.
    let upgrade = upgrade
        .read_buffer_size(4 * 1024)
        .write_buffer_size(WRITE_BUFFER)
        .max_message_size(64 * 1024);
    upgrade.on_upgrade(move |socket| async move {
        metrics::gauge!("workhub_websocket_connections").increment(1.0);
        stream(state, who, q.since.max(0), socket).await;
        metrics::gauge!("workhub_websocket_connections").decrement(1.0);
    })
}

async fn stream(state: AppState, who: UserActor, since: Seq, mut socket: WebSocket) {
    let mut wakes = state.wakeups.subscribe(&who.corp_id, &who.userid);
    let mut last = since;
    let mut tick = tokio::time::interval(TICK);
    tick.tick().await;
    if !push_since(&state, &who, &mut last, &mut socket).await {
        return;
    }
    // Set while events after `last` are announced but one before them is not yet: the store
    // is read if the gap is still open then.
    let mut gap_until: Option<Instant> = None;
    loop {
        let gap_wait = sleep_until(gap_until.unwrap_or_else(Instant::now));
        let send_more = tokio::select! {
            woken = wakes.receiver.changed() => match woken {
                Ok(()) => {
                    wakes.receiver.borrow_and_update();
                    match wakes.events_after(last) {
                        AtHand::All(events) => {
                            gap_until = None;
                            push_payloads(&state, &events, &mut last, &mut socket).await
                        }
                        AtHand::UntilGap(events) => {
                            // Progress means the gap now waited on is a later one.
                            if gap_until.is_none() || !events.is_empty() {
                                gap_until = Some(Instant::now() + GAP_WAIT);
                            }
                            push_payloads(&state, &events, &mut last, &mut socket).await
                        }
                        AtHand::ReadStore => {
                            gap_until = None;
                            store_read("not_at_hand");
                            push_since(&state, &who, &mut last, &mut socket).await
                        }
                    }
                }
                Err(_) => false,
            },
            _ = gap_wait, if gap_until.is_some() => {
                gap_until = None;
                store_read("gap");
                push_since(&state, &who, &mut last, &mut socket).await
            }
            msg = socket.recv() => matches!(msg, Some(Ok(m)) if !matches!(m, Message::Close(_))),
            _ = tick.tick() => {
                push_since(&state, &who, &mut last, &mut socket).await
                    && still_signed_in(&state, &who).await
                    && socket.send(Message::Ping(Vec::new().into())).await.is_ok()
            }
            _ = state.shutdown.cancelled() => false,
        };
        if !send_more {
            break;
        }
    }
    let _ = socket.send(Message::Close(None)).await;
}

/// Sends events the writer handed over with their wake-ups (no store read).
async fn push_payloads(
    state: &AppState,
    events: &[(Seq, std::sync::Arc<workhub_store::EventPayload>)],
    last: &mut Seq,
    socket: &mut WebSocket,
) -> bool {
    let now = state.domain.deps.now();
    for (seq, p) in events {
        // The data is already JSON: splice it in rather than parse and re-serialize it.
        let frame = format!(
            r#"{{"type":"event","event":{{"seq":{seq},"kind":{},"data":{},"created_at":{}}}}}"#,
            Value::String(p.kind.clone()),
            p.data,
            p.created_at
        );
        if socket.feed(Message::Text(frame.into())).await.is_err() {
            return false;
        }
        metrics::histogram!("workhub_event_push_lag_seconds")
            .record((now - p.created_at).max(0) as f64 / 1000.0);
        *last = *seq;
    }
    socket.flush().await.is_ok()
}

/// Sends every event after `last`; false when the connection should end (socket gone, or
/// this very session was revoked).
async fn push_since(
    state: &AppState,
    who: &UserActor,
    last: &mut Seq,
    socket: &mut WebSocket,
) -> bool {
    loop {
        let Ok(page) = state.domain.events.sync(who, *last, PAGE).await else {
            return true;
        };
        let now = state.domain.deps.now();
        let mut revoked = false;
        for e in &page.events {
            let frame = format!(r#"{{"type":"event","event":{}}}"#, event_text(e));
            if socket.feed(Message::Text(frame.into())).await.is_err() {
                return false;
            }
            metrics::histogram!("workhub_event_push_lag_seconds")
                .record((now - e.created_at).max(0) as f64 / 1000.0);
            *last = e.seq;
            revoked |= e.kind == SESSION_REVOKED && e.data.contains(&who.session_id);
        }
        if socket.flush().await.is_err() || revoked {
            return false;
        }
        if !page.has_more {
            return true;
        }
    }
}

/// Counts a socket's reads of the store after it caught up, by why it could not push from
/// memory: most pushes should need none.
fn store_read(reason: &'static str) {
    metrics::counter!("workhub_websocket_store_reads_total", "reason" => reason).increment(1);
}

async fn still_signed_in(state: &AppState, who: &UserActor) -> bool {
    let sessions = state.domain.accounts.list_sessions(who, None, false).await;
    sessions.is_ok_and(|list| list.iter().any(|s| s.id == who.session_id))
}

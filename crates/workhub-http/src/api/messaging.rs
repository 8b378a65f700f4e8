//! Conversations and messages for the web client.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use serde::Deserialize;
use serde_json::{Value, json};
use workhub_domain::messaging::retention::MessagingSettings;
use workhub_domain::messaging::search::SearchParams;
use workhub_domain::messaging::{
    ConversationDetail, ConversationView, GroupPatch, MessageView, NewConversation, Receipts,
    SendMessage, WordEntry,
};

use crate::AppState;
use crate::error::ApiResult;
use crate::extract::{JsonBody, RequestMeta, Session};

/// POST /api/v1/conversations
pub async fn open(
    State(state): State<AppState>,
    Session(who): Session,
    JsonBody(b): JsonBody<NewConversation>,
) -> ApiResult<Json<ConversationView>> {
    Ok(Json(state.domain.messaging.open(&who, b).await?))
}

/// GET /api/v1/conversations
pub async fn list(State(state): State<AppState>, Session(who): Session) -> ApiResult<Json<Value>> {
    let list = state.domain.messaging.conversations(&who).await?;
    Ok(Json(json!({ "conversations": list })))
}

/// GET /api/v1/conversations/{id}
pub async fn detail(
    State(state): State<AppState>,
    Session(who): Session,
    Path(id): Path<String>,
) -> ApiResult<Json<ConversationDetail>> {
    Ok(Json(state.domain.messaging.detail(&who, &id).await?))
}

/// PATCH /api/v1/conversations/{id}
pub async fn update(
    State(state): State<AppState>,
    Session(who): Session,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<GroupPatch>,
) -> ApiResult<Json<ConversationView>> {
    Ok(Json(
        state.domain.messaging.update_group(&who, &id, b).await?,
    ))
}

/// POST /api/v1/conversations/{id}/leave
pub async fn leave(
    State(state): State<AppState>,
    Session(who): Session,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    state.domain.messaging.leave(&who, &id).await?;
    Ok(Json(json!({})))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Prefs {
    pinned: bool,
    muted: bool,
}

/// PUT /api/v1/conversations/{id}/prefs
pub async fn prefs(
    State(state): State<AppState>,
    Session(who): Session,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<Prefs>,
) -> ApiResult<Json<ConversationView>> {
    let view = state
        .domain
        .messaging
        .set_prefs(&who, &id, b.pinned, b.muted)
        .await?;
    Ok(Json(view))
}

#[derive(Deserialize)]
pub struct Page {
    before: Option<i64>,
    limit: Option<i64>,
}

/// GET /api/v1/conversations/{id}/messages?before=SEQ&limit=N
pub async fn history(
    State(state): State<AppState>,
    Session(who): Session,
    Path(id): Path<String>,
    Query(q): Query<Page>,
) -> ApiResult<Json<Value>> {
    let (messages, has_more) = state
        .domain
        .messaging
        .history(&who, &id, q.before, q.limit.unwrap_or(50))
        .await?;
    Ok(Json(json!({ "messages": messages, "has_more": has_more })))
}

/// POST /api/v1/conversations/{id}/messages
pub async fn send(
    State(state): State<AppState>,
    Session(who): Session,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<SendMessage>,
) -> ApiResult<Json<MessageView>> {
    Ok(Json(state.domain.messaging.send(&who, &id, b).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReadMark {
    seq: i64,
}

/// POST /api/v1/conversations/{id}/read
pub async fn read(
    State(state): State<AppState>,
    Session(who): Session,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<ReadMark>,
) -> ApiResult<Json<Value>> {
    let seq = state.domain.messaging.mark_read(&who, &id, b.seq).await?;
    Ok(Json(json!({ "read_seq": seq })))
}

/// GET /api/v1/messages/{id}/receipts
pub async fn receipts(
    State(state): State<AppState>,
    Session(who): Session,
    Path(id): Path<String>,
) -> ApiResult<Json<Receipts>> {
    Ok(Json(state.domain.messaging.receipts(&who, &id).await?))
}

/// POST /api/v1/messages/{id}/recall
pub async fn recall(
    State(state): State<AppState>,
    Session(who): Session,
    Path(id): Path<String>,
) -> ApiResult<Json<MessageView>> {
    Ok(Json(state.domain.messaging.recall(&who, &id).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Forward {
    message_ids: Vec<String>,
    to: String,
    #[serde(default)]
    merged: bool,
}

/// POST /api/v1/messages/forward
pub async fn forward(
    State(state): State<AppState>,
    Session(who): Session,
    JsonBody(b): JsonBody<Forward>,
) -> ApiResult<Json<Value>> {
    let sent = state
        .domain
        .messaging
        .forward(&who, &b.message_ids, &b.to, b.merged)
        .await?;
    Ok(Json(json!({ "messages": sent })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewRobot {
    name: String,
}

/// POST /api/v1/conversations/{id}/robots: the key and webhook URL are shown once.
pub async fn add_robot(
    State(state): State<AppState>,
    Session(who): Session,
    headers: HeaderMap,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<NewRobot>,
) -> ApiResult<Json<Value>> {
    let robot = state.domain.messaging.add_robot(&who, &id, &b.name).await?;
    let host = headers
        .get("host")
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1:8080");
    let scheme = if state.secure_cookies {
        "https"
    } else {
        "http"
    };
    let webhook_url = format!("{scheme}://{host}/cgi-bin/webhook/send?key={}", robot.key);
    Ok(Json(json!({
        "key": robot.key,
        "key_hint": robot.key_hint,
        "name": robot.name,
        "webhook_url": webhook_url,
    })))
}

/// DELETE /api/v1/conversations/{id}/robots/{key_hint}
pub async fn remove_robot(
    State(state): State<AppState>,
    Session(who): Session,
    Path((id, hint)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    state
        .domain
        .messaging
        .remove_robot(&who, &id, &hint)
        .await?;
    Ok(Json(json!({})))
}

/// GET /api/v1/admin/messaging
pub async fn settings(
    State(state): State<AppState>,
    Session(who): Session,
) -> ApiResult<Json<MessagingSettings>> {
    Ok(Json(state.domain.messaging.settings(&who).await?))
}

/// PUT /api/v1/admin/messaging
pub async fn save_settings(
    State(state): State<AppState>,
    RequestMeta(meta): RequestMeta,
    Session(who): Session,
    JsonBody(b): JsonBody<MessagingSettings>,
) -> ApiResult<Json<MessagingSettings>> {
    Ok(Json(
        state.domain.messaging.save_settings(&who, &meta, b).await?,
    ))
}

/// GET /api/v1/admin/sensitive-words
pub async fn sensitive_words(
    State(state): State<AppState>,
    Session(who): Session,
) -> ApiResult<Json<Value>> {
    let words = state.domain.messaging.sensitive_words(&who).await?;
    Ok(Json(json!({ "words": words })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WordList {
    words: Vec<WordEntry>,
}

/// PUT /api/v1/admin/sensitive-words: replaces the list.
pub async fn save_sensitive_words(
    State(state): State<AppState>,
    RequestMeta(meta): RequestMeta,
    Session(who): Session,
    JsonBody(b): JsonBody<WordList>,
) -> ApiResult<Json<Value>> {
    let count = state
        .domain
        .messaging
        .save_sensitive_words(&who, &meta, b.words)
        .await?;
    Ok(Json(json!({ "count": count })))
}

#[derive(Deserialize)]
pub struct ImportArgs {
    action: Option<String>,
}

/// POST /api/v1/admin/sensitive-words/import?action=block (body: a UTF-8 text file, one word
/// or `word,action` per line), replacing the list.
pub async fn import_sensitive_words(
    State(state): State<AppState>,
    RequestMeta(meta): RequestMeta,
    Session(who): Session,
    Query(q): Query<ImportArgs>,
    body: axum::body::Bytes,
) -> ApiResult<Json<Value>> {
    let text = std::str::from_utf8(&body)
        .map_err(|_| workhub_core::Error::with(workhub_core::Code::InvalidRequest, "UTF-8 text"))?;
    let count = state
        .domain
        .messaging
        .import_sensitive_words(&who, &meta, text, q.action.as_deref().unwrap_or("block"))
        .await?;
    Ok(Json(json!({ "count": count })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct React {
    emoji: String,
}

/// POST /api/v1/messages/{id}/reactions: toggles the caller's emoji.
pub async fn react(
    State(state): State<AppState>,
    Session(who): Session,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<React>,
) -> ApiResult<Json<Value>> {
    let reactions = state.domain.messaging.react(&who, &id, &b.emoji).await?;
    Ok(Json(json!({ "reactions": reactions })))
}

/// GET /api/v1/messages/{id}
pub async fn message(
    State(state): State<AppState>,
    Session(who): Session,
    Path(id): Path<String>,
) -> ApiResult<Json<MessageView>> {
    Ok(Json(state.domain.messaging.message(&who, &id).await?))
}

/// GET /api/v1/search/messages?q=&conversation=&sender=&from=&to=&has_file=&limit=
pub async fn search(
    State(state): State<AppState>,
    Session(who): Session,
    Query(q): Query<SearchParams>,
) -> ApiResult<Json<Value>> {
    let results = state.search.search(&who, q).await?;
    let partial = state.search.partial();
    Ok(Json(json!({ "results": results, "partial": partial })))
}

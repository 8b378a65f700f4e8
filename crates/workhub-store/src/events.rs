//! The per-user event stream: each write a client must see appends events in its own
//! transaction, each with the next sequence number of its recipient.

use async_trait::async_trait;
use serde::Serialize;
use workhub_core::{CorpId, Seq, UserId};

use crate::StoreResult;

/// Who receives an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recipients {
    Users(Vec<UserId>),
    /// Every member of the company.
    WholeCorp,
}

/// An event to append inside a write.
#[derive(Debug, Clone)]
pub struct NewEvent {
    pub recipients: Recipients,
    pub kind: &'static str,
    /// JSON text.
    pub data: String,
}

impl NewEvent {
    pub fn new(recipients: Recipients, kind: &'static str, data: &impl Serialize) -> Self {
        let data = serde_json::to_string(data).unwrap_or_else(|_| "null".to_string());
        NewEvent {
            recipients,
            kind,
            data,
        }
    }
}

/// One event as a recipient reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventRecord {
    pub seq: Seq,
    pub kind: String,
    pub data: String,
    pub created_at: i64,
    /// The message an event refers to, as it is now (absent once purged).
    pub message: Option<crate::messaging::Message>,
}

/// The fact that a user's stream reached `seq`; published after commit to wake readers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Appended {
    pub corp_id: CorpId,
    pub userid: UserId,
    pub seq: Seq,
    /// The event itself, when the writer has it at hand (messages): sockets push it without
    /// reading the store. Other nodes get it only for a large group's stream (one announcement
    /// per message, see `for_other_nodes`); a member's stream is read from the store there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payload: Option<std::sync::Arc<EventPayload>>,
}

impl Appended {
    /// This announcement as other nodes get it: with its payload only for a large group's
    /// stream (a payload per member would multiply the bus's traffic by the group's size).
    pub fn for_other_nodes(&self) -> Appended {
        let group = self
            .userid
            .as_str()
            .starts_with(crate::messaging::CONVERSATION_STREAM);
        Appended {
            payload: if group { self.payload.clone() } else { None },
            ..self.clone()
        }
    }
}

/// An event's kind, rendered data (JSON) and time, shared by all its recipients.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct EventPayload {
    pub kind: String,
    pub data: String,
    pub created_at: i64,
}

/// The part of a stream still stored: every event after `pruned` up to `head`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StreamBounds {
    /// Events up to this seq were deleted as old (0 when none were).
    pub pruned: Seq,
    /// The newest seq (0 for a stream without events).
    pub head: Seq,
}

impl StreamBounds {
    /// Whether a reader that has everything up to `since` can go on from there: it is neither
    /// behind the pruned part nor ahead of the stream (a database restored from a backup).
    pub fn continues_from(&self, since: Seq) -> bool {
        since >= self.pruned && since <= self.head
    }
}

/// The result of a write together with the events it committed.
#[derive(Debug, Clone)]
pub struct Committed<T> {
    pub value: T,
    pub appended: Vec<Appended>,
}

#[async_trait]
pub trait EventStore: Send + Sync {
    /// Events of one stream (a user's, or a large group's: `conversation_stream`) with
    /// `seq > since`, oldest first, at most `limit`.
    async fn list_events(
        &self,
        corp: &CorpId,
        user: &UserId,
        since: Seq,
        limit: i64,
    ) -> StoreResult<Vec<EventRecord>>;
    /// The newest committed seq of a user (0 if none).
    async fn latest_seq(&self, corp: &CorpId, user: &UserId) -> StoreResult<Seq>;
    /// Where a stream's kept events lie (`pruned` < seq <= `head`).
    async fn stream_bounds(&self, corp: &CorpId, user: &UserId) -> StoreResult<StreamBounds>;
    /// Deletes old events from the front of every stream of `corp`: those a stream already had
    /// at its mark, once the mark is older than `before`; then marks, at `now`, each stream
    /// whose mark was used or missing. So an event goes between one and two retention periods
    /// after it was written, and the newest event of a stream always stays (it tells a reader
    /// that is behind that events are missing). Answers how many events went.
    async fn prune_events(&self, corp: &CorpId, before: i64, now: i64) -> StoreResult<u64>;
    /// The large groups a user belongs to, each with the newest seq of its stream, by id.
    async fn conversation_streams(
        &self,
        corp: &CorpId,
        user: &UserId,
    ) -> StoreResult<Vec<(String, Seq)>>;
}

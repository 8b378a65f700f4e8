//! The WebSocket of a member's device: it catches up from `since` and then pushes each new event
//! once, in order — of the member's own stream, and of the stream of each large group the member
//! belongs to (whose messages are written once there, not into every member's stream).
//!
//! Each stream followed is a `Feed`. A feed subscribes to the bus *before* it reads the store,
//! so nothing committed in between is missed; it remembers the last seq it sent, so a wake-up
//! for events already sent (or a duplicate wake-up) sends nothing. Seqs come from the store,
//! never from the bus. Frames of a group's stream name it (`conversation_id`): their `seq` is
//! the group stream's, and the client keeps a position per group (`?conversations=id:seq,…`).
//!
//! A socket starts following a large group when the member's own stream says it should
//! (`conversation.changed` with the group stream's position: the member joined, or the group
//! just became large) and stops when the member has left it: at the group stream's
//! `conversation.members_removed`, which it cannot pass without reading the store.
//!
//! A position the streams cannot continue from (old events pruned, or a stream restored to
//! before it) gets one `reset` frame and the socket closes.

use std::collections::HashMap;
use std::time::Duration;

use axum::extract::State;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::response::Response;
use futures::SinkExt;
use serde::Deserialize;
use serde_json::Value;
use tokio::time::{Instant, sleep_until};
use workhub_core::{Code, Error, Seq};
use workhub_domain::UserActor;
use workhub_domain::accounts::kinds::SESSION_REVOKED;
use workhub_domain::messaging::kinds::CONVERSATION_CHANGED;
use workhub_store::EventPayload;
use workhub_store::messaging::conversation_stream;

use super::sync::{PAGE, event_json, event_text};
use crate::AppState;
use crate::extract::{QueryArgs, Session};
use crate::wakeups::{AtHand, Subscription};

/// How often an idle connection re-checks its session and the store (a safety net for a
/// wake-up lost between nodes) and pings the client.
const TICK: Duration = Duration::from_secs(25);
/// How long a socket waits for an announcement that another writer has yet to publish before
/// it reads the store instead. Every committed write publishes (requests run to the end even
/// when their client leaves), so this is a safety net; but under load a publish can trail a
/// later one by over 50 ms: with 64 sends in flight to a 200-member group, a 50 ms wait sent
/// sockets to the store about once per message.
const GAP_WAIT: Duration = Duration::from_millis(250);
/// Bytes of frames gathered before they are written, if no flush came first.
const WRITE_BUFFER: usize = 32 * 1024;
/// Sent before closing when events after the client's position were pruned (or the stream never
/// reached it): the client starts again from `/sync/latest` and reloads what it shows.
const RESET_FRAME: &str = r#"{"type":"reset","code":"sync_expired"}"#;
/// Group positions a client may name; more than a member has groups is never needed.
const MAX_POSITIONS: usize = 2000;

#[derive(Deserialize)]
pub struct WsArgs {
    #[serde(default)]
    since: Seq,
    /// Positions in large groups' streams: `id:seq,id:seq`. Present (even empty) when the
    /// client follows large groups at all: one that does not know them (a web client loaded
    /// before they existed) gets its own stream only, as it would take a group's seq for its own
    /// and skip its own events after a reconnect.
    conversations: Option<String>,
}

/// GET /api/v1/ws?since=SEQ&conversations=ID:SEQ,… (WebSocket; `conversations=` may be empty)
pub async fn ws(
    State(state): State<AppState>,
    Session(who): Session,
    QueryArgs(q): QueryArgs<WsArgs>,
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
    let groups = q.conversations.as_deref().map(parse_positions);
    // Where the member's large groups stand now, before the client sees the upgrade: a group it
    // did not name is followed from here, so a message sent once it is connected is never
    // taken for history.
    let heads = match groups {
        Some(_) => state.domain.events.conversation_streams(&who).await.ok(),
        None => None,
    };
    // A browser cannot read the status of a refused upgrade, so a position the streams cannot
    // continue from is answered on the socket. One past a group's head (a database restored
    // from a backup) would otherwise wait, silently, for the group to reach it.
    let past_a_head = groups
        .as_ref()
        .zip(heads.as_ref())
        .is_some_and(|(named, heads)| {
            heads
                .iter()
                .any(|(id, head)| named.get(id).is_some_and(|at| at > head))
        });
    let continues = if past_a_head {
        Err(Error::new(Code::SyncExpired))
    } else {
        state.domain.events.check_position(&who, q.since).await
    };
    upgrade.on_upgrade(move |mut socket| async move {
        if let Err(e) = continues {
            if e.code == Code::SyncExpired {
                let _ = socket.send(Message::Text(RESET_FRAME.into())).await;
            }
            let _ = socket.send(Message::Close(None)).await;
            return;
        }
        metrics::gauge!("workhub_websocket_connections").increment(1.0);
        let own = Feed::new(&state, &who, None, q.since.max(0));
        let mut live = Live {
            state,
            who,
            socket,
            feeds: vec![own],
            follows_groups: groups.is_some(),
            positions: groups.unwrap_or_default(),
        };
        live.run(heads).await;
        metrics::gauge!("workhub_websocket_connections").decrement(1.0);
    })
}

/// `id:seq,id:seq` as a map; malformed pairs are skipped (the group is then followed from now).
fn parse_positions(text: &str) -> HashMap<String, Seq> {
    text.split(',')
        .filter_map(|pair| {
            let (id, seq) = pair.split_once(':')?;
            let seq: Seq = seq.trim().parse().ok()?;
            let id = id.trim();
            (!id.is_empty()).then(|| (id.to_string(), seq.max(0)))
        })
        .take(MAX_POSITIONS)
        .collect()
}

/// One stream a socket follows: the member's own, or a large group's.
struct Feed {
    /// The group, for a group's stream.
    conversation: Option<String>,
    wakes: Subscription,
    last: Seq,
    /// Set while events after `last` are announced but one before them is not yet: the store
    /// is read if the gap is still open then. A new feed's is now: it catches up at once.
    gap_until: Option<Instant>,
    /// Whether the feed has read the store since it started.
    caught_up: bool,
}

impl Feed {
    fn new(state: &AppState, who: &UserActor, conversation: Option<String>, last: Seq) -> Feed {
        let stream = match &conversation {
            Some(id) => conversation_stream(id),
            None => who.userid.clone(),
        };
        Feed {
            wakes: state.wakeups.subscribe(&who.corp_id, &stream),
            conversation,
            last,
            gap_until: Some(Instant::now()),
            caught_up: false,
        }
    }
}

/// A group the member's own stream mentioned, with the position its stream had then.
struct GroupChange {
    conversation: String,
    stream: Seq,
}

struct Live {
    state: AppState,
    who: UserActor,
    socket: WebSocket,
    /// The member's own stream first, then the large groups followed.
    feeds: Vec<Feed>,
    /// Whether the client follows large groups' streams (it named its positions, maybe none).
    follows_groups: bool,
    /// Where the client says it is in each large group's stream.
    positions: HashMap<String, Seq>,
}

impl Live {
    async fn run(&mut self, heads: Option<Vec<(String, Seq)>>) {
        let mut tick = tokio::time::interval(TICK);
        tick.tick().await;
        if self.start(heads).await {
            self.serve(&mut tick).await;
        }
        let _ = self.socket.send(Message::Close(None)).await;
    }

    /// Catches up the member's own stream, then every large group from the client's position
    /// (or from `heads`, where the groups stood when the socket was asked for, for a group the
    /// client does not name).
    async fn start(&mut self, heads: Option<Vec<(String, Seq)>>) -> bool {
        if !self.read_store(0).await {
            return false;
        }
        let Some(groups) = heads.filter(|_| self.follows_groups) else {
            return true;
        };
        for (id, now_at) in groups {
            let from = self.positions.get(&id).map_or(now_at, |&p| p.min(now_at));
            self.follow(id, from);
        }
        // Now that every feed listens, one more look at the heads tells which have anything to
        // catch up: a device in many large groups reconnects in three queries, not one per group.
        let events = &self.state.domain.events;
        for (id, head) in events
            .conversation_streams(&self.who)
            .await
            .unwrap_or_default()
        {
            if let Some(feed) = self.following(&id).map(|i| &mut self.feeds[i])
                && !feed.caught_up
                && feed.last >= head
            {
                feed.caught_up = true;
                feed.gap_until = None;
            }
        }
        true
    }

    async fn serve(&mut self, tick: &mut tokio::time::Interval) {
        loop {
            let next_gap = self.feeds.iter().filter_map(|f| f.gap_until).min();
            let gap_wait = sleep_until(next_gap.unwrap_or_else(Instant::now));
            let feeds = &mut self.feeds;
            let woken = async move {
                let waits = feeds
                    .iter_mut()
                    .map(|f| Box::pin(f.wakes.receiver.changed()));
                let (woken, index, _) = futures::future::select_all(waits).await;
                woken.map(|()| index)
            };
            let send_more = tokio::select! {
                woken = woken => match woken {
                    Ok(index) => self.woken(index).await,
                    Err(_) => false,
                },
                _ = gap_wait, if next_gap.is_some() => self.gaps_expired().await,
                msg = self.socket.recv() => {
                    matches!(msg, Some(Ok(m)) if !matches!(m, Message::Close(_)))
                }
                _ = tick.tick() => self.periodic_check().await,
                _ = self.state.shutdown.cancelled() => false,
            };
            if !send_more {
                return;
            }
        }
    }

    /// Pushes what feed `index` was woken for, from memory when it can.
    async fn woken(&mut self, index: usize) -> bool {
        let feed = &mut self.feeds[index];
        feed.wakes.receiver.borrow_and_update();
        match feed.wakes.events_after(feed.last) {
            AtHand::All(events) => {
                feed.gap_until = None;
                self.push_payloads(index, &events).await
            }
            AtHand::UntilGap(events) => {
                // Progress means the gap now waited on is a later one.
                if feed.gap_until.is_none() || !events.is_empty() {
                    feed.gap_until = Some(Instant::now() + GAP_WAIT);
                }
                self.push_payloads(index, &events).await
            }
            AtHand::ReadStore => {
                feed.gap_until = None;
                store_read("not_at_hand");
                self.read_store(index).await
            }
        }
    }

    async fn gaps_expired(&mut self) -> bool {
        let now = Instant::now();
        for index in 0..self.feeds.len() {
            let Some(feed) = self.feeds.get_mut(index) else {
                break;
            };
            if feed.gap_until.is_some_and(|until| until <= now) {
                feed.gap_until = None;
                if feed.caught_up {
                    store_read("gap");
                }
                if !self.read_store(index).await {
                    return false;
                }
            }
        }
        true
    }

    /// The safety net: reads what a lost wake-up would have announced. The member's own stream
    /// is read; the groups' streams only where their heads (one query for all) are ahead.
    async fn periodic_check(&mut self) -> bool {
        if !self.read_store(0).await {
            return false;
        }
        if self.feeds.len() > 1 {
            let heads = self
                .state
                .domain
                .events
                .conversation_streams(&self.who)
                .await;
            for (conversation, head) in heads.unwrap_or_default() {
                let behind = self
                    .following(&conversation)
                    .filter(|&i| self.feeds[i].last < head);
                if let Some(index) = behind
                    && !self.read_store(index).await
                {
                    return false;
                }
            }
        }
        still_signed_in(&self.state, &self.who).await
            && self
                .socket
                .send(Message::Ping(Vec::new().into()))
                .await
                .is_ok()
    }

    /// Starts following a large group's stream after `from`, or after the client's position
    /// if it has seen more (it catches up in the next turn of the loop).
    fn follow(&mut self, conversation: String, from: Seq) {
        if self.following(&conversation).is_none() {
            let seen = self.positions.get(&conversation).copied().unwrap_or(0);
            let from = from.max(seen);
            let feed = Feed::new(&self.state, &self.who, Some(conversation), from);
            self.feeds.push(feed);
        }
    }

    fn following(&self, conversation: &str) -> Option<usize> {
        self.feeds
            .iter()
            .position(|f| f.conversation.as_deref() == Some(conversation))
    }

    /// Follows or stops following the groups the member's own stream just mentioned, as their
    /// membership stands now.
    async fn apply(&mut self, changes: Vec<GroupChange>) {
        if !self.follows_groups {
            return;
        }
        for change in changes {
            let events = &self.state.domain.events;
            let Ok(follows) = events.follows(&self.who, &change.conversation).await else {
                continue;
            };
            match (follows, self.following(&change.conversation)) {
                (true, None) => self.follow(change.conversation, change.stream),
                (false, Some(index)) => {
                    self.feeds.remove(index);
                }
                _ => {}
            }
        }
    }

    /// Sends events the writer handed over with their wake-ups (no store read).
    async fn push_payloads(
        &mut self,
        index: usize,
        events: &[(Seq, std::sync::Arc<EventPayload>)],
    ) -> bool {
        let now = self.state.domain.deps.now();
        let mut changes = Vec::new();
        let feed = &mut self.feeds[index];
        for (seq, p) in events {
            let event = event_json(*seq, &p.kind, &p.data, p.created_at);
            if !send(&mut self.socket, feed, *seq, &event, p.created_at, now).await {
                return false;
            }
            if feed.conversation.is_none() {
                changes.extend(group_change(&p.kind, &p.data));
            }
        }
        let flushed = self.socket.flush().await.is_ok();
        self.apply(changes).await;
        flushed
    }

    /// Sends every event of feed `index` after its last; false when the connection should end
    /// (socket gone, or this very session was revoked).
    async fn read_store(&mut self, index: usize) -> bool {
        loop {
            let feed = &self.feeds[index];
            let events = &self.state.domain.events;
            let page = match &feed.conversation {
                Some(id) => {
                    events
                        .sync_conversation(&self.who, id, feed.last, PAGE)
                        .await
                }
                None => events.next_page(&self.who, feed.last, PAGE).await,
            };
            let page = match page {
                Ok(page) => page,
                // No longer a member: the group's stream is not theirs to follow. A removal is
                // also noted in the group's stream (an event with no payload), so a socket
                // stops there and reads the store, which refuses, rather than pushing the
                // messages after it from memory.
                Err(e) if e.code == Code::ConversationNotFound => {
                    self.feeds.remove(index);
                    return true;
                }
                // Pruned past the client's position (it was away too long): it starts again.
                Err(e) if e.code == Code::SyncExpired => {
                    let _ = self.socket.send(Message::Text(RESET_FRAME.into())).await;
                    return false;
                }
                Err(_) => return true,
            };
            let now = self.state.domain.deps.now();
            let mut revoked = false;
            let mut changes = Vec::new();
            let feed = &mut self.feeds[index];
            for e in &page.events {
                if !send(
                    &mut self.socket,
                    feed,
                    e.seq,
                    &event_text(e),
                    e.created_at,
                    now,
                )
                .await
                {
                    return false;
                }
                if feed.conversation.is_none() {
                    revoked |= e.kind == SESSION_REVOKED && e.data.contains(&self.who.session_id);
                    changes.extend(group_change(&e.kind, &e.data));
                }
            }
            feed.caught_up = true;
            // Everything announced so far is committed, so this read covered any gap.
            feed.gap_until = None;
            if self.socket.flush().await.is_err() || revoked {
                return false;
            }
            self.apply(changes).await;
            if !page.has_more {
                return true;
            }
        }
    }
}

/// Feeds one event (JSON text) of `feed` to the socket, which the caller flushes, and counts
/// it sent; false when the socket is gone.
async fn send(
    socket: &mut WebSocket,
    feed: &mut Feed,
    seq: Seq,
    event: &str,
    created_at: i64,
    now: i64,
) -> bool {
    let frame = frame(feed.conversation.as_deref(), event);
    if socket.feed(Message::Text(frame.into())).await.is_err() {
        return false;
    }
    metrics::histogram!("workhub_event_push_lag_seconds")
        .record((now - created_at).max(0) as f64 / 1000.0);
    feed.last = seq;
    true
}

/// A frame of the member's own stream, or of a group's (named).
fn frame(conversation: Option<&str>, event: &str) -> String {
    match conversation {
        None => format!(r#"{{"type":"event","event":{event}}}"#),
        Some(id) => format!(
            r#"{{"type":"event","conversation_id":{},"event":{event}}}"#,
            Value::String(id.to_string())
        ),
    }
}

/// The large group an event of the member's own stream concerns, if it says where the group's
/// stream stood (only changes of large groups do).
fn group_change(kind: &str, data: &str) -> Option<GroupChange> {
    #[derive(Deserialize)]
    struct Changed {
        conversation_id: String,
        stream: Seq,
    }
    if kind != CONVERSATION_CHANGED || !data.contains("\"stream\"") {
        return None;
    }
    let changed: Changed = serde_json::from_str(data).ok()?;
    Some(GroupChange {
        conversation: changed.conversation_id,
        stream: changed.stream,
    })
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_read_leniently() {
        let p = parse_positions("g1:5, g2:0,bad,g3:x,:4,g4:-3");
        assert_eq!(p.get("g1"), Some(&5));
        assert_eq!(p.get("g2"), Some(&0));
        assert_eq!(p.get("g4"), Some(&0));
        assert_eq!(p.len(), 3);
        assert!(parse_positions("").is_empty());
    }

    #[test]
    fn only_changes_of_large_groups_are_followed() {
        let change = group_change(
            CONVERSATION_CHANGED,
            r#"{"conversation_id":"g1","stream":7}"#,
        );
        assert!(
            matches!(change, Some(GroupChange { ref conversation, stream: 7 }) if conversation == "g1")
        );
        assert!(group_change(CONVERSATION_CHANGED, r#"{"conversation_id":"g1"}"#).is_none());
        assert!(group_change("message.new", r#"{"conversation_id":"g1","stream":7}"#).is_none());
    }
}

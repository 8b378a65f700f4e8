//! Searching the messages a member may see. The index (per node, on local disk) follows the
//! messages table by a cursor, so every node indexes every message whichever node stored it;
//! each hit is then checked against the store, so a recalled, purged or unreachable message is
//! never returned even before the index forgets it.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};
use serde_json::Value;
use workhub_core::{Code, Error};
use workhub_search::{IndexFiles, IndexedMessage, MessageIndex, MessageQuery};
use workhub_store::messaging::{Message, MessageKey};

use super::views::MessageView;
use crate::context::UserActor;
use crate::{Deps, StoreResultExt};

/// Messages read from the store per indexing round.
const BATCH: i64 = 2000;
/// Messages may commit a little out of creation order: every `LOOK_BACK_EVERY` rounds the
/// indexer checks this far behind its cursor for messages it has not indexed (checking every
/// round cost the store more than the indexing itself under load).
const LOOK_BACK_MS: i64 = 10_000;
const LOOK_BACK_EVERY: u64 = 10;
/// Late messages found by a look-back are read one by one up to this many, else the window is
/// read whole.
const FETCH_ONE_BY_ONE: usize = 100;

#[derive(Debug, Clone, Default, Deserialize)]
pub struct SearchParams {
    pub q: String,
    pub conversation: Option<String>,
    pub sender: Option<String>,
    /// Unix ms bounds on the time sent.
    pub from: Option<i64>,
    pub to: Option<i64>,
    /// Only messages with a file or image.
    #[serde(default)]
    pub has_file: bool,
    pub limit: Option<usize>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SearchHit {
    pub message: MessageView,
    /// The message text with the matched words in `<b>…</b>`; everything else HTML-escaped.
    pub highlight: String,
}

#[derive(Clone)]
pub struct MessageSearch {
    deps: Deps,
    index: Arc<MessageIndex>,
    cursor: Arc<Mutex<(i64, String)>>,
    rounds: Arc<std::sync::atomic::AtomicU64>,
    /// Messages indexed within the look-back window (id → created_at), so each round
    /// re-reads that window but indexes only what it has not seen.
    recent: Arc<Mutex<HashMap<String, i64>>>,
    /// Where the cursor is saved; None for an index kept in memory.
    cursor_file: Option<PathBuf>,
    /// Whether a round has reached the newest stored message since the node started. Until
    /// then (a node new to a cluster, or an index rebuilt after an upgrade, has the whole
    /// history to read) a search may miss older messages, and says so (`partial`).
    caught_up: Arc<std::sync::atomic::AtomicBool>,
}

/// The words of a message people would search for.
pub fn searchable_text(kind: &str, content: &Value) -> String {
    let mut parts: Vec<&str> = ["content", "code", "title", "description", "name", "url"]
        .iter()
        .filter_map(|k| content.get(*k).and_then(Value::as_str))
        .collect();
    for a in content
        .get("articles")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        parts.extend(
            ["title", "description"]
                .iter()
                .filter_map(|k| a.get(*k).and_then(Value::as_str)),
        );
    }
    if kind == "merged" {
        for item in content
            .get("items")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            parts.extend(item.pointer("/content/content").and_then(Value::as_str));
        }
    }
    parts.join(" ")
}

fn failed(e: workhub_search::SearchError) -> Error {
    tracing::error!(error = %e, "search index failure");
    Error::new(Code::Internal)
}

impl MessageSearch {
    /// Opens (or creates) the index in `dir`; indexing resumes from the cursor saved there. An
    /// index of an older schema is deleted: the new one is built from the messages table.
    pub fn open(deps: Deps, dir: PathBuf) -> Result<MessageSearch, Error> {
        let files = IndexFiles::in_dir(&dir);
        for path in files.forget_older(&dir) {
            tracing::info!(path = %path.display(), "removed a search index of an older schema");
        }
        let (index, cursor_file) = match MessageIndex::open(&files.index) {
            Ok(index) => (index, Some(files.cursor)),
            Err(e) => {
                // Another node on this machine holds the index (nodes sharing a data folder):
                // this one keeps its own in memory, built from the messages table.
                tracing::warn!(error = %e, "search index busy; indexing in memory");
                (MessageIndex::in_memory().map_err(failed)?, None)
            }
        };
        let saved = cursor_file
            .as_ref()
            .and_then(|f| std::fs::read_to_string(f).ok())
            .unwrap_or_default();
        let cursor = saved
            .split_once(' ')
            .and_then(|(t, id)| Some((t.parse().ok()?, id.trim().to_string())))
            .unwrap_or((0, String::new()));
        Ok(MessageSearch {
            deps,
            index: Arc::new(index),
            cursor: Arc::new(Mutex::new(cursor)),
            rounds: Arc::default(),
            recent: Arc::default(),
            cursor_file,
            caught_up: Arc::default(),
        })
    }

    /// Indexes messages stored since the last round; how many.
    pub async fn index_new(&self) -> Result<usize, Error> {
        let (at, id) = self.cursor.lock().map(|c| c.clone()).unwrap_or_default();
        let round = self
            .rounds
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let mut from = (at, id.clone());
        let mut total = 0;
        if round.is_multiple_of(LOOK_BACK_EVERY) {
            let since = (at - LOOK_BACK_MS).max(0);
            let missed = self.missed_since(since, (at, &id)).await?;
            if missed.len() > FETCH_ONE_BY_ONE {
                // Many (the first round after a start, when nothing is remembered): read the
                // window whole.
                from = (since, String::new());
            } else {
                total += self.index_late(missed).await?;
            }
        }
        loop {
            let batch = self
                .deps
                .stores
                .messages
                .list_messages_after(from.0, &from.1, BATCH)
                .await
                .or_internal()?;
            let Some(last) = batch.last() else { break };
            from = (last.created_at, last.id.clone());
            total += self.index_batch(&batch).await?;
            if (batch.len() as i64) < BATCH {
                break;
            }
        }
        self.caught_up
            .store(true, std::sync::atomic::Ordering::Release);
        if let Ok(mut seen) = self.recent.lock() {
            let horizon = from.0 - LOOK_BACK_MS;
            seen.retain(|_, created| *created >= horizon);
        }
        if (from.0, &from.1) > (at, &id) {
            if let Ok(mut cursor) = self.cursor.lock() {
                *cursor = from.clone();
            }
            // Losing this file only means re-indexing from the start: harmless.
            if let Some(file) = &self.cursor_file {
                let _ = tokio::fs::write(file, format!("{} {}", from.0, from.1)).await;
            }
        }
        Ok(total)
    }

    /// Messages created in `since..=cursor` that were not indexed: they committed after the
    /// cursor passed their time. Only their keys are read: re-reading whole messages there
    /// every few seconds cost more than indexing under load.
    async fn missed_since(
        &self,
        since: i64,
        cursor: (i64, &str),
    ) -> Result<Vec<MessageKey>, Error> {
        let mut after = (since, String::new());
        let mut missed = Vec::new();
        loop {
            let keys = self
                .deps
                .stores
                .messages
                .list_message_keys_between((after.0, &after.1), cursor, BATCH)
                .await
                .or_internal()?;
            let Some(last) = keys.last() else { break };
            after = (last.created_at, last.id.clone());
            let full = keys.len() as i64 == BATCH;
            if let Ok(seen) = self.recent.lock() {
                missed.extend(keys.into_iter().filter(|k| !seen.contains_key(&k.id)));
            }
            if !full {
                break;
            }
        }
        Ok(missed)
    }

    /// Indexes messages found late by their keys: one read per company.
    async fn index_late(&self, keys: Vec<MessageKey>) -> Result<usize, Error> {
        let mut by_corp: HashMap<_, Vec<String>> = HashMap::new();
        for key in keys {
            by_corp.entry(key.corp_id).or_default().push(key.id);
        }
        let store = &self.deps.stores.messages;
        let mut total = 0;
        for (corp, ids) in by_corp {
            let late = store.find_messages(&corp, &ids).await.or_internal()?;
            total += self.index_batch(&late).await?;
        }
        Ok(total)
    }

    /// Indexes the messages of `batch` not indexed yet (and not recalled); how many.
    async fn index_batch(&self, batch: &[Message]) -> Result<usize, Error> {
        let docs: Vec<IndexedMessage> = match self.recent.lock() {
            Ok(mut seen) => batch
                .iter()
                .filter(|m| seen.insert(m.id.clone(), m.created_at).is_none())
                .filter(|m| m.recalled_at.is_none())
                .map(indexed)
                .collect(),
            Err(_) => batch.iter().map(indexed).collect(),
        };
        if docs.is_empty() {
            return Ok(0);
        }
        let count = docs.len();
        let index = self.index.clone();
        tokio::task::spawn_blocking(move || index.upsert(&docs))
            .await
            .map_err(|_| Error::new(Code::Internal))?
            .map_err(failed)?;
        Ok(count)
    }

    /// Whether the index may still lack older messages: no round has caught up with the
    /// messages table since this node started.
    pub fn partial(&self) -> bool {
        !self.caught_up.load(std::sync::atomic::Ordering::Acquire)
    }

    /// GET /search/messages
    pub async fn search(&self, who: &UserActor, p: SearchParams) -> Result<Vec<SearchHit>, Error> {
        let q = p.q.trim();
        if q.is_empty() || q.chars().count() > 200 {
            return Err(Error::with(Code::InvalidRequest, "q: 1 to 200 characters"));
        }
        let mine: HashSet<String> = self
            .deps
            .stores
            .messages
            .list_member_conversation_ids(&who.corp_id, &who.userid)
            .await
            .or_internal()?
            .into_iter()
            .collect();
        let conversations: Vec<String> = match &p.conversation {
            Some(c) if mine.contains(c) => vec![c.clone()],
            Some(_) => return Err(Error::new(Code::ConversationNotFound)),
            None => mine.iter().cloned().collect(),
        };
        let limit = p.limit.unwrap_or(20).clamp(1, 100);
        let query = MessageQuery {
            corp_id: who.corp_id.to_string(),
            text: q.to_string(),
            conversations,
            sender: p.sender.clone(),
            from: p.from,
            to: p.to,
            has_file: p.has_file,
            // Hits recalled or purged since they were indexed are dropped below.
            limit: limit * 2,
        };
        let index = self.index.clone();
        let hits = tokio::task::spawn_blocking(move || index.search(&query))
            .await
            .map_err(|_| Error::new(Code::Internal))?
            .map_err(failed)?;
        let ids: Vec<String> = hits.iter().map(|h| h.id.clone()).collect();
        let stored = self.deps.stores.messages.find_messages(&who.corp_id, &ids);
        let stored: HashMap<String, Message> = (stored.await.or_internal()?)
            .into_iter()
            .map(|m| (m.id.clone(), m))
            .collect();
        // In the index's order, newest first; a purged message is no longer stored.
        let out = hits
            .into_iter()
            .filter_map(|hit| Some((stored.get(&hit.id)?, hit.highlight)))
            .filter(|(m, _)| self.visible(m, &mine, &p))
            .take(limit)
            .map(|(m, highlight)| SearchHit {
                message: MessageView::from(m),
                highlight,
            })
            .collect();
        Ok(out)
    }

    fn visible(&self, m: &Message, mine: &HashSet<String>, p: &SearchParams) -> bool {
        mine.contains(&m.conversation_id)
            && m.recalled_at.is_none()
            && p.from.is_none_or(|f| m.created_at >= f)
            && p.to.is_none_or(|t| m.created_at <= t)
            && (!p.has_file || matches!(m.kind.as_str(), "file" | "image"))
    }
}

fn indexed(m: &Message) -> IndexedMessage {
    let content: Value = serde_json::from_str(&m.content).unwrap_or(Value::Null);
    IndexedMessage {
        id: m.id.clone(),
        corp_id: m.corp_id.to_string(),
        conversation_id: m.conversation_id.clone(),
        sender: m.sender.clone(),
        text: searchable_text(&m.kind, &content),
        created_at: m.created_at,
        has_file: matches!(m.kind.as_str(), "file" | "image"),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use workhub_bus::{LocalBus, LocalLimiter};
    use workhub_core::SystemClock;
    use workhub_store_sql::SqlStore;
    use workhub_testkit::TestDb;

    use super::MessageSearch;
    use crate::Deps;

    /// A new index says its results may be partial until a round has caught up with the
    /// messages table, and not after.
    #[tokio::test]
    async fn results_are_partial_until_the_index_has_caught_up() {
        let db = TestDb::sqlite();
        let store = SqlStore::open(&db.url).await.unwrap();
        let deps = Deps {
            stores: store.stores(),
            bus: Arc::new(LocalBus::default()),
            limiter: Arc::new(LocalLimiter::default()),
            clock: Arc::new(SystemClock),
            outbound: Arc::new(crate::callbacks::NoOutbound),
            settings: Default::default(),
        };
        let dir = tempfile::tempdir().unwrap();
        let search = MessageSearch::open(deps, dir.path().join("search")).unwrap();
        assert!(search.partial(), "nothing read yet");
        search.index_new().await.unwrap();
        assert!(!search.partial(), "caught up");
    }
}

//! Reading one's own event stream, and the streams of one's large groups (a group with more
//! members than `Settings::large_group_members` has a stream of its own for its messages,
//! written once instead of into every member's stream).

use workhub_core::{Code, CorpId, Error, Seq, UserId};
use workhub_store::EventRecord;
use workhub_store::messaging::conversation_stream;

use crate::context::UserActor;
use crate::{Deps, StoreResultExt};

/// Largest page `sync` returns: 10,000 missed messages catch up in 2 or 3 requests.
pub const MAX_PAGE: i64 = 5000;

/// A page of a user's stream.
#[derive(Debug, Clone)]
pub struct SyncPage {
    pub events: Vec<EventRecord>,
    /// The seq to ask from next time.
    pub next_since: Seq,
    pub has_more: bool,
}

#[derive(Clone)]
pub struct Events {
    deps: Deps,
}

impl Events {
    pub(crate) fn new(deps: Deps) -> Self {
        Self { deps }
    }

    /// Events newer than `since`, oldest first. Only committed events are ever visible.
    /// `sync_expired` when the reader cannot go on from `since` (`check_position`).
    pub async fn sync(&self, who: &UserActor, since: Seq, limit: i64) -> Result<SyncPage, Error> {
        self.checked_page(&who.corp_id, &who.userid, since, limit)
            .await
    }

    /// The same for a reader whose position was checked when it started (a socket): a live
    /// read that finds nothing new costs no second query.
    pub async fn next_page(
        &self,
        who: &UserActor,
        since: Seq,
        limit: i64,
    ) -> Result<SyncPage, Error> {
        self.page(&who.corp_id, &who.userid, since, limit).await
    }

    /// The same for the stream of a large group I belong to.
    pub async fn sync_conversation(
        &self,
        who: &UserActor,
        conversation: &str,
        since: Seq,
        limit: i64,
    ) -> Result<SyncPage, Error> {
        if !self.follows(who, conversation).await? {
            return Err(Error::new(Code::ConversationNotFound));
        }
        let stream = conversation_stream(conversation);
        self.checked_page(&who.corp_id, &stream, since, limit).await
    }

    /// Whether I get a conversation's messages from its own stream: I belong to it and it is
    /// large.
    pub async fn follows(&self, who: &UserActor, conversation: &str) -> Result<bool, Error> {
        let messages = &self.deps.stores.messages;
        let membership = messages
            .find_membership(&who.corp_id, conversation, &who.userid)
            .await
            .or_internal()?;
        Ok(membership.is_some_and(|(c, _)| c.large))
    }

    /// The large groups I belong to, each with where its stream stands now.
    pub async fn conversation_streams(&self, who: &UserActor) -> Result<Vec<(String, Seq)>, Error> {
        self.deps
            .stores
            .events
            .conversation_streams(&who.corp_id, &who.userid)
            .await
            .or_internal()
    }

    async fn page(
        &self,
        corp: &CorpId,
        stream: &UserId,
        since: Seq,
        limit: i64,
    ) -> Result<SyncPage, Error> {
        let limit = limit.clamp(1, MAX_PAGE);
        // One extra row tells whether more remain.
        let mut events = self
            .deps
            .stores
            .events
            .list_events(corp, stream, since.max(0), limit + 1)
            .await
            .or_internal()?;
        // Seqs are dense, so a first event past `since + 1` means the ones between were pruned,
        // unless the reader is not behind them after all (it checks only then: this is rare).
        if events.first().is_some_and(|e| e.seq > since.max(0) + 1) {
            self.require_continuity(corp, stream, since).await?;
        }
        let has_more = i64::try_from(events.len()).unwrap_or(0) > limit;
        events.truncate(usize::try_from(limit).unwrap_or(0));
        let next_since = events.last().map(|e| e.seq).unwrap_or(since.max(0));
        for e in &mut events {
            render_message(e);
        }
        Ok(SyncPage {
            events,
            next_since,
            has_more,
        })
    }

    /// A page for a reader whose position is not known to be one the stream reached: an empty
    /// page means nothing new, or a position past the head, which only the head tells.
    async fn checked_page(
        &self,
        corp: &CorpId,
        stream: &UserId,
        since: Seq,
        limit: i64,
    ) -> Result<SyncPage, Error> {
        let page = self.page(corp, stream, since, limit).await?;
        if page.events.is_empty() && since > 0 {
            self.require_continuity(corp, stream, since).await?;
        }
        Ok(page)
    }

    /// `sync_expired` unless a reader of my stream at `since` can go on from there: events
    /// after it were pruned as old, or my stream is behind it (a database restored from a
    /// backup). Such a reader starts again from `/sync/latest`.
    pub async fn check_position(&self, who: &UserActor, since: Seq) -> Result<(), Error> {
        self.require_continuity(&who.corp_id, &who.userid, since)
            .await
    }

    async fn require_continuity(
        &self,
        corp: &CorpId,
        stream: &UserId,
        since: Seq,
    ) -> Result<(), Error> {
        let bounds = self
            .deps
            .stores
            .events
            .stream_bounds(corp, stream)
            .await
            .or_internal()?;
        if bounds.continues_from(since.max(0)) {
            Ok(())
        } else {
            Err(Error::new(Code::SyncExpired))
        }
    }

    /// Deletes every company's events older than `Settings::event_keep_days` (see
    /// `EventStore::prune_events`); how many went. Safe to run on several nodes at once.
    pub async fn prune_expired(&self) -> Result<u64, Error> {
        let now = self.deps.now();
        let before = now - self.deps.settings.event_keep_days * 86_400_000;
        let stores = &self.deps.stores;
        let corps = stores.corps.list_corps(None).await.or_internal()?;
        let mut pruned = 0;
        for corp in corps {
            pruned += stores
                .events
                .prune_events(&corp.corp.corp_id, before, now)
                .await
                .or_internal()?;
        }
        Ok(pruned)
    }

    pub async fn latest(&self, who: &UserActor) -> Result<Seq, Error> {
        self.deps
            .stores
            .events
            .latest_seq(&who.corp_id, &who.userid)
            .await
            .or_internal()
    }
}

/// A message event carries a reference; its data is the message as it is now. A message
/// purged since reads as `{"id": null, "purged": true}`, never its old content.
fn render_message(event: &mut EventRecord) {
    if let Some(message) = event.message.take() {
        event.data = crate::messaging::message_json(&message);
    } else if event.data.is_empty() {
        event.data = r#"{"id":null,"purged":true}"#.into();
    }
}

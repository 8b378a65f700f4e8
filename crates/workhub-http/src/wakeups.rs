//! Routes the bus's wake-ups to the WebSockets of the member they concern. One task reads the
//! bus; each connected member has a `watch` channel holding the newest seq announced for them.
//! A wake-up then costs one map lookup, not one check per open socket, and many wake-ups
//! between two reads of the store collapse into one. Wake-ups that carry their event (messages
//! written on this node) are kept briefly, so sockets push them without reading the store.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use tokio::sync::broadcast::error::RecvError;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;
use workhub_bus::EventBus;
use workhub_core::{CorpId, Seq, UserId};
use workhub_store::EventPayload;

type Key = (CorpId, UserId);

/// Events kept per member for sockets that are a little behind.
const RECENT: usize = 256;

struct Mailbox {
    newest: watch::Sender<Seq>,
    /// Recent events with their payload, by seq.
    recent: VecDeque<(Seq, Arc<EventPayload>)>,
}

#[derive(Default)]
pub struct Wakeups {
    watchers: Mutex<HashMap<Key, Mailbox>>,
}

/// A member's wake-ups; the newest announced seq (or `Seq::MAX` after lost announcements,
/// which means "re-read the store").
pub struct Subscription {
    pub receiver: watch::Receiver<Seq>,
    key: Key,
    hub: Arc<Wakeups>,
}

impl Drop for Subscription {
    fn drop(&mut self) {
        let Ok(mut watchers) = self.hub.watchers.lock() else {
            return;
        };
        // The last socket of this member leaves: forget the channel.
        if watchers
            .get(&self.key)
            .is_some_and(|m| m.newest.receiver_count() <= 1)
        {
            watchers.remove(&self.key);
        }
    }
}

impl Subscription {
    /// The events after `last` up to `newest`, if every one of them is at hand; otherwise the
    /// socket reads the store.
    pub fn events_after(&self, last: Seq, newest: Seq) -> Option<Vec<(Seq, Arc<EventPayload>)>> {
        let watchers = self.hub.watchers.lock().ok()?;
        let mailbox = watchers.get(&self.key)?;
        let from = mailbox.recent.partition_point(|(s, _)| *s <= last);
        let events: Vec<_> = mailbox.recent.range(from..).cloned().collect();
        let complete = events
            .iter()
            .enumerate()
            .all(|(i, (s, _))| *s == last + 1 + i as Seq)
            && events.last().map(|(s, _)| *s) == Some(newest);
        complete.then_some(events)
    }
}

impl Wakeups {
    /// Starts routing the bus's announcements until `shutdown`.
    pub fn start(bus: &dyn EventBus, shutdown: CancellationToken) -> Arc<Wakeups> {
        let hub = Arc::new(Wakeups::default());
        let mut announcements = bus.subscribe();
        let routing = hub.clone();
        tokio::spawn(async move {
            loop {
                let next = tokio::select! {
                    next = announcements.recv() => next,
                    _ = shutdown.cancelled() => return,
                };
                match next {
                    Ok(a) => routing.wake((a.corp_id, a.userid), a.seq, a.payload),
                    // Announcements were dropped: everyone re-reads the store.
                    Err(RecvError::Lagged(_)) => routing.wake_all(),
                    Err(RecvError::Closed) => return,
                }
            }
        });
        hub
    }

    pub fn subscribe(self: &Arc<Self>, corp: &CorpId, user: &UserId) -> Subscription {
        let key = (corp.clone(), user.clone());
        let receiver = match self.watchers.lock() {
            Ok(mut watchers) => watchers
                .entry(key.clone())
                .or_insert_with(|| Mailbox {
                    newest: watch::channel(0).0,
                    recent: VecDeque::new(),
                })
                .newest
                .subscribe(),
            // A poisoned map never wakes; the socket's periodic re-read still delivers.
            Err(_) => watch::channel(0).1,
        };
        Subscription {
            receiver,
            key,
            hub: self.clone(),
        }
    }

    fn wake(&self, key: Key, seq: Seq, payload: Option<Arc<EventPayload>>) {
        let Ok(mut watchers) = self.watchers.lock() else {
            return;
        };
        let Some(mailbox) = watchers.get_mut(&key) else {
            return;
        };
        if let Some(payload) = payload {
            // Announcements of one member may arrive slightly out of order: keep seq order.
            let at = mailbox.recent.partition_point(|(s, _)| *s < seq);
            if mailbox.recent.get(at).is_none_or(|(s, _)| *s != seq) {
                mailbox.recent.insert(at, (seq, payload));
            }
            while mailbox.recent.len() > RECENT {
                mailbox.recent.pop_front();
            }
        }
        mailbox.newest.send_if_modified(|newest| {
            let newer = seq > *newest;
            *newest = (*newest).max(seq);
            newer
        });
    }

    fn wake_all(&self) {
        if let Ok(watchers) = self.watchers.lock() {
            for mailbox in watchers.values() {
                mailbox.newest.send_replace(Seq::MAX);
            }
        }
    }
}

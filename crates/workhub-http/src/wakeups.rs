//! Routes the bus's wake-ups to the WebSockets that follow the stream they concern (a member's,
//! or a large group's). One task reads the bus; each followed stream has a mailbox: the recent
//! announcements and a `watch` channel that wakes its sockets. A wake-up then costs one map
//! lookup, not one check per open socket, and many wake-ups between two reads of the store
//! collapse into one. Wake-ups that carry their event (messages written on this node, and a
//! large group's from any node) are kept briefly, so sockets push them without a store read.
//!
//! Concurrent writers publish after their commits in any order, so a member's seq N+1 may be
//! announced just before N. A socket then pushes what is contiguous and waits a moment for the
//! rest rather than re-reading the store; an announcement without its event (a member's stream
//! written on another node, or a kind that carries none) sends the socket to the store.

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
    /// Bumped on every announcement: sockets wait on it.
    notify: watch::Sender<()>,
    /// The newest seq announced.
    newest: Seq,
    /// The newest seq dropped from `recent` to keep it short.
    forgotten: Seq,
    /// Bumped when announcements were lost: every socket of the member reads the store once.
    lost: u64,
    /// Recently announced seqs, in order, with their event when the writer handed it over.
    recent: VecDeque<(Seq, Option<Arc<EventPayload>>)>,
}

/// What a socket can push after its last seq without reading the store.
#[derive(Debug)]
pub enum AtHand {
    /// Every event up to the newest announced one (none if the socket is up to date).
    All(Vec<(Seq, Arc<EventPayload>)>),
    /// The events before a seq not announced yet (its writer has not published): push these and
    /// wait briefly for the rest.
    UntilGap(Vec<(Seq, Arc<EventPayload>)>),
    /// Read the store: an event came without its payload, is no longer kept, or was lost.
    ReadStore,
}

#[derive(Default)]
pub struct Wakeups {
    watchers: Mutex<HashMap<Key, Mailbox>>,
}

/// A member's wake-ups, for one socket.
pub struct Subscription {
    pub receiver: watch::Receiver<()>,
    /// The mailbox's `lost` count this socket has answered with a store read.
    lost_seen: u64,
    key: Key,
    hub: Arc<Wakeups>,
}

impl Drop for Subscription {
    fn drop(&mut self) {
        let Ok(mut watchers) = self.hub.watchers.lock() else {
            return;
        };
        // The last socket of this member leaves: forget the mailbox.
        if watchers
            .get(&self.key)
            .is_some_and(|m| m.notify.receiver_count() <= 1)
        {
            watchers.remove(&self.key);
        }
    }
}

impl Subscription {
    /// The events after `last` this node holds, up to the newest announced.
    pub fn events_after(&mut self, last: Seq) -> AtHand {
        let Ok(watchers) = self.hub.watchers.lock() else {
            return AtHand::ReadStore;
        };
        let Some(mailbox) = watchers.get(&self.key) else {
            return AtHand::ReadStore;
        };
        if mailbox.lost != self.lost_seen {
            self.lost_seen = mailbox.lost;
            return AtHand::ReadStore;
        }
        at_hand(&mailbox.recent, mailbox.forgotten, last, mailbox.newest)
    }
}

/// A socket subscribes before it reads the store, so every seq after that read is announced
/// here: a seq missing from `recent` (and not forgotten) has yet to be announced.
fn at_hand(
    recent: &VecDeque<(Seq, Option<Arc<EventPayload>>)>,
    forgotten: Seq,
    last: Seq,
    newest: Seq,
) -> AtHand {
    if newest <= last {
        return AtHand::All(vec![]);
    }
    if last < forgotten {
        // The next event may have been dropped from here already.
        return AtHand::ReadStore;
    }
    let from = recent.partition_point(|(s, _)| *s <= last);
    let mut events = Vec::new();
    for (seq, payload) in recent.range(from..) {
        if *seq != last + 1 + events.len() as Seq {
            return AtHand::UntilGap(events);
        }
        match payload {
            Some(p) => events.push((*seq, p.clone())),
            None => return AtHand::ReadStore,
        }
    }
    if last + events.len() as Seq >= newest {
        AtHand::All(events)
    } else {
        AtHand::UntilGap(events)
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
                    Err(RecvError::Lagged(_)) => {
                        metrics::counter!("workhub_wakeups_lagged_total").increment(1);
                        routing.wake_all()
                    }
                    Err(RecvError::Closed) => return,
                }
            }
        });
        hub
    }

    pub fn subscribe(self: &Arc<Self>, corp: &CorpId, user: &UserId) -> Subscription {
        let key = (corp.clone(), user.clone());
        let (receiver, lost_seen) = match self.watchers.lock() {
            Ok(mut watchers) => {
                let mailbox = watchers.entry(key.clone()).or_insert_with(|| Mailbox {
                    notify: watch::channel(()).0,
                    newest: 0,
                    forgotten: 0,
                    lost: 0,
                    recent: VecDeque::new(),
                });
                (mailbox.notify.subscribe(), mailbox.lost)
            }
            // A poisoned map never wakes; the socket's periodic re-read still delivers.
            Err(_) => (watch::channel(()).1, 0),
        };
        Subscription {
            receiver,
            lost_seen,
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
        // Announcements of one member may arrive slightly out of order: keep seq order.
        let at = mailbox.recent.partition_point(|(s, _)| *s < seq);
        if mailbox.recent.get(at).is_none_or(|(s, _)| *s != seq) {
            mailbox.recent.insert(at, (seq, payload));
        }
        while mailbox.recent.len() > RECENT {
            if let Some((dropped, _)) = mailbox.recent.pop_front() {
                mailbox.forgotten = mailbox.forgotten.max(dropped);
            }
        }
        mailbox.newest = mailbox.newest.max(seq);
        // Every announcement wakes the sockets, also one older than the newest: it may fill
        // the gap they wait on.
        mailbox.notify.send_replace(());
    }

    fn wake_all(&self) {
        if let Ok(mut watchers) = self.watchers.lock() {
            for mailbox in watchers.values_mut() {
                mailbox.lost += 1;
                mailbox.notify.send_replace(());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn payload() -> Option<Arc<EventPayload>> {
        Some(Arc::new(EventPayload {
            kind: "message.new".into(),
            data: "{}".into(),
            created_at: 0,
        }))
    }

    fn seqs(events: &[(Seq, Arc<EventPayload>)]) -> Vec<Seq> {
        events.iter().map(|(s, _)| *s).collect()
    }

    #[test]
    fn contiguous_events_are_pushed_without_the_store() {
        let recent: VecDeque<_> = [(4, payload()), (5, payload()), (6, payload())].into();
        match at_hand(&recent, 0, 4, 6) {
            AtHand::All(events) => assert_eq!(seqs(&events), vec![5, 6]),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_seq_not_announced_yet_stops_the_push_there() {
        let recent: VecDeque<_> = [(5, payload()), (7, payload())].into();
        match at_hand(&recent, 0, 4, 7) {
            AtHand::UntilGap(events) => assert_eq!(seqs(&events), vec![5]),
            other => panic!("{other:?}"),
        }
        // Nothing at hand yet, but the newest is ahead: wait rather than read.
        let recent: VecDeque<_> = [(4, payload()), (6, payload())].into();
        assert!(matches!(at_hand(&recent, 0, 4, 6), AtHand::UntilGap(e) if e.is_empty()));
    }

    #[test]
    fn an_up_to_date_socket_has_nothing_to_push() {
        let recent: VecDeque<_> = [(5, payload())].into();
        assert!(matches!(at_hand(&recent, 0, 5, 5), AtHand::All(e) if e.is_empty()));
        assert!(matches!(at_hand(&VecDeque::new(), 0, 5, 3), AtHand::All(e) if e.is_empty()));
    }

    #[test]
    fn missing_payloads_and_forgotten_seqs_read_the_store() {
        let recent: VecDeque<_> = [(5, payload()), (6, None)].into();
        assert!(matches!(at_hand(&recent, 0, 4, 6), AtHand::ReadStore));
        let recent: VecDeque<_> = [(9, payload())].into();
        assert!(matches!(at_hand(&recent, 8, 4, 9), AtHand::ReadStore));
        // Not forgotten: seqs 5 to 8 are still to be announced.
        assert!(matches!(at_hand(&recent, 0, 4, 9), AtHand::UntilGap(e) if e.is_empty()));
    }

    #[tokio::test]
    async fn lost_announcements_send_every_socket_to_the_store_once() {
        let hub = Arc::new(Wakeups::default());
        let (corp, user) = (CorpId::generate(), UserId::parse("u1").unwrap());
        let mut first = hub.subscribe(&corp, &user);
        let mut second = hub.subscribe(&corp, &user);
        hub.wake((corp.clone(), user.clone()), 1, payload());
        assert!(matches!(first.events_after(0), AtHand::All(e) if e.len() == 1));
        hub.wake_all();
        assert!(first.receiver.has_changed().unwrap());
        assert!(matches!(first.events_after(1), AtHand::ReadStore));
        assert!(matches!(first.events_after(1), AtHand::All(e) if e.is_empty()));
        assert!(matches!(second.events_after(1), AtHand::ReadStore));
    }

    #[tokio::test]
    async fn an_older_announcement_still_wakes_the_sockets() {
        let hub = Arc::new(Wakeups::default());
        let (corp, user) = (CorpId::generate(), UserId::parse("u1").unwrap());
        let mut socket = hub.subscribe(&corp, &user);
        hub.wake((corp.clone(), user.clone()), 2, payload());
        socket.receiver.borrow_and_update();
        assert!(matches!(socket.events_after(0), AtHand::UntilGap(e) if e.is_empty()));
        hub.wake((corp.clone(), user.clone()), 1, payload());
        assert!(socket.receiver.has_changed().unwrap());
        match socket.events_after(0) {
            AtHand::All(events) => assert_eq!(seqs(&events), vec![1, 2]),
            other => panic!("{other:?}"),
        }
    }
}

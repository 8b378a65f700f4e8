//! Sessions verified lately, on SQLite.
//!
//! Every signed-in request reads its session, member and company policy; on SQLite that read is
//! a hand-off to a connection's thread and back, a fair share of what a message send costs.
//! This process is the database's only writer, so a verified session stays valid until a unit
//! that could end or restrict it commits: the writer counts every unit except message, file
//! and audit traffic (`Writer::run_traffic`), and an entry counts only while that count is the
//! one read before its query. Changes made by another process on the same file (the `workhub`
//! CLI) are seen within `FRESH_FOR`. PostgreSQL has other nodes writing, so it is not cached.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use workhub_store::accounts::SignedIn;

const FRESH_FOR: Duration = Duration::from_secs(5);
/// Beyond this many sessions the cache drops what is stale, and starts over if that is not
/// enough (more sessions than this used within `FRESH_FOR`).
const MOST: usize = 10_000;

#[derive(Default)]
pub(crate) struct SignedInCache(Mutex<Entries>);

#[derive(Default)]
struct Entries {
    by_digest: HashMap<String, Verified>,
    /// Session id → token digest, to follow `touch_session`.
    digests: HashMap<String, String>,
}

struct Verified {
    changes: u64,
    at: Instant,
    signed_in: SignedIn,
}

impl Entries {
    fn drop_stale(&mut self, changes: u64) {
        self.by_digest
            .retain(|_, v| v.changes == changes && v.at.elapsed() < FRESH_FOR);
        if self.by_digest.len() >= MOST {
            self.by_digest.clear();
        }
        let live = &self.by_digest;
        self.digests.retain(|_, digest| live.contains_key(digest));
    }
}

impl SignedInCache {
    /// The session `digest` opens, if verified since the writer's count was `changes`.
    pub(crate) fn get(&self, digest: &str, changes: u64) -> Option<SignedIn> {
        let entries = self.0.lock().ok()?;
        let hit = entries.by_digest.get(digest)?;
        (hit.changes == changes && hit.at.elapsed() < FRESH_FOR).then(|| hit.signed_in.clone())
    }

    /// Remembers what a query found; `changes` is the writer's count read before the query.
    pub(crate) fn put(&self, digest: &str, changes: u64, signed_in: &SignedIn) {
        let Ok(mut entries) = self.0.lock() else {
            return;
        };
        if entries.by_digest.len() >= MOST {
            entries.drop_stale(changes);
        }
        let session = signed_in.session.session_id.clone();
        entries.digests.insert(session, digest.to_string());
        entries.by_digest.insert(
            digest.to_string(),
            Verified {
                changes,
                at: Instant::now(),
                signed_in: signed_in.clone(),
            },
        );
    }

    /// Keeps a cached session's last use in step with `touch_session`, so the next request
    /// does not touch it again.
    pub(crate) fn touched(&self, session_id: &str, now: i64, ip: &str) {
        let Ok(mut entries) = self.0.lock() else {
            return;
        };
        let Some(digest) = entries.digests.get(session_id).cloned() else {
            return;
        };
        if let Some(hit) = entries.by_digest.get_mut(&digest) {
            hit.signed_in.session.last_seen_at = now;
            hit.signed_in.session.ip = ip.to_string();
        }
    }
}

#[cfg(test)]
mod tests {
    use workhub_core::{CorpId, UserId};
    use workhub_store::accounts::Session;

    use super::*;

    fn signed_in(session_id: &str) -> SignedIn {
        SignedIn {
            session: Session {
                session_id: session_id.into(),
                corp_id: CorpId::generate(),
                userid: UserId::parse("u").unwrap(),
                device_id: "d".into(),
                device_name: "Chrome".into(),
                platform: "web".into(),
                ip: "127.0.0.1".into(),
                user_agent: "test".into(),
                created_at: 1,
                last_seen_at: 1,
                revoked: false,
            },
            member: None,
            policy: None,
        }
    }

    #[test]
    fn an_entry_counts_only_until_the_writer_moves_on() {
        let cache = SignedInCache::default();
        cache.put("d1", 7, &signed_in("s1"));
        assert!(cache.get("d1", 7).is_some());
        assert!(cache.get("d1", 8).is_none(), "a unit committed since");
        assert!(cache.get("d2", 7).is_none());
        cache.touched("s1", 60_001, "10.0.0.2");
        let touched = cache.get("d1", 7).unwrap().session;
        assert_eq!(
            (touched.last_seen_at, touched.ip.as_str()),
            (60_001, "10.0.0.2")
        );
    }

    #[test]
    fn a_full_cache_drops_stale_entries_first() {
        let cache = SignedInCache::default();
        for i in 0..MOST {
            cache.put(&format!("old{i}"), 1, &signed_in(&format!("o{i}")));
        }
        cache.put("new", 2, &signed_in("n"));
        cache.put("newer", 2, &signed_in("m"));
        let entries = cache.0.lock().unwrap();
        assert_eq!(entries.by_digest.len(), 2, "entries of an older count went");
        assert_eq!(entries.digests.len(), 2);
    }
}

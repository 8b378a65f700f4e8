//! The in-process bus: one node, no network.

use async_trait::async_trait;
use tokio::sync::broadcast;
use workhub_store::Appended;

use crate::EventBus;

/// Wake-ups a slow subscriber may fall behind by before it is told it lagged (and re-syncs).
const CAPACITY: usize = 16_384;

#[derive(Clone)]
pub struct LocalBus {
    sender: broadcast::Sender<Appended>,
}

impl Default for LocalBus {
    fn default() -> Self {
        Self {
            sender: broadcast::channel(CAPACITY).0,
        }
    }
}

impl LocalBus {
    /// Delivers to this node's subscribers.
    pub fn deliver(&self, appended: Appended) {
        // No subscribers is not an error: nobody is online.
        let _ = self.sender.send(appended);
    }
}

#[async_trait]
impl EventBus for LocalBus {
    async fn publish(&self, appended: &[Appended]) {
        for a in appended {
            self.deliver(a.clone());
        }
    }
    fn subscribe(&self) -> broadcast::Receiver<Appended> {
        self.sender.subscribe()
    }
    async fn healthy(&self) -> bool {
        true
    }
}

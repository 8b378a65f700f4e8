//! Fan-out of committed events. After a write commits, the domain publishes which streams
//! advanced (`Appended`); every node's WebSocket connections wake and read the store from their
//! last seq. The bus carries wake-ups only, never the truth: a lost wake-up delays a push, it
//! never loses an event (clients also re-sync on reconnect and on a periodic tick).

mod limits;
mod local;
mod redis_bus;

use async_trait::async_trait;
use tokio::sync::broadcast;
use workhub_store::Appended;

pub use limits::{Decision, Limit, LocalLimiter, RateLimiter, RedisLimiter};
pub use local::LocalBus;
pub use redis_bus::RedisBus;

#[async_trait]
pub trait EventBus: Send + Sync {
    /// Announces committed events to every node.
    async fn publish(&self, appended: &[Appended]);
    /// Every announcement reaching this node, from this node or any other.
    fn subscribe(&self) -> broadcast::Receiver<Appended>;
    /// Whether the bus is connected (for `/readyz`).
    async fn healthy(&self) -> bool;
}

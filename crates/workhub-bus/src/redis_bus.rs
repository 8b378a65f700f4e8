//! The Redis bus: wake-ups travel over one pub/sub channel to every node. A node delivers its
//! own wake-ups locally at once and ignores their echo, so a Redis hiccup never slows the
//! writer's own clients.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use futures::StreamExt;
use redis::AsyncCommands;
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;
use workhub_store::Appended;

use crate::{EventBus, LocalBus};

const CHANNEL: &str = "workhub:events";

#[derive(Serialize, Deserialize)]
struct Envelope {
    node: String,
    events: Vec<Appended>,
}

pub struct RedisBus {
    node: String,
    local: LocalBus,
    publisher: redis::aio::ConnectionManager,
    connected: Arc<AtomicBool>,
}

impl RedisBus {
    /// Connects and starts the subscriber task, which reconnects on its own.
    pub async fn connect(url: &str) -> Result<RedisBus, redis::RedisError> {
        let client = redis::Client::open(url)?;
        let publisher = redis::aio::ConnectionManager::new(client.clone()).await?;
        let node = workhub_core::secret::random_hex(8);
        let local = LocalBus::default();
        let connected = Arc::new(AtomicBool::new(false));
        // Subscribe before returning, so nothing published after `connect` is missed.
        let pubsub = subscribe(&client).await?;
        connected.store(true, Ordering::SeqCst);
        tokio::spawn(listen(
            client,
            pubsub,
            node.clone(),
            local.clone(),
            connected.clone(),
        ));
        Ok(RedisBus {
            node,
            local,
            publisher,
            connected,
        })
    }
}

async fn subscribe(client: &redis::Client) -> Result<redis::aio::PubSub, redis::RedisError> {
    let mut pubsub = client.get_async_pubsub().await?;
    pubsub.subscribe(CHANNEL).await?;
    Ok(pubsub)
}

async fn listen(
    client: redis::Client,
    mut pubsub: redis::aio::PubSub,
    node: String,
    local: LocalBus,
    connected: Arc<AtomicBool>,
) {
    loop {
        {
            let mut messages = pubsub.on_message();
            while let Some(msg) = messages.next().await {
                let Ok(payload) = msg.get_payload::<String>() else {
                    continue;
                };
                match serde_json::from_str::<Envelope>(&payload) {
                    Ok(env) if env.node != node => {
                        env.events.into_iter().for_each(|a| local.deliver(a))
                    }
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "ignoring a malformed bus message"),
                }
            }
        }
        connected.store(false, Ordering::SeqCst);
        tracing::warn!("lost the Redis subscription; reconnecting");
        loop {
            tokio::time::sleep(Duration::from_secs(1)).await;
            if let Ok(p) = subscribe(&client).await {
                pubsub = p;
                connected.store(true, Ordering::SeqCst);
                break;
            }
        }
    }
}

#[async_trait]
impl EventBus for RedisBus {
    async fn publish(&self, appended: &[Appended]) {
        if appended.is_empty() {
            return;
        }
        self.local.publish(appended).await;
        let envelope = Envelope {
            node: self.node.clone(),
            events: appended.iter().map(Appended::for_other_nodes).collect(),
        };
        let Ok(payload) = serde_json::to_string(&envelope) else {
            return;
        };
        let mut conn = self.publisher.clone();
        if let Err(e) = conn.publish::<_, _, i64>(CHANNEL, payload).await {
            tracing::warn!(error = %e, "could not publish to Redis; other nodes catch up on their next tick");
        }
    }

    fn subscribe(&self) -> broadcast::Receiver<Appended> {
        self.local.subscribe()
    }

    async fn healthy(&self) -> bool {
        let mut conn = self.publisher.clone();
        self.connected.load(Ordering::SeqCst)
            && redis::cmd("PING")
                .query_async::<String>(&mut conn)
                .await
                .is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use workhub_core::{CorpId, UserId};

    #[tokio::test]
    async fn events_cross_nodes_and_are_not_echoed() {
        let Some(url) = workhub_testkit::redis_url("redis bus") else {
            return;
        };
        let a = RedisBus::connect(&url).await.expect("node a");
        let b = RedisBus::connect(&url).await.expect("node b");
        assert!(a.healthy().await);
        let mut on_a = a.subscribe();
        let mut on_b = b.subscribe();
        let event = Appended {
            corp_id: CorpId::generate(),
            userid: UserId::parse("zhangsan").expect("userid"),
            seq: 7,
            payload: None,
        };
        a.publish(std::slice::from_ref(&event)).await;
        let got = tokio::time::timeout(Duration::from_secs(5), on_b.recv()).await;
        assert_eq!(got.expect("in time").expect("received"), event);
        assert_eq!(on_a.recv().await.expect("local delivery"), event);
        // Node a's own echo from Redis is ignored: nothing more arrives on a.
        let echo = tokio::time::timeout(Duration::from_millis(300), on_a.recv()).await;
        assert!(echo.is_err(), "echo delivered twice");

        // A large group's announcement carries its event to the other node; a member's does not.
        let payload = std::sync::Arc::new(workhub_store::EventPayload {
            kind: "message.new".into(),
            data: r#"{"id":"m1"}"#.into(),
            created_at: 1,
        });
        let group = Appended {
            userid: workhub_store::messaging::conversation_stream("g1"),
            payload: Some(payload.clone()),
            ..event.clone()
        };
        let member = Appended {
            payload: Some(payload.clone()),
            ..event.clone()
        };
        a.publish(&[group.clone(), member]).await;
        for want in [Some(payload), None] {
            let got = tokio::time::timeout(Duration::from_secs(5), on_b.recv()).await;
            assert_eq!(got.expect("in time").expect("received").payload, want);
        }
    }
}

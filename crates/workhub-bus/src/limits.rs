//! Rate limits: fixed windows counted in-process (one node) or in Redis (exact across nodes).
//! Windows are numbered from the caller's clock, so tests can move time.

use std::collections::HashMap;
use std::sync::Mutex;

use async_trait::async_trait;

/// At most `max` calls per window of `window_ms`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub window_ms: i64,
    pub max: i64,
}

/// What one check decided: allowed or not, and what each limit has left afterwards.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub allowed: bool,
    pub remaining: Vec<i64>,
}

#[async_trait]
pub trait RateLimiter: Send + Sync {
    /// Counts one call against every limit, unless any is exhausted (then nothing is counted).
    async fn charge(&self, key: &str, limits: &[Limit], now_ms: i64) -> Decision;
    /// What each limit has left, without counting.
    async fn remaining(&self, key: &str, limits: &[Limit], now_ms: i64) -> Vec<i64>;
}

fn window_key(key: &str, limit: &Limit, now_ms: i64) -> String {
    format!(
        "{key}:{}:{}",
        limit.window_ms,
        now_ms.div_euclid(limit.window_ms.max(1))
    )
}

#[derive(Default)]
pub struct LocalLimiter {
    counts: Mutex<HashMap<String, i64>>,
}

impl LocalLimiter {
    fn with_counts<T>(&self, f: impl FnOnce(&mut HashMap<String, i64>) -> T) -> T {
        let mut guard = match self.counts.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        f(&mut guard)
    }
}

#[async_trait]
impl RateLimiter for LocalLimiter {
    async fn charge(&self, key: &str, limits: &[Limit], now_ms: i64) -> Decision {
        let keys: Vec<String> = limits.iter().map(|l| window_key(key, l, now_ms)).collect();
        self.with_counts(|counts| {
            // Forget finished windows now and then, so the map stays small.
            if counts.len() > 100_000 {
                counts.clear();
            }
            let used: Vec<i64> = keys
                .iter()
                .map(|k| counts.get(k).copied().unwrap_or(0))
                .collect();
            let allowed = limits.iter().zip(&used).all(|(l, u)| *u < l.max);
            if allowed {
                for k in &keys {
                    *counts.entry(k.clone()).or_default() += 1;
                }
            }
            let remaining = limits
                .iter()
                .zip(&used)
                .map(|(l, u)| (l.max - u - i64::from(allowed)).max(0))
                .collect();
            Decision { allowed, remaining }
        })
    }

    async fn remaining(&self, key: &str, limits: &[Limit], now_ms: i64) -> Vec<i64> {
        self.with_counts(|counts| {
            limits
                .iter()
                .map(|l| {
                    (l.max
                        - counts
                            .get(&window_key(key, l, now_ms))
                            .copied()
                            .unwrap_or(0))
                    .max(0)
                })
                .collect()
        })
    }
}

/// Checks every window and counts them all in one atomic step.
const CHARGE: &str = r"
for i, key in ipairs(KEYS) do
  if tonumber(redis.call('GET', key) or '0') >= tonumber(ARGV[i * 2 - 1]) then
    return 0
  end
end
for i, key in ipairs(KEYS) do
  redis.call('INCR', key)
  redis.call('PEXPIRE', key, ARGV[i * 2])
end
return 1
";

pub struct RedisLimiter {
    conn: redis::aio::ConnectionManager,
    script: redis::Script,
}

impl RedisLimiter {
    pub async fn connect(url: &str) -> Result<RedisLimiter, redis::RedisError> {
        let conn = redis::aio::ConnectionManager::new(redis::Client::open(url)?).await?;
        Ok(RedisLimiter {
            conn,
            script: redis::Script::new(CHARGE),
        })
    }

    async fn used(&self, keys: &[String]) -> Vec<i64> {
        let mut conn = self.conn.clone();
        let values: Vec<Option<i64>> = redis::cmd("MGET")
            .arg(keys)
            .query_async(&mut conn)
            .await
            .unwrap_or_default();
        keys.iter()
            .enumerate()
            .map(|(i, _)| values.get(i).copied().flatten().unwrap_or(0))
            .collect()
    }
}

#[async_trait]
impl RateLimiter for RedisLimiter {
    async fn charge(&self, key: &str, limits: &[Limit], now_ms: i64) -> Decision {
        let keys: Vec<String> = limits
            .iter()
            .map(|l| format!("workhub:rl:{}", window_key(key, l, now_ms)))
            .collect();
        let mut invocation = self.script.prepare_invoke();
        for (k, l) in keys.iter().zip(limits) {
            invocation.key(k).arg(l.max).arg(l.window_ms * 2);
        }
        let mut conn = self.conn.clone();
        let allowed = match invocation.invoke_async::<i64>(&mut conn).await {
            Ok(v) => v == 1,
            Err(e) => {
                // A limiter outage must not take the API down with it.
                tracing::warn!(error = %e, "rate limiter unavailable; allowing the call");
                return Decision {
                    allowed: true,
                    remaining: limits.iter().map(|l| l.max).collect(),
                };
            }
        };
        let used = self.used(&keys).await;
        Decision {
            allowed,
            remaining: limits
                .iter()
                .zip(used)
                .map(|(l, u)| (l.max - u).max(0))
                .collect(),
        }
    }

    async fn remaining(&self, key: &str, limits: &[Limit], now_ms: i64) -> Vec<i64> {
        let keys: Vec<String> = limits
            .iter()
            .map(|l| format!("workhub:rl:{}", window_key(key, l, now_ms)))
            .collect();
        let used = self.used(&keys).await;
        limits
            .iter()
            .zip(used)
            .map(|(l, u)| (l.max - u).max(0))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: [Limit; 2] = [
        Limit {
            window_ms: 60_000,
            max: 3,
        },
        Limit {
            window_ms: 86_400_000,
            max: 5,
        },
    ];

    async fn exercise(limiter: &dyn RateLimiter, key: &str) {
        let t0 = 1_800_000_000_000 - 1_800_000_000_000 % 86_400_000;
        for left in [2, 1, 0] {
            let d = limiter.charge(key, &LIMITS, t0).await;
            assert!(d.allowed);
            assert_eq!(d.remaining[0], left);
        }
        assert!(
            !limiter.charge(key, &LIMITS, t0 + 59_999).await.allowed,
            "the minute is used up"
        );
        assert_eq!(
            limiter.remaining(key, &LIMITS, t0).await,
            vec![0, 2],
            "a refused call is not counted"
        );
        assert!(
            limiter.charge(key, &LIMITS, t0 + 60_000).await.allowed,
            "a new minute"
        );
        assert!(limiter.charge(key, &LIMITS, t0 + 60_001).await.allowed);
        assert!(
            !limiter.charge(key, &LIMITS, t0 + 120_000).await.allowed,
            "the day is used up"
        );
        assert!(
            limiter
                .charge(&format!("{key}-other"), &LIMITS, t0)
                .await
                .allowed,
            "keys are separate"
        );
    }

    #[tokio::test]
    async fn local_windows() {
        exercise(&LocalLimiter::default(), "app").await;
    }

    #[tokio::test]
    async fn redis_windows_are_shared_and_exact() {
        let Some(url) = workhub_testkit::redis_url("redis rate limits") else {
            return;
        };
        let key = format!("test-{}", workhub_core::secret::random_hex(6));
        let a = RedisLimiter::connect(&url).await.expect("redis");
        exercise(&a, &key).await;
        // A second node sees the same counts.
        let b = RedisLimiter::connect(&url).await.expect("redis");
        let t0 = 1_800_000_000_000 - 1_800_000_000_000 % 86_400_000;
        assert!(!b.charge(&key, &LIMITS, t0 + 180_000).await.allowed);
        // Concurrent calls from two nodes never exceed the limit.
        let key = format!("race-{}", workhub_core::secret::random_hex(6));
        let limits = [Limit {
            window_ms: 60_000,
            max: 50,
        }];
        let mut tasks = Vec::new();
        for i in 0..100 {
            let (node, key) = (
                if i % 2 == 0 {
                    RedisLimiter {
                        conn: a.conn.clone(),
                        script: redis::Script::new(CHARGE),
                    }
                } else {
                    RedisLimiter {
                        conn: b.conn.clone(),
                        script: redis::Script::new(CHARGE),
                    }
                },
                key.clone(),
            );
            tasks.push(tokio::spawn(async move {
                node.charge(&key, &limits, t0).await.allowed
            }));
        }
        let mut allowed = 0;
        for t in tasks {
            allowed += i32::from(t.await.expect("task"));
        }
        assert_eq!(allowed, 50);
    }
}

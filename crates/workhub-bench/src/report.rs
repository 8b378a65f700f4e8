//! Turning timings into the one JSON line the benchmark prints.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::client::Inbox;

/// The `p`-th percentile of `values` (sorted in place), in milliseconds.
pub fn percentile_ms(values: &mut [Duration], p: f64) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    values.sort();
    let i = ((values.len() as f64 * p).ceil() as usize).clamp(1, values.len()) - 1;
    values[i].as_secs_f64() * 1000.0
}

/// The server's resident memory, from /proc (same machine only).
pub fn server_rss_mb(pid: Option<u32>) -> f64 {
    let pid = pid.or_else(find_server_pid);
    let Some(pid) = pid else { return 0.0 };
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map(|kb| kb / 1024.0)
        .unwrap_or(0.0)
}

fn find_server_pid() -> Option<u32> {
    std::fs::read_dir("/proc")
        .ok()?
        .flatten()
        .find_map(|entry| {
            let pid: u32 = entry.file_name().to_str()?.parse().ok()?;
            let comm = std::fs::read_to_string(entry.path().join("comm")).ok()?;
            (comm.trim() == "workhub").then_some(pid)
        })
}

/// Sends and deliveries of one run: what was sent when, and what each receiver got.
pub struct Run {
    pub scenario: &'static str,
    pub started: Instant,
    pub sent_at: HashMap<String, Instant>,
    pub send_latencies: Vec<Duration>,
    pub sending_took: Duration,
    /// Each receiver's inbox and the client ids it should get.
    pub receivers: Vec<(Arc<Mutex<Inbox>>, Vec<String>)>,
}

impl Run {
    pub fn report(mut self, server_pid: Option<u32>, extra: Value) -> Value {
        let messages = self.sent_at.len();
        let (mut delivery, mut missing, mut duplicates, mut out_of_order) = (vec![], 0, 0, 0);
        let mut last_delivery = self.started;
        for (inbox, expected) in &self.receivers {
            let Ok(inbox) = inbox.lock() else { continue };
            duplicates += inbox.duplicates;
            out_of_order += inbox.out_of_order;
            for id in expected {
                match (inbox.arrivals.get(id), self.sent_at.get(id)) {
                    (Some(got), Some(sent)) => {
                        delivery.push(got.saturating_duration_since(*sent));
                        last_delivery = last_delivery.max(*got);
                    }
                    _ => missing += 1,
                }
            }
        }
        let deliveries = delivery.len();
        let span = last_delivery
            .duration_since(self.started)
            .as_secs_f64()
            .max(1e-9);
        let mut out = json!({
            "scenario": self.scenario,
            "messages": messages,
            "accepted_per_s": (messages as f64 / self.sending_took.as_secs_f64().max(1e-9)).round(),
            "send_p50_ms": percentile_ms(&mut self.send_latencies, 0.50),
            "send_p99_ms": percentile_ms(&mut self.send_latencies, 0.99),
            "delivery_p50_ms": percentile_ms(&mut delivery, 0.50),
            "delivery_p99_ms": percentile_ms(&mut delivery, 0.99),
            "deliveries": deliveries,
            "deliveries_per_s": (deliveries as f64 / span).round(),
            "missing": missing,
            "duplicates": duplicates,
            "out_of_order": out_of_order,
            "server_rss_mb": server_rss_mb(server_pid).round(),
        });
        if let (Some(out), Value::Object(extra)) = (out.as_object_mut(), extra) {
            out.extend(extra);
        }
        out
    }
}

//! `search`: message search over a long history, end to end through the server (its index,
//! then the store's check of each hit). `--messages` generated texts (office words people search
//! for, in Chinese and English, among filler: `workhub_search::sample`) are sent through the real
//! API, spread over `--groups` groups; the searcher (the admin) is in one group in five, as a
//! person is in a part of a company's conversations. Once the server's index has caught up (a
//! last message with a word of its own is found), `--searches` searches run one after another,
//! as people type them: half over all time, half within a tenth of the history (`from`/`to`).

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result, bail};
use futures::future::try_join_all;
use futures::stream::{self, StreamExt, TryStreamExt};
use serde_json::{Value, json};
use workhub_search::sample::SampleText;

use crate::Args;
use crate::client::{Member, Server};
use crate::report::{percentile_ms, server_rss_mb};
use crate::scenarios::{members, open, run_id};

/// How long the index may take to catch up after the last send.
const INDEX_WAIT: Duration = Duration::from_secs(1800);
/// Results asked for per search, as the web client does.
const LIMIT: usize = 20;

pub async fn search(args: &Args, server: &Server, admin: &str) -> Result<Value> {
    let ids = vec!["bench-search-a".into(), "bench-search-b".into()];
    let people = members(server, admin, ids).await?;
    let (sender, other) = (&people[0], &people[1]);
    let groups: Vec<String> = stream::iter(0..args.groups.max(1))
        .map(|i| {
            let mut members = vec![other.userid.clone()];
            if i % 5 == 0 {
                members.push(args.admin_userid.clone());
            }
            let body = json!({ "kind": "group", "name": format!("bench search {i}"),
                               "members": members });
            open(server, sender, body)
        })
        .buffered(8)
        .try_collect()
        .await?;
    let run_id = run_id();
    let first_ms = unix_ms();
    let started = Instant::now();
    let mut send_latencies = send_history(args, server, sender, &groups, &run_id).await?;
    let sending_took = started.elapsed();
    let last_ms = unix_ms();

    // A word no generated message has, in a group the searcher is in: found means indexed.
    let marker = format!("zz{run_id}");
    server
        .send_text(sender, &groups[0], &format!("{run_id}-marker"), &marker)
        .await?;
    let sent_marker = Instant::now();
    let searcher = Member {
        userid: args.admin_userid.clone(),
        token: admin.to_string(),
    };
    while find(server, &searcher, &marker, None).await?.0 == 0 {
        if sent_marker.elapsed() > INDEX_WAIT {
            bail!("the index did not catch up within {INDEX_WAIT:?}");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let index_lag = sent_marker.elapsed();

    let mut sample = SampleText::new(42);
    let span = (last_ms - first_ms).max(10);
    let (mut all_time, mut windowed) = (Vec::new(), Vec::new());
    let (mut results, mut empty) = (0, 0);
    for k in 0..args.searches {
        let q = sample.query();
        let window = (k % 2 == 1).then(|| {
            let from = first_ms + (sample.number() as i64).rem_euclid(span - span / 10);
            (from, from + span / 10)
        });
        let (found, took) = find(server, &searcher, &q, window).await?;
        results += found;
        empty += usize::from(found == 0);
        match window {
            Some(_) => windowed.push(took),
            None => all_time.push(took),
        }
    }
    let mut every: Vec<Duration> = all_time.iter().chain(&windowed).copied().collect();
    let messages = args.messages + 1;
    Ok(json!({
        "scenario": "search",
        "messages": messages,
        "groups": groups.len(),
        "accepted_per_s": (messages as f64 / sending_took.as_secs_f64().max(1e-9)).round(),
        "send_p99_ms": percentile_ms(&mut send_latencies, 0.99),
        "index_lag_ms": index_lag.as_millis(),
        "searches": every.len(),
        "search_p50_ms": percentile_ms(&mut every, 0.5),
        "search_p99_ms": percentile_ms(&mut every, 0.99),
        "search_max_ms": percentile_ms(&mut every, 1.0),
        "all_time_p99_ms": percentile_ms(&mut all_time, 0.99),
        "windowed_p99_ms": percentile_ms(&mut windowed, 0.99),
        "results_mean": results as f64 / every.len().max(1) as f64,
        "searches_without_results": empty,
        "delivery_p50_ms": 0, "delivery_p99_ms": 0, "deliveries_per_s": 0,
        "missing": 0, "duplicates": 0, "out_of_order": 0,
        "server_rss_mb": server_rss_mb(args.server_pid).round(),
    }))
}

/// Sends the generated history closed-loop (`--concurrency` in flight), round-robin over the
/// groups; each send's latency.
async fn send_history(
    args: &Args,
    server: &Server,
    sender: &Member,
    groups: &[String],
    run_id: &str,
) -> Result<Vec<Duration>> {
    let next = AtomicUsize::new(0);
    let latencies = Mutex::new(Vec::with_capacity(args.messages));
    let workers = (0..args.concurrency.max(1)).map(|w| {
        let (next, latencies) = (&next, &latencies);
        async move {
            let mut sample = SampleText::new(0x9e37_79b9_7f4a_7c15 ^ (w as u64 + 1) << 20);
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= args.messages {
                    return anyhow::Ok(());
                }
                let (group, id) = (&groups[i % groups.len()], format!("{run_id}-{i}"));
                let at = Instant::now();
                server
                    .send_text(sender, group, &id, &sample.message())
                    .await?;
                if let Ok(mut l) = latencies.lock() {
                    l.push(at.elapsed());
                }
            }
        }
    });
    try_join_all(workers).await?;
    Ok(latencies.into_inner().unwrap_or_default())
}

/// One search as the searcher; how many results and how long the request took.
async fn find(
    server: &Server,
    searcher: &Member,
    q: &str,
    window: Option<(i64, i64)>,
) -> Result<(usize, Duration)> {
    let mut query: Vec<(&str, String)> = vec![("q", q.to_string()), ("limit", LIMIT.to_string())];
    if let Some((from, to)) = window {
        query.extend([("from", from.to_string()), ("to", to.to_string())]);
    }
    let url = format!("{}/api/v1/search/messages", server.url);
    let url = reqwest::Url::parse_with_params(&url, &query)?;
    let at = Instant::now();
    let res = server
        .http
        .get(url)
        .bearer_auth(&searcher.token)
        .send()
        .await?;
    let status = res.status();
    let body: Value = res.json().await?;
    let took = at.elapsed();
    if !status.is_success() {
        bail!("search {q}: {status} {body}");
    }
    let found = body["results"].as_array().context("results")?.len();
    Ok((found, took))
}

fn unix_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

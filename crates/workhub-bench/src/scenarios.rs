//! The scenarios: each sets up its members and conversations, runs, and reports.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use futures::future::{join_all, try_join_all};
use futures::stream::{self, StreamExt};
use reqwest::Method;
use serde_json::{Value, json};
use tokio::sync::Mutex;

use crate::Args;
use crate::client::{Member, Server, listen};
use crate::report::{Run, server_rss_mb};

/// Members signed in (or made) at once: each costs the server a password hash.
const SETUP_CONCURRENCY: usize = 8;
/// How long to wait for the last deliveries after the last send.
const DRAIN: Duration = Duration::from_secs(30);

pub async fn run(args: &Args) -> Result<Value> {
    let server = Server::new(&args.url, &args.corpid)?;
    let admin = server
        .login(&args.admin_userid, &args.admin_password)
        .await?;
    match args.scenario.as_str() {
        "w1" => w1(args, &server, &admin).await,
        "w2" => w2(args, &server, &admin).await,
        "w3" => w3(args, &server, &admin).await,
        "conns" => conns(args, &server, &admin).await,
        "reconnect" => crate::reconnect::reconnect(args, &server, &admin).await,
        "search" => crate::search::search(args, &server, &admin).await,
        other => bail!("unknown scenario {other}: use w1, w2, w3, conns, reconnect or search"),
    }
}

pub(crate) async fn members(server: &Server, admin: &str, ids: Vec<String>) -> Result<Vec<Member>> {
    stream::iter(ids)
        .map(|id| async move { server.member(admin, &id).await })
        .buffered(SETUP_CONCURRENCY)
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect()
}

/// A prefix no earlier run used, so client ids never collide with old messages.
pub(crate) fn run_id() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!("r{nanos}")
}

pub(crate) async fn open(server: &Server, owner: &Member, body: Value) -> Result<String> {
    let chat = server
        .call(
            Method::POST,
            "/api/v1/conversations",
            &owner.token,
            Some(body),
        )
        .await?;
    Ok(chat["id"].as_str().context("conversation id")?.to_string())
}

/// Sends `ids` from `sender` into `conversation`: closed-loop with `concurrency` in flight, or
/// open-loop at `rate`. Returns when each was sent, each request's latency and the total time.
async fn send_all(
    server: &Server,
    sender: &Member,
    conversation: &str,
    ids: Vec<String>,
    concurrency: usize,
    rate: Option<u64>,
) -> Result<(HashMap<String, Instant>, Vec<Duration>, Duration)> {
    let sent = Arc::new(Mutex::new((HashMap::new(), Vec::new())));
    let started = Instant::now();
    let one = |id: String| {
        let (server, sender, sent) = (server.clone(), sender.clone(), sent.clone());
        let conversation = conversation.to_string();
        async move {
            let at = Instant::now();
            server.send(&sender, &conversation, &id).await?;
            let mut sent = sent.lock().await;
            sent.0.insert(id, at);
            sent.1.push(at.elapsed());
            anyhow::Ok(())
        }
    };
    match rate {
        Some(rate) => {
            let mut tick = tokio::time::interval(Duration::from_secs_f64(1.0 / rate.max(1) as f64));
            let mut tasks = Vec::with_capacity(ids.len());
            for id in ids {
                tick.tick().await;
                tasks.push(tokio::spawn(one(id)));
            }
            for t in join_all(tasks).await {
                t??;
            }
        }
        None => {
            let next = Arc::new(AtomicUsize::new(0));
            let ids = Arc::new(ids);
            let workers = (0..concurrency.max(1)).map(|_| {
                let (next, ids, one) = (next.clone(), ids.clone(), &one);
                async move {
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(id) = ids.get(i) else {
                            return anyhow::Ok(());
                        };
                        one(id.clone()).await?;
                    }
                }
            });
            try_join_all(workers).await?;
        }
    }
    let took = started.elapsed();
    let (at, latencies) = std::mem::take(&mut *sent.lock().await);
    Ok((at, latencies, took))
}

/// Waits until every receiver holds every expected id, or `DRAIN` passes.
async fn drain(run: &Run) {
    let deadline = Instant::now() + DRAIN;
    while Instant::now() < deadline {
        let done = run.receivers.iter().all(|(inbox, expected)| {
            inbox
                .lock()
                .map(|i| expected.iter().all(|id| i.arrivals.contains_key(id)))
                .unwrap_or(false)
        });
        if done {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

async fn w1(args: &Args, server: &Server, admin: &str) -> Result<Value> {
    let ids = (0..args.members.max(2))
        .map(|i| format!("bench-w1-{i}"))
        .collect();
    let people = members(server, admin, ids).await?;
    let (sender, receivers) = people.split_first().context("members")?;
    let others: Vec<&str> = receivers.iter().map(|m| m.userid.as_str()).collect();
    let group = open(
        server,
        sender,
        json!({ "kind": "group", "name": "bench w1", "members": others }),
    )
    .await?;
    let run_id = run_id();
    let ids: Vec<String> = (0..args.messages)
        .map(|i| format!("{run_id}-{i}"))
        .collect();
    // Receivers may listen on another node of the cluster, so deliveries cross the bus.
    let listening = match &args.listen_url {
        Some(url) => Server::new(url, &args.corpid)?,
        None => server.clone(),
    };
    let mut inboxes = Vec::new();
    for m in receivers {
        let since = server.latest_seq(m).await?;
        inboxes.push((listen(&listening, m, since).await?, ids.clone()));
    }
    let started = Instant::now();
    let (sent_at, send_latencies, sending_took) =
        send_all(server, sender, &group, ids, args.concurrency, args.rate).await?;
    let run = Run {
        scenario: "w1",
        started,
        sent_at,
        send_latencies,
        sending_took,
        receivers: inboxes,
    };
    drain(&run).await;
    Ok(run.report(
        args.server_pid,
        json!({ "members": args.members, "rate": args.rate }),
    ))
}

async fn w2(args: &Args, server: &Server, admin: &str) -> Result<Value> {
    let pairs = args.pairs.max(1);
    let ids = (0..pairs)
        .flat_map(|i| [format!("bench-w2-a{i}"), format!("bench-w2-b{i}")])
        .collect();
    let people = members(server, admin, ids).await?;
    let run_id = run_id();
    let per_pair = (args.messages / pairs).max(1);
    let mut setups = Vec::new();
    for (i, pair) in people.chunks(2).enumerate() {
        let (a, b) = (&pair[0], &pair[1]);
        let chat = open(server, a, json!({ "kind": "direct", "userid": b.userid })).await?;
        let ids: Vec<String> = (0..per_pair).map(|n| format!("{run_id}-{i}-{n}")).collect();
        let inbox = listen(server, b, server.latest_seq(b).await?).await?;
        setups.push((a.clone(), chat, ids, inbox));
    }
    let started = Instant::now();
    let sends = setups
        .iter()
        .map(|(a, chat, ids, _)| send_all(server, a, chat, ids.clone(), 1, None));
    let results = try_join_all(sends).await?;
    let sending_took = started.elapsed();
    let (mut sent_at, mut send_latencies) = (HashMap::new(), Vec::new());
    for (at, latencies, _) in results {
        sent_at.extend(at);
        send_latencies.extend(latencies);
    }
    let receivers = setups
        .into_iter()
        .map(|(_, _, ids, inbox)| (inbox, ids))
        .collect();
    let run = Run {
        scenario: "w2",
        started,
        sent_at,
        send_latencies,
        sending_took,
        receivers,
    };
    drain(&run).await;
    Ok(run.report(args.server_pid, json!({ "pairs": pairs })))
}

async fn w3(args: &Args, server: &Server, admin: &str) -> Result<Value> {
    let people = members(
        server,
        admin,
        vec!["bench-w3-s".into(), "bench-w3-o".into()],
    )
    .await?;
    let (sender, offline) = (&people[0], &people[1]);
    let chat = open(
        server,
        sender,
        json!({ "kind": "direct", "userid": offline.userid }),
    )
    .await?;
    let since = server.latest_seq(offline).await?;
    let run_id = run_id();
    let ids: Vec<String> = (0..args.messages)
        .map(|i| format!("{run_id}-{i}"))
        .collect();
    let (sent_at, mut send_latencies, sending_took) =
        send_all(server, sender, &chat, ids, args.concurrency, None).await?;

    // The offline device comes back: sync from its last seq until nothing is left.
    let caught_up = Instant::now();
    let (mut next, mut requests, mut bytes) = (since, 0, 0);
    let (mut seen, mut duplicates, mut out_of_order, mut last_seq) = (HashSet::new(), 0, 0, 0);
    loop {
        let res = server
            .http
            .get(format!(
                "{}/api/v1/sync?since={next}&limit=5000",
                server.url
            ))
            .bearer_auth(&offline.token)
            .send()
            .await?;
        let body = res.bytes().await?;
        requests += 1;
        bytes += body.len();
        let page: crate::client::SyncPage = serde_json::from_slice(&body)?;
        for e in &page.events {
            if e.kind != "message.new" {
                continue;
            }
            let message: crate::client::PushedMessage = serde_json::from_str(e.data.get())?;
            out_of_order += usize::from(message.seq <= last_seq);
            last_seq = last_seq.max(message.seq);
            duplicates += usize::from(!seen.insert(message.client_msg_id.to_string()));
        }
        next = page.next_since;
        if !page.has_more {
            break;
        }
    }
    let catch_up = caught_up.elapsed();
    let missing = sent_at.keys().filter(|id| !seen.contains(*id)).count();
    Ok(json!({
        "scenario": "w3",
        "messages": sent_at.len(),
        "accepted_per_s": (sent_at.len() as f64 / sending_took.as_secs_f64().max(1e-9)).round(),
        "send_p99_ms": crate::report::percentile_ms(&mut send_latencies, 0.99),
        "catch_up_ms": catch_up.as_secs_f64() * 1000.0,
        "requests": requests,
        "bytes": bytes,
        "delivery_p50_ms": 0, "delivery_p99_ms": 0, "deliveries_per_s": 0,
        "missing": missing,
        "duplicates": duplicates,
        "out_of_order": out_of_order,
        "server_rss_mb": server_rss_mb(args.server_pid).round(),
    }))
}

async fn conns(args: &Args, server: &Server, admin: &str) -> Result<Value> {
    let people = members(server, admin, vec!["bench-conns".into()]).await?;
    let m = &people[0];
    let since = server.latest_seq(m).await?;
    let before = server_rss_mb(args.server_pid);
    let opened = Instant::now();
    let mut held = Vec::with_capacity(args.connections);
    let mut failed = 0;
    let results = stream::iter(0..args.connections)
        .map(|_| listen(server, m, since))
        .buffer_unordered(256)
        .collect::<Vec<_>>()
        .await;
    for r in results {
        match r {
            Ok(inbox) => held.push(inbox),
            Err(_) => failed += 1,
        }
    }
    let open_ms = opened.elapsed().as_secs_f64() * 1000.0;
    tokio::time::sleep(Duration::from_secs(args.hold)).await;
    let after = server_rss_mb(args.server_pid);
    Ok(json!({
        "scenario": "conns",
        "connections": held.len(),
        "failed": failed,
        "open_ms": open_ms.round(),
        "messages": 0, "accepted_per_s": 0, "send_p99_ms": 0, "delivery_p50_ms": 0,
        "delivery_p99_ms": 0, "deliveries_per_s": 0, "missing": 0, "duplicates": 0, "out_of_order": 0,
        "server_rss_mb": after.round(),
        "server_rss_before_mb": before.round(),
        "kib_per_connection": ((after - before) * 1024.0 / held.len().max(1) as f64).round(),
    }))
}

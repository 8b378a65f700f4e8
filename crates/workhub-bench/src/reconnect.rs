//! `reconnect`: what read fan-out costs a device. A member of `--groups` large groups (run the
//! server with `[messaging] large_group_members = 1`, so that groups of two are large) opens its
//! WebSocket naming its position in every group: once when it is current everywhere (the time
//! until a message sent right after the handshake arrives, over 20 rounds), and once after one
//! message arrived in each group while it was away (the time until all have).

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use futures::stream::{self, StreamExt, TryStreamExt};
use reqwest::Method;
use serde_json::{Value, json};

use crate::Args;
use crate::client::{Inbox, Member, Server, listen_with};
use crate::report::{percentile_ms, server_rss_mb};
use crate::scenarios::{members, open, run_id};

const ROUNDS: usize = 20;
const WAIT: Duration = Duration::from_secs(30);

pub async fn reconnect(args: &Args, server: &Server, admin: &str) -> Result<Value> {
    let people = members(server, admin, vec!["bench-reconnect".into()]).await?;
    let m = &people[0];
    let owner = Member {
        userid: args.admin_userid.clone(),
        token: admin.to_string(),
    };
    let groups: Vec<String> = stream::iter(0..args.groups)
        .map(|i| {
            let body =
                json!({ "kind": "group", "name": format!("bench {i}"), "members": [m.userid] });
            open(server, &owner, body)
        })
        .buffered(8)
        .try_collect()
        .await?;
    let run_id = run_id();
    let (mut current, mut sent) = (Vec::with_capacity(ROUNDS), 0);
    for round in 0..ROUNDS {
        let query = positions(server, m, groups.len()).await?;
        let opened = Instant::now();
        let (inbox, socket) = listen_with(server, m, &query).await?;
        let id = format!("{run_id}-live-{round}");
        server
            .send(&owner, &groups[round % groups.len()], &id)
            .await?;
        sent += 1;
        arrived(&inbox, std::slice::from_ref(&id)).await?;
        current.push(opened.elapsed());
        socket.abort();
    }
    // Away while every group gets a message; back from the positions held before.
    let query = positions(server, m, groups.len()).await?;
    let missed: Vec<String> = (0..groups.len())
        .map(|i| format!("{run_id}-missed-{i}"))
        .collect();
    stream::iter(groups.iter().zip(&missed))
        .map(|(group, id)| server.send(&owner, group, id))
        .buffer_unordered(8)
        .try_collect::<Vec<_>>()
        .await?;
    sent += missed.len();
    let opened = Instant::now();
    let (inbox, socket) = listen_with(server, m, &query).await?;
    arrived(&inbox, &missed).await?;
    let catch_up = opened.elapsed();
    socket.abort();
    let (duplicates, out_of_order) = inbox
        .lock()
        .map(|i| (i.duplicates, i.out_of_order))
        .unwrap_or_default();
    Ok(json!({
        "scenario": "reconnect",
        "groups": groups.len(),
        "messages": sent,
        "reconnect_p50_ms": percentile_ms(&mut current, 0.5),
        "reconnect_p99_ms": percentile_ms(&mut current, 0.99),
        "catch_up_ms": catch_up.as_secs_f64() * 1000.0,
        "accepted_per_s": 0, "send_p99_ms": 0, "delivery_p50_ms": 0, "delivery_p99_ms": 0,
        "deliveries_per_s": 0,
        "missing": 0,
        "duplicates": duplicates,
        "out_of_order": out_of_order,
        "server_rss_mb": server_rss_mb(args.server_pid).round(),
    }))
}

/// The `/ws` query naming the member's seq and every large group's position.
async fn positions(server: &Server, m: &Member, groups: usize) -> Result<String> {
    let latest = server
        .call(Method::GET, "/api/v1/sync/latest", &m.token, None)
        .await?;
    let seq = latest["seq"].as_i64().context("latest seq")?;
    let named = latest["conversations"]
        .as_object()
        .context("latest conversations")?;
    if named.len() < groups {
        bail!("the groups are not large: run the server with [messaging] large_group_members = 1");
    }
    let pairs: Vec<String> = named
        .iter()
        .map(|(id, pos)| format!("{id}:{pos}"))
        .collect();
    Ok(format!("since={seq}&conversations={}", pairs.join(",")))
}

/// Waits until every one of `ids` is in the inbox (all of them, or an error after `WAIT`).
async fn arrived(inbox: &Arc<Mutex<Inbox>>, ids: &[String]) -> Result<()> {
    let deadline = Instant::now() + WAIT;
    loop {
        let all = inbox
            .lock()
            .is_ok_and(|i| ids.iter().all(|id| i.arrivals.contains_key(id)));
        if all {
            return Ok(());
        }
        if Instant::now() > deadline {
            bail!("messages missing after {WAIT:?}");
        }
        tokio::time::sleep(Duration::from_micros(200)).await;
    }
}

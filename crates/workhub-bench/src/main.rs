//! `workhub-bench`: drives a running Workhub server over its real HTTP and WebSocket API and
//! prints one JSON object as its last line. Scenarios:
//! - `w1`: one sender and a group of `--members`, closed-loop (`--concurrency` requests in
//!   flight) or open-loop at `--rate` messages/s;
//! - `w2`: `--pairs` direct conversations sending at once;
//! - `w3`: one member offline while `--messages` arrive, then catching up by sync;
//! - `conns`: `--connections` idle WebSockets held, reporting the server's memory;
//! - `reconnect`: a member of `--groups` large groups reconnects, current and behind;
//! - `search`: `--messages` generated messages in `--groups` groups, then `--searches` searches.

mod client;
mod reconnect;
mod report;
mod scenarios;
mod search;

use anyhow::Result;
use clap::Parser;

#[derive(Parser, Debug, Clone)]
#[command(
    name = "workhub-bench",
    about = "Load benchmark for a running Workhub server"
)]
pub struct Args {
    /// The server, e.g. http://127.0.0.1:8080
    #[arg(long)]
    pub url: String,
    #[arg(long)]
    pub corpid: String,
    /// The contacts secret (kept for the contract; members are made through the admin session).
    #[arg(long)]
    pub secret: String,
    #[arg(long)]
    pub admin_userid: String,
    #[arg(long)]
    pub admin_password: String,
    /// w1, w2, w3, conns, reconnect or search
    #[arg(long)]
    pub scenario: String,
    /// Group size for w1 (the sender included).
    #[arg(long, default_value_t = 3)]
    pub members: usize,
    #[arg(long, default_value_t = 5000)]
    pub messages: usize,
    /// Open-loop send rate (messages/s) for w1; closed-loop when absent.
    #[arg(long)]
    pub rate: Option<u64>,
    /// Requests in flight in closed-loop mode.
    #[arg(long, default_value_t = 64)]
    pub concurrency: usize,
    #[arg(long, default_value_t = 500)]
    pub pairs: usize,
    #[arg(long, default_value_t = 10_000)]
    pub connections: usize,
    /// Large groups the member of `reconnect` is in; groups the messages of `search` go to.
    #[arg(long, default_value_t = 100)]
    pub groups: usize,
    /// Searches `search` times, one after another.
    #[arg(long, default_value_t = 1000)]
    pub searches: usize,
    /// Seconds to hold the idle connections before measuring.
    #[arg(long, default_value_t = 5)]
    pub hold: u64,
    /// w1: the receivers' WebSockets connect to this node of the cluster instead (the sender
    /// stays on `--url`), so every delivery crosses the bus between nodes.
    #[arg(long)]
    pub listen_url: Option<String>,
    /// The server's process id, for its memory (found by name `workhub` when absent).
    #[arg(long)]
    pub server_pid: Option<u32>,
}

#[tokio::main]
async fn main() -> Result<()> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let args = Args::parse();
    let probe = machine_probe_ms();
    let mut result = scenarios::run(&args).await?;
    if let Some(fields) = result.as_object_mut() {
        fields.insert("machine_probe_ms".into(), probe.round().into());
    }
    println!("{result}");
    Ok(())
}

/// The machine's speed as the run starts: milliseconds for a fixed single-threaded loop. A
/// virtual machine of this kind runs the same code markedly slower in some minutes than in
/// others, so runs compare only alongside this figure (BENCHMARKS.md).
fn machine_probe_ms() -> f64 {
    let started = std::time::Instant::now();
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    for _ in 0..100_000_000u64 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x = std::hint::black_box(x);
    }
    started.elapsed().as_secs_f64() * 1000.0
}

//! Message search latency over 1,000,000 messages (issue: p99 < 50 ms).
//!
//!     cargo bench -p workhub-search --bench message_search
//!     # fewer: WORKHUB_BENCH_MESSAGES=100000 cargo bench -p workhub-search --bench message_search
//!
//! Indexes generated Chinese and English messages of one company into an on-disk index
//! (5,000 conversations), then times 1,000 searches of one or two words, each limited to the
//! 200 conversations a searcher belongs to and asking for the 80 newest matches, as the server
//! does; then 1,000 more limited to one day in ten of the history (the time filter).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use workhub_search::sample::SampleText;
use workhub_search::{IndexedMessage, MessageIndex, MessageQuery};

const SEARCHES: usize = 1000;

fn main() {
    let total: usize = std::env::var("WORKHUB_BENCH_MESSAGES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let dir = tempfile::tempdir().unwrap();
    let index = MessageIndex::open(dir.path()).unwrap();
    let mut sample = SampleText::new(0);
    let started = Instant::now();
    let mut batch = Vec::with_capacity(50_000);
    for i in 0..total {
        batch.push(IndexedMessage {
            id: format!("m{i}"),
            corp_id: "corp".into(),
            conversation_id: format!("c{}", sample.number() % 5000),
            sender: format!("u{}", sample.number() % 2000),
            text: sample.message(),
            created_at: i as i64,
            has_file: sample.number().is_multiple_of(20),
        });
        if batch.len() == batch.capacity() {
            index.upsert(&batch).unwrap();
            batch.clear();
        }
    }
    index.upsert(&batch).unwrap();
    let indexing = started.elapsed();
    println!(
        "message search: {total} messages indexed in {:.1} s ({:.0}/s)",
        indexing.as_secs_f64(),
        total as f64 / indexing.as_secs_f64()
    );
    for window in [None, Some(total as i64 / 10)] {
        let mut times: Vec<Duration> = Vec::with_capacity(SEARCHES);
        let mut found = 0;
        for _ in 0..SEARCHES {
            let first = sample.number() % 4800;
            let from = window.map(|w| (sample.number() as i64).rem_euclid(total as i64 - w + 1));
            let query = MessageQuery {
                corp_id: "corp".into(),
                text: sample.query(),
                conversations: (first..first + 200).map(|c| format!("c{c}")).collect(),
                from,
                to: from.zip(window).map(|(f, w)| f + w),
                limit: 80,
                ..MessageQuery::default()
            };
            let t = Instant::now();
            found += index.search(&query).unwrap().len();
            times.push(t.elapsed());
        }
        times.sort();
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        println!(
            "{SEARCHES} searches{}, {found} hits: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
            if window.is_some() {
                " within a tenth of the history"
            } else {
                ""
            },
            ms(times[SEARCHES / 2]),
            ms(times[SEARCHES * 99 / 100]),
            ms(times[SEARCHES - 1])
        );
    }
}

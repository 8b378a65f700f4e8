//! Message search latency over 1,000,000 messages (issue: p99 < 50 ms).
//!
//!     cargo bench -p workhub-search --bench message_search
//!     # fewer: WORKHUB_BENCH_MESSAGES=100000 cargo bench -p workhub-search --bench message_search
//!
//! Indexes generated Chinese and English messages of one company into an on-disk index
//! (5,000 conversations), then times 1,000 searches of one or two words, each limited to the
//! 200 conversations a searcher belongs to, as the server asks.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use workhub_search::{IndexedMessage, MessageIndex, MessageQuery};

const WORDS: &[&str] = &[
    "预算",
    "会议",
    "项目",
    "客户",
    "合同",
    "发布",
    "测试",
    "上线",
    "报销",
    "审批",
    "季度",
    "目标",
    "设计",
    "评审",
    "需求",
    "接口",
    "数据库",
    "服务器",
    "部署",
    "故障",
    "周报",
    "培训",
    "招聘",
    "采购",
    "发票",
    "deadline",
    "budget",
    "release",
    "review",
    "meeting",
    "server",
    "deploy",
];
const FILLER: &[&str] = &[
    "我们", "明天", "下午", "讨论", "一下", "这个", "问题", "已经", "完成", "请", "大家", "确认",
    "今天", "需要", "安排", "好的", "收到", "谢谢", "please", "check", "the", "for", "team",
];

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 as usize
    }
    fn pick<'a>(&mut self, list: &[&'a str]) -> &'a str {
        list[self.next() % list.len()]
    }
}

fn main() {
    let total: usize = std::env::var("WORKHUB_BENCH_MESSAGES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let dir = tempfile::tempdir().unwrap();
    let index = MessageIndex::open(dir.path()).unwrap();
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let started = Instant::now();
    let mut batch = Vec::with_capacity(50_000);
    for i in 0..total {
        let words = 4 + rng.next() % 12;
        let text: Vec<&str> = (0..words)
            .map(|w| {
                if w % 3 == 0 {
                    rng.pick(WORDS)
                } else {
                    rng.pick(FILLER)
                }
            })
            .collect();
        batch.push(IndexedMessage {
            id: format!("m{i}"),
            corp_id: "corp".into(),
            conversation_id: format!("c{}", rng.next() % 5000),
            sender: format!("u{}", rng.next() % 2000),
            text: text.join(""),
            created_at: i as i64,
        });
        if batch.len() == batch.capacity() {
            index.upsert(&batch).unwrap();
            batch.clear();
        }
    }
    index.upsert(&batch).unwrap();
    let indexing = started.elapsed();

    let mut times: Vec<Duration> = Vec::with_capacity(1000);
    let mut found = 0;
    for _ in 0..1000 {
        let first = rng.next() % 4800;
        let conversations = (first..first + 200).map(|c| format!("c{c}")).collect();
        let text = if rng.next().is_multiple_of(2) {
            rng.pick(WORDS).to_string()
        } else {
            format!("{} {}", rng.pick(WORDS), rng.pick(WORDS))
        };
        let query = MessageQuery {
            corp_id: "corp".into(),
            text,
            conversations,
            sender: None,
            limit: 80,
        };
        let t = Instant::now();
        found += index.search(&query).unwrap().len();
        times.push(t.elapsed());
    }
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "message search: {total} messages indexed in {:.1} s ({:.0}/s); 1,000 searches, {found} hits: \
         p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        indexing.as_secs_f64(),
        total as f64 / indexing.as_secs_f64(),
        ms(times[500]),
        ms(times[990]),
        ms(times[999])
    );
}

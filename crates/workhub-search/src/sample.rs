//! Generated chat text for benchmarks (the index's own, `benches/message_search.rs`, and
//! `workhub-bench --scenario search` against a running server): office words people search for,
//! in Chinese and English, among filler words. Deterministic for a seed, so runs compare.

/// Words people search for; every third word of a message is one of them.
pub const WORDS: &[&str] = &[
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
pub const FILLER: &[&str] = &[
    "我们", "明天", "下午", "讨论", "一下", "这个", "问题", "已经", "完成", "请", "大家", "确认",
    "今天", "需要", "安排", "好的", "收到", "谢谢", "please", "check", "the", "for", "team",
];

/// A small, fast pseudo-random sequence (xorshift): benchmarks need repeatable data, not
/// good randomness.
pub struct SampleText(u64);

impl SampleText {
    /// A sequence for `seed` (0 is replaced: xorshift would stay at 0).
    pub fn new(seed: u64) -> SampleText {
        SampleText(if seed == 0 {
            0x2545_f491_4f6c_dd1d
        } else {
            seed
        })
    }

    pub fn number(&mut self) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 as usize
    }

    pub fn pick<'a>(&mut self, list: &[&'a str]) -> &'a str {
        list[self.number() % list.len()]
    }

    /// A message of 4 to 15 words, every third a searched one.
    pub fn message(&mut self) -> String {
        let words = 4 + self.number() % 12;
        (0..words)
            .map(|w| {
                if w % 3 == 0 {
                    self.pick(WORDS)
                } else {
                    self.pick(FILLER)
                }
            })
            .collect()
    }

    /// What a person types into search: one searched word, or two.
    pub fn query(&mut self) -> String {
        if self.number().is_multiple_of(2) {
            self.pick(WORDS).to_string()
        } else {
            format!("{} {}", self.pick(WORDS), self.pick(WORDS))
        }
    }
}

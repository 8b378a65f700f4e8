//! Sensitive-word screening cost per message with a 10,000-word list (issue: < 50 µs).
//!
//!     cargo bench -p workhub-domain --bench sensitive_words
//!
//! Builds a list of 10,000 generated Chinese and English words, then times folding and matching
//! 20,000 messages of 40 to 200 characters (a tenth of them containing a listed word, some with
//! separators inserted).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use workhub_domain::messaging::sensitive::{Action, Matcher, mask};

const WORDS: usize = 10_000;
const MESSAGES: usize = 20_000;
const HANZI: &str = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精值号率族维划选标写存候毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁价严";

/// A small deterministic generator, so runs compare.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 as usize
    }
    fn pick(&mut self, chars: &[char]) -> char {
        chars[self.next() % chars.len()]
    }
}

fn main() {
    let chars: Vec<char> = HANZI.chars().collect();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut words = Vec::with_capacity(WORDS);
    for i in 0..WORDS {
        let word: String = if i % 5 == 0 {
            format!("spam{i}")
        } else {
            (0..2 + rng.next() % 3).map(|_| rng.pick(&chars)).collect()
        };
        let action = [Action::Block, Action::Mask, Action::Warn][i % 3];
        words.push((word, action));
    }
    let built = Instant::now();
    let matcher = Matcher::new(&words);
    let build_ms = built.elapsed().as_secs_f64() * 1000.0;

    let messages: Vec<String> = (0..MESSAGES)
        .map(|i| {
            let len = 40 + rng.next() % 160;
            let mut text: String = (0..len).map(|_| rng.pick(&chars)).collect();
            if i % 10 == 0 {
                let (w, _) = &words[rng.next() % WORDS];
                let spaced: String = w.chars().flat_map(|c| [c, ' ']).collect();
                text.push_str(&spaced);
            }
            text
        })
        .collect();
    let mut times: Vec<Duration> = Vec::with_capacity(MESSAGES);
    let mut hits = 0;
    for text in &messages {
        let t = Instant::now();
        let found = matcher.find(text);
        let out = if found.is_empty() {
            text.clone()
        } else {
            mask(text, &found)
        };
        times.push(t.elapsed());
        hits += found.len();
        std::hint::black_box(out);
    }
    times.sort();
    let mean = times.iter().sum::<Duration>() / MESSAGES as u32;
    let p99 = times[MESSAGES * 99 / 100];
    println!(
        "sensitive words: {WORDS} words (built in {build_ms:.1} ms), {MESSAGES} messages, {hits} hits: \
         mean {:.1} µs, p99 {:.1} µs per message",
        mean.as_secs_f64() * 1e6,
        p99.as_secs_f64() * 1e6
    );
}

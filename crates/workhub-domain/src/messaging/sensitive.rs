//! Sensitive-word interception. Text is folded before matching so common evasions still hit:
//! full-width letters and digits become half-width, case is ignored, frequent traditional
//! characters become simplified, and spaces, punctuation and symbols inserted between
//! characters are skipped. One Aho-Corasick automaton per company finds every word in one pass.

use std::collections::HashMap;
use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, MatchKind};

/// What happens to a message containing a word. The strictest hit decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Action {
    Warn,
    Mask,
    Block,
}

impl Action {
    pub fn parse(s: &str) -> Option<Action> {
        match s.trim() {
            "warn" => Some(Action::Warn),
            "mask" => Some(Action::Mask),
            "block" => Some(Action::Block),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Action::Warn => "warn",
            Action::Mask => "mask",
            Action::Block => "block",
        }
    }
}

/// Traditional characters common in evasions, and their simplified forms.
const TRADITIONAL: &str = "發发賭赌幣币錢钱買买賣卖貸贷槍枪殺杀黨党國国軍军藥药讓让這这個个們们說说話话\
    與与為为會会來来時时對对開开關关點点號号碼码網网絡络機机電电視视聽听見见貝贝員员問问題题\
    學学習习東东車车長长門门馬马鳥鸟魚鱼麼么麗丽體体臺台灣湾團团圓圆條条園园傳传價价賬账銀银\
    轉转帳账紅红變变頭头實实現现議议證证書书業业務务區区華华僑侨義义無无陸陆廣广場场們们";

fn simplified(c: char) -> char {
    static TABLE: OnceLock<HashMap<char, char>> = OnceLock::new();
    let table = TABLE.get_or_init(|| {
        let chars: Vec<char> = TRADITIONAL.chars().filter(|c| !c.is_whitespace()).collect();
        chars
            .chunks(2)
            .filter_map(|p| Some((p[0], *p.get(1)?)))
            .collect()
    });
    table.get(&c).copied().unwrap_or(c)
}

/// A character after folding, or None if it is a separator to skip.
fn fold(c: char) -> Option<char> {
    let c = match c {
        // Full-width ASCII (！ to ～) and the ideographic space.
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    };
    if !c.is_alphanumeric() {
        return None;
    }
    let c = c.to_lowercase().next().unwrap_or(c);
    Some(if c.is_ascii() { c } else { simplified(c) })
}

/// A word folded the same way as text, so both meet in the middle.
pub fn fold_word(word: &str) -> String {
    word.chars().filter_map(fold).collect()
}

/// One hit: the word, its action, and the byte range it covers in the original text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub word: String,
    pub action: Action,
    pub start: usize,
    pub end: usize,
}

/// A company's compiled word list.
pub struct Matcher {
    automaton: Option<AhoCorasick>,
    words: Vec<(String, Action)>,
}

impl Matcher {
    /// Builds from (word, action) pairs; words that fold to nothing are ignored.
    pub fn new(list: &[(String, Action)]) -> Matcher {
        let words: Vec<(String, Action)> = list
            .iter()
            .map(|(w, a)| (fold_word(w), *a))
            .filter(|(w, _)| !w.is_empty())
            .collect();
        let automaton = if words.is_empty() {
            None
        } else {
            AhoCorasick::builder()
                .match_kind(MatchKind::LeftmostLongest)
                .build(words.iter().map(|(w, _)| w.as_str()))
                .ok()
        };
        Matcher { automaton, words }
    }

    pub fn is_empty(&self) -> bool {
        self.automaton.is_none()
    }

    /// Every hit in `text`, in order.
    pub fn find(&self, text: &str) -> Vec<Hit> {
        let Some(automaton) = &self.automaton else {
            return vec![];
        };
        // The folded text, and for each of its bytes the original byte range of its char.
        let mut folded = String::with_capacity(text.len());
        let mut origin: Vec<(usize, usize)> = Vec::with_capacity(text.len());
        for (at, c) in text.char_indices() {
            if let Some(f) = fold(c) {
                let span = (at, at + c.len_utf8());
                for _ in 0..f.len_utf8() {
                    origin.push(span);
                }
                folded.push(f);
            }
        }
        automaton
            .find_iter(&folded)
            .filter_map(|m| {
                let (word, action) = self.words.get(m.pattern().as_usize())?;
                let start = origin.get(m.start())?.0;
                let end = origin.get(m.end().checked_sub(1)?)?.1;
                Some(Hit {
                    word: word.clone(),
                    action: *action,
                    start,
                    end,
                })
            })
            .collect()
    }
}

/// `text` with every character of the hits (separators inside them included) replaced by `*`.
pub fn mask(text: &str, hits: &[Hit]) -> String {
    text.char_indices()
        .map(|(at, c)| {
            if hits.iter().any(|h| at >= h.start && at < h.end) {
                '*'
            } else {
                c
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matcher() -> Matcher {
        Matcher::new(&[
            ("赌博".to_string(), Action::Block),
            ("发票".to_string(), Action::Mask),
            ("VPN".to_string(), Action::Warn),
        ])
    }

    #[test]
    fn evasions_still_hit() {
        let m = matcher();
        for text in ["来赌博", "来 赌 博", "来賭博", "来赌-博!", "来賭　博"] {
            let hits = m.find(text);
            assert_eq!(hits.len(), 1, "{text}");
            assert_eq!(hits[0].action, Action::Block, "{text}");
        }
        assert_eq!(
            m.find("翻墙用ｖｐｎ")[0].action,
            Action::Warn,
            "full width, any case"
        );
        assert!(m.find("正常的工作消息").is_empty());
    }

    #[test]
    fn masking_covers_exactly_the_hit() {
        let m = matcher();
        let text = "代开 發.票 联系我";
        let hits = m.find(text);
        assert_eq!(mask(text, &hits), "代开 *** 联系我");
    }
}

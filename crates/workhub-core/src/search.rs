//! Search keys for people: what a name can be typed as. "zhangsan", "zs" and "张三" all find
//! 张三; surnames with several readings (曾 zeng/ceng, 单 shan/dan) are found by each.

use pinyin::ToPinyinMulti;

/// Separates keys inside one stored string, so a match never spans two of them.
pub const SEPARATOR: char = '\n';
/// Readings combined at most per name (names with many 多音字 would explode otherwise).
const MAX_READINGS: usize = 8;

/// Full pinyin spellings and their initials, e.g. 张三 → (["zhangsan"], ["zs"]).
pub fn pinyin(name: &str) -> (Vec<String>, Vec<String>) {
    let mut full = vec![String::new()];
    let mut initials = vec![String::new()];
    for (c, readings) in name.chars().zip(name.to_pinyin_multi()) {
        let options: Vec<&str> = match readings {
            Some(multi) => multi.into_iter().map(|p| p.plain()).collect(),
            None if c.is_alphanumeric() => {
                let lower = c.to_lowercase().to_string();
                full.iter_mut().for_each(|f| f.push_str(&lower));
                initials.iter_mut().for_each(|f| f.push_str(&lower));
                continue;
            }
            None => continue,
        };
        let (mut next_full, mut next_initials) = (Vec::new(), Vec::new());
        for (f, i) in full.iter().zip(&initials) {
            for o in &options {
                if next_full.len() < MAX_READINGS && !next_full.contains(&format!("{f}{o}")) {
                    next_full.push(format!("{f}{o}"));
                    next_initials.push(format!("{i}{}", o.chars().next().unwrap_or_default()));
                }
            }
        }
        (full, initials) = (next_full, next_initials);
    }
    initials.dedup();
    (full, initials)
}

/// Every way to find a member, lower-cased, one per line.
pub fn member_keys(
    userid: &str,
    name: &str,
    alias: Option<&str>,
    mobile: Option<&str>,
    email: Option<&str>,
) -> String {
    let mut keys: Vec<String> = vec![userid.to_lowercase(), name.to_lowercase()];
    for text in [Some(name), alias].into_iter().flatten() {
        let (full, initials) = pinyin(text);
        keys.extend(full);
        keys.extend(initials);
    }
    keys.extend(alias.map(str::to_lowercase));
    keys.extend(mobile.map(str::to_string));
    keys.extend(email.map(str::to_lowercase));
    keys.retain(|k| !k.is_empty());
    keys.dedup();
    keys.join(&SEPARATOR.to_string())
}

/// A query as stored keys are written: lower case, no spaces.
pub fn normalize_query(q: &str) -> String {
    q.chars()
        .filter(|c| !c.is_whitespace() && *c != SEPARATOR)
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_by_pinyin_and_initials() {
        assert_eq!(
            pinyin("张三"),
            (vec!["zhangsan".to_string()], vec!["zs".to_string()])
        );
        let (full, _) = pinyin("曾小明");
        assert!(
            full.contains(&"zengxiaoming".to_string())
                && full.contains(&"cengxiaoming".to_string()),
            "{full:?}"
        );
        assert_eq!(pinyin("Anna李").0, vec!["annali".to_string()]);
        let keys = member_keys(
            "ZhangSan",
            "张三",
            Some("Sam"),
            Some("13800138000"),
            Some("Z@Acme.cn"),
        );
        for wanted in ["zhangsan", "张三", "zs", "sam", "13800138000", "z@acme.cn"] {
            assert!(
                keys.split(SEPARATOR).any(|k| k == wanted),
                "{wanted} in {keys:?}"
            );
        }
        assert_eq!(normalize_query(" Zhang San "), "zhangsan");
    }
}

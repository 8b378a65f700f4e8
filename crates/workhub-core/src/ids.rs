//! Identifiers, parsed at the edge so the rest of the code can trust them.

use crate::{Code, Error};
use serde::{Deserialize, Serialize};

/// A company. WeCom corpids look like `ww` followed by 16 hex characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CorpId(String);

impl CorpId {
    pub fn generate() -> Self {
        CorpId(format!("ww{}", crate::secret::random_hex(8)))
    }
    pub fn parse(s: &str) -> Result<Self, Error> {
        let ok =
            s.len() == 18 && s.starts_with("ww") && s[2..].chars().all(|c| c.is_ascii_hexdigit());
        if ok {
            Ok(CorpId(s.to_ascii_lowercase()))
        } else {
            Err(Error::new(Code::InvalidCorpId))
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// For values read back from our own database.
    pub fn from_trusted(s: String) -> Self {
        CorpId(s)
    }
}

impl std::fmt::Display for CorpId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A member's account name inside one company (WeCom `userid`): 1 to 64 characters of
/// letters, digits and `_ - . @`. Case-insensitive in WeCom, so it is stored lower-cased.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct UserId(String);

impl UserId {
    pub fn parse(s: &str) -> Result<Self, Error> {
        let s = s.trim();
        let ok = (1..=64).contains(&s.len())
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "_-.@".contains(c));
        if ok {
            Ok(UserId(s.to_ascii_lowercase()))
        } else {
            Err(Error::with(Code::InvalidUserId, s.to_string()))
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    pub fn from_trusted(s: String) -> Self {
        UserId(s)
    }
}

impl std::fmt::Display for UserId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A position in one user's event stream. Starts at 1; 0 means "nothing yet".
pub type Seq = i64;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn corp_ids() {
        let id = CorpId::generate();
        assert_eq!(CorpId::parse(id.as_str()), Ok(id));
        assert!(CorpId::parse("ww123").is_err());
        assert!(CorpId::parse("xx0123456789abcdef").is_err());
    }

    #[test]
    fn user_ids() {
        assert_eq!(
            UserId::parse(" ZhangSan ").map(|u| u.0),
            Ok("zhangsan".to_string())
        );
        assert!(UserId::parse("").is_err());
        assert!(UserId::parse("张三").is_err());
        assert!(UserId::parse(&"a".repeat(65)).is_err());
    }
}

//! Editions and the limits they set. Limits refuse new data; they never hide existing data.

use serde::{Deserialize, Serialize};

/// Members a company may have before the operator verifies it.
pub const UNVERIFIED_MEMBER_LIMIT: i64 = 50;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Edition {
    #[default]
    Standard,
    Professional,
}

impl Edition {
    pub fn parse(s: &str) -> Option<Edition> {
        match s {
            "standard" => Some(Edition::Standard),
            "professional" => Some(Edition::Professional),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Edition::Standard => "standard",
            Edition::Professional => "professional",
        }
    }
    /// Most members the company may have; None means unlimited.
    pub fn member_limit(self, verified: bool) -> Option<i64> {
        match (verified, self) {
            (false, _) => Some(UNVERIFIED_MEMBER_LIMIT),
            (true, Edition::Standard) => Some(1000),
            (true, Edition::Professional) => None,
        }
    }
    /// How many levels of departments may hang below the root department (the company).
    pub fn max_department_depth(self) -> u32 {
        match self {
            Edition::Standard => 3,
            Edition::Professional => 10,
        }
    }
}

//! The security policy each company sets: twelve parameters, each enforced somewhere in
//! `accounts`. Pure code; the defaults are what a new company gets.

use std::net::IpAddr;

use ipnet::IpNet;
use serde::{Deserialize, Serialize};
use workhub_core::{Code, Error};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CharClass {
    Lower,
    Upper,
    Digit,
    Symbol,
}

impl CharClass {
    fn matches(self, c: char) -> bool {
        match self {
            CharClass::Lower => c.is_lowercase(),
            CharClass::Upper => c.is_uppercase(),
            CharClass::Digit => c.is_ascii_digit(),
            CharClass::Symbol => !c.is_alphanumeric() && !c.is_whitespace(),
        }
    }
    fn name(self) -> &'static str {
        match self {
            CharClass::Lower => "lower",
            CharClass::Upper => "upper",
            CharClass::Digit => "digit",
            CharClass::Symbol => "symbol",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Platform {
    Web,
    Desktop,
    Mobile,
}

impl Platform {
    pub fn parse(s: &str) -> Option<Platform> {
        match s {
            "web" => Some(Platform::Web),
            "desktop" => Some(Platform::Desktop),
            "mobile" => Some(Platform::Mobile),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Platform::Web => "web",
            Platform::Desktop => "desktop",
            Platform::Mobile => "mobile",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SecurityPolicy {
    pub min_password_length: u32,
    pub required_char_classes: Vec<CharClass>,
    /// 0: passwords never expire.
    pub password_expiry_days: u32,
    /// How many earlier passwords may not be reused; 0 allows any.
    pub password_history: u32,
    /// Failed sign-ins before the account locks; 0 never locks.
    pub lockout_threshold: u32,
    pub lockout_minutes: u32,
    pub session_idle_minutes: u32,
    pub session_max_hours: u32,
    /// 0: unlimited.
    pub max_devices: u32,
    pub allowed_platforms: Vec<Platform>,
    /// CIDR ranges sign-ins and requests may come from; empty allows any address.
    pub ip_allowlist: Vec<String>,
    pub new_device_approval: bool,
    /// Largest file a member may upload from the web or desktop client, in MiB.
    pub max_upload_mb_desktop: u32,
    /// Largest file a member may upload from a phone, in MiB.
    pub max_upload_mb_mobile: u32,
}

impl Default for SecurityPolicy {
    fn default() -> Self {
        SecurityPolicy {
            min_password_length: 8,
            required_char_classes: vec![],
            password_expiry_days: 0,
            password_history: 0,
            lockout_threshold: 5,
            lockout_minutes: 15,
            session_idle_minutes: 7 * 24 * 60,
            session_max_hours: 30 * 24,
            max_devices: 0,
            allowed_platforms: vec![Platform::Web, Platform::Desktop, Platform::Mobile],
            ip_allowlist: vec![],
            new_device_approval: false,
            max_upload_mb_desktop: 3072,
            max_upload_mb_mobile: 1024,
        }
    }
}

const MINUTE_MS: i64 = 60_000;

impl SecurityPolicy {
    /// Checks the policy is coherent before it is saved.
    pub fn validate(&self) -> Result<(), Error> {
        let bad = |what: &str| Err(Error::with(Code::InvalidRequest, what.to_string()));
        if !(6..=128).contains(&self.min_password_length) {
            return bad("min_password_length: 6..128");
        }
        if self.password_expiry_days > 3650 || self.password_history > 24 {
            return bad("password_expiry_days ≤ 3650, password_history ≤ 24");
        }
        if self.lockout_threshold > 100 || !(1..=1440 * 30).contains(&self.lockout_minutes) {
            return bad("lockout_threshold ≤ 100, lockout_minutes: 1..43200");
        }
        if !(1..=525_600).contains(&self.session_idle_minutes)
            || !(1..=8760).contains(&self.session_max_hours)
        {
            return bad("session_idle_minutes: 1..525600, session_max_hours: 1..8760");
        }
        if self.max_devices > 100 {
            return bad("max_devices ≤ 100");
        }
        let uploads = 1..=3072;
        if !uploads.contains(&self.max_upload_mb_desktop)
            || !uploads.contains(&self.max_upload_mb_mobile)
        {
            return bad("max_upload_mb_desktop, max_upload_mb_mobile: 1..3072");
        }
        if self.allowed_platforms.is_empty() {
            return bad("allowed_platforms: at least one");
        }
        for cidr in &self.ip_allowlist {
            parse_net(cidr).ok_or_else(|| {
                Error::with(Code::InvalidRequest, format!("ip_allowlist: {cidr}"))
            })?;
        }
        Ok(())
    }

    /// Whether a password meets the length and character-class rules.
    pub fn check_password(&self, password: &str) -> Result<(), Error> {
        let length = u32::try_from(password.chars().count()).unwrap_or(u32::MAX);
        let missing: Vec<&str> = self
            .required_char_classes
            .iter()
            .filter(|class| !password.chars().any(|c| class.matches(c)))
            .map(|class| class.name())
            .collect();
        if length < self.min_password_length || !missing.is_empty() || length > 256 {
            let mut rule = format!("≥ {}", self.min_password_length);
            for class in &self.required_char_classes {
                rule.push_str(", ");
                rule.push_str(class.name());
            }
            return Err(Error::with(Code::WeakPassword, rule));
        }
        Ok(())
    }

    pub fn ip_allowed(&self, ip: &str) -> bool {
        if self.ip_allowlist.is_empty() {
            return true;
        }
        let Ok(addr) = ip.parse::<IpAddr>() else {
            return false;
        };
        self.ip_allowlist
            .iter()
            .filter_map(|c| parse_net(c))
            .any(|net| net.contains(&addr))
    }

    /// The largest upload, in bytes, from a client of this platform.
    pub fn max_upload_bytes(&self, platform: Platform) -> i64 {
        let mb = match platform {
            Platform::Mobile => self.max_upload_mb_mobile,
            Platform::Web | Platform::Desktop => self.max_upload_mb_desktop,
        };
        i64::from(mb) * 1024 * 1024
    }

    pub fn platform_allowed(&self, platform: Platform) -> bool {
        self.allowed_platforms.contains(&platform)
    }

    pub fn password_expired(&self, changed_at: i64, now: i64) -> bool {
        self.password_expiry_days > 0
            && now - changed_at > i64::from(self.password_expiry_days) * 24 * 60 * MINUTE_MS
    }

    /// When an account that just failed its `failures`-th sign-in in a row locks, if it does.
    pub fn lock_until(&self, failures: i64, now: i64) -> Option<i64> {
        (self.lockout_threshold > 0 && failures >= i64::from(self.lockout_threshold))
            .then(|| now + i64::from(self.lockout_minutes) * MINUTE_MS)
    }

    /// Whether a session last seen at `last_seen` and opened at `created` has ended.
    pub fn session_expired(&self, created: i64, last_seen: i64, now: i64) -> bool {
        now - last_seen > i64::from(self.session_idle_minutes) * MINUTE_MS
            || now - created > i64::from(self.session_max_hours) * 60 * MINUTE_MS
    }
}

/// A CIDR range, or a single address.
pub(crate) fn parse_net(s: &str) -> Option<IpNet> {
    let s = s.trim();
    s.parse::<IpNet>()
        .ok()
        .or_else(|| s.parse::<IpAddr>().ok().map(IpNet::from))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_follow_length_and_classes() {
        let p = SecurityPolicy {
            min_password_length: 10,
            required_char_classes: vec![CharClass::Upper, CharClass::Digit, CharClass::Symbol],
            ..Default::default()
        };
        assert!(p.check_password("Abcdefgh1!").is_ok());
        let e = p.check_password("abcdefgh1!").unwrap_err();
        assert_eq!(e.code, Code::WeakPassword);
        assert_eq!(e.detail.as_deref(), Some("≥ 10, upper, digit, symbol"));
        assert!(p.check_password("Abc1!").is_err());
        assert!(
            SecurityPolicy::default()
                .check_password("密码密码密码密码")
                .is_ok()
        );
    }

    #[test]
    fn ip_allowlist_accepts_ranges_and_single_addresses() {
        let p = SecurityPolicy {
            ip_allowlist: vec!["10.0.0.0/8".into(), "192.168.1.7".into(), "::1".into()],
            ..Default::default()
        };
        assert!(p.validate().is_ok());
        assert!(p.ip_allowed("10.2.3.4"));
        assert!(p.ip_allowed("192.168.1.7"));
        assert!(p.ip_allowed("::1"));
        assert!(!p.ip_allowed("192.168.1.8"));
        assert!(!p.ip_allowed("not an ip"));
        assert!(SecurityPolicy::default().ip_allowed("8.8.8.8"));
        let bad = SecurityPolicy {
            ip_allowlist: vec!["10.0.0.0/33".into()],
            ..Default::default()
        };
        assert_eq!(bad.validate().unwrap_err().code, Code::InvalidRequest);
    }

    #[test]
    fn time_rules() {
        let p = SecurityPolicy {
            password_expiry_days: 1,
            lockout_threshold: 3,
            lockout_minutes: 2,
            session_idle_minutes: 10,
            session_max_hours: 1,
            ..Default::default()
        };
        let day = 24 * 60 * MINUTE_MS;
        assert!(!p.password_expired(0, day));
        assert!(p.password_expired(0, day + 1));
        assert!(!SecurityPolicy::default().password_expired(0, 1000 * day));
        assert_eq!(p.lock_until(2, 0), None);
        assert_eq!(p.lock_until(3, 0), Some(2 * MINUTE_MS));
        assert!(!p.session_expired(0, 0, 10 * MINUTE_MS));
        assert!(p.session_expired(0, 0, 10 * MINUTE_MS + 1), "idle");
        assert!(
            p.session_expired(0, 55 * MINUTE_MS, 61 * MINUTE_MS),
            "absolute"
        );
    }

    #[test]
    fn unknown_fields_are_rejected_and_missing_ones_defaulted() {
        let p: SecurityPolicy = serde_json::from_str(r#"{"max_devices": 2}"#).unwrap();
        assert_eq!(p.max_devices, 2);
        assert_eq!(p.min_password_length, 8);
        assert!(serde_json::from_str::<SecurityPolicy>(r#"{"max_device": 2}"#).is_err());
    }
}

//! One typed configuration: the file, then `WORKHUB_*` environment variables, then flags
//! (the last two through clap). Unknown keys are rejected; secrets never appear in `Debug`.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use serde::Deserialize;

pub const EXAMPLE: &str = include_str!("../workhub.example.toml");

#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub listen: String,
    pub data_dir: PathBuf,
    pub database_url: String,
    pub redis_url: String,
    pub log_format: String,
    pub http: HttpConfig,
    pub tls: TlsConfig,
    pub files: FilesConfig,
    pub messaging: MessagingConfig,
    pub events: EventsConfig,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MessagingConfig {
    /// Groups with more members than this get a stream of their own (read fan-out).
    pub large_group_members: usize,
}

impl Default for MessagingConfig {
    fn default() -> Self {
        MessagingConfig {
            large_group_members: workhub_domain::Settings::default().large_group_members,
        }
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EventsConfig {
    /// Events leave the streams between one and two of these periods after they were written.
    pub keep_days: i64,
}

impl Default for EventsConfig {
    fn default() -> Self {
        EventsConfig {
            keep_days: workhub_domain::Settings::default().event_keep_days,
        }
    }
}

/// Where stored files live: `data_dir/files`, or an S3-compatible bucket shared by every node.
/// Unset keys fall back to the standard `AWS_*` environment variables.
#[derive(Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FilesConfig {
    pub s3_bucket: String,
    pub s3_endpoint: String,
    pub s3_region: String,
    pub s3_access_key_id: String,
    pub s3_secret_access_key: String,
}

impl std::fmt::Debug for FilesConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FilesConfig")
            .field("s3_bucket", &self.s3_bucket)
            .field("s3_endpoint", &self.s3_endpoint)
            .field("s3_region", &self.s3_region)
            .field("s3_access_key_id", &self.s3_access_key_id)
            .field("s3_secret_access_key", &redact(&self.s3_secret_access_key))
            .finish()
    }
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HttpConfig {
    pub trust_forwarded_for: bool,
    pub secure_cookies: bool,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TlsConfig {
    pub cert: String,
    pub key: String,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: "127.0.0.1:8080".into(),
            data_dir: PathBuf::from("./workhub-data"),
            database_url: String::new(),
            redis_url: String::new(),
            log_format: "text".into(),
            http: HttpConfig::default(),
            tls: TlsConfig::default(),
            files: FilesConfig::default(),
            messaging: MessagingConfig::default(),
            events: EventsConfig::default(),
        }
    }
}

/// Database urls carry passwords: show only the scheme and host.
fn redact(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => {
            let host = rest.rsplit_once('@').map(|(_, h)| h).unwrap_or(rest);
            format!("{scheme}://***@{host}")
        }
        None if url.is_empty() => String::new(),
        None => "***".into(),
    }
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("listen", &self.listen)
            .field("data_dir", &self.data_dir)
            .field("database_url", &redact(&self.database_url))
            .field("redis_url", &redact(&self.redis_url))
            .field("log_format", &self.log_format)
            .field("http", &self.http)
            .field("tls", &self.tls)
            .field("files", &self.files)
            .field("messaging", &self.messaging)
            .field("events", &self.events)
            .finish()
    }
}

impl Config {
    /// Reads a config file, or the defaults when there is none.
    pub fn load(path: Option<&Path>) -> anyhow::Result<Config> {
        let Some(path) = path else {
            return Ok(Config::default());
        };
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        Config::parse(&text).with_context(|| format!("in {}", path.display()))
    }

    pub fn parse(text: &str) -> anyhow::Result<Config> {
        let config: Config = toml::from_str(text)?;
        config.check()?;
        Ok(config)
    }

    /// Checks what can be checked without connecting anywhere.
    pub fn check(&self) -> anyhow::Result<()> {
        self.listen.parse::<SocketAddr>().with_context(|| {
            format!(
                "listen = {:?} is not an address like 127.0.0.1:8080",
                self.listen
            )
        })?;
        if !self.database_url.is_empty()
            && !self.database_url.starts_with("postgres")
            && !self.database_url.starts_with("sqlite:")
        {
            bail!("database_url must start with postgres:// or sqlite://");
        }
        if !self.redis_url.is_empty() && !self.redis_url.starts_with("redis") {
            bail!("redis_url must start with redis://");
        }
        if !matches!(self.log_format.as_str(), "text" | "json") {
            bail!("log_format must be \"text\" or \"json\"");
        }
        if self.tls.cert.is_empty() != self.tls.key.is_empty() {
            bail!("tls needs both cert and key");
        }
        if !(1..=3650).contains(&self.events.keep_days) {
            bail!("events.keep_days must be from 1 to 3650");
        }
        let endpoint = &self.files.s3_endpoint;
        if !endpoint.is_empty()
            && !endpoint.starts_with("http://")
            && !endpoint.starts_with("https://")
        {
            bail!("files.s3_endpoint must start with http:// or https://");
        }
        Ok(())
    }

    /// The url of the database to use: PostgreSQL when configured, else SQLite in `data_dir`.
    pub fn database(&self) -> String {
        if self.database_url.is_empty() {
            workhub_store_sql::sqlite_url(&self.data_dir)
        } else {
            self.database_url.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_example_parses_to_the_defaults() {
        let parsed = Config::parse(EXAMPLE).expect("example parses");
        assert_eq!(format!("{parsed:?}"), format!("{:?}", Config::default()));
    }

    #[test]
    fn unknown_keys_and_bad_values_are_rejected() {
        assert!(Config::parse("listn = \"x\"").is_err());
        assert!(Config::parse("listen = \"nowhere\"").is_err());
        assert!(Config::parse("[tls]\ncert = \"a.pem\"").is_err());
        assert!(Config::parse("log_format = \"xml\"").is_err());
        assert!(Config::parse("[events]\nkeep_days = 0").is_err());
    }

    #[test]
    fn secrets_are_redacted() {
        let c = Config {
            database_url: "postgres://u:hunter2@db:5432/x".into(),
            ..Default::default()
        };
        let shown = format!("{c:?}");
        assert!(!shown.contains("hunter2"));
        assert!(shown.contains("db:5432/x"));
    }
}

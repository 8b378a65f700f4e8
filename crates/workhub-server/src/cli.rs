//! The command line. Names, flags and outputs here are a contract scripts rely on.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Parser, Debug)]
#[command(
    name = "workhub",
    version,
    about = "Workhub: a self-hosted enterprise workplace (directory, messaging, approvals) with a WeCom-compatible API"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// `serve` is the default subcommand, so its flags work without it.
    #[command(flatten)]
    pub serve: ServeArgs,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the server (the default).
    Serve(ServeArgs),
    /// Manage companies.
    #[command(subcommand)]
    Corp(CorpCommand),
    /// Manage self-built apps.
    #[command(subcommand)]
    App(AppCommand),
    /// Manage server operator accounts.
    #[command(subcommand)]
    Operator(OperatorCommand),
    /// Apply pending database migrations and exit.
    Migrate(DbArgs),
    /// Print or check the configuration.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Check the database, migrations, Redis and the data folder.
    Doctor(ServeArgs),
}

/// Where the data lives: shared by every command that opens the database.
#[derive(Args, Debug, Clone, Default)]
pub struct DbArgs {
    /// Configuration file (TOML); see `workhub config example`.
    #[arg(long, env = "WORKHUB_CONFIG", global = true)]
    pub config: Option<PathBuf>,
    /// Folder of the embedded SQLite database and local files.
    #[arg(long, env = "WORKHUB_DATA_DIR", global = true)]
    pub data_dir: Option<PathBuf>,
    /// PostgreSQL url for cluster mode (replaces SQLite).
    #[arg(long, env = "WORKHUB_DATABASE_URL", global = true)]
    pub database_url: Option<String>,
}

#[derive(Args, Debug, Clone, Default)]
pub struct ServeArgs {
    #[command(flatten)]
    pub db: DbArgs,
    /// Address to listen on, e.g. 127.0.0.1:8080 (port 0 picks a free port).
    #[arg(long, env = "WORKHUB_LISTEN", global = true)]
    pub listen: Option<String>,
    /// Redis url for cluster mode (events across nodes).
    #[arg(long, env = "WORKHUB_REDIS_URL", global = true)]
    pub redis_url: Option<String>,
    /// TLS certificate chain (PEM); with --tls-key the server speaks TLS 1.3.
    #[arg(long, env = "WORKHUB_TLS_CERT", global = true)]
    pub tls_cert: Option<String>,
    /// TLS private key (PEM).
    #[arg(long, env = "WORKHUB_TLS_KEY", global = true)]
    pub tls_key: Option<String>,
}

#[derive(Subcommand, Debug)]
pub enum CorpCommand {
    /// Create a verified company with its first administrator; prints JSON as its last line.
    Create {
        #[arg(long)]
        name: String,
        #[arg(long)]
        admin_userid: String,
        #[arg(long)]
        admin_password: String,
        #[arg(long, default_value = "standard", value_parser = ["standard", "professional"])]
        edition: String,
        #[command(flatten)]
        db: DbArgs,
    },
}

#[derive(Subcommand, Debug)]
pub enum AppCommand {
    /// Create a self-built app; prints JSON {"agentid", "secret"}.
    Create {
        #[arg(long)]
        corpid: String,
        #[arg(long)]
        name: String,
        #[command(flatten)]
        db: DbArgs,
    },
}

#[derive(Subcommand, Debug)]
pub enum OperatorCommand {
    /// Create a server operator account for the operator console.
    Create {
        #[arg(long)]
        username: String,
        #[arg(long, env = "WORKHUB_OPERATOR_PASSWORD")]
        password: String,
        #[command(flatten)]
        db: DbArgs,
    },
}

#[derive(Subcommand, Debug)]
pub enum ConfigCommand {
    /// Print an example configuration file with every key and its default.
    Example,
    /// Check a configuration (file, environment and flags) without starting.
    Check(ServeArgs),
}

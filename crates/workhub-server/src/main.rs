//! `workhub`: one binary for the server and its administration commands.

use clap::Parser;
use tracing_subscriber::EnvFilter;
use workhub_server::cli::{AppCommand, Cli, Command, ConfigCommand, CorpCommand, OperatorCommand};
use workhub_server::{commands, serve};

/// mimalloc rather than glibc's malloc: with glibc's arenas per thread, memory that one thread
/// allocates and another frees (a message's events go from SQLite's writer thread to the
/// sockets' tasks) was kept rather than reused, and a server's memory grew by ~20 MB per 5,000
/// messages sent (BENCHMARKS.md, "SQLite's own writer thread").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let cli = Cli::parse();
    match run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn init_logs(json: bool) {
    let filter =
        EnvFilter::try_from_env("WORKHUB_LOG").unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if json {
        builder.json().init()
    } else {
        builder.init()
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        None => serve_until_stopped(&cli.serve).await,
        Some(Command::Serve(args)) => serve_until_stopped(&args).await,
        Some(Command::Corp(CorpCommand::Create {
            name,
            admin_userid,
            admin_password,
            edition,
            db,
        })) => {
            init_logs(false);
            commands::corp_create(&db, &name, &admin_userid, &admin_password, &edition).await
        }
        Some(Command::App(AppCommand::Create { corpid, name, db })) => {
            commands::app_create(&db, &corpid, &name).await
        }
        Some(Command::Operator(OperatorCommand::Create {
            username,
            password,
            db,
        })) => commands::operator_create(&db, &username, &password).await,
        Some(Command::Migrate(db)) => commands::migrate(&db).await,
        Some(Command::Config(ConfigCommand::Example)) => {
            commands::config_example();
            Ok(())
        }
        Some(Command::Config(ConfigCommand::Check(args))) => commands::config_check(&args),
        Some(Command::Doctor(args)) => commands::doctor(&args).await,
    }
}

async fn serve_until_stopped(args: &workhub_server::cli::ServeArgs) -> anyhow::Result<()> {
    let config = commands::resolve(args)?;
    init_logs(config.log_format == "json");
    let running = serve::start(config).await?;
    let scheme = if running.tls { "https" } else { "http" };
    // Scripts and tests read this line to learn the port.
    println!("listening on {scheme}://{}", running.addr);
    tracing::info!(addr = %running.addr, "workhub is ready");
    shutdown_signal().await;
    tracing::info!("shutting down: finishing requests and closing connections");
    running.shutdown.cancel();
    running.done.await??;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => return std::future::pending().await,
            };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}

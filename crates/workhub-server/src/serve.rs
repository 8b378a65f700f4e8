//! Wiring: choose the engines once, build the domain, serve until told to stop.

use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};

use anyhow::Context;
use axum::serve::ListenerExt;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use workhub_bus::{EventBus, LocalBus, LocalLimiter, RateLimiter, RedisBus, RedisLimiter};
use workhub_core::{Clock, SystemClock};
use workhub_domain::{Deps, Domain};
use workhub_http::AppState;
use workhub_store_sql::SqlStore;

use crate::config::Config;

/// Opens the database (creating the data folder for SQLite) and runs migrations.
pub async fn open_store(config: &Config) -> anyhow::Result<Arc<SqlStore>> {
    if config.database_url.is_empty() {
        std::fs::create_dir_all(&config.data_dir)
            .with_context(|| format!("creating the data folder {}", config.data_dir.display()))?;
    }
    SqlStore::open(&config.database())
        .await
        .map_err(|e| anyhow::anyhow!("opening the database: {e}"))
}

pub async fn open_bus(config: &Config) -> anyhow::Result<Arc<dyn EventBus>> {
    if config.redis_url.is_empty() {
        return Ok(Arc::new(LocalBus::default()));
    }
    let bus = RedisBus::connect(&config.redis_url)
        .await
        .context("connecting to Redis")?;
    Ok(Arc::new(bus))
}

/// The domain over an opened store, for the server and the CLI alike.
pub async fn domain(config: &Config, store: &Arc<SqlStore>) -> anyhow::Result<Domain> {
    domain_with_clock(config, store, Arc::new(SystemClock)).await
}

pub async fn domain_with_clock(
    config: &Config,
    store: &Arc<SqlStore>,
    clock: Arc<dyn Clock>,
) -> anyhow::Result<Domain> {
    // One node counts in memory; a cluster counts in Redis so the limits hold across nodes.
    let limiter: Arc<dyn RateLimiter> = if config.redis_url.is_empty() {
        Arc::new(LocalLimiter::default())
    } else {
        Arc::new(
            RedisLimiter::connect(&config.redis_url)
                .await
                .context("connecting to Redis")?,
        )
    };
    let deps = Deps {
        stores: store.stores(),
        bus: open_bus(config).await?,
        limiter,
        clock,
        outbound: Arc::new(crate::outbound::HttpOutbound::new()?),
        settings: workhub_domain::Settings {
            large_group_members: config.messaging.large_group_members,
            event_keep_days: config.events.keep_days,
        },
    };
    Ok(Domain::new(deps))
}

/// Where stored files live: an S3-compatible bucket when one is configured, else the data folder.
pub fn blobs(config: &Config) -> anyhow::Result<workhub_domain::files::Blobs> {
    let files = &config.files;
    if files.s3_bucket.is_empty() {
        let local = workhub_domain::files::Blobs::local(&config.data_dir.join("files"))
            .context("opening the files folder")?;
        return Ok(local);
    }
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut s3 = object_store::aws::AmazonS3Builder::from_env().with_bucket_name(&files.s3_bucket);
    if !files.s3_endpoint.is_empty() {
        s3 = s3
            .with_endpoint(&files.s3_endpoint)
            .with_allow_http(files.s3_endpoint.starts_with("http://"))
            .with_virtual_hosted_style_request(false);
    }
    for (value, key) in [
        (
            &files.s3_region,
            object_store::aws::AmazonS3ConfigKey::Region,
        ),
        (
            &files.s3_access_key_id,
            object_store::aws::AmazonS3ConfigKey::AccessKeyId,
        ),
        (
            &files.s3_secret_access_key,
            object_store::aws::AmazonS3ConfigKey::SecretAccessKey,
        ),
    ] {
        if !value.is_empty() {
            s3 = s3.with_config(key, value);
        }
    }
    let store = s3.build().context("configuring the S3 bucket for files")?;
    Ok(workhub_domain::files::Blobs::shared(std::sync::Arc::new(
        store,
    )))
}

/// The process-wide metrics recorder (installed once, shared by servers started in tests).
fn metrics() -> Option<PrometheusHandle> {
    static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();
    HANDLE
        .get_or_init(|| PrometheusBuilder::new().install_recorder().ok())
        .clone()
}

/// Folds the samples histograms gathered into their summaries every few seconds. The recorder
/// keeps each sample until then, and does so by itself only when `/metrics` is scraped: on a
/// server nobody scrapes, every pushed event's lag sample would stay in memory for good.
fn spawn_metrics_upkeep(handle: Option<PrometheusHandle>, shutdown: CancellationToken) {
    let Some(handle) = handle else { return };
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(std::time::Duration::from_secs(5));
        loop {
            tokio::select! {
                _ = ticks.tick() => handle.run_upkeep(),
                _ = shutdown.cancelled() => return,
            }
        }
    });
}

/// A started server.
pub struct Running {
    pub addr: SocketAddr,
    pub tls: bool,
    /// Cancel to begin a graceful shutdown.
    pub shutdown: CancellationToken,
    pub done: JoinHandle<anyhow::Result<()>>,
}

/// Binds, then serves in the background until `shutdown` is cancelled; in-flight requests
/// finish and WebSockets close cleanly.
pub async fn start(config: Config) -> anyhow::Result<Running> {
    start_with_clock(config, Arc::new(SystemClock)).await
}

/// [`start`] with a clock of the caller's (tests move it to test time-based rules).
pub async fn start_with_clock(config: Config, clock: Arc<dyn Clock>) -> anyhow::Result<Running> {
    config.check()?;
    let store = open_store(&config).await?;
    let domain = domain_with_clock(&config, &store, clock).await?;
    if !domain.operators.exists().await.unwrap_or(true) {
        tracing::warn!(
            "no server operator account yet: create one with `workhub operator create --username <name> --password '<password>'` (same --data-dir or --database-url)"
        );
    }
    let shutdown = CancellationToken::new();
    let tls = !config.tls.cert.is_empty();
    let search = workhub_domain::messaging::search::MessageSearch::open(
        domain.deps.clone(),
        config.data_dir.join("search"),
    )
    .map_err(|e| anyhow::anyhow!("opening the search index: {e:?}"))?;
    spawn_indexer(search.clone(), shutdown.clone());
    let state = AppState::new(workhub_http::Shared {
        metrics: metrics(),
        secure_cookies: config.http.secure_cookies || tls,
        trust_forwarded_for: config.http.trust_forwarded_for,
        wakeups: workhub_http::wakeups::Wakeups::start(domain.deps.bus.as_ref(), shutdown.clone()),
        search: search.clone(),
        files: workhub_domain::files::Files::new(
            domain.deps.clone(),
            domain.accounts.clone(),
            config.data_dir.join("files"),
            blobs(&config)?,
        ),
        shutdown: shutdown.clone(),
        domain,
    });
    spawn_housekeeping(state.domain.clone(), state.files.clone(), shutdown.clone());
    spawn_metrics_upkeep(state.metrics.clone(), shutdown.clone());
    let app = workhub_http::app(state).into_make_service_with_connect_info::<SocketAddr>();
    let listener = tokio::net::TcpListener::bind(&config.listen)
        .await
        .with_context(|| format!("listening on {}", config.listen))?;
    let addr = listener.local_addr()?;
    let stop = shutdown.clone();
    // Both ways below set TCP_NODELAY on every connection (see the plain one).
    let done = if tls {
        let rustls = crate::tls::server_config(&config.tls.cert, &config.tls.key)?;
        let handle = axum_server::Handle::new();
        let h = handle.clone();
        tokio::spawn(async move {
            stop.cancelled().await;
            h.graceful_shutdown(Some(std::time::Duration::from_secs(10)));
        });
        let std_listener = listener.into_std()?;
        tokio::spawn(async move {
            let tls = axum_server::tls_rustls::RustlsConfig::from_config(rustls);
            let acceptor = axum_server::tls_rustls::RustlsAcceptor::new(tls)
                .acceptor(axum_server::accept::NoDelayAcceptor::new());
            let server = axum_server::from_tcp(std_listener)?.acceptor(acceptor);
            server.handle(handle).serve(app).await?;
            store.close().await;
            Ok(())
        })
    } else {
        // Small frames go out at once: with Nagle's algorithm a WebSocket frame written while
        // the previous one is unacknowledged waits for the client's delayed ACK (up to 40 ms).
        let listener = listener.tap_io(|tcp| {
            if let Err(e) = tcp.set_nodelay(true) {
                tracing::debug!("TCP_NODELAY not set: {e}");
            }
        });
        tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(stop.cancelled_owned())
                .await?;
            store.close().await;
            Ok(())
        })
    };
    Ok(Running {
        addr,
        tls,
        shutdown,
        done,
    })
}

/// Background upkeep every node runs (each step is idempotent, so nodes may overlap):
/// department groups follow the directory within 30 seconds; messages past each company's
/// retention, events past `[events] keep_days` and unfinished uploads past their expiry are
/// purged hourly; at start-up, groups grown
/// past `large_group_members` before it applied to them switch to their own stream; import jobs
/// whose node died are taken over.
fn spawn_housekeeping(
    domain: workhub_domain::Domain,
    files: workhub_domain::files::Files,
    shutdown: CancellationToken,
) {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(std::time::Duration::from_secs(30));
        let mut n: u64 = 0;
        loop {
            tokio::select! {
                _ = ticks.tick() => {}
                _ = shutdown.cancelled() => return,
            }
            if let Err(e) = domain.messaging.sync_department_groups().await {
                tracing::warn!(error = ?e, "department group sync failed");
            }
            resume_stale_jobs(&domain, &files).await;
            // Groups only grow past the threshold through membership changes, which switch them
            // at once; what start-up finds is older groups or a threshold just lowered.
            if n == 0 {
                match domain.messaging.enlarge_grown_groups().await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(groups = n, "groups past large_group_members switched"),
                    Err(e) => tracing::warn!(error = ?e, "switching grown groups failed"),
                }
            }
            // 120 ticks of 30 s: hourly, starting at start-up.
            if n.is_multiple_of(120) {
                match domain.messaging.purge_expired().await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(messages = n, "purged messages past retention"),
                    Err(e) => tracing::warn!(error = ?e, "message purge failed"),
                }
                match domain.events.prune_expired().await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(events = n, "pruned old events"),
                    Err(e) => tracing::warn!(error = ?e, "event pruning failed"),
                }
                if let Err(e) = files.purge_expired_uploads().await {
                    tracing::warn!(error = ?e, "expired upload purge failed");
                }
                if let Err(e) = files.purge_unreferenced().await {
                    tracing::warn!(error = ?e, "unreferenced file purge failed");
                }
            }
            n += 1;
        }
    });
}

/// Takes over import jobs whose node stopped (their heartbeat is two minutes old) and runs them
/// again from their stored file; answers how many it took.
pub async fn resume_stale_jobs(
    domain: &workhub_domain::Domain,
    files: &workhub_domain::files::Files,
) -> usize {
    let claimed = match domain.directory.claim_stale_jobs().await {
        Ok(claimed) => claimed,
        Err(e) => {
            tracing::warn!(error = ?e, "could not look for stale jobs");
            return 0;
        }
    };
    let count = claimed.len();
    for (job, source) in claimed {
        let bytes = match files.read(&job.corp_id, &source.file_id).await {
            Ok((_, bytes)) => bytes,
            Err(e) => {
                tracing::warn!(error = ?e, job = %job.job_id, "a stale job's file is gone");
                Vec::new()
            }
        };
        let directory = domain.directory.clone();
        tokio::spawn(async move { directory.resume_job(job, source, bytes).await });
    }
    count
}

/// Keeps this node's search index up with the messages table (every node indexes everything).
fn spawn_indexer(
    search: workhub_domain::messaging::search::MessageSearch,
    shutdown: CancellationToken,
) {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(std::time::Duration::from_millis(500));
        loop {
            tokio::select! {
                _ = ticks.tick() => {}
                _ = shutdown.cancelled() => return,
            }
            if let Err(e) = search.index_new().await {
                tracing::warn!(error = ?e, "indexing messages failed");
            }
        }
    });
}

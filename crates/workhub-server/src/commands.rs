//! The one-shot commands: each opens the database, does one thing, prints, exits. They work
//! while a server runs on the same data (SQLite waits for the server's writer).

use anyhow::{Context, bail};
use serde_json::json;
use workhub_core::{CorpId, Edition};
use workhub_domain::corps::NewCompany;
use workhub_domain::{Actor, Meta};

use crate::cli::{DbArgs, ServeArgs};
use crate::config::{Config, EXAMPLE};
use crate::serve::{domain, open_bus, open_store};

/// The configuration: file, then environment and flags (clap already merged those two).
pub fn resolve(args: &ServeArgs) -> anyhow::Result<Config> {
    let mut config = resolve_db(&args.db)?;
    if let Some(v) = &args.listen {
        config.listen = v.clone();
    }
    if let Some(v) = &args.redis_url {
        config.redis_url = v.clone();
    }
    if let Some(v) = &args.tls_cert {
        config.tls.cert = v.clone();
    }
    if let Some(v) = &args.tls_key {
        config.tls.key = v.clone();
    }
    config.check()?;
    Ok(config)
}

pub fn resolve_db(args: &DbArgs) -> anyhow::Result<Config> {
    let mut config = Config::load(args.config.as_deref())?;
    if let Some(v) = &args.data_dir {
        config.data_dir = v.clone();
    }
    if let Some(v) = &args.database_url {
        config.database_url = v.clone();
    }
    Ok(config)
}

fn cli_meta() -> Meta {
    Meta {
        ip: "127.0.0.1".into(),
        user_agent: "workhub-cli".into(),
        request_id: String::new(),
    }
}

pub async fn corp_create(
    db: &DbArgs,
    name: &str,
    admin_userid: &str,
    admin_password: &str,
    edition: &str,
) -> anyhow::Result<()> {
    let config = resolve_db(db)?;
    let store = open_store(&config).await?;
    let domain = domain(&config, &store).await?;
    let edition = Edition::parse(edition).context("edition must be standard or professional")?;
    let new = NewCompany {
        name: name.into(),
        admin_userid: admin_userid.into(),
        admin_name: String::new(),
        admin_password: admin_password.into(),
        admin_mobile: None,
        admin_email: None,
        edition,
        uscc: None,
    };
    let actor = Actor::Operator("cli".into());
    let created = domain
        .corps
        .create(&actor, &cli_meta(), new)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let corp = CorpId::parse(&created.corpid)?;
    domain
        .corps
        .verify("cli", &cli_meta(), &corp)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    store.close().await;
    println!("{}", serde_json::to_string(&created)?);
    Ok(())
}

pub async fn app_create(db: &DbArgs, corpid: &str, name: &str) -> anyhow::Result<()> {
    let config = resolve_db(db)?;
    let store = open_store(&config).await?;
    let domain = domain(&config, &store).await?;
    let corp = CorpId::parse(corpid).map_err(|e| anyhow::anyhow!("{e}"))?;
    let actor = Actor::Operator("cli".into());
    let (agentid, secret) = domain
        .corps
        .create_app(&actor, &cli_meta(), &corp, name)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    store.close().await;
    println!("{}", json!({ "agentid": agentid, "secret": secret }));
    Ok(())
}

pub async fn operator_create(db: &DbArgs, username: &str, password: &str) -> anyhow::Result<()> {
    let config = resolve_db(db)?;
    let store = open_store(&config).await?;
    let domain = domain(&config, &store).await?;
    domain
        .operators
        .create(username, password)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    store.close().await;
    println!("{}", json!({ "operator": username.trim() }));
    Ok(())
}

pub async fn migrate(db: &DbArgs) -> anyhow::Result<()> {
    let config = resolve_db(db)?;
    let store = open_store(&config).await?;
    let (engine, version) = workhub_store::StoreHealth::describe(&*store)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    store.close().await;
    println!("{}", json!({ "engine": engine, "schema_version": version }));
    Ok(())
}

pub fn config_example() {
    print!("{EXAMPLE}");
}

pub fn config_check(args: &ServeArgs) -> anyhow::Result<()> {
    let config = resolve(args)?;
    println!("configuration ok: {config:?}");
    Ok(())
}

/// Checks each dependency and says what is wrong in words an operator can act on.
pub async fn doctor(args: &ServeArgs) -> anyhow::Result<()> {
    let config = resolve(args)?;
    let mut failed = false;
    let mut report = |ok: bool, what: String| {
        println!("{} {what}", if ok { "ok  " } else { "FAIL" });
        failed |= !ok;
    };
    if config.database_url.is_empty() {
        let dir = &config.data_dir;
        let writable = std::fs::create_dir_all(dir).is_ok() && tempfile_in(dir);
        report(
            writable,
            format!("data folder {} is writable", dir.display()),
        );
    }
    match open_store(&config).await {
        Ok(store) => {
            match workhub_store::StoreHealth::describe(&*store).await {
                Ok((engine, v)) => {
                    let known = workhub_store_sql::migrations::latest_known();
                    report(
                        v == known,
                        format!("{engine} database at schema version {v} (this binary: {known})"),
                    );
                }
                Err(e) => report(false, format!("database: {e}")),
            }
            store.close().await;
        }
        Err(e) => report(false, format!("database: {e:#}")),
    }
    if config.redis_url.is_empty() {
        report(true, "redis not configured (single node)".into());
    } else {
        match open_bus(&config).await {
            Ok(bus) => report(bus.healthy().await, "redis reachable".into()),
            Err(e) => report(false, format!("redis: {e:#}")),
        }
    }
    if failed {
        bail!("some checks failed");
    }
    Ok(())
}

fn tempfile_in(dir: &std::path::Path) -> bool {
    let probe = dir.join(".workhub-doctor-probe");
    let ok = std::fs::write(&probe, b"ok").is_ok();
    let _ = std::fs::remove_file(probe);
    ok
}

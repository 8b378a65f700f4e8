//! Workhub's business rules, one module per bounded context. No HTTP and no SQL here: services
//! take explicit context (who acts, from where, at what time) and talk to the stores and the
//! bus through traits handed in by the binary.

pub mod accounts;
pub mod apps;
pub mod audit;
pub mod authz;
pub mod callbacks;
pub mod context;
pub mod corps;
pub mod directory;
pub mod events;
pub mod files;
pub mod handover;
pub mod limits;
pub mod messaging;
pub mod operators;
pub mod signup;

use std::sync::Arc;

use workhub_bus::{EventBus, RateLimiter};
use workhub_core::{Clock, Code, Error};
use workhub_store::{Committed, StoreError, Stores};

pub use context::{Actor, Meta, UserActor};

/// What every service needs: the stores, the bus, the clock.
#[derive(Clone)]
pub struct Deps {
    pub stores: Stores,
    pub bus: Arc<dyn EventBus>,
    pub limiter: Arc<dyn RateLimiter>,
    pub clock: Arc<dyn Clock>,
    /// Pushes to integrators' callback URLs.
    pub outbound: Arc<dyn callbacks::Outbound>,
    pub settings: Settings,
}

/// What an operator may tune in the configuration file.
#[derive(Debug, Clone)]
pub struct Settings {
    /// A group with more members than this gets a stream of its own: each message is written
    /// once there instead of once per member (BENCHMARKS.md, "Large groups").
    pub large_group_members: usize,
    /// Events are deleted from the streams between one and two of these periods after they were
    /// written; a device away longer starts again from the newest (`sync_expired`).
    pub event_keep_days: i64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            large_group_members: 100,
            event_keep_days: 90,
        }
    }
}

impl Deps {
    pub fn now(&self) -> i64 {
        self.clock.now_ms()
    }

    /// Wakes the readers of the streams a committed write advanced, and returns its value.
    pub async fn publish<T>(&self, committed: Committed<T>) -> T {
        self.bus.publish(&committed.appended).await;
        committed.value
    }
}

/// Every service of the product, built once by the binary.
#[derive(Clone)]
pub struct Domain {
    pub deps: Deps,
    pub accounts: accounts::Accounts,
    pub apps: apps::Apps,
    pub audit: audit::Audit,
    pub roles: authz::Roles,
    pub resignations: handover::Resignations,
    pub corps: corps::Corps,
    pub directory: directory::Directory,
    pub events: events::Events,
    pub limits: limits::RateLimiting,
    pub messaging: messaging::Messaging,
    pub operators: operators::Operators,
    pub signup: signup::Signup,
}

impl Domain {
    pub fn new(deps: Deps) -> Domain {
        let audit = audit::Audit::new(deps.clone());
        let corps = corps::Corps::new(deps.clone(), audit.clone());
        let apps = apps::Apps::new(deps.clone(), audit.clone(), corps.clone());
        let directory =
            directory::Directory::new(deps.clone(), audit.clone(), corps.clone(), apps.clone());
        let messaging = messaging::Messaging::new(deps.clone(), directory.clone(), audit.clone());
        Domain {
            accounts: accounts::Accounts::new(deps.clone(), audit.clone()),
            resignations: handover::Resignations::new(directory.clone(), messaging.clone()),
            messaging,
            directory,
            apps,
            corps,
            events: events::Events::new(deps.clone()),
            limits: limits::RateLimiting::new(deps.clone(), audit.clone()),
            operators: operators::Operators::new(deps.clone(), audit.clone()),
            roles: authz::Roles::new(deps.clone(), audit.clone()),
            signup: signup::Signup::new(deps.clone(), audit.clone()),
            audit,
            deps,
        }
    }
}

/// Storage failures as clients see them: duplicates are conflicts, the rest is logged once here
/// and reported as an internal error without detail.
pub(crate) fn store_error(e: StoreError) -> Error {
    match e {
        StoreError::Duplicate(what) => Error::with(Code::Conflict, what),
        StoreError::Backend(cause) => {
            tracing::error!(%cause, "storage failure");
            Error::new(Code::Internal)
        }
    }
}

pub(crate) trait StoreResultExt<T> {
    fn or_internal(self) -> Result<T, Error>;
}

impl<T> StoreResultExt<T> for Result<T, StoreError> {
    fn or_internal(self) -> Result<T, Error> {
        self.map_err(store_error)
    }
}

#[cfg(test)]
mod tests;

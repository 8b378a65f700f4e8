//! Storage contracts: one small trait per bounded context, whose write methods are whole units
//! of work (each owns its transaction and commits its outbox events with the data). The SQL
//! implementation lives in `workhub-store-sql`; `conformance` proves every engine behaves alike.

pub mod accounts;
pub mod audit;
pub mod conformance;
pub mod corps;
pub mod directory;
pub mod error;
pub mod events;
pub mod files;
pub mod messaging;
pub mod operators;
pub mod roles;
pub mod signups;
pub mod visibility;

use std::sync::Arc;

pub use accounts::AccountStore;
pub use audit::AuditStore;
pub use corps::CorpStore;
pub use directory::DirectoryStore;
pub use error::{StoreError, StoreResult};
pub use events::{
    Appended, Committed, EventPayload, EventRecord, EventStore, NewEvent, Recipients,
};
pub use files::FileStore;
pub use messaging::{MessageStore, MessagingAdminStore};
pub use operators::OperatorStore;
pub use roles::RoleStore;
pub use signups::SignupStore;
pub use visibility::VisibilityStore;

/// Every store the domain needs, handed inward by the binary.
#[derive(Clone)]
pub struct Stores {
    pub corps: Arc<dyn CorpStore>,
    pub directory: Arc<dyn DirectoryStore>,
    pub accounts: Arc<dyn AccountStore>,
    pub events: Arc<dyn EventStore>,
    pub messages: Arc<dyn MessageStore>,
    pub messaging_admin: Arc<dyn MessagingAdminStore>,
    pub files: Arc<dyn FileStore>,
    pub audit: Arc<dyn AuditStore>,
    pub signups: Arc<dyn SignupStore>,
    pub operators: Arc<dyn OperatorStore>,
    pub roles: Arc<dyn RoleStore>,
    pub visibility: Arc<dyn VisibilityStore>,
    pub health: Arc<dyn StoreHealth>,
}

/// What `/readyz` and `workhub doctor` ask of the database.
#[async_trait::async_trait]
pub trait StoreHealth: Send + Sync {
    async fn ping(&self) -> StoreResult<()>;
    /// The engine's name and the latest applied migration version.
    async fn describe(&self) -> StoreResult<(String, i64)>;
}

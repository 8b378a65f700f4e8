//! How long a company keeps messages, and the purge that enforces it. Purged messages are
//! deleted, not hidden: history, receipts and the event stream (which only references them)
//! can no longer return their content.

use serde::{Deserialize, Serialize};
use workhub_core::{Code, Error};

use super::Messaging;
use crate::StoreResultExt;
use crate::authz::catalogue as p;
use crate::context::{Actor, Meta, UserActor};

/// Days messages are kept unless the company chose otherwise.
pub const DEFAULT_RETENTION_DAYS: i64 = 180;
const MAX_RETENTION_DAYS: i64 = 3650;
const DAY_MS: i64 = 86_400_000;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MessagingSettings {
    pub retention_days: i64,
}

impl Messaging {
    /// GET /admin/messaging
    pub async fn settings(&self, who: &UserActor) -> Result<MessagingSettings, Error> {
        who.require(p::MESSAGING_SETTINGS_READ)?;
        let days = self
            .deps
            .stores
            .messaging_admin
            .find_retention(&who.corp_id)
            .await
            .or_internal()?;
        Ok(MessagingSettings {
            retention_days: days.unwrap_or(DEFAULT_RETENTION_DAYS),
        })
    }

    /// PUT /admin/messaging
    pub async fn save_settings(
        &self,
        who: &UserActor,
        meta: &Meta,
        settings: MessagingSettings,
    ) -> Result<MessagingSettings, Error> {
        who.require(p::MESSAGING_SETTINGS_EDIT)?;
        let days = settings.retention_days;
        let result = if (1..=MAX_RETENTION_DAYS).contains(&days) {
            self.deps
                .stores
                .messaging_admin
                .save_retention(&who.corp_id, days)
                .await
                .or_internal()
        } else {
            Err(Error::with(
                Code::InvalidRequest,
                format!("retention_days: 1 to {MAX_RETENTION_DAYS}"),
            ))
        };
        let actor = Actor::User(who.clone());
        self.audit
            .record(
                who.corp_id.as_str(),
                &actor,
                meta,
                "messaging.retention_changed",
                &days.to_string(),
                result.as_ref().map(|_| ()),
            )
            .await;
        result?;
        self.settings(who).await
    }

    /// Deletes every company's messages older than its retention; how many went. Safe to run
    /// on several nodes at once.
    pub async fn purge_expired(&self) -> Result<u64, Error> {
        let now = self.deps.now();
        let corps = self
            .deps
            .stores
            .corps
            .list_corps(None)
            .await
            .or_internal()?;
        let mut purged = 0;
        for corp in corps {
            let stores = &self.deps.stores;
            let days = stores
                .messaging_admin
                .find_retention(&corp.corp.corp_id)
                .await
                .or_internal()?
                .unwrap_or(DEFAULT_RETENTION_DAYS);
            purged += stores
                .messages
                .purge_messages(&corp.corp.corp_id, now - days * DAY_MS)
                .await
                .or_internal()?;
        }
        Ok(purged)
    }
}

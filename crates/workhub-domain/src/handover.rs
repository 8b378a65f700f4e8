//! Resignations cross contexts: the directory disables the leaving member and announces it; the
//! contexts holding their work hand it to the successor (today: messaging groups).

use serde::Serialize;
use workhub_core::Error;

use crate::context::{Actor, Meta};
use crate::directory::Directory;
use crate::messaging::Messaging;

#[derive(Clone)]
pub struct Resignations {
    directory: Directory,
    messaging: Messaging,
}

#[derive(Debug, Clone, Serialize)]
pub struct Handover {
    pub userid: String,
    pub handover_to: String,
    /// Groups the leaving member owned, now owned by the successor.
    pub groups_transferred: usize,
}

impl Resignations {
    pub(crate) fn new(directory: Directory, messaging: Messaging) -> Self {
        Self {
            directory,
            messaging,
        }
    }

    pub async fn resign(
        &self,
        actor: &Actor,
        meta: &Meta,
        userid: &str,
        successor: &str,
    ) -> Result<Handover, Error> {
        let (corp, from, to) = self
            .directory
            .resign(actor, meta, userid, successor)
            .await?;
        let groups_transferred = self.messaging.hand_over(&corp, &from, &to).await?;
        Ok(Handover {
            userid: from.to_string(),
            handover_to: to.to_string(),
            groups_transferred,
        })
    }
}

//! Department groups: a group whose members follow a department of the directory (its
//! sub-departments included). The directory knows nothing of messaging, so a reconciler compares
//! each department group with the directory and adds or removes members; it runs after a
//! department group is made and periodically on every node (idempotent, so nodes may overlap).

use workhub_core::{Code, CorpId, Error, UserId};
use workhub_store::corps::CONTACTS_AGENT;

use super::Messaging;
use super::conversations::{GroupPatch, NewGroup};
use crate::StoreResultExt;
use crate::authz::catalogue as p;
use crate::context::{Actor, UserActor};
use crate::directory::Targets;

fn key(dept: i64) -> String {
    format!("dept:{dept}")
}

impl Messaging {
    /// Active members of a department and its sub-departments; None if it does not exist.
    async fn department_members(
        &self,
        corp: &CorpId,
        dept: i64,
    ) -> Result<Option<Vec<UserId>>, Error> {
        // The directory as the company itself sees it: every member, every department.
        let company = Actor::App {
            corp_id: corp.clone(),
            agent_id: CONTACTS_AGENT,
        };
        let targets = Targets {
            parties: vec![dept],
            ..Default::default()
        };
        let found = self.directory.resolve(&company, &targets).await?;
        Ok(found.invalid_parties.is_empty().then_some(found.users))
    }

    /// POST /conversations with `department`: opens (or returns) the department's group.
    pub(super) async fn create_department_group(
        &self,
        who: &UserActor,
        name: &str,
        dept: i64,
    ) -> Result<String, Error> {
        who.require(p::MESSAGING_DEPARTMENT_GROUP)?;
        let stores = &self.deps.stores.messages;
        if let Some(existing) = stores
            .find_conversation_by_key(&who.corp_id, &key(dept))
            .await
            .or_internal()?
        {
            return Ok(existing.id);
        }
        let members = self
            .department_members(&who.corp_id, dept)
            .await?
            .ok_or_else(|| Error::new(Code::DepartmentNotFound))?;
        let mut userids: Vec<String> = vec![who.userid.to_string()];
        userids.extend(members.iter().map(UserId::to_string));
        let group = NewGroup {
            id: None,
            unique_key: Some(key(dept)),
            name,
            owner: &who.userid,
        };
        self.create_group(&who.corp_id, group, &userids).await
    }

    /// Brings every department group of every company in line with the directory; how many
    /// groups changed. The owner stays even when outside the department.
    pub async fn sync_department_groups(&self) -> Result<usize, Error> {
        let corps = self
            .deps
            .stores
            .corps
            .list_corps(None)
            .await
            .or_internal()?;
        let mut changed = 0;
        for corp in corps.iter().map(|c| &c.corp.corp_id) {
            let groups = self
                .deps
                .stores
                .messages
                .list_conversations_by_key_prefix(corp, "dept:")
                .await
                .or_internal()?;
            for group in groups {
                let Some(dept) = group
                    .unique_key
                    .as_deref()
                    .and_then(|k| k.strip_prefix("dept:"))
                    .and_then(|d| d.parse().ok())
                else {
                    continue;
                };
                // A deleted department leaves its group as it was.
                let Some(wanted) = self.department_members(corp, dept).await? else {
                    continue;
                };
                let current = self.members_of(corp, &group.id).await?;
                let patch = GroupPatch {
                    add_members: wanted
                        .iter()
                        .filter(|u| !current.iter().any(|m| &m.userid == *u))
                        .map(UserId::to_string)
                        .collect(),
                    remove_members: current
                        .iter()
                        .filter(|m| !wanted.contains(&m.userid) && m.userid.as_str() != group.owner)
                        .map(|m| m.userid.to_string())
                        .collect(),
                    ..Default::default()
                };
                if patch.add_members.is_empty() && patch.remove_members.is_empty() {
                    continue;
                }
                match self.change_group(group.clone(), patch).await {
                    Ok(()) => changed += 1,
                    Err(e) => {
                        tracing::warn!(group = %group.id, error = ?e, "department group not synced")
                    }
                }
            }
        }
        Ok(changed)
    }
}

//! Who a message addressed to users, departments and tags reaches (WeCom's `touser`,
//! `toparty`, `totag`), within what the caller may see.

use std::collections::BTreeSet;

use workhub_core::{Error, UserId};

use super::Directory;
use crate::StoreResultExt;
use crate::context::Actor;

/// The members a message reaches, and the targets that were not valid.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Recipients {
    pub users: Vec<UserId>,
    pub invalid_users: Vec<String>,
    pub invalid_parties: Vec<i64>,
    pub invalid_tags: Vec<i64>,
}

/// Addressees as a caller gives them.
#[derive(Debug, Clone, Default)]
pub struct Targets {
    pub users: Vec<String>,
    pub parties: Vec<i64>,
    pub tags: Vec<i64>,
    /// `@all`: everyone the caller may see.
    pub all: bool,
}

impl Directory {
    /// Active members the targets name (departments include their sub-departments).
    pub async fn resolve(&self, actor: &Actor, targets: &Targets) -> Result<Recipients, Error> {
        let corp = Self::corp_of(actor)?;
        let scope = self.scope(actor).await?;
        let members = self
            .deps
            .stores
            .directory
            .list_members(corp, None)
            .await
            .or_internal()?;
        // Disabled members receive nothing; members outside an app's range do not exist for it.
        let reachable: Vec<_> = members
            .iter()
            .filter(|m| m.status != 2 && scope.as_ref().is_none_or(|s| s.member(m)))
            .collect();
        let tree = self.tree(corp).await?;
        let mut out = Recipients::default();
        let mut chosen = BTreeSet::new();
        if targets.all {
            chosen.extend(reachable.iter().map(|m| m.userid.clone()));
        }
        for user in &targets.users {
            // WeCom matches userids case-insensitively and reports them lower-cased.
            match reachable
                .iter()
                .find(|m| m.userid.as_str().eq_ignore_ascii_case(user))
            {
                Some(m) => {
                    chosen.insert(m.userid.clone());
                }
                None => out.invalid_users.push(user.to_lowercase()),
            }
        }
        for party in &targets.parties {
            let visible = scope.as_ref().is_none_or(|s| s.department(*party));
            if !tree.by_id.contains_key(party) || !visible {
                out.invalid_parties.push(*party);
                continue;
            }
            let depts: BTreeSet<i64> = tree.subtree(*party).into_iter().collect();
            chosen.extend(
                reachable
                    .iter()
                    .filter(|m| m.departments.iter().any(|d| depts.contains(&d.dept_id)))
                    .map(|m| m.userid.clone()),
            );
        }
        for tag in &targets.tags {
            if self.tag(corp, *tag).await.is_err() {
                out.invalid_tags.push(*tag);
                continue;
            }
            let (users, depts) = self
                .deps
                .stores
                .directory
                .tag_members(corp, *tag)
                .await
                .or_internal()?;
            let depts: BTreeSet<i64> = depts.iter().flat_map(|d| tree.subtree(*d)).collect();
            chosen.extend(
                reachable
                    .iter()
                    .filter(|m| {
                        users.contains(&m.userid)
                            || m.departments.iter().any(|d| depts.contains(&d.dept_id))
                    })
                    .map(|m| m.userid.clone()),
            );
        }
        out.users = chosen.into_iter().collect();
        Ok(out)
    }
}

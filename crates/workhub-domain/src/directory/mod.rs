//! The directory context: the department tree, members and tags. Both APIs (native and WeCom)
//! call these services; the field names follow WeCom's, so one input type serves both.

mod departments;
pub mod import;
pub mod input;
mod members;
mod recipients;
mod search;
mod tags;
mod views;

use std::collections::HashSet;

use workhub_core::{Code, CorpId, Error, UserId};
use workhub_store::directory::Member;

use crate::StoreResultExt;

pub use input::{DepartmentInput, MemberInput};
pub use recipients::{Recipients, Targets};
pub use views::{DepartmentView, MemberView, TagView};

use crate::Deps;
use crate::apps::Apps;
use crate::audit::Audit;
use crate::context::{Actor, Meta};
use crate::corps::Corps;

/// Event kinds this context emits (to every member of the company).
pub mod kinds {
    pub const DEPARTMENT_CREATED: &str = "department.created";
    pub const DEPARTMENT_UPDATED: &str = "department.updated";
    pub const DEPARTMENT_DELETED: &str = "department.deleted";
    pub const MEMBER_CREATED: &str = "member.created";
    pub const MEMBER_UPDATED: &str = "member.updated";
    pub const MEMBER_DELETED: &str = "member.deleted";
    pub const TAG_CREATED: &str = "tag.created";
    pub const TAG_UPDATED: &str = "tag.updated";
    pub const TAG_DELETED: &str = "tag.deleted";
    pub const TAG_MEMBERS_CHANGED: &str = "tag.members_changed";
    pub const DIRECTORY_IMPORTED: &str = "directory.imported";
}

#[derive(Clone)]
pub struct Directory {
    deps: Deps,
    audit: Audit,
    corps: Corps,
    apps: Apps,
    search: search::SearchIndexes,
    /// Set while a bulk import writes rows: they announce nothing one by one (with every row
    /// sent to every member, an import of N members would write N²/2 events); the job sends
    /// one `directory.imported` event when it ends.
    quiet: bool,
}

/// The part of the directory an app may see.
pub(super) struct Scope {
    depts: HashSet<i64>,
    users: HashSet<UserId>,
}

impl Scope {
    fn department(&self, id: i64) -> bool {
        self.depts.contains(&id)
    }

    fn member(&self, m: &Member) -> bool {
        self.users.contains(&m.userid)
            || m.departments
                .iter()
                .any(|d| self.depts.contains(&d.dept_id))
    }
}

/// What a caller may do in the directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Access {
    /// Administrators and the contacts-sync secret: everything.
    Manage,
    /// Members: read, with others' mobile numbers and emails masked.
    ReadMasked,
    /// Self-built apps: read.
    Read,
}

impl Directory {
    pub(crate) fn new(deps: Deps, audit: Audit, corps: Corps, apps: Apps) -> Self {
        Self {
            deps,
            audit,
            corps,
            apps,
            search: Default::default(),
            quiet: false,
        }
    }

    /// The caller's company and what they may do there.
    fn access(actor: &Actor) -> Result<(&CorpId, Access), Error> {
        match actor {
            Actor::User(u) if u.is_admin => Ok((&u.corp_id, Access::Manage)),
            Actor::User(u) => Ok((&u.corp_id, Access::ReadMasked)),
            Actor::App {
                corp_id,
                agent_id: workhub_store::corps::CONTACTS_AGENT,
            } => Ok((corp_id, Access::Manage)),
            Actor::App { corp_id, .. } => Ok((corp_id, Access::Read)),
            _ => Err(Error::new(Code::Unauthenticated)),
        }
    }

    fn manager(actor: &Actor) -> Result<&CorpId, Error> {
        match Self::access(actor)? {
            (corp, Access::Manage) => Ok(corp),
            _ => Err(Error::new(Code::Forbidden)),
        }
    }

    /// What of the directory the caller sees; None: everything (members, admins, the
    /// contacts secret, apps with no range set).
    pub(super) async fn scope(&self, actor: &Actor) -> Result<Option<Scope>, Error> {
        let Some(visible) = self.apps.visible(actor).await? else {
            return Ok(None);
        };
        let (corp, _) = Self::access(actor)?;
        let tree = self.tree(corp).await?;
        let mut depts: HashSet<i64> = visible
            .departments
            .iter()
            .flat_map(|d| tree.subtree(*d))
            .collect();
        let mut users: HashSet<UserId> = visible
            .users
            .iter()
            .filter_map(|u| UserId::parse(u).ok())
            .collect();
        for tag in &visible.tags {
            let (tag_users, tag_depts) = self
                .deps
                .stores
                .directory
                .tag_members(corp, *tag)
                .await
                .or_internal()?;
            users.extend(tag_users);
            depts.extend(tag_depts.iter().flat_map(|d| tree.subtree(*d)));
        }
        Ok(Some(Scope { depts, users }))
    }

    /// Who hears about a member change: everyone, or no one during a bulk import.
    fn audience(&self) -> workhub_store::Recipients {
        if self.quiet {
            workhub_store::Recipients::Users(vec![])
        } else {
            workhub_store::Recipients::WholeCorp
        }
    }

    async fn audited<T>(
        &self,
        actor: &Actor,
        meta: &Meta,
        action: &str,
        target: &str,
        result: Result<T, Error>,
    ) -> Result<T, Error> {
        if let Ok((corp, _)) = Self::access(actor) {
            self.audit
                .record(
                    corp.as_str(),
                    actor,
                    meta,
                    action,
                    target,
                    result.as_ref().map(|_| ()),
                )
                .await;
        }
        result
    }
}

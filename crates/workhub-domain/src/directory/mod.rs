//! The directory context: the department tree, members and tags. Both APIs (native and WeCom)
//! call these services; the field names follow WeCom's, so one input type serves both.

mod departments;
mod export;
pub mod import;
mod import_departments;
pub mod input;
pub mod jobs;
mod members;
mod recipients;
mod search;
mod spreadsheet;
mod tags;
mod views;
mod visibility;

use workhub_core::{Code, CorpId, Error};
use workhub_store::directory::Member;

pub use export::FileFormat;
pub use import_departments::DepartmentPreview;
pub use input::{DepartmentInput, MemberInput};
pub use recipients::{Recipients, Targets};
pub use views::{DepartmentView, MemberView, TagView};

use departments::Tree;

pub use visibility::VisibilityRuleView;

use crate::Deps;
use crate::apps::Apps;
use crate::audit::Audit;
use crate::authz::catalogue::{
    CONTACTS_MEMBER_READ_EMAIL as READ_EMAIL, CONTACTS_MEMBER_READ_MOBILE as READ_MOBILE,
};
use crate::authz::{Permission, Target};
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
    /// A member left; `handover_to` takes over their work.
    pub const MEMBER_RESIGNED: &str = "member.resigned";
    pub const TAG_CREATED: &str = "tag.created";
    pub const TAG_UPDATED: &str = "tag.updated";
    pub const TAG_DELETED: &str = "tag.deleted";
    pub const TAG_MEMBERS_CHANGED: &str = "tag.members_changed";
    pub const DIRECTORY_IMPORTED: &str = "directory.imported";
    pub const VISIBILITY_CHANGED: &str = "directory.visibility_changed";
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

    /// The caller's company, for reading the directory.
    fn corp_of(actor: &Actor) -> Result<&CorpId, Error> {
        match actor {
            Actor::User(u) => Ok(&u.corp_id),
            Actor::App { corp_id, .. } => Ok(corp_id),
            _ => Err(Error::new(Code::Unauthenticated)),
        }
    }

    /// The caller's company, for changing the directory: members (whose roles decide what they
    /// may change) and the contacts-sync secret; other apps only read.
    fn writer(actor: &Actor) -> Result<&CorpId, Error> {
        match actor {
            Actor::App {
                agent_id: workhub_store::corps::CONTACTS_AGENT,
                ..
            }
            | Actor::User(_) => Self::corp_of(actor),
            Actor::App { .. } => Err(Error::new(Code::Forbidden)),
            _ => Err(Error::new(Code::Unauthenticated)),
        }
    }

    /// Refuses unless the caller may use the permission on the target. The contacts-sync
    /// secret may do everything in the directory.
    fn permit(actor: &Actor, permission: Permission, target: Target<'_>) -> Result<(), Error> {
        match actor {
            Actor::User(u) => u.authority.require(permission, target),
            Actor::App {
                agent_id: workhub_store::corps::CONTACTS_AGENT,
                ..
            } => Ok(()),
            _ => Err(Error::new(Code::Forbidden)),
        }
    }

    /// The caller's company, if they may use the permission company-wide.
    fn company_wide(actor: &Actor, permission: Permission) -> Result<&CorpId, Error> {
        let corp = Self::writer(actor)?;
        Self::permit(actor, permission, Target::Company)?;
        Ok(corp)
    }

    /// Refuses unless the caller may change this member as they are (`before`) and as they will
    /// be (`after`): every department involved must be within reach. Only super admins change
    /// super admins.
    async fn permit_member(
        &self,
        actor: &Actor,
        corp: &CorpId,
        permission: Permission,
        before: Option<&Member>,
        after: Option<&Member>,
    ) -> Result<(), Error> {
        let Actor::User(u) = actor else {
            return Self::permit(actor, permission, Target::Company);
        };
        if u.is_super_admin() {
            return Ok(());
        }
        if before.is_some_and(|m| m.is_admin) {
            return Err(Error::new(Code::Forbidden));
        }
        if u.authority.holds_company_wide(permission) {
            return Ok(());
        }
        let tree = self.tree(corp).await?;
        let paths: Vec<Vec<i64>> = before
            .into_iter()
            .chain(after)
            .flat_map(|m| m.departments.iter().map(|d| tree.path(d.dept_id)))
            .collect();
        u.authority.require(permission, Target::AllOf(&paths))
    }

    /// How the caller sees members' mobiles and emails.
    pub(super) async fn reader<'a>(&self, actor: &'a Actor) -> Result<Reader<'a>, Error> {
        let tree = match actor {
            Actor::User(u)
                if !u.is_super_admin()
                    && (u.authority.holds(READ_MOBILE) || u.authority.holds(READ_EMAIL)) =>
            {
                Some(self.tree(&u.corp_id).await?)
            }
            _ => None,
        };
        Ok(Reader { actor, tree })
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
        if let Ok(corp) = Self::corp_of(actor) {
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

/// Someone reading member profiles: members see others' mobiles and emails masked unless their
/// roles reach one of the member's departments; apps and the contacts secret see them in full.
pub(super) struct Reader<'a> {
    actor: &'a Actor,
    /// The tree, when the reader's roles reach only parts of it.
    tree: Option<Tree>,
}

impl Reader<'_> {
    pub(super) fn view(&self, m: &Member) -> MemberView {
        let Actor::User(u) = self.actor else {
            return MemberView::of(m, false, false);
        };
        if u.userid == m.userid {
            return MemberView::of(m, false, false);
        }
        let paths: Vec<Vec<i64>> = match &self.tree {
            Some(tree) => m.departments.iter().map(|d| tree.path(d.dept_id)).collect(),
            None => vec![],
        };
        let sees = |p: Permission| u.authority.allows(p, Target::AnyOf(&paths));
        MemberView::of(m, !sees(READ_MOBILE), !sees(READ_EMAIL))
    }
}

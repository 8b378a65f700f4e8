//! What of the directory a caller sees. Self-built apps see their visible range. Members see
//! everything unless an admin set a visibility rule for their department (or its nearest
//! ancestor with one): then they see the rule's subtrees, their own departments, and what their
//! admin roles reach. Super admins and company-wide contacts admins see everything.

use std::collections::{HashMap, HashSet};

use serde::Serialize;
use workhub_core::{Code, CorpId, Error, UserId};
use workhub_store::directory::Member;
use workhub_store::{NewEvent, Recipients};

use super::{Directory, kinds};
use crate::StoreResultExt;
use crate::authz::catalogue as p;
use crate::context::{Actor, Meta, UserActor};

/// The part of the directory a caller sees.
pub(super) struct Scope {
    depts: HashSet<i64>,
    users: HashSet<UserId>,
    /// Ancestors of visible departments: listed so the tree can be drawn, their members hidden.
    path_only: HashSet<i64>,
}

impl Scope {
    pub(super) fn department(&self, id: i64) -> bool {
        self.depts.contains(&id) || self.path_only.contains(&id)
    }

    pub(super) fn member(&self, m: &Member) -> bool {
        self.users.contains(&m.userid)
            || m.departments
                .iter()
                .any(|d| self.depts.contains(&d.dept_id))
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct VisibilityRuleView {
    pub department: i64,
    pub visible: Vec<i64>,
}

impl Directory {
    /// What of the directory the caller sees; None: everything.
    pub(super) async fn scope(&self, actor: &Actor) -> Result<Option<Scope>, Error> {
        match actor {
            Actor::User(u) => self.member_scope(u).await,
            _ => self.app_scope(actor).await,
        }
    }

    async fn app_scope(&self, actor: &Actor) -> Result<Option<Scope>, Error> {
        let Some(visible) = self.apps.visible(actor).await? else {
            return Ok(None);
        };
        let corp = Self::corp_of(actor)?;
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
            let directory = &self.deps.stores.directory;
            let (tag_users, tag_depts) = directory.tag_members(corp, *tag).await.or_internal()?;
            users.extend(tag_users);
            depts.extend(tag_depts.iter().flat_map(|d| tree.subtree(*d)));
        }
        Ok(Some(Scope {
            depts,
            users,
            path_only: HashSet::new(),
        }))
    }

    async fn member_scope(&self, u: &UserActor) -> Result<Option<Scope>, Error> {
        if u.authority.holds_company_wide(p::CONTACTS_MEMBER_EDIT) {
            return Ok(None);
        }
        let corp = &u.corp_id;
        let rules = self
            .deps
            .stores
            .visibility
            .list_visibility_rules(corp)
            .await
            .or_internal()?;
        if rules.is_empty() {
            return Ok(None);
        }
        let rules: HashMap<i64, Vec<i64>> = rules
            .into_iter()
            .map(|r| (r.department, r.visible))
            .collect();
        let me = self
            .deps
            .stores
            .directory
            .find_member(corp, &u.userid)
            .await
            .or_internal()?;
        let Some(me) = me else {
            return Ok(None);
        };
        let tree = self.tree(corp).await?;
        let mut depts = HashSet::new();
        for membership in &me.departments {
            let path = tree.path(membership.dept_id);
            match path.iter().rev().find_map(|id| rules.get(id)) {
                // No rule up to the root: this department sees everything.
                None => return Ok(None),
                Some(visible) => depts.extend(visible.iter().flat_map(|v| tree.subtree(*v))),
            }
            depts.extend(tree.subtree(membership.dept_id));
        }
        for grant in u.authority.grants() {
            depts.extend(grant.departments.iter().flat_map(|d| tree.subtree(*d)));
        }
        let path_only = depts.iter().flat_map(|d| tree.path(*d)).collect();
        Ok(Some(Scope {
            depts,
            users: HashSet::from([u.userid.clone()]),
            path_only,
        }))
    }

    /// Every department's visibility rule.
    pub async fn visibility_rules(&self, actor: &Actor) -> Result<Vec<VisibilityRuleView>, Error> {
        let corp = Self::company_wide(actor, p::CONTACTS_VISIBILITY_EDIT)?;
        let rules = self
            .deps
            .stores
            .visibility
            .list_visibility_rules(corp)
            .await
            .or_internal()?;
        Ok(rules
            .into_iter()
            .map(|r| VisibilityRuleView {
                department: r.department,
                visible: r.visible,
            })
            .collect())
    }

    /// Sets which subtrees the members of a department see (`[]`: only their own departments),
    /// or with None removes the rule.
    pub async fn set_visibility_rule(
        &self,
        actor: &Actor,
        meta: &Meta,
        department: i64,
        visible: Option<Vec<i64>>,
    ) -> Result<(), Error> {
        let result = async {
            let corp: CorpId = Self::company_wide(actor, p::CONTACTS_VISIBILITY_EDIT)?.clone();
            let tree = self.tree(&corp).await?;
            if !tree.by_id.contains_key(&department) {
                return Err(Error::new(Code::DepartmentNotFound));
            }
            let visible = visible.map(|mut v| {
                v.sort_unstable();
                v.dedup();
                v
            });
            if let Some(unknown) = visible
                .iter()
                .flatten()
                .find(|d| !tree.by_id.contains_key(d))
            {
                return Err(Error::with(Code::InvalidDepartment, unknown.to_string()));
            }
            let event = NewEvent::new(
                Recipients::WholeCorp,
                kinds::VISIBILITY_CHANGED,
                &serde_json::json!({ "department": department }),
            );
            let store = &self.deps.stores.visibility;
            let now = self.deps.now();
            let committed = store.set_visibility_rule(&corp, department, visible, now, event);
            self.deps.publish(committed.await.or_internal()?).await;
            Ok(())
        }
        .await;
        let target = department.to_string();
        self.audited(actor, meta, "directory.visibility", &target, result)
            .await
    }
}

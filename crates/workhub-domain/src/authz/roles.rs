//! Managing admin roles: custom roles, and who holds which role over which departments. Every
//! change is audited and tells the holder's devices to reload what they may do.

use std::collections::{BTreeSet, HashMap};

use serde::{Deserialize, Serialize};
use workhub_core::{Code, CorpId, Error, Lang, UserId, secret};
use workhub_store::roles::{CustomRole, DeleteRole, RoleGrant, SuperAdminChange};
use workhub_store::{NewEvent, Recipients, StoreError};

use super::catalogue::{
    SECURITY_ADMIN_ROLE_ASSIGN, SECURITY_ADMIN_ROLE_EDIT, SECURITY_ADMIN_ROLE_READ,
};
use super::{
    Authority, BuiltinRole, Grant, Permission, ROLES_CHANGED, SUPER_ADMIN, Scoping, Target,
};
use crate::audit::Audit;
use crate::context::{Actor, Meta, UserActor};
use crate::{Deps, StoreResultExt, store_error};

#[derive(Debug, Clone, Serialize)]
pub struct HolderView {
    pub userid: String,
    pub name: String,
    pub departments: Vec<i64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RoleView {
    pub id: String,
    pub builtin: bool,
    pub name: String,
    pub description: String,
    pub scoped: Scoping,
    pub permissions: Vec<Permission>,
    pub holders: Vec<HolderView>,
}

/// A custom role's fields; on update, absent ones stay as they are.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RoleInput {
    pub name: Option<String>,
    pub description: Option<String>,
    pub permissions: Option<Vec<String>>,
}

#[derive(Clone)]
pub struct Roles {
    deps: Deps,
    audit: Audit,
}

impl Roles {
    pub(crate) fn new(deps: Deps, audit: Audit) -> Self {
        Self { deps, audit }
    }

    /// Every role, built-in first, with its holders.
    pub async fn list(&self, who: &UserActor, lang: Lang) -> Result<Vec<RoleView>, Error> {
        who.authority
            .require(SECURITY_ADMIN_ROLE_READ, Target::Company)?;
        let corp = &who.corp_id;
        let stores = &self.deps.stores;
        let custom = stores.roles.list_roles(corp).await.or_internal()?;
        let grants = stores.roles.list_grants(corp).await.or_internal()?;
        let supers = stores.roles.super_admins(corp).await.or_internal()?;
        let mut userids: Vec<UserId> = grants.iter().map(|g| g.userid.clone()).collect();
        userids.extend(supers.iter().cloned());
        userids.sort();
        userids.dedup();
        let names: HashMap<UserId, String> = stores
            .directory
            .find_members(corp, &userids)
            .await
            .or_internal()?
            .into_iter()
            .map(|m| (m.userid, m.name))
            .collect();
        let holder = |userid: &UserId, departments: &[i64]| HolderView {
            userid: userid.to_string(),
            name: names
                .get(userid)
                .cloned()
                .unwrap_or_else(|| userid.to_string()),
            departments: departments.to_vec(),
        };
        let holders_of = |role_id: &str| -> Vec<HolderView> {
            if role_id == SUPER_ADMIN {
                return supers.iter().map(|u| holder(u, &[])).collect();
            }
            grants
                .iter()
                .filter(|g| g.role_id == role_id)
                .map(|g| holder(&g.userid, &g.departments))
                .collect()
        };
        let mut views: Vec<RoleView> = super::BUILTIN_ROLES
            .iter()
            .map(|r| RoleView {
                id: r.id.to_string(),
                builtin: true,
                name: pick(lang, r.zh, r.en).to_string(),
                description: pick(lang, r.zh_description, r.en_description).to_string(),
                scoped: r.scoping,
                permissions: r.permissions(),
                holders: holders_of(r.id),
            })
            .collect();
        views.extend(
            custom
                .iter()
                .map(|r| custom_view(r, holders_of(&r.role_id))),
        );
        Ok(views)
    }

    pub async fn create(
        &self,
        who: &UserActor,
        meta: &Meta,
        input: RoleInput,
    ) -> Result<RoleView, Error> {
        let result = async {
            who.authority
                .require(SECURITY_ADMIN_ROLE_EDIT, Target::Company)?;
            let now = self.deps.now();
            let role = CustomRole {
                role_id: format!("r_{}", secret::random_hex(12)),
                name: valid_name(input.name.as_deref().unwrap_or_default())?,
                description: valid_description(input.description.as_deref())?,
                permissions: valid_permissions(input.permissions.as_deref().unwrap_or_default())?,
                created_at: now,
                updated_at: now,
            };
            self.deps
                .stores
                .roles
                .create_role(&who.corp_id, role.clone())
                .await
                .map_err(name_taken)?;
            Ok(custom_view(&role, vec![]))
        }
        .await;
        let target = result.as_ref().map(|r| r.id.clone()).unwrap_or_default();
        self.audited(who, meta, "admin_role.create", &target, result)
            .await
    }

    pub async fn update(
        &self,
        who: &UserActor,
        meta: &Meta,
        role_id: &str,
        input: RoleInput,
    ) -> Result<RoleView, Error> {
        let result = async {
            who.authority
                .require(SECURITY_ADMIN_ROLE_EDIT, Target::Company)?;
            let corp = &who.corp_id;
            let mut role = self.custom_role(corp, role_id).await?;
            if let Some(name) = &input.name {
                role.name = valid_name(name)?;
            }
            if input.description.is_some() {
                role.description = valid_description(input.description.as_deref())?;
            }
            if let Some(keys) = &input.permissions {
                role.permissions = valid_permissions(keys)?;
            }
            role.updated_at = self.deps.now();
            let holders = self.holders(corp, role_id).await?;
            let event = roles_changed(holders.iter().map(|h| h.userid.clone()).collect());
            let committed = self
                .deps
                .stores
                .roles
                .update_role(corp, role.clone(), event)
                .await
                .map_err(name_taken)?;
            if !self.deps.publish(committed).await {
                return Err(Error::new(Code::RoleNotFound));
            }
            Ok(custom_view(&role, self.holder_views(corp, &holders).await?))
        }
        .await;
        self.audited(who, meta, "admin_role.update", role_id, result)
            .await
    }

    pub async fn delete(&self, who: &UserActor, meta: &Meta, role_id: &str) -> Result<(), Error> {
        let result = async {
            who.authority
                .require(SECURITY_ADMIN_ROLE_EDIT, Target::Company)?;
            if BuiltinRole::find(role_id).is_some() {
                return Err(Error::new(Code::BuiltinRole));
            }
            match self
                .deps
                .stores
                .roles
                .delete_role(&who.corp_id, role_id)
                .await
                .or_internal()?
            {
                DeleteRole::Deleted => Ok(()),
                DeleteRole::NotFound => Err(Error::new(Code::RoleNotFound)),
                DeleteRole::InUse => Err(Error::new(Code::RoleInUse)),
            }
        }
        .await;
        self.audited(who, meta, "admin_role.delete", role_id, result)
            .await
    }

    /// Gives a member a role over the departments (none: the whole company), or changes the
    /// departments of a role they hold.
    pub async fn assign(
        &self,
        who: &UserActor,
        meta: &Meta,
        role_id: &str,
        userid: &str,
        departments: Vec<i64>,
    ) -> Result<HolderView, Error> {
        let result = self.assign_inner(who, role_id, userid, departments).await;
        let target = format!("{role_id}:{userid}");
        self.audited(who, meta, "admin_role.assign", &target, result)
            .await
    }

    async fn assign_inner(
        &self,
        who: &UserActor,
        role_id: &str,
        userid: &str,
        departments: Vec<i64>,
    ) -> Result<HolderView, Error> {
        let corp = &who.corp_id;
        let member = self.member(corp, userid).await?;
        let (scoping, permissions, custom) = self.role_shape(corp, role_id).await?;
        may_hand_out(&who.authority, role_id, &permissions)?;
        let departments = self.valid_scope(corp, scoping, departments).await?;
        let now = self.deps.now();
        let event = roles_changed(vec![member.userid.clone()]);
        if role_id == SUPER_ADMIN {
            let change =
                self.deps
                    .stores
                    .roles
                    .set_super_admin(corp, &member.userid, true, now, event);
            self.super_admin_changed(change.await).await?;
        } else {
            let grant = RoleGrant {
                role_id: role_id.to_string(),
                userid: member.userid.clone(),
                departments: departments.clone(),
                granted_by: who.userid.to_string(),
                granted_at: now,
            };
            let committed = self.deps.stores.roles.put_grant(corp, grant, custom, event);
            if !self.deps.publish(committed.await.or_internal()?).await {
                return Err(Error::new(Code::RoleNotFound));
            }
        }
        Ok(HolderView {
            userid: member.userid.to_string(),
            name: member.name,
            departments,
        })
    }

    pub async fn unassign(
        &self,
        who: &UserActor,
        meta: &Meta,
        role_id: &str,
        userid: &str,
    ) -> Result<(), Error> {
        let result = async {
            let corp = &who.corp_id;
            let (_, permissions, _) = self.role_shape(corp, role_id).await?;
            may_hand_out(&who.authority, role_id, &permissions)?;
            let userid = UserId::parse(userid).map_err(|_| Error::new(Code::UserNotFound))?;
            let now = self.deps.now();
            let event = roles_changed(vec![userid.clone()]);
            if role_id == SUPER_ADMIN {
                let change = self
                    .deps
                    .stores
                    .roles
                    .set_super_admin(corp, &userid, false, now, event);
                return self.super_admin_changed(change.await).await;
            }
            let committed = self
                .deps
                .stores
                .roles
                .delete_grant(corp, role_id, &userid, now, event);
            if self.deps.publish(committed.await.or_internal()?).await {
                Ok(())
            } else {
                Err(Error::new(Code::UserNotFound))
            }
        }
        .await;
        let target = format!("{role_id}:{userid}");
        self.audited(who, meta, "admin_role.unassign", &target, result)
            .await
    }

    async fn super_admin_changed(
        &self,
        change: Result<workhub_store::Committed<SuperAdminChange>, StoreError>,
    ) -> Result<(), Error> {
        match self.deps.publish(change.or_internal()?).await {
            SuperAdminChange::Done => Ok(()),
            SuperAdminChange::UserNotFound => Err(Error::new(Code::UserNotFound)),
            SuperAdminChange::LastSuperAdmin => Err(Error::new(Code::LastSuperAdmin)),
        }
    }

    /// A role's scoping, permissions and whether it is custom.
    async fn role_shape(
        &self,
        corp: &CorpId,
        role_id: &str,
    ) -> Result<(Scoping, Vec<Permission>, bool), Error> {
        if let Some(role) = BuiltinRole::find(role_id) {
            return Ok((role.scoping, role.permissions(), false));
        }
        let role = self.custom_role(corp, role_id).await?;
        let permissions = role
            .permissions
            .iter()
            .filter_map(|k| Permission::parse(k))
            .collect();
        Ok((Scoping::Optional, permissions, true))
    }

    async fn custom_role(&self, corp: &CorpId, role_id: &str) -> Result<CustomRole, Error> {
        if BuiltinRole::find(role_id).is_some() {
            return Err(Error::new(Code::BuiltinRole));
        }
        let roles = self
            .deps
            .stores
            .roles
            .list_roles(corp)
            .await
            .or_internal()?;
        roles
            .into_iter()
            .find(|r| r.role_id == role_id)
            .ok_or_else(|| Error::new(Code::RoleNotFound))
    }

    async fn holders(&self, corp: &CorpId, role_id: &str) -> Result<Vec<RoleGrant>, Error> {
        let grants = self
            .deps
            .stores
            .roles
            .list_grants(corp)
            .await
            .or_internal()?;
        Ok(grants
            .into_iter()
            .filter(|g| g.role_id == role_id)
            .collect())
    }

    async fn holder_views(
        &self,
        corp: &CorpId,
        grants: &[RoleGrant],
    ) -> Result<Vec<HolderView>, Error> {
        let userids: Vec<UserId> = grants.iter().map(|g| g.userid.clone()).collect();
        let members = self
            .deps
            .stores
            .directory
            .find_members(corp, &userids)
            .await
            .or_internal()?;
        Ok(grants
            .iter()
            .map(|g| HolderView {
                userid: g.userid.to_string(),
                name: members
                    .iter()
                    .find(|m| m.userid == g.userid)
                    .map_or_else(|| g.userid.to_string(), |m| m.name.clone()),
                departments: g.departments.clone(),
            })
            .collect())
    }

    async fn member(
        &self,
        corp: &CorpId,
        userid: &str,
    ) -> Result<workhub_store::directory::Member, Error> {
        let userid = UserId::parse(userid).map_err(|_| Error::new(Code::UserNotFound))?;
        self.deps
            .stores
            .directory
            .find_member(corp, &userid)
            .await
            .or_internal()?
            .ok_or_else(|| Error::new(Code::UserNotFound))
    }

    /// The departments, deduplicated and checked against the tree and the role's scoping.
    async fn valid_scope(
        &self,
        corp: &CorpId,
        scoping: Scoping,
        departments: Vec<i64>,
    ) -> Result<Vec<i64>, Error> {
        let departments: Vec<i64> = departments
            .into_iter()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        match scoping {
            Scoping::None if !departments.is_empty() => {
                return Err(Error::new(Code::ScopeNotAllowed));
            }
            Scoping::Required if departments.is_empty() => {
                return Err(Error::new(Code::ScopeRequired));
            }
            _ => {}
        }
        if departments.len() > 100 {
            return Err(Error::with(Code::InvalidDepartment, "at most 100"));
        }
        let tree = self
            .deps
            .stores
            .directory
            .list_departments(corp)
            .await
            .or_internal()?;
        if let Some(unknown) = departments
            .iter()
            .find(|d| !tree.iter().any(|t| t.id == **d))
        {
            return Err(Error::with(Code::InvalidDepartment, unknown.to_string()));
        }
        Ok(departments)
    }

    async fn audited<T>(
        &self,
        who: &UserActor,
        meta: &Meta,
        action: &str,
        target: &str,
        result: Result<T, Error>,
    ) -> Result<T, Error> {
        let actor = Actor::User(who.clone());
        let outcome = result.as_ref().map(|_| ());
        self.audit
            .record(who.corp_id.as_str(), &actor, meta, action, target, outcome)
            .await;
        result
    }
}

/// What a member may do as an admin, from their roles (read on every signed-in request).
pub(crate) async fn authority_of(
    deps: &Deps,
    corp: &CorpId,
    userid: &UserId,
    super_admin: bool,
    has_roles: bool,
) -> Result<Authority, Error> {
    if super_admin {
        return Ok(Authority::super_admin());
    }
    // Most members hold no role: their row says so, and no grant is read.
    if !has_roles {
        return Ok(Authority::default());
    }
    let held = deps
        .stores
        .roles
        .grants_of(corp, userid)
        .await
        .or_internal()?;
    let grants = held
        .into_iter()
        .filter_map(|h| {
            let permissions = match (&h.custom_permissions, BuiltinRole::find(&h.grant.role_id)) {
                (Some(keys), _) => keys.iter().filter_map(|k| Permission::parse(k)).collect(),
                (None, Some(role)) => role.permissions(),
                // A grant of a role that no longer exists grants nothing.
                (None, None) => return None,
            };
            Some(Grant {
                role_id: h.grant.role_id,
                permissions,
                departments: h.grant.departments,
            })
        })
        .collect();
    Ok(Authority::with_grants(grants))
}

/// Nobody hands out more than they hold: only a super admin makes super admins, and any other
/// role needs the assign permission plus every permission of the role, company-wide.
fn may_hand_out(
    authority: &Authority,
    role_id: &str,
    permissions: &[Permission],
) -> Result<(), Error> {
    let allowed = if role_id == SUPER_ADMIN {
        authority.is_super_admin()
    } else {
        authority.holds_company_wide(SECURITY_ADMIN_ROLE_ASSIGN)
            && permissions.iter().all(|p| authority.holds_company_wide(*p))
    };
    if allowed {
        Ok(())
    } else {
        Err(Error::new(Code::Forbidden))
    }
}

fn roles_changed(userids: Vec<UserId>) -> NewEvent {
    NewEvent::new(
        Recipients::Users(userids),
        ROLES_CHANGED,
        &serde_json::json!({}),
    )
}

fn custom_view(role: &CustomRole, holders: Vec<HolderView>) -> RoleView {
    RoleView {
        id: role.role_id.clone(),
        builtin: false,
        name: role.name.clone(),
        description: role.description.clone(),
        scoped: Scoping::Optional,
        permissions: role
            .permissions
            .iter()
            .filter_map(|k| Permission::parse(k))
            .collect(),
        holders,
    }
}

fn pick(lang: Lang, zh: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::Zh => zh,
        Lang::En => en,
    }
}

fn name_taken(e: StoreError) -> Error {
    match e {
        StoreError::Duplicate(_) => Error::new(Code::RoleExists),
        other => store_error(other),
    }
}

fn valid_name(name: &str) -> Result<String, Error> {
    let name = name.trim();
    let length = name.chars().count();
    if length == 0 || length > 32 || name.chars().any(char::is_control) {
        return Err(Error::with(Code::InvalidName, "1..32"));
    }
    Ok(name.to_string())
}

fn valid_description(description: Option<&str>) -> Result<String, Error> {
    let description = description.unwrap_or_default().trim();
    if description.chars().count() > 200 {
        return Err(Error::with(
            Code::InvalidRequest,
            "description: at most 200 characters",
        ));
    }
    Ok(description.to_string())
}

/// Catalogue keys, deduplicated in catalogue order; at least one.
fn valid_permissions(keys: &[String]) -> Result<Vec<String>, Error> {
    let mut chosen = BTreeSet::new();
    for key in keys {
        let permission = Permission::parse(key.trim())
            .ok_or_else(|| Error::with(Code::InvalidPermission, key.clone()))?;
        chosen.insert(permission);
    }
    if chosen.is_empty() {
        return Err(Error::with(Code::MissingField, "permissions"));
    }
    Ok(super::CATALOGUE
        .iter()
        .filter(|e| chosen.contains(&e.permission))
        .map(|e| e.permission.key().to_string())
        .collect())
}

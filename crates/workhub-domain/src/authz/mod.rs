//! Authorization: who may do what to which part of the company. Pure code, no storage: a
//! caller's [`Authority`] (built once per request from their admin roles) answers whether a
//! permission reaches a [`Target`]. Every admin endpoint asks here, and nowhere else.

mod builtin;
pub mod catalogue;
mod roles;

use std::collections::HashSet;

use workhub_core::{Code, Error};

pub use builtin::{BRANCH_ADMIN, BUILTIN_ROLES, BuiltinRole, SUPER_ADMIN, Scoping};
pub use catalogue::{AREAS, CATALOGUE, Permission};
pub(crate) use roles::authority_of;
pub use roles::{HolderView, RoleInput, RoleView, Roles};

/// Event kind sent to a member whose roles changed: their clients reload what they may do.
pub const ROLES_CHANGED: &str = "admin.roles_changed";

/// One role held by one member, with the role's permissions resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub role_id: String,
    pub permissions: Vec<Permission>,
    /// Roots of the department subtrees the grant reaches; empty: the whole company.
    pub departments: Vec<i64>,
}

/// What a permission is asked about.
#[derive(Debug, Clone, Copy)]
pub enum Target<'a> {
    /// The company as a whole: settings, tags, imports, the audit log.
    Company,
    /// A department, by its path from the root (1, …, the department itself).
    Department(&'a [i64]),
    /// A member being changed: every one of these department paths (their departments before
    /// and after the change) must be reachable.
    AllOf(&'a [Vec<i64>]),
    /// A member being looked at: one reachable department path is enough.
    AnyOf(&'a [Vec<i64>]),
}

/// Everything a signed-in member may do as an admin.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Authority {
    super_admin: bool,
    grants: Vec<Grant>,
}

impl Authority {
    pub fn super_admin() -> Authority {
        Authority {
            super_admin: true,
            grants: Vec::new(),
        }
    }

    pub fn with_grants(grants: Vec<Grant>) -> Authority {
        Authority {
            super_admin: false,
            grants,
        }
    }

    pub fn is_super_admin(&self) -> bool {
        self.super_admin
    }

    pub fn grants(&self) -> &[Grant] {
        &self.grants
    }

    /// Whether the permission reaches the target.
    pub fn allows(&self, permission: Permission, target: Target<'_>) -> bool {
        if self.super_admin {
            return true;
        }
        let mut reach: HashSet<i64> = HashSet::new();
        for grant in self
            .grants
            .iter()
            .filter(|g| g.permissions.contains(&permission))
        {
            if grant.departments.is_empty() {
                return true;
            }
            reach.extend(&grant.departments);
        }
        let reachable = |path: &Vec<i64>| path.iter().any(|d| reach.contains(d));
        match target {
            Target::Company => false,
            Target::Department(path) => path.iter().any(|d| reach.contains(d)),
            Target::AllOf(paths) => !paths.is_empty() && paths.iter().all(reachable),
            Target::AnyOf(paths) => paths.iter().any(reachable),
        }
    }

    /// [`Authority::allows`], as the error the caller sees when it does not.
    pub fn require(&self, permission: Permission, target: Target<'_>) -> Result<(), Error> {
        if self.allows(permission, target) {
            Ok(())
        } else {
            Err(Error::new(Code::Forbidden))
        }
    }

    /// Whether the permission is held anywhere (for showing a page at all).
    pub fn holds(&self, permission: Permission) -> bool {
        self.super_admin
            || self
                .grants
                .iter()
                .any(|g| g.permissions.contains(&permission))
    }

    /// Whether the permission is held for the whole company.
    pub fn holds_company_wide(&self, permission: Permission) -> bool {
        self.allows(permission, Target::Company)
    }

    /// Every permission held, in catalogue order.
    pub fn permissions(&self) -> Vec<Permission> {
        CATALOGUE
            .iter()
            .map(|e| e.permission)
            .filter(|p| self.holds(*p))
            .collect()
    }
}

#[cfg(test)]
mod tests;

//! Admin roles: the company's custom roles (built-in ones live in code) and who holds which role,
//! over which department subtrees. Super admins are the members flagged `is_admin`.

use async_trait::async_trait;
use workhub_core::{CorpId, UserId};

use crate::{Committed, NewEvent, StoreResult};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomRole {
    pub role_id: String,
    pub name: String,
    pub description: String,
    /// Permission keys.
    pub permissions: Vec<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// One member holding one role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleGrant {
    pub role_id: String,
    pub userid: UserId,
    /// Roots of the department subtrees the grant reaches; empty: the whole company.
    pub departments: Vec<i64>,
    pub granted_by: String,
    pub granted_at: i64,
}

/// A member's grant with, for a custom role, the role's permission keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldRole {
    pub grant: RoleGrant,
    /// None for built-in roles (their permissions are in code).
    pub custom_permissions: Option<Vec<String>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeleteRole {
    Deleted,
    NotFound,
    InUse,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SuperAdminChange {
    Done,
    UserNotFound,
    /// Refused: it would leave the company without a super admin.
    LastSuperAdmin,
}

#[async_trait]
pub trait RoleStore: Send + Sync {
    async fn list_roles(&self, corp: &CorpId) -> StoreResult<Vec<CustomRole>>;
    /// `Duplicate` when the name is taken.
    async fn create_role(&self, corp: &CorpId, role: CustomRole) -> StoreResult<()>;
    /// Saves name, description and permissions; false if there is no such role. The event tells
    /// the holders their permissions changed.
    async fn update_role(
        &self,
        corp: &CorpId,
        role: CustomRole,
        event: NewEvent,
    ) -> StoreResult<Committed<bool>>;
    /// Refused while anyone holds the role.
    async fn delete_role(&self, corp: &CorpId, role_id: &str) -> StoreResult<DeleteRole>;

    async fn list_grants(&self, corp: &CorpId) -> StoreResult<Vec<RoleGrant>>;
    /// The company's super admins.
    async fn super_admins(&self, corp: &CorpId) -> StoreResult<Vec<UserId>>;
    async fn grants_of(&self, corp: &CorpId, userid: &UserId) -> StoreResult<Vec<HeldRole>>;
    /// Grants the role or replaces the holder's departments. With `custom`, false when the role
    /// no longer exists (nothing saved).
    async fn put_grant(
        &self,
        corp: &CorpId,
        grant: RoleGrant,
        custom: bool,
        event: NewEvent,
    ) -> StoreResult<Committed<bool>>;
    /// False if the member did not hold the role.
    async fn delete_grant(
        &self,
        corp: &CorpId,
        role_id: &str,
        userid: &UserId,
        now: i64,
        event: NewEvent,
    ) -> StoreResult<Committed<bool>>;
    /// Makes a member super admin or not; never leaves the company without one.
    async fn set_super_admin(
        &self,
        corp: &CorpId,
        userid: &UserId,
        on: bool,
        now: i64,
        event: NewEvent,
    ) -> StoreResult<Committed<SuperAdminChange>>;
}

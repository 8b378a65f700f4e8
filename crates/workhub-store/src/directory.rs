//! The org directory: departments (a tree under root 1), member profiles and their
//! department memberships, tags, and activation links for invited members.

use async_trait::async_trait;
use workhub_core::{CorpId, UserId};

use crate::accounts::NewUser;
use crate::{Committed, NewEvent, StoreResult};

pub const ROOT_DEPARTMENT: i64 = 1;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Department {
    pub id: i64,
    pub name: String,
    pub name_en: Option<String>,
    pub parent_id: i64,
    /// Larger sorts first among siblings.
    pub order: i64,
}

/// A member's place in one department.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    pub dept_id: i64,
    pub order: i64,
    pub is_leader: bool,
}

/// The profile fields beyond the account (`users` row) that the directory owns.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Profile {
    pub alias: Option<String>,
    pub position: Option<String>,
    /// "0" unknown, "1" male, "2" female (WeCom's values).
    pub gender: String,
    pub telephone: Option<String>,
    pub avatar: Option<String>,
    /// WeCom `extattr` as JSON text.
    pub extattr: Option<String>,
    pub main_department: i64,
    pub direct_leaders: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub userid: UserId,
    pub name: String,
    pub mobile: Option<String>,
    pub email: Option<String>,
    pub is_admin: bool,
    /// 1 active, 2 disabled, 4 not yet activated.
    pub status: i64,
    pub profile: Profile,
    /// In the member's own order.
    pub departments: Vec<Membership>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeleteDepartment {
    Deleted,
    NotFound,
    HasMembers,
    HasChildren,
}

/// Members and departments to add to a tag, or with `remove`, to take off it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagChange {
    pub users: Vec<UserId>,
    pub departments: Vec<i64>,
    pub remove: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tag {
    pub id: i64,
    pub name: String,
}

#[async_trait]
pub trait DirectoryStore: Send + Sync {
    /// The whole tree, parents before children, siblings by order (larger first) then id.
    async fn list_departments(&self, corp: &CorpId) -> StoreResult<Vec<Department>>;
    /// Adds a department; `id` None takes the next free id. Fails `Duplicate` on a taken id.
    async fn create_department(
        &self,
        corp: &CorpId,
        id: Option<i64>,
        dept: Department,
        now: i64,
        event: EventFor,
    ) -> StoreResult<Committed<i64>>;
    /// Replaces a department's fields; false if it does not exist.
    async fn update_department(
        &self,
        corp: &CorpId,
        dept: Department,
        now: i64,
        event: NewEvent,
    ) -> StoreResult<Committed<bool>>;
    /// Deletes a department that has neither members nor children.
    async fn delete_department(
        &self,
        corp: &CorpId,
        id: i64,
        now: i64,
        event: NewEvent,
    ) -> StoreResult<Committed<DeleteDepartment>>;

    /// Members of the given departments (all members when None), by userid.
    async fn list_members(
        &self,
        corp: &CorpId,
        departments: Option<&[i64]>,
    ) -> StoreResult<Vec<Member>>;
    /// Adds many new members (accounts with their profiles and departments) in one unit, unless
    /// the company would then have more than `limit` (Ok(false), nothing added). `Duplicate` if
    /// any userid, mobile or email is taken: nothing is added then either. Announces nothing
    /// (bulk imports announce themselves when the job ends).
    async fn create_members(
        &self,
        corp: &CorpId,
        members: Vec<(NewUser, Member)>,
        limit: Option<i64>,
    ) -> StoreResult<bool>;
    /// Increases with every member write: search indexes compare it to know they are current.
    async fn directory_version(&self, corp: &CorpId) -> StoreResult<i64>;
    /// Every member's userid, name and search keys (one key per line).
    async fn list_search_keys(&self, corp: &CorpId) -> StoreResult<Vec<(UserId, String, String)>>;
    /// The members with these userids (unknown ones are skipped).
    async fn find_members(&self, corp: &CorpId, userids: &[UserId]) -> StoreResult<Vec<Member>>;
    async fn find_member(&self, corp: &CorpId, userid: &UserId) -> StoreResult<Option<Member>>;
    /// Adds a member unless the company already has `limit` members (then Ok(false)).
    async fn create_member(
        &self,
        account: NewUser,
        member: Member,
        limit: Option<i64>,
        event: NewEvent,
    ) -> StoreResult<Committed<bool>>;
    /// Replaces a member's profile, name, contact details, status and memberships.
    async fn update_member(
        &self,
        corp: &CorpId,
        member: Member,
        now: i64,
        event: NewEvent,
    ) -> StoreResult<Committed<bool>>;
    /// Deletes a member with their sessions, memberships and tags.
    async fn delete_member(
        &self,
        corp: &CorpId,
        userid: &UserId,
        now: i64,
        event: NewEvent,
    ) -> StoreResult<Committed<bool>>;

    /// Stores a one-time activation link (by digest) for a member.
    async fn create_activation(
        &self,
        corp: &CorpId,
        userid: &UserId,
        digest: String,
        expires_at: i64,
    ) -> StoreResult<()>;
    async fn find_activation(&self, digest: &str) -> StoreResult<Option<Activation>>;
    /// Uses a link once: sets the password and activates the member; false if already used.
    async fn activate(
        &self,
        digest: &str,
        activation: Activation,
        password_digest: String,
        now: i64,
        event: NewEvent,
    ) -> StoreResult<Committed<bool>>;

    async fn create_job(&self, job: Job) -> StoreResult<()>;
    /// Saves a job's status, progress and results.
    async fn update_job(&self, job: Job) -> StoreResult<()>;
    /// Saves a finished job and announces it, together.
    async fn finish_job(&self, job: Job, now: i64, event: NewEvent) -> StoreResult<Committed<()>>;
    async fn find_job(&self, corp: &CorpId, job_id: &str) -> StoreResult<Option<Job>>;
    /// Unfinished resumable jobs whose heartbeat is older than `before`, each claimed for the
    /// caller by moving its heartbeat to `now` (a job claimed by another node meanwhile is left).
    async fn claim_stale_jobs(&self, before: i64, now: i64) -> StoreResult<Vec<Job>>;

    async fn list_tags(&self, corp: &CorpId) -> StoreResult<Vec<Tag>>;
    /// Adds a tag; `id` None takes the next free id. `Duplicate` on a taken id or name.
    async fn create_tag(
        &self,
        corp: &CorpId,
        id: Option<i64>,
        name: &str,
        now: i64,
        event: EventFor,
    ) -> StoreResult<Committed<i64>>;
    async fn rename_tag(
        &self,
        corp: &CorpId,
        id: i64,
        name: &str,
        now: i64,
        event: NewEvent,
    ) -> StoreResult<Committed<bool>>;
    async fn delete_tag(
        &self,
        corp: &CorpId,
        id: i64,
        now: i64,
        event: NewEvent,
    ) -> StoreResult<Committed<bool>>;
    /// A tag's members and departments.
    async fn tag_members(&self, corp: &CorpId, id: i64) -> StoreResult<(Vec<UserId>, Vec<i64>)>;
    /// Adds or removes members and departments of a tag.
    async fn change_tag_members(
        &self,
        corp: &CorpId,
        id: i64,
        change: TagChange,
        now: i64,
        event: NewEvent,
    ) -> StoreResult<Committed<()>>;
}

/// A background job's progress.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    pub job_id: String,
    pub corp_id: CorpId,
    pub kind: String,
    /// 1 started, 2 running, 3 done.
    pub status: i64,
    pub total: i64,
    pub done: i64,
    /// Per-row results as a JSON array.
    pub result: String,
    pub created_at: i64,
    /// What the job runs (JSON), so that another node can run it again; empty: not resumable.
    pub source: String,
    /// When the node running the job last showed it alive.
    pub heartbeat_at: i64,
}

/// Builds a write's event from the id the write assigned.
pub type EventFor = Box<dyn FnOnce(i64) -> NewEvent + Send>;

/// A pending activation link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Activation {
    pub corp_id: CorpId,
    pub userid: UserId,
    pub expires_at: i64,
}

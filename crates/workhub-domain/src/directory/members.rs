//! Members: profiles, memberships, limits by edition, invitations and activation.

use workhub_core::{Code, CorpId, Error, UserId, secret};
use workhub_store::accounts::NewUser;
use workhub_store::directory::{Activation, Member, Membership, Profile, ROOT_DEPARTMENT};
use workhub_store::{NewEvent, StoreError};

use super::departments::Tree;
use super::{Directory, MemberInput, MemberView, kinds};
use crate::accounts::password;
use crate::authz::catalogue as p;
use crate::context::{Actor, Meta};
use crate::corps::{valid_email, valid_mobile, valid_name};
use crate::{StoreResultExt, store_error};

/// How long an invitation link stays valid.
const ACTIVATION_MS: i64 = 7 * 24 * 3600 * 1000;
/// Most departments one member may belong to, and most direct leaders (WeCom's limits).
const MAX_DEPARTMENTS: usize = 100;
const MAX_LEADERS: usize = 5;

impl Directory {
    /// Members of a department (with its sub-departments when `fetch_child`), or everyone.
    pub async fn members(
        &self,
        actor: &Actor,
        department: Option<i64>,
        fetch_child: bool,
    ) -> Result<Vec<MemberView>, Error> {
        let corp = Self::corp_of(actor)?;
        let list = match department {
            None => self
                .deps
                .stores
                .directory
                .list_members(corp, None)
                .await
                .or_internal()?,
            Some(id) => {
                let tree = self.tree(corp).await?;
                if !tree.by_id.contains_key(&id) {
                    return Err(Error::new(Code::DepartmentNotFound));
                }
                let ids = if fetch_child {
                    tree.subtree(id)
                } else {
                    vec![id]
                };
                self.deps
                    .stores
                    .directory
                    .list_members(corp, Some(&ids))
                    .await
                    .or_internal()?
            }
        };
        let scope = self.scope(actor).await?;
        let reader = self.reader(actor).await?;
        Ok(list
            .iter()
            .filter(|m| scope.as_ref().is_none_or(|s| s.member(m)))
            .map(|m| reader.view(m))
            .collect())
    }

    pub async fn member(&self, actor: &Actor, userid: &str) -> Result<MemberView, Error> {
        let corp = Self::corp_of(actor)?;
        let m = self.find(corp, userid).await?;
        if self.scope(actor).await?.is_some_and(|s| !s.member(&m)) {
            return Err(Error::new(Code::OutOfVisibleRange));
        }
        Ok(self.reader(actor).await?.view(&m))
    }

    async fn find(&self, corp: &CorpId, userid: &str) -> Result<Member, Error> {
        let userid = UserId::parse(userid).map_err(|_| Error::new(Code::UserNotFound))?;
        self.deps
            .stores
            .directory
            .find_member(corp, &userid)
            .await
            .or_internal()?
            .ok_or_else(|| Error::new(Code::UserNotFound))
    }

    /// The userid of the member with this mobile number (WeCom `user/getuserid`).
    pub async fn userid_by_mobile(&self, actor: &Actor, mobile: &str) -> Result<String, Error> {
        let corp = Self::corp_of(actor)?;
        let mobile = valid_mobile(mobile)?;
        let found = self
            .deps
            .stores
            .accounts
            .find_user_by_login(corp, &mobile)
            .await
            .or_internal()?;
        found
            .filter(|u| u.mobile.as_deref() == Some(mobile.as_str()))
            .map(|u| u.userid.to_string())
            .ok_or_else(|| Error::new(Code::UserNotFound))
    }

    /// Adds a member, not yet activated: they set a password through an invitation link.
    pub async fn create_member(
        &self,
        actor: &Actor,
        meta: &Meta,
        input: MemberInput,
    ) -> Result<MemberView, Error> {
        let target = input.userid.clone().unwrap_or_default();
        let result = self.try_create_member(actor, input).await;
        self.audited(actor, meta, "member.create", &target, result)
            .await
    }

    /// A new member's account and profile from `input`, validated, with the caller's right to
    /// add them checked; `unique`: also check that no one has the userid, mobile or email (bulk
    /// imports checked the whole file at once).
    pub(super) async fn new_member(
        &self,
        actor: &Actor,
        corp: &CorpId,
        input: MemberInput,
        unique: bool,
    ) -> Result<(NewUser, Member), Error> {
        let userid = UserId::parse(
            input
                .userid
                .as_deref()
                .ok_or_else(|| Error::with(Code::MissingField, "userid"))?,
        )?;
        let name = input
            .name
            .as_deref()
            .ok_or_else(|| Error::with(Code::MissingField, "name"))?;
        let blank = Member {
            userid: userid.clone(),
            name: valid_name(name, 64)?,
            mobile: None,
            email: None,
            is_admin: false,
            status: 4,
            profile: Profile {
                gender: "0".into(),
                main_department: ROOT_DEPARTMENT,
                ..Default::default()
            },
            departments: vec![Membership {
                dept_id: ROOT_DEPARTMENT,
                order: 0,
                is_leader: false,
            }],
        };
        let mut member = self.apply(corp, blank, &input).await?;
        if input.department.is_none() {
            return Err(Error::with(Code::MissingField, "department"));
        }
        self.permit_member(actor, corp, p::CONTACTS_MEMBER_CREATE, None, Some(&member))
            .await?;
        if input.enable == Some(0) {
            member.status = 2;
        }
        if unique {
            self.check_unique(corp, &member).await?;
        }
        let account = NewUser {
            corp_id: corp.clone(),
            userid,
            name: member.name.clone(),
            mobile: member.mobile.clone(),
            email: member.email.clone(),
            is_admin: false,
            password_digest: String::new(),
            created_at: self.deps.now(),
        };
        Ok((account, member))
    }

    async fn try_create_member(
        &self,
        actor: &Actor,
        input: MemberInput,
    ) -> Result<MemberView, Error> {
        let corp = Self::writer(actor)?.clone();
        let (account, member) = self.new_member(actor, &corp, input, true).await?;
        let userid = account.userid.clone();
        let corp_row = self.corps.get(&corp).await?;
        let limit = corp_row.edition.member_limit(corp_row.verified);
        let view = MemberView::of(&member, false, false);
        let event = NewEvent::new(self.audience(), kinds::MEMBER_CREATED, &changed(&member));
        let committed = match self
            .deps
            .stores
            .directory
            .create_member(account, member, limit, event)
            .await
        {
            Ok(c) => c,
            Err(StoreError::Duplicate(_)) => {
                return Err(Error::with(Code::UserExists, userid.to_string()));
            }
            Err(e) => return Err(store_error(e)),
        };
        if !self.deps.publish(committed).await {
            let why = if corp_row.verified {
                "edition"
            } else {
                "unverified company"
            };
            return Err(Error::with(
                Code::EditionLimit,
                format!("{why}: {}", limit.unwrap_or(0)),
            ));
        }
        Ok(view)
    }

    /// Applies the fields `input` carries to `m`, validating each.
    async fn apply(
        &self,
        corp: &CorpId,
        mut m: Member,
        input: &MemberInput,
    ) -> Result<Member, Error> {
        let blank = |s: &Option<String>| {
            s.as_ref()
                .map(|v| v.trim().to_string())
                .map(|v| if v.is_empty() { None } else { Some(v) })
        };
        if let Some(name) = &input.name {
            m.name = valid_name(name, 64)?;
        }
        if let Some(mobile) = blank(&input.mobile) {
            m.mobile = mobile.map(|v| valid_mobile(&v)).transpose()?;
        }
        if let Some(email) = blank(&input.email) {
            m.email = email.map(|v| valid_email(&v)).transpose()?;
        }
        if m.mobile.is_none() && m.email.is_none() {
            return Err(Error::new(Code::MobileOrEmailRequired));
        }
        let p = &mut m.profile;
        if let Some(alias) = blank(&input.alias) {
            p.alias = alias.map(|a| valid_name(&a, 64)).transpose()?;
        }
        if let Some(position) = blank(&input.position) {
            p.position = position.map(|a| valid_name(&a, 128)).transpose()?;
        }
        if let Some(gender) = &input.gender {
            if !matches!(gender.as_str(), "0" | "1" | "2") {
                return Err(Error::with(Code::InvalidRequest, "gender: 0, 1 or 2"));
            }
            p.gender = gender.clone();
        }
        if let Some(phone) = blank(&input.telephone) {
            if phone.as_ref().is_some_and(|t| {
                t.len() > 32 || !t.chars().all(|c| c.is_ascii_digit() || "-+,".contains(c))
            }) {
                return Err(Error::with(Code::InvalidRequest, "telephone"));
            }
            p.telephone = phone;
        }
        if let Some(avatar) = blank(&input.avatar) {
            p.avatar = avatar;
        }
        if let Some(extattr) = &input.extattr {
            p.extattr = Some(extattr.to_string()).filter(|_| extattr.is_object());
        }
        if let Some(leaders) = &input.direct_leader {
            if leaders.len() > MAX_LEADERS {
                return Err(Error::with(
                    Code::InvalidRequest,
                    "direct_leader: at most 5",
                ));
            }
            let mut list = Vec::new();
            for l in leaders {
                list.push(
                    self.find(corp, l)
                        .await
                        .map_err(|_| Error::with(Code::UserNotFound, l.clone()))?
                        .userid
                        .to_string(),
                );
            }
            p.direct_leaders = list;
        }
        if let Some(departments) = &input.department {
            m.departments = self.memberships(corp, departments, input).await?;
        }
        let main = input.main_department.unwrap_or(m.profile.main_department);
        m.profile.main_department = if m.departments.iter().any(|d| d.dept_id == main) {
            main
        } else {
            m.departments
                .first()
                .map(|d| d.dept_id)
                .unwrap_or(ROOT_DEPARTMENT)
        };
        if let Some(enable) = input.enable {
            m.status = match (enable, m.status) {
                (0, _) => 2,
                (_, 2) => {
                    if self.has_password(corp, &m.userid).await? {
                        1
                    } else {
                        4
                    }
                }
                (_, status) => status,
            };
        }
        Ok(m)
    }

    async fn has_password(&self, corp: &CorpId, userid: &UserId) -> Result<bool, Error> {
        let user = self
            .deps
            .stores
            .accounts
            .find_user(corp, userid)
            .await
            .or_internal()?;
        Ok(user.is_some_and(|u| !u.password_digest.is_empty()))
    }

    async fn memberships(
        &self,
        corp: &CorpId,
        departments: &[i64],
        input: &MemberInput,
    ) -> Result<Vec<Membership>, Error> {
        if departments.is_empty() || departments.len() > MAX_DEPARTMENTS {
            return Err(Error::with(Code::InvalidDepartment, "1..100 departments"));
        }
        let tree: Tree = self.tree(corp).await?;
        let mut out: Vec<Membership> = Vec::new();
        for (i, id) in departments.iter().enumerate() {
            if !tree.by_id.contains_key(id) {
                return Err(Error::with(Code::InvalidDepartment, id.to_string()));
            }
            if out.iter().any(|m| m.dept_id == *id) {
                continue;
            }
            let order = input
                .order
                .as_ref()
                .and_then(|o| o.get(i))
                .copied()
                .unwrap_or(0);
            let is_leader = input
                .is_leader_in_dept
                .as_ref()
                .and_then(|o| o.get(i))
                .copied()
                .unwrap_or(0)
                == 1;
            out.push(Membership {
                dept_id: *id,
                order,
                is_leader,
            });
        }
        Ok(out)
    }

    /// Mobile numbers and emails are unique in a company.
    async fn check_unique(&self, corp: &CorpId, m: &Member) -> Result<(), Error> {
        if let Some(existing) = self
            .deps
            .stores
            .directory
            .find_member(corp, &m.userid)
            .await
            .or_internal()?
        {
            return Err(Error::with(Code::UserExists, existing.userid.to_string()));
        }
        self.check_contacts_free(corp, m).await
    }

    async fn check_contacts_free(&self, corp: &CorpId, m: &Member) -> Result<(), Error> {
        for (value, code) in [(&m.mobile, Code::MobileTaken), (&m.email, Code::EmailTaken)] {
            let Some(value) = value else { continue };
            let other = self
                .deps
                .stores
                .accounts
                .find_user_by_login(corp, value)
                .await
                .or_internal()?;
            if let Some(other) = other.filter(|o| {
                o.userid != m.userid
                    && (o.mobile.as_ref() == Some(value)
                        || o.email
                            .as_ref()
                            .is_some_and(|e| e.eq_ignore_ascii_case(value)))
            }) {
                return Err(Error::with(code, other.userid.to_string()));
            }
        }
        Ok(())
    }

    pub async fn update_member(
        &self,
        actor: &Actor,
        meta: &Meta,
        userid: &str,
        input: MemberInput,
    ) -> Result<MemberView, Error> {
        let result = async {
            let corp = Self::writer(actor)?.clone();
            let current = self.find(&corp, userid).await?;
            let member = self.apply(&corp, current.clone(), &input).await?;
            let permission = p::CONTACTS_MEMBER_EDIT;
            self.permit_member(actor, &corp, permission, Some(&current), Some(&member))
                .await?;
            self.check_contacts_free(&corp, &member).await?;
            self.save(&corp, member).await
        }
        .await;
        self.audited(actor, meta, "member.update", userid, result)
            .await
    }

    async fn save(&self, corp: &CorpId, member: Member) -> Result<MemberView, Error> {
        let view = MemberView::of(&member, false, false);
        let event = NewEvent::new(self.audience(), kinds::MEMBER_UPDATED, &changed(&member));
        let committed = match self
            .deps
            .stores
            .directory
            .update_member(corp, member, self.deps.now(), event)
            .await
        {
            Err(StoreError::Duplicate(what)) => return Err(Error::with(Code::Conflict, what)),
            other => other.map_err(store_error)?,
        };
        if !self.deps.publish(committed).await {
            return Err(Error::new(Code::UserNotFound));
        }
        Ok(view)
    }

    /// Disables (signing the member out everywhere) or re-enables a member.
    pub async fn set_enabled(
        &self,
        actor: &Actor,
        meta: &Meta,
        userid: &str,
        enabled: bool,
    ) -> Result<(), Error> {
        let input = MemberInput {
            enable: Some(i64::from(enabled)),
            ..Default::default()
        };
        let action = if enabled {
            "member.enable"
        } else {
            "member.disable"
        };
        let result = async {
            let corp = Self::writer(actor)?.clone();
            if !enabled && matches!(actor, Actor::User(u) if u.userid.as_str() == userid) {
                return Err(Error::new(Code::CannotChangeSelf));
            }
            let current = self.find(&corp, userid).await?;
            self.permit_member(
                actor,
                &corp,
                p::CONTACTS_MEMBER_DISABLE,
                Some(&current),
                None,
            )
            .await?;
            let member = self.apply(&corp, current, &input).await?;
            self.save(&corp, member).await.map(|_| ())
        }
        .await;
        self.audited(actor, meta, action, userid, result).await
    }

    pub async fn delete_member(
        &self,
        actor: &Actor,
        meta: &Meta,
        userid: &str,
    ) -> Result<(), Error> {
        let result = async {
            let corp = Self::writer(actor)?.clone();
            if matches!(actor, Actor::User(u) if u.userid.as_str() == userid) {
                return Err(Error::new(Code::CannotChangeSelf));
            }
            let member = self.find(&corp, userid).await?;
            self.permit_member(actor, &corp, p::CONTACTS_MEMBER_DELETE, Some(&member), None)
                .await?;
            let event = NewEvent::new(
                self.audience(),
                kinds::MEMBER_DELETED,
                &serde_json::json!({ "userid": member.userid }),
            );
            let committed = self
                .deps
                .stores
                .directory
                .delete_member(&corp, &member.userid, self.deps.now(), event)
                .await
                .or_internal()?;
            if !self.deps.publish(committed).await {
                return Err(Error::new(Code::UserNotFound));
            }
            Ok(())
        }
        .await;
        self.audited(actor, meta, "member.delete", userid, result)
            .await
    }

    /// Disables a leaving member and announces whom their work passes to (`member.resigned`);
    /// the other contexts act on it (messaging hands over their groups).
    pub async fn resign(
        &self,
        actor: &Actor,
        meta: &Meta,
        userid: &str,
        successor: &str,
    ) -> Result<(CorpId, UserId, UserId), Error> {
        let result = async {
            let corp = Self::writer(actor)?.clone();
            if matches!(actor, Actor::User(u) if u.userid.as_str() == userid) {
                return Err(Error::new(Code::CannotChangeSelf));
            }
            let current = self.find(&corp, userid).await?;
            self.permit_member(
                actor,
                &corp,
                p::CONTACTS_MEMBER_RESIGN,
                Some(&current),
                None,
            )
            .await?;
            let heir = self.find(&corp, successor).await?;
            if heir.userid == current.userid || heir.status != 1 {
                return Err(Error::with(
                    Code::InvalidUserId,
                    "handover_to: an active member",
                ));
            }
            let mut member = current;
            member.status = 2;
            let event = NewEvent::new(
                self.audience(),
                kinds::MEMBER_RESIGNED,
                &serde_json::json!({ "userid": member.userid, "handover_to": heir.userid }),
            );
            let (from, to) = (member.userid.clone(), heir.userid.clone());
            let store = &self.deps.stores.directory;
            let committed = store.update_member(&corp, member, self.deps.now(), event);
            if !self.deps.publish(committed.await.or_internal()?).await {
                return Err(Error::new(Code::UserNotFound));
            }
            Ok((corp, from, to))
        }
        .await;
        let target = format!("{userid}→{successor}");
        self.audited(actor, meta, "member.resign", &target, result)
            .await
    }

    /// A one-time link with which the member sets their password; replaces earlier links.
    pub async fn invite(
        &self,
        actor: &Actor,
        meta: &Meta,
        userid: &str,
    ) -> Result<(String, i64), Error> {
        let result = async {
            let corp = Self::writer(actor)?.clone();
            let member = self.find(&corp, userid).await?;
            self.permit_member(actor, &corp, p::CONTACTS_MEMBER_INVITE, Some(&member), None)
                .await?;
            if member.status != 4 {
                return Err(Error::new(Code::AlreadyActivated));
            }
            let token = secret::random_token(32);
            let expires_at = self.deps.now() + ACTIVATION_MS;
            self.deps
                .stores
                .directory
                .create_activation(&corp, &member.userid, secret::digest(&token), expires_at)
                .await
                .or_internal()?;
            Ok((
                format!("/#/activate?corpid={corp}&token={token}"),
                expires_at,
            ))
        }
        .await;
        self.audited(actor, meta, "member.invite", userid, result)
            .await
    }

    /// The invited member sets a password (checked against the company policy).
    pub async fn activate(
        &self,
        meta: &Meta,
        corpid: &str,
        token: &str,
        new_password: &str,
    ) -> Result<(), Error> {
        let digest = secret::digest(token);
        let found = self
            .deps
            .stores
            .directory
            .find_activation(&digest)
            .await
            .or_internal()?;
        let Some(activation) = found.filter(|a: &Activation| {
            a.corp_id.as_str() == corpid.trim() && a.expires_at > self.deps.now()
        }) else {
            return Err(Error::new(Code::InvalidActivation));
        };
        let policy = self
            .deps
            .stores
            .accounts
            .find_policy(&activation.corp_id)
            .await
            .or_internal()?;
        let policy: crate::accounts::SecurityPolicy = policy
            .and_then(|p| serde_json::from_str(&p).ok())
            .unwrap_or_default();
        policy.check_password(new_password)?;
        let password_digest = password::hash(new_password).await?;
        let event = NewEvent::new(
            self.audience(),
            kinds::MEMBER_UPDATED,
            &serde_json::json!({ "userid": activation.userid, "activated": true }),
        );
        let (corp, userid) = (activation.corp_id.clone(), activation.userid.clone());
        let committed = self
            .deps
            .stores
            .directory
            .activate(&digest, activation, password_digest, self.deps.now(), event)
            .await
            .or_internal()?;
        let done = self.deps.publish(committed).await;
        let outcome = if done {
            Ok(())
        } else {
            Err(Error::new(Code::InvalidActivation))
        };
        self.audit
            .record(
                corp.as_str(),
                &Actor::SigningIn(userid.to_string()),
                meta,
                "member.activate",
                userid.as_str(),
                outcome.as_ref().map(|_| ()),
            )
            .await;
        outcome
    }
}

/// What a member event says: only who changed. Events reach every member of the company, and
/// not everyone may see everyone (visibility rules, masked contacts): clients read the member
/// through the API, which shows each reader what they may see.
fn changed(member: &Member) -> serde_json::Value {
    serde_json::json!({ "userid": member.userid })
}

//! Managing one's sessions, passwords, two-factor codes and device approvals.

use workhub_core::{Code, Error, UserId};
use workhub_store::accounts::{ApprovalStatus, Session};
use workhub_store::{NewEvent, Recipients};

use super::login::{Gate, LoginInput, approval_view};
use super::{Accounts, ApprovalView, SessionView, kinds, password};
use crate::StoreResultExt;
use crate::authz::catalogue as p;
use crate::context::{Actor, Meta, UserActor};

impl Accounts {
    /// Live sessions: a member sees their own; an admin may ask for anyone's (`userid`) or all.
    pub async fn list_sessions(
        &self,
        who: &UserActor,
        userid: Option<&UserId>,
        all_as_admin: bool,
    ) -> Result<Vec<SessionView>, Error> {
        let filter = if all_as_admin {
            who.require(p::SECURITY_SESSION_READ)?;
            userid
        } else {
            Some(&who.userid)
        };
        let sessions = self
            .deps
            .stores
            .accounts
            .list_sessions(&who.corp_id, filter)
            .await
            .or_internal()?;
        Ok(sessions
            .iter()
            .map(|s| session_view(s, &who.session_id))
            .collect())
    }

    /// Revokes a session: one's own, or as an admin anyone's in the company. Its devices learn
    /// through the event stream and sign out.
    pub async fn revoke_session(
        &self,
        who: &UserActor,
        meta: &Meta,
        session_id: &str,
        as_admin: bool,
    ) -> Result<(), Error> {
        let result = self.try_revoke(who, session_id, as_admin).await;
        self.audit
            .record(
                who.corp_id.as_str(),
                &Actor::User(who.clone()),
                meta,
                "session.revoke",
                session_id,
                result.as_ref().map(|_| ()),
            )
            .await;
        result
    }

    async fn try_revoke(
        &self,
        who: &UserActor,
        session_id: &str,
        as_admin: bool,
    ) -> Result<(), Error> {
        if as_admin {
            who.require(p::SECURITY_SESSION_REVOKE)?;
        }
        let owner = if as_admin { None } else { Some(&who.userid) };
        let sessions = self
            .deps
            .stores
            .accounts
            .list_sessions(&who.corp_id, owner)
            .await
            .or_internal()?;
        let session = sessions
            .into_iter()
            .find(|s| s.session_id == session_id)
            .ok_or_else(|| Error::new(Code::SessionNotFound))?;
        self.revoke(&session, "revoked").await
    }

    /// Ends the caller's own session.
    pub async fn logout(&self, who: &UserActor, meta: &Meta) -> Result<(), Error> {
        let sessions = self
            .deps
            .stores
            .accounts
            .list_sessions(&who.corp_id, Some(&who.userid))
            .await
            .or_internal()?;
        if let Some(session) = sessions.iter().find(|s| s.session_id == who.session_id) {
            self.revoke(session, "logout").await?;
        }
        self.audit
            .record(
                who.corp_id.as_str(),
                &Actor::User(who.clone()),
                meta,
                "logout",
                &who.session_id,
                Ok(()),
            )
            .await;
        Ok(())
    }

    pub(super) async fn revoke(&self, session: &Session, reason: &str) -> Result<(), Error> {
        let data = serde_json::json!({ "session_id": session.session_id, "reason": reason });
        let event = NewEvent::new(
            Recipients::Users(vec![session.userid.clone()]),
            kinds::SESSION_REVOKED,
            &data,
        );
        let committed = self
            .deps
            .stores
            .accounts
            .revoke_session(
                &session.corp_id,
                &session.session_id,
                self.deps.now(),
                event,
            )
            .await
            .or_internal()?;
        self.deps.publish(committed).await;
        Ok(())
    }

    /// Changes the caller's password after checking the old one and the policy.
    pub async fn change_password(
        &self,
        who: &UserActor,
        meta: &Meta,
        old: &str,
        new: &str,
    ) -> Result<(), Error> {
        let result = self.try_change_password(who, old, new).await;
        self.audit
            .record(
                who.corp_id.as_str(),
                &Actor::User(who.clone()),
                meta,
                "password.change",
                who.userid.as_str(),
                result.as_ref().map(|_| ()),
            )
            .await;
        result
    }

    async fn try_change_password(
        &self,
        who: &UserActor,
        old: &str,
        new: &str,
    ) -> Result<(), Error> {
        let user = self
            .deps
            .stores
            .accounts
            .find_user(&who.corp_id, &who.userid)
            .await
            .or_internal()?
            .ok_or_else(|| Error::new(Code::UserNotFound))?;
        if !password::verify(old, &user.password_digest).await {
            return Err(Error::new(Code::InvalidCredentials));
        }
        self.set_password(&user.corp_id, &user.userid, &user.password_digest, new)
            .await
    }

    /// Changes an expired password, proving the old one as a sign-in would.
    pub async fn change_expired_password(
        &self,
        meta: &Meta,
        corpid: &str,
        login: &str,
        old: &str,
        new: &str,
    ) -> Result<(), Error> {
        let input = LoginInput {
            corpid: corpid.to_string(),
            login: login.to_string(),
            password: old.to_string(),
            totp_code: None,
            device_id: "password-change".to_string(),
            device_name: String::new(),
            platform: "web".to_string(),
        };
        let result = async {
            let gate: Gate = self.gate(meta, &input).await?;
            let user = self.check_password(&gate, login, old).await?;
            self.set_password(&user.corp_id, &user.userid, &user.password_digest, new)
                .await
        }
        .await;
        let corp = gate_corp(corpid);
        self.audit
            .record(
                &corp,
                &Actor::SigningIn(login.to_string()),
                meta,
                "password.change_expired",
                login,
                result.as_ref().map(|_| ()),
            )
            .await;
        result
    }

    async fn set_password(
        &self,
        corp: &workhub_core::CorpId,
        userid: &UserId,
        current: &str,
        new: &str,
    ) -> Result<(), Error> {
        let policy = self.policy(corp).await?;
        policy.check_password(new)?;
        if policy.password_history > 0 {
            if password::verify(new, current).await {
                return Err(Error::new(Code::PasswordReused));
            }
            let history = self
                .deps
                .stores
                .accounts
                .password_history(corp, userid, i64::from(policy.password_history))
                .await
                .or_internal()?;
            for old in history {
                if password::verify(new, &old).await {
                    return Err(Error::new(Code::PasswordReused));
                }
            }
        }
        let digest = password::hash(new).await?;
        let keep = i64::from(policy.password_history);
        self.deps
            .stores
            .accounts
            .set_password(corp, userid, digest, self.deps.now(), keep)
            .await
            .or_internal()
    }

    /// Starts two-factor set-up: a new secret, not yet required until confirmed by `enable_totp`.
    pub async fn setup_totp(&self, who: &UserActor) -> Result<(String, String), Error> {
        let user = self
            .deps
            .stores
            .accounts
            .find_user(&who.corp_id, &who.userid)
            .await
            .or_internal()?
            .ok_or_else(|| Error::new(Code::UserNotFound))?;
        if user.totp_enabled {
            return Err(Error::with(Code::Conflict, "totp already enabled"));
        }
        let secret = password::new_totp_secret();
        let account = format!("{}@{}", who.userid, who.corp_id);
        let url =
            password::totp_url(&secret, &account).ok_or_else(|| Error::new(Code::Internal))?;
        self.deps
            .stores
            .accounts
            .set_totp(&who.corp_id, &who.userid, Some(secret.clone()), false)
            .await
            .or_internal()?;
        Ok((secret, url))
    }

    /// Turns two-factor on (`enable`) or off; either way the current code must be given.
    pub async fn confirm_totp(
        &self,
        who: &UserActor,
        meta: &Meta,
        code: &str,
        enable: bool,
    ) -> Result<(), Error> {
        let result = async {
            let user = self
                .deps
                .stores
                .accounts
                .find_user(&who.corp_id, &who.userid)
                .await
                .or_internal()?
                .ok_or_else(|| Error::new(Code::UserNotFound))?;
            let Some(secret) = user.totp_secret.filter(|_| user.totp_enabled != enable) else {
                return Err(Error::with(
                    Code::Conflict,
                    if enable {
                        "run totp setup first"
                    } else {
                        "totp is not enabled"
                    },
                ));
            };
            if !password::totp_ok(&secret, code, self.deps.now()) {
                return Err(Error::new(Code::InvalidTotp));
            }
            let keep = if enable { Some(secret) } else { None };
            self.deps
                .stores
                .accounts
                .set_totp(&who.corp_id, &who.userid, keep, enable)
                .await
                .or_internal()
        }
        .await;
        let action = if enable {
            "totp.enable"
        } else {
            "totp.disable"
        };
        self.audit
            .record(
                who.corp_id.as_str(),
                &Actor::User(who.clone()),
                meta,
                action,
                who.userid.as_str(),
                result.as_ref().map(|_| ()),
            )
            .await;
        result
    }

    /// Pending approvals: the caller's own, or as an admin the whole company's.
    pub async fn list_approvals(
        &self,
        who: &UserActor,
        as_admin: bool,
    ) -> Result<Vec<ApprovalView>, Error> {
        let filter = if as_admin {
            who.require(p::SECURITY_DEVICE_APPROVE)?;
            None
        } else {
            Some(&who.userid)
        };
        let list = self
            .deps
            .stores
            .accounts
            .list_device_approvals(&who.corp_id, filter)
            .await
            .or_internal()?;
        Ok(list.iter().map(approval_view).collect())
    }

    /// Approves or rejects a waiting sign-in: an admin, or the member from a trusted device.
    pub async fn decide_approval(
        &self,
        who: &UserActor,
        meta: &Meta,
        approval_id: &str,
        approve: bool,
    ) -> Result<(), Error> {
        let result = self.try_decide(who, approval_id, approve).await;
        let action = if approve {
            "device_approval.approve"
        } else {
            "device_approval.reject"
        };
        self.audit
            .record(
                who.corp_id.as_str(),
                &Actor::User(who.clone()),
                meta,
                action,
                approval_id,
                result.as_ref().map(|_| ()),
            )
            .await;
        result
    }

    async fn try_decide(
        &self,
        who: &UserActor,
        approval_id: &str,
        approve: bool,
    ) -> Result<(), Error> {
        let approval = self
            .deps
            .stores
            .accounts
            .find_device_approval(approval_id)
            .await
            .or_internal()?;
        let approval = approval
            .filter(|a| a.corp_id == who.corp_id)
            .ok_or_else(|| Error::new(Code::ApprovalNotFound))?;
        if !who.authority.holds_company_wide(p::SECURITY_DEVICE_APPROVE) {
            let own = approval.userid == who.userid;
            let device = self
                .deps
                .stores
                .accounts
                .find_device(&who.corp_id, &who.userid, &who.device_id)
                .await
                .or_internal()?;
            if !own || !device.is_some_and(|d| d.trusted) || who.device_id == approval.device_id {
                return Err(Error::new(Code::Forbidden));
            }
        }
        let to = if approve {
            ApprovalStatus::Approved
        } else {
            ApprovalStatus::Rejected
        };
        let data = serde_json::json!({ "id": approval_id, "approved": approve });
        let event = NewEvent::new(
            Recipients::Users(vec![approval.userid.clone()]),
            kinds::APPROVAL_DECIDED,
            &data,
        );
        let committed = self
            .deps
            .stores
            .accounts
            .decide_device_approval(&who.corp_id, approval_id, to, self.deps.now(), event)
            .await
            .or_internal()?;
        match self.deps.publish(committed).await {
            Some(_) => Ok(()),
            None => Err(Error::with(Code::Conflict, "already decided")),
        }
    }
}

fn session_view(s: &Session, current: &str) -> SessionView {
    SessionView {
        id: s.session_id.clone(),
        userid: s.userid.to_string(),
        device_id: s.device_id.clone(),
        device_name: s.device_name.clone(),
        platform: s.platform.clone(),
        ip: s.ip.clone(),
        user_agent: s.user_agent.clone(),
        created_at: s.created_at,
        last_seen_at: s.last_seen_at,
        current: s.session_id == current,
    }
}

pub(super) fn gate_corp(corpid: &str) -> String {
    workhub_core::CorpId::parse(corpid.trim())
        .map(|c| c.to_string())
        .unwrap_or_default()
}

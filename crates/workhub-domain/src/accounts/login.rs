//! Signing in, and checking a session on every request.

use workhub_core::{Code, CorpId, Error, secret};
use workhub_store::accounts::{ApprovalStatus, DeviceApproval, NewSession, Session, User};
use workhub_store::{NewEvent, Recipients};

use super::policy::{Platform, SecurityPolicy};
use super::{Accounts, ApprovalView, kinds, password, policy_of};
use crate::authz;
use crate::context::{Actor, Meta, UserActor};
use crate::{StoreResultExt, store_error};

#[derive(Debug, Clone)]
pub struct LoginInput {
    pub corpid: String,
    /// userid, mobile or email.
    pub login: String,
    pub password: String,
    pub totp_code: Option<String>,
    pub device_id: String,
    pub device_name: String,
    pub platform: String,
}

/// A new session and who it belongs to; the token is shown once.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub token: String,
    pub session: Session,
    pub user: User,
}

#[derive(Debug, Clone)]
pub enum LoginOutcome {
    SignedIn(Box<SignedIn>),
    TotpRequired,
    DevicePending {
        approval_id: String,
        poll_token: String,
    },
}

#[derive(Debug, Clone)]
pub enum PollOutcome {
    Pending,
    Rejected,
    SignedIn(Box<SignedIn>),
}

/// Checks that pass before a password is even looked at.
pub(super) struct Gate {
    pub(super) corp: CorpId,
    pub(super) policy: SecurityPolicy,
    pub(super) platform: Platform,
}

impl Accounts {
    /// Signs a member in: company rules first, then the password, two-factor code, password age,
    /// device approval and device count. Every attempt is audited.
    pub async fn login(&self, meta: &Meta, input: LoginInput) -> Result<LoginOutcome, Error> {
        let result = self.try_login(meta, &input).await;
        let outcome = result.as_ref().map(|_| ());
        let action = match &result {
            Ok(LoginOutcome::TotpRequired) => "login.totp_required",
            Ok(LoginOutcome::DevicePending { .. }) => "login.device_pending",
            _ => "login",
        };
        let corp = super::sessions::gate_corp(&input.corpid);
        let actor = Actor::SigningIn(input.login.clone());
        self.audit
            .record(&corp, &actor, meta, action, input.login.trim(), outcome)
            .await;
        result
    }

    pub(super) async fn gate(&self, meta: &Meta, input: &LoginInput) -> Result<Gate, Error> {
        let corp =
            CorpId::parse(input.corpid.trim()).map_err(|_| Error::new(Code::InvalidCredentials))?;
        if self
            .deps
            .stores
            .corps
            .find_corp(&corp)
            .await
            .or_internal()?
            .is_none()
        {
            return Err(Error::new(Code::InvalidCredentials));
        }
        let policy = self.policy(&corp).await?;
        let platform = Platform::parse(&input.platform)
            .ok_or_else(|| Error::with(Code::InvalidRequest, "platform: web, desktop or mobile"))?;
        if !policy.platform_allowed(platform) {
            return Err(Error::new(Code::PlatformNotAllowed));
        }
        if !policy.ip_allowed(&meta.ip) {
            return Err(Error::new(Code::IpNotAllowed));
        }
        if input.device_id.trim().is_empty() || input.device_id.len() > 128 {
            return Err(Error::with(Code::InvalidRequest, "device_id"));
        }
        Ok(Gate {
            corp,
            policy,
            platform,
        })
    }

    async fn try_login(&self, meta: &Meta, input: &LoginInput) -> Result<LoginOutcome, Error> {
        let gate = self.gate(meta, input).await?;
        let user = self
            .check_password(&gate, &input.login, &input.password)
            .await?;
        if user.totp_enabled {
            let Some(code) = input.totp_code.as_deref().filter(|c| !c.trim().is_empty()) else {
                return Ok(LoginOutcome::TotpRequired);
            };
            let secret = user.totp_secret.as_deref().unwrap_or_default();
            if !password::totp_ok(secret, code, self.deps.now()) {
                self.count_failure(&gate.policy, &user).await?;
                return Err(Error::new(Code::InvalidTotp));
            }
        }
        if gate
            .policy
            .password_expired(user.password_changed_at, self.deps.now())
        {
            return Err(Error::new(Code::PasswordExpired));
        }
        let device = self
            .deps
            .stores
            .accounts
            .find_device(&gate.corp, &user.userid, input.device_id.trim())
            .await
            .or_internal()?;
        if device.is_none()
            && gate.policy.new_device_approval
            && self.has_any_device(&gate.corp, &user).await?
        {
            return self.request_approval(meta, input, &gate, &user).await;
        }
        self.check_device_count(&gate.policy, &user, input.device_id.trim())
            .await?;
        let (token, session) = self
            .open_session(
                meta,
                &user,
                input.device_id.trim(),
                &input.device_name,
                gate.platform,
            )
            .await?;
        Ok(LoginOutcome::SignedIn(Box::new(SignedIn {
            token,
            session,
            user,
        })))
    }

    /// Finds the member and checks the password, counting failures toward a lock.
    pub(super) async fn check_password(
        &self,
        gate: &Gate,
        login: &str,
        given: &str,
    ) -> Result<User, Error> {
        let corp = &gate.corp;
        let Some(user) = self
            .deps
            .stores
            .accounts
            .find_user_by_login(corp, login)
            .await
            .or_internal()?
        else {
            // Spend the same time as a real check so probing for accounts is not cheaper.
            let _ = password::verify(given, DUMMY_DIGEST).await;
            return Err(Error::new(Code::InvalidCredentials));
        };
        if user.disabled {
            return Err(Error::new(Code::AccountDisabled));
        }
        if user.locked_until > self.deps.now() {
            return Err(Error::new(Code::AccountLocked));
        }
        if !password::verify(given, &user.password_digest).await {
            let locked = self.count_failure(&gate.policy, &user).await?;
            return Err(Error::new(if locked {
                Code::AccountLocked
            } else {
                Code::InvalidCredentials
            }));
        }
        Ok(user)
    }

    /// Records a failed attempt; true if it locked the account.
    async fn count_failure(&self, policy: &SecurityPolicy, user: &User) -> Result<bool, Error> {
        let lock = policy.lock_until(user.failed_logins + 1, self.deps.now());
        self.deps
            .stores
            .accounts
            .record_login_failure(&user.corp_id, &user.userid, lock)
            .await
            .or_internal()?;
        Ok(lock.is_some())
    }

    /// A member's first device is trusted on first sign-in: nobody could approve it otherwise.
    async fn has_any_device(&self, corp: &CorpId, user: &User) -> Result<bool, Error> {
        Ok(self
            .deps
            .stores
            .accounts
            .count_devices(corp, &user.userid)
            .await
            .or_internal()?
            > 0)
    }

    async fn check_device_count(
        &self,
        policy: &SecurityPolicy,
        user: &User,
        device_id: &str,
    ) -> Result<(), Error> {
        if policy.max_devices == 0 {
            return Ok(());
        }
        let sessions = self
            .deps
            .stores
            .accounts
            .list_sessions(&user.corp_id, Some(&user.userid))
            .await
            .or_internal()?;
        let mut others: Vec<&str> = sessions
            .iter()
            .map(|s| s.device_id.as_str())
            .filter(|d| *d != device_id)
            .collect();
        others.sort_unstable();
        others.dedup();
        if others.len() >= usize::try_from(policy.max_devices).unwrap_or(usize::MAX) {
            return Err(Error::new(Code::TooManyDevices));
        }
        Ok(())
    }

    async fn open_session(
        &self,
        meta: &Meta,
        user: &User,
        device_id: &str,
        device_name: &str,
        platform: Platform,
    ) -> Result<(String, Session), Error> {
        let token = secret::random_token(32);
        let now = self.deps.now();
        let session = Session {
            session_id: uuid::Uuid::now_v7().to_string(),
            corp_id: user.corp_id.clone(),
            userid: user.userid.clone(),
            device_id: device_id.to_string(),
            device_name: clip(device_name, 128),
            platform: platform.as_str().to_string(),
            ip: meta.ip.clone(),
            user_agent: clip(&meta.user_agent, 512),
            created_at: now,
            last_seen_at: now,
            revoked: false,
        };
        let new = NewSession {
            session: session.clone(),
            token_digest: secret::digest(&token),
            trust_device: true,
        };
        self.deps
            .stores
            .accounts
            .open_session(new)
            .await
            .map_err(store_error)?;
        Ok((token, session))
    }

    async fn request_approval(
        &self,
        meta: &Meta,
        input: &LoginInput,
        gate: &Gate,
        user: &User,
    ) -> Result<LoginOutcome, Error> {
        let poll_token = secret::random_token(32);
        let approval = DeviceApproval {
            approval_id: uuid::Uuid::now_v7().to_string(),
            corp_id: gate.corp.clone(),
            userid: user.userid.clone(),
            device_id: input.device_id.trim().to_string(),
            device_name: clip(&input.device_name, 128),
            platform: gate.platform.as_str().to_string(),
            ip: meta.ip.clone(),
            user_agent: clip(&meta.user_agent, 512),
            poll_digest: secret::digest(&poll_token),
            status: ApprovalStatus::Pending,
            created_at: self.deps.now(),
        };
        let view = approval_view(&approval);
        // The member's own devices are told, so a trusted one can approve; admins see the queue.
        let event = NewEvent::new(
            Recipients::Users(vec![user.userid.clone()]),
            kinds::APPROVAL_REQUESTED,
            &serde_json::json!({ "approval": view }),
        );
        let committed = self
            .deps
            .stores
            .accounts
            .create_device_approval(approval.clone(), event)
            .await
            .or_internal()?;
        self.deps.publish(committed).await;
        Ok(LoginOutcome::DevicePending {
            approval_id: approval.approval_id,
            poll_token,
        })
    }

    /// What a device waiting for approval learns when it asks; an approval turns into exactly
    /// one session.
    pub async fn poll_approval(
        &self,
        meta: &Meta,
        approval_id: &str,
        poll_token: &str,
    ) -> Result<PollOutcome, Error> {
        let approval = self
            .deps
            .stores
            .accounts
            .find_device_approval(approval_id)
            .await
            .or_internal()?;
        let Some(approval) = approval.filter(|a| a.poll_digest == secret::digest(poll_token))
        else {
            return Err(Error::new(Code::ApprovalNotFound));
        };
        match approval.status {
            ApprovalStatus::Pending => Ok(PollOutcome::Pending),
            ApprovalStatus::Rejected => Ok(PollOutcome::Rejected),
            ApprovalStatus::Used => Err(Error::new(Code::ApprovalNotFound)),
            ApprovalStatus::Approved => {
                if !self
                    .deps
                    .stores
                    .accounts
                    .consume_device_approval(approval_id)
                    .await
                    .or_internal()?
                {
                    return Err(Error::new(Code::ApprovalNotFound));
                }
                let user = self
                    .deps
                    .stores
                    .accounts
                    .find_user(&approval.corp_id, &approval.userid)
                    .await
                    .or_internal()?
                    .ok_or_else(|| Error::new(Code::UserNotFound))?;
                let platform = Platform::parse(&approval.platform).unwrap_or(Platform::Web);
                let (token, session) = self
                    .open_session(
                        meta,
                        &user,
                        &approval.device_id,
                        &approval.device_name,
                        platform,
                    )
                    .await?;
                let actor = Actor::Anonymous;
                self.audit
                    .record(
                        approval.corp_id.as_str(),
                        &actor,
                        meta,
                        "login.device_approved",
                        approval.userid.as_str(),
                        Ok(()),
                    )
                    .await;
                Ok(PollOutcome::SignedIn(Box::new(SignedIn {
                    token,
                    session,
                    user,
                })))
            }
        }
    }

    /// The member a session token belongs to, if the session is still valid under the policy.
    /// Expired sessions are revoked on the spot.
    pub async fn authenticate(&self, meta: &Meta, token: &str) -> Result<UserActor, Error> {
        let signed_in = self
            .deps
            .stores
            .accounts
            .find_signed_in(&secret::digest(token))
            .await
            .or_internal()?
            .ok_or_else(|| Error::new(Code::Unauthenticated))?;
        let session = signed_in.session;
        let policy = policy_of(signed_in.policy.as_deref());
        let now = self.deps.now();
        if policy.session_expired(session.created_at, session.last_seen_at, now) {
            self.revoke(&session, "expired").await?;
            return Err(Error::new(Code::Unauthenticated));
        }
        if !policy.ip_allowed(&meta.ip) {
            return Err(Error::new(Code::IpNotAllowed));
        }
        let Some(user) = signed_in.member.filter(|u| !u.disabled) else {
            return Err(Error::new(Code::Unauthenticated));
        };
        // Touch at most once a minute: enough for idle timeouts, cheap for the writer.
        if now - session.last_seen_at > 60_000 || session.ip != meta.ip {
            self.deps
                .stores
                .accounts
                .touch_session(&session.session_id, now, &meta.ip)
                .await
                .or_internal()?;
        }
        let authority = authz::authority_of(
            &self.deps,
            &session.corp_id,
            &session.userid,
            user.is_admin,
            user.has_admin_roles,
        )
        .await?;
        Ok(UserActor {
            corp_id: session.corp_id,
            userid: session.userid,
            authority,
            session_id: session.session_id,
            device_id: session.device_id,
            platform: session.platform,
        })
    }
}

pub(super) fn approval_view(a: &DeviceApproval) -> ApprovalView {
    ApprovalView {
        id: a.approval_id.clone(),
        userid: a.userid.to_string(),
        device_id: a.device_id.clone(),
        device_name: a.device_name.clone(),
        platform: a.platform.clone(),
        ip: a.ip.clone(),
        created_at: a.created_at,
    }
}

fn clip(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

/// A digest that matches no password, to even out timing for unknown accounts.
const DUMMY_DIGEST: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$J4moa2MM0/6uf3HbY2Tf5Fux8JIBTwIhmhxGRE+QVSg";

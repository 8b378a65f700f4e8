//! Who acts and from where: passed explicitly into every service call.

use workhub_core::{CorpId, Error, UserId};

use crate::authz::{Authority, Permission, Target};

/// Facts about the request behind a call, for audit records and IP rules.
#[derive(Debug, Clone, Default)]
pub struct Meta {
    pub ip: String,
    pub user_agent: String,
    pub request_id: String,
}

/// A signed-in member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserActor {
    pub corp_id: CorpId,
    pub userid: UserId,
    /// What they may do as an admin (nothing for most members).
    pub authority: Authority,
    pub session_id: String,
    pub device_id: String,
    /// The signed-in client's platform: "web", "desktop" or "mobile".
    pub platform: String,
}

impl UserActor {
    pub fn is_super_admin(&self) -> bool {
        self.authority.is_super_admin()
    }

    /// Refuses unless the member holds the permission company-wide.
    pub fn require(&self, permission: Permission) -> Result<(), Error> {
        self.authority.require(permission, Target::Company)
    }
}

/// Whoever makes a call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    User(UserActor),
    /// A WeCom API caller holding an access token of an app (agent 0: the contacts secret).
    App {
        corp_id: CorpId,
        agent_id: i64,
    },
    Operator(String),
    /// Someone signing in as this account (userid, mobile or email as typed).
    SigningIn(String),
    /// Someone not signed in (a sign-up).
    Anonymous,
}

impl Actor {
    /// How the audit log names the actor.
    pub fn audit_name(&self) -> String {
        match self {
            Actor::User(u) => u.userid.to_string(),
            Actor::App { agent_id, .. } => format!("app:{agent_id}"),
            Actor::Operator(name) => format!("operator:{name}"),
            Actor::SigningIn(login) => login.trim().chars().take(128).collect(),
            Actor::Anonymous => "anonymous".to_string(),
        }
    }
}

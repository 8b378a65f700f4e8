//! Self-built apps as administrators manage them: secrets shown once and rotated, enabling,
//! the visible range of the directory, and the addresses an app may call from.

use std::collections::HashSet;
use std::net::IpAddr;

use serde::{Deserialize, Serialize};
use workhub_core::{Code, CorpId, Error, UserId, secret};
use workhub_store::corps::{App, CONTACTS_AGENT};

use crate::accounts::policy::parse_net;
use crate::audit::Audit;
use crate::authz::catalogue as p;
use crate::context::{Actor, Meta, UserActor};
use crate::corps::Corps;
use crate::{Deps, StoreResultExt};

/// What of the directory an app sees; all empty means the whole company.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Visible {
    #[serde(default)]
    pub departments: Vec<i64>,
    #[serde(default)]
    pub users: Vec<String>,
    #[serde(default)]
    pub tags: Vec<i64>,
}

impl Visible {
    pub fn is_everything(&self) -> bool {
        self.departments.is_empty() && self.users.is_empty() && self.tags.is_empty()
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct AppView {
    pub agentid: i64,
    pub name: String,
    pub enabled: bool,
    pub created_at: i64,
    pub visible: Visible,
    pub trusted_ips: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppPatch {
    pub name: Option<String>,
    pub enabled: Option<bool>,
    pub visible: Option<Visible>,
    pub trusted_ips: Option<Vec<String>>,
}

fn view(a: &App) -> AppView {
    AppView {
        agentid: a.agent_id,
        name: a.name.clone(),
        enabled: a.enabled,
        created_at: a.created_at,
        visible: serde_json::from_str(&a.visible).unwrap_or_default(),
        trusted_ips: serde_json::from_str(&a.trusted_ips).unwrap_or_default(),
    }
}

#[derive(Clone)]
pub struct Apps {
    deps: Deps,
    audit: Audit,
    corps: Corps,
}

impl Apps {
    pub(crate) fn new(deps: Deps, audit: Audit, corps: Corps) -> Self {
        Self { deps, audit, corps }
    }

    pub async fn list(&self, who: &UserActor) -> Result<Vec<AppView>, Error> {
        who.require(p::APPS_APP_READ)?;
        Ok(self
            .deps
            .stores
            .corps
            .list_apps(&who.corp_id)
            .await
            .or_internal()?
            .iter()
            .map(view)
            .collect())
    }

    /// The company's enabled apps by id and name, for any member (to name app senders).
    pub async fn names(&self, who: &UserActor) -> Result<Vec<(i64, String)>, Error> {
        Ok(self
            .deps
            .stores
            .corps
            .list_apps(&who.corp_id)
            .await
            .or_internal()?
            .into_iter()
            .filter(|a| a.enabled)
            .map(|a| (a.agent_id, a.name))
            .collect())
    }

    /// Creates an app; its secret is returned once.
    pub async fn create(
        &self,
        who: &UserActor,
        meta: &Meta,
        name: &str,
    ) -> Result<(i64, String), Error> {
        who.require(p::APPS_APP_CREATE)?;
        self.corps
            .create_app(&Actor::User(who.clone()), meta, &who.corp_id, name)
            .await
    }

    async fn find(&self, corp: &CorpId, agent_id: i64) -> Result<App, Error> {
        self.deps
            .stores
            .corps
            .find_app(corp, agent_id)
            .await
            .or_internal()?
            .ok_or_else(|| Error::new(Code::AppNotFound))
    }

    pub async fn update(
        &self,
        who: &UserActor,
        meta: &Meta,
        agent_id: i64,
        patch: AppPatch,
    ) -> Result<AppView, Error> {
        let result = async {
            if patch.enabled.is_some() {
                who.require(p::APPS_APP_DISABLE)?;
            }
            if patch.name.is_some() || patch.trusted_ips.is_some() || patch.visible.is_some() {
                who.require(p::APPS_APP_EDIT)?;
            }
            let mut app = self.find(&who.corp_id, agent_id).await?;
            if let Some(name) = &patch.name {
                app.name = crate::corps::valid_name(name, 64)?;
            }
            if let Some(enabled) = patch.enabled {
                app.enabled = enabled;
            }
            if let Some(ips) = &patch.trusted_ips {
                let ips: Vec<String> = ips
                    .iter()
                    .map(|i| i.trim().to_string())
                    .filter(|i| !i.is_empty())
                    .collect();
                if let Some(bad) = ips.iter().find(|i| parse_net(i).is_none()) {
                    return Err(Error::with(
                        Code::InvalidRequest,
                        format!("trusted_ips: {bad}"),
                    ));
                }
                app.trusted_ips = serde_json::to_string(&ips).unwrap_or_else(|_| "[]".into());
            }
            if let Some(visible) = &patch.visible {
                self.check_visible(&who.corp_id, visible).await?;
                app.visible = serde_json::to_string(visible).unwrap_or_else(|_| "{}".into());
            }
            self.deps
                .stores
                .corps
                .update_app(app.clone())
                .await
                .or_internal()?;
            Ok(view(&app))
        }
        .await;
        self.audit
            .record(
                who.corp_id.as_str(),
                &Actor::User(who.clone()),
                meta,
                "app.update",
                &agent_id.to_string(),
                result.as_ref().map(|_| ()),
            )
            .await;
        result
    }

    async fn check_visible(&self, corp: &CorpId, v: &Visible) -> Result<(), Error> {
        let depts: HashSet<i64> = self
            .deps
            .stores
            .directory
            .list_departments(corp)
            .await
            .or_internal()?
            .iter()
            .map(|d| d.id)
            .collect();
        if let Some(bad) = v.departments.iter().find(|d| !depts.contains(d)) {
            return Err(Error::with(Code::InvalidDepartment, bad.to_string()));
        }
        for u in &v.users {
            let id = UserId::parse(u)?;
            if self
                .deps
                .stores
                .directory
                .find_member(corp, &id)
                .await
                .or_internal()?
                .is_none()
            {
                return Err(Error::with(Code::UserNotFound, u.clone()));
            }
        }
        let tags: HashSet<i64> = self
            .deps
            .stores
            .directory
            .list_tags(corp)
            .await
            .or_internal()?
            .iter()
            .map(|t| t.id)
            .collect();
        if let Some(bad) = v.tags.iter().find(|t| !tags.contains(t)) {
            return Err(Error::with(Code::TagNotFound, bad.to_string()));
        }
        Ok(())
    }

    /// A new secret for an app (agent 0: the contacts-sync secret); the old one stops working.
    pub async fn rotate_secret(
        &self,
        who: &UserActor,
        meta: &Meta,
        agent_id: i64,
    ) -> Result<String, Error> {
        let result = async {
            who.require(if agent_id == CONTACTS_AGENT {
                p::APPS_CONTACTS_SECRET_ROTATE
            } else {
                p::APPS_APP_ROTATE_SECRET
            })?;
            if agent_id != CONTACTS_AGENT {
                self.find(&who.corp_id, agent_id).await?;
            }
            let new_secret = secret::random_token(32);
            self.deps
                .stores
                .corps
                .rotate_secret(
                    &who.corp_id,
                    agent_id,
                    secret::digest(&new_secret),
                    self.deps.now(),
                )
                .await
                .or_internal()?;
            Ok(new_secret)
        }
        .await;
        self.audit
            .record(
                who.corp_id.as_str(),
                &Actor::User(who.clone()),
                meta,
                "app.rotate_secret",
                &agent_id.to_string(),
                result.as_ref().map(|_| ()),
            )
            .await;
        result
    }

    /// Refuses calls of a disabled app (50003) or from outside its trusted addresses (60020).
    pub async fn check_call(&self, actor: &Actor, ip: &str) -> Result<(), Error> {
        let Actor::App { corp_id, agent_id } = actor else {
            return Ok(());
        };
        if *agent_id == CONTACTS_AGENT {
            return Ok(());
        }
        let app = self.find(corp_id, *agent_id).await?;
        if !app.enabled {
            return Err(Error::new(Code::AppDisabled));
        }
        let trusted: Vec<String> = serde_json::from_str(&app.trusted_ips).unwrap_or_default();
        let allowed = trusted.is_empty()
            || ip.parse::<IpAddr>().is_ok_and(|addr| {
                trusted
                    .iter()
                    .filter_map(|t| parse_net(t))
                    .any(|n| n.contains(&addr))
            });
        if allowed {
            Ok(())
        } else {
            Err(Error::with(Code::IpNotAllowed, ip.to_string()))
        }
    }

    /// The visible range of a self-built app; None when it sees the whole company.
    pub(crate) async fn visible(&self, actor: &Actor) -> Result<Option<Visible>, Error> {
        let Actor::App { corp_id, agent_id } = actor else {
            return Ok(None);
        };
        if *agent_id == CONTACTS_AGENT {
            return Ok(None);
        }
        let v: Visible =
            serde_json::from_str(&self.find(corp_id, *agent_id).await?.visible).unwrap_or_default();
        Ok(Some(v).filter(|v| !v.is_everything()))
    }
}

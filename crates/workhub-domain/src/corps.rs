//! The corps context: companies (tenants), their apps and secrets, verification by the
//! operator, editions, and the WeCom access tokens that apps sign API calls with.

use serde::Serialize;
use workhub_core::{Code, CorpId, Edition, Error, UserId, secret};
use workhub_store::accounts::NewUser;
use workhub_store::corps::{AccessToken, Corp, CorpDetails, CorpSummary, NewCorp};
use workhub_store::{NewEvent, Recipients};

use crate::accounts::{SecurityPolicy, password};
use crate::audit::Audit;
use crate::context::{Actor, Meta};
use crate::{Deps, StoreResultExt, store_error};

/// Seconds an access token lives, as WeCom promises.
pub const TOKEN_TTL_SECS: i64 = 7200;
/// Length of the access tokens we issue (48 random bytes in URL-safe base64).
const TOKEN_LEN: usize = 64;

pub const CORP_VERIFIED: &str = "corp.verified";

#[derive(Debug, Clone, Serialize)]
pub struct CreatedCorp {
    pub corpid: String,
    pub contacts_secret: String,
    pub admin_userid: String,
}

#[derive(Debug, Clone)]
pub struct NewCompany {
    pub name: String,
    pub admin_userid: String,
    pub admin_name: String,
    pub admin_password: String,
    pub admin_mobile: Option<String>,
    pub admin_email: Option<String>,
    pub edition: Edition,
    pub uscc: Option<String>,
}

#[derive(Clone)]
pub struct Corps {
    deps: Deps,
    audit: Audit,
}

impl Corps {
    pub(crate) fn new(deps: Deps, audit: Audit) -> Self {
        Self { deps, audit }
    }

    /// Creates a company with its first administrator. The contacts-sync secret is returned
    /// once and stored only as a digest.
    pub async fn create(
        &self,
        actor: &Actor,
        meta: &Meta,
        new: NewCompany,
    ) -> Result<CreatedCorp, Error> {
        let name = valid_name(&new.name, 64)?;
        let userid = UserId::parse(&new.admin_userid)?;
        SecurityPolicy::default().check_password(&new.admin_password)?;
        let mobile = new.admin_mobile.as_deref().map(valid_mobile).transpose()?;
        let email = new.admin_email.as_deref().map(valid_email).transpose()?;
        let corp_id = CorpId::generate();
        let now = self.deps.now();
        let contacts_secret = secret::random_token(32);
        let admin = NewUser {
            corp_id: corp_id.clone(),
            userid: userid.clone(),
            name: valid_name(
                if new.admin_name.trim().is_empty() {
                    userid.as_str()
                } else {
                    &new.admin_name
                },
                64,
            )?,
            mobile,
            email,
            is_admin: true,
            password_digest: password::hash(&new.admin_password).await?,
            created_at: now,
        };
        let corp = NewCorp {
            corp_id: corp_id.clone(),
            name,
            edition: new.edition,
            uscc: new.uscc,
            created_at: now,
        };
        self.deps
            .stores
            .corps
            .create_corp(corp, admin, secret::digest(&contacts_secret))
            .await
            .map_err(store_error)?;
        self.audit
            .record(
                corp_id.as_str(),
                actor,
                meta,
                "corp.create",
                corp_id.as_str(),
                Ok(()),
            )
            .await;
        Ok(CreatedCorp {
            corpid: corp_id.to_string(),
            contacts_secret,
            admin_userid: userid.to_string(),
        })
    }

    pub async fn get(&self, corp: &CorpId) -> Result<Corp, Error> {
        self.deps
            .stores
            .corps
            .find_corp(corp)
            .await
            .or_internal()?
            .ok_or_else(|| Error::new(Code::CorpNotFound))
    }

    /// Most members the company may have now (None: unlimited).
    pub async fn member_limit(&self, corp: &CorpId) -> Result<Option<i64>, Error> {
        let corp = self.get(corp).await?;
        Ok(corp.edition.member_limit(corp.verified))
    }

    pub async fn list(&self, verified: Option<bool>) -> Result<Vec<CorpSummary>, Error> {
        self.deps
            .stores
            .corps
            .list_corps(verified)
            .await
            .or_internal()
    }

    /// The operator verifies a company: its limits lift and every member is told.
    pub async fn verify(&self, operator: &str, meta: &Meta, corp: &CorpId) -> Result<(), Error> {
        self.get(corp).await?;
        let event = NewEvent::new(
            Recipients::WholeCorp,
            CORP_VERIFIED,
            &serde_json::json!({ "corpid": corp }),
        );
        let committed = self
            .deps
            .stores
            .corps
            .verify_corp(corp, self.deps.now(), event)
            .await
            .or_internal()?;
        self.deps.publish(committed).await;
        self.audit
            .record(
                corp.as_str(),
                &Actor::Operator(operator.to_string()),
                meta,
                "corp.verify",
                corp.as_str(),
                Ok(()),
            )
            .await;
        Ok(())
    }

    pub async fn set_edition(
        &self,
        operator: &str,
        meta: &Meta,
        corp: &CorpId,
        edition: Edition,
    ) -> Result<(), Error> {
        if !self
            .deps
            .stores
            .corps
            .set_edition(corp, edition)
            .await
            .or_internal()?
        {
            return Err(Error::new(Code::CorpNotFound));
        }
        self.audit
            .record(
                corp.as_str(),
                &Actor::Operator(operator.to_string()),
                meta,
                "corp.edition",
                edition.as_str(),
                Ok(()),
            )
            .await;
        Ok(())
    }

    pub async fn update_details(&self, corp: &CorpId, details: CorpDetails) -> Result<(), Error> {
        for (field, value) in [
            ("industry", &details.industry),
            ("size", &details.size),
            ("address", &details.address),
        ] {
            if value.as_ref().is_some_and(|v| v.chars().count() > 200) {
                return Err(Error::with(Code::InvalidRequest, field));
            }
        }
        if !self
            .deps
            .stores
            .corps
            .update_details(corp, details)
            .await
            .or_internal()?
        {
            return Err(Error::new(Code::CorpNotFound));
        }
        Ok(())
    }

    /// Creates a self-built app; its secret is returned once.
    pub async fn create_app(
        &self,
        actor: &Actor,
        meta: &Meta,
        corp: &CorpId,
        name: &str,
    ) -> Result<(i64, String), Error> {
        self.get(corp).await?;
        let name = valid_name(name, 64)?;
        let app_secret = secret::random_token(32);
        let app = self
            .deps
            .stores
            .corps
            .create_app(corp, &name, secret::digest(&app_secret), self.deps.now())
            .await
            .or_internal()?;
        self.audit
            .record(
                corp.as_str(),
                actor,
                meta,
                "app.create",
                &app.agent_id.to_string(),
                Ok(()),
            )
            .await;
        Ok((app.agent_id, app_secret))
    }

    /// WeCom `gettoken`: a new token for the app whose secret is given. Earlier tokens stay
    /// valid until they expire, because clients such as Grafana fetch one per call.
    pub async fn issue_token(
        &self,
        corpid: Option<&str>,
        corpsecret: Option<&str>,
    ) -> Result<(String, i64), Error> {
        let corpid = corpid
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| Error::new(Code::CorpIdMissing))?;
        let corpsecret = corpsecret
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| Error::new(Code::SecretMissing))?;
        let corp = CorpId::parse(corpid)?;
        if self
            .deps
            .stores
            .corps
            .find_corp(&corp)
            .await
            .or_internal()?
            .is_none()
        {
            return Err(Error::new(Code::InvalidCorpId));
        }
        let (owner, agent_id) = self
            .deps
            .stores
            .corps
            .find_secret(&secret::digest(corpsecret))
            .await
            .or_internal()?
            .ok_or_else(|| Error::new(Code::InvalidSecret))?;
        if owner != corp {
            return Err(Error::new(Code::SecretOfOtherCorp));
        }
        if agent_id != workhub_store::corps::CONTACTS_AGENT {
            let app = self
                .deps
                .stores
                .corps
                .find_app(&corp, agent_id)
                .await
                .or_internal()?;
            if !app.is_some_and(|a| a.enabled) {
                return Err(Error::new(Code::AppDisabled));
            }
        }
        let token = secret::random_token(48);
        let now = self.deps.now();
        let record = AccessToken {
            corp_id: corp,
            agent_id,
            expires_at: now + TOKEN_TTL_SECS * 1000,
        };
        self.deps
            .stores
            .corps
            .insert_access_token(secret::digest(&token), record, now)
            .await
            .or_internal()?;
        Ok((token, TOKEN_TTL_SECS))
    }

    /// The app an access token belongs to. Malformed tokens answer 40014; unknown or expired
    /// well-formed ones 42001, the code on which every WeCom client refreshes.
    pub async fn authenticate_token(&self, token: Option<&str>) -> Result<Actor, Error> {
        let token = token
            .filter(|t| !t.is_empty())
            .ok_or_else(|| Error::new(Code::TokenMissing))?;
        let well_formed = token.len() == TOKEN_LEN
            && token
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !well_formed {
            return Err(Error::new(Code::TokenInvalid));
        }
        let found = self
            .deps
            .stores
            .corps
            .find_access_token(&secret::digest(token))
            .await
            .or_internal()?;
        match found {
            Some(t) if t.expires_at > self.deps.now() => Ok(Actor::App {
                corp_id: t.corp_id,
                agent_id: t.agent_id,
            }),
            _ => Err(Error::new(Code::TokenExpired)),
        }
    }
}

pub(crate) fn valid_name(name: &str, max: usize) -> Result<String, Error> {
    let name = name.trim();
    let count = name.chars().count();
    if count == 0 || count > max || name.chars().any(|c| c.is_control()) {
        return Err(Error::with(Code::InvalidName, format!("1..{max}")));
    }
    Ok(name.to_string())
}

/// Mainland mobile numbers (11 digits starting with 1), optionally with a +86 prefix, or an
/// international number written `+CC-NUMBER` as WeCom accepts.
pub(crate) fn valid_mobile(m: &str) -> Result<String, Error> {
    let m = m.trim();
    let local = m
        .strip_prefix("+86")
        .map(|r| r.trim_start_matches('-'))
        .unwrap_or(m);
    let mainland =
        local.len() == 11 && local.starts_with('1') && local.chars().all(|c| c.is_ascii_digit());
    let international = m.starts_with('+')
        && m[1..].split_once('-').is_some_and(|(cc, n)| {
            (1..=4).contains(&cc.len())
                && (5..=15).contains(&n.len())
                && cc.chars().chain(n.chars()).all(|c| c.is_ascii_digit())
        });
    if mainland {
        Ok(local.to_string())
    } else if international {
        Ok(m.to_string())
    } else {
        Err(Error::with(Code::InvalidMobile, m.to_string()))
    }
}

pub(crate) fn valid_email(e: &str) -> Result<String, Error> {
    let e = e.trim();
    let ok = e.len() <= 128
        && e.split_once('@').is_some_and(|(user, domain)| {
            !user.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        })
        && !e.chars().any(|c| c.is_whitespace());
    if ok {
        Ok(e.to_string())
    } else {
        Err(Error::with(Code::InvalidEmail, e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mobiles_and_emails() {
        assert_eq!(valid_mobile("13800138000").unwrap(), "13800138000");
        assert_eq!(valid_mobile("+8613800138000").unwrap(), "13800138000");
        assert_eq!(valid_mobile("+1-4155550100").unwrap(), "+1-4155550100");
        assert!(valid_mobile("1380013800").is_err());
        assert!(valid_mobile("23800138000").is_err());
        assert!(valid_mobile("+1-41a5550100").is_err());
        assert!(valid_email("a@b.cn").is_ok());
        assert!(valid_email("a@b").is_err());
        assert!(valid_email("a b@c.cn").is_err());
        assert!(valid_name("  ", 64).is_err());
        assert_eq!(valid_name(" 研发部 ", 64).unwrap(), "研发部");
    }
}

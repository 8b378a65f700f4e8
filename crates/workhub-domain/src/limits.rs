//! API rate limits per app and API class, as WeCom applies them. The defaults are Workhub's
//! (far below WeCom's real limits); each company may set its own. Exceeding one answers 45009.

use serde::{Deserialize, Serialize};
use workhub_bus::Limit;
use workhub_core::{Code, CorpId, Error};

use crate::audit::Audit;
use crate::authz::catalogue as p;
use crate::context::{Actor, Meta, UserActor};
use crate::{Deps, StoreResultExt};

const MINUTE_MS: i64 = 60_000;
const DAY_MS: i64 = 24 * 60 * MINUTE_MS;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiClass {
    Contacts,
    Messages,
}

impl ApiClass {
    fn name(self) -> &'static str {
        match self {
            ApiClass::Contacts => "contacts",
            ApiClass::Messages => "messages",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClassLimits {
    pub per_minute: i64,
    pub per_day: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateLimits {
    pub contacts: ClassLimits,
    pub messages: ClassLimits,
}

impl Default for RateLimits {
    fn default() -> Self {
        RateLimits {
            contacts: ClassLimits {
                per_minute: 300,
                per_day: 10_000,
            },
            messages: ClassLimits {
                per_minute: 200,
                per_day: 5_000,
            },
        }
    }
}

impl RateLimits {
    fn of(&self, class: ApiClass) -> [Limit; 2] {
        let c = match class {
            ApiClass::Contacts => self.contacts,
            ApiClass::Messages => self.messages,
        };
        [
            Limit {
                window_ms: MINUTE_MS,
                max: c.per_minute,
            },
            Limit {
                window_ms: DAY_MS,
                max: c.per_day,
            },
        ]
    }

    fn validate(&self) -> Result<(), Error> {
        for c in [self.contacts, self.messages] {
            if !(1..=1_000_000).contains(&c.per_minute)
                || !(1..=100_000_000).contains(&c.per_day)
                || c.per_day < c.per_minute
            {
                return Err(Error::with(
                    Code::InvalidRequest,
                    "per_minute 1..1000000, per_day ≥ per_minute",
                ));
            }
        }
        Ok(())
    }
}

/// What an app has left in the current minute and day.
#[derive(Debug, Clone, Serialize)]
pub struct Budget {
    pub agentid: i64,
    pub name: String,
    pub contacts: [i64; 2],
    pub messages: [i64; 2],
}

#[derive(Clone)]
pub struct RateLimiting {
    deps: Deps,
    audit: Audit,
}

impl RateLimiting {
    pub(crate) fn new(deps: Deps, audit: Audit) -> Self {
        Self { deps, audit }
    }

    async fn limits(&self, corp: &CorpId) -> Result<RateLimits, Error> {
        let saved = self
            .deps
            .stores
            .corps
            .find_rate_limits(corp)
            .await
            .or_internal()?;
        Ok(saved
            .and_then(|s| serde_json::from_str(&s).ok())
            .unwrap_or_default())
    }

    fn key(corp: &CorpId, agent: i64, class: ApiClass) -> String {
        format!("{corp}:{agent}:{}", class.name())
    }

    /// Counts one API call of an app; 45009 when its minute or day budget is spent.
    pub async fn charge(&self, actor: &Actor, class: ApiClass) -> Result<(), Error> {
        let Actor::App { corp_id, agent_id } = actor else {
            return Ok(());
        };
        let limits = self.limits(corp_id).await?.of(class);
        let decision = self
            .deps
            .limiter
            .charge(
                &Self::key(corp_id, *agent_id, class),
                &limits,
                self.deps.now(),
            )
            .await;
        if decision.allowed {
            Ok(())
        } else {
            Err(Error::with(Code::RateLimited, class.name()))
        }
    }

    /// The company's limits and every app's remaining budget. Admins only.
    pub async fn overview(&self, who: &UserActor) -> Result<(RateLimits, Vec<Budget>), Error> {
        who.require(p::APPS_RATE_LIMIT_READ)?;
        let corp = &who.corp_id;
        let limits = self.limits(corp).await?;
        let mut apps: Vec<(i64, String)> = vec![(
            workhub_store::corps::CONTACTS_AGENT,
            "通讯录同步 / Contacts sync".into(),
        )];
        apps.extend(
            self.deps
                .stores
                .corps
                .list_apps(corp)
                .await
                .or_internal()?
                .into_iter()
                .map(|a| (a.agent_id, a.name)),
        );
        let now = self.deps.now();
        let mut budgets = Vec::new();
        for (agentid, name) in apps {
            let left = |class| {
                let key = Self::key(corp, agentid, class);
                async move {
                    self.deps
                        .limiter
                        .remaining(&key, &limits.of(class), now)
                        .await
                }
            };
            let (c, m) = (
                left(ApiClass::Contacts).await,
                left(ApiClass::Messages).await,
            );
            budgets.push(Budget {
                agentid,
                name,
                contacts: [c[0], c[1]],
                messages: [m[0], m[1]],
            });
        }
        Ok((limits, budgets))
    }

    pub async fn save(
        &self,
        who: &UserActor,
        meta: &Meta,
        limits: RateLimits,
    ) -> Result<RateLimits, Error> {
        let result = async {
            who.require(p::APPS_RATE_LIMIT_EDIT)?;
            limits.validate()?;
            let json = serde_json::to_string(&limits).map_err(|_| Error::new(Code::Internal))?;
            self.deps
                .stores
                .corps
                .save_rate_limits(&who.corp_id, json)
                .await
                .or_internal()?;
            Ok(limits)
        }
        .await;
        self.audit
            .record(
                who.corp_id.as_str(),
                &Actor::User(who.clone()),
                meta,
                "rate_limits.update",
                "",
                result.as_ref().map(|_| ()),
            )
            .await;
        result
    }
}

//! Server operators: created from the command line, they sign in to the operator console
//! to verify companies.

use workhub_core::{Code, Error, secret};
use workhub_store::StoreError;

use crate::accounts::{SecurityPolicy, password};
use crate::audit::Audit;
use crate::context::{Actor, Meta};
use crate::{Deps, StoreResultExt, store_error};

/// Operator console sessions last a working day.
const SESSION_MS: i64 = 12 * 3600 * 1000;

#[derive(Clone)]
pub struct Operators {
    deps: Deps,
    audit: Audit,
}

impl Operators {
    pub(crate) fn new(deps: Deps, audit: Audit) -> Self {
        Self { deps, audit }
    }

    pub async fn exists(&self) -> Result<bool, Error> {
        Ok(self
            .deps
            .stores
            .operators
            .count_operators()
            .await
            .or_internal()?
            > 0)
    }

    pub async fn create(&self, username: &str, password: &str) -> Result<(), Error> {
        let username = username.trim();
        if username.is_empty()
            || username.len() > 64
            || !username
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "_-.@".contains(c))
        {
            return Err(Error::with(Code::InvalidName, "username"));
        }
        let policy = SecurityPolicy {
            min_password_length: 10,
            ..Default::default()
        };
        policy.check_password(password)?;
        let digest = password::hash(password).await?;
        match self
            .deps
            .stores
            .operators
            .create_operator(username, digest, self.deps.now())
            .await
        {
            Err(StoreError::Duplicate(_)) => Err(Error::new(Code::OperatorExists)),
            other => other.map_err(store_error),
        }
    }

    /// Returns a console session token.
    pub async fn login(
        &self,
        meta: &Meta,
        username: &str,
        password: &str,
    ) -> Result<String, Error> {
        let digest = self
            .deps
            .stores
            .operators
            .find_operator_password(username.trim())
            .await
            .or_internal()?;
        let ok = match &digest {
            Some(d) => password::verify(password, d).await,
            None => false,
        };
        let actor = Actor::Operator(username.trim().to_string());
        if !ok {
            let e = Error::new(Code::InvalidCredentials);
            self.audit
                .record("", &actor, meta, "operator.login", username, Err(&e))
                .await;
            return Err(e);
        }
        let token = secret::random_token(32);
        let expires = self.deps.now() + SESSION_MS;
        self.deps
            .stores
            .operators
            .open_operator_session(secret::digest(&token), username.trim(), expires)
            .await
            .or_internal()?;
        self.audit
            .record("", &actor, meta, "operator.login", username, Ok(()))
            .await;
        Ok(token)
    }

    /// The operator a console token belongs to.
    pub async fn authenticate(&self, token: &str) -> Result<String, Error> {
        self.deps
            .stores
            .operators
            .find_operator_session(&secret::digest(token), self.deps.now())
            .await
            .or_internal()?
            .ok_or_else(|| Error::new(Code::Unauthenticated))
    }

    pub async fn logout(&self, token: &str) -> Result<(), Error> {
        self.deps
            .stores
            .operators
            .close_operator_session(&secret::digest(token))
            .await
            .or_internal()
    }
}

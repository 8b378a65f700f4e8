//! Self-service company registration in WeCom's four steps: company details with the business
//! licence and credit code; corporate bank account verification by a small payment whose code
//! the operator records; administrator binding; information completion. The company exists
//! (unverified, limited) from step three; the operator verifies it in the console.

use serde::Serialize;
use workhub_core::{Code, Edition, Error, secret, uscc};
use workhub_store::corps::CorpDetails;
use workhub_store::signups::{Signup as Record, StoredFile};

use crate::audit::Audit;
use crate::context::{Actor, Meta};
use crate::corps::{CreatedCorp, NewCompany, valid_name};
use crate::{Deps, StoreResultExt};

/// Largest upload during sign-up.
pub const MAX_UPLOAD: usize = 10 * 1024 * 1024;

#[derive(Debug, Clone, Serialize)]
pub struct SignupView {
    pub signup_id: String,
    pub step: String,
    pub company_name: String,
    pub uscc: String,
    pub bank_status: String,
    pub corpid: Option<String>,
}

/// A sign-up as the operator's queue shows it.
#[derive(Debug, Clone, Serialize)]
pub struct SignupReview {
    pub signup_id: String,
    pub company_name: String,
    pub uscc: String,
    pub licence_file_id: String,
    pub bank_name: Option<String>,
    pub account_name: Option<String>,
    pub account_number: Option<String>,
    pub bank_status: String,
    pub bank_code_sent: bool,
    pub corpid: Option<String>,
    pub step: String,
    pub created_at: i64,
}

#[derive(Debug, Clone)]
pub struct AdminInput {
    pub name: String,
    pub userid: String,
    pub mobile: String,
    pub email: String,
    pub password: String,
}

#[derive(Clone)]
pub struct Signup {
    deps: Deps,
    audit: Audit,
    corps: crate::corps::Corps,
}

impl Signup {
    pub(crate) fn new(deps: Deps, audit: Audit) -> Self {
        let corps = crate::corps::Corps::new(deps.clone(), audit.clone());
        Self { deps, audit, corps }
    }

    /// Stores a licence or logo; the type is read from the bytes, not trusted from the client.
    pub async fn upload(&self, bytes: Vec<u8>) -> Result<(String, usize), Error> {
        if bytes.is_empty() {
            return Err(Error::with(Code::InvalidRequest, "empty file"));
        }
        if bytes.len() > MAX_UPLOAD {
            return Err(Error::new(Code::PayloadTooLarge));
        }
        let content_type = sniff(&bytes)
            .ok_or_else(|| Error::with(Code::UnsupportedFileType, "PNG, JPEG, WebP, PDF"))?;
        let file_id = uuid::Uuid::now_v7().simple().to_string();
        let size = bytes.len();
        let file = StoredFile {
            file_id: file_id.clone(),
            content_type: content_type.to_string(),
            bytes,
            created_at: self.deps.now(),
        };
        self.deps
            .stores
            .signups
            .put_file(file)
            .await
            .or_internal()?;
        Ok((file_id, size))
    }

    pub async fn file(&self, file_id: &str) -> Result<StoredFile, Error> {
        self.deps
            .stores
            .signups
            .find_file(file_id)
            .await
            .or_internal()?
            .ok_or_else(|| Error::new(Code::FileNotFound))
    }

    /// Step one. Returns the sign-up id and the token that authorises the later steps.
    pub async fn start(
        &self,
        meta: &Meta,
        company_name: &str,
        code: &str,
        licence_file_id: &str,
    ) -> Result<(String, String), Error> {
        let company_name = valid_name(company_name, 64)?;
        let code = code.trim().to_ascii_uppercase();
        if !uscc::is_valid(&code) {
            return Err(Error::new(Code::InvalidUscc));
        }
        self.file(licence_file_id)
            .await
            .map_err(|_| Error::with(Code::FileNotFound, "licence_file_id"))?;
        let token = secret::random_token(32);
        let record = Record {
            signup_id: uuid::Uuid::now_v7().simple().to_string(),
            token_digest: secret::digest(&token),
            company_name,
            uscc: code,
            licence_file_id: licence_file_id.to_string(),
            step: "bank".into(),
            bank_name: None,
            account_name: None,
            account_number: None,
            bank_code: None,
            bank_status: "none".into(),
            corp_id: None,
            created_at: self.deps.now(),
        };
        self.deps
            .stores
            .signups
            .create_signup(record.clone())
            .await
            .or_internal()?;
        self.audit
            .record(
                "",
                &Actor::Anonymous,
                meta,
                "signup.start",
                &record.signup_id,
                Ok(()),
            )
            .await;
        Ok((record.signup_id, token))
    }

    async fn load(&self, signup_id: &str, token: &str) -> Result<Record, Error> {
        let found = self
            .deps
            .stores
            .signups
            .find_signup(signup_id)
            .await
            .or_internal()?;
        found
            .filter(|r| r.token_digest == secret::digest(token))
            .ok_or_else(|| Error::new(Code::SignupNotFound))
    }

    pub async fn view(&self, signup_id: &str, token: &str) -> Result<SignupView, Error> {
        Ok(view(&self.load(signup_id, token).await?))
    }

    /// Step two: the corporate account the operator will send a small payment to.
    pub async fn bank(
        &self,
        signup_id: &str,
        token: &str,
        bank_name: &str,
        account_name: &str,
        account_number: &str,
    ) -> Result<SignupView, Error> {
        let mut r = self.load(signup_id, token).await?;
        if r.step != "bank" {
            return Err(Error::new(Code::SignupStep));
        }
        let number: String = account_number
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        if !(8..=32).contains(&number.len()) || !number.chars().all(|c| c.is_ascii_digit()) {
            return Err(Error::with(Code::InvalidRequest, "account_number"));
        }
        r.bank_name = Some(valid_name(bank_name, 64)?);
        r.account_name = Some(valid_name(account_name, 64)?);
        r.account_number = Some(number);
        r.bank_status = "awaiting_payment".into();
        r.step = "admin".into();
        self.deps
            .stores
            .signups
            .update_signup(r.clone())
            .await
            .or_internal()?;
        Ok(view(&r))
    }

    /// The applicant enters the code that came with the payment; may happen after later steps.
    pub async fn confirm_bank(
        &self,
        meta: &Meta,
        signup_id: &str,
        token: &str,
        code: &str,
    ) -> Result<SignupView, Error> {
        let mut r = self.load(signup_id, token).await?;
        let result = match (&r.bank_status[..], &r.bank_code) {
            ("verified", _) => Ok(()),
            ("awaiting_payment", None) => Err(Error::new(Code::BankCodeNotSent)),
            ("awaiting_payment", Some(expected)) if expected.eq_ignore_ascii_case(code.trim()) => {
                Ok(())
            }
            ("awaiting_payment", Some(_)) => Err(Error::new(Code::BankCodeMismatch)),
            _ => Err(Error::new(Code::SignupStep)),
        };
        self.audit
            .record(
                r.corp_id.as_deref().unwrap_or(""),
                &Actor::Anonymous,
                meta,
                "signup.bank_confirm",
                signup_id,
                result.as_ref().map(|_| ()),
            )
            .await;
        result?;
        r.bank_status = "verified".into();
        self.deps
            .stores
            .signups
            .update_signup(r.clone())
            .await
            .or_internal()?;
        Ok(view(&r))
    }

    /// Step three: creates the company and its administrator.
    pub async fn bind_admin(
        &self,
        meta: &Meta,
        signup_id: &str,
        token: &str,
        admin: AdminInput,
    ) -> Result<CreatedCorp, Error> {
        let mut r = self.load(signup_id, token).await?;
        if r.step != "admin" {
            return Err(Error::new(Code::SignupStep));
        }
        let company = NewCompany {
            name: r.company_name.clone(),
            admin_userid: admin.userid,
            admin_name: admin.name,
            admin_password: admin.password,
            admin_mobile: Some(admin.mobile),
            admin_email: Some(admin.email),
            edition: Edition::Standard,
            uscc: Some(r.uscc.clone()),
        };
        let created = self.corps.create(&Actor::Anonymous, meta, company).await?;
        r.corp_id = Some(created.corpid.clone());
        r.step = "details".into();
        self.deps
            .stores
            .signups
            .update_signup(r)
            .await
            .or_internal()?;
        Ok(created)
    }

    /// Step four: industry, size, address, logo.
    pub async fn complete(
        &self,
        signup_id: &str,
        token: &str,
        mut details: CorpDetails,
    ) -> Result<SignupView, Error> {
        let mut r = self.load(signup_id, token).await?;
        if r.step != "details" {
            return Err(Error::new(Code::SignupStep));
        }
        if let Some(logo) = details.logo_file_id.as_deref().filter(|l| !l.is_empty()) {
            self.file(logo)
                .await
                .map_err(|_| Error::with(Code::FileNotFound, "logo_file_id"))?;
        } else {
            details.logo_file_id = None;
        }
        let corp = workhub_core::CorpId::from_trusted(r.corp_id.clone().unwrap_or_default());
        self.corps.update_details(&corp, details).await?;
        r.step = "done".into();
        self.deps
            .stores
            .signups
            .update_signup(r.clone())
            .await
            .or_internal()?;
        Ok(view(&r))
    }

    /// The operator's queue, newest first.
    pub async fn list_for_review(&self) -> Result<Vec<SignupReview>, Error> {
        let all = self
            .deps
            .stores
            .signups
            .list_signups()
            .await
            .or_internal()?;
        Ok(all
            .into_iter()
            .map(|r| SignupReview {
                bank_code_sent: r.bank_code.is_some(),
                signup_id: r.signup_id,
                company_name: r.company_name,
                uscc: r.uscc,
                licence_file_id: r.licence_file_id,
                bank_name: r.bank_name,
                account_name: r.account_name,
                account_number: r.account_number,
                bank_status: r.bank_status,
                corpid: r.corp_id,
                step: r.step,
                created_at: r.created_at,
            })
            .collect())
    }

    /// The operator records the code sent with the small payment.
    pub async fn record_bank_code(
        &self,
        operator: &str,
        meta: &Meta,
        signup_id: &str,
        code: &str,
    ) -> Result<(), Error> {
        let code = code.trim();
        if code.is_empty() || code.len() > 16 || !code.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(Error::with(Code::InvalidRequest, "code"));
        }
        let mut r = self
            .deps
            .stores
            .signups
            .find_signup(signup_id)
            .await
            .or_internal()?
            .ok_or_else(|| Error::new(Code::SignupNotFound))?;
        if r.bank_status != "awaiting_payment" {
            return Err(Error::new(Code::SignupStep));
        }
        r.bank_code = Some(code.to_string());
        self.deps
            .stores
            .signups
            .update_signup(r)
            .await
            .or_internal()?;
        self.audit
            .record(
                "",
                &Actor::Operator(operator.to_string()),
                meta,
                "signup.bank_code",
                signup_id,
                Ok(()),
            )
            .await;
        Ok(())
    }
}

fn view(r: &Record) -> SignupView {
    SignupView {
        signup_id: r.signup_id.clone(),
        step: r.step.clone(),
        company_name: r.company_name.clone(),
        uscc: r.uscc.clone(),
        bank_status: r.bank_status.clone(),
        corpid: r.corp_id.clone(),
    }
}

/// The content type of an accepted upload, from its first bytes.
fn sniff(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else if bytes.len() > 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else {
        None
    }
}

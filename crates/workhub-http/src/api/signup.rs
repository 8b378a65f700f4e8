//! Company sign-up, step by step. Later steps carry the `X-Signup-Token` from the first.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};
use workhub_core::{Code, Error};
use workhub_domain::accounts::{LoginInput, LoginOutcome};
use workhub_domain::signup::AdminInput;
use workhub_store::corps::CorpDetails;

use crate::AppState;
use crate::error::ApiResult;
use crate::extract::{JsonBody, RequestMeta};

fn token(headers: &HeaderMap) -> Result<String, Error> {
    headers
        .get("x-signup-token")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .ok_or_else(|| Error::new(Code::SignupNotFound))
}

/// POST /api/v1/uploads/licence (raw bytes)
pub async fn upload(State(state): State<AppState>, body: Bytes) -> ApiResult<Json<Value>> {
    let (file_id, size) = state.domain.signup.upload(body.to_vec()).await?;
    Ok(Json(json!({ "file_id": file_id, "size": size })))
}

#[derive(Deserialize)]
pub struct StartBody {
    company_name: String,
    uscc: String,
    licence_file_id: String,
}

/// POST /api/v1/signup
pub async fn start(
    State(state): State<AppState>,
    RequestMeta(meta): RequestMeta,
    JsonBody(b): JsonBody<StartBody>,
) -> ApiResult<Json<Value>> {
    let (signup_id, signup_token) = state
        .domain
        .signup
        .start(&meta, &b.company_name, &b.uscc, &b.licence_file_id)
        .await?;
    Ok(Json(
        json!({ "signup_id": signup_id, "signup_token": signup_token }),
    ))
}

/// GET /api/v1/signup/{id}
pub async fn view(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    Ok(Json(json!(
        state.domain.signup.view(&id, &token(&headers)?).await?
    )))
}

#[derive(Deserialize)]
pub struct BankBody {
    bank_name: String,
    account_name: String,
    account_number: String,
}

/// POST /api/v1/signup/{id}/bank
pub async fn bank(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<BankBody>,
) -> ApiResult<Json<Value>> {
    let view = state
        .domain
        .signup
        .bank(
            &id,
            &token(&headers)?,
            &b.bank_name,
            &b.account_name,
            &b.account_number,
        )
        .await?;
    Ok(Json(json!(view)))
}

#[derive(Deserialize)]
pub struct ConfirmBody {
    code: String,
}

/// POST /api/v1/signup/{id}/bank/confirm
pub async fn confirm_bank(
    State(state): State<AppState>,
    RequestMeta(meta): RequestMeta,
    headers: HeaderMap,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<ConfirmBody>,
) -> ApiResult<Json<Value>> {
    let view = state
        .domain
        .signup
        .confirm_bank(&meta, &id, &token(&headers)?, &b.code)
        .await?;
    Ok(Json(json!(view)))
}

#[derive(Deserialize)]
pub struct AdminBody {
    name: String,
    userid: String,
    mobile: String,
    email: String,
    password: String,
    #[serde(default)]
    device_id: Option<String>,
}

/// POST /api/v1/signup/{id}/admin — creates the company and signs its administrator in.
pub async fn admin(
    State(state): State<AppState>,
    RequestMeta(meta): RequestMeta,
    headers: HeaderMap,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<AdminBody>,
) -> ApiResult<Response> {
    let input = AdminInput {
        name: b.name,
        userid: b.userid.clone(),
        mobile: b.mobile,
        email: b.email,
        password: b.password.clone(),
    };
    let created = state
        .domain
        .signup
        .bind_admin(&meta, &id, &token(&headers)?, input)
        .await?;
    let login = LoginInput {
        corpid: created.corpid.clone(),
        login: created.admin_userid.clone(),
        password: b.password,
        totp_code: None,
        device_id: b.device_id.unwrap_or_else(|| format!("signup-{id}")),
        device_name: "Web".to_string(),
        platform: "web".to_string(),
    };
    match state.domain.accounts.login(&meta, login).await? {
        LoginOutcome::SignedIn(s) => {
            let (session, user) = (&s.session, &s.user);
            let mut res = super::auth::signed_in(&state, s.token.clone(), session, user);
            // The wizard also needs the new corpid.
            *res.body_mut() = axum::body::Body::from(
                json!({ "corpid": created.corpid, "session_id": session.session_id }).to_string(),
            );
            Ok(res)
        }
        _ => Ok(Json(json!({ "corpid": created.corpid })).into_response()),
    }
}

#[derive(Deserialize)]
pub struct DetailsBody {
    industry: Option<String>,
    size: Option<String>,
    address: Option<String>,
    logo_file_id: Option<String>,
}

/// POST /api/v1/signup/{id}/details
pub async fn details(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<DetailsBody>,
) -> ApiResult<Json<Value>> {
    let details = CorpDetails {
        industry: b.industry,
        size: b.size,
        address: b.address,
        logo_file_id: b.logo_file_id,
    };
    let view = state
        .domain
        .signup
        .complete(&id, &token(&headers)?, details)
        .await?;
    Ok(Json(json!({ "corpid": view.corpid, "step": view.step })))
}

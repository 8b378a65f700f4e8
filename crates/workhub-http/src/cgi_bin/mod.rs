//! The WeCom-compatible API under `/cgi-bin`: an anti-corruption layer that speaks WeCom's
//! paths, field names and errcodes, and translates into the same domain calls as `/api/v1`.
//! Every call but `gettoken` carries `?access_token=`.

mod batch;
mod department;
mod gettoken;
mod message;
mod tag;
mod user;

use axum::Router;
use axum::body::Bytes;
use axum::extract::DefaultBodyLimit;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::routing::{get, post};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};
use workhub_core::{Code, Error};
use workhub_domain::Actor;
use workhub_domain::limits::ApiClass;

use crate::AppState;
use crate::error::WecomError;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/gettoken",
            get(gettoken::gettoken).post(gettoken::gettoken),
        )
        .route(
            "/media/upload",
            post(batch::upload).layer(DefaultBodyLimit::max(batch::MAX_MEDIA + 64 * 1024)),
        )
        .route("/media/get", get(batch::media_get))
        .route("/batch/syncuser", post(batch::syncuser))
        .route("/batch/replaceuser", post(batch::replaceuser))
        .route("/batch/replaceparty", post(batch::replaceparty))
        .route("/batch/getresult", get(batch::getresult))
        .route("/department/create", post(department::create))
        .route("/department/update", post(department::update))
        .route(
            "/department/delete",
            get(department::delete).post(department::delete),
        )
        .route("/department/list", get(department::list))
        .route("/department/simplelist", get(department::simplelist))
        .route("/department/get", get(department::get))
        .route("/user/create", post(user::create))
        .route("/user/update", post(user::update))
        .route("/user/get", get(user::get))
        .route("/user/delete", get(user::delete).post(user::delete))
        .route("/user/batchdelete", post(user::batchdelete))
        .route("/user/simplelist", get(user::simplelist))
        .route("/user/list", get(user::list))
        .route("/user/list_id", post(user::list_id))
        .route("/user/getuserid", post(user::getuserid))
        .route("/user/convert_to_openid", post(user::convert_to_openid))
        .route("/user/convert_to_userid", post(user::convert_to_userid))
        .route("/tag/create", post(tag::create))
        .route("/tag/update", post(tag::update))
        .route("/tag/delete", get(tag::delete).post(tag::delete))
        .route("/tag/get", get(tag::get))
        .route("/tag/addtagusers", post(tag::addtagusers))
        .route("/tag/deltagusers", post(tag::deltagusers))
        .route("/tag/list", get(tag::list))
        .route("/message/send", post(message::send))
        .route("/message/recall", post(message::recall))
        .route("/appchat/create", post(message::appchat_create))
        .route("/appchat/update", post(message::appchat_update))
        .route("/appchat/get", get(message::appchat_get))
        .route("/appchat/send", post(message::appchat_send))
        .route("/webhook/send", post(message::webhook_send))
        .route(
            "/webhook/upload_media",
            post(message::webhook_upload)
                .layer(DefaultBodyLimit::max(batch::MAX_MEDIA + 64 * 1024)),
        )
}

/// The app behind `?access_token=`.
pub struct App(pub Actor);

impl FromRequestParts<AppState> for App {
    type Rejection = WecomError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = query_value(parts, "access_token");
        let app = state
            .domain
            .corps
            .authenticate_token(token.as_deref())
            .await?;
        let meta = crate::extract::meta_of(parts, state);
        state.domain.apps.check_call(&app, &meta.ip).await?;
        if let Some(class) = api_class(parts.uri.path()) {
            state.domain.limits.charge(&app, class).await?;
        }
        Ok(App(app))
    }
}

/// Which budget a WeCom path spends.
fn api_class(path: &str) -> Option<ApiClass> {
    // Nested routers see the path without "/cgi-bin"; accept both forms.
    let api = path.trim_start_matches('/').trim_start_matches("cgi-bin/");
    if ["department/", "user/", "tag/", "batch/"]
        .iter()
        .any(|p| api.starts_with(p))
    {
        Some(ApiClass::Contacts)
    } else if ["message/", "appchat/", "linkedcorp/message/"]
        .iter()
        .any(|p| api.starts_with(p))
    {
        Some(ApiClass::Messages)
    } else {
        None
    }
}

/// One query parameter, URL-decoded.
pub fn query_value(parts: &Parts, name: &str) -> Option<String> {
    let query = parts.uri.query()?;
    let pairs: Vec<(String, String)> = serde_urlencoded_pairs(query);
    pairs.into_iter().find(|(k, _)| k == name).map(|(_, v)| v)
}

fn serde_urlencoded_pairs(query: &str) -> Vec<(String, String)> {
    axum::extract::Query::<Vec<(String, String)>>::try_from_uri(
        &format!("/?{query}").parse().unwrap_or_default(),
    )
    .map(|q| q.0)
    .unwrap_or_default()
}

/// A JSON body whatever the Content-Type (wechatpy sends none).
pub struct Body<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Body<T> {
    type Rejection = WecomError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|_| Error::new(Code::PayloadTooLarge))?;
        crate::extract::parse_json(&bytes)
            .map(Body)
            .map_err(WecomError)
    }
}

/// An integer query parameter, required.
pub fn int_param(parts: &Parts, name: &str, missing: Code) -> Result<i64, WecomError> {
    let value = query_value(parts, name)
        .filter(|v| !v.trim().is_empty())
        .ok_or_else(|| Error::with(missing, name.to_string()))?;
    value
        .trim()
        .parse()
        .map_err(|_| WecomError(Error::with(Code::InvalidRequest, name.to_string())))
}

/// `{"errcode": 0, "errmsg": msg, ...payload}`.
pub fn ok(msg: &str, payload: Value) -> axum::Json<Value> {
    let mut out = Map::new();
    out.insert("errcode".into(), json!(0));
    out.insert("errmsg".into(), json!(msg));
    if let Value::Object(fields) = payload {
        out.extend(fields);
    }
    axum::Json(Value::Object(out))
}

pub type Reply = Result<axum::Json<Value>, WecomError>;

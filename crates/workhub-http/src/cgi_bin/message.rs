//! `/cgi-bin/message/*`, `/cgi-bin/appchat/*` and the group robot `/cgi-bin/webhook/send` and
//! `/cgi-bin/webhook/upload_media`.

use axum::extract::{Multipart, State};
use axum::http::request::Parts;
use serde::Deserialize;
use serde_json::{Value, json};
use workhub_core::{Code, Error, Lang};
use workhub_domain::Actor;
use workhub_domain::directory::Targets;
use workhub_domain::messaging::{AppSend, GroupPatch, RobotPost};

use super::{App, Body, Reply, ok, query_value};
use crate::AppState;
use crate::error::WecomError;

/// `a|b|c` as a list (WeCom joins targets with `|`).
fn split(v: &Option<String>) -> Vec<String> {
    v.as_deref()
        .unwrap_or("")
        .split('|')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// The payload of a message: the object under the key named by `msgtype`.
fn payload(body: &Value, kind: &str) -> Result<Value, Error> {
    body.get(kind)
        .filter(|v| v.is_object())
        .cloned()
        .ok_or_else(|| Error::with(Code::MissingField, kind.to_string()))
}

fn msgtype(body: &Value) -> Result<String, Error> {
    body.get("msgtype")
        .and_then(Value::as_str)
        .map(str::to_string)
        .ok_or_else(|| Error::with(Code::MissingField, "msgtype"))
}

/// The body's `agentid` (a number or a numeric string) must be the token's own app.
fn check_agent(app: &Actor, body: &Value) -> Result<(), Error> {
    let given = match body.get("agentid") {
        Some(Value::Number(n)) => n.as_i64(),
        Some(Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    };
    match (app, given) {
        (Actor::App { agent_id, .. }, Some(given)) if *agent_id == given => Ok(()),
        (_, None) => Err(Error::with(Code::MissingField, "agentid")),
        _ => Err(Error::with(Code::Forbidden, "agentid")),
    }
}

/// POST /cgi-bin/message/send
pub async fn send(State(state): State<AppState>, App(app): App, Body(b): Body<Value>) -> Reply {
    check_agent(&app, &b)?;
    let kind = msgtype(&b)?;
    let field = |name: &str| b.get(name).and_then(Value::as_str).map(str::to_string);
    let users = split(&field("touser"));
    let parties = split(&field("toparty"));
    let tags = split(&field("totag"));
    if users.is_empty() && parties.is_empty() && tags.is_empty() {
        return Err(Error::with(Code::MissingField, "touser").into());
    }
    let number =
        |list: &[String]| -> Vec<i64> { list.iter().filter_map(|v| v.parse().ok()).collect() };
    let targets = Targets {
        all: users.iter().any(|u| u == "@all"),
        users: users.iter().filter(|u| *u != "@all").cloned().collect(),
        parties: number(&parties),
        tags: number(&tags),
    };
    let content = payload(&b, &kind)?;
    let sent = state
        .domain
        .messaging
        .send_as_app(
            &app,
            AppSend {
                targets,
                kind,
                content,
            },
        )
        .await?;
    let join = |v: Vec<String>| v.join("|");
    let ints = |v: &[i64]| v.iter().map(i64::to_string).collect::<Vec<_>>().join("|");
    let mut reply = json!({
        "invaliduser": join(sent.invalid.invalid_users.clone()),
        "invalidparty": ints(&sent.invalid.invalid_parties),
        "invalidtag": ints(&sent.invalid.invalid_tags),
        "unlicenseduser": "",
        "msgid": sent.msgid,
    });
    if sent.delivered == 0 {
        // Every target was invalid: WeCom answers 81013 and still echoes the lists.
        reply["errcode"] = json!(Code::NoValidRecipient.errcode());
        reply["errmsg"] = json!(Code::NoValidRecipient.message(Lang::En));
        return Ok(axum::Json(reply));
    }
    Ok(ok("ok", reply))
}

#[derive(Deserialize)]
pub struct RecallBody {
    msgid: Option<String>,
}

/// POST /cgi-bin/message/recall
pub async fn recall(
    State(state): State<AppState>,
    App(app): App,
    Body(b): Body<RecallBody>,
) -> Reply {
    let msgid = b
        .msgid
        .ok_or_else(|| Error::with(Code::MissingField, "msgid"))?;
    state.domain.messaging.recall_as_app(&app, &msgid).await?;
    Ok(ok("ok", json!({})))
}

#[derive(Deserialize)]
pub struct CreateChat {
    name: Option<String>,
    owner: Option<String>,
    #[serde(default)]
    userlist: Vec<String>,
    chatid: Option<String>,
}

/// POST /cgi-bin/appchat/create
pub async fn appchat_create(
    State(state): State<AppState>,
    App(app): App,
    Body(b): Body<CreateChat>,
) -> Reply {
    let chatid = state
        .domain
        .messaging
        .appchat_create(
            &app,
            b.chatid.as_deref(),
            b.name.as_deref().unwrap_or(""),
            b.owner.as_deref(),
            &b.userlist,
        )
        .await?;
    Ok(ok("ok", json!({ "chatid": chatid })))
}

#[derive(Deserialize)]
pub struct UpdateChat {
    chatid: Option<String>,
    name: Option<String>,
    owner: Option<String>,
    #[serde(default)]
    add_user_list: Vec<String>,
    #[serde(default)]
    del_user_list: Vec<String>,
}

/// POST /cgi-bin/appchat/update
pub async fn appchat_update(
    State(state): State<AppState>,
    App(app): App,
    Body(b): Body<UpdateChat>,
) -> Reply {
    let chatid = b
        .chatid
        .ok_or_else(|| Error::with(Code::MissingField, "chatid"))?;
    let patch = GroupPatch {
        name: b.name.filter(|n| !n.is_empty()),
        owner: b.owner.filter(|o| !o.is_empty()),
        add_members: b.add_user_list,
        remove_members: b.del_user_list,
        ..Default::default()
    };
    state
        .domain
        .messaging
        .appchat_update(&app, &chatid, patch)
        .await?;
    Ok(ok("ok", json!({})))
}

/// GET /cgi-bin/appchat/get?chatid=
pub async fn appchat_get(State(state): State<AppState>, App(app): App, parts: Parts) -> Reply {
    let chatid =
        query_value(&parts, "chatid").ok_or_else(|| Error::with(Code::MissingField, "chatid"))?;
    let (chat, userlist) = state.domain.messaging.appchat_get(&app, &chatid).await?;
    Ok(ok(
        "ok",
        json!({ "chat_info": {
            "chatid": chat.id, "name": chat.name, "owner": chat.owner,
            "userlist": userlist, "chat_type": 0,
        }}),
    ))
}

/// POST /cgi-bin/appchat/send
pub async fn appchat_send(
    State(state): State<AppState>,
    App(app): App,
    Body(b): Body<Value>,
) -> Reply {
    let chatid = b
        .get("chatid")
        .and_then(Value::as_str)
        .ok_or_else(|| Error::with(Code::MissingField, "chatid"))?
        .to_string();
    let kind = msgtype(&b)?;
    let content = payload(&b, &kind)?;
    state
        .domain
        .messaging
        .appchat_send(&app, &chatid, &kind, &content)
        .await?;
    Ok(ok("ok", json!({})))
}

#[derive(Deserialize)]
pub struct WebhookText {
    #[serde(default)]
    mentioned_list: Vec<String>,
    #[serde(default)]
    mentioned_mobile_list: Vec<String>,
}

/// POST /cgi-bin/webhook/upload_media?key=KEY&type=file|voice (multipart, part `media`): a file
/// the robot then sends with `{"msgtype": "file", "file": {"media_id": …}}`.
pub async fn webhook_upload(State(state): State<AppState>, parts: Parts, form: Multipart) -> Reply {
    let key = query_value(&parts, "key")
        .filter(|k| !k.is_empty())
        .ok_or_else(|| WecomError(Error::new(Code::InvalidWebhookKey)))?;
    let kind = query_value(&parts, "type").unwrap_or_default();
    if !matches!(kind.as_str(), "file" | "voice") {
        return Err(Error::with(Code::InvalidRequest, "type: file or voice").into());
    }
    let (corp, robot) = state.domain.messaging.robot_of(&key).await?;
    super::batch::keep_media(&state, &corp, &robot, &kind, form).await
}

/// POST /cgi-bin/webhook/send?key=KEY (no access token: the key is the credential)
pub async fn webhook_send(
    State(state): State<AppState>,
    parts: Parts,
    Body(b): Body<Value>,
) -> Reply {
    let key = query_value(&parts, "key")
        .filter(|k| !k.is_empty())
        .ok_or_else(|| WecomError(Error::new(Code::InvalidWebhookKey)))?;
    let mut kind = msgtype(&b)?;
    let mut content = payload(&b, &kind)?;
    // markdown_v2 renders as markdown here; the richer syntax degrades to plain text.
    if kind == "markdown_v2" {
        kind = "markdown".into();
    }
    let mentions: WebhookText = if kind == "text" {
        serde_json::from_value(content.clone())
            .map_err(|_| Error::with(Code::InvalidRequest, "text"))?
    } else {
        WebhookText {
            mentioned_list: vec![],
            mentioned_mobile_list: vec![],
        }
    };
    if let Some(obj) = content.as_object_mut() {
        obj.remove("mentioned_list");
        obj.remove("mentioned_mobile_list");
    }
    state
        .domain
        .messaging
        .robot_send(
            &key,
            RobotPost {
                kind,
                content,
                mentioned: mentions.mentioned_list,
                mentioned_mobiles: mentions.mentioned_mobile_list,
            },
        )
        .await?;
    Ok(ok("ok", json!({})))
}

//! Sending (idempotent by the client's message id), history, read marks, receipts, recall and
//! forwarding.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use workhub_core::{Code, CorpId, Error, UserId};
use workhub_store::messaging::{Message, Sender};
use workhub_store::{EventPayload, NewEvent, Recipients, StoreError};

use super::content::{USER_TYPES, normalize};
use super::views::MessageView;
use super::{Messaging, is_manager, kinds};
use crate::authz::catalogue as p;
use crate::context::UserActor;
use crate::{StoreResultExt, store_error};

/// How long a sender may recall their own message.
pub const RECALL_WINDOW_MS: i64 = 24 * 3600 * 1000;
/// Groups up to this size hear of every member's reads as they happen.
pub const LIVE_RECEIPTS_UP_TO: usize = 100;
/// Largest history page.
pub const MAX_PAGE: i64 = 200;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SendMessage {
    pub client_msg_id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub content: Value,
    #[serde(default)]
    pub mentions: Vec<String>,
    pub reply_to: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Receipts {
    pub read: Vec<String>,
    pub unread: Vec<String>,
}

fn valid_client_id(id: &str) -> Result<String, Error> {
    let ok = !id.is_empty()
        && id.len() <= 64
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !ok {
        return Err(Error::with(Code::InvalidRequest, "client_msg_id"));
    }
    Ok(id.to_string())
}

impl Messaging {
    /// POST /conversations/{id}/messages. A retry with the same `client_msg_id` returns the
    /// message the first attempt stored and delivers nothing again.
    pub async fn send(
        &self,
        who: &UserActor,
        id: &str,
        send: SendMessage,
    ) -> Result<MessageView, Error> {
        // Membership is checked where the message is written (`Sender::Member`), in the same
        // statement: reading it first as well would cost every send a round trip.
        if !USER_TYPES.contains(&send.kind.as_str()) {
            return Err(Error::with(Code::InvalidMsgType, send.kind));
        }
        let mut content = normalize(&send.kind, &send.content)?;
        self.attach_file(&who.corp_id, &mut content).await?;
        let mentions = self.mentions(who, id, &send.mentions).await?;
        if let Some(reply) = &send.reply_to {
            let quoted = self.message_row(who, reply).await?;
            if quoted.conversation_id != id {
                return Err(Error::with(Code::InvalidRequest, "reply_to"));
            }
        }
        let mut message = self.new_message(
            &who.corp_id,
            id,
            who.userid.as_str(),
            valid_client_id(&send.client_msg_id)?,
            &send.kind,
            &content,
        );
        message.mentions = json!(mentions).to_string();
        message.reply_to = send.reply_to;
        self.post(message, Sender::Member).await
    }

    /// The mentions a message keeps: `@all` from a group's owner or admins (anyone in a direct
    /// conversation), and members of the conversation; others are dropped, not errors.
    async fn mentions(
        &self,
        who: &UserActor,
        id: &str,
        asked: &[String],
    ) -> Result<Vec<String>, Error> {
        // Most messages mention no one: read the conversation only when needed.
        if asked.is_empty() {
            return Ok(vec![]);
        }
        let (conversation, me) = self.membership(who, id).await?;
        let members = if asked.iter().any(|m| m != "@all") {
            self.members_of(&who.corp_id, id).await?
        } else {
            vec![]
        };
        let mut mentions = Vec::new();
        for m in asked {
            if m == "@all" {
                if conversation.kind == "group" && !is_manager(&me) {
                    return Err(Error::new(Code::MentionAllForbidden));
                }
                mentions.push(m.clone());
            } else if let Ok(u) = UserId::parse(m)
                && members.iter().any(|x| x.userid == u)
                && !mentions.contains(&u.to_string())
            {
                mentions.push(u.to_string());
            }
        }
        Ok(mentions)
    }

    /// A message naming an uploaded file (`file_id`, or WeCom's `media_id` from `media/upload`)
    /// must name one of the company's files; its stored name and size are what recipients see.
    pub(super) async fn attach_file(
        &self,
        corp: &workhub_core::CorpId,
        content: &mut Value,
    ) -> Result<(), Error> {
        if content.get("file_id").is_none()
            && let Some(media_id) = content.get("media_id").cloned()
        {
            content["file_id"] = media_id;
        }
        let Some(file_id) = content.get("file_id").and_then(Value::as_str) else {
            return Ok(());
        };
        let file = self
            .deps
            .stores
            .files
            .find_corp_file(corp, file_id)
            .await
            .or_internal()?
            .ok_or_else(|| Error::new(Code::FileNotFound))?;
        content["name"] = json!(file.name);
        content["size"] = json!(file.size);
        content["content_type"] = json!(file.content_type);
        Ok(())
    }

    pub(super) fn new_message(
        &self,
        corp: &CorpId,
        conversation: &str,
        sender: &str,
        client_msg_id: String,
        kind: &str,
        content: &Value,
    ) -> Message {
        Message {
            corp_id: corp.clone(),
            id: Self::new_id("m"),
            conversation_id: conversation.to_string(),
            seq: 0,
            sender: sender.to_string(),
            client_msg_id,
            kind: kind.to_string(),
            content: content.to_string(),
            mentions: "[]".into(),
            reply_to: None,
            recalled_at: None,
            created_at: self.deps.now(),
        }
    }

    /// Stores a message and wakes every member's devices.
    pub(super) async fn post(
        &self,
        mut message: Message,
        sender: Sender,
    ) -> Result<MessageView, Error> {
        self.screen(&mut message).await?;
        let stores = &self.deps.stores;
        let (corp, sender_id, client_id) = (
            message.corp_id.clone(),
            message.sender.clone(),
            message.client_msg_id.clone(),
        );
        match stores
            .messages
            .append_message(message, kinds::MESSAGE_NEW, sender)
            .await
        {
            Ok(mut committed) => {
                let Some(stored) = committed.value.message() else {
                    return Err(Error::new(Code::ConversationNotFound));
                };
                let view = MessageView::from(stored);
                // Every recipient's event carries the same rendered message, so sockets on this
                // node push it without reading it back.
                let payload = Arc::new(EventPayload {
                    kind: kinds::MESSAGE_NEW.into(),
                    data: serde_json::to_string(&view).unwrap_or_default(),
                    created_at: view.created_at,
                });
                for a in &mut committed.appended {
                    a.payload = Some(payload.clone());
                }
                self.deps.publish(committed).await;
                Ok(view)
            }
            // Two retries raced on PostgreSQL: the first one stored it.
            Err(StoreError::Duplicate(_)) => stores
                .messages
                .list_messages_by_client_prefix(&corp, &sender_id, &client_id)
                .await
                .or_internal()?
                .iter()
                .find(|m| m.client_msg_id == client_id)
                .map(MessageView::from)
                .ok_or_else(|| Error::new(Code::Conflict)),
            Err(e) => Err(store_error(e)),
        }
    }

    /// GET /messages/{id}
    pub async fn message(&self, who: &UserActor, message_id: &str) -> Result<MessageView, Error> {
        Ok(MessageView::from(&self.message_row(who, message_id).await?))
    }

    /// GET /conversations/{id}/messages: a page older than `before`, oldest first.
    pub async fn history(
        &self,
        who: &UserActor,
        id: &str,
        before: Option<i64>,
        limit: i64,
    ) -> Result<(Vec<MessageView>, bool), Error> {
        self.membership(who, id).await?;
        let limit = limit.clamp(1, MAX_PAGE);
        let mut page = self
            .deps
            .stores
            .messages
            .list_messages(&who.corp_id, id, before, limit + 1)
            .await
            .or_internal()?;
        let has_more = page.len() as i64 > limit;
        page.truncate(limit as usize);
        page.reverse();
        let ids: Vec<String> = page.iter().map(|m| m.id.clone()).collect();
        let mut reactions = self.reactions_of(&who.corp_id, &ids).await?;
        let views = page
            .iter()
            .map(|m| MessageView {
                reactions: Some(reactions.remove(&m.id).unwrap_or_default()),
                ..MessageView::from(m)
            })
            .collect();
        Ok((views, has_more))
    }

    /// A message in a conversation the caller belongs to.
    pub(super) async fn message_row(
        &self,
        who: &UserActor,
        message_id: &str,
    ) -> Result<Message, Error> {
        let message = self
            .deps
            .stores
            .messages
            .find_message(&who.corp_id, message_id)
            .await
            .or_internal()?
            .ok_or_else(|| Error::new(Code::MessageNotFound))?;
        self.membership(who, &message.conversation_id)
            .await
            .map_err(|_| Error::new(Code::MessageNotFound))?;
        Ok(message)
    }

    /// POST /conversations/{id}/read: everything up to `seq` is read. The member's other
    /// devices hear of it, and in a direct chat so does the other person (their receipts).
    pub async fn mark_read(&self, who: &UserActor, id: &str, seq: i64) -> Result<i64, Error> {
        let (conversation, me) = self.membership(who, id).await?;
        let seq = seq.clamp(0, conversation.last_seq);
        let mut audience = vec![who.userid.clone()];
        if conversation.kind != "app" {
            let members = self.members_of(&who.corp_id, id).await?;
            // Others see read marks live in direct chats and in groups small enough that
            // telling everyone of every read stays cheap; bigger groups ask for receipts.
            if conversation.kind == "direct" || members.len() <= LIVE_RECEIPTS_UP_TO {
                audience.extend(
                    members
                        .into_iter()
                        .map(|m| m.userid)
                        .filter(|u| u != &who.userid),
                );
            }
        }
        let event = NewEvent::new(
            Recipients::Users(audience),
            kinds::CONVERSATION_READ,
            &json!({ "conversation_id": id, "userid": who.userid, "read_seq": seq }),
        );
        let committed = self
            .deps
            .stores
            .messages
            .mark_read(&who.corp_id, id, &who.userid, seq, self.deps.now(), event)
            .await
            .or_internal()?;
        let moved = self.deps.publish(committed).await;
        Ok(if moved { seq } else { me.read_seq.max(seq) })
    }

    /// GET /messages/{id}/receipts: who has read it and who has not (the sender aside).
    pub async fn receipts(&self, who: &UserActor, message_id: &str) -> Result<Receipts, Error> {
        let message = self.message_row(who, message_id).await?;
        let members = self
            .members_of(&who.corp_id, &message.conversation_id)
            .await?;
        let (read, unread): (Vec<_>, Vec<_>) = members
            .iter()
            .filter(|m| m.userid.as_str() != message.sender)
            .partition(|m| m.read_seq >= message.seq);
        let ids = |list: Vec<&workhub_store::messaging::ConversationMember>| {
            list.iter().map(|m| m.userid.to_string()).collect()
        };
        Ok(Receipts {
            read: ids(read),
            unread: ids(unread),
        })
    }

    /// POST /messages/{id}/recall: the sender within 24 hours; company admins always.
    pub async fn recall(&self, who: &UserActor, message_id: &str) -> Result<MessageView, Error> {
        let message = self.message_row(who, message_id).await?;
        let own = message.sender == who.userid.as_str();
        let fresh = self.deps.now() - message.created_at <= RECALL_WINDOW_MS;
        let may = who
            .authority
            .holds_company_wide(p::MESSAGING_MESSAGE_RECALL_ANY)
            || (own && fresh);
        if !may {
            return Err(Error::new(Code::RecallExpired));
        }
        self.erase(&message).await?;
        self.message_view(&who.corp_id, message_id).await
    }

    pub(super) async fn erase(&self, message: &Message) -> Result<(), Error> {
        let committed = self
            .deps
            .stores
            .messages
            .recall_message(
                &message.corp_id,
                &message.id,
                self.deps.now(),
                kinds::MESSAGE_RECALLED,
            )
            .await
            .or_internal()?;
        self.deps.publish(committed).await;
        Ok(())
    }

    async fn message_view(
        &self,
        corp: &workhub_core::CorpId,
        id: &str,
    ) -> Result<MessageView, Error> {
        self.deps
            .stores
            .messages
            .find_message(corp, id)
            .await
            .or_internal()?
            .as_ref()
            .map(MessageView::from)
            .ok_or_else(|| Error::new(Code::MessageNotFound))
    }

    /// POST /messages/forward: each message copied, or all merged into one record.
    pub async fn forward(
        &self,
        who: &UserActor,
        ids: &[String],
        to: &str,
        merged: bool,
    ) -> Result<Vec<MessageView>, Error> {
        if ids.is_empty() || ids.len() > 100 {
            return Err(Error::with(Code::InvalidRequest, "message_ids: 1 to 100"));
        }
        let (target, _) = self.membership(who, to).await?;
        let mut originals = Vec::with_capacity(ids.len());
        for id in ids {
            let m = self.message_row(who, id).await?;
            if m.recalled_at.is_some() {
                return Err(Error::new(Code::MessageNotFound));
            }
            originals.push(m);
        }
        originals.sort_by_key(|m| (m.created_at, m.seq));
        let batch = Self::new_id("f");
        let mut out = Vec::new();
        if merged {
            let items: Vec<Value> = originals
                .iter()
                .map(|m| {
                    let v = MessageView::from(m);
                    json!({ "sender": v.sender, "type": v.kind, "content": v.content,
                            "created_at": v.created_at })
                })
                .collect();
            let content = json!({ "title": format!("{} messages", items.len()), "items": items });
            let message = self.new_message(
                &target.corp_id,
                &target.id,
                who.userid.as_str(),
                batch,
                "merged",
                &content,
            );
            out.push(self.post(message, Sender::Member).await?);
        } else {
            for (i, m) in originals.iter().enumerate() {
                let content: Value = serde_json::from_str(&m.content).unwrap_or(Value::Null);
                let message = self.new_message(
                    &target.corp_id,
                    &target.id,
                    who.userid.as_str(),
                    format!("{batch}-{i}"),
                    &m.kind,
                    &content,
                );
                out.push(self.post(message, Sender::Member).await?);
            }
        }
        Ok(out)
    }
}

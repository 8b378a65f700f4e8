//! Messages from apps: WeCom's `message/send` and `message/recall` (one app conversation per
//! member) and the app group chats of `appchat/*`.

use futures::future::join_all;
use serde_json::Value;
use workhub_core::{Code, CorpId, Error, UserId};
use workhub_store::StoreError;
use workhub_store::messaging::{Conversation, ConversationMember, Sender};

use super::Messaging;
use super::content::{MACHINE_TYPES, normalize};
use super::conversations::{GroupPatch, NewGroup, changed, member};
use super::messages::RECALL_WINDOW_MS;
use crate::context::Actor;
use crate::directory::{Recipients, Targets};
use crate::{StoreResultExt, store_error};

/// Members written to at once while one send fans out.
const CONCURRENT_POSTS: usize = 64;

/// An app message to members, departments and tags.
#[derive(Debug, Clone)]
pub struct AppSend {
    pub targets: Targets,
    pub kind: String,
    pub content: Value,
}

/// What a send reached: `delivered` members, the invalid targets and the id for recall.
#[derive(Debug, Clone)]
pub struct AppSent {
    pub msgid: String,
    pub delivered: usize,
    pub invalid: Recipients,
}

/// The calling app: its company and `app:AGENTID` as a sender. The contacts secret (agent 0)
/// manages the directory and sends nothing.
fn app_of(actor: &Actor) -> Result<(CorpId, String), Error> {
    match actor {
        Actor::App { corp_id, agent_id } if *agent_id != 0 => {
            Ok((corp_id.clone(), format!("app:{agent_id}")))
        }
        Actor::App { .. } => Err(Error::new(Code::Forbidden)),
        _ => Err(Error::new(Code::Unauthenticated)),
    }
}

fn valid_chatid(id: &str) -> Result<String, Error> {
    if id.is_empty() || id.len() > 32 || !id.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(Error::new(Code::InvalidChatId));
    }
    Ok(id.to_string())
}

fn machine_content(kind: &str, content: &Value) -> Result<Value, Error> {
    if !MACHINE_TYPES.contains(&kind) {
        return Err(Error::with(Code::InvalidMsgType, kind.to_string()));
    }
    normalize(kind, content)
}

impl Messaging {
    /// `message/send`: one message in each recipient's conversation with the app.
    pub async fn send_as_app(&self, actor: &Actor, send: AppSend) -> Result<AppSent, Error> {
        let (corp, sender) = app_of(actor)?;
        let mut content = machine_content(&send.kind, &send.content)?;
        self.attach_file(&corp, &mut content).await?;
        let recipients = self.directory.resolve(actor, &send.targets).await?;
        let msgid = uuid::Uuid::now_v7().simple().to_string();
        let app_name = match actor {
            Actor::App { agent_id, .. } => self
                .deps
                .stores
                .corps
                .find_app(&corp, *agent_id)
                .await
                .or_internal()?
                .map(|a| a.name)
                .unwrap_or_default(),
            _ => String::new(),
        };
        for chunk in recipients.users.chunks(CONCURRENT_POSTS) {
            let posts = chunk.iter().map(|user| {
                let (corp, sender, app_name) = (&corp, &sender, &app_name);
                let (content, kind, msgid) = (&content, &send.kind, &msgid);
                async move {
                    let conversation = self.app_conversation(corp, sender, app_name, user).await?;
                    let message = self.new_message(
                        &conversation.corp_id,
                        &conversation.id,
                        sender,
                        format!("{msgid}:{user}"),
                        kind,
                        content,
                    );
                    self.post(message, Sender::Service).await
                }
            });
            for result in join_all(posts).await {
                result?;
            }
        }
        Ok(AppSent {
            msgid,
            delivered: recipients.users.len(),
            invalid: Recipients {
                users: vec![],
                ..recipients
            },
        })
    }

    /// The conversation between an app and one member, made on first use.
    async fn app_conversation(
        &self,
        corp: &CorpId,
        sender: &str,
        app_name: &str,
        user: &UserId,
    ) -> Result<Conversation, Error> {
        let key = format!("a:{sender}:{user}");
        let store = &self.deps.stores.messages;
        if let Some(c) = store
            .find_conversation_by_key(corp, &key)
            .await
            .or_internal()?
        {
            return Ok(c);
        }
        let now = self.deps.now();
        let conversation = Conversation {
            corp_id: corp.clone(),
            id: Self::new_id("a"),
            kind: "app".into(),
            name: app_name.to_string(),
            owner: sender.to_string(),
            announcement: String::new(),
            avatar: String::new(),
            unique_key: Some(key.clone()),
            last_seq: 0,
            member_limit: 1,
            large: false,
            created_at: now,
            updated_at: now,
        };
        let members: Vec<ConversationMember> = vec![member(user.clone(), "member", now)];
        let id = conversation.id.clone();
        match store
            .create_conversation(conversation, members, changed(&id))
            .await
        {
            Ok(committed) => Ok(self.deps.publish(committed).await),
            Err(StoreError::Duplicate(_)) => store
                .find_conversation_by_key(corp, &key)
                .await
                .or_internal()?
                .ok_or_else(|| Error::new(Code::Conflict)),
            Err(e) => Err(store_error(e)),
        }
    }

    /// `message/recall`: takes back every copy of one `message/send`, within 24 hours.
    pub async fn recall_as_app(&self, actor: &Actor, msgid: &str) -> Result<(), Error> {
        let (corp, sender) = app_of(actor)?;
        if msgid.is_empty() || !msgid.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(Error::new(Code::MessageNotFound));
        }
        let copies = self
            .deps
            .stores
            .messages
            .list_messages_by_client_prefix(&corp, &sender, &format!("{msgid}:"))
            .await
            .or_internal()?;
        let Some(first) = copies.first() else {
            return Err(Error::new(Code::MessageNotFound));
        };
        if self.deps.now() - first.created_at > RECALL_WINDOW_MS {
            return Err(Error::new(Code::RecallExpired));
        }
        for copy in copies.iter().filter(|m| m.recalled_at.is_none()) {
            self.erase(copy).await?;
        }
        Ok(())
    }

    /// `appchat/create`: a group of 2 to 2000 members; the owner is the first if not named.
    pub async fn appchat_create(
        &self,
        actor: &Actor,
        chatid: Option<&str>,
        name: &str,
        owner: Option<&str>,
        userlist: &[String],
    ) -> Result<String, Error> {
        let (corp, _) = app_of(actor)?;
        let chatid = match chatid.filter(|c| !c.is_empty()) {
            Some(c) => valid_chatid(c)?,
            None => uuid::Uuid::now_v7().simple().to_string(),
        };
        if !(2..=super::DEFAULT_MEMBER_LIMIT as usize).contains(&userlist.len()) {
            return Err(Error::new(Code::GroupSize));
        }
        let owner = owner.filter(|o| !o.is_empty()).unwrap_or(&userlist[0]);
        let owner = UserId::parse(owner).map_err(|_| Error::new(Code::InvalidGroupOwner))?;
        let group = NewGroup {
            id: Some(chatid),
            unique_key: None,
            name,
            owner: &owner,
        };
        self.create_group(&corp, group, userlist).await
    }

    /// A group an app may address by its chatid.
    async fn app_group(&self, actor: &Actor, chatid: &str) -> Result<Conversation, Error> {
        let (corp, _) = app_of(actor)?;
        let conversation = self.conversation_row(&corp, &valid_chatid(chatid)?).await?;
        if conversation.kind != "group" {
            return Err(Error::new(Code::ConversationNotFound));
        }
        Ok(conversation)
    }

    /// `appchat/update`
    pub async fn appchat_update(
        &self,
        actor: &Actor,
        chatid: &str,
        patch: GroupPatch,
    ) -> Result<(), Error> {
        let conversation = self.app_group(actor, chatid).await?;
        self.change_group(conversation, patch).await
    }

    /// `appchat/get`: the group and its members' userids.
    pub async fn appchat_get(
        &self,
        actor: &Actor,
        chatid: &str,
    ) -> Result<(Conversation, Vec<String>), Error> {
        let conversation = self.app_group(actor, chatid).await?;
        let members = self
            .members_of(&conversation.corp_id, &conversation.id)
            .await?;
        Ok((
            conversation,
            members.iter().map(|m| m.userid.to_string()).collect(),
        ))
    }

    /// `appchat/send`
    pub async fn appchat_send(
        &self,
        actor: &Actor,
        chatid: &str,
        kind: &str,
        content: &Value,
    ) -> Result<String, Error> {
        let (corp, sender) = app_of(actor)?;
        let mut content = machine_content(kind, content)?;
        self.attach_file(&corp, &mut content).await?;
        let conversation = self.app_group(actor, chatid).await?;
        let message = self.new_message(
            &conversation.corp_id,
            &conversation.id,
            &sender,
            uuid::Uuid::now_v7().simple().to_string(),
            kind,
            &content,
        );
        Ok(self.post(message, Sender::Service).await?.id)
    }
}

//! The messaging context: direct, group and app conversations, their messages, read marks and
//! group robots. A message is stored once; every member's event stream gets a reference to it
//! in the same transaction, so online devices are woken and offline ones catch up by `sync`.

mod apps;
pub mod content;
mod conversations;
mod departments;
mod handover;
mod messages;
pub mod reactions;
pub mod retention;
mod robots;
mod screening;
pub mod search;
pub mod sensitive;
mod views;

use workhub_core::{Code, CorpId, Error, UserId};
use workhub_store::messaging::{Conversation, ConversationMember};

pub use apps::{AppSend, AppSent};
pub use conversations::{GroupPatch, NewConversation};
pub use messages::{Receipts, SendMessage};
pub use robots::{NewRobot, RobotPost, RobotView};
pub use screening::WordEntry;
pub use views::{ConversationDetail, ConversationView, MemberView, MessageView, message_json};

use crate::audit::Audit;
use crate::context::UserActor;
use crate::directory::Directory;
use crate::{Deps, StoreResultExt};

/// Event kinds of this context.
pub mod kinds {
    pub const MESSAGE_NEW: &str = "message.new";
    pub const MESSAGE_RECALLED: &str = "message.recalled";
    pub const CONVERSATION_CHANGED: &str = "conversation.changed";
    pub const CONVERSATION_READ: &str = "conversation.read";
    pub const MESSAGE_REACTIONS: &str = "message.reactions";
    /// In a large group's own stream: these members left (their sockets stop following it).
    pub const MEMBERS_REMOVED: &str = "conversation.members_removed";
}

/// Default and largest member count of a group.
pub const DEFAULT_MEMBER_LIMIT: i64 = 2000;
pub const MAX_MEMBER_LIMIT: i64 = 10_000;

#[derive(Clone)]
pub struct Messaging {
    deps: Deps,
    directory: Directory,
    audit: Audit,
    matchers: std::sync::Arc<screening::Matchers>,
}

impl Messaging {
    pub(crate) fn new(deps: Deps, directory: Directory, audit: Audit) -> Self {
        Self {
            deps,
            directory,
            audit,
            matchers: Default::default(),
        }
    }

    fn new_id(prefix: &str) -> String {
        format!("{prefix}{}", uuid::Uuid::now_v7().simple())
    }

    /// A conversation the caller belongs to, and their membership. Anything else is "not
    /// found", so ids of other people's conversations reveal nothing.
    async fn membership(
        &self,
        who: &UserActor,
        id: &str,
    ) -> Result<(Conversation, ConversationMember), Error> {
        self.deps
            .stores
            .messages
            .find_membership(&who.corp_id, id, &who.userid)
            .await
            .or_internal()?
            .ok_or_else(|| Error::new(Code::ConversationNotFound))
    }

    async fn conversation_row(&self, corp: &CorpId, id: &str) -> Result<Conversation, Error> {
        self.deps
            .stores
            .messages
            .find_conversation(corp, id)
            .await
            .or_internal()?
            .ok_or_else(|| Error::new(Code::ConversationNotFound))
    }

    /// Everyone in a conversation.
    async fn members_of(
        &self,
        corp: &CorpId,
        conversation: &str,
    ) -> Result<Vec<workhub_store::messaging::ConversationMember>, Error> {
        self.deps
            .stores
            .messages
            .list_members(corp, conversation)
            .await
            .or_internal()
    }

    /// Active members among `userids`, or the first that is not one.
    async fn existing_members(
        &self,
        corp: &CorpId,
        userids: &[String],
    ) -> Result<Vec<UserId>, Error> {
        let mut ids = Vec::with_capacity(userids.len());
        for u in userids {
            let id = UserId::parse(u)
                .map_err(|_| Error::with(Code::InvalidGroupMember, u.to_string()))?;
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
        let found = self
            .deps
            .stores
            .directory
            .find_members(corp, &ids)
            .await
            .or_internal()?;
        if let Some(missing) = ids
            .iter()
            .find(|id| !found.iter().any(|m| &m.userid == *id && m.status != 2))
        {
            return Err(Error::with(Code::InvalidGroupMember, missing.to_string()));
        }
        Ok(ids)
    }
}

fn is_manager(member: &ConversationMember) -> bool {
    member.role == "owner" || member.role == "admin"
}

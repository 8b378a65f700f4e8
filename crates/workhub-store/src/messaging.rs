//! Conversations and their messages. Each message is stored once with its conversation's next
//! sequence number; each member's event stream gets a reference to it (not a copy), and readers
//! of the stream see the message as it is now (recalled or purged included).

use async_trait::async_trait;
use workhub_core::{CorpId, UserId};

use crate::{Committed, NewEvent, StoreResult};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conversation {
    pub corp_id: CorpId,
    pub id: String,
    /// "direct", "group" or "app".
    pub kind: String,
    pub name: String,
    /// The group's owner; for an app conversation, the app as `app:AGENTID`.
    pub owner: String,
    pub announcement: String,
    /// The file id of the group's picture ('' for none).
    pub avatar: String,
    /// For a direct or app conversation, what makes it unique (its two parties).
    pub unique_key: Option<String>,
    /// The newest message's seq within the conversation (0 if none).
    pub last_seq: i64,
    pub member_limit: i64,
    /// A group grown past the large-group threshold: its messages, recalls and reactions go to
    /// its own stream (`conversation_stream`) once, not to every member's. Never unset.
    pub large: bool,
    pub created_at: i64,
    pub updated_at: i64,
}

/// The stream of a large group, named as no member can be (':' is not allowed in userids).
pub fn conversation_stream(conversation_id: &str) -> UserId {
    UserId::from_trusted(format!("{CONVERSATION_STREAM}{conversation_id}"))
}

/// What the name of a large group's stream starts with.
pub const CONVERSATION_STREAM: &str = "conversation:";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConversationMember {
    pub userid: UserId,
    /// "owner", "admin" or "member".
    pub role: String,
    /// The seq up to which this member has read.
    pub read_seq: i64,
    pub pinned: bool,
    pub muted: bool,
    pub joined_at: i64,
}

/// A conversation as one member sees it in their list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberConversation {
    pub conversation: Conversation,
    pub me: ConversationMember,
    pub last_message: Option<Message>,
    pub member_count: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub corp_id: CorpId,
    pub id: String,
    pub conversation_id: String,
    pub seq: i64,
    /// A userid, or `app:AGENTID` / `robot:KEY` for machine senders.
    pub sender: String,
    /// The sender's own id for the message, which makes a retried send idempotent.
    pub client_msg_id: String,
    /// "text", "markdown", "image", "file", "link", "code", "textcard", "news", ...
    pub kind: String,
    /// The type's payload as JSON text.
    pub content: String,
    /// Mentioned userids as a JSON array (`["@all"]` for everyone).
    pub mentions: String,
    pub reply_to: Option<String>,
    pub recalled_at: Option<i64>,
    pub created_at: i64,
}

/// A message's place in creation order, and its company.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageKey {
    pub corp_id: CorpId,
    pub id: String,
    pub created_at: i64,
}

/// What appending a message did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Posted {
    Created(Message),
    /// The sender already sent this `client_msg_id`: the first message, unchanged.
    Duplicate(Message),
    /// A member's message to a conversation that does not exist or that they are not in (any
    /// longer): nothing was stored.
    NotInConversation,
}

/// Who a message comes from, which decides whether they must belong to the conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sender {
    /// A member: checked in the writing statement, so a member removed meanwhile cannot post.
    Member,
    /// An app or a robot, which posts without being a member.
    Service,
}

impl Posted {
    pub fn message(&self) -> Option<&Message> {
        match self {
            Posted::Created(m) | Posted::Duplicate(m) => Some(m),
            Posted::NotInConversation => None,
        }
    }
}

/// A member's own settings for a conversation.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MemberPrefs {
    pub pinned: bool,
    pub muted: bool,
}

/// A change of a conversation's member list.
#[derive(Debug, Clone, Default)]
pub struct MemberChange {
    pub add: Vec<ConversationMember>,
    pub remove: Vec<UserId>,
    /// For a large group losing members: an event for the group's own stream, appended in the
    /// same transaction, so a socket following that stream stops at exactly that point.
    pub notice: Option<NewEvent>,
}

/// A group robot: its webhook key posts into one conversation. Only the key's digest is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Robot {
    pub key_digest: String,
    pub corp_id: CorpId,
    pub conversation_id: String,
    /// The key's first characters, to tell robots apart in lists.
    pub key_hint: String,
    pub name: String,
    pub created_by: String,
    pub created_at: i64,
}

#[async_trait]
pub trait MessageStore: Send + Sync {
    /// Creates a conversation with its members (and its stream, when it is large); `event` goes
    /// to every member. A second direct conversation with the same `unique_key` is a `Duplicate`.
    async fn create_conversation(
        &self,
        conversation: Conversation,
        members: Vec<ConversationMember>,
        event: NewEvent,
    ) -> StoreResult<Committed<Conversation>>;
    async fn find_conversation(&self, corp: &CorpId, id: &str)
    -> StoreResult<Option<Conversation>>;
    async fn find_conversation_by_key(
        &self,
        corp: &CorpId,
        unique_key: &str,
    ) -> StoreResult<Option<Conversation>>;
    async fn list_members(
        &self,
        corp: &CorpId,
        conversation: &str,
    ) -> StoreResult<Vec<ConversationMember>>;
    /// Conversations whose unique key starts with `prefix` (department groups: `dept:`).
    async fn list_conversations_by_key_prefix(
        &self,
        corp: &CorpId,
        prefix: &str,
    ) -> StoreResult<Vec<Conversation>>;
    async fn find_member(
        &self,
        corp: &CorpId,
        conversation: &str,
        user: &UserId,
    ) -> StoreResult<Option<ConversationMember>>;
    /// A conversation together with one member's place in it (None if not a member).
    async fn find_membership(
        &self,
        corp: &CorpId,
        conversation: &str,
        user: &UserId,
    ) -> StoreResult<Option<(Conversation, ConversationMember)>>;
    /// A member's conversations, most recently active first.
    async fn list_member_conversations(
        &self,
        corp: &CorpId,
        user: &UserId,
    ) -> StoreResult<Vec<MemberConversation>>;
    /// The ids of a member's conversations (what a search may look in), nothing else.
    async fn list_member_conversation_ids(
        &self,
        corp: &CorpId,
        user: &UserId,
    ) -> StoreResult<Vec<String>>;
    /// Saves name, owner, announcement, member limit, avatar and the large flag (starting the
    /// group's stream when it is set), changes members, and sends `event` to everyone who is a
    /// member before or after the change.
    async fn update_conversation(
        &self,
        conversation: Conversation,
        change: MemberChange,
        event: NewEvent,
    ) -> StoreResult<Committed<()>>;
    /// Groups of any company that are not large yet have more than `members` members, at most
    /// `limit` of them (by company and id).
    async fn list_groups_to_enlarge(
        &self,
        members: i64,
        limit: i64,
    ) -> StoreResult<Vec<(CorpId, String)>>;
    /// Makes a group large (starting its stream) and sends `event` to every member; false if
    /// it was large already.
    async fn enlarge_group(
        &self,
        corp: &CorpId,
        id: &str,
        now: i64,
        event: NewEvent,
    ) -> StoreResult<Committed<bool>>;
    /// Appends a message with the conversation's next seq and sends a reference to it as `kind`
    /// to every member's stream, or to the group's own stream when it is large. The sender (if
    /// a member) has then read up to it.
    async fn append_message(
        &self,
        message: Message,
        kind: &'static str,
        sender: Sender,
    ) -> StoreResult<Committed<Posted>>;
    /// Messages with `seq < before` (or the newest), newest first, at most `limit`.
    async fn list_messages(
        &self,
        corp: &CorpId,
        conversation: &str,
        before: Option<i64>,
        limit: i64,
    ) -> StoreResult<Vec<Message>>;
    async fn find_message(&self, corp: &CorpId, id: &str) -> StoreResult<Option<Message>>;
    /// Those of `ids` that exist in `corp`, in no particular order (one query for a search's
    /// hits instead of one each).
    async fn find_messages(&self, corp: &CorpId, ids: &[String]) -> StoreResult<Vec<Message>>;
    /// Marks a message recalled (content erased) and tells every member (or the large group's
    /// stream).
    async fn recall_message(
        &self,
        corp: &CorpId,
        id: &str,
        at: i64,
        kind: &'static str,
    ) -> StoreResult<Committed<bool>>;
    /// Raises a member's read mark to `seq` (never lowers it); `event` only if it moved.
    async fn mark_read(
        &self,
        corp: &CorpId,
        conversation: &str,
        user: &UserId,
        seq: i64,
        now: i64,
        event: NewEvent,
    ) -> StoreResult<Committed<bool>>;
    /// A member's own settings for a conversation.
    async fn set_member_prefs(
        &self,
        corp: &CorpId,
        conversation: &str,
        user: &UserId,
        prefs: MemberPrefs,
        now: i64,
        event: NewEvent,
    ) -> StoreResult<Committed<()>>;
    /// Messages of `sender` whose client id starts with `prefix` (one WeCom send to many).
    async fn list_messages_by_client_prefix(
        &self,
        corp: &CorpId,
        sender: &str,
        prefix: &str,
    ) -> StoreResult<Vec<Message>>;
    /// Adds the reaction, or removes it if it is there; `event` goes to every member (or the
    /// large group's stream).
    async fn toggle_reaction(
        &self,
        reaction: Reaction,
        conversation: &str,
        event: NewEvent,
    ) -> StoreResult<Committed<()>>;
    /// The reactions to these messages, oldest first.
    async fn list_reactions(
        &self,
        corp: &CorpId,
        message_ids: &[String],
    ) -> StoreResult<Vec<Reaction>>;
    /// Messages of every company created after the cursor `(created_at, id)`, in that order
    /// (the search indexer's feed).
    async fn list_messages_after(
        &self,
        created_at: i64,
        id: &str,
        limit: i64,
    ) -> StoreResult<Vec<Message>>;
    /// Where messages of every company stand in creation order, after `after` and up to
    /// `through` (both `(created_at, id)`), at most `limit`: what the search indexer checks
    /// when it looks behind its cursor for messages that committed late.
    async fn list_message_keys_between(
        &self,
        after: (i64, &str),
        through: (i64, &str),
        limit: i64,
    ) -> StoreResult<Vec<MessageKey>>;
    /// Deletes the company's messages created before `before`; how many went.
    async fn purge_messages(&self, corp: &CorpId, before: i64) -> StoreResult<u64>;
}

/// Who reacted to a message with what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reaction {
    pub corp_id: CorpId,
    pub message_id: String,
    pub userid: UserId,
    pub emoji: String,
    pub created_at: i64,
}

/// A word intercepted in messages, and what happens to a message containing it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SensitiveWord {
    pub word: String,
    /// "block", "mask" or "warn".
    pub action: String,
}

/// The settings around messaging: group robots, message retention, sensitive words.
#[async_trait]
pub trait MessagingAdminStore: Send + Sync {
    async fn create_robot(&self, robot: Robot) -> StoreResult<()>;
    /// The robot a webhook key (by its digest) belongs to, whatever the company.
    async fn find_robot(&self, key_digest: &str) -> StoreResult<Option<Robot>>;
    async fn list_robots(&self, corp: &CorpId, conversation: &str) -> StoreResult<Vec<Robot>>;
    async fn delete_robot(
        &self,
        corp: &CorpId,
        conversation: &str,
        key_hint: &str,
    ) -> StoreResult<bool>;
    /// Days messages are kept (None: the default).
    async fn find_retention(&self, corp: &CorpId) -> StoreResult<Option<i64>>;
    async fn save_retention(&self, corp: &CorpId, days: i64) -> StoreResult<()>;
    /// The company's sensitive words and their actions, alphabetically.
    async fn list_sensitive_words(&self, corp: &CorpId) -> StoreResult<Vec<SensitiveWord>>;
    /// What changes whenever the list is saved: its size and the time of its last save. A node
    /// compares it with the one its compiled list was built from.
    async fn sensitive_words_version(&self, corp: &CorpId) -> StoreResult<(i64, i64)>;
    /// Replaces the whole list (an admin's save or a file import).
    async fn save_sensitive_words(
        &self,
        corp: &CorpId,
        words: Vec<SensitiveWord>,
        now: i64,
    ) -> StoreResult<()>;
}

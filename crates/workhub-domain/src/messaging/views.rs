//! How conversations and messages look to clients (the native API and the event stream).

use serde::Serialize;
use serde_json::Value;
use workhub_store::messaging::{ConversationMember, MemberConversation, Message};

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct MessageView {
    pub id: String,
    pub conversation_id: String,
    pub seq: i64,
    pub sender: String,
    pub client_msg_id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub content: Value,
    pub mentions: Vec<String>,
    pub reply_to: Option<String>,
    pub recalled: bool,
    pub created_at: i64,
    /// Filled in history pages; events carry reactions separately (`message.reactions`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reactions: Option<Vec<super::reactions::ReactionGroup>>,
}

impl From<&Message> for MessageView {
    fn from(m: &Message) -> Self {
        MessageView {
            id: m.id.clone(),
            conversation_id: m.conversation_id.clone(),
            seq: m.seq,
            sender: m.sender.clone(),
            client_msg_id: m.client_msg_id.clone(),
            kind: m.kind.clone(),
            content: serde_json::from_str(&m.content).unwrap_or(Value::Null),
            mentions: serde_json::from_str(&m.mentions).unwrap_or_default(),
            reply_to: m.reply_to.clone(),
            recalled: m.recalled_at.is_some(),
            created_at: m.created_at,
            reactions: None,
        }
    }
}

/// A message as JSON text, the same as `MessageView`'s, written without parsing the stored
/// content and mentions (already JSON): a catch-up page renders thousands of these.
pub fn message_json(m: &Message) -> String {
    let text = |s: &str| serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into());
    let raw = |s: &str, empty: &'static str| {
        if s.trim().is_empty() {
            empty.to_string()
        } else {
            s.to_string()
        }
    };
    format!(
        r#"{{"id":{},"conversation_id":{},"seq":{},"sender":{},"client_msg_id":{},"type":{},"content":{},"mentions":{},"reply_to":{},"recalled":{},"created_at":{}}}"#,
        text(&m.id),
        text(&m.conversation_id),
        m.seq,
        text(&m.sender),
        text(&m.client_msg_id),
        text(&m.kind),
        raw(&m.content, "null"),
        raw(&m.mentions, "[]"),
        m.reply_to
            .as_deref()
            .map_or_else(|| "null".to_string(), text),
        m.recalled_at.is_some(),
        m.created_at
    )
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ConversationView {
    pub id: String,
    pub kind: String,
    pub name: String,
    /// In a direct conversation: the other person.
    pub peer: Option<String>,
    pub owner: String,
    pub announcement: String,
    /// The file id of the group's picture ('' for none): `/api/v1/files/{id}/thumbnail`.
    pub avatar: String,
    pub member_count: i64,
    pub member_limit: i64,
    pub my_role: String,
    pub last_seq: i64,
    pub read_seq: i64,
    pub unread: i64,
    pub pinned: bool,
    pub muted: bool,
    pub last_message: Option<MessageView>,
    pub updated_at: i64,
}

impl From<&MemberConversation> for ConversationView {
    fn from(mc: &MemberConversation) -> Self {
        let c = &mc.conversation;
        let me = mc.me.userid.as_str();
        // A direct conversation's key names both parties: "d:alice|bob".
        let peer = (c.kind == "direct")
            .then(|| c.unique_key.as_deref().unwrap_or(""))
            .map(|key| {
                let mut parties = key.trim_start_matches("d:").split('|');
                let (a, b) = (parties.next().unwrap_or(""), parties.next().unwrap_or(""));
                if a == me { b } else { a }.to_string()
            });
        ConversationView {
            id: c.id.clone(),
            kind: c.kind.clone(),
            name: c.name.clone(),
            peer,
            owner: c.owner.clone(),
            announcement: c.announcement.clone(),
            avatar: c.avatar.clone(),
            member_count: mc.member_count,
            member_limit: c.member_limit,
            my_role: mc.me.role.clone(),
            last_seq: c.last_seq,
            read_seq: mc.me.read_seq,
            // Sending marks one's own messages read, so everything past the mark is others'.
            unread: (c.last_seq - mc.me.read_seq).max(0),
            pinned: mc.me.pinned,
            muted: mc.me.muted,
            last_message: mc.last_message.as_ref().map(MessageView::from),
            updated_at: c.updated_at,
        }
    }
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct MemberView {
    pub userid: String,
    pub role: String,
    pub read_seq: i64,
}

impl From<&ConversationMember> for MemberView {
    fn from(m: &ConversationMember) -> Self {
        MemberView {
            userid: m.userid.to_string(),
            role: m.role.clone(),
            read_seq: m.read_seq,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ConversationDetail {
    pub conversation: ConversationView,
    pub members: Vec<MemberView>,
    pub robots: Vec<super::RobotView>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_json_matches_the_view() {
        let m = Message {
            corp_id: workhub_core::CorpId::generate(),
            id: "m1".into(),
            conversation_id: "g\"1".into(),
            seq: 7,
            sender: "robot:告警".into(),
            client_msg_id: "c\\1".into(),
            kind: "text".into(),
            content: r#"{"content":"引号\" 和 \n 换行"}"#.into(),
            mentions: r#"["@all"]"#.into(),
            reply_to: Some("m0".into()),
            recalled_at: None,
            created_at: 1_800_000_000_000,
        };
        let fast: serde_json::Value = serde_json::from_str(&message_json(&m)).unwrap();
        assert_eq!(fast, serde_json::to_value(MessageView::from(&m)).unwrap());
    }
}

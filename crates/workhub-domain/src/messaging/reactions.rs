//! Emoji reactions: one per person and emoji, toggled; every member sees the new tally.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::json;
use workhub_core::{Code, CorpId, Error};
use workhub_store::messaging::Reaction;
use workhub_store::{NewEvent, Recipients};

use super::{Messaging, kinds};
use crate::StoreResultExt;
use crate::context::UserActor;

/// One emoji on a message and who chose it, in the order they did.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ReactionGroup {
    pub emoji: String,
    pub users: Vec<String>,
}

fn valid_emoji(emoji: &str) -> Result<String, Error> {
    let emoji = emoji.trim();
    let ok = !emoji.is_empty()
        && emoji.chars().count() <= 8
        && !emoji
            .chars()
            .any(|c| c.is_whitespace() || c.is_ascii_alphanumeric());
    if !ok {
        return Err(Error::with(Code::InvalidRequest, "emoji"));
    }
    Ok(emoji.to_string())
}

/// Groups reactions by message, then by emoji in order of first use.
fn tally(reactions: &[Reaction]) -> BTreeMap<String, Vec<ReactionGroup>> {
    let mut out: BTreeMap<String, Vec<ReactionGroup>> = BTreeMap::new();
    for r in reactions {
        let groups = out.entry(r.message_id.clone()).or_default();
        match groups.iter_mut().find(|g| g.emoji == r.emoji) {
            Some(g) => g.users.push(r.userid.to_string()),
            None => groups.push(ReactionGroup {
                emoji: r.emoji.clone(),
                users: vec![r.userid.to_string()],
            }),
        }
    }
    out
}

impl Messaging {
    /// POST /messages/{id}/reactions: adds the caller's emoji, or takes it back.
    pub async fn react(
        &self,
        who: &UserActor,
        message_id: &str,
        emoji: &str,
    ) -> Result<Vec<ReactionGroup>, Error> {
        let emoji = valid_emoji(emoji)?;
        let message = self.message_row(who, message_id).await?;
        if message.recalled_at.is_some() {
            return Err(Error::new(Code::MessageNotFound));
        }
        let mut current = self
            .deps
            .stores
            .messages
            .list_reactions(&who.corp_id, std::slice::from_ref(&message.id))
            .await
            .or_internal()?;
        let reaction = Reaction {
            corp_id: who.corp_id.clone(),
            message_id: message.id.clone(),
            userid: who.userid.clone(),
            emoji,
            created_at: self.deps.now(),
        };
        let mine = |r: &Reaction| r.userid == reaction.userid && r.emoji == reaction.emoji;
        if current.iter().any(mine) {
            current.retain(|r| !mine(r));
        } else {
            current.push(reaction.clone());
        }
        let groups = tally(&current).remove(&message.id).unwrap_or_default();
        let event = NewEvent::new(
            Recipients::Users(vec![]),
            kinds::MESSAGE_REACTIONS,
            &json!({ "conversation_id": message.conversation_id, "message_id": message.id,
                     "reactions": groups }),
        );
        let committed = self
            .deps
            .stores
            .messages
            .toggle_reaction(reaction, &message.conversation_id, event)
            .await
            .or_internal()?;
        self.deps.publish(committed).await;
        Ok(groups)
    }

    /// The reactions of a page of messages, by message id.
    pub(super) async fn reactions_of(
        &self,
        corp: &CorpId,
        ids: &[String],
    ) -> Result<BTreeMap<String, Vec<ReactionGroup>>, Error> {
        let reactions = self
            .deps
            .stores
            .messages
            .list_reactions(corp, ids)
            .await
            .or_internal()?;
        Ok(tally(&reactions))
    }
}

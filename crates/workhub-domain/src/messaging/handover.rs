//! A leaving member's groups: those they own pass to their successor (added to the group if
//! needed), and they leave every group.

use workhub_core::{CorpId, Error, UserId};

use super::{GroupPatch, Messaging};
use crate::StoreResultExt;

impl Messaging {
    /// Hands the leaving member's groups over; answers how many groups changed owner.
    pub(crate) async fn hand_over(
        &self,
        corp: &CorpId,
        leaving: &UserId,
        successor: &UserId,
    ) -> Result<usize, Error> {
        let stores = &self.deps.stores.messages;
        let groups = stores
            .list_member_conversations(corp, leaving)
            .await
            .or_internal()?;
        let mut transferred = 0;
        for group in groups
            .into_iter()
            .filter(|g| g.conversation.kind == "group")
        {
            let id = group.conversation.id.clone();
            let owns = group.me.role == "owner";
            if owns {
                let members = self.members_of(corp, &id).await?;
                if !members.iter().any(|m| &m.userid == successor) {
                    let join = GroupPatch {
                        add_members: vec![successor.to_string()],
                        ..Default::default()
                    };
                    self.change_group(group.conversation.clone(), join).await?;
                }
            }
            // Read again: the first change moved the group's version on.
            let Some((conversation, _)) = stores
                .find_membership(corp, &id, leaving)
                .await
                .or_internal()?
            else {
                continue;
            };
            let leave = GroupPatch {
                owner: owns.then(|| successor.to_string()),
                remove_members: vec![leaving.to_string()],
                ..Default::default()
            };
            self.change_group(conversation, leave).await?;
            transferred += usize::from(owns);
        }
        Ok(transferred)
    }
}

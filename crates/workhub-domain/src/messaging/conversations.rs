//! Opening direct chats, creating and changing groups, and a member's own settings.

use serde::Deserialize;
use serde_json::json;
use workhub_core::{Code, Error, UserId};
use workhub_store::messaging::conversation_stream;
use workhub_store::messaging::{
    Conversation, ConversationMember, MemberChange, MemberConversation, MemberPrefs,
};
use workhub_store::{NewEvent, Recipients, StoreError};

use super::views::{ConversationDetail, ConversationView, MemberView};
use super::{DEFAULT_MEMBER_LIMIT, MAX_MEMBER_LIMIT, Messaging, is_manager, kinds};
use crate::authz::catalogue as p;
use crate::context::UserActor;
use crate::{StoreResultExt, store_error};

#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum NewConversation {
    Direct {
        userid: String,
    },
    Group {
        name: String,
        #[serde(default)]
        members: Vec<String>,
        /// A department group: its members follow the department (sub-departments included).
        /// Company administrators only; one per department.
        department: Option<i64>,
    },
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupPatch {
    pub name: Option<String>,
    pub announcement: Option<String>,
    /// The file id of an image the company stored; "" removes the picture.
    pub avatar: Option<String>,
    pub owner: Option<String>,
    #[serde(default)]
    pub add_members: Vec<String>,
    #[serde(default)]
    pub remove_members: Vec<String>,
    /// Corp administrators only: up to `MAX_MEMBER_LIMIT`.
    pub member_limit: Option<i64>,
    /// The owner only: the full set of the group's admins.
    pub admins: Option<Vec<String>>,
}

/// What makes a new group: WeCom's chatid if given, and a unique key for department groups.
pub(super) struct NewGroup<'a> {
    pub id: Option<String>,
    pub unique_key: Option<String>,
    pub name: &'a str,
    pub owner: &'a UserId,
}

/// Adds to `change` every member whose role the new admin set changes.
fn set_admins(
    change: &mut MemberChange,
    current: &[ConversationMember],
    owner: &str,
    admins: &[String],
) -> Result<(), Error> {
    let mut wanted = Vec::with_capacity(admins.len());
    for a in admins {
        let id = UserId::parse(a).map_err(|_| Error::with(Code::InvalidGroupMember, a.clone()))?;
        if !current.iter().any(|m| m.userid == id) {
            return Err(Error::with(Code::InvalidGroupMember, a.clone()));
        }
        wanted.push(id);
    }
    for m in current {
        let role = if m.userid.as_str() == owner {
            "owner"
        } else if wanted.contains(&m.userid) {
            "admin"
        } else {
            "member"
        };
        if m.role != role && !change.add.iter().any(|a| a.userid == m.userid) {
            let mut updated = m.clone();
            updated.role = role.into();
            change.add.push(updated);
        }
    }
    Ok(())
}

pub(super) fn valid_group_name(name: &str) -> Result<String, Error> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 50 {
        return Err(Error::new(Code::InvalidGroupName));
    }
    Ok(name.to_string())
}

pub(super) fn member(userid: UserId, role: &str, now: i64) -> ConversationMember {
    ConversationMember {
        userid,
        role: role.to_string(),
        read_seq: 0,
        pinned: false,
        muted: false,
        joined_at: now,
    }
}

pub(super) fn changed(id: &str) -> NewEvent {
    NewEvent::new(
        Recipients::Users(vec![]),
        kinds::CONVERSATION_CHANGED,
        &json!({ "conversation_id": id }),
    )
}

/// `changed` for a large group: `stream` is where the group's stream stood before the change,
/// so a socket that learns of the group from this event (a new member's, or any member's when
/// the group just became large) follows the stream from there and misses nothing after it.
fn changed_large(id: &str, stream: workhub_core::Seq) -> NewEvent {
    NewEvent::new(
        Recipients::Users(vec![]),
        kinds::CONVERSATION_CHANGED,
        &json!({ "conversation_id": id, "stream": stream }),
    )
}

impl Messaging {
    /// POST /conversations: opens (or returns) a direct chat, or creates a group.
    pub async fn open(
        &self,
        who: &UserActor,
        new: NewConversation,
    ) -> Result<ConversationView, Error> {
        let id = match new {
            NewConversation::Direct { userid } => self.open_direct(who, &userid).await?,
            NewConversation::Group {
                name,
                department: Some(dept),
                ..
            } => self.create_department_group(who, &name, dept).await?,
            NewConversation::Group { name, members, .. } => {
                let mut all = vec![who.userid.to_string()];
                all.extend(members);
                let group = NewGroup {
                    id: None,
                    unique_key: None,
                    name: &name,
                    owner: &who.userid,
                };
                self.create_group(&who.corp_id, group, &all).await?
            }
        };
        self.view(who, &id).await
    }

    async fn open_direct(&self, who: &UserActor, peer: &str) -> Result<String, Error> {
        let peer = self
            .existing_members(&who.corp_id, &[peer.to_string()])
            .await
            .map_err(|_| Error::with(Code::UserNotFound, peer.to_string()))?
            .remove(0);
        let (a, b) = if who.userid <= peer {
            (&who.userid, &peer)
        } else {
            (&peer, &who.userid)
        };
        let key = format!("d:{a}|{b}");
        let messages = &self.deps.stores.messages;
        if let Some(c) = messages
            .find_conversation_by_key(&who.corp_id, &key)
            .await
            .or_internal()?
        {
            return Ok(c.id);
        }
        let now = self.deps.now();
        let id = Self::new_id("d");
        let conversation = Conversation {
            corp_id: who.corp_id.clone(),
            id: id.clone(),
            kind: "direct".into(),
            name: String::new(),
            owner: String::new(),
            announcement: String::new(),
            avatar: String::new(),
            unique_key: Some(key.clone()),
            last_seq: 0,
            member_limit: 2,
            large: false,
            created_at: now,
            updated_at: now,
        };
        let mut members = vec![member(a.clone(), "member", now)];
        if a != b {
            members.push(member(b.clone(), "member", now));
        }
        match messages
            .create_conversation(conversation, members, changed(&id))
            .await
        {
            Ok(committed) => Ok(self.deps.publish(committed).await.id),
            // Both opened it at the same moment: the other request made it.
            Err(StoreError::Duplicate(_)) => messages
                .find_conversation_by_key(&who.corp_id, &key)
                .await
                .or_internal()?
                .map(|c| c.id)
                .ok_or_else(|| Error::new(Code::Conflict)),
            Err(e) => Err(store_error(e)),
        }
    }

    /// Creates a group of `userids` (the owner among them).
    pub(super) async fn create_group(
        &self,
        corp: &workhub_core::CorpId,
        group: NewGroup<'_>,
        userids: &[String],
    ) -> Result<String, Error> {
        let NewGroup {
            id,
            unique_key,
            name,
            owner,
        } = group;
        let name = valid_group_name(name)?;
        let ids = self.existing_members(corp, userids).await?;
        if !ids.contains(owner) {
            return Err(Error::new(Code::InvalidGroupOwner));
        }
        if ids.len() > DEFAULT_MEMBER_LIMIT as usize {
            return Err(Error::with(
                Code::GroupSize,
                DEFAULT_MEMBER_LIMIT.to_string(),
            ));
        }
        let now = self.deps.now();
        let id = id.unwrap_or_else(|| Self::new_id("g"));
        let large = ids.len() > self.deps.settings.large_group_members;
        let members = ids
            .into_iter()
            .map(|u| {
                let role = if &u == owner { "owner" } else { "member" };
                member(u, role, now)
            })
            .collect();
        let conversation = Conversation {
            corp_id: corp.clone(),
            id: id.clone(),
            kind: "group".into(),
            name,
            owner: owner.to_string(),
            announcement: String::new(),
            avatar: String::new(),
            unique_key,
            last_seq: 0,
            member_limit: DEFAULT_MEMBER_LIMIT,
            large,
            created_at: now,
            updated_at: now,
        };
        let event = if large {
            changed_large(&id, 0)
        } else {
            changed(&id)
        };
        let committed = self
            .deps
            .stores
            .messages
            .create_conversation(conversation, members, event)
            .await
            .map_err(|e| match e {
                StoreError::Duplicate(_) => Error::with(Code::InvalidChatId, "exists"),
                e => store_error(e),
            })?;
        self.deps.publish(committed).await;
        Ok(id)
    }

    /// GET /conversations
    pub async fn conversations(&self, who: &UserActor) -> Result<Vec<ConversationView>, Error> {
        let list = self
            .deps
            .stores
            .messages
            .list_member_conversations(&who.corp_id, &who.userid)
            .await
            .or_internal()?;
        Ok(list.iter().map(ConversationView::from).collect())
    }

    /// One conversation as the caller sees it in their list.
    pub async fn view(&self, who: &UserActor, id: &str) -> Result<ConversationView, Error> {
        let (conversation, me) = self.membership(who, id).await?;
        let stores = &self.deps.stores;
        let members = stores
            .messages
            .list_members(&who.corp_id, id)
            .await
            .or_internal()?;
        let last = stores
            .messages
            .list_messages(&who.corp_id, id, None, 1)
            .await
            .or_internal()?;
        Ok(ConversationView::from(&MemberConversation {
            conversation,
            me,
            last_message: last.into_iter().next(),
            member_count: members.len() as i64,
        }))
    }

    /// GET /conversations/{id}
    pub async fn detail(&self, who: &UserActor, id: &str) -> Result<ConversationDetail, Error> {
        let conversation = self.view(who, id).await?;
        let members = self.members_of(&who.corp_id, id).await?;
        Ok(ConversationDetail {
            conversation,
            members: members.iter().map(MemberView::from).collect(),
            robots: self.robots(who, id).await?,
        })
    }

    /// PATCH /conversations/{id}: members add people; owners and admins change the rest.
    pub async fn update_group(
        &self,
        who: &UserActor,
        id: &str,
        patch: GroupPatch,
    ) -> Result<ConversationView, Error> {
        let (conversation, me) = self.membership(who, id).await?;
        if conversation.kind != "group" {
            return Err(Error::with(Code::InvalidRequest, "not a group"));
        }
        let manages = is_manager(&me);
        let changes_settings = patch.name.is_some()
            || patch.announcement.is_some()
            || patch.avatar.is_some()
            || patch.owner.is_some()
            || !patch.remove_members.is_empty();
        if changes_settings && !manages {
            return Err(Error::new(Code::NotGroupManager));
        }
        if (patch.owner.is_some() || patch.admins.is_some()) && me.role != "owner" {
            return Err(Error::new(Code::NotGroupManager));
        }
        if patch.member_limit.is_some()
            && !who
                .authority
                .holds_company_wide(p::MESSAGING_GROUP_SET_LIMIT)
        {
            return Err(Error::new(Code::Forbidden));
        }
        self.change_group(conversation, patch).await?;
        self.view(who, id).await
    }

    /// Applies a checked change to a group (also used by WeCom's `appchat/update`).
    pub(super) async fn change_group(
        &self,
        mut conversation: Conversation,
        patch: GroupPatch,
    ) -> Result<(), Error> {
        let corp = conversation.corp_id.clone();
        let current = self.members_of(&corp, &conversation.id).await?;
        if let Some(name) = &patch.name {
            conversation.name = valid_group_name(name)?;
        }
        if let Some(text) = &patch.announcement {
            if text.chars().count() > 1000 {
                return Err(Error::with(Code::InvalidRequest, "announcement: 1000"));
            }
            conversation.announcement = text.trim().to_string();
        }
        if let Some(avatar) = &patch.avatar {
            conversation.avatar = self.group_avatar(&corp, avatar.trim()).await?;
        }
        if let Some(limit) = patch.member_limit {
            if !(2..=MAX_MEMBER_LIMIT).contains(&limit) {
                return Err(Error::with(Code::GroupSize, MAX_MEMBER_LIMIT.to_string()));
            }
            conversation.member_limit = limit;
        }
        let now = self.deps.now();
        let added: Vec<UserId> = self
            .existing_members(&corp, &patch.add_members)
            .await?
            .into_iter()
            .filter(|u| !current.iter().any(|m| &m.userid == u))
            .collect();
        let removed: Vec<UserId> = patch
            .remove_members
            .iter()
            .filter_map(|u| UserId::parse(u).ok())
            .filter(|u| current.iter().any(|m| &m.userid == u))
            .collect();
        let mut change = MemberChange {
            add: added
                .into_iter()
                .map(|u| super::conversations::member(u, "member", now))
                .collect(),
            remove: removed,
            notice: None,
        };
        if let Some(owner) = &patch.owner {
            let owner = UserId::parse(owner).map_err(|_| Error::new(Code::InvalidGroupOwner))?;
            let stays =
                current.iter().any(|m| m.userid == owner) && !change.remove.contains(&owner);
            if !stays {
                return Err(Error::new(Code::InvalidGroupOwner));
            }
            // The old owner stays as an admin; the new one takes over.
            if let Some(old) = current
                .iter()
                .find(|m| m.role == "owner" && m.userid != owner)
            {
                let mut demoted = old.clone();
                demoted.role = "admin".into();
                change.add.push(demoted);
            }
            let mut promoted = current
                .iter()
                .find(|m| m.userid == owner)
                .cloned()
                .unwrap_or_else(|| member(owner.clone(), "owner", now));
            promoted.role = "owner".into();
            change.add.push(promoted);
            conversation.owner = owner.to_string();
        }
        if let Some(admins) = &patch.admins {
            set_admins(&mut change, &current, &conversation.owner, admins)?;
        }
        if change
            .remove
            .iter()
            .any(|u| u.as_str() == conversation.owner)
        {
            return Err(Error::new(Code::InvalidGroupOwner));
        }
        let after = current.len()
            + change
                .add
                .iter()
                .filter(|a| !current.iter().any(|m| m.userid == a.userid))
                .count()
            - change.remove.len();
        if after as i64 > conversation.member_limit {
            return Err(Error::with(
                Code::GroupSize,
                conversation.member_limit.to_string(),
            ));
        }
        conversation.updated_at = now;
        let id = conversation.id.clone();
        let event = if conversation.large {
            // Read before the change commits: a message between the two is sent again, never
            // missed (clients drop what they have).
            let stream = conversation_stream(&id);
            let events = &self.deps.stores.events;
            let at = events.latest_seq(&conversation.corp_id, &stream).await;
            changed_large(&id, at.or_internal()?)
        } else if after > self.deps.settings.large_group_members {
            conversation.large = true;
            changed_large(&id, 0)
        } else {
            changed(&id)
        };
        if conversation.large && !change.remove.is_empty() {
            change.notice = Some(NewEvent::new(
                Recipients::Users(vec![conversation_stream(&id)]),
                kinds::MEMBERS_REMOVED,
                &json!({ "conversation_id": id, "removed": change.remove }),
            ));
        }
        let committed = self
            .deps
            .stores
            .messages
            .update_conversation(conversation, change, event)
            .await
            .or_internal()?;
        self.deps.publish(committed).await;
        Ok(())
    }

    /// Groups that grew past the large-group threshold before it applied to them (made before
    /// an upgrade, or before an operator lowered it) switch to a stream of their own now (each
    /// node at start-up); their members hear of it as of a membership change that crossed it.
    /// Returns how many switched.
    pub async fn enlarge_grown_groups(&self) -> Result<usize, Error> {
        const BATCH: i64 = 1000;
        let store = &self.deps.stores.messages;
        let above = i64::try_from(self.deps.settings.large_group_members).unwrap_or(i64::MAX);
        let mut switched = 0;
        loop {
            let grown = store
                .list_groups_to_enlarge(above, BATCH)
                .await
                .or_internal()?;
            let mut now_switched = 0;
            for (corp, id) in &grown {
                let event = changed_large(id, 0);
                let committed = store.enlarge_group(corp, id, self.deps.now(), event).await;
                if self.deps.publish(committed.or_internal()?).await {
                    now_switched += 1;
                }
            }
            switched += now_switched;
            // A short batch is the last; one that switched nothing (another node got there
            // first) ends it too.
            if grown.len() < BATCH as usize || now_switched == 0 {
                return Ok(switched);
            }
        }
    }

    /// A group picture must be an image file of the group's company ("" clears it).
    async fn group_avatar(
        &self,
        corp: &workhub_core::CorpId,
        file_id: &str,
    ) -> Result<String, Error> {
        if file_id.is_empty() {
            return Ok(String::new());
        }
        let files = &self.deps.stores.files;
        let file = files.find_corp_file(corp, file_id).await.or_internal()?;
        match file {
            Some(f) if f.content_type.starts_with("image/") => Ok(f.file_id),
            Some(_) => Err(Error::with(Code::UnsupportedFileType, "avatar")),
            None => Err(Error::new(Code::FileNotFound)),
        }
    }

    /// POST /conversations/{id}/leave. An owner hands the group to the longest member first.
    pub async fn leave(&self, who: &UserActor, id: &str) -> Result<(), Error> {
        let (conversation, me) = self.membership(who, id).await?;
        if conversation.kind != "group" {
            return Err(Error::with(Code::InvalidRequest, "not a group"));
        }
        let mut patch = GroupPatch {
            remove_members: vec![who.userid.to_string()],
            ..Default::default()
        };
        if me.role == "owner" {
            let members = self.members_of(&who.corp_id, id).await?;
            match members.iter().find(|m| m.userid != who.userid) {
                Some(next) => patch.owner = Some(next.userid.to_string()),
                None => patch.owner = None,
            }
        }
        let mut conversation = conversation;
        if patch.owner.is_none() && me.role == "owner" {
            // The last member leaves: the group keeps its history and has no owner.
            conversation.owner = String::new();
        }
        self.change_group(conversation, patch).await
    }

    /// PUT /conversations/{id}/prefs
    pub async fn set_prefs(
        &self,
        who: &UserActor,
        id: &str,
        pinned: bool,
        muted: bool,
    ) -> Result<ConversationView, Error> {
        self.membership(who, id).await?;
        // Only the member's own devices need to know.
        let event = NewEvent::new(
            Recipients::Users(vec![who.userid.clone()]),
            kinds::CONVERSATION_CHANGED,
            &json!({ "conversation_id": id }),
        );
        let committed = self
            .deps
            .stores
            .messages
            .set_member_prefs(
                &who.corp_id,
                id,
                &who.userid,
                MemberPrefs { pinned, muted },
                self.deps.now(),
                event,
            )
            .await
            .or_internal()?;
        self.deps.publish(committed).await;
        self.view(who, id).await
    }
}

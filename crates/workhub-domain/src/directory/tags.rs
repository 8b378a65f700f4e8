//! Tags: cross-department groups of members and departments.

use workhub_core::{Code, CorpId, Error, UserId};
use workhub_store::directory::TagChange;
use workhub_store::{NewEvent, Recipients, StoreError};

use super::{Directory, TagView, kinds};
use crate::authz::catalogue as p;
use crate::context::{Actor, Meta};
use crate::{StoreResultExt, store_error};

/// A tag's members as WeCom's `tag/get` shows them.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TagMembers {
    pub id: i64,
    pub name: String,
    pub userlist: Vec<serde_json::Value>,
    pub partylist: Vec<i64>,
}

/// Targets of a tag change the directory does not know.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Invalid {
    pub users: Vec<String>,
    pub parties: Vec<i64>,
}

fn valid_tag_name(name: &str) -> Result<String, Error> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 32 {
        return Err(Error::new(Code::InvalidTagName));
    }
    Ok(name.to_string())
}

impl Directory {
    pub async fn tags(&self, actor: &Actor) -> Result<Vec<TagView>, Error> {
        let corp = Self::corp_of(actor)?;
        Ok(self
            .deps
            .stores
            .directory
            .list_tags(corp)
            .await
            .or_internal()?
            .iter()
            .map(TagView::from)
            .collect())
    }

    pub(super) async fn tag(&self, corp: &CorpId, id: i64) -> Result<TagView, Error> {
        let tags = self
            .deps
            .stores
            .directory
            .list_tags(corp)
            .await
            .or_internal()?;
        tags.iter()
            .find(|t| t.id == id)
            .map(TagView::from)
            .ok_or_else(|| Error::new(Code::TagNotFound))
    }

    pub async fn create_tag(
        &self,
        actor: &Actor,
        meta: &Meta,
        name: &str,
        id: Option<i64>,
    ) -> Result<i64, Error> {
        let result = async {
            let corp = Self::company_wide(actor, p::CONTACTS_TAG_CREATE)?.clone();
            let name = valid_tag_name(name)?;
            if id.is_some_and(|i| i <= 0) {
                return Err(Error::with(Code::InvalidRequest, "tagid"));
            }
            if self
                .deps
                .stores
                .directory
                .list_tags(&corp)
                .await
                .or_internal()?
                .iter()
                .any(|t| t.name == name)
            {
                return Err(Error::new(Code::TagExists));
            }
            let for_event = name.clone();
            let event = Box::new(move |id| {
                NewEvent::new(
                    Recipients::WholeCorp,
                    kinds::TAG_CREATED,
                    &serde_json::json!({ "tag": { "id": id, "name": for_event } }),
                )
            });
            match self
                .deps
                .stores
                .directory
                .create_tag(&corp, id, &name, self.deps.now(), event)
                .await
            {
                Ok(c) => Ok(self.deps.publish(c).await),
                Err(StoreError::Duplicate(_)) => Err(Error::new(Code::TagExists)),
                Err(e) => Err(store_error(e)),
            }
        }
        .await;
        self.audited(actor, meta, "tag.create", name, result).await
    }

    pub async fn rename_tag(
        &self,
        actor: &Actor,
        meta: &Meta,
        id: i64,
        name: &str,
    ) -> Result<(), Error> {
        let result = async {
            let corp = Self::company_wide(actor, p::CONTACTS_TAG_EDIT)?.clone();
            let name = valid_tag_name(name)?;
            let tags = self
                .deps
                .stores
                .directory
                .list_tags(&corp)
                .await
                .or_internal()?;
            if tags.iter().any(|t| t.name == name && t.id != id) {
                return Err(Error::new(Code::TagExists));
            }
            let event = NewEvent::new(
                Recipients::WholeCorp,
                kinds::TAG_UPDATED,
                &serde_json::json!({ "tag": { "id": id, "name": name } }),
            );
            let c = self
                .deps
                .stores
                .directory
                .rename_tag(&corp, id, &name, self.deps.now(), event)
                .await
                .or_internal()?;
            if self.deps.publish(c).await {
                Ok(())
            } else {
                Err(Error::new(Code::TagNotFound))
            }
        }
        .await;
        self.audited(actor, meta, "tag.update", &id.to_string(), result)
            .await
    }

    pub async fn delete_tag(&self, actor: &Actor, meta: &Meta, id: i64) -> Result<(), Error> {
        let result = async {
            let corp = Self::company_wide(actor, p::CONTACTS_TAG_DELETE)?.clone();
            let event = NewEvent::new(
                Recipients::WholeCorp,
                kinds::TAG_DELETED,
                &serde_json::json!({ "id": id }),
            );
            let c = self
                .deps
                .stores
                .directory
                .delete_tag(&corp, id, self.deps.now(), event)
                .await
                .or_internal()?;
            if self.deps.publish(c).await {
                Ok(())
            } else {
                Err(Error::new(Code::TagNotFound))
            }
        }
        .await;
        self.audited(actor, meta, "tag.delete", &id.to_string(), result)
            .await
    }

    pub async fn tag_members(&self, actor: &Actor, id: i64) -> Result<TagMembers, Error> {
        let corp = Self::corp_of(actor)?;
        let tag = self.tag(corp, id).await?;
        let (users, parties) = self
            .deps
            .stores
            .directory
            .tag_members(corp, id)
            .await
            .or_internal()?;
        let members = self
            .deps
            .stores
            .directory
            .list_members(corp, None)
            .await
            .or_internal()?;
        let userlist = users
            .iter()
            .filter_map(|u| members.iter().find(|m| &m.userid == u))
            .map(|m| serde_json::json!({ "userid": m.userid, "name": m.name }))
            .collect();
        Ok(TagMembers {
            id,
            name: tag.name,
            userlist,
            partylist: parties,
        })
    }

    /// Adds (or removes) members and departments; unknown ones come back as invalid.
    pub async fn change_tag_members(
        &self,
        actor: &Actor,
        meta: &Meta,
        id: i64,
        users: &[String],
        parties: &[i64],
        remove: bool,
    ) -> Result<Invalid, Error> {
        let action = if remove {
            "tag.remove_members"
        } else {
            "tag.add_members"
        };
        let result = async {
            let corp = Self::company_wide(actor, p::CONTACTS_TAG_MEMBERS)?.clone();
            self.tag(&corp, id).await?;
            if users.len() > 1000 || parties.len() > 100 {
                return Err(Error::with(
                    Code::InvalidRequest,
                    "at most 1000 users and 100 departments",
                ));
            }
            let members = self
                .deps
                .stores
                .directory
                .list_members(&corp, None)
                .await
                .or_internal()?;
            let tree = self.tree(&corp).await?;
            let mut invalid = Invalid::default();
            let mut good_users: Vec<UserId> = Vec::new();
            for u in users {
                match UserId::parse(u)
                    .ok()
                    .filter(|uid| members.iter().any(|m| &m.userid == uid))
                {
                    Some(uid) => good_users.push(uid),
                    None => invalid.users.push(u.clone()),
                }
            }
            let (good_parties, bad_parties): (Vec<i64>, Vec<i64>) =
                parties.iter().partition(|p| tree.by_id.contains_key(p));
            invalid.parties = bad_parties;
            if good_users.is_empty()
                && good_parties.is_empty()
                && !(users.is_empty() && parties.is_empty())
            {
                return Err(Error::with(Code::InvalidRequest, "every target is invalid"));
            }
            let event = NewEvent::new(
                Recipients::WholeCorp,
                kinds::TAG_MEMBERS_CHANGED,
                &serde_json::json!({ "id": id }),
            );
            let c = self
                .deps
                .stores
                .directory
                .change_tag_members(
                    &corp,
                    id,
                    TagChange {
                        users: good_users,
                        departments: good_parties,
                        remove,
                    },
                    self.deps.now(),
                    event,
                )
                .await
                .or_internal()?;
            self.deps.publish(c).await;
            Ok(invalid)
        }
        .await;
        self.audited(actor, meta, action, &id.to_string(), result)
            .await
    }
}

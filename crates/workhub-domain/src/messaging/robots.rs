//! Group robots: owners and admins of a group add one and get a webhook key; anything that
//! holds the key posts into the group (WeCom's `webhook/send`), at most 20 times a minute.

use serde::Serialize;
use serde_json::Value;
use workhub_bus::Limit;
use workhub_core::{Code, Error, secret};
use workhub_store::messaging::{Robot, Sender};

use super::Messaging;
use super::content::{MACHINE_TYPES, normalize};
use super::is_manager;
use crate::StoreResultExt;
use crate::context::UserActor;

/// WeCom's robot limit: 20 messages a minute each.
const ROBOT_LIMIT: Limit = Limit {
    window_ms: 60_000,
    max: 20,
};

/// A new robot's key: shown once.
#[derive(Debug, Clone, Serialize)]
pub struct NewRobot {
    pub key: String,
    pub key_hint: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct RobotView {
    pub key_hint: String,
    pub name: String,
    pub created_by: String,
    pub created_at: i64,
}

/// What a webhook posts: the message and whom it mentions (userids and mobiles).
#[derive(Debug, Clone, Default)]
pub struct RobotPost {
    pub kind: String,
    pub content: Value,
    pub mentioned: Vec<String>,
    pub mentioned_mobiles: Vec<String>,
}

impl Messaging {
    /// POST /conversations/{id}/robots
    pub async fn add_robot(
        &self,
        who: &UserActor,
        id: &str,
        name: &str,
    ) -> Result<NewRobot, Error> {
        let (conversation, me) = self.membership(who, id).await?;
        if conversation.kind != "group" {
            return Err(Error::with(Code::InvalidRequest, "not a group"));
        }
        if !is_manager(&me) {
            return Err(Error::new(Code::NotGroupManager));
        }
        let name = super::conversations::valid_group_name(name)
            .map_err(|_| Error::new(Code::InvalidName))?;
        // Keys look like WeCom's: a UUID.
        let key = uuid::Uuid::new_v4().to_string();
        let key_hint = key[..8].to_string();
        self.deps
            .stores
            .messaging_admin
            .create_robot(Robot {
                key_digest: secret::digest(&key),
                corp_id: who.corp_id.clone(),
                conversation_id: id.to_string(),
                key_hint: key_hint.clone(),
                name: name.clone(),
                created_by: who.userid.to_string(),
                created_at: self.deps.now(),
            })
            .await
            .or_internal()?;
        Ok(NewRobot {
            key,
            key_hint,
            name,
        })
    }

    /// The robots of a conversation the caller belongs to.
    pub async fn robots(&self, who: &UserActor, id: &str) -> Result<Vec<RobotView>, Error> {
        self.membership(who, id).await?;
        let robots = self
            .deps
            .stores
            .messaging_admin
            .list_robots(&who.corp_id, id)
            .await
            .or_internal()?;
        Ok(robots
            .into_iter()
            .map(|r| RobotView {
                key_hint: r.key_hint,
                name: r.name,
                created_by: r.created_by,
                created_at: r.created_at,
            })
            .collect())
    }

    /// DELETE /conversations/{id}/robots/{key_hint}
    pub async fn remove_robot(&self, who: &UserActor, id: &str, hint: &str) -> Result<(), Error> {
        let (_, me) = self.membership(who, id).await?;
        if !is_manager(&me) {
            return Err(Error::new(Code::NotGroupManager));
        }
        let gone = self
            .deps
            .stores
            .messaging_admin
            .delete_robot(&who.corp_id, id, hint)
            .await
            .or_internal()?;
        if !gone {
            return Err(Error::new(Code::NotFound));
        }
        Ok(())
    }

    /// `webhook/send?key=`: posts as the robot into its group.
    /// The company a robot key belongs to, and how files the robot stores are attributed.
    pub async fn robot_of(&self, key: &str) -> Result<(workhub_core::CorpId, String), Error> {
        let robot = self
            .deps
            .stores
            .messaging_admin
            .find_robot(&secret::digest(key))
            .await
            .or_internal()?
            .ok_or_else(|| Error::new(Code::InvalidWebhookKey))?;
        Ok((robot.corp_id, format!("robot:{}", robot.name)))
    }

    pub async fn robot_send(&self, key: &str, post: RobotPost) -> Result<(), Error> {
        let robot = self
            .deps
            .stores
            .messaging_admin
            .find_robot(&secret::digest(key))
            .await
            .or_internal()?
            .ok_or_else(|| Error::new(Code::InvalidWebhookKey))?;
        if !MACHINE_TYPES.contains(&post.kind.as_str()) {
            return Err(Error::with(Code::InvalidMsgType, post.kind));
        }
        let mut content = normalize(&post.kind, &post.content)?;
        self.attach_file(&robot.corp_id, &mut content).await?;
        let decision = self
            .deps
            .limiter
            .charge(
                &format!("robot:{}", robot.key_digest),
                &[ROBOT_LIMIT],
                self.deps.now(),
            )
            .await;
        if !decision.allowed {
            return Err(Error::new(Code::RateLimited));
        }
        let conversation = self
            .conversation_row(&robot.corp_id, &robot.conversation_id)
            .await
            .map_err(|_| Error::new(Code::InvalidWebhookKey))?;
        let members = self
            .members_of(&robot.corp_id, &robot.conversation_id)
            .await?;
        let mut mentions = Vec::new();
        let wants_all = post.mentioned.iter().any(|m| m == "@all")
            || post.mentioned_mobiles.iter().any(|m| m == "@all");
        if wants_all {
            mentions.push("@all".to_string());
        }
        for userid in &post.mentioned {
            if let Some(m) = members
                .iter()
                .find(|m| m.userid.as_str().eq_ignore_ascii_case(userid))
            {
                mentions.push(m.userid.to_string());
            }
        }
        if !post.mentioned_mobiles.is_empty() {
            let ids: Vec<_> = members.iter().map(|m| m.userid.clone()).collect();
            let people = self
                .deps
                .stores
                .directory
                .find_members(&robot.corp_id, &ids)
                .await
                .or_internal()?;
            for p in people {
                if p.mobile
                    .as_ref()
                    .is_some_and(|mobile| post.mentioned_mobiles.contains(mobile))
                {
                    mentions.push(p.userid.to_string());
                }
            }
        }
        mentions.dedup();
        let mut message = self.new_message(
            &conversation.corp_id,
            &conversation.id,
            &format!("robot:{}", robot.name),
            uuid::Uuid::now_v7().simple().to_string(),
            &post.kind,
            &content,
        );
        message.mentions = serde_json::json!(mentions).to_string();
        self.post(message, Sender::Service).await?;
        Ok(())
    }
}

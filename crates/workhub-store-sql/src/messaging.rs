//! Conversations, members and messages. Message events reference the stored message
//! (`events.message_id`), so a message costs one row plus one small event row per member.

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AssertSqlSafe, Row};
use workhub_core::{CorpId, UserId};
use workhub_store::messaging::{
    Conversation, ConversationMember, MemberChange, MemberConversation, MemberPrefs, Message,
    MessageKey, MessageStore, Posted, Reaction, Sender, conversation_stream,
};
use workhub_store::{Appended, Committed, NewEvent, StoreResult};

use crate::events::{append, append_if, fan_out, start_stream};
use crate::messaging_sqlite;
use crate::rows::s;
use crate::rows::{MESSAGE_COLUMNS, RowResult, b, joined_message, placeholders};
use crate::{SqlStore, backend_error};

const CONVERSATION_COLUMNS: &str = "c.corp_id, c.id, c.kind, c.name, c.owner, c.announcement, \
     c.avatar, c.unique_key, c.last_seq, c.member_limit, c.large, c.created_at, c.updated_at";

/// Who gets a conversation's message events, for the conversation bound as `$N`: every member,
/// or only the group's own stream once it is large (`conversation_stream`).
macro_rules! audience_of {
    ($conversation:literal) => {
        concat!(
            "SELECT userid FROM conversation_members WHERE corp_id = $1 AND conversation_id = ",
            $conversation,
            " AND NOT EXISTS (SELECT 1 FROM conversations WHERE corp_id = $1 AND id = ",
            $conversation,
            " AND large = 1) UNION ALL SELECT 'conversation:' || id FROM conversations \
             WHERE corp_id = $1 AND id = ",
            $conversation,
            " AND large = 1"
        )
    };
}

fn conversation(row: &AnyRow) -> RowResult<Conversation> {
    Ok(Conversation {
        corp_id: CorpId::from_trusted(row.try_get("corp_id")?),
        id: row.try_get("id")?,
        kind: row.try_get("kind")?,
        name: row.try_get("name")?,
        owner: row.try_get("owner")?,
        announcement: row.try_get("announcement")?,
        avatar: row.try_get("avatar")?,
        unique_key: row.try_get("unique_key")?,
        last_seq: row.try_get("last_seq")?,
        member_limit: row.try_get("member_limit")?,
        large: row.try_get::<i64, _>("large")? != 0,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

fn member(row: &AnyRow) -> RowResult<ConversationMember> {
    Ok(ConversationMember {
        userid: UserId::from_trusted(row.try_get("userid")?),
        role: row.try_get("role")?,
        read_seq: row.try_get("read_seq")?,
        pinned: row.try_get::<i64, _>("pinned")? != 0,
        muted: row.try_get::<i64, _>("muted")? != 0,
        joined_at: row.try_get("joined_at")?,
    })
}

async fn insert_members(
    conn: &mut AnyConnection,
    corp: &CorpId,
    conversation: &str,
    members: &[ConversationMember],
) -> StoreResult<()> {
    for m in members {
        sqlx::query(
            "INSERT INTO conversation_members \
             (corp_id, conversation_id, userid, role, read_seq, pinned, muted, joined_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (corp_id, conversation_id, userid) DO UPDATE SET role = $4",
        )
        .bind(s(corp))
        .bind(conversation.to_string())
        .bind(s(&m.userid))
        .bind(m.role.clone())
        .bind(m.read_seq)
        .bind(b(m.pinned))
        .bind(b(m.muted))
        .bind(m.joined_at)
        .execute(&mut *conn)
        .await
        .map_err(backend_error)?;
    }
    Ok(())
}

async fn message_by_client_id(
    pool: &sqlx::AnyPool,
    corp: &CorpId,
    sender: &str,
    client_msg_id: &str,
) -> StoreResult<Option<Message>> {
    let row = sqlx::query(AssertSqlSafe(format!(
        "SELECT {MESSAGE_COLUMNS} FROM messages m \
         WHERE m.corp_id = $1 AND m.sender = $2 AND m.client_msg_id = $3"
    )))
    .bind(s(corp))
    .bind(sender.to_string())
    .bind(client_msg_id.to_string())
    .fetch_optional(pool)
    .await
    .map_err(backend_error)?;
    row.map(|r| joined_message(corp, &r))
        .transpose()
        .map_err(backend_error)
}

/// The statement that stores a new message with the conversation's next seq, returning it;
/// nothing when the sender's client id was used before (a retried send) or, for a member's
/// message, when they are not a member as it is written (the check and the write are one
/// statement, so no removal can slip between them). Arguments: `message_args`.
pub(crate) fn insert_sql(sender: Sender) -> String {
    let member_only = match sender {
        Sender::Member => {
            "AND EXISTS (SELECT 1 FROM conversation_members cm WHERE cm.corp_id = $1 \
             AND cm.conversation_id = $3 AND cm.userid = $4)"
        }
        Sender::Service => "",
    };
    format!(
        "INSERT INTO messages (corp_id, id, conversation_id, seq, sender, \
         client_msg_id, kind, content, mentions, reply_to, recalled_at, created_at) \
         SELECT $1, $2, $3, c.last_seq + 1, $4, $5, $6, $7, $8, $9, $10, $11 \
         FROM conversations c WHERE c.corp_id = $1 AND c.id = $3 {member_only} \
         ON CONFLICT (corp_id, sender, client_msg_id) DO NOTHING RETURNING seq"
    )
}

/// After the insert, the conversation moves on...
pub(crate) const MOVE_ON: &str = "UPDATE conversations SET last_seq = last_seq + 1, \
     updated_at = $11 WHERE corp_id = $1 AND id = $3";
/// ...and whoever writes has read everything up to their message (an app or robot, being no
/// member, changes nothing here).
pub(crate) const SENDER_READ: &str = "UPDATE conversation_members SET read_seq = \
     (SELECT last_seq FROM conversations WHERE corp_id = $1 AND id = $3) \
     WHERE corp_id = $1 AND conversation_id = $3 AND userid = $4";
/// Moves a member's read mark forward, never back.
pub(crate) const MARK_READ: &str = "UPDATE conversation_members SET read_seq = $4 \
     WHERE corp_id = $1 AND conversation_id = $2 AND userid = $3 AND read_seq < $4";

/// Who hears of a message: the audience of the conversation bound as `$3`.
pub(crate) const MESSAGE_AUDIENCE: &str = audience_of!("$3");

/// Stores a new message on PostgreSQL (SQLite's writes are `messaging_sqlite`): the
/// conversation row is locked (concurrent senders queue there, each reading the seq the one
/// before wrote), then one statement with data-modifying CTEs stores the message, moves the
/// conversation on and marks it read for the sender, then the fan-out. Returns the seq and the
/// streams advanced, or None when nothing was stored (see `insert_sql`).
async fn insert_message(
    conn: &mut AnyConnection,
    message: &Message,
    kind: &str,
    sender: Sender,
) -> StoreResult<Option<(i64, Vec<Appended>)>> {
    sqlx::query("SELECT last_seq FROM conversations WHERE corp_id = $1 AND id = $2 FOR UPDATE")
        .bind(s(&message.corp_id))
        .bind(message.conversation_id.clone())
        .fetch_optional(&mut *conn)
        .await
        .map_err(backend_error)?;
    let query = format!(
        "WITH inserted AS ({insert}), \
         moved AS ({MOVE_ON} AND EXISTS (SELECT 1 FROM inserted) RETURNING last_seq), \
         read AS (UPDATE conversation_members SET read_seq = (SELECT last_seq FROM moved) \
         WHERE corp_id = $1 AND conversation_id = $3 AND userid = $4 \
         AND EXISTS (SELECT 1 FROM moved)) \
         SELECT seq FROM inserted",
        insert = insert_sql(sender)
    );
    let row = sqlx::query(AssertSqlSafe(query))
        .bind(s(&message.corp_id))
        .bind(message.id.clone())
        .bind(message.conversation_id.clone())
        .bind(message.sender.clone())
        .bind(message.client_msg_id.clone())
        .bind(message.kind.clone())
        .bind(message.content.clone())
        .bind(message.mentions.clone())
        .bind(message.reply_to.clone())
        .bind(message.recalled_at)
        .bind(message.created_at)
        .fetch_optional(&mut *conn)
        .await
        .map_err(backend_error)?;
    let seq = row.map(|r| r.try_get::<i64, _>("seq")).transpose();
    let Some(seq) = seq.map_err(backend_error)? else {
        return Ok(None);
    };
    let appended = fan_out(
        conn,
        &message.corp_id,
        AUDIENCE,
        &message.conversation_id,
        (kind, ""),
        Some(&message.id),
        message.created_at,
    )
    .await?;
    Ok(Some((seq, appended)))
}

/// Every member of the conversation bound as `$2`: who hears of changes to the conversation.
const MEMBERS: &str = "SELECT userid FROM conversation_members \
     WHERE corp_id = $1 AND conversation_id = $2";
/// Who hears of its messages, recalls and reactions: `audience_of!` for `$2`.
const AUDIENCE: &str = audience_of!("$2");

#[async_trait::async_trait]
impl MessageStore for SqlStore {
    async fn create_conversation(
        &self,
        c: Conversation,
        members: Vec<ConversationMember>,
        event: NewEvent,
    ) -> StoreResult<Committed<Conversation>> {
        self.writer
            .run_traffic(move |conn| {
                Box::pin(async move {
                    sqlx::query(
                        "INSERT INTO conversations (corp_id, id, kind, name, owner, announcement, \
                         unique_key, last_seq, member_limit, created_at, updated_at, avatar, \
                         large) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
                    )
                    .bind(s(&c.corp_id))
                    .bind(c.id.clone())
                    .bind(c.kind.clone())
                    .bind(c.name.clone())
                    .bind(c.owner.clone())
                    .bind(c.announcement.clone())
                    .bind(c.unique_key.clone())
                    .bind(c.last_seq)
                    .bind(c.member_limit)
                    .bind(c.created_at)
                    .bind(c.updated_at)
                    .bind(c.avatar.clone())
                    .bind(b(c.large))
                    .execute(&mut *conn)
                    .await
                    .map_err(backend_error)?;
                    if c.large {
                        start_stream(conn, &c.corp_id, &conversation_stream(&c.id)).await?;
                    }
                    insert_members(conn, &c.corp_id, &c.id, &members).await?;
                    let appended = fan_out(
                        conn,
                        &c.corp_id,
                        MEMBERS,
                        &c.id,
                        (event.kind, &event.data),
                        None,
                        c.created_at,
                    )
                    .await?;
                    Ok(Committed { value: c, appended })
                })
            })
            .await
    }

    async fn find_conversation(
        &self,
        corp: &CorpId,
        id: &str,
    ) -> StoreResult<Option<Conversation>> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {CONVERSATION_COLUMNS} FROM conversations c WHERE c.corp_id = $1 AND c.id = $2"
        )))
        .bind(s(corp))
        .bind(id.to_string())
        .fetch_optional(&self.pool)
        .await
        .map_err(backend_error)?;
        row.as_ref()
            .map(conversation)
            .transpose()
            .map_err(backend_error)
    }

    async fn find_conversation_by_key(
        &self,
        corp: &CorpId,
        unique_key: &str,
    ) -> StoreResult<Option<Conversation>> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {CONVERSATION_COLUMNS} FROM conversations c \
             WHERE c.corp_id = $1 AND c.unique_key = $2"
        )))
        .bind(s(corp))
        .bind(unique_key.to_string())
        .fetch_optional(&self.pool)
        .await
        .map_err(backend_error)?;
        row.as_ref()
            .map(conversation)
            .transpose()
            .map_err(backend_error)
    }

    async fn list_members(
        &self,
        corp: &CorpId,
        conversation: &str,
    ) -> StoreResult<Vec<ConversationMember>> {
        let rows = sqlx::query(
            "SELECT * FROM conversation_members WHERE corp_id = $1 AND conversation_id = $2 \
             ORDER BY joined_at, userid",
        )
        .bind(s(corp))
        .bind(conversation.to_string())
        .fetch_all(&self.pool)
        .await
        .map_err(backend_error)?;
        rows.iter()
            .map(member)
            .collect::<Result<_, _>>()
            .map_err(backend_error)
    }

    async fn list_conversations_by_key_prefix(
        &self,
        corp: &CorpId,
        prefix: &str,
    ) -> StoreResult<Vec<Conversation>> {
        // Prefixes are constants of the domain ("dept:"), so LIKE needs no escaping.
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT {CONVERSATION_COLUMNS} FROM conversations c \
             WHERE c.corp_id = $1 AND c.unique_key LIKE $2 ORDER BY c.id"
        )))
        .bind(s(corp))
        .bind(format!("{prefix}%"))
        .fetch_all(&self.pool)
        .await
        .map_err(backend_error)?;
        rows.iter()
            .map(conversation)
            .collect::<Result<_, _>>()
            .map_err(backend_error)
    }

    async fn find_member(
        &self,
        corp: &CorpId,
        conversation: &str,
        user: &UserId,
    ) -> StoreResult<Option<ConversationMember>> {
        let row = sqlx::query(
            "SELECT * FROM conversation_members \
             WHERE corp_id = $1 AND conversation_id = $2 AND userid = $3",
        )
        .bind(s(corp))
        .bind(conversation.to_string())
        .bind(s(user))
        .fetch_optional(&self.pool)
        .await
        .map_err(backend_error)?;
        row.as_ref().map(member).transpose().map_err(backend_error)
    }

    async fn find_membership(
        &self,
        corp: &CorpId,
        conversation_id: &str,
        user: &UserId,
    ) -> StoreResult<Option<(Conversation, ConversationMember)>> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {CONVERSATION_COLUMNS}, cm.userid, cm.role, cm.read_seq, cm.pinned, \
             cm.muted, cm.joined_at FROM conversation_members cm \
             JOIN conversations c ON c.corp_id = cm.corp_id AND c.id = cm.conversation_id \
             WHERE cm.corp_id = $1 AND cm.conversation_id = $2 AND cm.userid = $3"
        )))
        .bind(s(corp))
        .bind(conversation_id.to_string())
        .bind(s(user))
        .fetch_optional(&self.pool)
        .await
        .map_err(backend_error)?;
        row.map(|r| Ok((conversation(&r)?, member(&r)?)))
            .transpose()
            .map_err(backend_error)
    }

    async fn list_member_conversations(
        &self,
        corp: &CorpId,
        user: &UserId,
    ) -> StoreResult<Vec<MemberConversation>> {
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT {CONVERSATION_COLUMNS}, cm.userid, cm.role, cm.read_seq, cm.pinned, \
             cm.muted, cm.joined_at, {MESSAGE_COLUMNS}, (SELECT COUNT(*) FROM \
             conversation_members x WHERE x.corp_id = c.corp_id AND x.conversation_id = c.id) \
             AS member_count \
             FROM conversation_members cm \
             JOIN conversations c ON c.corp_id = cm.corp_id AND c.id = cm.conversation_id \
             LEFT JOIN messages m ON m.corp_id = c.corp_id AND m.conversation_id = c.id \
               AND m.seq = c.last_seq \
             WHERE cm.corp_id = $1 AND cm.userid = $2 \
             ORDER BY cm.pinned DESC, c.updated_at DESC, c.id"
        )))
        .bind(s(corp))
        .bind(s(user))
        .fetch_all(&self.pool)
        .await
        .map_err(backend_error)?;
        rows.iter()
            .map(|r| {
                let last_message = match r.try_get::<Option<String>, _>("m_id")? {
                    Some(_) => Some(joined_message(corp, r)?),
                    None => None,
                };
                Ok(MemberConversation {
                    conversation: conversation(r)?,
                    me: member(r)?,
                    last_message,
                    member_count: r.try_get("member_count")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(backend_error)
    }

    async fn list_member_conversation_ids(
        &self,
        corp: &CorpId,
        user: &UserId,
    ) -> StoreResult<Vec<String>> {
        let rows = sqlx::query(
            "SELECT conversation_id FROM conversation_members WHERE corp_id = $1 AND userid = $2",
        )
        .bind(s(corp))
        .bind(s(user))
        .fetch_all(&self.pool)
        .await
        .map_err(backend_error)?;
        rows.iter()
            .map(|r| r.try_get("conversation_id"))
            .collect::<Result<_, _>>()
            .map_err(backend_error)
    }

    async fn update_conversation(
        &self,
        c: Conversation,
        change: MemberChange,
        event: NewEvent,
    ) -> StoreResult<Committed<()>> {
        self.writer
            .run_traffic(move |conn| {
                Box::pin(async move {
                    sqlx::query(
                        "UPDATE conversations SET name = $3, owner = $4, announcement = $5, \
                         updated_at = $6, member_limit = $7, avatar = $8, large = $9 \
                         WHERE corp_id = $1 AND id = $2",
                    )
                    .bind(s(&c.corp_id))
                    .bind(c.id.clone())
                    .bind(c.name.clone())
                    .bind(c.owner.clone())
                    .bind(c.announcement.clone())
                    .bind(c.updated_at)
                    .bind(c.member_limit)
                    .bind(c.avatar.clone())
                    .bind(b(c.large))
                    .execute(&mut *conn)
                    .await
                    .map_err(backend_error)?;
                    if c.large {
                        // From here on the group's messages go to its stream (seq 1 first).
                        start_stream(conn, &c.corp_id, &conversation_stream(&c.id)).await?;
                    }
                    insert_members(conn, &c.corp_id, &c.id, &change.add).await?;
                    // Told before the removal, so those removed learn of it too.
                    let mut appended = fan_out(
                        conn,
                        &c.corp_id,
                        MEMBERS,
                        &c.id,
                        (event.kind, &event.data),
                        None,
                        c.updated_at,
                    )
                    .await?;
                    if let Some(notice) = &change.notice {
                        appended.extend(append(conn, &c.corp_id, notice, c.updated_at).await?);
                    }
                    for user in &change.remove {
                        sqlx::query(
                            "DELETE FROM conversation_members \
                             WHERE corp_id = $1 AND conversation_id = $2 AND userid = $3",
                        )
                        .bind(s(&c.corp_id))
                        .bind(c.id.clone())
                        .bind(s(user))
                        .execute(&mut *conn)
                        .await
                        .map_err(backend_error)?;
                    }
                    Ok(Committed {
                        value: (),
                        appended,
                    })
                })
            })
            .await
    }

    async fn list_groups_to_enlarge(
        &self,
        members: i64,
        limit: i64,
    ) -> StoreResult<Vec<(CorpId, String)>> {
        let rows = sqlx::query(
            "SELECT c.corp_id, c.id FROM conversations c JOIN conversation_members m \
             ON m.corp_id = c.corp_id AND m.conversation_id = c.id \
             WHERE c.kind = 'group' AND c.large = 0 GROUP BY c.corp_id, c.id \
             HAVING COUNT(*) > $1 ORDER BY c.corp_id, c.id LIMIT $2",
        )
        .bind(members)
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .map_err(backend_error)?;
        rows.iter()
            .map(|r| {
                Ok((
                    CorpId::from_trusted(r.try_get("corp_id")?),
                    r.try_get("id")?,
                ))
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(backend_error)
    }

    async fn enlarge_group(
        &self,
        corp: &CorpId,
        id: &str,
        now: i64,
        event: NewEvent,
    ) -> StoreResult<Committed<bool>> {
        let (corp, id) = (corp.clone(), id.to_string());
        self.writer
            .run_traffic(move |conn| {
                Box::pin(async move {
                    let done = sqlx::query(
                        "UPDATE conversations SET large = 1 \
                         WHERE corp_id = $1 AND id = $2 AND large = 0",
                    )
                    .bind(s(&corp))
                    .bind(id.clone())
                    .execute(&mut *conn)
                    .await
                    .map_err(backend_error)?;
                    if done.rows_affected() == 0 {
                        return Ok(Committed {
                            value: false,
                            appended: vec![],
                        });
                    }
                    start_stream(conn, &corp, &conversation_stream(&id)).await?;
                    let appended = fan_out(
                        conn,
                        &corp,
                        MEMBERS,
                        &id,
                        (event.kind, &event.data),
                        None,
                        now,
                    )
                    .await?;
                    Ok(Committed {
                        value: true,
                        appended,
                    })
                })
            })
            .await
    }

    async fn append_message(
        &self,
        message: Message,
        kind: &'static str,
        sender: Sender,
    ) -> StoreResult<Committed<Posted>> {
        let inserted = self
            .writer
            .run_traffic_native(
                message.clone(),
                move |conn, m| messaging_sqlite::insert_message(conn, &m, kind, sender),
                move |conn, m| {
                    Box::pin(async move { insert_message(conn, &m, kind, sender).await })
                },
            )
            .await?;
        let Some((seq, appended)) = inserted else {
            // Nothing written: a retry of a message already stored (committed by now, so
            // readable here), or no place for this sender to post.
            let first = message_by_client_id(
                &self.pool,
                &message.corp_id,
                &message.sender,
                &message.client_msg_id,
            )
            .await?;
            return Ok(Committed {
                value: first.map_or(Posted::NotInConversation, Posted::Duplicate),
                appended: vec![],
            });
        };
        Ok(Committed {
            value: Posted::Created(Message { seq, ..message }),
            appended,
        })
    }

    async fn list_messages(
        &self,
        corp: &CorpId,
        conversation: &str,
        before: Option<i64>,
        limit: i64,
    ) -> StoreResult<Vec<Message>> {
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages m \
             WHERE m.corp_id = $1 AND m.conversation_id = $2 AND m.seq < $3 \
             ORDER BY m.seq DESC LIMIT $4"
        )))
        .bind(s(corp))
        .bind(conversation.to_string())
        .bind(before.unwrap_or(i64::MAX))
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .map_err(backend_error)?;
        rows.iter()
            .map(|r| joined_message(corp, r))
            .collect::<Result<_, _>>()
            .map_err(backend_error)
    }

    async fn list_messages_after(
        &self,
        created_at: i64,
        id: &str,
        limit: i64,
    ) -> StoreResult<Vec<Message>> {
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT {MESSAGE_COLUMNS}, m.corp_id AS m_corp FROM messages m \
             WHERE m.created_at > $1 OR (m.created_at = $1 AND m.id > $2) \
             ORDER BY m.created_at, m.id LIMIT $3"
        )))
        .bind(created_at)
        .bind(id.to_string())
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .map_err(backend_error)?;
        rows.iter()
            .map(|r| {
                let corp = CorpId::from_trusted(r.try_get("m_corp")?);
                joined_message(&corp, r)
            })
            .collect::<Result<_, _>>()
            .map_err(backend_error)
    }

    async fn list_message_keys_between(
        &self,
        after: (i64, &str),
        through: (i64, &str),
        limit: i64,
    ) -> StoreResult<Vec<MessageKey>> {
        let rows = sqlx::query(
            "SELECT corp_id, id, created_at FROM messages \
             WHERE (created_at > $1 OR (created_at = $1 AND id > $2)) \
             AND (created_at < $3 OR (created_at = $3 AND id <= $4)) \
             ORDER BY created_at, id LIMIT $5",
        )
        .bind(after.0)
        .bind(after.1.to_string())
        .bind(through.0)
        .bind(through.1.to_string())
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .map_err(backend_error)?;
        rows.iter()
            .map(|r| {
                Ok(MessageKey {
                    corp_id: CorpId::from_trusted(r.try_get("corp_id")?),
                    id: r.try_get("id")?,
                    created_at: r.try_get("created_at")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(backend_error)
    }

    async fn find_message(&self, corp: &CorpId, id: &str) -> StoreResult<Option<Message>> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages m WHERE m.corp_id = $1 AND m.id = $2"
        )))
        .bind(s(corp))
        .bind(id.to_string())
        .fetch_optional(&self.pool)
        .await
        .map_err(backend_error)?;
        row.map(|r| joined_message(corp, &r))
            .transpose()
            .map_err(backend_error)
    }

    async fn find_messages(&self, corp: &CorpId, ids: &[String]) -> StoreResult<Vec<Message>> {
        if ids.is_empty() {
            return Ok(vec![]);
        }
        let mut query = sqlx::query(AssertSqlSafe(format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages m WHERE m.corp_id = $1 AND m.id IN ({})",
            placeholders(2, ids.len())
        )))
        .bind(s(corp));
        for id in ids {
            query = query.bind(id.clone());
        }
        let rows = query.fetch_all(&self.pool).await.map_err(backend_error)?;
        rows.iter()
            .map(|r| joined_message(corp, r))
            .collect::<Result<_, _>>()
            .map_err(backend_error)
    }

    async fn recall_message(
        &self,
        corp: &CorpId,
        id: &str,
        at: i64,
        kind: &'static str,
    ) -> StoreResult<Committed<bool>> {
        let (corp, id) = (corp.clone(), id.to_string());
        self.writer
            .run_traffic(move |conn| {
                Box::pin(async move {
                    // The content is erased, not hidden: a recalled message is gone for good.
                    let row = sqlx::query(
                        "UPDATE messages SET recalled_at = $3, content = '{}', mentions = '[]' \
                         WHERE corp_id = $1 AND id = $2 AND recalled_at IS NULL \
                         RETURNING conversation_id",
                    )
                    .bind(s(&corp))
                    .bind(id.clone())
                    .bind(at)
                    .fetch_optional(&mut *conn)
                    .await
                    .map_err(backend_error)?;
                    let Some(row) = row else {
                        return Ok(Committed {
                            value: false,
                            appended: vec![],
                        });
                    };
                    let conversation: String =
                        row.try_get("conversation_id").map_err(backend_error)?;
                    let appended = fan_out(
                        conn,
                        &corp,
                        AUDIENCE,
                        &conversation,
                        (kind, ""),
                        Some(&id),
                        at,
                    )
                    .await?;
                    Ok(Committed {
                        value: true,
                        appended,
                    })
                })
            })
            .await
    }

    async fn mark_read(
        &self,
        corp: &CorpId,
        conversation: &str,
        user: &UserId,
        seq: i64,
        now: i64,
        event: NewEvent,
    ) -> StoreResult<Committed<bool>> {
        let read = (corp.clone(), conversation.to_string(), user.clone(), event);
        // Devices mark conversations read about as often as people send.
        self.writer
            .run_traffic_native(
                read,
                move |conn, (corp, conversation, user, event)| {
                    let key = (&corp, conversation.as_str(), &user);
                    messaging_sqlite::mark_read(conn, key, seq, now, &event)
                },
                move |conn, (corp, conversation, user, event)| {
                    Box::pin(async move {
                        let done = sqlx::query(MARK_READ)
                            .bind(s(&corp))
                            .bind(conversation)
                            .bind(s(&user))
                            .bind(seq)
                            .execute(&mut *conn)
                            .await
                            .map_err(backend_error)?;
                        let changed = done.rows_affected() > 0;
                        append_if(conn, &corp, changed, &event, now).await
                    })
                },
            )
            .await
    }

    async fn set_member_prefs(
        &self,
        corp: &CorpId,
        conversation: &str,
        user: &UserId,
        prefs: MemberPrefs,
        now: i64,
        event: NewEvent,
    ) -> StoreResult<Committed<()>> {
        let (corp, conversation, user) = (corp.clone(), conversation.to_string(), user.clone());
        self.writer
            .run_traffic(move |conn| {
                Box::pin(async move {
                    sqlx::query(
                        "UPDATE conversation_members SET pinned = $4, muted = $5 \
                         WHERE corp_id = $1 AND conversation_id = $2 AND userid = $3",
                    )
                    .bind(s(&corp))
                    .bind(conversation)
                    .bind(s(&user))
                    .bind(b(prefs.pinned))
                    .bind(b(prefs.muted))
                    .execute(&mut *conn)
                    .await
                    .map_err(backend_error)?;
                    let appended = append(conn, &corp, &event, now).await?;
                    Ok(Committed {
                        value: (),
                        appended,
                    })
                })
            })
            .await
    }

    async fn list_messages_by_client_prefix(
        &self,
        corp: &CorpId,
        sender: &str,
        prefix: &str,
    ) -> StoreResult<Vec<Message>> {
        // Prefixes are generated ids (letters and digits), so LIKE needs no escaping.
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages m \
             WHERE m.corp_id = $1 AND m.sender = $2 AND m.client_msg_id LIKE $3"
        )))
        .bind(s(corp))
        .bind(sender.to_string())
        .bind(format!("{prefix}%"))
        .fetch_all(&self.pool)
        .await
        .map_err(backend_error)?;
        rows.iter()
            .map(|r| joined_message(corp, r))
            .collect::<Result<_, _>>()
            .map_err(backend_error)
    }

    async fn purge_messages(&self, corp: &CorpId, before: i64) -> StoreResult<u64> {
        let corp = corp.clone();
        self.writer
            .run_traffic(move |conn| {
                Box::pin(async move {
                    // Events keep their seq (streams stay dense) but lose what they pointed at.
                    let done =
                        sqlx::query("DELETE FROM messages WHERE corp_id = $1 AND created_at < $2")
                            .bind(s(&corp))
                            .bind(before)
                            .execute(conn)
                            .await
                            .map_err(backend_error)?;
                    Ok(done.rows_affected())
                })
            })
            .await
    }

    async fn toggle_reaction(
        &self,
        r: Reaction,
        conversation: &str,
        event: NewEvent,
    ) -> StoreResult<Committed<()>> {
        let conversation = conversation.to_string();
        self.writer
            .run_traffic(move |conn| {
                Box::pin(async move {
                    let corp = r.corp_id.clone();
                    let removed = sqlx::query(
                        "DELETE FROM message_reactions \
                         WHERE corp_id = $1 AND message_id = $2 AND userid = $3 AND emoji = $4",
                    )
                    .bind(s(&corp))
                    .bind(r.message_id.clone())
                    .bind(s(&r.userid))
                    .bind(r.emoji.clone())
                    .execute(&mut *conn)
                    .await
                    .map_err(backend_error)?;
                    if removed.rows_affected() == 0 {
                        sqlx::query(
                            "INSERT INTO message_reactions \
                             (corp_id, message_id, userid, emoji, created_at) \
                             VALUES ($1, $2, $3, $4, $5)",
                        )
                        .bind(s(&corp))
                        .bind(r.message_id.clone())
                        .bind(s(&r.userid))
                        .bind(r.emoji.clone())
                        .bind(r.created_at)
                        .execute(&mut *conn)
                        .await
                        .map_err(backend_error)?;
                    }
                    let appended = fan_out(
                        conn,
                        &corp,
                        AUDIENCE,
                        &conversation,
                        (event.kind, &event.data),
                        None,
                        r.created_at,
                    )
                    .await?;
                    Ok(Committed {
                        value: (),
                        appended,
                    })
                })
            })
            .await
    }

    async fn list_reactions(
        &self,
        corp: &CorpId,
        message_ids: &[String],
    ) -> StoreResult<Vec<Reaction>> {
        if message_ids.is_empty() {
            return Ok(vec![]);
        }
        // Only placeholders are generated; the ids are bound.
        let marks: Vec<String> = (2..message_ids.len() + 2)
            .map(|i| format!("${i}"))
            .collect();
        let sql = format!(
            "SELECT message_id, userid, emoji, created_at FROM message_reactions \
             WHERE corp_id = $1 AND message_id IN ({}) ORDER BY created_at, userid",
            marks.join(", ")
        );
        let mut query = sqlx::query(AssertSqlSafe(sql)).bind(s(corp));
        for id in message_ids {
            query = query.bind(id.clone());
        }
        let rows = query.fetch_all(&self.pool).await.map_err(backend_error)?;
        rows.iter()
            .map(|r| {
                Ok(Reaction {
                    corp_id: corp.clone(),
                    message_id: r.try_get("message_id")?,
                    userid: UserId::from_trusted(r.try_get("userid")?),
                    emoji: r.try_get("emoji")?,
                    created_at: r.try_get("created_at")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(backend_error)
    }
}

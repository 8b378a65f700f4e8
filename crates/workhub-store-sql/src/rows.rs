//! Reading rows into the store's models. Booleans are stored as 0/1 BIGINTs.

use sqlx::Row;
use sqlx::any::AnyRow;
use workhub_core::{CorpId, Edition, UserId};
use workhub_store::accounts::{
    ApprovalStatus, DeviceApproval, MemberStanding, Session, SignedIn, User,
};
use workhub_store::audit::AuditRecord;
use workhub_store::corps::Corp;
use workhub_store::messaging::Message;
use workhub_store::signups::Signup;

pub(crate) type RowResult<T> = Result<T, sqlx::Error>;

fn flag(row: &AnyRow, col: &str) -> RowResult<bool> {
    Ok(row.try_get::<i64, _>(col)? != 0)
}

pub(crate) fn corp(row: &AnyRow) -> RowResult<Corp> {
    Ok(Corp {
        corp_id: CorpId::from_trusted(row.try_get("corp_id")?),
        name: row.try_get("name")?,
        edition: Edition::parse(&row.try_get::<String, _>("edition")?).unwrap_or_default(),
        verified: flag(row, "verified")?,
        uscc: row.try_get("uscc")?,
        industry: row.try_get("industry")?,
        size: row.try_get("size")?,
        address: row.try_get("address")?,
        logo_file_id: row.try_get("logo_file_id")?,
        created_at: row.try_get("created_at")?,
    })
}

pub(crate) fn user(row: &AnyRow) -> RowResult<User> {
    Ok(User {
        corp_id: CorpId::from_trusted(row.try_get("corp_id")?),
        userid: UserId::from_trusted(row.try_get("userid")?),
        name: row.try_get("name")?,
        mobile: row.try_get("mobile")?,
        email: row.try_get("email")?,
        is_admin: flag(row, "is_admin")?,
        disabled: row.try_get::<i64, _>("status")? == 2,
        password_digest: row.try_get("password_digest")?,
        password_changed_at: row.try_get("password_changed_at")?,
        totp_secret: row.try_get("totp_secret")?,
        totp_enabled: flag(row, "totp_enabled")?,
        failed_logins: row.try_get("failed_logins")?,
        locked_until: row.try_get("locked_until")?,
        has_admin_roles: row.try_get::<i64, _>("admin_roles")? > 0,
    })
}

pub(crate) fn session(row: &AnyRow) -> RowResult<Session> {
    Ok(Session {
        session_id: row.try_get("session_id")?,
        corp_id: CorpId::from_trusted(row.try_get("corp_id")?),
        userid: UserId::from_trusted(row.try_get("userid")?),
        device_id: row.try_get("device_id")?,
        device_name: row.try_get("device_name")?,
        platform: row.try_get("platform")?,
        ip: row.try_get("ip")?,
        user_agent: row.try_get("user_agent")?,
        created_at: row.try_get("created_at")?,
        last_seen_at: row.try_get("last_seen_at")?,
        revoked: row.try_get::<Option<i64>, _>("revoked_at")?.is_some(),
    })
}

/// A session row joined with its member's standing and the company's policy.
pub(crate) fn signed_in(row: &AnyRow) -> RowResult<SignedIn> {
    let member = match row.try_get::<Option<i64>, _>("member_status")? {
        Some(status) => Some(MemberStanding {
            disabled: status == 2,
            is_admin: flag(row, "member_is_admin")?,
            has_admin_roles: row.try_get::<i64, _>("member_admin_roles")? > 0,
        }),
        None => None,
    };
    Ok(SignedIn {
        session: session(row)?,
        member,
        policy: row.try_get("corp_policy")?,
    })
}

pub(crate) fn approval(row: &AnyRow) -> RowResult<DeviceApproval> {
    Ok(DeviceApproval {
        approval_id: row.try_get("approval_id")?,
        corp_id: CorpId::from_trusted(row.try_get("corp_id")?),
        userid: UserId::from_trusted(row.try_get("userid")?),
        device_id: row.try_get("device_id")?,
        device_name: row.try_get("device_name")?,
        platform: row.try_get("platform")?,
        ip: row.try_get("ip")?,
        user_agent: row.try_get("user_agent")?,
        poll_digest: row.try_get("poll_digest")?,
        status: ApprovalStatus::parse(&row.try_get::<String, _>("status")?),
        created_at: row.try_get("created_at")?,
    })
}

pub(crate) fn audit(row: &AnyRow) -> RowResult<AuditRecord> {
    Ok(AuditRecord {
        id: row.try_get("id")?,
        corp_id: row.try_get("corp_id")?,
        time: row.try_get("time")?,
        actor: row.try_get("actor")?,
        action: row.try_get("action")?,
        target: row.try_get("target")?,
        ip: row.try_get("ip")?,
        user_agent: row.try_get("user_agent")?,
        outcome: row.try_get("outcome")?,
    })
}

pub(crate) fn signup(row: &AnyRow) -> RowResult<Signup> {
    Ok(Signup {
        signup_id: row.try_get("signup_id")?,
        token_digest: row.try_get("token_digest")?,
        company_name: row.try_get("company_name")?,
        uscc: row.try_get("uscc")?,
        licence_file_id: row.try_get("licence_file_id")?,
        step: row.try_get("step")?,
        bank_name: row.try_get("bank_name")?,
        account_name: row.try_get("account_name")?,
        account_number: row.try_get("account_number")?,
        bank_code: row.try_get("bank_code")?,
        bank_status: row.try_get("bank_status")?,
        corp_id: row.try_get("corp_id")?,
        created_at: row.try_get("created_at")?,
    })
}

/// An id or other value bound as TEXT.
/// `$from, $from+1, …` for `n` values: only placeholders are generated, never values.
pub(crate) fn placeholders(from: usize, n: usize) -> String {
    (from..from + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

pub(crate) fn s(v: &impl ToString) -> String {
    v.to_string()
}

pub(crate) fn b(v: bool) -> i64 {
    i64::from(v)
}

/// The columns `joined_message` reads, as a SELECT list over `messages m`.
pub(crate) const MESSAGE_COLUMNS: &str = "m.id AS m_id, m.conversation_id, m.seq AS m_seq, \
     m.sender, m.client_msg_id, m.kind AS m_kind, m.content, m.mentions, m.reply_to, \
     m.recalled_at, m.created_at AS m_created_at";

/// A message selected with `MESSAGE_COLUMNS` (aliased so it can share a row with an event).
pub(crate) fn joined_message(corp: &CorpId, row: &AnyRow) -> RowResult<Message> {
    Ok(Message {
        corp_id: corp.clone(),
        id: row.try_get("m_id")?,
        conversation_id: row.try_get("conversation_id")?,
        seq: row.try_get("m_seq")?,
        sender: row.try_get("sender")?,
        client_msg_id: row.try_get("client_msg_id")?,
        kind: row.try_get("m_kind")?,
        content: row.try_get("content")?,
        mentions: row.try_get("mentions")?,
        reply_to: row.try_get("reply_to")?,
        recalled_at: row.try_get("recalled_at")?,
        created_at: row.try_get("m_created_at")?,
    })
}

//! The store conformance suite: the behaviour every engine must show, run against SQLite and
//! PostgreSQL by `workhub-store-sql`'s tests. Names and ids are random so the suite can share a
//! database with other data.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod pruning;

use workhub_core::{CorpId, Edition, UserId};

use crate::accounts::{
    ApprovalStatus, DeviceApproval, MemberStanding, NewSession, NewUser, Session,
};
use crate::audit::{AuditFilter, AuditRecord};
use crate::corps::{AccessToken, CorpDetails, NewCorp};
use crate::signups::{Signup, StoredFile};
use crate::{NewEvent, Recipients, StoreError, Stores};

/// Runs every check; panics with the name of the first that fails.
pub async fn run_all(stores: &Stores) {
    corps_and_members(stores).await;
    event_streams(stores).await;
    pruning::event_pruning(stores).await;
    sessions_and_devices(stores).await;
    device_approvals(stores).await;
    passwords_and_policy(stores).await;
    signed_in_reads_member_and_policy(stores).await;
    access_tokens_and_apps(stores).await;
    audit_log(stores).await;
    signups_files_operators(stores).await;
    conversations_and_messages(stores).await;
    large_groups(stores).await;
    message_keys_in_creation_order(stores).await;
    uploads_and_files(stores).await;
    messaging_settings(stores).await;
    admin_roles(stores).await;
    visibility_rules(stores).await;
    members_in_bulk(stores).await;
}

/// The company's `admin` as stored now.
async fn admin_user(stores: &Stores, corp: &CorpId) -> crate::accounts::User {
    stores
        .accounts
        .find_user(corp, &uid("admin"))
        .await
        .unwrap()
        .unwrap()
}

fn uid(s: &str) -> UserId {
    UserId::parse(s).unwrap()
}

pub fn new_user(corp: &CorpId, userid: &str, now: i64) -> NewUser {
    NewUser {
        corp_id: corp.clone(),
        userid: uid(userid),
        name: format!("User {userid}"),
        mobile: None,
        email: Some(format!("{userid}@example.com")),
        is_admin: true,
        password_digest: "digest".into(),
        created_at: now,
    }
}

/// A fresh company with its administrator `admin`.
pub async fn new_corp(stores: &Stores, now: i64) -> CorpId {
    let corp = CorpId::generate();
    let new = NewCorp {
        corp_id: corp.clone(),
        name: "Acme 测试".into(),
        edition: Edition::Standard,
        uscc: None,
        created_at: now,
    };
    let secret = format!("contacts-{corp}");
    stores
        .corps
        .create_corp(new, new_user(&corp, "admin", now), secret)
        .await
        .unwrap();
    corp
}

async fn corps_and_members(stores: &Stores) {
    let corp = new_corp(stores, 1_000).await;
    let found = stores
        .corps
        .find_corp(&corp)
        .await
        .unwrap()
        .expect("corp exists");
    assert_eq!(found.name, "Acme 测试");
    assert!(!found.verified);
    assert_eq!(stores.corps.count_members(&corp).await.unwrap(), 1);
    assert!(
        stores
            .corps
            .find_corp(&CorpId::generate())
            .await
            .unwrap()
            .is_none()
    );

    let by_email = stores
        .accounts
        .find_user_by_login(&corp, "ADMIN@example.com")
        .await
        .unwrap();
    assert_eq!(by_email.map(|u| u.userid), Some(uid("admin")));
    let by_id = stores
        .accounts
        .find_user_by_login(&corp, "Admin")
        .await
        .unwrap();
    assert!(by_id.is_some(), "userid login is case-insensitive");

    stores
        .accounts
        .add_user(NewUser {
            mobile: Some("13800138000".into()),
            ..new_user(&corp, "lisi", 1_500)
        })
        .await
        .unwrap();
    assert_eq!(stores.corps.count_members(&corp).await.unwrap(), 2);
    let by_mobile = stores
        .accounts
        .find_user_by_login(&corp, "13800138000")
        .await
        .unwrap();
    assert_eq!(by_mobile.map(|u| u.userid), Some(uid("lisi")));
    let dup = stores
        .accounts
        .add_user(new_user(&corp, "lisi", 1_500))
        .await;
    assert!(matches!(dup, Err(StoreError::Duplicate(_))), "{dup:?}");
    let other = new_corp(stores, 1_000).await;
    stores
        .accounts
        .add_user(new_user(&other, "lisi", 1_500))
        .await
        .expect("the same userid in another company");
    assert!(
        stores
            .accounts
            .find_user_by_login(&other, "nobody")
            .await
            .unwrap()
            .is_none(),
        "logins are scoped to their company"
    );

    let unverified = stores.corps.list_corps(Some(false)).await.unwrap();
    assert!(
        unverified
            .iter()
            .any(|c| c.corp.corp_id == corp && c.member_count == 2)
    );
    let event = NewEvent::new(Recipients::WholeCorp, "corp.verified", &"x");
    assert!(
        stores
            .corps
            .verify_corp(&corp, 2_000, event.clone())
            .await
            .unwrap()
            .value
    );
    assert!(
        !stores
            .corps
            .verify_corp(&corp, 2_000, event)
            .await
            .unwrap()
            .value,
        "only once"
    );
    let verified = stores.corps.list_corps(Some(true)).await.unwrap();
    assert!(verified.iter().any(|c| c.corp.corp_id == corp));
    assert!(
        !stores
            .corps
            .list_corps(Some(false))
            .await
            .unwrap()
            .iter()
            .any(|c| c.corp.corp_id == corp)
    );

    assert!(
        stores
            .corps
            .set_edition(&corp, Edition::Professional)
            .await
            .unwrap()
    );
    let details = CorpDetails {
        industry: Some("制造业".into()),
        ..Default::default()
    };
    assert!(stores.corps.update_details(&corp, details).await.unwrap());
    let found = stores.corps.find_corp(&corp).await.unwrap().unwrap();
    assert_eq!(found.edition, Edition::Professional);
    assert_eq!(found.industry.as_deref(), Some("制造业"));
}

async fn event_streams(stores: &Stores) {
    let corp = new_corp(stores, 1_000).await;
    let admin = uid("admin");
    assert_eq!(stores.events.latest_seq(&corp, &admin).await.unwrap(), 0);
    for i in 0..5 {
        let e = NewEvent::new(Recipients::Users(vec![admin.clone()]), "test.event", &i);
        let appended = stores
            .accounts
            .save_policy(&corp, "{}".into(), 10 + i, e)
            .await
            .unwrap();
        assert_eq!(appended.appended.len(), 1);
        assert_eq!(
            appended.appended[0].seq,
            i + 1,
            "seqs are dense and start at 1"
        );
    }
    let all = stores
        .events
        .list_events(&corp, &admin, 0, 100)
        .await
        .unwrap();
    assert_eq!(
        all.iter().map(|e| e.seq).collect::<Vec<_>>(),
        vec![1, 2, 3, 4, 5]
    );
    assert_eq!(all[2].data, "2");
    let page = stores
        .events
        .list_events(&corp, &admin, 2, 2)
        .await
        .unwrap();
    assert_eq!(page.iter().map(|e| e.seq).collect::<Vec<_>>(), vec![3, 4]);
    assert_eq!(stores.events.latest_seq(&corp, &admin).await.unwrap(), 5);

    // Another company's member with the same userid has a separate stream.
    let other = new_corp(stores, 1_000).await;
    assert!(
        stores
            .events
            .list_events(&other, &admin, 0, 100)
            .await
            .unwrap()
            .is_empty()
    );

    // Events to an unknown member are dropped rather than failing the write.
    let ghost = NewEvent::new(Recipients::Users(vec![uid("ghost")]), "test.event", &0);
    let c = stores
        .accounts
        .save_policy(&corp, "{}".into(), 20, ghost)
        .await
        .unwrap();
    assert!(c.appended.is_empty());
    // A recipient named twice gets the event once; unknown ones are skipped.
    let twice = NewEvent::new(
        Recipients::Users(vec![admin.clone(), uid("ghost"), admin.clone()]),
        "test.event",
        &0,
    );
    let c = stores
        .accounts
        .save_policy(&corp, "{}".into(), 20, twice)
        .await
        .unwrap();
    assert_eq!(
        c.appended.iter().map(|a| a.seq).collect::<Vec<_>>(),
        vec![6]
    );

    // Concurrent writers never produce duplicate or missing seqs.
    let mut tasks = Vec::new();
    for i in 0..20 {
        let stores = stores.clone();
        let corp = corp.clone();
        tasks.push(tokio::spawn(async move {
            let e = NewEvent::new(Recipients::WholeCorp, "test.concurrent", &i);
            stores
                .accounts
                .save_policy(&corp, "{}".into(), 30, e)
                .await
                .unwrap()
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let seqs: Vec<i64> = stores
        .events
        .list_events(&corp, &admin, 6, 100)
        .await
        .unwrap()
        .iter()
        .map(|e| e.seq)
        .collect();
    assert_eq!(seqs, (7..=26).collect::<Vec<_>>());
}

fn session(corp: &CorpId, id: &str, device: &str, now: i64) -> Session {
    Session {
        session_id: id.into(),
        corp_id: corp.clone(),
        userid: uid("admin"),
        device_id: device.into(),
        device_name: "Chrome".into(),
        platform: "web".into(),
        ip: "127.0.0.1".into(),
        user_agent: "test".into(),
        created_at: now,
        last_seen_at: now,
        revoked: false,
    }
}

async fn sessions_and_devices(stores: &Stores) {
    let corp = new_corp(stores, 1_000).await;
    let admin = uid("admin");
    let a = format!("s-{}", CorpId::generate());
    let b = format!("s-{}", CorpId::generate());
    let open = |id: &str, digest: &str, device: &str, trust: bool| NewSession {
        session: session(&corp, id, device, 2_000),
        token_digest: digest.into(),
        trust_device: trust,
    };
    stores
        .accounts
        .record_login_failure(&corp, &admin, None)
        .await
        .unwrap();
    stores
        .accounts
        .record_login_failure(&corp, &admin, None)
        .await
        .unwrap();
    assert_eq!(admin_user(stores, &corp).await.failed_logins, 2);
    stores
        .accounts
        .record_login_failure(&corp, &admin, Some(9_000))
        .await
        .unwrap();
    let user = admin_user(stores, &corp).await;
    assert_eq!((user.failed_logins, user.locked_until), (0, 9_000));

    assert_eq!(
        stores.accounts.count_devices(&corp, &admin).await.unwrap(),
        0
    );
    stores
        .accounts
        .open_session(open(&a, &format!("d{a}"), "dev-1", true))
        .await
        .unwrap();
    stores
        .accounts
        .open_session(open(&b, &format!("d{b}"), "dev-2", false))
        .await
        .unwrap();
    let user = admin_user(stores, &corp).await;
    assert_eq!(user.locked_until, 0, "a successful sign-in clears the lock");
    assert!(
        stores
            .accounts
            .find_device(&corp, &admin, "dev-1")
            .await
            .unwrap()
            .unwrap()
            .trusted
    );
    assert!(
        !stores
            .accounts
            .find_device(&corp, &admin, "dev-2")
            .await
            .unwrap()
            .unwrap()
            .trusted
    );
    assert!(
        stores
            .accounts
            .find_device(&corp, &admin, "dev-3")
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(
        stores.accounts.count_devices(&corp, &admin).await.unwrap(),
        2
    );
    // Signing in again without trust keeps an earlier trust.
    let c = format!("s-{}", CorpId::generate());
    stores
        .accounts
        .open_session(open(&c, &format!("d{c}"), "dev-1", false))
        .await
        .unwrap();
    assert!(
        stores
            .accounts
            .find_device(&corp, &admin, "dev-1")
            .await
            .unwrap()
            .unwrap()
            .trusted
    );

    let found = stores
        .accounts
        .find_signed_in(&format!("d{a}"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.session.session_id, a);
    let standing = found
        .member
        .expect("the member's standing comes with the session");
    assert!(!standing.disabled);
    assert_eq!(found.policy, None, "no policy saved yet");
    stores
        .accounts
        .touch_session(&a, 5_000, "10.0.0.1")
        .await
        .unwrap();
    let found = stores
        .accounts
        .find_signed_in(&format!("d{a}"))
        .await
        .unwrap()
        .unwrap()
        .session;
    assert_eq!((found.last_seen_at, found.ip.as_str()), (5_000, "10.0.0.1"));
    assert_eq!(
        stores
            .accounts
            .list_sessions(&corp, Some(&admin))
            .await
            .unwrap()
            .len(),
        3
    );

    let other = new_corp(stores, 1_000).await;
    let e = NewEvent::new(
        Recipients::Users(vec![admin.clone()]),
        "session.revoked",
        &a,
    );
    let wrong = stores
        .accounts
        .revoke_session(&other, &a, 6_000, e.clone())
        .await
        .unwrap();
    assert!(wrong.value.is_none(), "another company cannot revoke it");
    let done = stores
        .accounts
        .revoke_session(&corp, &a, 6_000, e.clone())
        .await
        .unwrap();
    assert_eq!(done.value.map(|s| s.session_id), Some(a.clone()));
    assert_eq!(done.appended.len(), 1);
    assert!(
        stores
            .accounts
            .revoke_session(&corp, &a, 6_000, e)
            .await
            .unwrap()
            .value
            .is_none()
    );
    assert!(
        stores
            .accounts
            .find_signed_in(&format!("d{a}"))
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(
        stores
            .accounts
            .list_sessions(&corp, None)
            .await
            .unwrap()
            .len(),
        2
    );

    let dup = stores
        .accounts
        .open_session(open(&b, "another", "dev-2", false))
        .await;
    assert!(
        matches!(dup, Err(StoreError::Duplicate(_))),
        "session ids are unique: {dup:?}"
    );
}

async fn device_approvals(stores: &Stores) {
    let corp = new_corp(stores, 1_000).await;
    let admin = uid("admin");
    let id = format!("a-{}", CorpId::generate());
    let approval = DeviceApproval {
        approval_id: id.clone(),
        corp_id: corp.clone(),
        userid: admin.clone(),
        device_id: "new-dev".into(),
        device_name: "Phone".into(),
        platform: "mobile".into(),
        ip: "10.1.1.1".into(),
        user_agent: "ua".into(),
        poll_digest: "poll".into(),
        status: ApprovalStatus::Pending,
        created_at: 1_000,
    };
    let e = NewEvent::new(
        Recipients::Users(vec![admin.clone()]),
        "device_approval.requested",
        &1,
    );
    assert_eq!(
        stores
            .accounts
            .create_device_approval(approval.clone(), e.clone())
            .await
            .unwrap()
            .appended
            .len(),
        1
    );
    assert_eq!(
        stores
            .accounts
            .list_device_approvals(&corp, None)
            .await
            .unwrap(),
        vec![approval.clone()]
    );
    assert_eq!(
        stores
            .accounts
            .list_device_approvals(&corp, Some(&uid("bob")))
            .await
            .unwrap(),
        vec![]
    );
    assert!(
        !stores.accounts.consume_device_approval(&id).await.unwrap(),
        "pending cannot be used"
    );
    let other = new_corp(stores, 1_000).await;
    let d = stores.accounts.decide_device_approval(
        &other,
        &id,
        ApprovalStatus::Approved,
        2_000,
        e.clone(),
    );
    assert!(
        d.await.unwrap().value.is_none(),
        "another company cannot decide it"
    );
    let d = stores.accounts.decide_device_approval(
        &corp,
        &id,
        ApprovalStatus::Approved,
        2_000,
        e.clone(),
    );
    assert_eq!(
        d.await.unwrap().value.map(|a| a.status),
        Some(ApprovalStatus::Approved)
    );
    let d = stores
        .accounts
        .decide_device_approval(&corp, &id, ApprovalStatus::Rejected, 2_000, e);
    assert!(d.await.unwrap().value.is_none(), "decided only once");
    assert!(
        stores
            .accounts
            .list_device_approvals(&corp, None)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(stores.accounts.consume_device_approval(&id).await.unwrap());
    assert!(
        !stores.accounts.consume_device_approval(&id).await.unwrap(),
        "used only once"
    );
    let found = stores
        .accounts
        .find_device_approval(&id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.status, ApprovalStatus::Used);
}

async fn passwords_and_policy(stores: &Stores) {
    let corp = new_corp(stores, 1_000).await;
    let admin = uid("admin");
    for (i, digest) in ["p1", "p2", "p3", "p4"].iter().enumerate() {
        let now = 2_000 + i64::try_from(i).unwrap();
        stores
            .accounts
            .set_password(&corp, &admin, digest.to_string(), now, 2)
            .await
            .unwrap();
    }
    let user = admin_user(stores, &corp).await;
    assert_eq!(
        (user.password_digest.as_str(), user.password_changed_at),
        ("p4", 2_003)
    );
    let history = stores
        .accounts
        .password_history(&corp, &admin, 10)
        .await
        .unwrap();
    assert_eq!(
        history,
        vec!["p3".to_string(), "p2".to_string()],
        "keeps the newest two"
    );

    stores
        .accounts
        .set_totp(&corp, &admin, Some("SECRET".into()), true)
        .await
        .unwrap();
    let user = admin_user(stores, &corp).await;
    assert_eq!(
        (user.totp_secret.as_deref(), user.totp_enabled),
        (Some("SECRET"), true)
    );

    assert!(stores.accounts.find_policy(&corp).await.unwrap().is_none());
    let e = NewEvent::new(Recipients::WholeCorp, "security_policy.changed", &1);
    stores
        .accounts
        .save_policy(&corp, r#"{"a":1}"#.into(), 3_000, e.clone())
        .await
        .unwrap();
    stores
        .accounts
        .save_policy(&corp, r#"{"a":2}"#.into(), 3_001, e)
        .await
        .unwrap();
    assert_eq!(
        stores.accounts.find_policy(&corp).await.unwrap().as_deref(),
        Some(r#"{"a":2}"#)
    );
}

/// A session is read with its member's standing and the company's policy, which change apart
/// from it.
async fn signed_in_reads_member_and_policy(stores: &Stores) {
    let corp = new_corp(stores, 1_000).await;
    let id = format!("s-{}", CorpId::generate());
    stores
        .accounts
        .open_session(NewSession {
            session: session(&corp, &id, "dev-1", 1_000),
            token_digest: format!("d{id}"),
            trust_device: false,
        })
        .await
        .unwrap();
    let signed_in = || async {
        stores
            .accounts
            .find_signed_in(&format!("d{id}"))
            .await
            .unwrap()
            .unwrap()
    };
    let found = signed_in().await;
    let user = admin_user(stores, &corp).await;
    assert_eq!(
        found.member,
        Some(MemberStanding {
            disabled: user.disabled,
            is_admin: user.is_admin,
            has_admin_roles: user.has_admin_roles,
        })
    );
    let e = NewEvent::new(Recipients::WholeCorp, "security_policy.changed", &1);
    stores
        .accounts
        .save_policy(&corp, r#"{"a":3}"#.into(), 3_000, e)
        .await
        .unwrap();
    assert_eq!(signed_in().await.policy.as_deref(), Some(r#"{"a":3}"#));
    // However it was read before (a store may remember verified sessions), each change to the
    // session, its member or the policy shows in the next read.
    stores
        .accounts
        .touch_session(&id, 3_200, "10.0.0.9")
        .await
        .unwrap();
    let touched = signed_in().await.session;
    assert_eq!(
        (touched.last_seen_at, touched.ip.as_str()),
        (3_200, "10.0.0.9")
    );
    let admin = uid("admin");
    let mut member = stores
        .directory
        .find_member(&corp, &admin)
        .await
        .unwrap()
        .unwrap();
    let changed = NewEvent::new(Recipients::WholeCorp, "member.updated", &"admin");
    member.status = 2;
    stores
        .directory
        .update_member(&corp, member, 3_400, changed)
        .await
        .unwrap();
    assert!(
        stores
            .accounts
            .find_signed_in(&format!("d{id}"))
            .await
            .unwrap()
            .is_none(),
        "disabling a member ends their sessions"
    );
    assert!(
        stores
            .accounts
            .find_signed_in("no-such-digest")
            .await
            .unwrap()
            .is_none()
    );
}

async fn access_tokens_and_apps(stores: &Stores) {
    let corp = new_corp(stores, 1_000).await;
    assert_eq!(
        stores.corps.find_secret(&corp.to_string()).await.unwrap(),
        None
    );
    let secret = format!("s{corp}");
    let app = stores
        .corps
        .create_app(&corp, "审批助手", secret.clone(), 1_000)
        .await
        .unwrap();
    assert_eq!(app.agent_id, 1_000_002);
    let second = stores
        .corps
        .create_app(&corp, "Bot", format!("t{corp}"), 1_000)
        .await
        .unwrap();
    assert_eq!(second.agent_id, 1_000_003);
    assert_eq!(
        stores.corps.find_secret(&secret).await.unwrap(),
        Some((corp.clone(), 1_000_002))
    );

    let token = |exp| AccessToken {
        corp_id: corp.clone(),
        agent_id: 1_000_002,
        expires_at: exp,
    };
    let old = format!("old{corp}");
    let new = format!("new{corp}");
    stores
        .corps
        .insert_access_token(old.clone(), token(5_000), 1_000)
        .await
        .unwrap();
    stores
        .corps
        .insert_access_token(new.clone(), token(9_000), 2_000)
        .await
        .unwrap();
    assert!(
        stores
            .corps
            .find_access_token(&old)
            .await
            .unwrap()
            .is_some(),
        "still valid: kept"
    );
    stores
        .corps
        .insert_access_token(format!("x{corp}"), token(20_000), 6_000)
        .await
        .unwrap();
    assert!(
        stores
            .corps
            .find_access_token(&old)
            .await
            .unwrap()
            .is_none(),
        "expired: forgotten"
    );
    assert_eq!(
        stores.corps.find_access_token(&new).await.unwrap(),
        Some(token(9_000))
    );
}

async fn audit_log(stores: &Stores) {
    let corp = new_corp(stores, 1_000).await;
    for (i, (action, outcome)) in [
        ("login", "success"),
        ("login", "failure:invalid_credentials"),
        ("logout", "success"),
    ]
    .iter()
    .enumerate()
    {
        let time = 1_000 + i64::try_from(i).unwrap();
        stores
            .audit
            .append_audit(AuditRecord {
                id: format!("0000-{time}"),
                corp_id: corp.to_string(),
                time,
                actor: "admin".into(),
                action: action.to_string(),
                target: "admin".into(),
                ip: "127.0.0.1".into(),
                user_agent: "ua".into(),
                outcome: outcome.to_string(),
            })
            .await
            .unwrap();
    }
    let f = AuditFilter {
        limit: 10,
        ..Default::default()
    };
    assert_eq!(
        stores
            .audit
            .list_audit(corp.as_str(), &f.clone())
            .await
            .unwrap()
            .iter()
            .map(|r| r.time)
            .collect::<Vec<_>>(),
        vec![1_002, 1_001, 1_000]
    );
    let logins = stores
        .audit
        .list_audit(
            corp.as_str(),
            &AuditFilter {
                action: Some("login".into()),
                ..f.clone()
            },
        )
        .await
        .unwrap();
    assert_eq!(logins.len(), 2);
    let failures = stores
        .audit
        .list_audit(
            corp.as_str(),
            &AuditFilter {
                outcome: Some("failure".into()),
                ..f.clone()
            },
        )
        .await
        .unwrap();
    assert_eq!(failures.len(), 1);
    let window = stores
        .audit
        .list_audit(
            corp.as_str(),
            &AuditFilter {
                from: Some(1_001),
                to: Some(1_001),
                ..f.clone()
            },
        )
        .await
        .unwrap();
    assert_eq!(window.len(), 1);
    let page = stores
        .audit
        .list_audit(
            corp.as_str(),
            &AuditFilter {
                before_id: Some("0000-1002".into()),
                limit: 1,
                ..f.clone()
            },
        )
        .await
        .unwrap();
    assert_eq!(page.iter().map(|r| r.time).collect::<Vec<_>>(), vec![1_001]);
    assert!(
        stores
            .audit
            .list_audit("other", &f)
            .await
            .unwrap()
            .is_empty()
    );
}

async fn signups_files_operators(stores: &Stores) {
    let id = format!("su-{}", CorpId::generate());
    let file_id = format!("f-{}", CorpId::generate());
    let bytes: Vec<u8> = (0..=255u8).collect();
    let file = StoredFile {
        file_id: file_id.clone(),
        content_type: "image/png".into(),
        bytes: bytes.clone(),
        created_at: 1,
    };
    stores.signups.put_file(file.clone()).await.unwrap();
    assert_eq!(
        stores.signups.find_file(&file_id).await.unwrap(),
        Some(file)
    );
    let mut signup = Signup {
        signup_id: id.clone(),
        token_digest: "t".into(),
        company_name: "示例科技".into(),
        uscc: "91350100M000100Y43".into(),
        licence_file_id: file_id,
        step: "bank".into(),
        bank_name: None,
        account_name: None,
        account_number: None,
        bank_code: None,
        bank_status: "none".into(),
        corp_id: None,
        created_at: 1,
    };
    stores.signups.create_signup(signup.clone()).await.unwrap();
    signup.step = "admin".into();
    signup.bank_name = Some("招商银行".into());
    signup.bank_status = "awaiting_payment".into();
    stores.signups.update_signup(signup.clone()).await.unwrap();
    assert_eq!(stores.signups.find_signup(&id).await.unwrap(), Some(signup));
    assert!(
        stores
            .signups
            .list_signups()
            .await
            .unwrap()
            .iter()
            .any(|s| s.signup_id == id)
    );

    let name = format!("op-{}", CorpId::generate());
    stores
        .operators
        .create_operator(&name, "pw".into(), 1)
        .await
        .unwrap();
    assert!(stores.operators.count_operators().await.unwrap() >= 1);
    let dup = stores
        .operators
        .create_operator(&name, "pw".into(), 1)
        .await;
    assert!(matches!(dup, Err(StoreError::Duplicate(_))));
    assert_eq!(
        stores
            .operators
            .find_operator_password(&name)
            .await
            .unwrap()
            .as_deref(),
        Some("pw")
    );
    let token = format!("tok-{name}");
    stores
        .operators
        .open_operator_session(token.clone(), &name, 100)
        .await
        .unwrap();
    assert_eq!(
        stores
            .operators
            .find_operator_session(&token, 50)
            .await
            .unwrap(),
        Some(name.clone())
    );
    assert_eq!(
        stores
            .operators
            .find_operator_session(&token, 150)
            .await
            .unwrap(),
        None,
        "expired"
    );
    stores
        .operators
        .close_operator_session(&token)
        .await
        .unwrap();
    assert_eq!(
        stores
            .operators
            .find_operator_session(&token, 50)
            .await
            .unwrap(),
        None
    );
}

/// A member of a test group, joined at 1,000.
fn group_member(u: &UserId, role: &str) -> crate::messaging::ConversationMember {
    crate::messaging::ConversationMember {
        userid: u.clone(),
        role: role.into(),
        read_seq: 0,
        pinned: false,
        muted: false,
        joined_at: 1_000,
    }
}

/// A group owned by `admin`, made at 1,000.
fn group(corp: &CorpId, id: &str, large: bool) -> crate::messaging::Conversation {
    crate::messaging::Conversation {
        corp_id: corp.clone(),
        id: id.into(),
        kind: "group".into(),
        name: "组".into(),
        owner: "admin".into(),
        announcement: String::new(),
        avatar: String::new(),
        unique_key: None,
        last_seq: 0,
        member_limit: 10,
        large,
        created_at: 1_000,
        updated_at: 1_000,
    }
}

/// A text `admin` sends at 2,000 with the client id `client`.
fn text_from_admin(
    corp: &CorpId,
    conversation: &str,
    id: &str,
    client: &str,
) -> crate::messaging::Message {
    crate::messaging::Message {
        corp_id: corp.clone(),
        id: id.into(),
        conversation_id: conversation.into(),
        seq: 0,
        sender: "admin".into(),
        client_msg_id: client.into(),
        kind: "text".into(),
        content: r#"{"content":"hi"}"#.into(),
        mentions: "[]".into(),
        reply_to: None,
        recalled_at: None,
        created_at: 2_000,
    }
}

async fn conversations_and_messages(stores: &Stores) {
    use crate::messaging::{MemberChange, Message, Posted, Sender};
    let corp = new_corp(stores, 1_000).await;
    let (admin, bob) = (uid("admin"), uid("bob"));
    stores
        .accounts
        .add_user(new_user(&corp, "bob", 1_000))
        .await
        .unwrap();
    let member = group_member;
    let conversation = group(&corp, "g1", false);
    let event = NewEvent::new(Recipients::Users(vec![]), "conversation.changed", &"g1");
    let created = stores
        .messages
        .create_conversation(
            conversation.clone(),
            vec![member(&admin, "owner"), member(&bob, "member")],
            event.clone(),
        )
        .await
        .unwrap();
    assert_eq!(
        created.appended.len(),
        2,
        "both members hear of the new group"
    );
    let message = |client: &str| text_from_admin(&corp, "g1", &format!("m-{client}"), client);
    let first = stores
        .messages
        .append_message(message("a"), "message.new", Sender::Member)
        .await
        .unwrap();
    let Posted::Created(stored) = &first.value else {
        panic!("a new message")
    };
    assert_eq!((stored.seq, first.appended.len()), (1, 2));
    let retry = stores
        .messages
        .append_message(message("a"), "message.new", Sender::Member)
        .await
        .unwrap();
    assert_eq!(retry.value, Posted::Duplicate(stored.clone()));
    assert!(
        retry.appended.is_empty(),
        "a duplicate is not delivered again"
    );
    stores
        .messages
        .append_message(message("b"), "message.new", Sender::Member)
        .await
        .unwrap();

    let events = stores.events.list_events(&corp, &bob, 0, 10).await.unwrap();
    let kinds: Vec<&str> = events.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(
        kinds,
        ["conversation.changed", "message.new", "message.new"]
    );
    assert_eq!(events[1].message.as_ref().map(|m| m.seq), Some(1));
    let page = stores
        .messages
        .list_messages(&corp, "g1", None, 1)
        .await
        .unwrap();
    assert_eq!(page[0].seq, 2, "newest first");
    let older = stores
        .messages
        .list_messages(&corp, "g1", Some(2), 5)
        .await
        .unwrap();
    assert_eq!(older.len(), 1);

    // A sender who is no member (an app) still reaches every member.
    let from_app = stores
        .messages
        .append_message(
            Message {
                sender: "app:1000002".into(),
                ..message("c")
            },
            "message.new",
            Sender::Service,
        )
        .await
        .unwrap();
    assert!(matches!(&from_app.value, Posted::Created(m) if m.seq == 3));
    assert_eq!(from_app.appended.len(), 2);
    let last = stores.events.list_events(&corp, &bob, 0, 10).await.unwrap();
    assert_eq!(last.len(), 4);

    // A member's message is refused unless they are in the conversation as it is written.
    let from = |sender: &str, conversation: &str| Message {
        sender: sender.into(),
        conversation_id: conversation.into(),
        ..message(&format!("{sender}-{conversation}"))
    };
    for (sender, conversation) in [("carol", "g1"), ("admin", "nowhere")] {
        let refused = stores
            .messages
            .append_message(from(sender, conversation), "message.new", Sender::Member)
            .await
            .unwrap();
        assert_eq!(
            (refused.value, refused.appended.len()),
            (Posted::NotInConversation, 0),
            "{sender} posting to {conversation}"
        );
    }
    let unchanged = stores.events.list_events(&corp, &bob, 0, 10).await.unwrap();
    assert_eq!(unchanged.len(), 4, "a refused message reaches no one");
    assert_eq!(
        stores
            .messages
            .list_messages(&corp, "g1", None, 10)
            .await
            .unwrap()
            .len(),
        3,
        "nor is it stored"
    );

    let list = stores
        .messages
        .list_member_conversations(&corp, &bob)
        .await
        .unwrap();
    assert_eq!((list.len(), list[0].member_count), (1, 2));
    assert_eq!(list[0].last_message.as_ref().map(|m| m.seq), Some(3));
    assert_eq!(list[0].me.read_seq, 0);
    let ids = stores.messages.list_member_conversation_ids(&corp, &bob);
    assert_eq!(ids.await.unwrap(), ["g1"]);
    let nobody = uid("nobody");
    let none = stores.messages.list_member_conversation_ids(&corp, &nobody);
    assert!(none.await.unwrap().is_empty());
    let admin_side = stores
        .messages
        .find_member(&corp, "g1", &admin)
        .await
        .unwrap();
    assert_eq!(
        admin_side.map(|m| m.read_seq),
        Some(2),
        "the sender has read their own (the app's message is not theirs)"
    );

    let read = |seq| {
        NewEvent::new(
            Recipients::Users(vec![bob.clone(), admin.clone()]),
            "conversation.read",
            &seq,
        )
    };
    let admin_head = stores.events.latest_seq(&corp, &admin).await.unwrap();
    let moved = stores
        .messages
        .mark_read(&corp, "g1", &bob, 2, 3_000, read(2))
        .await
        .unwrap();
    let mut told: Vec<&str> = moved.appended.iter().map(|a| a.userid.as_str()).collect();
    told.sort();
    assert!(moved.value);
    assert_eq!(
        told,
        ["admin", "bob"],
        "a read mark reaches everyone it names"
    );
    let events = stores.events.list_events(&corp, &admin, admin_head, 10);
    let newest = events.await.unwrap().pop().unwrap();
    assert_eq!(
        (newest.kind.as_str(), newest.data.as_str()),
        ("conversation.read", "2")
    );
    let lower = stores
        .messages
        .mark_read(&corp, "g1", &bob, 1, 3_000, read(1))
        .await
        .unwrap();
    assert!(
        !lower.value && lower.appended.is_empty(),
        "a read mark never goes back"
    );

    let recalled = stores
        .messages
        .recall_message(&corp, "m-a", 4_000, "message.recalled")
        .await
        .unwrap();
    assert!(recalled.value);
    assert!(
        !stores
            .messages
            .recall_message(&corp, "m-a", 4_000, "message.recalled")
            .await
            .unwrap()
            .value
    );
    let gone = stores
        .messages
        .find_message(&corp, "m-a")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (gone.content.as_str(), gone.recalled_at),
        ("{}", Some(4_000))
    );
    let ids = ["m-a", "m-b", "nope"].map(String::from);
    let mut found: Vec<String> = (stores.messages.find_messages(&corp, &ids).await.unwrap())
        .into_iter()
        .map(|m| m.id)
        .collect();
    found.sort();
    assert_eq!(found, ["m-a", "m-b"], "the existing ones, recalled too");
    assert!(
        stores
            .messages
            .find_messages(&corp, &[])
            .await
            .unwrap()
            .is_empty()
    );

    let mut renamed = conversation.clone();
    renamed.name = "新".into();
    let change = MemberChange {
        add: vec![],
        remove: vec![bob.clone()],
        notice: None,
    };
    let updated = stores
        .messages
        .update_conversation(renamed, change, event)
        .await
        .unwrap();
    assert_eq!(
        updated.appended.len(),
        2,
        "the removed member hears of it too"
    );
    assert!(
        stores
            .messages
            .find_member(&corp, "g1", &bob)
            .await
            .unwrap()
            .is_none()
    );
    let removed = stores
        .messages
        .append_message(from("bob", "g1"), "message.new", Sender::Member)
        .await
        .unwrap();
    assert_eq!(removed.value, Posted::NotInConversation, "bob has left");
    let other = CorpId::generate();
    assert!(
        stores
            .messages
            .find_conversation(&other, "g1")
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        stores
            .messages
            .find_message(&other, "m-b")
            .await
            .unwrap()
            .is_none()
    );
    let theirs = ["m-a".to_string(), "m-b".to_string()];
    let none = stores
        .messages
        .find_messages(&other, &theirs)
        .await
        .unwrap();
    assert!(none.is_empty(), "another company's ids find nothing");
}

/// A large group's message events go to its own stream once, not to each member's; the switch
/// happens with a membership change, in its transaction.
async fn large_groups(stores: &Stores) {
    use crate::messaging::{MemberChange, Reaction, Sender, conversation_stream};
    let corp = new_corp(stores, 1_000).await;
    let (admin, bob, carol) = (uid("admin"), uid("bob"), uid("carol"));
    for u in ["bob", "carol"] {
        stores
            .accounts
            .add_user(new_user(&corp, u, 1_000))
            .await
            .unwrap();
    }
    let member = |u: &UserId| group_member(u, "member");
    let group = |id: &str, large: bool| group(&corp, id, large);
    let message = |client: &str| text_from_admin(&corp, "lg", &format!("lg-{client}"), client);
    let changed = NewEvent::new(Recipients::Users(vec![]), "conversation.changed", &"lg");
    let messages = &stores.messages;
    messages
        .create_conversation(
            group("lg", false),
            vec![member(&admin), member(&bob)],
            changed.clone(),
        )
        .await
        .unwrap();
    let small = messages
        .append_message(message("a"), "message.new", Sender::Member)
        .await
        .unwrap();
    assert_eq!(
        small.appended.len(),
        2,
        "a small group writes to every member"
    );
    assert!(
        stores
            .events
            .conversation_streams(&corp, &bob)
            .await
            .unwrap()
            .is_empty()
    );

    // Carol joins and the group becomes large: all three hear of it in their own streams.
    let change = MemberChange {
        add: vec![member(&carol)],
        remove: vec![],
        notice: None,
    };
    let switched = messages
        .update_conversation(group("lg", true), change, changed.clone())
        .await
        .unwrap();
    assert_eq!(switched.appended.len(), 3);
    let found = messages
        .find_conversation(&corp, "lg")
        .await
        .unwrap()
        .unwrap();
    assert!(found.large);
    assert_eq!(
        stores
            .events
            .conversation_streams(&corp, &carol)
            .await
            .unwrap(),
        vec![("lg".to_string(), 0)]
    );

    let stream = conversation_stream("lg");
    let large = messages
        .append_message(message("b"), "message.new", Sender::Member)
        .await
        .unwrap();
    let targets: Vec<(&str, i64)> = large
        .appended
        .iter()
        .map(|a| (a.userid.as_str(), a.seq))
        .collect();
    assert_eq!(
        targets,
        vec![(stream.as_str(), 1)],
        "one event, in the group's stream"
    );
    assert!(matches!(&large.value, crate::messaging::Posted::Created(m) if m.seq == 2));
    let bobs: Vec<String> = stores
        .events
        .list_events(&corp, &bob, 0, 10)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(
        bobs,
        [
            "conversation.changed",
            "message.new",
            "conversation.changed"
        ]
    );
    let recalled = messages
        .recall_message(&corp, "lg-b", 3_000, "message.recalled")
        .await
        .unwrap();
    assert_eq!(recalled.appended.len(), 1);
    let reaction = Reaction {
        corp_id: corp.clone(),
        message_id: "lg-a".into(),
        userid: bob.clone(),
        emoji: "👍".into(),
        created_at: 3_000,
    };
    let reacted = messages
        .toggle_reaction(
            reaction,
            "lg",
            NewEvent::new(Recipients::Users(vec![]), "message.reactions", &"lg-a"),
        )
        .await
        .unwrap();
    assert_eq!(reacted.appended.len(), 1);
    let group_events = stores
        .events
        .list_events(&corp, &stream, 0, 10)
        .await
        .unwrap();
    let kinds: Vec<&str> = group_events.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(
        kinds,
        ["message.new", "message.recalled", "message.reactions"]
    );
    assert_eq!(group_events[0].message.as_ref().map(|m| m.seq), Some(2));
    assert!(
        group_events[1]
            .message
            .as_ref()
            .is_some_and(|m| m.recalled_at.is_some())
    );
    assert_eq!(stores.events.latest_seq(&corp, &stream).await.unwrap(), 3);
    assert_eq!(
        stores
            .events
            .conversation_streams(&corp, &admin)
            .await
            .unwrap(),
        vec![("lg".to_string(), 3)]
    );
    // The group's stream is nobody's: a company-wide event does not reach it.
    let everyone = NewEvent::new(Recipients::WholeCorp, "corp.changed", &"x");
    let told = messages
        .set_member_prefs(&corp, "lg", &bob, Default::default(), 4_000, everyone)
        .await
        .unwrap();
    assert!(told.appended.iter().all(|a| a.userid != stream));
    assert_eq!(stores.events.latest_seq(&corp, &stream).await.unwrap(), 3);

    // A group created large has its stream from the start; one who left no longer lists it.
    messages
        .create_conversation(group("lg2", true), vec![member(&admin)], changed)
        .await
        .unwrap();
    assert_eq!(
        stores
            .events
            .conversation_streams(&corp, &admin)
            .await
            .unwrap(),
        vec![("lg".to_string(), 3), ("lg2".to_string(), 0)]
    );
    let notice = NewEvent::new(
        Recipients::Users(vec![stream.clone()]),
        "conversation.members_removed",
        &["carol"],
    );
    let leave = MemberChange {
        add: vec![],
        remove: vec![carol.clone()],
        notice: Some(notice),
    };
    let event = NewEvent::new(Recipients::Users(vec![]), "conversation.changed", &"lg");
    let left = messages
        .update_conversation(group("lg", true), leave, event)
        .await
        .unwrap();
    // Told in the group's stream too, at exactly that point: after the messages before it.
    assert!(
        left.appended
            .iter()
            .any(|a| a.userid == stream && a.seq == 4)
    );
    let last = stores
        .events
        .list_events(&corp, &stream, 3, 10)
        .await
        .unwrap();
    assert_eq!(last[0].kind, "conversation.members_removed");
    assert!(
        stores
            .events
            .conversation_streams(&corp, &carol)
            .await
            .unwrap()
            .is_empty()
    );

    // A group that grew past the threshold before it applied (an upgrade) switches later.
    let changed = NewEvent::new(Recipients::Users(vec![]), "conversation.changed", &"lg3");
    let three = vec![member(&admin), member(&bob), member(&carol)];
    messages
        .create_conversation(group("lg3", false), three, changed.clone())
        .await
        .unwrap();
    let grown = |list: Vec<(CorpId, String)>| -> Vec<String> {
        list.into_iter()
            .filter(|(c, _)| *c == corp)
            .map(|(_, id)| id)
            .collect()
    };
    let candidates = messages.list_groups_to_enlarge(2, 1000).await.unwrap();
    assert_eq!(
        grown(candidates),
        ["lg3"],
        "only groups not large yet, and bigger than 2"
    );
    let switched = messages
        .enlarge_group(&corp, "lg3", 5_000, changed.clone())
        .await
        .unwrap();
    assert!(switched.value);
    assert_eq!(switched.appended.len(), 3, "every member hears of it");
    let bobs = stores
        .events
        .conversation_streams(&corp, &bob)
        .await
        .unwrap();
    assert!(bobs.contains(&("lg3".to_string(), 0)));
    let again = messages
        .enlarge_group(&corp, "lg3", 5_000, changed)
        .await
        .unwrap();
    assert!(!again.value && again.appended.is_empty());
    let candidates = messages.list_groups_to_enlarge(2, 1000).await.unwrap();
    assert!(grown(candidates).is_empty());
}

async fn uploads_and_files(stores: &Stores) {
    use crate::files::{FileRecord, Upload};
    let corp = new_corp(stores, 1_000).await;
    let id = format!("u{}", CorpId::generate());
    let upload = Upload {
        upload_id: id.clone(),
        corp_id: corp.clone(),
        userid: uid("admin"),
        length: 10,
        offset: 0,
        name: "报告.pdf".into(),
        content_type: "application/pdf".into(),
        file_id: None,
        created_at: 1_000,
        expires_at: 5_000,
    };
    stores.files.create_upload(upload.clone()).await.unwrap();
    assert_eq!(stores.files.find_upload(&id).await.unwrap(), Some(upload));
    assert!(stores.files.advance_upload(&id, 0, 4).await.unwrap());
    assert!(
        !stores.files.advance_upload(&id, 0, 6).await.unwrap(),
        "a stale offset moves nothing"
    );
    assert_eq!(
        stores
            .files
            .list_expired_uploads(6_000)
            .await
            .unwrap()
            .iter()
            .filter(|u| u.upload_id == id)
            .count(),
        1
    );
    let file = FileRecord {
        corp_id: corp.clone(),
        file_id: format!("f{id}"),
        sha256: "ab".repeat(32),
        size: 10,
        name: "报告.pdf".into(),
        content_type: "application/pdf".into(),
        created_by: "admin".into(),
        created_at: 2_000,
    };
    stores.files.finish_upload(&id, file.clone()).await.unwrap();
    let done = stores.files.find_upload(&id).await.unwrap().unwrap();
    assert_eq!(done.file_id.as_deref(), Some(file.file_id.as_str()));
    assert!(
        stores
            .files
            .list_expired_uploads(6_000)
            .await
            .unwrap()
            .iter()
            .all(|u| u.upload_id != id),
        "finished uploads do not expire"
    );
    assert_eq!(
        stores
            .files
            .find_corp_file(&corp, &file.file_id)
            .await
            .unwrap(),
        Some(file.clone())
    );
    assert_eq!(
        stores
            .files
            .find_corp_file(&CorpId::generate(), &file.file_id)
            .await
            .unwrap(),
        None
    );
    assert!(stores.files.delete_upload(&id).await.unwrap());
    assert!(!stores.files.delete_upload(&id).await.unwrap());
}

async fn messaging_settings(stores: &Stores) {
    use crate::messaging::{Robot, SensitiveWord};
    let corp = new_corp(stores, 1_000).await;
    let admin = &stores.messaging_admin;
    assert_eq!(admin.find_retention(&corp).await.unwrap(), None);
    admin.save_retention(&corp, 30).await.unwrap();
    admin.save_retention(&corp, 60).await.unwrap();
    assert_eq!(admin.find_retention(&corp).await.unwrap(), Some(60));
    assert_eq!(admin.sensitive_words_version(&corp).await.unwrap(), (0, 0));
    let words = |list: &[(&str, &str)]| -> Vec<SensitiveWord> {
        list.iter()
            .map(|(w, a)| SensitiveWord {
                word: (*w).into(),
                action: (*a).into(),
            })
            .collect()
    };
    admin
        .save_sensitive_words(
            &corp,
            words(&[("b", "mask"), ("a", "block"), ("a", "warn")]),
            1,
        )
        .await
        .unwrap();
    assert_eq!(
        admin.list_sensitive_words(&corp).await.unwrap(),
        words(&[("a", "block"), ("b", "mask")]),
        "first of a duplicate wins; sorted"
    );
    assert_eq!(admin.sensitive_words_version(&corp).await.unwrap(), (2, 1));
    admin
        .save_sensitive_words(&corp, words(&[("c", "warn")]), 2)
        .await
        .unwrap();
    assert_eq!(
        admin.sensitive_words_version(&corp).await.unwrap(),
        (1, 2),
        "every save changes the version"
    );
    assert_eq!(
        admin.list_sensitive_words(&corp).await.unwrap(),
        words(&[("c", "warn")]),
        "replaced"
    );
    let robot = Robot {
        key_digest: format!("d{corp}"),
        corp_id: corp.clone(),
        conversation_id: "g1".into(),
        key_hint: "abcd1234".into(),
        name: "告警".into(),
        created_by: "admin".into(),
        created_at: 3,
    };
    admin.create_robot(robot.clone()).await.unwrap();
    assert_eq!(
        admin.find_robot(&robot.key_digest).await.unwrap(),
        Some(robot.clone())
    );
    assert_eq!(
        admin.list_robots(&corp, "g1").await.unwrap(),
        vec![robot.clone()]
    );
    assert!(
        !admin
            .delete_robot(&CorpId::generate(), "g1", "abcd1234")
            .await
            .unwrap(),
        "another company's robot stays"
    );
    assert!(admin.delete_robot(&corp, "g1", "abcd1234").await.unwrap());
    assert_eq!(admin.find_robot(&robot.key_digest).await.unwrap(), None);
}

async fn admin_roles(stores: &Stores) {
    use crate::roles::{CustomRole, DeleteRole, RoleGrant, SuperAdminChange};
    let corp = new_corp(stores, 1_000).await;
    let other = new_corp(stores, 1_000).await;
    let roles = &stores.roles;
    stores
        .accounts
        .add_user(NewUser {
            is_admin: false,
            ..new_user(&corp, "lisi", 1_100)
        })
        .await
        .unwrap();
    let nobody = || NewEvent::new(Recipients::Users(vec![]), "admin.roles_changed", &());
    let role = CustomRole {
        role_id: "r_front".into(),
        name: "前台".into(),
        description: String::new(),
        permissions: vec!["contacts.member.read_mobile".into()],
        created_at: 1,
        updated_at: 1,
    };
    roles.create_role(&corp, role.clone()).await.unwrap();
    let twin = CustomRole {
        role_id: "r_twin".into(),
        ..role.clone()
    };
    assert!(matches!(
        roles.create_role(&corp, twin.clone()).await,
        Err(StoreError::Duplicate(_))
    ));
    roles.create_role(&other, twin).await.unwrap();
    assert_eq!(roles.list_roles(&corp).await.unwrap(), vec![role.clone()]);

    let grant = RoleGrant {
        role_id: "r_front".into(),
        userid: uid("lisi"),
        departments: vec![2, 5],
        granted_by: "admin".into(),
        granted_at: 2,
    };
    assert!(
        roles
            .put_grant(&corp, grant.clone(), true, nobody())
            .await
            .unwrap()
            .value
    );
    let missing = RoleGrant {
        role_id: "r_gone".into(),
        ..grant.clone()
    };
    assert!(
        !roles
            .put_grant(&corp, missing, true, nobody())
            .await
            .unwrap()
            .value
    );
    let branch = RoleGrant {
        role_id: "branch_admin".into(),
        departments: vec![3],
        ..grant.clone()
    };
    assert!(
        roles
            .put_grant(&corp, branch.clone(), false, nobody())
            .await
            .unwrap()
            .value
    );
    let rescoped = RoleGrant {
        departments: vec![7],
        granted_at: 9,
        ..branch.clone()
    };
    roles
        .put_grant(&corp, rescoped, false, nobody())
        .await
        .unwrap();
    let held = roles.grants_of(&corp, &uid("lisi")).await.unwrap();
    assert_eq!(held.len(), 2);
    assert_eq!(
        held[0].grant.departments,
        vec![7],
        "scope replaced, grant kept"
    );
    assert_eq!(held[0].grant.granted_at, 2);
    assert_eq!(held[0].custom_permissions, None, "built-in");
    assert_eq!(
        held[1].custom_permissions,
        Some(vec!["contacts.member.read_mobile".to_string()])
    );
    assert!(
        roles
            .grants_of(&other, &uid("lisi"))
            .await
            .unwrap()
            .is_empty()
    );
    let holder = stores
        .accounts
        .find_user(&corp, &uid("lisi"))
        .await
        .unwrap()
        .unwrap();
    assert!(holder.has_admin_roles, "the grant count follows the grants");
    let admin = stores
        .accounts
        .find_user(&corp, &uid("admin"))
        .await
        .unwrap()
        .unwrap();
    assert!(!admin.has_admin_roles, "super admins hold no grants");
    assert_eq!(roles.list_grants(&corp).await.unwrap().len(), 2);

    assert_eq!(
        roles.delete_role(&corp, "r_front").await.unwrap(),
        DeleteRole::InUse
    );
    let renamed = CustomRole {
        name: "接待".into(),
        permissions: vec![],
        updated_at: 5,
        ..role.clone()
    };
    let committed = roles
        .update_role(&corp, renamed.clone(), nobody())
        .await
        .unwrap();
    assert!(committed.value);
    assert_eq!(roles.list_roles(&corp).await.unwrap(), vec![renamed]);
    let unknown = CustomRole {
        role_id: "r_none".into(),
        ..role.clone()
    };
    assert!(
        !roles
            .update_role(&corp, unknown, nobody())
            .await
            .unwrap()
            .value
    );
    assert!(
        roles
            .delete_grant(&corp, "r_front", &uid("lisi"), 6, nobody())
            .await
            .unwrap()
            .value
    );
    assert!(
        !roles
            .delete_grant(&corp, "r_front", &uid("lisi"), 6, nobody())
            .await
            .unwrap()
            .value
    );
    assert_eq!(
        roles.delete_role(&corp, "r_front").await.unwrap(),
        DeleteRole::Deleted
    );
    assert_eq!(
        roles.delete_role(&corp, "r_front").await.unwrap(),
        DeleteRole::NotFound
    );
    assert_eq!(
        roles.list_roles(&other).await.unwrap().len(),
        1,
        "other company untouched"
    );

    // Super admins: the company always keeps one.
    assert_eq!(roles.super_admins(&corp).await.unwrap(), vec![uid("admin")]);
    let set = |userid: &'static str, on: bool| {
        let roles = roles.clone();
        let corp = corp.clone();
        async move {
            roles
                .set_super_admin(&corp, &uid(userid), on, 7, nobody())
                .await
                .unwrap()
                .value
        }
    };
    assert_eq!(set("admin", false).await, SuperAdminChange::LastSuperAdmin);
    assert_eq!(set("lisi", true).await, SuperAdminChange::Done);
    assert_eq!(set("admin", false).await, SuperAdminChange::Done);
    assert_eq!(roles.super_admins(&corp).await.unwrap(), vec![uid("lisi")]);
    assert_eq!(set("lisi", false).await, SuperAdminChange::LastSuperAdmin);
    assert_eq!(set("wangwu", true).await, SuperAdminChange::UserNotFound);

    // Deleting a member takes their grants with them.
    stores
        .accounts
        .add_user(NewUser {
            is_admin: false,
            ..new_user(&corp, "zhaoliu", 1_200)
        })
        .await
        .unwrap();
    let grant = RoleGrant {
        userid: uid("zhaoliu"),
        ..branch
    };
    roles
        .put_grant(&corp, grant, false, nobody())
        .await
        .unwrap();
    stores
        .directory
        .delete_member(&corp, &uid("zhaoliu"), 8, nobody())
        .await
        .unwrap();
    assert!(
        roles
            .grants_of(&corp, &uid("zhaoliu"))
            .await
            .unwrap()
            .is_empty()
    );
}

async fn visibility_rules(stores: &Stores) {
    use crate::visibility::VisibilityRule;
    let corp = new_corp(stores, 1_000).await;
    let other = new_corp(stores, 1_000).await;
    let v = &stores.visibility;
    let event = || {
        NewEvent::new(
            Recipients::Users(vec![]),
            "directory.visibility_changed",
            &(),
        )
    };
    assert!(v.list_visibility_rules(&corp).await.unwrap().is_empty());
    v.set_visibility_rule(&corp, 2, Some(vec![2, 5]), 1, event())
        .await
        .unwrap();
    v.set_visibility_rule(&corp, 3, Some(vec![]), 1, event())
        .await
        .unwrap();
    v.set_visibility_rule(&corp, 2, Some(vec![7]), 2, event())
        .await
        .unwrap();
    v.set_visibility_rule(&other, 9, Some(vec![9]), 1, event())
        .await
        .unwrap();
    assert_eq!(
        v.list_visibility_rules(&corp).await.unwrap(),
        vec![
            VisibilityRule {
                department: 2,
                visible: vec![7]
            },
            VisibilityRule {
                department: 3,
                visible: vec![]
            },
        ]
    );
    v.set_visibility_rule(&corp, 3, None, 3, event())
        .await
        .unwrap();
    assert_eq!(v.list_visibility_rules(&corp).await.unwrap().len(), 1);
    assert_eq!(
        v.list_visibility_rules(&other).await.unwrap().len(),
        1,
        "per company"
    );
}

async fn members_in_bulk(stores: &Stores) {
    use crate::directory::{Member, Membership, Profile};
    let corp = new_corp(stores, 1_000).await;
    let row = |userid: &str, email: &str| {
        let member = Member {
            userid: uid(userid),
            name: format!("成员 {userid}"),
            mobile: None,
            email: Some(email.to_string()),
            is_admin: false,
            status: 4,
            profile: Profile {
                gender: "0".into(),
                main_department: 1,
                ..Default::default()
            },
            departments: vec![Membership {
                dept_id: 1,
                order: 3,
                is_leader: true,
            }],
        };
        let account = NewUser {
            is_admin: false,
            email: Some(email.to_string()),
            ..new_user(&corp, userid, 2_000)
        };
        (account, member)
    };
    let directory = &stores.directory;
    let batch: Vec<_> = (0..450)
        .map(|i| row(&format!("b{i:03}"), &format!("b{i}@bulk.test")))
        .collect();
    assert!(
        !directory
            .create_members(&corp, batch.clone(), Some(100))
            .await
            .unwrap(),
        "over the limit"
    );
    assert_eq!(
        stores.corps.count_members(&corp).await.unwrap(),
        1,
        "nothing added"
    );
    assert!(directory.create_members(&corp, batch, None).await.unwrap());
    assert_eq!(stores.corps.count_members(&corp).await.unwrap(), 451);
    let found = directory
        .find_member(&corp, &uid("b321"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (
            found.status,
            found.departments[0].order,
            found.departments[0].is_leader
        ),
        (4, 3, true)
    );
    let clash = vec![
        row("fresh", "fresh@bulk.test"),
        row("other", "B7@bulk.test".to_lowercase().as_str()),
    ];
    assert!(matches!(
        directory.create_members(&corp, clash, None).await,
        Err(StoreError::Duplicate(_))
    ));
    assert!(
        directory
            .find_member(&corp, &uid("fresh"))
            .await
            .unwrap()
            .is_none(),
        "all or nothing"
    );
}

/// The search indexer's look-back: keys of every company's messages in a creation-order range.
async fn message_keys_in_creation_order(stores: &Stores) {
    use crate::messaging::{MessageKey, Sender};
    let corp = new_corp(stores, 1_000).await;
    let event = NewEvent::new(Recipients::Users(vec![]), "conversation.changed", &"keys");
    stores
        .messages
        .create_conversation(
            group(&corp, "keys", false),
            vec![group_member(&uid("admin"), "owner")],
            event,
        )
        .await
        .unwrap();
    // Times no other test uses, so the range holds these messages only.
    const T: i64 = 7_700_000_000_000;
    for (id, at) in [("k2", T), ("k1", T), ("k3", T + 5), ("k4", T + 9)] {
        let message = crate::messaging::Message {
            created_at: at,
            ..text_from_admin(&corp, "keys", id, id)
        };
        stores
            .messages
            .append_message(message, "message.new", Sender::Member)
            .await
            .unwrap();
    }
    let keys = |after: (i64, &'static str), through: (i64, &'static str), limit| async move {
        stores
            .messages
            .list_message_keys_between(after, through, limit)
            .await
            .unwrap()
            .into_iter()
            .map(|k: MessageKey| (k.id, k.created_at))
            .collect::<Vec<_>>()
    };
    let key = |id: &str, at: i64| (id.to_string(), at);
    assert_eq!(
        keys((T - 1, ""), (T + 5, "k3"), 10).await,
        vec![key("k1", T), key("k2", T), key("k3", T + 5)],
        "by time, then id; the upper bound included"
    );
    assert_eq!(
        keys((T, "k1"), (T + 9, "k4"), 2).await,
        vec![key("k2", T), key("k3", T + 5)],
        "after the lower bound, at most the limit"
    );
    let all = stores
        .messages
        .list_message_keys_between((T - 1, ""), (T + 9, "k4"), 10)
        .await
        .unwrap();
    assert!(all.iter().all(|k| k.corp_id == corp));
}

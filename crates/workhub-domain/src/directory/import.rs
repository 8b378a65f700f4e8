//! Bulk member import in WeCom's CSV template: a dry run that reports every problem by row,
//! then a background job with progress. Nothing is written unless the whole file is valid;
//! running the same file again changes nothing.

use std::collections::{HashMap, HashSet};

use serde::Serialize;
use workhub_core::{Code, CorpId, Error, Lang, UserId};
use workhub_store::directory::{Job, Member};

use super::{Directory, MemberInput, spreadsheet};
use crate::StoreResultExt;
use crate::authz::catalogue as p;
use crate::callbacks::{self, Callback};
use crate::context::{Actor, Meta};
use crate::corps::{valid_email, valid_mobile, valid_name};

/// Most rows one file may hold.
const MAX_ROWS: usize = 50_000;
/// Rows written at once (they share commits through the group-commit writer).
const PARALLEL: usize = 16;
/// New members added per transaction.
const BATCH: usize = 250;

/// A row's outcome as WeCom's `batch/getresult` reports it.
fn outcome(userid: &str, result: &Result<(), Error>) -> serde_json::Value {
    let (errcode, errmsg) = match result {
        Ok(()) => (0, "ok".to_string()),
        Err(e) => (e.code.errcode(), e.message(Lang::Zh)),
    };
    serde_json::json!({ "userid": userid, "errcode": errcode, "errmsg": errmsg })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportMode {
    /// Add and update the members in the file; leave the others alone (`batch/syncuser`).
    Sync,
    /// Make the directory equal the file: members absent from it are deleted (`batch/replaceuser`).
    Replace,
}

/// A problem in one row, in both languages.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct RowError {
    /// The line in the file (the header is line 1).
    pub row: usize,
    pub field: String,
    pub message_zh: String,
    pub message_en: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Preview {
    pub total: usize,
    pub create: usize,
    pub update: usize,
    pub unchanged: usize,
    pub delete: usize,
    /// Department ids the file names that do not exist: the import creates them under a
    /// "pending" department (WeCom's behaviour), for an admin to place later.
    pub pending_departments: Vec<i64>,
    pub errors: Vec<RowError>,
    /// Why the whole import cannot run (mass deletion, edition limit), if it cannot.
    pub blocked: Option<String>,
}

pub(super) enum Step {
    Create(MemberInput),
    Update(String, MemberInput),
    Delete(String),
}

pub(super) struct Plan {
    pub(super) preview: Preview,
    pub(super) steps: Vec<Step>,
}

/// A stored import file: its bytes, and its id for running it again after a node's death.
#[derive(Clone, Copy)]
pub struct ImportFile<'a> {
    pub file_id: &'a str,
    pub bytes: &'a [u8],
}

impl ImportFile<'_> {
    pub(super) fn source(
        &self,
        actor: &Actor,
        mode: Option<ImportMode>,
    ) -> Option<super::jobs::JobSource> {
        Some(super::jobs::JobSource {
            file_id: self.file_id.to_string(),
            actor: super::jobs::JobActor::of(actor)?,
            mode,
        })
    }
}

/// The department that holds departments a member file named but the tree lacked.
const PENDING_PARENT: &str = "待分配部门";

/// Column names of WeCom's template (Chinese) and their English equivalents.
fn field_of(header: &str) -> Option<&'static str> {
    let h = header.trim().trim_start_matches('\u{feff}').to_lowercase();
    Some(match h.as_str() {
        "姓名" | "name" => "name",
        "帐号" | "账号" | "userid" => "userid",
        "手机号" | "手机" | "mobile" => "mobile",
        "邮箱" | "email" => "email",
        "所在部门" | "department" | "departments" => "department",
        "职位" | "position" => "position",
        "性别" | "gender" => "gender",
        "是否部门内领导" | "is_leader_in_dept" => "is_leader_in_dept",
        "排序" | "order" => "order",
        "别名" | "alias" => "alias",
        "座机" | "telephone" => "telephone",
        "禁用" | "disabled" => "disabled",
        _ => return None,
    })
}

fn ints(v: &str) -> Result<Vec<i64>, ()> {
    v.split([';', '；', ','].as_ref())
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().map_err(|_| ()))
        .collect()
}

pub(super) fn row_error(row: usize, field: &str, e: &Error) -> RowError {
    RowError {
        row,
        field: field.into(),
        message_zh: e.message(Lang::Zh),
        message_en: e.message(Lang::En),
    }
}

/// Reads the rows of a member file; errors name the row and field.
/// The rows of a file with their line numbers, and the problems found while reading them.
type Parsed = (Vec<(usize, MemberInput)>, Vec<RowError>);

fn parse(bytes: &[u8]) -> Result<Parsed, Error> {
    let table = spreadsheet::read(bytes)?;
    let fields: Vec<Option<&str>> = table.header.iter().map(|h| field_of(h)).collect();
    for required in ["name", "userid"] {
        if !fields.contains(&Some(required)) {
            return Err(Error::with(
                Code::ImportInvalid,
                format!("header: {required} (姓名, 帐号)"),
            ));
        }
    }
    if table.rows.len() > MAX_ROWS {
        return Err(Error::with(
            Code::ImportInvalid,
            format!("at most {MAX_ROWS} rows"),
        ));
    }
    let (mut rows, mut errors) = (Vec::new(), Vec::new());
    for (line, record) in table.rows {
        let record = match record {
            Ok(r) => r,
            Err(why) => {
                errors.push(row_error(line, "", &Error::with(Code::ImportInvalid, why)));
                continue;
            }
        };
        if record.iter().all(|v| v.trim().is_empty()) {
            continue;
        }
        let mut m = MemberInput::default();
        for (value, field) in record.iter().zip(&fields) {
            let (Some(field), value) = (field, value.trim()) else {
                continue;
            };
            // The value's expected shape, in both languages (the file's reader may use either).
            let bad = |zh: &str, en: &str| RowError {
                row: line,
                field: (*field).into(),
                message_zh: Error::with(Code::InvalidRequest, zh).message(Lang::Zh),
                message_en: Error::with(Code::InvalidRequest, en).message(Lang::En),
            };
            match *field {
                "name" => m.name = Some(value.into()),
                "userid" => m.userid = Some(value.into()),
                "mobile" => m.mobile = Some(value.into()),
                "email" => m.email = Some(value.into()),
                "position" => m.position = Some(value.into()),
                "alias" => m.alias = Some(value.into()),
                "telephone" => m.telephone = Some(value.into()),
                "gender" => {
                    m.gender = Some(
                        match value {
                            "男" | "1" => "1",
                            "女" | "2" => "2",
                            _ => "0",
                        }
                        .into(),
                    )
                }
                "department" => match ints(value) {
                    Ok(d) if !d.is_empty() => m.department = Some(d),
                    _ => errors.push(bad(
                        "部门 ID，多个用 ; 分隔",
                        "department ids, separated by ;",
                    )),
                },
                "order" => match ints(value) {
                    Ok(o) => m.order = Some(o).filter(|o| !o.is_empty()),
                    Err(()) => errors.push(bad("数字，多个用 ; 分隔", "numbers, separated by ;")),
                },
                "is_leader_in_dept" => match ints(value) {
                    Ok(l) => m.is_leader_in_dept = Some(l).filter(|l| !l.is_empty()),
                    Err(()) => errors.push(bad("0 或 1，多个用 ; 分隔", "0 or 1, separated by ;")),
                },
                "disabled" => m.enable = Some(if value == "1" { 0 } else { 1 }),
                _ => {}
            }
        }
        rows.push((line, m));
    }
    Ok((rows, errors))
}

/// Whether applying `input` to `current` would change anything.
fn changes(current: &Member, input: &MemberInput) -> bool {
    let differs = |new: &Option<String>, old: Option<&str>| {
        new.as_deref().is_some_and(|n| n != old.unwrap_or(""))
    };
    let p = &current.profile;
    differs(&input.name, Some(&current.name))
        || differs(&input.mobile, current.mobile.as_deref())
        || input
            .email
            .as_deref()
            .is_some_and(|e| !e.eq_ignore_ascii_case(current.email.as_deref().unwrap_or("")))
        || differs(&input.position, p.position.as_deref())
        || differs(&input.alias, p.alias.as_deref())
        || differs(&input.telephone, p.telephone.as_deref())
        || differs(&input.gender, Some(&p.gender))
        || input.department.as_ref().is_some_and(|d| {
            *d != current
                .departments
                .iter()
                .map(|m| m.dept_id)
                .collect::<Vec<_>>()
        })
        || input
            .enable
            .is_some_and(|e| (e == 0) != (current.status == 2))
}

impl Directory {
    pub(super) async fn plan(
        &self,
        actor: &Actor,
        bytes: &[u8],
        mode: ImportMode,
    ) -> Result<Plan, Error> {
        let corp = Self::company_wide(actor, p::CONTACTS_IMPORT)?.clone();
        let (rows, mut errors) = parse(bytes)?;
        // Rows whose values could not be read are reported, never counted or applied.
        let unreadable: HashSet<usize> = errors.iter().map(|e| e.row).collect();
        let existing: HashMap<UserId, Member> = self
            .deps
            .stores
            .directory
            .list_members(&corp, None)
            .await
            .or_internal()?
            .into_iter()
            .map(|m| (m.userid.clone(), m))
            .collect();
        let tree = self.tree(&corp).await?;
        let (mut seen_ids, mut seen_mobiles, mut seen_emails) =
            (HashSet::new(), HashMap::new(), HashMap::new());
        // Contact details already used, and by whom.
        for m in existing.values() {
            if let Some(mobile) = &m.mobile {
                seen_mobiles.insert(mobile.clone(), (m.userid.to_string(), 0));
            }
            if let Some(email) = &m.email {
                seen_emails.insert(email.to_lowercase(), (m.userid.to_string(), 0));
            }
        }
        let mut steps = Vec::new();
        let mut preview = Preview {
            total: rows.len(),
            create: 0,
            update: 0,
            unchanged: 0,
            delete: 0,
            pending_departments: vec![],
            errors: vec![],
            blocked: None,
        };
        let mut pending = std::collections::BTreeSet::new();
        for (line, mut input) in rows {
            let fail = |field: &str, e: Error| row_error(line, field, &e);
            let userid = match UserId::parse(input.userid.as_deref().unwrap_or("")) {
                Ok(u) => u,
                Err(e) => {
                    errors.push(fail("userid", e));
                    continue;
                }
            };
            if !seen_ids.insert(userid.clone()) {
                errors.push(fail(
                    "userid",
                    Error::with(Code::UserExists, format!("{userid} (row)")),
                ));
                continue;
            }
            input.userid = Some(userid.to_string());
            if unreadable.contains(&line) {
                continue;
            }
            let before = errors.len();
            if let Err(e) = valid_name(input.name.as_deref().unwrap_or(""), 64) {
                errors.push(fail("name", e));
            }
            if let Some(mobile) = input.mobile.as_deref().filter(|m| !m.is_empty()) {
                match valid_mobile(mobile) {
                    Ok(m) => match seen_mobiles.insert(m.clone(), (userid.to_string(), line)) {
                        Some((owner, _)) if owner != userid.as_str() => {
                            errors.push(fail("mobile", Error::with(Code::MobileTaken, owner)))
                        }
                        _ => input.mobile = Some(m),
                    },
                    Err(e) => errors.push(fail("mobile", e)),
                }
            }
            if let Some(email) = input.email.as_deref().filter(|m| !m.is_empty()) {
                match valid_email(email) {
                    Ok(e) => match seen_emails.insert(e.to_lowercase(), (userid.to_string(), line))
                    {
                        Some((owner, _)) if owner != userid.as_str() => {
                            errors.push(fail("email", Error::with(Code::EmailTaken, owner)))
                        }
                        _ => {}
                    },
                    Err(e) => errors.push(fail("email", e)),
                }
            }
            for id in input.department.iter().flatten() {
                if *id < workhub_store::directory::ROOT_DEPARTMENT {
                    let e = Error::with(Code::InvalidDepartment, id.to_string());
                    errors.push(fail("department", e));
                } else if !tree.by_id.contains_key(id) {
                    pending.insert(*id);
                }
            }
            if errors.len() > before {
                continue;
            }
            match existing.get(&userid) {
                Some(current) if changes(current, &input) => {
                    preview.update += 1;
                    steps.push(Step::Update(userid.to_string(), input));
                }
                Some(_) => preview.unchanged += 1,
                None => {
                    if input.mobile.as_deref().unwrap_or("").is_empty()
                        && input.email.as_deref().unwrap_or("").is_empty()
                    {
                        errors.push(fail("mobile", Error::new(Code::MobileOrEmailRequired)));
                        continue;
                    }
                    if input.department.is_none() {
                        input.department = Some(vec![workhub_store::directory::ROOT_DEPARTMENT]);
                    }
                    preview.create += 1;
                    steps.push(Step::Create(input));
                }
            }
        }
        if mode == ImportMode::Replace {
            // Administrators are never removed by a file: a wrong file must not lock everyone out.
            let gone: Vec<&Member> = existing
                .values()
                .filter(|m| !seen_ids.contains(&m.userid) && !m.is_admin)
                .collect();
            preview.delete = gone.len();
            let total = existing.len().max(1);
            let share = gone.len() * 100 / total;
            // An empty file is always a mistake; otherwise refuse a large share of the company.
            let empty_file = preview.total == 0 && !gone.is_empty();
            if empty_file
                || (gone.len() > 50 && share > 20)
                || (gone.len() <= 50 && share > 80 && gone.len() > 1)
            {
                preview.blocked = Some(format!(
                    "would delete {} of {} members",
                    gone.len(),
                    existing.len()
                ));
            }
            steps.extend(gone.iter().map(|m| Step::Delete(m.userid.to_string())));
        }
        let corp_row = self.corps.get(&corp).await?;
        if let Some(limit) = corp_row.edition.member_limit(corp_row.verified) {
            let after = existing.len() + preview.create - preview.delete;
            if after as i64 > limit {
                preview.blocked =
                    Some(format!("{after} members would exceed the limit of {limit}"));
            }
        }
        errors.sort_by_key(|e| e.row);
        preview.errors = errors;
        preview.pending_departments = pending.into_iter().collect();
        Ok(Plan { preview, steps })
    }

    /// What an import would do, without doing it.
    pub async fn preview_import(
        &self,
        actor: &Actor,
        bytes: &[u8],
        mode: ImportMode,
    ) -> Result<Preview, Error> {
        Ok(self.plan(actor, bytes, mode).await?.preview)
    }

    /// Starts the import as a background job; refuses a file with any error.
    pub async fn start_import(
        &self,
        actor: &Actor,
        meta: &Meta,
        file: ImportFile<'_>,
        mode: ImportMode,
        callback: Option<Callback>,
    ) -> Result<String, Error> {
        let bytes = file.bytes;
        let plan = self.plan(actor, bytes, mode).await?;
        if !plan.preview.errors.is_empty() {
            return Err(Error::with(
                Code::ImportInvalid,
                format!("{} errors", plan.preview.errors.len()),
            ));
        }
        if let Some(why) = plan.preview.blocked {
            let code = if why.contains("delete") {
                Code::MassDeletion
            } else {
                Code::EditionLimit
            };
            return Err(Error::with(code, why));
        }
        let corp = Self::company_wide(actor, p::CONTACTS_IMPORT)?.clone();
        let kind = match mode {
            ImportMode::Sync => "sync_user",
            ImportMode::Replace => "replace_user",
        };
        let source = file.source(actor, Some(mode));
        let job = self.new_job(&corp, kind, plan.steps.len(), source).await?;
        let pending = plan.preview.pending_departments.clone();
        let job_id = job.job_id.clone();
        let me = self.clone();
        let (actor, meta) = (actor.clone(), meta.clone());
        tokio::spawn(async move {
            if let Err(e) = me.create_pending(&actor, &meta, &pending).await {
                tracing::warn!(error = %e, "could not create the pending departments of an import");
            }
            me.run_import(actor, meta, job, plan.steps, callback).await
        });
        Ok(job_id)
    }

    pub(super) async fn run_import(
        &self,
        actor: Actor,
        meta: Meta,
        mut job: Job,
        steps: Vec<Step>,
        callback: Option<Callback>,
    ) {
        use futures::StreamExt;
        job.status = 2;
        self.beat(&mut job).await;
        let mut results = Vec::with_capacity(steps.len());
        let report_every = (steps.len() / 50).max(50);
        let quiet = Directory {
            quiet: true,
            ..self.clone()
        };
        // New members go in batches, each one transaction; changes and deletions one by one.
        let (creates, others): (Vec<Step>, Vec<Step>) = steps
            .into_iter()
            .partition(|s| matches!(s, Step::Create(_)));
        let inputs: Vec<MemberInput> = creates
            .into_iter()
            .filter_map(|s| match s {
                Step::Create(input) => Some(input),
                _ => None,
            })
            .collect();
        for batch in inputs.chunks(BATCH) {
            results.extend(quiet.create_batch(&actor, &meta, batch).await);
            job.done = i64::try_from(results.len()).unwrap_or(0);
            self.beat(&mut job).await;
        }
        let mut outcomes = futures::stream::iter(others.into_iter().map(|step| {
            let (me, actor, meta) = (quiet.clone(), actor.clone(), meta.clone());
            async move {
                let (userid, result) = match step {
                    Step::Create(input) => (
                        input.userid.clone().unwrap_or_default(),
                        me.create_member(&actor, &meta, input).await.map(|_| ()),
                    ),
                    Step::Update(userid, input) => (
                        userid.clone(),
                        me.update_member(&actor, &meta, &userid, input)
                            .await
                            .map(|_| ()),
                    ),
                    Step::Delete(userid) => (
                        userid.clone(),
                        me.delete_member(&actor, &meta, &userid).await,
                    ),
                };
                outcome(&userid, &result)
            }
        }))
        .buffered(PARALLEL);
        while let Some(outcome) = outcomes.next().await {
            results.push(outcome);
            if results.len() % report_every == 0 {
                job.done = i64::try_from(results.len()).unwrap_or(0);
                self.beat(&mut job).await;
            }
        }
        self.finish_job(job, results, callback).await;
    }

    /// Adds a batch of new members in one transaction, with one audit record. If the store
    /// refuses the batch (someone took a userid, mobile or email since the preview), its rows
    /// are added one by one, so that each reports its own outcome.
    async fn create_batch(
        &self,
        actor: &Actor,
        meta: &Meta,
        batch: &[MemberInput],
    ) -> Vec<serde_json::Value> {
        let mut results = Vec::with_capacity(batch.len());
        let corp = match Self::writer(actor) {
            Ok(corp) => corp.clone(),
            Err(e) => {
                let ids = batch.iter().map(|i| i.userid.clone().unwrap_or_default());
                return ids.map(|u| outcome(&u, &Err(e.clone()))).collect();
            }
        };
        let mut ready = Vec::with_capacity(batch.len());
        for input in batch {
            let userid = input.userid.clone().unwrap_or_default();
            match self.new_member(actor, &corp, input.clone(), false).await {
                Ok(member) => ready.push(member),
                Err(e) => results.push(outcome(&userid, &Err(e))),
            }
        }
        let limit = match self.corps.get(&corp).await {
            Ok(c) => c.edition.member_limit(c.verified),
            Err(_) => Some(0),
        };
        let userids: Vec<String> = ready.iter().map(|(a, _)| a.userid.to_string()).collect();
        let store = &self.deps.stores.directory;
        match store.create_members(&corp, ready, limit).await {
            Ok(true) => {
                results.extend(userids.iter().map(|u| outcome(u, &Ok(()))));
                let target = match (userids.first(), userids.last()) {
                    (Some(first), Some(last)) => format!("{first}…{last} ({})", userids.len()),
                    _ => String::new(),
                };
                let audit = self.audited(actor, meta, "member.import", &target, Ok(()));
                let _: Result<(), Error> = audit.await;
            }
            Ok(false) => {
                let full = Error::with(Code::EditionLimit, limit.unwrap_or(0).to_string());
                results.extend(userids.iter().map(|u| outcome(u, &Err(full.clone()))));
            }
            Err(e) => {
                tracing::info!(error = %e, "a batch of new members went one by one");
                for input in batch.iter().filter(|i| {
                    userids
                        .iter()
                        .any(|u| Some(u.as_str()) == i.userid.as_deref())
                }) {
                    let userid = input.userid.clone().unwrap_or_default();
                    let created = self.create_member(actor, meta, input.clone()).await;
                    results.push(outcome(&userid, &created.map(|_| ())));
                }
            }
        }
        results
    }

    /// Creates the departments a member file named that do not exist, under the pending
    /// department (made on first use), each named by its id.
    pub(super) async fn create_pending(
        &self,
        actor: &Actor,
        meta: &Meta,
        ids: &[i64],
    ) -> Result<(), Error> {
        if ids.is_empty() {
            return Ok(());
        }
        let corp = Self::writer(actor)?.clone();
        let tree = self.tree(&corp).await?;
        let root = workhub_store::directory::ROOT_DEPARTMENT;
        let existing = tree
            .by_id
            .values()
            .find(|d| d.parent_id == root && d.name == PENDING_PARENT);
        let parent = match existing {
            Some(d) => d.id,
            None => {
                let input = super::DepartmentInput {
                    name: Some(PENDING_PARENT.into()),
                    parentid: Some(root),
                    ..Default::default()
                };
                self.create_department(actor, meta, input).await?
            }
        };
        for id in ids {
            let input = super::DepartmentInput {
                id: Some(*id),
                name: Some(id.to_string()),
                parentid: Some(parent),
                ..Default::default()
            };
            self.create_department(actor, meta, input).await?;
        }
        Ok(())
    }

    /// Saves a job's results and tells everyone the directory changed (the rows announced
    /// nothing one by one).
    pub(super) async fn finish_job(
        &self,
        mut job: Job,
        results: Vec<serde_json::Value>,
        callback: Option<Callback>,
    ) {
        job.done = i64::try_from(results.len()).unwrap_or(0);
        job.status = 3;
        let failed = results.iter().filter(|r| r["errcode"] != 0).count();
        job.result = serde_json::Value::Array(results).to_string();
        if let Some(callback) = callback {
            let now_s = self.deps.now() / 1000;
            let xml = callbacks::batch_job_result(&job.corp_id, &job.job_id, &job.kind, now_s);
            callbacks::push(self.deps.outbound.clone(), callback, xml, now_s);
        }
        let summary = serde_json::json!({ "jobid": job.job_id, "type": job.kind, "total": job.total, "failed": failed });
        let event = workhub_store::NewEvent::new(
            workhub_store::Recipients::WholeCorp,
            super::kinds::DIRECTORY_IMPORTED,
            &summary,
        );
        match self
            .deps
            .stores
            .directory
            .finish_job(job, self.deps.now(), event)
            .await
        {
            Ok(committed) => self.deps.publish(committed).await,
            Err(e) => tracing::error!(error = %e, "could not save an import job's result"),
        }
    }

    /// A job of the caller's company.
    pub async fn job(&self, actor: &Actor, job_id: &str) -> Result<Job, Error> {
        let corp: &CorpId = Self::company_wide(actor, p::CONTACTS_IMPORT)?;
        self.deps
            .stores
            .directory
            .find_job(corp, job_id)
            .await
            .or_internal()?
            .ok_or_else(|| Error::new(Code::JobNotFound))
    }
}

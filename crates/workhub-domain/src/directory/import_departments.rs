//! Importing the department tree (WeCom `batch/replaceparty`): the file's departments are
//! created, renamed, moved and reordered; departments absent from it are deleted only when they
//! are empty. The whole resulting tree is checked (parents, cycles, depth, sibling names) before
//! anything is written.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Serialize;
use serde_json::json;
use workhub_core::{Code, CorpId, Error};
use workhub_store::directory::{Job, ROOT_DEPARTMENT};

use super::departments::valid_name;
use super::import::{ImportFile, RowError, row_error};
use super::{DepartmentInput, Directory, spreadsheet};
use crate::StoreResultExt;
use crate::authz::catalogue as p;
use crate::callbacks::Callback;
use crate::context::{Actor, Meta};

/// WeCom's result bits for a department row.
const CREATE: i64 = 1;
const RENAME: i64 = 2;
const MOVE: i64 = 4;
const REORDER: i64 = 8;

#[derive(Debug, Clone, Serialize)]
pub struct DepartmentPreview {
    pub total: usize,
    pub create: usize,
    pub update: usize,
    pub unchanged: usize,
    pub delete: usize,
    /// Departments absent from the file that stay because they are not empty.
    pub kept: Vec<i64>,
    pub errors: Vec<RowError>,
}

/// One department as the file wants it.
#[derive(Debug, Clone)]
struct Wanted {
    line: usize,
    name: String,
    parent: i64,
    /// None: leave the order as it is.
    order: Option<i64>,
}

pub(super) enum Step {
    Upsert {
        id: i64,
        action: i64,
        input: DepartmentInput,
    },
    Delete(i64),
}

fn field_of(header: &str) -> Option<&'static str> {
    let h = header.trim().trim_start_matches('\u{feff}').to_lowercase();
    Some(match h.as_str() {
        "部门名称" | "name" => "name",
        "部门id" | "id" => "id",
        "父部门id" | "parentid" | "parent_id" => "parentid",
        "排序" | "order" => "order",
        _ => return None,
    })
}

/// The file's rows by department id, how many non-empty rows it has, and the problems found.
type Parsed = (BTreeMap<i64, Wanted>, usize, Vec<RowError>);

fn parse(bytes: &[u8]) -> Result<Parsed, Error> {
    let table = spreadsheet::read(bytes)?;
    let fields: Vec<Option<&str>> = table.header.iter().map(|h| field_of(h)).collect();
    for required in ["name", "id", "parentid"] {
        if !fields.contains(&Some(required)) {
            return Err(Error::with(
                Code::ImportInvalid,
                format!("header: {required} (部门名称, 部门ID, 父部门ID)"),
            ));
        }
    }
    if table.rows.len() > 10_000 {
        return Err(Error::with(Code::ImportInvalid, "at most 10000 rows"));
    }
    let (mut wanted, mut errors): (BTreeMap<i64, Wanted>, _) = (BTreeMap::new(), Vec::new());
    let mut rows = 0;
    for (line, record) in table.rows {
        let record = match record {
            Ok(r) if r.iter().all(|v| v.trim().is_empty()) => continue,
            Ok(r) => {
                rows += 1;
                r
            }
            Err(why) => {
                rows += 1;
                errors.push(row_error(line, "", &Error::with(Code::ImportInvalid, why)));
                continue;
            }
        };
        let cell = |name: &str| {
            fields
                .iter()
                .position(|f| *f == Some(name))
                .and_then(|i| record.get(i))
                .map(|v| v.trim())
                .unwrap_or("")
        };
        let number = |name: &str| cell(name).parse::<i64>().ok();
        let before = errors.len();
        let id = number("id").filter(|id| *id >= ROOT_DEPARTMENT);
        if id.is_none() {
            errors.push(row_error(
                line,
                "id",
                &Error::with(Code::InvalidDepartment, cell("id")),
            ));
        }
        let parent = number("parentid").filter(|p| *p >= 0);
        if parent.is_none() {
            let e = Error::with(Code::ParentNotFound, cell("parentid"));
            errors.push(row_error(line, "parentid", &e));
        }
        let name = valid_name(cell("name")).map_err(|e| errors.push(row_error(line, "name", &e)));
        let order = match cell("order") {
            "" | "0" => None,
            v => v.parse::<i64>().ok().or_else(|| {
                let e = Error::with(Code::InvalidRequest, "order");
                errors.push(row_error(line, "order", &e));
                None
            }),
        };
        let (Some(id), Some(parent), Ok(name)) = (id, parent, name) else {
            continue;
        };
        if errors.len() > before {
            continue;
        }
        if let Some(first) = wanted.get(&id) {
            let e = Error::with(Code::DepartmentExists, format!("{id} (row {})", first.line));
            errors.push(row_error(line, "id", &e));
            continue;
        }
        wanted.insert(
            id,
            Wanted {
                line,
                name,
                parent,
                order,
            },
        );
    }
    Ok((wanted, rows, errors))
}

impl Directory {
    pub(super) async fn plan_departments(
        &self,
        actor: &Actor,
        bytes: &[u8],
    ) -> Result<(DepartmentPreview, Vec<Step>), Error> {
        let corp = Self::company_wide(actor, p::CONTACTS_IMPORT)?.clone();
        let (wanted, rows, mut errors) = parse(bytes)?;
        let tree = self.tree(&corp).await?;
        let max_depth = self.corps.get(&corp).await?.edition.max_department_depth();
        let members = self
            .deps
            .stores
            .directory
            .list_members(&corp, None)
            .await
            .or_internal()?;
        let staffed: HashSet<i64> = members
            .iter()
            .flat_map(|m| m.departments.iter().map(|d| d.dept_id))
            .collect();

        // The tree as the file would leave it: every existing department, with the file's changes.
        let mut parent_of: HashMap<i64, i64> =
            tree.by_id.values().map(|d| (d.id, d.parent_id)).collect();
        let mut name_of: HashMap<i64, String> = tree
            .by_id
            .values()
            .map(|d| (d.id, d.name.clone()))
            .collect();
        for (id, w) in &wanted {
            if *id == ROOT_DEPARTMENT {
                if w.parent != 0 {
                    errors.push(row_error(
                        w.line,
                        "parentid",
                        &Error::new(Code::RootDepartment),
                    ));
                }
                continue;
            }
            parent_of.insert(*id, w.parent);
            name_of.insert(*id, w.name.clone());
        }
        // Absent departments go when nothing stays beneath them and nobody works in them.
        let absent: Vec<i64> = tree
            .by_id
            .keys()
            .copied()
            .filter(|id| *id != ROOT_DEPARTMENT && !wanted.contains_key(id))
            .collect();
        let mut deleted: HashSet<i64> = HashSet::new();
        loop {
            let before = deleted.len();
            for id in &absent {
                let has_children = parent_of.iter().any(|(child, parent)| {
                    parent == id && *child != *id && !deleted.contains(child)
                });
                if !deleted.contains(id) && !staffed.contains(id) && !has_children {
                    deleted.insert(*id);
                }
            }
            if deleted.len() == before {
                break;
            }
        }
        let kept: Vec<i64> = absent
            .iter()
            .copied()
            .filter(|id| !deleted.contains(id))
            .collect();

        // Every row's place in that tree: a parent that exists, no cycle, within the edition's
        // depth, and a name no sibling has.
        let depth_of = |id: i64| -> Option<u32> {
            let (mut at, mut depth) = (id, 0);
            while at != ROOT_DEPARTMENT {
                at = *parent_of.get(&at)?;
                if deleted.contains(&at) {
                    return None;
                }
                depth += 1;
                if depth > 1000 {
                    return None;
                }
            }
            Some(depth)
        };
        let mut siblings: HashMap<(i64, String), i64> = HashMap::new();
        for (id, parent) in &parent_of {
            if *id != ROOT_DEPARTMENT && !deleted.contains(id) {
                let name = name_of.get(id).cloned().unwrap_or_default();
                if let Some(other) = siblings.insert((*parent, name), *id)
                    && let Some(w) = wanted.get(id).or_else(|| wanted.get(&other))
                {
                    let e = Error::with(Code::DepartmentExists, w.name.clone());
                    errors.push(row_error(w.line, "name", &e));
                }
            }
        }
        for (id, w) in wanted.iter().filter(|(id, _)| **id != ROOT_DEPARTMENT) {
            if !parent_of.contains_key(&w.parent) {
                let e = Error::with(Code::ParentNotFound, w.parent.to_string());
                errors.push(row_error(w.line, "parentid", &e));
                continue;
            }
            match depth_of(*id) {
                None => errors.push(row_error(
                    w.line,
                    "parentid",
                    &Error::new(Code::DepartmentCycle),
                )),
                Some(depth) if depth > max_depth => {
                    let e = Error::with(Code::DepartmentDepth, max_depth.to_string());
                    errors.push(row_error(w.line, "parentid", &e));
                }
                Some(_) => {}
            }
        }

        // Steps: parents before children, so every move lands under a parent already in place;
        // then deletions, deepest first.
        let mut preview = DepartmentPreview {
            total: rows,
            create: 0,
            update: 0,
            unchanged: 0,
            delete: deleted.len(),
            kept,
            errors: vec![],
        };
        let mut upserts: Vec<(u32, Step)> = Vec::new();
        for (id, w) in &wanted {
            let current = tree.by_id.get(id);
            let mut action = 0;
            match current {
                None => action = CREATE,
                Some(d) => {
                    if d.name != w.name {
                        action |= RENAME;
                    }
                    if *id != ROOT_DEPARTMENT && d.parent_id != w.parent {
                        action |= MOVE;
                    }
                    if w.order.is_some_and(|o| o != d.order) {
                        action |= REORDER;
                    }
                }
            }
            match action {
                0 => preview.unchanged += 1,
                CREATE => preview.create += 1,
                _ => preview.update += 1,
            }
            if action == 0 {
                continue;
            }
            let input = DepartmentInput {
                id: Some(*id),
                name: (action & (CREATE | RENAME) != 0).then(|| w.name.clone()),
                name_en: None,
                parentid: (action & (CREATE | MOVE) != 0).then_some(w.parent),
                order: w.order,
            };
            upserts.push((
                depth_of(*id).unwrap_or(0),
                Step::Upsert {
                    id: *id,
                    action,
                    input,
                },
            ));
        }
        upserts.sort_by_key(|(depth, _)| *depth);
        let mut steps: Vec<Step> = upserts.into_iter().map(|(_, s)| s).collect();
        let mut doomed: Vec<i64> = deleted.into_iter().collect();
        doomed.sort_by_key(|id| std::cmp::Reverse(tree.path(*id).len()));
        steps.extend(doomed.into_iter().map(Step::Delete));
        errors.sort_by_key(|e| e.row);
        preview.errors = errors;
        Ok((preview, steps))
    }

    /// What importing this department file would do, without doing it.
    pub async fn preview_department_import(
        &self,
        actor: &Actor,
        bytes: &[u8],
    ) -> Result<DepartmentPreview, Error> {
        Ok(self.plan_departments(actor, bytes).await?.0)
    }

    /// Starts the department import as a background job; refuses a file with any error.
    pub async fn start_department_import(
        &self,
        actor: &Actor,
        meta: &Meta,
        file: ImportFile<'_>,
        callback: Option<Callback>,
    ) -> Result<String, Error> {
        let (preview, steps) = self.plan_departments(actor, file.bytes).await?;
        if !preview.errors.is_empty() {
            let count = preview.errors.len();
            return Err(Error::with(Code::ImportInvalid, format!("{count} errors")));
        }
        let corp: CorpId = Self::company_wide(actor, p::CONTACTS_IMPORT)?.clone();
        let source = file.source(actor, None);
        let job = self
            .new_job(&corp, "replace_party", steps.len(), source)
            .await?;
        let job_id = job.job_id.clone();
        let me = self.clone();
        let (actor, meta) = (actor.clone(), meta.clone());
        tokio::spawn(async move {
            me.run_department_import(actor, meta, job, steps, callback)
                .await
        });
        Ok(job_id)
    }

    /// One step after the other: each may depend on the one before (a parent, then its child).
    pub(super) async fn run_department_import(
        &self,
        actor: Actor,
        meta: Meta,
        mut job: Job,
        steps: Vec<Step>,
        callback: Option<Callback>,
    ) {
        job.status = 2;
        self.beat(&mut job).await;
        let quiet = Directory {
            quiet: true,
            ..self.clone()
        };
        let mut results = Vec::with_capacity(steps.len());
        for step in steps {
            let (action, id, result) = match step {
                Step::Upsert { id, action, input } if action == CREATE => (
                    action,
                    id,
                    quiet
                        .create_department(&actor, &meta, input)
                        .await
                        .map(|_| ()),
                ),
                Step::Upsert { id, action, input } => (
                    action,
                    id,
                    quiet.update_department(&actor, &meta, id, input).await,
                ),
                Step::Delete(id) => (0, id, quiet.delete_department(&actor, &meta, id).await),
            };
            let (errcode, errmsg) = match &result {
                Ok(()) => (0, "ok".to_string()),
                Err(e) => (e.code.errcode(), e.message(workhub_core::Lang::Zh)),
            };
            results.push(
                json!({ "action": action, "partyid": id, "errcode": errcode, "errmsg": errmsg }),
            );
            if results.len() % 50 == 0 {
                job.done = i64::try_from(results.len()).unwrap_or(0);
                self.beat(&mut job).await;
            }
        }
        self.finish_job(job, results, callback).await;
    }
}

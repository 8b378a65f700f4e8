//! Import jobs outlive the node that started them. A job records what it runs (the stored file
//! and who asked) and beats while it works; a node that finds a job whose heartbeat stopped
//! claims it and runs the file again. Imports are idempotent, so rows already applied come out
//! unchanged and the job simply finishes.

use serde::{Deserialize, Serialize};
use workhub_core::{Code, CorpId, Error};
use workhub_store::directory::Job;

use super::Directory;
use super::import::ImportMode;
use crate::StoreResultExt;
use crate::context::{Actor, Meta, UserActor};

/// A job whose heartbeat is older than this is taken to have lost its node.
pub const STALE_MS: i64 = 120_000;

/// What a job runs.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct JobSource {
    /// The stored import file.
    pub file_id: String,
    pub actor: JobActor,
    /// Member imports: sync or replace; None for the department tree.
    pub mode: Option<ImportMode>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum JobActor {
    User { userid: String },
    App { agent_id: i64 },
}

impl JobActor {
    pub(super) fn of(actor: &Actor) -> Option<JobActor> {
        match actor {
            Actor::User(u) => Some(JobActor::User {
                userid: u.userid.to_string(),
            }),
            Actor::App { agent_id, .. } => Some(JobActor::App {
                agent_id: *agent_id,
            }),
            _ => None,
        }
    }
}

impl Directory {
    /// A background job, saved as started with its source.
    pub(super) async fn new_job(
        &self,
        corp: &CorpId,
        kind: &str,
        total: usize,
        source: Option<JobSource>,
    ) -> Result<Job, Error> {
        let now = self.deps.now();
        let job = Job {
            job_id: uuid::Uuid::now_v7().simple().to_string(),
            corp_id: corp.clone(),
            kind: kind.into(),
            status: 1,
            total: i64::try_from(total).unwrap_or(0),
            done: 0,
            result: "[]".into(),
            created_at: now,
            source: source
                .and_then(|s| serde_json::to_string(&s).ok())
                .unwrap_or_default(),
            heartbeat_at: now,
        };
        let store = &self.deps.stores.directory;
        store.create_job(job.clone()).await.or_internal()?;
        Ok(job)
    }

    /// Saves a job's progress, and that its node is alive.
    pub(super) async fn beat(&self, job: &mut Job) {
        job.heartbeat_at = self.deps.now();
        if let Err(e) = self.deps.stores.directory.update_job(job.clone()).await {
            tracing::warn!(error = %e, job = %job.job_id, "could not save a job's progress");
        }
    }

    /// Jobs whose node stopped beating, now claimed by this node, with what they run.
    pub async fn claim_stale_jobs(&self) -> Result<Vec<(Job, JobSource)>, Error> {
        let now = self.deps.now();
        let store = &self.deps.stores.directory;
        let claimed = store
            .claim_stale_jobs(now - STALE_MS, now)
            .await
            .or_internal()?;
        Ok(claimed
            .into_iter()
            .filter_map(|job| {
                let source = serde_json::from_str(&job.source).ok()?;
                Some((job, source))
            })
            .collect())
    }

    /// Runs a claimed job again from its file, as the member or app that started it.
    pub async fn resume_job(&self, mut job: Job, source: JobSource, bytes: Vec<u8>) {
        let meta = Meta {
            request_id: format!("resume-{}", job.job_id),
            ..Default::default()
        };
        let started = async {
            let actor = self.job_actor(&job.corp_id, &source.actor).await?;
            tracing::info!(job = %job.job_id, "resuming an import job whose node stopped");
            match source.mode {
                Some(mode) => {
                    let plan = self.plan(&actor, &bytes, mode).await?;
                    job.total = i64::try_from(plan.steps.len()).unwrap_or(0);
                    job.done = 0;
                    let pending = plan.preview.pending_departments.clone();
                    self.create_pending(&actor, &meta, &pending).await?;
                    self.run_import(actor, meta.clone(), job.clone(), plan.steps, None)
                        .await;
                }
                None => {
                    let (_, steps) = self.plan_departments(&actor, &bytes).await?;
                    job.total = i64::try_from(steps.len()).unwrap_or(0);
                    job.done = 0;
                    self.run_department_import(actor, meta.clone(), job.clone(), steps, None)
                        .await;
                }
            }
            Ok::<(), Error>(())
        }
        .await;
        if let Err(e) = started {
            // The caller is gone or lost the right to import: end the job, saying why.
            let why = e.message(workhub_core::Lang::Zh);
            let result = serde_json::json!({ "errcode": e.code.errcode(), "errmsg": why });
            self.finish_job(job, vec![result], None).await;
        }
    }

    async fn job_actor(&self, corp: &CorpId, actor: &JobActor) -> Result<Actor, Error> {
        match actor {
            JobActor::App { agent_id } => Ok(Actor::App {
                corp_id: corp.clone(),
                agent_id: *agent_id,
            }),
            JobActor::User { userid } => {
                let userid = workhub_core::UserId::parse(userid)?;
                let accounts = &self.deps.stores.accounts;
                let user = accounts.find_user(corp, &userid).await.or_internal()?;
                let user = user
                    .filter(|u| !u.disabled)
                    .ok_or_else(|| Error::new(Code::UserNotFound))?;
                let authority = crate::authz::authority_of(
                    &self.deps,
                    corp,
                    &userid,
                    user.is_admin,
                    user.has_admin_roles,
                )
                .await?;
                Ok(Actor::User(UserActor {
                    corp_id: corp.clone(),
                    userid,
                    authority,
                    session_id: String::new(),
                    device_id: String::new(),
                    platform: "job".into(),
                }))
            }
        }
    }
}

//! `/cgi-bin/media/upload|get` (files of the calling app's company) and `/cgi-bin/batch/*`.

use axum::extract::{Multipart, State};
use axum::http::request::Parts;
use serde::Deserialize;
use serde_json::json;
use workhub_core::{Code, Error};
use workhub_domain::callbacks::Callback;
use workhub_domain::directory::import::{ImportFile, ImportMode};

use super::{App, Body, Reply, ok, query_value};
use crate::AppState;
use crate::extract::RequestMeta;

/// Largest media file (WeCom's limit for files: 20 MB).
pub const MAX_MEDIA: usize = 20 * 1024 * 1024;

/// POST /cgi-bin/media/upload?type=file (multipart, part `media`)
pub async fn upload(
    State(state): State<AppState>,
    App(app): App,
    parts: Parts,
    form: Multipart,
) -> Reply {
    let kind = query_value(&parts, "type").unwrap_or_default();
    if !matches!(kind.as_str(), "file" | "image" | "voice" | "video") {
        return Err(Error::new(Code::InvalidRequest).into());
    }
    let (corp, agent) = corp_of(&app)?;
    keep_media(&state, &corp, &agent, &kind, form).await
}

/// Stores the multipart part `media` (at most 20 MiB) as a file of `corp`; WeCom's answer.
pub async fn keep_media(
    state: &AppState,
    corp: &workhub_core::CorpId,
    uploader: &str,
    kind: &str,
    mut form: Multipart,
) -> Reply {
    while let Ok(Some(field)) = form.next_field().await {
        if field.name() != Some("media") {
            continue;
        }
        let content_type = field
            .content_type()
            .unwrap_or("application/octet-stream")
            .to_string();
        let name = field.file_name().unwrap_or("media").to_string();
        let bytes = field
            .bytes()
            .await
            .map_err(|_| Error::new(Code::PayloadTooLarge))?;
        if bytes.is_empty() {
            return Err(Error::with(Code::InvalidRequest, "empty media").into());
        }
        if bytes.len() > MAX_MEDIA {
            return Err(Error::new(Code::UploadTooLarge).into());
        }
        let stored = state
            .files
            .store(corp, uploader, &name, &content_type, &bytes);
        let media_id = stored.await?.file_id;
        let created_at = (state.domain.deps.now() / 1000).to_string();
        return Ok(ok(
            "ok",
            json!({ "type": kind, "media_id": media_id, "created_at": created_at }),
        ));
    }
    Err(Error::with(Code::MissingField, "media").into())
}

#[derive(Deserialize)]
pub struct BatchBody {
    media_id: Option<String>,
    /// Where to push `batch_job_result` when the job ends (optional).
    callback: Option<workhub_domain::callbacks::CallbackTarget>,
}

async fn start(
    state: AppState,
    meta: workhub_domain::Meta,
    app: workhub_domain::Actor,
    b: BatchBody,
    mode: ImportMode,
) -> Reply {
    let (file_id, bytes, callback) = media(&state, &app, b).await?;
    let file = ImportFile {
        file_id: &file_id,
        bytes: &bytes,
    };
    let jobid = state
        .domain
        .directory
        .start_import(&app, &meta, file, mode, callback)
        .await?;
    Ok(ok("ok", json!({ "jobid": jobid })))
}

/// The uploaded file a batch call names (from the caller's company only), and its callback.
async fn media(
    state: &AppState,
    app: &workhub_domain::Actor,
    b: BatchBody,
) -> Result<(String, Vec<u8>, Option<Callback>), Error> {
    let callback = Callback::of(b.callback, &corp_of(app)?.0)?;
    let media_id = b
        .media_id
        .filter(|m| !m.is_empty())
        .ok_or_else(|| Error::with(Code::MissingField, "media_id"))?;
    let (corp, _) = corp_of(app)?;
    let (_, bytes) = state.files.read(&corp, &media_id).await?;
    Ok((media_id, bytes, callback))
}

/// POST /cgi-bin/batch/syncuser
pub async fn syncuser(
    State(state): State<AppState>,
    RequestMeta(meta): RequestMeta,
    App(app): App,
    Body(b): Body<BatchBody>,
) -> Reply {
    start(state, meta, app, b, ImportMode::Sync).await
}

/// POST /cgi-bin/batch/replaceuser
pub async fn replaceuser(
    State(state): State<AppState>,
    RequestMeta(meta): RequestMeta,
    App(app): App,
    Body(b): Body<BatchBody>,
) -> Reply {
    start(state, meta, app, b, ImportMode::Replace).await
}

/// POST /cgi-bin/batch/replaceparty
pub async fn replaceparty(
    State(state): State<AppState>,
    RequestMeta(meta): RequestMeta,
    App(app): App,
    Body(b): Body<BatchBody>,
) -> Reply {
    let (file_id, bytes, callback) = media(&state, &app, b).await?;
    let file = ImportFile {
        file_id: &file_id,
        bytes: &bytes,
    };
    let directory = &state.domain.directory;
    let jobid = directory
        .start_department_import(&app, &meta, file, callback)
        .await?;
    Ok(ok("ok", json!({ "jobid": jobid })))
}

/// GET /cgi-bin/batch/getresult?jobid=
pub async fn getresult(State(state): State<AppState>, App(app): App, parts: Parts) -> Reply {
    let jobid =
        query_value(&parts, "jobid").ok_or_else(|| Error::with(Code::MissingField, "jobid"))?;
    let job = state.domain.directory.job(&app, &jobid).await?;
    let result: serde_json::Value = serde_json::from_str(&job.result).unwrap_or_default();
    let percentage = if job.total == 0 || job.status == 3 {
        100
    } else {
        job.done * 100 / job.total
    };
    Ok(ok(
        "ok",
        json!({ "status": job.status, "type": job.kind, "total": job.total, "percentage": percentage, "result": result }),
    ))
}

/// The company of a calling app and how files it stores are attributed.
fn corp_of(app: &workhub_domain::Actor) -> Result<(workhub_core::CorpId, String), Error> {
    match app {
        workhub_domain::Actor::App { corp_id, agent_id } => {
            Ok((corp_id.clone(), format!("app:{agent_id}")))
        }
        _ => Err(Error::new(Code::Unauthenticated)),
    }
}

/// GET /cgi-bin/media/get?media_id= (raw bytes; `Range` supported)
pub async fn media_get(
    State(state): State<AppState>,
    App(app): App,
    parts: Parts,
) -> Result<axum::response::Response, crate::error::WecomError> {
    let media_id = query_value(&parts, "media_id")
        .filter(|m| !m.is_empty())
        .ok_or_else(|| Error::with(Code::MissingField, "media_id"))?;
    let (corp, _) = corp_of(&app)?;
    let (record, key) = state.files.locate(&corp, &media_id).await?;
    let headers = &parts.headers;
    Ok(crate::api::uploads::serve_file(&state.files, &record, &key, headers).await?)
}

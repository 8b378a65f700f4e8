//! The directory for the web client: departments, members, tags.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};
use workhub_domain::Actor;
use workhub_domain::directory::FileFormat;
use workhub_domain::directory::import::{ImportFile, ImportMode};
use workhub_domain::directory::{DepartmentInput, MemberInput};

use crate::AppState;
use crate::error::ApiResult;
use crate::extract::{JsonBody, QueryArgs, RequestMeta, Session};

fn actor(s: Session) -> Actor {
    Actor::User(s.0)
}

/// GET /api/v1/directory/departments
pub async fn departments(State(state): State<AppState>, s: Session) -> ApiResult<Json<Value>> {
    Ok(Json(
        json!({ "departments": state.domain.directory.departments(&actor(s), None).await? }),
    ))
}

/// POST /api/v1/directory/departments
pub async fn create_department(
    State(state): State<AppState>,
    RequestMeta(meta): RequestMeta,
    s: Session,
    JsonBody(b): JsonBody<DepartmentInput>,
) -> ApiResult<Json<Value>> {
    let id = state
        .domain
        .directory
        .create_department(&actor(s), &meta, b)
        .await?;
    Ok(Json(json!({ "id": id })))
}

/// PATCH /api/v1/directory/departments/{id}
pub async fn update_department(
    State(state): State<AppState>,
    RequestMeta(meta): RequestMeta,
    s: Session,
    Path(id): Path<i64>,
    JsonBody(b): JsonBody<DepartmentInput>,
) -> ApiResult<StatusCode> {
    state
        .domain
        .directory
        .update_department(&actor(s), &meta, id, b)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// DELETE /api/v1/directory/departments/{id}
pub async fn delete_department(
    State(state): State<AppState>,
    RequestMeta(meta): RequestMeta,
    s: Session,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    state
        .domain
        .directory
        .delete_department(&actor(s), &meta, id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
pub struct MembersArgs {
    department_id: Option<i64>,
    #[serde(default)]
    fetch_child: i64,
}

/// GET /api/v1/directory/members?department_id=&fetch_child=
pub async fn members(
    State(state): State<AppState>,
    s: Session,
    QueryArgs(q): QueryArgs<MembersArgs>,
) -> ApiResult<Json<Value>> {
    let list = state
        .domain
        .directory
        .members(&actor(s), q.department_id, q.fetch_child == 1)
        .await?;
    Ok(Json(json!({ "members": list })))
}

/// GET /api/v1/directory/members/{userid}
pub async fn member(
    State(state): State<AppState>,
    s: Session,
    Path(userid): Path<String>,
) -> ApiResult<Json<Value>> {
    Ok(Json(json!(
        state.domain.directory.member(&actor(s), &userid).await?
    )))
}

/// POST /api/v1/directory/members
pub async fn create_member(
    State(state): State<AppState>,
    RequestMeta(meta): RequestMeta,
    s: Session,
    JsonBody(b): JsonBody<MemberInput>,
) -> ApiResult<Json<Value>> {
    Ok(Json(json!(
        state
            .domain
            .directory
            .create_member(&actor(s), &meta, b)
            .await?
    )))
}

/// PATCH /api/v1/directory/members/{userid}
pub async fn update_member(
    State(state): State<AppState>,
    RequestMeta(meta): RequestMeta,
    s: Session,
    Path(userid): Path<String>,
    JsonBody(b): JsonBody<MemberInput>,
) -> ApiResult<Json<Value>> {
    Ok(Json(json!(
        state
            .domain
            .directory
            .update_member(&actor(s), &meta, &userid, b)
            .await?
    )))
}

/// DELETE /api/v1/directory/members/{userid}
pub async fn delete_member(
    State(state): State<AppState>,
    RequestMeta(meta): RequestMeta,
    s: Session,
    Path(userid): Path<String>,
) -> ApiResult<StatusCode> {
    state
        .domain
        .directory
        .delete_member(&actor(s), &meta, &userid)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// POST /api/v1/directory/members/{userid}/disable
pub async fn disable_member(
    State(state): State<AppState>,
    RequestMeta(meta): RequestMeta,
    s: Session,
    Path(userid): Path<String>,
) -> ApiResult<StatusCode> {
    state
        .domain
        .directory
        .set_enabled(&actor(s), &meta, &userid, false)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// POST /api/v1/directory/members/{userid}/enable
pub async fn enable_member(
    State(state): State<AppState>,
    RequestMeta(meta): RequestMeta,
    s: Session,
    Path(userid): Path<String>,
) -> ApiResult<StatusCode> {
    state
        .domain
        .directory
        .set_enabled(&actor(s), &meta, &userid, true)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// POST /api/v1/directory/members/{userid}/invite
pub async fn invite(
    State(state): State<AppState>,
    RequestMeta(meta): RequestMeta,
    s: Session,
    Path(userid): Path<String>,
) -> ApiResult<Json<Value>> {
    let (url, expires_at) = state
        .domain
        .directory
        .invite(&actor(s), &meta, &userid)
        .await?;
    Ok(Json(
        json!({ "activation_url": url, "expires_at": expires_at }),
    ))
}

#[derive(Deserialize)]
pub struct ActivateBody {
    corpid: String,
    token: String,
    password: String,
}

/// POST /api/v1/auth/activate
pub async fn activate(
    State(state): State<AppState>,
    RequestMeta(meta): RequestMeta,
    JsonBody(b): JsonBody<ActivateBody>,
) -> ApiResult<StatusCode> {
    state
        .domain
        .directory
        .activate(&meta, &b.corpid, &b.token, &b.password)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// GET /api/v1/directory/tags
pub async fn tags(State(state): State<AppState>, s: Session) -> ApiResult<Json<Value>> {
    Ok(Json(
        json!({ "tags": state.domain.directory.tags(&actor(s)).await? }),
    ))
}

#[derive(Deserialize)]
pub struct TagBody {
    name: String,
}

/// POST /api/v1/directory/tags
pub async fn create_tag(
    State(state): State<AppState>,
    RequestMeta(meta): RequestMeta,
    s: Session,
    JsonBody(b): JsonBody<TagBody>,
) -> ApiResult<Json<Value>> {
    let id = state
        .domain
        .directory
        .create_tag(&actor(s), &meta, &b.name, None)
        .await?;
    Ok(Json(json!({ "id": id })))
}

/// PATCH /api/v1/directory/tags/{id}
pub async fn rename_tag(
    State(state): State<AppState>,
    RequestMeta(meta): RequestMeta,
    s: Session,
    Path(id): Path<i64>,
    JsonBody(b): JsonBody<TagBody>,
) -> ApiResult<StatusCode> {
    state
        .domain
        .directory
        .rename_tag(&actor(s), &meta, id, &b.name)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// DELETE /api/v1/directory/tags/{id}
pub async fn delete_tag(
    State(state): State<AppState>,
    RequestMeta(meta): RequestMeta,
    s: Session,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    state
        .domain
        .directory
        .delete_tag(&actor(s), &meta, id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// GET /api/v1/directory/tags/{id}
pub async fn tag(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
) -> ApiResult<Json<Value>> {
    Ok(Json(json!(
        state.domain.directory.tag_members(&actor(s), id).await?
    )))
}

#[derive(Deserialize)]
pub struct TagMembersBody {
    #[serde(default)]
    userlist: Vec<String>,
    #[serde(default)]
    partylist: Vec<i64>,
}

async fn change(
    state: AppState,
    meta: workhub_domain::Meta,
    s: Session,
    id: i64,
    b: TagMembersBody,
    remove: bool,
) -> ApiResult<Json<Value>> {
    let invalid = state
        .domain
        .directory
        .change_tag_members(&actor(s), &meta, id, &b.userlist, &b.partylist, remove)
        .await?;
    Ok(Json(
        json!({ "invalidlist": invalid.users, "invalidparty": invalid.parties }),
    ))
}

/// POST /api/v1/directory/tags/{id}/members
pub async fn add_tag_members(
    State(state): State<AppState>,
    RequestMeta(meta): RequestMeta,
    s: Session,
    Path(id): Path<i64>,
    JsonBody(b): JsonBody<TagMembersBody>,
) -> ApiResult<Json<Value>> {
    change(state, meta, s, id, b, false).await
}

/// POST /api/v1/directory/tags/{id}/members/remove
pub async fn remove_tag_members(
    State(state): State<AppState>,
    RequestMeta(meta): RequestMeta,
    s: Session,
    Path(id): Path<i64>,
    JsonBody(b): JsonBody<TagMembersBody>,
) -> ApiResult<Json<Value>> {
    change(state, meta, s, id, b, true).await
}

#[derive(Deserialize)]
pub struct SearchArgs {
    #[serde(default)]
    q: String,
    limit: Option<usize>,
}

/// GET /api/v1/directory/search?q=&limit=
pub async fn search(
    State(state): State<AppState>,
    s: Session,
    QueryArgs(q): QueryArgs<SearchArgs>,
) -> ApiResult<Json<Value>> {
    let found = state
        .domain
        .directory
        .search(&actor(s), &q.q, q.limit.unwrap_or(20))
        .await?;
    Ok(Json(json!({ "members": found })))
}

#[derive(Deserialize)]
pub struct ImportArgs {
    #[serde(default)]
    mode: Option<String>,
}

fn import_mode(mode: Option<&str>) -> Result<ImportMode, workhub_core::Error> {
    match mode.unwrap_or("sync") {
        "sync" => Ok(ImportMode::Sync),
        "replace" => Ok(ImportMode::Replace),
        _ => Err(workhub_core::Error::with(
            workhub_core::Code::InvalidRequest,
            "mode: sync or replace",
        )),
    }
}

/// POST /api/v1/directory/import/preview?mode=sync|replace (the CSV or XLSX file as the body)
pub async fn import_preview(
    State(state): State<AppState>,
    s: Session,
    QueryArgs(q): QueryArgs<ImportArgs>,
    body: axum::body::Bytes,
) -> ApiResult<Json<Value>> {
    let mode = import_mode(q.mode.as_deref())?;
    let (corp, who) = (s.0.corp_id.clone(), s.0.userid.to_string());
    let actor = actor(s);
    let preview = state
        .domain
        .directory
        .preview_import(&actor, &body, mode)
        .await?;
    let import_id = keep_import(&state, &corp, &who, &body).await?;
    Ok(Json(
        json!({ "import_id": import_id, "mode": mode, "preview": preview }),
    ))
}

/// POST /api/v1/directory/import/{import_id}/apply?mode=sync|replace
pub async fn import_apply(
    State(state): State<AppState>,
    RequestMeta(meta): RequestMeta,
    s: Session,
    Path(import_id): Path<String>,
    QueryArgs(q): QueryArgs<ImportArgs>,
) -> ApiResult<Json<Value>> {
    let mode = import_mode(q.mode.as_deref())?;
    // Only the company that previewed the file can apply it.
    let (_, bytes) = state.files.read(&s.0.corp_id, &import_id).await?;
    let jobid = state
        .domain
        .directory
        .start_import(
            &actor(s),
            &meta,
            ImportFile {
                file_id: &import_id,
                bytes: &bytes,
            },
            mode,
            None,
        )
        .await?;
    Ok(Json(json!({ "jobid": jobid })))
}

/// GET /api/v1/directory/jobs/{jobid}
pub async fn job(
    State(state): State<AppState>,
    s: Session,
    Path(jobid): Path<String>,
) -> ApiResult<Json<Value>> {
    let job = state.domain.directory.job(&actor(s), &jobid).await?;
    let result: Value = serde_json::from_str(&job.result).unwrap_or(Value::Null);
    let percentage = if job.total == 0 || job.status == 3 {
        100
    } else {
        job.done * 100 / job.total
    };
    Ok(Json(
        json!({ "jobid": job.job_id, "type": job.kind, "status": job.status, "total": job.total, "done": job.done, "percentage": percentage, "result": result }),
    ))
}

/// GET /api/v1/directory/export.csv|xlsx (every member) and
/// GET /api/v1/directory/departments/export.csv|xlsx (the tree), in the import template.
pub async fn export(
    State(state): State<AppState>,
    s: Session,
    uri: axum::http::Uri,
) -> ApiResult<axum::response::Response> {
    let format = file_format(uri.path());
    let directory = &state.domain.directory;
    if uri.path().contains("/departments/") {
        let bytes = directory.export_departments(&actor(s), format).await?;
        Ok(attachment(format, "departments", bytes))
    } else {
        let bytes = directory.export_members(&actor(s), format).await?;
        Ok(attachment(format, "members", bytes))
    }
}

/// The format a download path ends with (its routes are only `.csv` and `.xlsx`).
fn file_format(path: &str) -> FileFormat {
    if path.ends_with(".xlsx") {
        FileFormat::Xlsx
    } else {
        FileFormat::Csv
    }
}

fn attachment(format: FileFormat, name: &str, bytes: Vec<u8>) -> axum::response::Response {
    use axum::response::IntoResponse;
    let disposition = format!("attachment; filename=\"{name}.{}\"", format.extension());
    let headers = [
        (
            axum::http::header::CONTENT_TYPE,
            format.content_type().to_string(),
        ),
        (axum::http::header::CONTENT_DISPOSITION, disposition),
    ];
    (headers, bytes).into_response()
}

/// POST /api/v1/directory/departments/import/preview (the CSV or XLSX file as the body)
pub async fn import_departments_preview(
    State(state): State<AppState>,
    s: Session,
    body: axum::body::Bytes,
) -> ApiResult<Json<Value>> {
    let (corp, who) = (s.0.corp_id.clone(), s.0.userid.to_string());
    let actor = actor(s);
    let directory = &state.domain.directory;
    let preview = directory.preview_department_import(&actor, &body).await?;
    let import_id = keep_import(&state, &corp, &who, &body).await?;
    Ok(Json(json!({ "import_id": import_id, "preview": preview })))
}

/// POST /api/v1/directory/departments/import/{import_id}/apply
pub async fn import_departments_apply(
    State(state): State<AppState>,
    RequestMeta(meta): RequestMeta,
    s: Session,
    Path(import_id): Path<String>,
) -> ApiResult<Json<Value>> {
    let (_, bytes) = state.files.read(&s.0.corp_id, &import_id).await?;
    let directory = &state.domain.directory;
    let jobid = directory
        .start_department_import(
            &actor(s),
            &meta,
            ImportFile {
                file_id: &import_id,
                bytes: &bytes,
            },
            None,
        )
        .await?;
    Ok(Json(json!({ "jobid": jobid })))
}

/// Keeps an uploaded import file, so that "apply" runs exactly what was previewed.
async fn keep_import(
    state: &AppState,
    corp: &workhub_core::CorpId,
    who: &str,
    body: &[u8],
) -> Result<String, workhub_core::Error> {
    let (name, kind) = if body.starts_with(b"PK\x03\x04") {
        ("import.xlsx", FileFormat::Xlsx.content_type())
    } else {
        ("import.csv", FileFormat::Csv.content_type())
    };
    Ok(state
        .files
        .store(corp, who, name, kind, body)
        .await?
        .file_id)
}

/// GET /api/v1/directory/visibility
pub async fn visibility(State(state): State<AppState>, s: Session) -> ApiResult<Json<Value>> {
    let rules = state.domain.directory.visibility_rules(&actor(s)).await?;
    Ok(Json(json!({ "rules": rules })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VisibilityBody {
    /// Department subtrees the department's members see; null removes the rule.
    visible: Option<Vec<i64>>,
}

/// PUT /api/v1/directory/visibility/{department}
pub async fn set_visibility(
    State(state): State<AppState>,
    RequestMeta(meta): RequestMeta,
    s: Session,
    Path(department): Path<i64>,
    JsonBody(b): JsonBody<VisibilityBody>,
) -> ApiResult<axum::http::StatusCode> {
    let directory = &state.domain.directory;
    directory
        .set_visibility_rule(&actor(s), &meta, department, b.visible)
        .await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResignBody {
    handover_to: String,
}

/// POST /api/v1/directory/members/{userid}/resign
pub async fn resign(
    State(state): State<AppState>,
    RequestMeta(meta): RequestMeta,
    s: Session,
    Path(userid): Path<String>,
    JsonBody(b): JsonBody<ResignBody>,
) -> ApiResult<Json<Value>> {
    let resignations = &state.domain.resignations;
    let handover = resignations
        .resign(&actor(s), &meta, &userid, &b.handover_to)
        .await?;
    Ok(Json(json!(handover)))
}

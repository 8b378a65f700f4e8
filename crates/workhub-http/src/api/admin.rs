//! Company administration: everyone's sessions, device approvals, the security policy, audit.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};
use workhub_core::UserId;
use workhub_domain::accounts::SecurityPolicy;
use workhub_domain::limits::RateLimits;
use workhub_store::audit::AuditFilter;

use crate::AppState;
use crate::error::ApiResult;
use crate::extract::{JsonBody, QueryArgs, RequestMeta, Session};

#[derive(Deserialize)]
pub struct SessionsArgs {
    userid: Option<String>,
}

/// GET /api/v1/admin/sessions?userid=
pub async fn sessions(
    State(state): State<AppState>,
    Session(who): Session,
    QueryArgs(q): QueryArgs<SessionsArgs>,
) -> ApiResult<Json<Value>> {
    let userid = q
        .userid
        .filter(|u| !u.trim().is_empty())
        .map(|u| UserId::parse(&u))
        .transpose()?;
    let list = state
        .domain
        .accounts
        .list_sessions(&who, userid.as_ref(), true)
        .await?;
    Ok(Json(json!({ "sessions": list })))
}

/// DELETE /api/v1/admin/sessions/{id}
pub async fn revoke_session(
    State(state): State<AppState>,
    RequestMeta(meta): RequestMeta,
    Session(who): Session,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    state
        .domain
        .accounts
        .revoke_session(&who, &meta, &id, true)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// GET /api/v1/admin/device-approvals
pub async fn approvals(
    State(state): State<AppState>,
    Session(who): Session,
) -> ApiResult<Json<Value>> {
    let list = state.domain.accounts.list_approvals(&who, true).await?;
    Ok(Json(json!({ "approvals": list })))
}

/// GET /api/v1/admin/security-policy
pub async fn policy(
    State(state): State<AppState>,
    Session(who): Session,
) -> ApiResult<Json<SecurityPolicy>> {
    Ok(Json(state.domain.accounts.policy_for_admin(&who).await?))
}

/// PUT /api/v1/admin/security-policy
pub async fn save_policy(
    State(state): State<AppState>,
    RequestMeta(meta): RequestMeta,
    Session(who): Session,
    JsonBody(policy): JsonBody<SecurityPolicy>,
) -> ApiResult<Json<SecurityPolicy>> {
    Ok(Json(
        state
            .domain
            .accounts
            .save_policy(&who, &meta, policy)
            .await?,
    ))
}

#[derive(Deserialize)]
pub struct AuditArgs {
    actor: Option<String>,
    action: Option<String>,
    outcome: Option<String>,
    from: Option<i64>,
    to: Option<i64>,
    limit: Option<i64>,
    cursor: Option<String>,
}

impl AuditArgs {
    fn filter(self) -> AuditFilter {
        let some = |s: Option<String>| s.map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
        AuditFilter {
            actor: some(self.actor),
            action: some(self.action),
            outcome: some(self.outcome),
            from: self.from,
            to: self.to,
            before_id: some(self.cursor),
            limit: self.limit.unwrap_or(50),
        }
    }
}

/// GET /api/v1/admin/audit
pub async fn audit(
    State(state): State<AppState>,
    Session(who): Session,
    QueryArgs(q): QueryArgs<AuditArgs>,
) -> ApiResult<Json<Value>> {
    let filter = q.filter();
    let limit = filter.limit;
    let entries = state.domain.audit.list(&who, filter).await?;
    let full = i64::try_from(entries.len()).unwrap_or(0)
        >= limit.clamp(1, workhub_domain::audit::MAX_PAGE);
    let next = if full {
        entries.last().map(|e| e.id.clone())
    } else {
        None
    };
    let entries: Vec<Value> = entries
        .iter()
        .map(|e| json!({ "id": e.id, "time": e.time, "actor": e.actor, "action": e.action, "target": e.target, "ip": e.ip, "user_agent": e.user_agent, "outcome": e.outcome }))
        .collect();
    Ok(Json(json!({ "entries": entries, "next_cursor": next })))
}

/// GET /api/v1/admin/audit/export.csv
pub async fn audit_csv(
    State(state): State<AppState>,
    RequestMeta(meta): RequestMeta,
    Session(who): Session,
    QueryArgs(q): QueryArgs<AuditArgs>,
) -> ApiResult<Response> {
    let csv = state
        .domain
        .audit
        .export_csv(&who, &meta, q.filter())
        .await?;
    let headers = [
        (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
        (
            header::CONTENT_DISPOSITION,
            "attachment; filename=\"audit-log.csv\"",
        ),
    ];
    Ok((headers, csv).into_response())
}

/// GET /api/v1/admin/rate-limits
pub async fn rate_limits(
    State(state): State<AppState>,
    Session(who): Session,
) -> ApiResult<Json<Value>> {
    let (limits, apps) = state.domain.limits.overview(&who).await?;
    Ok(Json(json!({ "limits": limits, "apps": apps })))
}

/// PUT /api/v1/admin/rate-limits
pub async fn save_rate_limits(
    State(state): State<AppState>,
    RequestMeta(meta): RequestMeta,
    Session(who): Session,
    JsonBody(limits): JsonBody<RateLimits>,
) -> ApiResult<Json<RateLimits>> {
    Ok(Json(state.domain.limits.save(&who, &meta, limits).await?))
}

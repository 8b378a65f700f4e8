//! The audit context: records every security-relevant action, lists and exports them.

use workhub_core::Error;
use workhub_store::audit::{AuditFilter, AuditRecord};

use crate::authz::catalogue as p;
use crate::context::{Actor, Meta, UserActor};
use crate::{Deps, StoreResultExt};

/// Largest page of the audit log.
pub const MAX_PAGE: i64 = 500;
/// Most rows one CSV export holds.
pub const MAX_EXPORT: i64 = 50_000;

#[derive(Clone)]
pub struct Audit {
    deps: Deps,
}

impl Audit {
    pub(crate) fn new(deps: Deps) -> Self {
        Self { deps }
    }

    /// Writes one record. Failing to audit is logged, and does not undo the action.
    pub async fn record(
        &self,
        corp_id: &str,
        actor: &Actor,
        meta: &Meta,
        action: &str,
        target: &str,
        outcome: Result<(), &Error>,
    ) {
        self.record_named(corp_id, &actor.audit_name(), meta, action, target, outcome)
            .await;
    }

    /// `record` for an actor known only by name (a message's sender: member, app or robot).
    pub async fn record_named(
        &self,
        corp_id: &str,
        actor: &str,
        meta: &Meta,
        action: &str,
        target: &str,
        outcome: Result<(), &Error>,
    ) {
        let record = AuditRecord {
            id: uuid::Uuid::now_v7().to_string(),
            corp_id: corp_id.to_string(),
            time: self.deps.now(),
            actor: actor.to_string(),
            action: action.to_string(),
            target: target.to_string(),
            ip: meta.ip.clone(),
            user_agent: meta.user_agent.clone(),
            outcome: match outcome {
                Ok(()) => "success".to_string(),
                Err(e) => format!("failure:{}", e.code.name()),
            },
        };
        if let Err(e) = self.deps.stores.audit.append_audit(record).await {
            tracing::error!(error = %e, action, "could not write an audit record");
        }
    }

    /// A page of the company's log, newest first. Admins only.
    pub async fn list(
        &self,
        who: &UserActor,
        mut filter: AuditFilter,
    ) -> Result<Vec<AuditRecord>, Error> {
        who.require(p::AUDIT_LOG_READ)?;
        filter.limit = filter.limit.clamp(1, MAX_PAGE);
        self.deps
            .stores
            .audit
            .list_audit(who.corp_id.as_str(), &filter)
            .await
            .or_internal()
    }

    /// The matching records as CSV (with a UTF-8 byte-order mark so spreadsheet programs read
    /// Chinese correctly). Admins only; the export itself is audited.
    pub async fn export_csv(
        &self,
        who: &UserActor,
        meta: &Meta,
        mut filter: AuditFilter,
    ) -> Result<String, Error> {
        who.require(p::AUDIT_LOG_EXPORT)?;
        let mut out = String::from("\u{feff}id,time,actor,action,target,ip,user_agent,outcome\n");
        filter.limit = MAX_PAGE;
        let mut rows = 0;
        loop {
            let page = self
                .deps
                .stores
                .audit
                .list_audit(who.corp_id.as_str(), &filter)
                .await
                .or_internal()?;
            for r in &page {
                let fields = [
                    &r.id,
                    &r.time.to_string(),
                    &r.actor,
                    &r.action,
                    &r.target,
                    &r.ip,
                    &r.user_agent,
                    &r.outcome,
                ];
                let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
                out.push_str(&line.join(","));
                out.push('\n');
            }
            rows += i64::try_from(page.len()).unwrap_or(0);
            match page.last() {
                Some(last)
                    if i64::try_from(page.len()).unwrap_or(0) == MAX_PAGE && rows < MAX_EXPORT =>
                {
                    filter.before_id = Some(last.id.clone());
                }
                _ => break,
            }
        }
        let actor = Actor::User(who.clone());
        self.record(
            who.corp_id.as_str(),
            &actor,
            meta,
            "audit.export",
            "",
            Ok(()),
        )
        .await;
        Ok(out)
    }
}

/// Quotes a CSV field when needed, and defuses spreadsheet formulas.
fn csv_field(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@']) {
        format!("'{value}")
    } else {
        value.to_string()
    };
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

#[cfg(test)]
mod tests {
    use super::csv_field;

    #[test]
    fn csv_fields_are_quoted_and_formulas_defused() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=SUM(A1)"), "'=SUM(A1)");
    }
}

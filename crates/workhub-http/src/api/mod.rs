//! The native JSON API under `/api/v1`: thin translators from HTTP to domain calls.

pub mod admin;
pub mod apps;
pub mod auth;
pub mod directory;
pub mod me;
pub mod messaging;
pub mod openapi;
pub mod operator;
pub mod roles;
pub mod signup;
pub mod socket;
pub mod sync;
pub mod uploads;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{delete, get, patch, post, put};

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/auth/login", post(auth::login))
        .route("/auth/device-approvals/{id}", get(auth::poll_approval))
        .route(
            "/auth/password/expired",
            post(auth::change_expired_password),
        )
        .route("/auth/logout", post(auth::logout))
        .route("/me", get(me::me))
        .route("/me/password", post(me::change_password))
        .route("/me/totp/setup", post(me::totp_setup))
        .route("/me/totp/enable", post(me::totp_enable))
        .route("/me/totp/disable", post(me::totp_disable))
        .route("/me/sessions", get(me::sessions))
        .route("/me/sessions/{id}", delete(me::revoke_session))
        .route("/me/device-approvals", get(me::approvals))
        .route("/device-approvals/{id}/approve", post(me::approve))
        .route("/device-approvals/{id}/reject", post(me::reject))
        .route("/admin/sessions", get(admin::sessions))
        .route("/admin/sessions/{id}", delete(admin::revoke_session))
        .route("/admin/device-approvals", get(admin::approvals))
        .route(
            "/admin/security-policy",
            get(admin::policy).put(admin::save_policy),
        )
        .route(
            "/admin/rate-limits",
            get(admin::rate_limits).put(admin::save_rate_limits),
        )
        .route(
            "/admin/messaging",
            get(messaging::settings).put(messaging::save_settings),
        )
        .route(
            "/admin/sensitive-words",
            get(messaging::sensitive_words).put(messaging::save_sensitive_words),
        )
        .route(
            "/admin/sensitive-words/import",
            post(messaging::import_sensitive_words).layer(DefaultBodyLimit::max(4 * 1024 * 1024)),
        )
        .route("/admin/permissions", get(roles::permissions))
        .route("/admin/roles", get(roles::list).post(roles::create))
        .route(
            "/admin/roles/{id}",
            patch(roles::update).delete(roles::delete),
        )
        .route(
            "/admin/roles/{id}/holders/{userid}",
            put(roles::assign).delete(roles::unassign),
        )
        .route("/admin/audit", get(admin::audit))
        .route("/admin/audit/export.csv", get(admin::audit_csv))
        .route("/apps", get(apps::names))
        .route("/admin/apps", get(apps::list).post(apps::create))
        .route("/admin/apps/{agentid}", patch(apps::update))
        .route("/admin/apps/{agentid}/secret", post(apps::rotate))
        .route("/admin/contacts-secret", post(apps::rotate_contacts))
        .route("/sync", get(sync::sync))
        .route("/sync/latest", get(sync::latest))
        .route("/ws", get(socket::ws))
        .route(
            "/uploads/licence",
            post(signup::upload).layer(DefaultBodyLimit::max(
                workhub_domain::signup::MAX_UPLOAD + 1024,
            )),
        )
        .route("/signup", post(signup::start))
        .route("/signup/{id}", get(signup::view))
        .route("/signup/{id}/bank", post(signup::bank))
        .route("/signup/{id}/bank/confirm", post(signup::confirm_bank))
        .route("/signup/{id}/admin", post(signup::admin))
        .route("/signup/{id}/details", post(signup::details))
        .route("/operator/status", get(operator::status))
        .route("/operator/login", post(operator::login))
        .route("/operator/logout", post(operator::logout))
        .route("/operator/me", get(operator::me))
        .route("/operator/signups", get(operator::signups))
        .route(
            "/operator/signups/{id}/bank-code",
            post(operator::bank_code),
        )
        .route("/operator/corps", get(operator::corps))
        .route("/operator/corps/{corpid}/verify", post(operator::verify))
        .route("/operator/corps/{corpid}/edition", put(operator::edition))
        .route("/operator/files/{id}", get(operator::file))
        .route("/auth/activate", post(directory::activate))
        .route(
            "/directory/departments",
            get(directory::departments).post(directory::create_department),
        )
        .route(
            "/directory/departments/{id}",
            patch(directory::update_department).delete(directory::delete_department),
        )
        .route(
            "/directory/members",
            get(directory::members).post(directory::create_member),
        )
        .route(
            "/directory/members/{userid}",
            get(directory::member)
                .patch(directory::update_member)
                .delete(directory::delete_member),
        )
        .route(
            "/directory/members/{userid}/disable",
            post(directory::disable_member),
        )
        .route(
            "/directory/members/{userid}/enable",
            post(directory::enable_member),
        )
        .route(
            "/directory/members/{userid}/resign",
            post(directory::resign),
        )
        .route(
            "/directory/members/{userid}/invite",
            post(directory::invite),
        )
        .route("/directory/search", get(directory::search))
        .route("/directory/visibility", get(directory::visibility))
        .route(
            "/directory/visibility/{department}",
            put(directory::set_visibility),
        )
        .route(
            "/directory/import/preview",
            post(directory::import_preview).layer(DefaultBodyLimit::max(20 * 1024 * 1024)),
        )
        .route(
            "/directory/import/{import_id}/apply",
            post(directory::import_apply),
        )
        .route("/directory/jobs/{jobid}", get(directory::job))
        .route("/directory/export.csv", get(directory::export))
        .route("/directory/export.xlsx", get(directory::export))
        .route("/directory/departments/export.csv", get(directory::export))
        .route("/directory/departments/export.xlsx", get(directory::export))
        .route(
            "/directory/departments/import/preview",
            post(directory::import_departments_preview)
                .layer(DefaultBodyLimit::max(20 * 1024 * 1024)),
        )
        .route(
            "/directory/departments/import/{import_id}/apply",
            post(directory::import_departments_apply),
        )
        .route(
            "/directory/tags",
            get(directory::tags).post(directory::create_tag),
        )
        .route(
            "/directory/tags/{id}",
            get(directory::tag)
                .patch(directory::rename_tag)
                .delete(directory::delete_tag),
        )
        .route(
            "/directory/tags/{id}/members",
            post(directory::add_tag_members),
        )
        .route(
            "/directory/tags/{id}/members/remove",
            post(directory::remove_tag_members),
        )
        .route("/conversations", get(messaging::list).post(messaging::open))
        .route(
            "/conversations/{id}",
            get(messaging::detail).patch(messaging::update),
        )
        .route("/conversations/{id}/leave", post(messaging::leave))
        .route("/conversations/{id}/prefs", put(messaging::prefs))
        .route(
            "/conversations/{id}/messages",
            get(messaging::history).post(messaging::send),
        )
        .route("/conversations/{id}/read", post(messaging::read))
        .route("/conversations/{id}/robots", post(messaging::add_robot))
        .route(
            "/conversations/{id}/robots/{hint}",
            delete(messaging::remove_robot),
        )
        .route("/messages/forward", post(messaging::forward))
        .route("/search/messages", get(messaging::search))
        .route("/messages/{id}", get(messaging::message))
        .route("/messages/{id}/receipts", get(messaging::receipts))
        .route("/messages/{id}/recall", post(messaging::recall))
        .route("/messages/{id}/reactions", post(messaging::react))
        .route(
            "/uploads",
            get(uploads::unfinished)
                .post(uploads::create)
                .options(uploads::options),
        )
        .route(
            "/uploads/{id}",
            axum::routing::head(uploads::head)
                .patch(uploads::patch)
                .delete(uploads::terminate)
                .layer(DefaultBodyLimit::disable()),
        )
        .route("/files/{id}", get(uploads::download))
        .route("/files/{id}/thumbnail", get(uploads::thumbnail))
        .route("/openapi.json", get(openapi::document))
}

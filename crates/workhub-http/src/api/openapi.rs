//! The OpenAPI 3 document of `/api/v1`, built from one table of the routes, so a test can
//! prove every route is documented.

use axum::Json;
use serde_json::{Map, Value, json};

/// (method, path, tag, summary)
pub const OPERATIONS: &[(&str, &str, &str, &str)] = &[
    (
        "post",
        "/api/v1/auth/login",
        "auth",
        "Sign in with userid, mobile or email and password",
    ),
    (
        "get",
        "/api/v1/auth/device-approvals/{id}",
        "auth",
        "Poll a sign-in waiting for device approval",
    ),
    (
        "post",
        "/api/v1/auth/password/expired",
        "auth",
        "Change an expired password",
    ),
    (
        "post",
        "/api/v1/auth/logout",
        "auth",
        "Sign out of this session",
    ),
    (
        "get",
        "/api/v1/me",
        "me",
        "The signed-in member and their company",
    ),
    ("post", "/api/v1/me/password", "me", "Change my password"),
    (
        "post",
        "/api/v1/me/totp/setup",
        "me",
        "Start two-factor set-up",
    ),
    ("post", "/api/v1/me/totp/enable", "me", "Turn two-factor on"),
    (
        "post",
        "/api/v1/me/totp/disable",
        "me",
        "Turn two-factor off",
    ),
    (
        "get",
        "/api/v1/me/sessions",
        "me",
        "My sessions and devices",
    ),
    (
        "delete",
        "/api/v1/me/sessions/{id}",
        "me",
        "Revoke one of my sessions",
    ),
    (
        "get",
        "/api/v1/me/device-approvals",
        "me",
        "Sign-ins of mine waiting for approval",
    ),
    (
        "post",
        "/api/v1/device-approvals/{id}/approve",
        "me",
        "Approve a waiting sign-in",
    ),
    (
        "post",
        "/api/v1/device-approvals/{id}/reject",
        "me",
        "Reject a waiting sign-in",
    ),
    (
        "get",
        "/api/v1/admin/sessions",
        "admin",
        "Everyone's sessions",
    ),
    (
        "delete",
        "/api/v1/admin/sessions/{id}",
        "admin",
        "Revoke anyone's session",
    ),
    (
        "get",
        "/api/v1/admin/device-approvals",
        "admin",
        "Sign-ins waiting for approval",
    ),
    (
        "get",
        "/api/v1/admin/security-policy",
        "admin",
        "The security policy",
    ),
    (
        "put",
        "/api/v1/admin/security-policy",
        "admin",
        "Replace the security policy",
    ),
    (
        "get",
        "/api/v1/admin/rate-limits",
        "admin",
        "API rate limits and each app's remaining budget",
    ),
    (
        "put",
        "/api/v1/admin/rate-limits",
        "admin",
        "Set the company's API rate limits",
    ),
    (
        "post",
        "/api/v1/directory/members/{userid}/resign",
        "directory",
        "A member leaves: disabled, their groups handed to a successor",
    ),
    (
        "get",
        "/api/v1/directory/visibility",
        "directory",
        "Which parts of the tree each department's members see",
    ),
    (
        "put",
        "/api/v1/directory/visibility/{department}",
        "directory",
        "Set or remove a department's visibility rule",
    ),
    (
        "post",
        "/api/v1/directory/departments/import/preview",
        "directory",
        "Preview a department-tree file (CSV or XLSX)",
    ),
    (
        "post",
        "/api/v1/directory/departments/import/{import_id}/apply",
        "directory",
        "Import a previewed department-tree file",
    ),
    (
        "get",
        "/api/v1/directory/export.xlsx",
        "directory",
        "Every member as an Excel workbook",
    ),
    (
        "get",
        "/api/v1/directory/departments/export.csv",
        "directory",
        "The department tree as CSV",
    ),
    (
        "get",
        "/api/v1/directory/departments/export.xlsx",
        "directory",
        "The department tree as an Excel workbook",
    ),
    (
        "get",
        "/api/v1/admin/permissions",
        "admin",
        "The permission catalogue",
    ),
    (
        "get",
        "/api/v1/admin/roles",
        "admin",
        "Admin roles with their permissions and holders",
    ),
    (
        "post",
        "/api/v1/admin/roles",
        "admin",
        "Create a custom role",
    ),
    (
        "patch",
        "/api/v1/admin/roles/{id}",
        "admin",
        "Change a custom role",
    ),
    (
        "delete",
        "/api/v1/admin/roles/{id}",
        "admin",
        "Delete a custom role nobody holds",
    ),
    (
        "put",
        "/api/v1/admin/roles/{id}/holders/{userid}",
        "admin",
        "Give a member a role, over departments or the whole company",
    ),
    (
        "delete",
        "/api/v1/admin/roles/{id}/holders/{userid}",
        "admin",
        "Take a role from a member",
    ),
    (
        "get",
        "/api/v1/admin/audit",
        "admin",
        "The audit log, newest first",
    ),
    (
        "get",
        "/api/v1/admin/audit/export.csv",
        "admin",
        "The audit log as CSV",
    ),
    ("get", "/api/v1/admin/apps", "admin", "Self-built apps"),
    (
        "post",
        "/api/v1/admin/apps",
        "admin",
        "Create an app (its secret is shown once)",
    ),
    (
        "patch",
        "/api/v1/admin/apps/{agentid}",
        "admin",
        "Rename, enable or disable an app, set its visible range and trusted addresses",
    ),
    (
        "post",
        "/api/v1/admin/apps/{agentid}/secret",
        "admin",
        "A new secret for an app (shown once)",
    ),
    (
        "post",
        "/api/v1/admin/contacts-secret",
        "admin",
        "A new contacts-sync secret (shown once)",
    ),
    (
        "get",
        "/api/v1/sync",
        "events",
        "Events of my stream (or of a large group's: ?conversation=ID) after a seq; 410 sync_expired when they were pruned",
    ),
    (
        "get",
        "/api/v1/sync/latest",
        "events",
        "The newest seq of my stream and of my large groups' streams (where a new device starts)",
    ),
    (
        "get",
        "/api/v1/ws",
        "events",
        "WebSocket: catch up from a seq (and large groups' positions), then live events; a reset frame when they were pruned",
    ),
    (
        "post",
        "/api/v1/uploads/licence",
        "signup",
        "Upload a business licence or logo",
    ),
    (
        "post",
        "/api/v1/signup",
        "signup",
        "Sign-up step 1: company details",
    ),
    (
        "get",
        "/api/v1/signup/{id}",
        "signup",
        "Where a sign-up stands",
    ),
    (
        "post",
        "/api/v1/signup/{id}/bank",
        "signup",
        "Sign-up step 2: corporate bank account",
    ),
    (
        "post",
        "/api/v1/signup/{id}/bank/confirm",
        "signup",
        "Confirm the payment code",
    ),
    (
        "post",
        "/api/v1/signup/{id}/admin",
        "signup",
        "Sign-up step 3: administrator",
    ),
    (
        "post",
        "/api/v1/signup/{id}/details",
        "signup",
        "Sign-up step 4: information",
    ),
    (
        "get",
        "/api/v1/operator/status",
        "operator",
        "Whether an operator account exists",
    ),
    (
        "post",
        "/api/v1/operator/login",
        "operator",
        "Operator sign-in",
    ),
    (
        "post",
        "/api/v1/operator/logout",
        "operator",
        "Operator sign-out",
    ),
    (
        "get",
        "/api/v1/operator/me",
        "operator",
        "The signed-in operator",
    ),
    (
        "get",
        "/api/v1/operator/signups",
        "operator",
        "Sign-ups to review",
    ),
    (
        "post",
        "/api/v1/operator/signups/{id}/bank-code",
        "operator",
        "Record the payment code",
    ),
    ("get", "/api/v1/operator/corps", "operator", "Companies"),
    (
        "post",
        "/api/v1/operator/corps/{corpid}/verify",
        "operator",
        "Verify a company",
    ),
    (
        "put",
        "/api/v1/operator/corps/{corpid}/edition",
        "operator",
        "Set a company's edition",
    ),
    (
        "get",
        "/api/v1/operator/files/{id}",
        "operator",
        "Download an uploaded file",
    ),
    (
        "post",
        "/api/v1/auth/activate",
        "auth",
        "Set a password with an invitation link",
    ),
    (
        "get",
        "/api/v1/directory/departments",
        "directory",
        "The department tree",
    ),
    (
        "post",
        "/api/v1/directory/departments",
        "directory",
        "Create a department",
    ),
    (
        "patch",
        "/api/v1/directory/departments/{id}",
        "directory",
        "Rename, reorder or move a department",
    ),
    (
        "delete",
        "/api/v1/directory/departments/{id}",
        "directory",
        "Delete an empty department",
    ),
    (
        "get",
        "/api/v1/directory/members",
        "directory",
        "Members of a department, or everyone",
    ),
    (
        "post",
        "/api/v1/directory/members",
        "directory",
        "Add a member",
    ),
    (
        "get",
        "/api/v1/directory/members/{userid}",
        "directory",
        "One member",
    ),
    (
        "patch",
        "/api/v1/directory/members/{userid}",
        "directory",
        "Change a member",
    ),
    (
        "delete",
        "/api/v1/directory/members/{userid}",
        "directory",
        "Delete a member",
    ),
    (
        "post",
        "/api/v1/directory/members/{userid}/disable",
        "directory",
        "Disable a member",
    ),
    (
        "post",
        "/api/v1/directory/members/{userid}/enable",
        "directory",
        "Enable a member",
    ),
    (
        "post",
        "/api/v1/directory/members/{userid}/invite",
        "directory",
        "An activation link for a member",
    ),
    (
        "post",
        "/api/v1/directory/import/preview",
        "directory",
        "Check a member CSV file: what it would change, and every problem by row",
    ),
    (
        "post",
        "/api/v1/directory/import/{import_id}/apply",
        "directory",
        "Run a previewed import as a background job",
    ),
    (
        "get",
        "/api/v1/directory/jobs/{jobid}",
        "directory",
        "Progress and results of an import job",
    ),
    (
        "get",
        "/api/v1/directory/export.csv",
        "directory",
        "Every member as CSV in the import template",
    ),
    (
        "get",
        "/api/v1/directory/search",
        "directory",
        "Find members by name, pinyin, initials, alias, mobile, email or userid",
    ),
    ("get", "/api/v1/directory/tags", "directory", "Tags"),
    (
        "post",
        "/api/v1/directory/tags",
        "directory",
        "Create a tag",
    ),
    (
        "get",
        "/api/v1/directory/tags/{id}",
        "directory",
        "A tag with its members",
    ),
    (
        "patch",
        "/api/v1/directory/tags/{id}",
        "directory",
        "Rename a tag",
    ),
    (
        "delete",
        "/api/v1/directory/tags/{id}",
        "directory",
        "Delete a tag",
    ),
    (
        "post",
        "/api/v1/directory/tags/{id}/members",
        "directory",
        "Add members or departments to a tag",
    ),
    (
        "post",
        "/api/v1/directory/tags/{id}/members/remove",
        "directory",
        "Remove members or departments from a tag",
    ),
    (
        "get",
        "/api/v1/conversations",
        "messaging",
        "My conversations, pinned first, then most recently active",
    ),
    (
        "post",
        "/api/v1/conversations",
        "messaging",
        "Open a direct chat (idempotent) or create a group",
    ),
    (
        "get",
        "/api/v1/conversations/{id}",
        "messaging",
        "A conversation with its members and robots",
    ),
    (
        "patch",
        "/api/v1/conversations/{id}",
        "messaging",
        "Rename, announce, change owner or members of a group",
    ),
    (
        "post",
        "/api/v1/conversations/{id}/leave",
        "messaging",
        "Leave a group",
    ),
    (
        "put",
        "/api/v1/conversations/{id}/prefs",
        "messaging",
        "Pin or mute a conversation for oneself",
    ),
    (
        "get",
        "/api/v1/conversations/{id}/messages",
        "messaging",
        "Message history, older than `before`",
    ),
    (
        "post",
        "/api/v1/conversations/{id}/messages",
        "messaging",
        "Send a message (idempotent by client_msg_id)",
    ),
    (
        "post",
        "/api/v1/conversations/{id}/read",
        "messaging",
        "Mark messages read up to a seq",
    ),
    (
        "post",
        "/api/v1/conversations/{id}/robots",
        "messaging",
        "Add a group robot; its webhook key is shown once",
    ),
    (
        "delete",
        "/api/v1/conversations/{id}/robots/{hint}",
        "messaging",
        "Remove a group robot",
    ),
    (
        "post",
        "/api/v1/messages/forward",
        "messaging",
        "Forward messages, one by one or merged",
    ),
    (
        "get",
        "/api/v1/messages/{id}/receipts",
        "messaging",
        "Who has and has not read a message",
    ),
    (
        "post",
        "/api/v1/messages/{id}/recall",
        "messaging",
        "Recall a message",
    ),
    (
        "get",
        "/api/v1/admin/messaging",
        "admin",
        "Messaging settings (message retention in days)",
    ),
    (
        "put",
        "/api/v1/admin/messaging",
        "admin",
        "Change messaging settings",
    ),
    (
        "get",
        "/api/v1/admin/sensitive-words",
        "admin",
        "The company's sensitive words and their actions",
    ),
    (
        "put",
        "/api/v1/admin/sensitive-words",
        "admin",
        "Replace the sensitive-word list",
    ),
    (
        "post",
        "/api/v1/admin/sensitive-words/import",
        "admin",
        "Replace the list from a text file (one word or word,action per line)",
    ),
    (
        "post",
        "/api/v1/messages/{id}/reactions",
        "messaging",
        "Add or take back an emoji reaction",
    ),
    (
        "get",
        "/api/v1/messages/{id}",
        "messaging",
        "One message of a conversation you are in",
    ),
    (
        "get",
        "/api/v1/apps",
        "apps",
        "Enabled apps' ids and names (to name app senders)",
    ),
    (
        "get",
        "/api/v1/uploads",
        "files",
        "The caller's unfinished uploads, to resume from any device",
    ),
    (
        "post",
        "/api/v1/uploads",
        "files",
        "Start a tus upload (creation)",
    ),
    (
        "options",
        "/api/v1/uploads",
        "files",
        "tus capabilities: version, extensions, max size, checksum algorithms",
    ),
    (
        "head",
        "/api/v1/uploads/{id}",
        "files",
        "A tus upload's offset (resume from here)",
    ),
    (
        "patch",
        "/api/v1/uploads/{id}",
        "files",
        "Append bytes to a tus upload at Upload-Offset",
    ),
    (
        "delete",
        "/api/v1/uploads/{id}",
        "files",
        "Cancel a tus upload (termination)",
    ),
    (
        "get",
        "/api/v1/files/{id}",
        "files",
        "Download a file, whole or by Range",
    ),
    (
        "get",
        "/api/v1/search/messages",
        "messaging",
        "Full-text search (Chinese and English) over the messages you can see, with highlights",
    ),
    (
        "get",
        "/api/v1/files/{id}/thumbnail",
        "files",
        "An image's thumbnail (PNG, at most 320x320)",
    ),
    ("get", "/api/v1/openapi.json", "meta", "This document"),
];

/// GET /api/v1/openapi.json
pub async fn document() -> Json<Value> {
    let mut paths = Map::new();
    for (method, path, tag, summary) in OPERATIONS {
        let params: Vec<Value> = path
            .split('/')
            .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .map(|name| json!({ "name": name, "in": "path", "required": true, "schema": { "type": "string" } }))
            .collect();
        let op = json!({
            "tags": [tag],
            "summary": summary,
            "parameters": params,
            "responses": {
                "200": { "description": "Success" },
                "default": { "description": "Error", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } }
            }
        });
        let entry = paths.entry(path.to_string()).or_insert_with(|| json!({}));
        if let Some(obj) = entry.as_object_mut() {
            obj.insert(method.to_string(), op);
        }
    }
    Json(json!({
        "openapi": "3.0.3",
        "info": { "title": "Workhub API", "version": env!("CARGO_PKG_VERSION"), "description": "The native JSON API of Workhub. See docs/api-v1.md for bodies and answers." },
        "paths": paths,
        "components": { "schemas": { "Error": {
            "type": "object",
            "required": ["code", "message", "request_id"],
            "properties": { "code": { "type": "string" }, "message": { "type": "string" }, "request_id": { "type": "string" } }
        } } }
    }))
}

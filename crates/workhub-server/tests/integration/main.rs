//! The integration suite: the real server on an ephemeral port, over HTTP and WebSocket, on
//! SQLite and (when `WORKHUB_TEST_DATABASE_URL` is set) on PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod accounts;
mod apps;
mod cli;
mod cluster;
mod directory;
mod errors;
mod events;
mod import;
mod large_groups;
mod messaging;
mod roles;
mod search;
mod signup;
mod support;
mod tenancy;
mod tls;
mod uploads;
mod wecom;
mod wecom_messages;

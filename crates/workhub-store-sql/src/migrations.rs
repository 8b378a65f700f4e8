//! Schema migrations, embedded in the binary: one folder per dialect, same version numbers.

use std::borrow::Cow;

use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::{AnyPool, Row, SqlSafeStr};
use workhub_store::{StoreError, StoreResult};

use crate::{Backend, backend_error};

/// (version, description, SQLite text, PostgreSQL text)
const MIGRATIONS: &[(i64, &str, &str, &str)] = &[
    (
        1,
        "create_foundation",
        include_str!("../migrations/sqlite/0001_create_foundation.sql"),
        include_str!("../migrations/postgres/0001_create_foundation.sql"),
    ),
    (
        2,
        "create_directory",
        include_str!("../migrations/sqlite/0002_create_directory.sql"),
        include_str!("../migrations/postgres/0002_create_directory.sql"),
    ),
    (
        3,
        "add_rate_limits",
        include_str!("../migrations/sqlite/0003_add_rate_limits.sql"),
        include_str!("../migrations/postgres/0003_add_rate_limits.sql"),
    ),
    (
        4,
        "add_search_keys",
        include_str!("../migrations/sqlite/0004_add_search_keys.sql"),
        include_str!("../migrations/postgres/0004_add_search_keys.sql"),
    ),
    (
        5,
        "add_directory_version",
        include_str!("../migrations/sqlite/0005_add_directory_version.sql"),
        include_str!("../migrations/postgres/0005_add_directory_version.sql"),
    ),
    (
        6,
        "add_app_settings",
        include_str!("../migrations/sqlite/0006_add_app_settings.sql"),
        include_str!("../migrations/postgres/0006_add_app_settings.sql"),
    ),
    (
        7,
        "create_jobs",
        include_str!("../migrations/sqlite/0007_create_jobs.sql"),
        include_str!("../migrations/postgres/0007_create_jobs.sql"),
    ),
    (
        8,
        "create_messaging",
        include_str!("../migrations/sqlite/0008_create_messaging.sql"),
        include_str!("../migrations/postgres/0008_create_messaging.sql"),
    ),
    (
        9,
        "add_messaging_settings",
        include_str!("../migrations/sqlite/0009_add_messaging_settings.sql"),
        include_str!("../migrations/postgres/0009_add_messaging_settings.sql"),
    ),
    (
        10,
        "create_files",
        include_str!("../migrations/sqlite/0010_create_files.sql"),
        include_str!("../migrations/postgres/0010_create_files.sql"),
    ),
    (
        11,
        "index_messages_by_creation",
        include_str!("../migrations/sqlite/0011_index_messages_by_creation.sql"),
        include_str!("../migrations/postgres/0011_index_messages_by_creation.sql"),
    ),
    (
        12,
        "create_admin_roles",
        include_str!("../migrations/sqlite/0012_create_admin_roles.sql"),
        include_str!("../migrations/postgres/0012_create_admin_roles.sql"),
    ),
    (
        13,
        "create_department_visibility",
        include_str!("../migrations/sqlite/0013_create_department_visibility.sql"),
        include_str!("../migrations/postgres/0013_create_department_visibility.sql"),
    ),
    (
        14,
        "index_users_by_lower_email",
        include_str!("../migrations/sqlite/0014_index_users_by_lower_email.sql"),
        include_str!("../migrations/postgres/0014_index_users_by_lower_email.sql"),
    ),
    (
        15,
        "index_uploads_by_owner",
        include_str!("../migrations/sqlite/0015_index_uploads_by_owner.sql"),
        include_str!("../migrations/postgres/0015_index_uploads_by_owner.sql"),
    ),
    (
        16,
        "add_job_sources",
        include_str!("../migrations/sqlite/0016_add_job_sources.sql"),
        include_str!("../migrations/postgres/0016_add_job_sources.sql"),
    ),
    (
        17,
        "add_group_avatars",
        include_str!("../migrations/sqlite/0017_add_group_avatars.sql"),
        include_str!("../migrations/postgres/0017_add_group_avatars.sql"),
    ),
    (
        18,
        "count_admin_roles",
        include_str!("../migrations/sqlite/0018_count_admin_roles.sql"),
        include_str!("../migrations/postgres/0018_count_admin_roles.sql"),
    ),
    (
        19,
        "add_large_groups",
        include_str!("../migrations/sqlite/0019_add_large_groups.sql"),
        include_str!("../migrations/postgres/0019_add_large_groups.sql"),
    ),
    (
        20,
        "add_event_pruning",
        include_str!("../migrations/sqlite/0020_add_event_pruning.sql"),
        include_str!("../migrations/postgres/0020_add_event_pruning.sql"),
    ),
];

fn migrator(backend: Backend) -> Migrator {
    let list = MIGRATIONS
        .iter()
        .map(|(version, description, sqlite, postgres)| {
            let sql = if backend == Backend::Sqlite {
                sqlite
            } else {
                postgres
            };
            Migration::new(
                *version,
                Cow::Borrowed(*description),
                MigrationType::Simple,
                sql.into_sql_str(),
                false,
            )
        })
        .collect();
    Migrator::with_migrations(list)
}

pub(crate) async fn run(pool: &AnyPool, backend: Backend) -> StoreResult<()> {
    migrator(backend)
        .run(pool)
        .await
        .map_err(|e| StoreError::Backend(format!("migration failed: {e}")))
}

pub(crate) async fn latest_applied(pool: &AnyPool) -> StoreResult<i64> {
    let row = sqlx::query("SELECT COALESCE(MAX(version), 0) AS v FROM _sqlx_migrations")
        .fetch_one(pool)
        .await
        .map_err(backend_error)?;
    row.try_get::<i64, _>("v").map_err(backend_error)
}

/// The newest version this binary knows.
pub fn latest_known() -> i64 {
    MIGRATIONS.last().map(|m| m.0).unwrap_or(0)
}

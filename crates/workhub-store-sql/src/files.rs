//! Upload and file rows (the bytes are in blob storage).

use sqlx::Row;
use sqlx::any::AnyRow;
use workhub_core::{CorpId, UserId};
use workhub_store::StoreResult;
use workhub_store::files::{FileRecord, FileStore, Upload};

use crate::rows::RowResult;
use crate::{SqlStore, backend_error};

fn upload(row: &AnyRow) -> RowResult<Upload> {
    Ok(Upload {
        upload_id: row.try_get("upload_id")?,
        corp_id: CorpId::from_trusted(row.try_get("corp_id")?),
        userid: UserId::from_trusted(row.try_get("userid")?),
        length: row.try_get("length")?,
        offset: row.try_get("upload_offset")?,
        name: row.try_get("name")?,
        content_type: row.try_get("content_type")?,
        file_id: row.try_get("file_id")?,
        created_at: row.try_get("created_at")?,
        expires_at: row.try_get("expires_at")?,
    })
}

fn file(row: &AnyRow) -> RowResult<FileRecord> {
    Ok(FileRecord {
        corp_id: CorpId::from_trusted(row.try_get("corp_id")?),
        file_id: row.try_get("file_id")?,
        sha256: row.try_get("sha256")?,
        size: row.try_get("size")?,
        name: row.try_get("name")?,
        content_type: row.try_get("content_type")?,
        created_by: row.try_get("created_by")?,
        created_at: row.try_get("created_at")?,
    })
}

async fn insert_file(conn: &mut sqlx::AnyConnection, f: FileRecord) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO corp_files (corp_id, file_id, sha256, size, name, content_type, created_by, \
         created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(f.corp_id.to_string())
    .bind(f.file_id)
    .bind(f.sha256)
    .bind(f.size)
    .bind(f.name)
    .bind(f.content_type)
    .bind(f.created_by)
    .bind(f.created_at)
    .execute(conn)
    .await
    .map_err(backend_error)?;
    Ok(())
}

#[async_trait::async_trait]
impl FileStore for SqlStore {
    async fn create_upload(&self, u: Upload) -> StoreResult<()> {
        self.writer
            .run_traffic(move |conn| {
                Box::pin(async move {
                    sqlx::query(
                        "INSERT INTO uploads (upload_id, corp_id, userid, length, upload_offset, \
                         name, content_type, file_id, created_at, expires_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                    )
                    .bind(u.upload_id)
                    .bind(u.corp_id.to_string())
                    .bind(u.userid.to_string())
                    .bind(u.length)
                    .bind(u.offset)
                    .bind(u.name)
                    .bind(u.content_type)
                    .bind(u.file_id)
                    .bind(u.created_at)
                    .bind(u.expires_at)
                    .execute(conn)
                    .await
                    .map_err(backend_error)?;
                    Ok(())
                })
            })
            .await
    }

    async fn find_upload(&self, upload_id: &str) -> StoreResult<Option<Upload>> {
        let row = sqlx::query("SELECT * FROM uploads WHERE upload_id = $1")
            .bind(upload_id.to_string())
            .fetch_optional(&self.pool)
            .await
            .map_err(backend_error)?;
        row.as_ref().map(upload).transpose().map_err(backend_error)
    }

    async fn advance_upload(&self, upload_id: &str, from: i64, to: i64) -> StoreResult<bool> {
        let upload_id = upload_id.to_string();
        self.writer
            .run_traffic(move |conn| {
                Box::pin(async move {
                    let done = sqlx::query(
                        "UPDATE uploads SET upload_offset = $3 \
                         WHERE upload_id = $1 AND upload_offset = $2",
                    )
                    .bind(upload_id)
                    .bind(from)
                    .bind(to)
                    .execute(conn)
                    .await
                    .map_err(backend_error)?;
                    Ok(done.rows_affected() == 1)
                })
            })
            .await
    }

    async fn add_corp_file(&self, f: FileRecord) -> StoreResult<()> {
        self.writer
            .run_traffic(move |conn| Box::pin(async move { insert_file(conn, f).await }))
            .await
    }

    async fn finish_upload(&self, upload_id: &str, f: FileRecord) -> StoreResult<()> {
        let upload_id = upload_id.to_string();
        self.writer
            .run_traffic(move |conn| {
                Box::pin(async move {
                    let file_id = f.file_id.clone();
                    insert_file(conn, f).await?;
                    sqlx::query("UPDATE uploads SET file_id = $2 WHERE upload_id = $1")
                        .bind(upload_id)
                        .bind(file_id)
                        .execute(&mut *conn)
                        .await
                        .map_err(backend_error)?;
                    Ok(())
                })
            })
            .await
    }

    async fn delete_upload(&self, upload_id: &str) -> StoreResult<bool> {
        let upload_id = upload_id.to_string();
        self.writer
            .run_traffic(move |conn| {
                Box::pin(async move {
                    let done = sqlx::query("DELETE FROM uploads WHERE upload_id = $1")
                        .bind(upload_id)
                        .execute(conn)
                        .await
                        .map_err(backend_error)?;
                    Ok(done.rows_affected() == 1)
                })
            })
            .await
    }

    async fn list_open_uploads(
        &self,
        corp: &CorpId,
        userid: &UserId,
        now: i64,
    ) -> StoreResult<Vec<Upload>> {
        let rows = sqlx::query(
            "SELECT * FROM uploads WHERE corp_id = $1 AND userid = $2 AND file_id IS NULL \
             AND expires_at > $3 ORDER BY created_at DESC LIMIT 100",
        )
        .bind(corp.to_string())
        .bind(userid.to_string())
        .bind(now)
        .fetch_all(&self.pool)
        .await
        .map_err(backend_error)?;
        rows.iter()
            .map(upload)
            .collect::<Result<_, _>>()
            .map_err(backend_error)
    }

    async fn list_expired_uploads(&self, now: i64) -> StoreResult<Vec<Upload>> {
        let rows = sqlx::query(
            "SELECT * FROM uploads WHERE expires_at < $1 AND file_id IS NULL ORDER BY expires_at",
        )
        .bind(now)
        .fetch_all(&self.pool)
        .await
        .map_err(backend_error)?;
        rows.iter()
            .map(upload)
            .collect::<Result<_, _>>()
            .map_err(backend_error)
    }

    async fn find_corp_file(
        &self,
        corp: &CorpId,
        file_id: &str,
    ) -> StoreResult<Option<FileRecord>> {
        let row = sqlx::query("SELECT * FROM corp_files WHERE corp_id = $1 AND file_id = $2")
            .bind(corp.to_string())
            .bind(file_id.to_string())
            .fetch_optional(&self.pool)
            .await
            .map_err(backend_error)?;
        row.as_ref().map(file).transpose().map_err(backend_error)
    }

    async fn purge_unreferenced_files(
        &self,
        corp: &CorpId,
        before: i64,
    ) -> StoreResult<Vec<String>> {
        let corp = corp.clone();
        self.writer
            .run_traffic(move |conn| {
                Box::pin(async move {
                    // Messages name files by id inside their JSON content.
                    let gone = sqlx::query(
                        "DELETE FROM corp_files WHERE corp_id = $1 AND created_at < $2 \
                         AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.corp_id = $1 \
                         AND m.content LIKE '%' || corp_files.file_id || '%') RETURNING sha256",
                    )
                    .bind(corp.to_string())
                    .bind(before)
                    .fetch_all(&mut *conn)
                    .await
                    .map_err(backend_error)?;
                    let mut orphans: Vec<String> = Vec::new();
                    for row in gone {
                        let sha: String = row.try_get("sha256").map_err(backend_error)?;
                        let still = sqlx::query(
                            "SELECT 1 AS one FROM corp_files WHERE sha256 = $1 LIMIT 1",
                        )
                        .bind(sha.clone())
                        .fetch_optional(&mut *conn)
                        .await
                        .map_err(backend_error)?;
                        if still.is_none() && !orphans.contains(&sha) {
                            orphans.push(sha);
                        }
                    }
                    Ok(orphans)
                })
            })
            .await
    }
}

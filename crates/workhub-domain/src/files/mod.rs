//! Files: resumable uploads (the tus 1.0 protocol's semantics) and content-addressed storage.
//!
//! An upload's bytes are appended to a temporary file on disk, flushed to disk before its new
//! offset is recorded, so an acknowledged offset survives a crash or restart and the client
//! resumes from it. A chunk may carry a SHA-1 checksum; a mismatch discards that chunk only.
//! When the last byte arrives the file is hashed (SHA-256) and copied into blob storage (a
//! local folder or an S3-compatible bucket) under its hash, unless those bytes are already
//! there (deduplication).

mod blobs;

use std::path::{Path, PathBuf};

pub use blobs::Blobs;
pub use object_store::path::Path as BlobKey;

use base64::Engine;
use futures::{Stream, StreamExt};
use sha1::Sha1;
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};
use workhub_core::{Code, Error};
use workhub_store::files::{FileRecord, Upload};

use crate::accounts::policy::Platform;
use crate::context::UserActor;
use crate::{Deps, StoreResultExt};

/// Largest file (3 GiB: the security policy's default for desktop and web).
pub const MAX_SIZE: i64 = 3 * 1024 * 1024 * 1024;
/// Thumbnails fit in this square (pixels).
const THUMBNAIL_SIZE: u32 = 320;
/// Larger images get no thumbnail (decoding them would take too much memory).
const MAX_THUMBNAIL_SOURCE: i64 = 25 * 1024 * 1024;
/// How long an unfinished upload is kept.
pub const EXPIRES_AFTER_MS: i64 = 24 * 3600 * 1000;

#[derive(Clone)]
pub struct Files {
    deps: Deps,
    accounts: crate::accounts::Accounts,
    /// Uploads in progress, on this node's disk.
    root: PathBuf,
    blobs: Blobs,
}

/// What a client declares when it starts an upload.
#[derive(Debug, Clone, Default)]
pub struct NewUpload {
    pub length: i64,
    pub name: String,
    pub content_type: String,
}

fn io(e: std::io::Error) -> Error {
    tracing::error!(error = %e, "file storage failure");
    Error::new(Code::Internal)
}

impl Files {
    /// `root` holds `uploads/` (in progress); `blobs` the stored files and thumbnails.
    pub fn new(
        deps: Deps,
        accounts: crate::accounts::Accounts,
        root: PathBuf,
        blobs: Blobs,
    ) -> Files {
        Files {
            deps,
            accounts,
            root,
            blobs,
        }
    }

    /// Streams stored bytes (`range`: a part of them).
    pub async fn stream(
        &self,
        key: &BlobKey,
        range: Option<std::ops::Range<u64>>,
    ) -> Result<futures::stream::BoxStream<'static, std::io::Result<bytes::Bytes>>, Error> {
        self.blobs.stream(key, range).await
    }

    fn partial(&self, upload_id: &str) -> PathBuf {
        self.root.join("uploads").join(upload_id)
    }

    /// Makes the thumbnail of a stored image (PNG, at most 320×320), unless there is one. Not
    /// an image, or one that does not decode: no thumbnail, and no error (it is still a file).
    async fn make_thumbnail(&self, record: &FileRecord) {
        if !record.content_type.starts_with("image/") || record.size > MAX_THUMBNAIL_SOURCE {
            return;
        }
        let target = blobs::thumbnail_key(&record.sha256);
        if self.blobs.exists(&target).await.unwrap_or(true) {
            return;
        }
        let Ok(bytes) = self.blobs.get(&blobs::blob_key(&record.sha256)).await else {
            return;
        };
        let made = tokio::task::spawn_blocking(move || -> Result<Vec<u8>, String> {
            let image = image::load_from_memory(&bytes).map_err(|e| e.to_string())?;
            let mut png = std::io::Cursor::new(Vec::new());
            // Small images stay as they are: `thumbnail` would scale them up.
            let fits = image.width() <= THUMBNAIL_SIZE && image.height() <= THUMBNAIL_SIZE;
            let small = if fits {
                image
            } else {
                image.thumbnail(THUMBNAIL_SIZE, THUMBNAIL_SIZE)
            };
            small
                .write_to(&mut png, image::ImageFormat::Png)
                .map_err(|e| e.to_string())?;
            Ok(png.into_inner())
        })
        .await;
        match made {
            Ok(Ok(png)) => {
                if let Err(e) = self.blobs.put(&target, png).await {
                    tracing::warn!(file = %record.file_id, error = ?e, "could not keep a thumbnail");
                }
            }
            Ok(Err(e)) => {
                tracing::info!(file = %record.file_id, error = %e, "no thumbnail for this image")
            }
            Err(_) => {}
        }
    }

    /// The thumbnail of a company's image file, if it has one.
    pub async fn thumbnail(
        &self,
        who: &UserActor,
        file_id: &str,
    ) -> Result<(FileRecord, BlobKey), Error> {
        let (mut record, _) = self.open(who, file_id).await?;
        let key = blobs::thumbnail_key(&record.sha256);
        let size = self.blobs.size(&key).await?;
        record.size = i64::try_from(size).unwrap_or(0);
        record.content_type = "image/png".into();
        record.name = format!("{}.thumbnail.png", record.name);
        Ok((record, key))
    }

    /// POST /uploads
    pub async fn create(&self, who: &UserActor, new: NewUpload) -> Result<Upload, Error> {
        if new.length < 0 {
            return Err(Error::with(Code::InvalidRequest, "Upload-Length"));
        }
        // The company's limit for this kind of client (the security policy), within MAX_SIZE.
        let policy = self.accounts.policy(&who.corp_id).await?;
        let platform = Platform::parse(&who.platform).unwrap_or(Platform::Web);
        let limit = policy.max_upload_bytes(platform).min(MAX_SIZE);
        if new.length > limit {
            return Err(Error::with(
                Code::UploadTooLarge,
                format!("{} MiB", limit / 1024 / 1024),
            ));
        }
        let now = self.deps.now();
        let upload = Upload {
            upload_id: uuid::Uuid::now_v7().simple().to_string(),
            corp_id: who.corp_id.clone(),
            userid: who.userid.clone(),
            length: new.length,
            offset: 0,
            name: new.name.chars().take(255).collect(),
            content_type: new.content_type.chars().take(128).collect(),
            file_id: None,
            created_at: now,
            expires_at: now + EXPIRES_AFTER_MS,
        };
        tokio::fs::create_dir_all(self.root.join("uploads"))
            .await
            .map_err(io)?;
        tokio::fs::File::create(self.partial(&upload.upload_id))
            .await
            .map_err(io)?;
        self.deps
            .stores
            .files
            .create_upload(upload.clone())
            .await
            .or_internal()?;
        if upload.length == 0 {
            return self.finish(upload).await;
        }
        Ok(upload)
    }

    /// GET /uploads: the caller's unfinished uploads, to resume from any device.
    pub async fn unfinished(&self, who: &UserActor) -> Result<Vec<Upload>, Error> {
        let files = &self.deps.stores.files;
        let now = self.deps.now();
        files
            .list_open_uploads(&who.corp_id, &who.userid, now)
            .await
            .or_internal()
    }

    /// HEAD /uploads/{id}: only its uploader sees it; an expired one is gone.
    pub async fn status(&self, who: &UserActor, upload_id: &str) -> Result<Upload, Error> {
        let upload = self
            .deps
            .stores
            .files
            .find_upload(upload_id)
            .await
            .or_internal()?
            .filter(|u| u.corp_id == who.corp_id && u.userid == who.userid)
            .filter(|u| u.file_id.is_some() || u.expires_at > self.deps.now())
            .ok_or_else(|| Error::new(Code::UploadNotFound))?;
        Ok(upload)
    }

    /// PATCH /uploads/{id}: appends the body at `offset`. With `sha1` (base64), the chunk is
    /// kept only if it matches.
    pub async fn append<S, B, E>(
        &self,
        who: &UserActor,
        upload_id: &str,
        offset: i64,
        sha1: Option<&str>,
        mut body: S,
    ) -> Result<Upload, Error>
    where
        S: Stream<Item = Result<B, E>> + Unpin,
        B: AsRef<[u8]>,
    {
        let upload = self.status(who, upload_id).await?;
        if upload.file_id.is_some() || offset != upload.offset {
            return Err(Error::with(
                Code::UploadOffsetMismatch,
                upload.offset.to_string(),
            ));
        }
        let path = self.partial(upload_id);
        self.restore_partial(&upload, &path).await?;
        let mut file = tokio::fs::OpenOptions::new()
            .write(true)
            .open(&path)
            .await
            .map_err(io)?;
        // Bytes past the recorded offset are from a chunk that was never acknowledged.
        file.set_len(offset as u64).await.map_err(io)?;
        file.seek(std::io::SeekFrom::Start(offset as u64))
            .await
            .map_err(io)?;
        let (mut written, mut hasher) = (0i64, Sha1::new());
        let mut failed = None;
        while let Some(chunk) = body.next().await {
            let Ok(chunk) = chunk else {
                // The client went away: keep what is flushed below, resume from there.
                break;
            };
            let bytes = chunk.as_ref();
            if offset + written + bytes.len() as i64 > upload.length {
                failed = Some(Error::new(Code::UploadTooLarge));
                break;
            }
            hasher.update(bytes);
            file.write_all(bytes).await.map_err(io)?;
            written += bytes.len() as i64;
        }
        let checksum_ok = sha1.is_none_or(|expected| {
            base64::engine::general_purpose::STANDARD.encode(hasher.finalize()) == expected.trim()
        });
        if failed.is_some() || !checksum_ok {
            file.set_len(offset as u64).await.map_err(io)?;
            return Err(failed.unwrap_or_else(|| Error::new(Code::ChecksumMismatch)));
        }
        // On disk before the offset is recorded: an acknowledged offset is never lost.
        file.sync_data().await.map_err(io)?;
        drop(file);
        if self.blobs.is_shared() && written > 0 {
            // In the shared bucket too, so that any node can take the upload over.
            let key = blobs::chunk_key(upload_id, offset);
            let (start, len) = (offset as u64, written as u64);
            self.blobs.put_file_range(&key, &path, start, len).await?;
        }
        let to = offset + written;
        let moved = self
            .deps
            .stores
            .files
            .advance_upload(upload_id, offset, to)
            .await
            .or_internal()?;
        if !moved {
            return Err(Error::new(Code::UploadOffsetMismatch));
        }
        let upload = Upload {
            offset: to,
            ..upload
        };
        if to == upload.length {
            return self.finish(upload).await;
        }
        Ok(upload)
    }

    /// Rebuilds this node's copy of an upload in progress from the shared bucket's chunks when
    /// another node received them (or this node lost its copy). Local storage: nothing to do.
    async fn restore_partial(&self, upload: &Upload, path: &Path) -> Result<(), Error> {
        let have = tokio::fs::metadata(path)
            .await
            .map(|m| m.len())
            .unwrap_or(0);
        if !self.blobs.is_shared() || have >= upload.offset as u64 {
            return Ok(());
        }
        tokio::fs::create_dir_all(self.root.join("uploads"))
            .await
            .map_err(io)?;
        let mut file = tokio::fs::File::create(path).await.map_err(io)?;
        let mut at: i64 = 0;
        while at < upload.offset {
            let key = blobs::chunk_key(&upload.upload_id, at);
            let mut chunk = self.blobs.stream(&key, None).await?;
            while let Some(bytes) = chunk.next().await {
                let bytes = bytes.map_err(io)?;
                file.write_all(&bytes).await.map_err(io)?;
                at += bytes.len() as i64;
            }
        }
        file.sync_data().await.map_err(io)?;
        Ok(())
    }

    /// The last byte arrived: hash, store once, record the file.
    async fn finish(&self, upload: Upload) -> Result<Upload, Error> {
        let path = self.partial(&upload.upload_id);
        let sha256 = sha256_of(&path).await?;
        let blob = blobs::blob_key(&sha256);
        // The same bytes may be stored already: keep one copy.
        if !self.blobs.exists(&blob).await? {
            self.blobs.put_file(&blob, &path).await?;
        }
        tokio::fs::remove_file(&path).await.map_err(io)?;
        self.forget_chunks(&upload.upload_id).await;
        let file_id = uuid::Uuid::now_v7().simple().to_string();
        let record = FileRecord {
            corp_id: upload.corp_id.clone(),
            file_id: file_id.clone(),
            sha256,
            size: upload.length,
            name: upload.name.clone(),
            content_type: upload.content_type.clone(),
            created_by: upload.userid.to_string(),
            created_at: self.deps.now(),
        };
        self.deps
            .stores
            .files
            .finish_upload(&upload.upload_id, record.clone())
            .await
            .or_internal()?;
        self.make_thumbnail(&record).await;
        Ok(Upload {
            file_id: Some(file_id),
            ..upload
        })
    }

    /// Stores a whole file at once (WeCom `media/upload`) for `corp`; its record.
    pub async fn store(
        &self,
        corp: &workhub_core::CorpId,
        created_by: &str,
        name: &str,
        content_type: &str,
        bytes: &[u8],
    ) -> Result<FileRecord, Error> {
        let sha256 = workhub_core::secret::hex(&Sha256::digest(bytes));
        let blob = blobs::blob_key(&sha256);
        // Object stores write whole objects: a reader never sees half a blob.
        if !self.blobs.exists(&blob).await? {
            self.blobs.put(&blob, bytes.to_vec()).await?;
        }
        let record = FileRecord {
            corp_id: corp.clone(),
            file_id: uuid::Uuid::now_v7().simple().to_string(),
            sha256,
            size: bytes.len() as i64,
            name: name.chars().take(255).collect(),
            content_type: content_type.chars().take(128).collect(),
            created_by: created_by.to_string(),
            created_at: self.deps.now(),
        };
        self.deps
            .stores
            .files
            .add_corp_file(record.clone())
            .await
            .or_internal()?;
        self.make_thumbnail(&record).await;
        Ok(record)
    }

    /// A company's file, read whole (import files are small).
    pub async fn read(
        &self,
        corp: &workhub_core::CorpId,
        file_id: &str,
    ) -> Result<(FileRecord, Vec<u8>), Error> {
        let (record, key) = self.locate(corp, file_id).await?;
        let bytes = self.blobs.get(&key).await?;
        Ok((record, bytes.to_vec()))
    }

    /// A company's file and where its bytes are.
    pub async fn locate(
        &self,
        corp: &workhub_core::CorpId,
        file_id: &str,
    ) -> Result<(FileRecord, BlobKey), Error> {
        let record = self
            .deps
            .stores
            .files
            .find_corp_file(corp, file_id)
            .await
            .or_internal()?
            .ok_or_else(|| Error::new(Code::FileNotFound))?;
        let key = blobs::blob_key(&record.sha256);
        Ok((record, key))
    }

    /// DELETE /uploads/{id} (termination).
    pub async fn terminate(&self, who: &UserActor, upload_id: &str) -> Result<(), Error> {
        let upload = self.status(who, upload_id).await?;
        self.deps
            .stores
            .files
            .delete_upload(&upload.upload_id)
            .await
            .or_internal()?;
        let _ = tokio::fs::remove_file(self.partial(upload_id)).await;
        self.forget_chunks(upload_id).await;
        Ok(())
    }

    /// Drops an upload's chunks from the shared bucket (when there is one).
    async fn forget_chunks(&self, upload_id: &str) {
        if self.blobs.is_shared() {
            self.blobs
                .delete_prefix(&format!("uploads/{upload_id}"))
                .await;
        }
    }

    /// A file of the caller's company and where its bytes are.
    pub async fn open(
        &self,
        who: &UserActor,
        file_id: &str,
    ) -> Result<(FileRecord, BlobKey), Error> {
        self.locate(&who.corp_id, file_id).await
    }

    /// Deletes files past each company's message retention that no message names any more,
    /// and the bytes no file uses; how many blobs went.
    pub async fn purge_unreferenced(&self) -> Result<usize, Error> {
        use crate::messaging::retention::DEFAULT_RETENTION_DAYS;
        let corps = self
            .deps
            .stores
            .corps
            .list_corps(None)
            .await
            .or_internal()?;
        let mut purged = 0;
        for corp in corps.iter().map(|c| &c.corp.corp_id) {
            let days = self
                .deps
                .stores
                .messaging_admin
                .find_retention(corp)
                .await
                .or_internal()?
                .unwrap_or(DEFAULT_RETENTION_DAYS);
            let before = self.deps.now() - days * 86_400_000;
            let orphans = self
                .deps
                .stores
                .files
                .purge_unreferenced_files(corp, before)
                .await
                .or_internal()?;
            purged += orphans.len();
            for sha in orphans {
                self.blobs.delete(&blobs::blob_key(&sha)).await;
                self.blobs.delete(&blobs::thumbnail_key(&sha)).await;
            }
        }
        Ok(purged)
    }

    /// Deletes unfinished uploads past their expiry; how many.
    pub async fn purge_expired_uploads(&self) -> Result<usize, Error> {
        let expired = self
            .deps
            .stores
            .files
            .list_expired_uploads(self.deps.now())
            .await
            .or_internal()?;
        for u in &expired {
            self.deps
                .stores
                .files
                .delete_upload(&u.upload_id)
                .await
                .or_internal()?;
            let _ = tokio::fs::remove_file(self.partial(&u.upload_id)).await;
            self.forget_chunks(&u.upload_id).await;
        }
        Ok(expired.len())
    }
}

async fn sha256_of(path: &Path) -> Result<String, Error> {
    let mut file = tokio::fs::File::open(path).await.map_err(io)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        let n = file.read(&mut buf).await.map_err(io)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(workhub_core::secret::hex(&hasher.finalize()))
}

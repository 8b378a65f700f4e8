//! Stored bytes, by their SHA-256, in object storage: a folder on local disk or an
//! S3-compatible bucket (the binary chooses). Cluster nodes that share a bucket share files
//! without sharing a folder. Thumbnails live beside the blobs, under the same hash.

use std::ops::Range;
use std::sync::Arc;

use bytes::Bytes;
use futures::stream::BoxStream;
use futures::{StreamExt, TryStreamExt};
use object_store::path::Path as Key;
use object_store::{GetOptions, GetRange, ObjectStore, ObjectStoreExt, PutPayload, WriteMultipart};
use tokio::io::AsyncReadExt;
use workhub_core::{Code, Error};

/// Parts of a streamed upload to the bucket (S3 wants at least 5 MiB but the last).
const PART: usize = 8 * 1024 * 1024;

#[derive(Clone)]
pub struct Blobs {
    store: Arc<dyn ObjectStore>,
    /// Shared by every node (a bucket): uploads in progress keep their chunks here too, so any
    /// node can continue them.
    shared: bool,
}

fn failed(e: object_store::Error) -> Error {
    match e {
        object_store::Error::NotFound { .. } => Error::new(Code::FileNotFound),
        other => {
            tracing::error!(error = %other, "blob storage failure");
            Error::new(Code::Internal)
        }
    }
}

pub(super) fn blob_key(sha256: &str) -> Key {
    Key::from(format!("blobs/{}/{sha256}", &sha256[..2.min(sha256.len())]))
}

pub(super) fn thumbnail_key(sha256: &str) -> Key {
    Key::from(format!("thumbnails/{sha256}.png"))
}

/// Where an upload in progress keeps the chunk that starts at `offset`.
pub(super) fn chunk_key(upload_id: &str, offset: i64) -> Key {
    Key::from(format!("uploads/{upload_id}/{offset:020}"))
}

impl Blobs {
    /// Blobs in storage every node of a cluster shares (an S3-compatible bucket).
    pub fn shared(store: Arc<dyn ObjectStore>) -> Blobs {
        Blobs {
            store,
            shared: true,
        }
    }

    pub(super) fn is_shared(&self) -> bool {
        self.shared
    }

    /// Blobs in a local folder (`data_dir/files`), written with fsync: an acknowledged upload
    /// survives a crash.
    pub fn local(root: &std::path::Path) -> std::io::Result<Blobs> {
        std::fs::create_dir_all(root)?;
        let store = object_store::local::LocalFileSystem::new_with_prefix(root)
            .map_err(std::io::Error::other)?
            .with_fsync(true);
        Ok(Blobs {
            store: Arc::new(store),
            shared: false,
        })
    }

    pub(super) async fn exists(&self, key: &Key) -> Result<bool, Error> {
        match self.store.head(key).await {
            Ok(_) => Ok(true),
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(e) => Err(failed(e)),
        }
    }

    pub(super) async fn put(&self, key: &Key, bytes: Vec<u8>) -> Result<(), Error> {
        self.store
            .put(key, PutPayload::from(bytes))
            .await
            .map_err(failed)?;
        Ok(())
    }

    /// Copies a local file into the store in parts, never holding it whole in memory.
    pub(super) async fn put_file(&self, key: &Key, path: &std::path::Path) -> Result<(), Error> {
        self.put_file_range(key, path, 0, u64::MAX).await
    }

    /// Copies `len` bytes of a local file from `start` (to its end at most) into the store.
    pub(super) async fn put_file_range(
        &self,
        key: &Key,
        path: &std::path::Path,
        start: u64,
        len: u64,
    ) -> Result<(), Error> {
        use tokio::io::AsyncSeekExt;
        let io = |e: std::io::Error| {
            tracing::error!(error = %e, "reading an upload failed");
            Error::new(Code::Internal)
        };
        let mut file = tokio::fs::File::open(path).await.map_err(io)?;
        file.seek(std::io::SeekFrom::Start(start))
            .await
            .map_err(io)?;
        let mut file = file.take(len);
        let upload = self.store.put_multipart(key).await.map_err(failed)?;
        let mut writer = WriteMultipart::new_with_chunk_size(upload, PART);
        let mut buf = vec![0u8; 1024 * 1024];
        loop {
            let n = file.read(&mut buf).await.map_err(io)?;
            if n == 0 {
                break;
            }
            writer.wait_for_capacity(4).await.map_err(failed)?;
            writer.write(&buf[..n]);
        }
        writer.finish().await.map_err(failed)?;
        Ok(())
    }

    pub(super) async fn get(&self, key: &Key) -> Result<Bytes, Error> {
        let found = self.store.get(key).await.map_err(failed)?;
        found.bytes().await.map_err(failed)
    }

    /// The bytes in `range` (all when None), as a stream.
    pub async fn stream(
        &self,
        key: &Key,
        range: Option<Range<u64>>,
    ) -> Result<BoxStream<'static, std::io::Result<Bytes>>, Error> {
        let options = GetOptions {
            range: range.map(GetRange::Bounded),
            ..Default::default()
        };
        let found = self.store.get_opts(key, options).await.map_err(failed)?;
        Ok(found.into_stream().map_err(std::io::Error::other).boxed())
    }

    pub(super) async fn size(&self, key: &Key) -> Result<u64, Error> {
        Ok(self.store.head(key).await.map_err(failed)?.size)
    }

    /// Deletes every object under `prefix` (an upload's chunks).
    pub(super) async fn delete_prefix(&self, prefix: &str) {
        let prefix = Key::from(prefix);
        let keys: Vec<Key> = self
            .store
            .list(Some(&prefix))
            .filter_map(|meta| async move { meta.ok().map(|m| m.location) })
            .collect()
            .await;
        for key in keys {
            self.delete(&key).await;
        }
    }

    pub(super) async fn delete(&self, key: &Key) {
        if let Err(e) = self.store.delete(key).await
            && !matches!(e, object_store::Error::NotFound { .. })
        {
            tracing::warn!(error = %e, key = %key, "could not delete a blob");
        }
    }
}

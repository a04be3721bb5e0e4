//! File contents (attachments, their thumbnails, avatars, room icons) in an object store: a
//! directory under the data directory by default, or an S3-compatible bucket. Rows in the
//! database name each file by its key; this module only moves bytes.
//!
//! Uploads are written as they arrive, part by part (never the whole file in memory), and
//! reads stream back, whole or as one byte range.

use std::ops::Range;
use std::path::PathBuf;
use std::sync::Arc;

use bytes::Bytes;
use futures_util::stream::BoxStream;
use futures_util::{StreamExt, TryStreamExt};
use object_store::path::Path;
use object_store::{GetOptions, GetRange, ObjectStore, ObjectStoreExt, PutPayload, WriteMultipart};

use crate::{Result, StoreError};

/// Where files live.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BlobBackend {
    /// A directory on this machine (created when missing).
    Local { root: PathBuf },
    /// A bucket of an S3-compatible service.
    S3(S3Options),
}

/// How to reach an S3-compatible bucket.
#[derive(Clone, PartialEq, Eq)]
pub struct S3Options {
    pub bucket: String,
    /// `None` is AWS itself; MinIO, Ceph, moto and the like need their URL.
    pub endpoint: Option<String>,
    pub region: String,
    pub access_key_id: String,
    pub secret_access_key: String,
    /// Path-style URLs (`endpoint/bucket/key`), which most self-hosted services expect.
    pub path_style: bool,
}

impl std::fmt::Debug for S3Options {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Options")
            .field("bucket", &self.bucket)
            .field("endpoint", &self.endpoint)
            .field("region", &self.region)
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"<redacted>")
            .finish()
    }
}

/// Parts of a streamed upload kept in memory at once, per upload, beyond the one being filled.
const PARTS_IN_FLIGHT: usize = 2;
/// S3 refuses multipart parts under 5 MiB (except the last).
const S3_PART_SIZE: usize = 5 * 1024 * 1024;
/// A local file is appended in small parts: less memory per upload.
const LOCAL_PART_SIZE: usize = 256 * 1024;

/// Handle to the file store; cheap to clone.
#[derive(Clone, Debug)]
pub struct Blobs {
    inner: Arc<dyn ObjectStore>,
    part_size: usize,
}

fn blob_error(err: object_store::Error) -> StoreError {
    match err {
        object_store::Error::NotFound { .. } => StoreError::NotFound,
        other => StoreError::Blob(Box::new(other)),
    }
}

impl Blobs {
    /// Opens the store; a local root is created when missing.
    pub fn open(backend: &BlobBackend) -> Result<Self> {
        match backend {
            BlobBackend::Local { root } => {
                std::fs::create_dir_all(root).map_err(|e| {
                    StoreError::Config(format!("cannot create {}: {e}", root.display()))
                })?;
                let local = object_store::local::LocalFileSystem::new_with_prefix(root)
                    .map_err(|e| StoreError::Config(e.to_string()))?
                    .with_automatic_cleanup(true);
                Ok(Self {
                    inner: Arc::new(local),
                    part_size: LOCAL_PART_SIZE,
                })
            }
            BlobBackend::S3(options) => {
                install_crypto_provider();
                let mut builder = object_store::aws::AmazonS3Builder::new()
                    .with_bucket_name(&options.bucket)
                    .with_region(&options.region)
                    .with_access_key_id(&options.access_key_id)
                    .with_secret_access_key(&options.secret_access_key)
                    .with_virtual_hosted_style_request(!options.path_style);
                if let Some(endpoint) = &options.endpoint {
                    builder = builder
                        .with_endpoint(endpoint)
                        .with_allow_http(endpoint.starts_with("http://"));
                }
                let s3 = builder
                    .build()
                    .map_err(|e| StoreError::Config(e.to_string()))?;
                Ok(Self {
                    inner: Arc::new(s3),
                    part_size: S3_PART_SIZE,
                })
            }
        }
    }

    /// Starts a streamed write of `key`; nothing is visible under it until
    /// [`BlobWriter::finish`].
    pub async fn writer(&self, key: &str) -> Result<BlobWriter> {
        let upload = self
            .inner
            .put_multipart(&Path::from(key))
            .await
            .map_err(blob_error)?;
        Ok(BlobWriter {
            upload: WriteMultipart::new_with_chunk_size(upload, self.part_size),
            written: 0,
        })
    }

    /// Stores a small file in one piece (thumbnails, avatars).
    pub async fn put(&self, key: &str, bytes: Bytes) -> Result<()> {
        self.inner
            .put(&Path::from(key), PutPayload::from_bytes(bytes))
            .await
            .map(|_| ())
            .map_err(blob_error)
    }

    /// Streams `key`, whole or the byte `range` (already checked against the file's size).
    pub async fn read(
        &self,
        key: &str,
        range: Option<Range<u64>>,
    ) -> Result<BoxStream<'static, Result<Bytes>>> {
        let options = GetOptions {
            range: range.map(GetRange::Bounded),
            ..GetOptions::default()
        };
        let got = self
            .inner
            .get_opts(&Path::from(key), options)
            .await
            .map_err(blob_error)?;
        Ok(got.into_stream().map_err(blob_error).boxed())
    }

    /// Reads a whole file known to be at most `max` bytes (to decode an image).
    pub async fn read_all(&self, key: &str, max: u64) -> Result<Bytes> {
        let got = self.inner.get(&Path::from(key)).await.map_err(blob_error)?;
        if got.meta.size > max {
            return Err(StoreError::Config(format!(
                "{key} is larger than {max} bytes"
            )));
        }
        got.bytes().await.map_err(blob_error)
    }

    /// The size of `key` in bytes (`NotFound` when it is missing).
    pub async fn size(&self, key: &str) -> Result<u64> {
        self.inner
            .head(&Path::from(key))
            .await
            .map(|meta| meta.size)
            .map_err(blob_error)
    }

    /// Deletes files; missing ones are fine. Failures are logged, not returned: a file left
    /// behind wastes space but breaks nothing, and the row that named it is already gone.
    pub async fn delete_all<S: AsRef<str>>(&self, keys: &[S]) {
        for key in keys {
            let key = key.as_ref();
            match self.inner.delete(&Path::from(key)).await {
                Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
                Err(e) => tracing::warn!(
                    key,
                    error = &e as &dyn std::error::Error,
                    "file not deleted"
                ),
            }
        }
    }
}

/// A file being written; dropped without [`finish`](Self::finish), nothing is stored.
pub struct BlobWriter {
    upload: WriteMultipart,
    written: u64,
}

impl BlobWriter {
    /// Appends `chunk`, waiting while too many parts are still on their way out.
    pub async fn write(&mut self, chunk: &[u8]) -> Result<()> {
        self.upload
            .wait_for_capacity(PARTS_IN_FLIGHT)
            .await
            .map_err(blob_error)?;
        self.upload.write(chunk);
        self.written += chunk.len() as u64;
        Ok(())
    }

    pub fn written(&self) -> u64 {
        self.written
    }

    /// Completes the file.
    pub async fn finish(self) -> Result<()> {
        self.upload.finish().await.map(|_| ()).map_err(blob_error)
    }

    /// Gives the upload up and removes what was written.
    pub async fn abort(self) {
        if let Err(e) = self.upload.abort().await {
            tracing::debug!(error = &e as &dyn std::error::Error, "upload not aborted");
        }
    }
}

/// Makes ring the process's TLS provider (the HTTP client of S3 storage needs one, and so does
/// any other HTTP client in the same build); harmless when one is already installed.
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// A fresh, unguessable key under `prefix` (`channel_7/3f…9a.png`): names never collide and
/// never come from the client.
pub fn new_key(prefix: &str, extension: &str) -> String {
    let id: u128 = rand::random();
    format!("{prefix}/{id:032x}.{extension}")
}

//! File settings: where uploads, thumbnails and avatars are kept, and how much a user may put
//! there.

use std::path::PathBuf;
use std::time::Duration;

use crate::SettingsError;
use crate::secret::Secret;
use crate::source::{Source, positive};

/// Where files are kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Storage {
    /// A directory on this machine (`MEDIA_ROOT`).
    Local { root: PathBuf },
    /// An S3-compatible bucket (`STORAGE_BACKEND=s3`).
    S3 {
        bucket: String,
        endpoint: Option<String>,
        region: String,
        access_key_id: String,
        secret_access_key: Secret,
        path_style: bool,
    },
}

#[derive(Debug, Clone)]
pub struct MediaSettings {
    pub storage: Storage,
    /// Bytes per file: attachments and avatars (`MAX_UPLOAD_SIZE`).
    pub max_upload_size: u64,
    /// Files one message may carry.
    pub max_files_per_message: usize,
    /// Bytes one user may upload per rolling hour; 0 = no limit.
    pub upload_quota_per_hour: u64,
    /// How long an upload waits for a message before the sweep removes it.
    pub unbound_upload_ttl: Duration,
}

pub(crate) fn load(src: &Source) -> Result<MediaSettings, SettingsError> {
    let storage = match src.string("STORAGE_BACKEND").to_ascii_lowercase().as_str() {
        "local" | "" => Storage::Local {
            root: PathBuf::from(src.string("MEDIA_ROOT")),
        },
        "s3" => {
            let required = |name: &'static str, example: &'static str| {
                src.optional(name).ok_or(SettingsError {
                    variable: name,
                    problem: "is required when STORAGE_BACKEND=s3".into(),
                    example,
                })
            };
            let endpoint = src.optional("S3_ENDPOINT");
            if let Some(url) = &endpoint
                && !(url.starts_with("http://") || url.starts_with("https://"))
            {
                return Err(SettingsError {
                    variable: "S3_ENDPOINT",
                    problem: format!("{url:?} is not an http(s) URL"),
                    example: "https://s3.example.org",
                });
            }
            Storage::S3 {
                bucket: required("S3_BUCKET", "charge-files")?,
                endpoint,
                region: src.string("S3_REGION"),
                access_key_id: required("S3_ACCESS_KEY_ID", "AKIAEXAMPLE")?,
                secret_access_key: Secret(required("S3_SECRET_ACCESS_KEY", "secret")?),
                path_style: src.bool("S3_PATH_STYLE")?,
            }
        }
        other => {
            return Err(SettingsError {
                variable: "STORAGE_BACKEND",
                problem: format!("{other:?} is neither local nor s3"),
                example: "local",
            });
        }
    };
    Ok(MediaSettings {
        storage,
        max_upload_size: positive(
            "MAX_UPLOAD_SIZE",
            src.parse("MAX_UPLOAD_SIZE", "10485760")?,
            "10485760",
        )?,
        max_files_per_message: positive(
            "MAX_ATTACHMENTS_PER_MESSAGE",
            src.parse("MAX_ATTACHMENTS_PER_MESSAGE", "10")?,
            "10",
        )?,
        upload_quota_per_hour: src.parse("UPLOAD_QUOTA_BYTES_PER_HOUR", "1073741824")?,
        unbound_upload_ttl: Duration::from_secs(positive(
            "UNBOUND_UPLOAD_TTL_SECONDS",
            src.parse("UNBOUND_UPLOAD_TTL_SECONDS", "86400")?,
            "86400",
        )?),
    })
}

//! Attachments: the rules of an upload (size, hourly quota, the type sniffed from the bytes, a
//! thumbnail for images), which uploads a message may take, who may download one, and the
//! sweep of uploads no message took. Both ways in (HTTP and `/ws/text`) use these.

use bytes::Bytes;
use charge_store::{Attachment, NewAttachment, StoreError, new_key};
use futures_util::{Stream, StreamExt};

use crate::Domain;
use crate::error::{DomainError, DomainResult};
use crate::images::{self, Preview};
pub use crate::sniff::{SNIFF_BYTES, is_safe_raster, sniff};

/// Longest stored file name, in characters (the column is 255 wide).
pub const FILE_NAME_MAX_LENGTH: usize = 255;
/// The name stored when the client gives none.
const DEFAULT_FILE_NAME: &str = "upload.bin";
/// Unbound uploads removed per sweep query.
const SWEEP_BATCH: i64 = 100;

/// The file name as stored: the last path segment, without control characters, at most
/// [`FILE_NAME_MAX_LENGTH`] characters; `upload.bin` when nothing is left.
pub fn file_name(raw: Option<&str>) -> String {
    let base = raw
        .unwrap_or_default()
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or_default();
    let clean: String = base
        .chars()
        .filter(|c| !c.is_control())
        .take(FILE_NAME_MAX_LENGTH)
        .collect();
    let clean = clean.trim();
    if clean.is_empty() || clean == "." || clean == ".." {
        DEFAULT_FILE_NAME.to_owned()
    } else {
        clean.to_owned()
    }
}

fn extension(content_type: &str) -> &'static str {
    match content_type {
        "image/png" => "png",
        "image/jpeg" => "jpg",
        "image/gif" => "gif",
        "image/webp" => "webp",
        _ => "bin",
    }
}

/// Why an upload was refused before it was stored.
fn too_large() -> DomainError {
    DomainError::PayloadTooLarge("Attachment exceeds allowed size".into())
}

fn over_quota() -> DomainError {
    DomainError::TooManyRequests {
        retry_after_secs: 60,
    }
}

/// Stores one uploaded file of `uploader` in `channel_id` (access already checked) as it
/// streams in, and its row, unbound. Over `MAX_UPLOAD_SIZE` → 413 and nothing is kept; over
/// the hourly quota → 429.
pub async fn upload<S, E>(
    state: &Domain,
    channel_id: i64,
    uploader: i64,
    raw_name: Option<&str>,
    mut chunks: S,
) -> DomainResult<Attachment>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
    E: std::error::Error + Send + Sync + 'static,
{
    let media = &state.settings.media;
    let hour_ago = charge_store::now_micros() - 3_600_000_000;
    let used = state.store.uploaded_bytes_since(uploader, hour_ago).await?;
    let quota = media.upload_quota_per_hour;
    let allowance = if quota == 0 {
        u64::MAX
    } else {
        quota.saturating_sub(used.max(0) as u64)
    };
    if allowance == 0 {
        return Err(over_quota());
    }
    let limit = media.max_upload_size;
    let broken = |e: E| {
        tracing::debug!(error = &e as &dyn std::error::Error, "upload interrupted");
        DomainError::BadRequest("Upload interrupted")
    };

    // The first bytes decide the type (and so the stored name's extension).
    let mut head: Vec<u8> = Vec::with_capacity(SNIFF_BYTES);
    let mut pending: Vec<Bytes> = Vec::new();
    while head.len() < SNIFF_BYTES {
        match chunks.next().await {
            None => break,
            Some(chunk) => {
                let chunk = chunk.map_err(broken)?;
                let take = chunk.len().min(SNIFF_BYTES - head.len());
                head.extend_from_slice(&chunk[..take]);
                pending.push(chunk);
            }
        }
    }
    let content_type = sniff(&head);
    let key = new_key(&format!("channel_{channel_id}"), extension(content_type));
    let mut writer = state.blobs.writer(&key).await?;
    let mut written: u64 = 0;
    let mut rest = futures_util::stream::iter(pending.into_iter().map(Ok)).chain(chunks);
    while let Some(chunk) = rest.next().await {
        let chunk = match chunk {
            Ok(chunk) => chunk,
            Err(e) => {
                writer.abort().await;
                return Err(broken(e));
            }
        };
        written += chunk.len() as u64;
        if written > limit {
            writer.abort().await;
            return Err(too_large());
        }
        if written > allowance {
            writer.abort().await;
            return Err(over_quota());
        }
        if let Err(e) = writer.write(&chunk).await {
            writer.abort().await;
            return Err(e.into());
        }
    }
    writer.finish().await?;

    let mut stored_type = content_type;
    let (mut width, mut height, mut thumbnail_key) = (None, None, None);
    if is_safe_raster(content_type) {
        match images::preview(state, &key, written).await {
            Ok(Preview::Ready {
                width: w,
                height: h,
                thumbnail_key: t,
            }) => (width, height, thumbnail_key) = (Some(w), Some(h), Some(t)),
            Ok(Preview::TooLarge) => {}
            // A file that claims to be an image but does not decode is served as bytes.
            Ok(Preview::Undecodable) => stored_type = "application/octet-stream",
            Err(e) => {
                state.blobs.delete_all(&[&key]).await;
                return Err(e);
            }
        }
    }
    let name = file_name(raw_name);
    let created = state
        .store
        .create_attachment(NewAttachment {
            channel_id,
            uploader_id: uploader,
            file_name: &name,
            content_type: stored_type,
            file_size: written as i64,
            storage_path: &key,
            thumbnail_path: thumbnail_key.as_deref(),
            width,
            height,
        })
        .await;
    match created {
        Ok(row) => Ok(row),
        Err(e) => {
            let mut keys = vec![key];
            keys.extend(thumbnail_key);
            state.blobs.delete_all(&keys).await;
            Err(e.into())
        }
    }
}

/// Why a message may not take the uploads it names (the socket's wording).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BindError {
    /// Missing, or in another channel.
    NotFound,
    /// Someone else's, or already on a message.
    NotAvailable,
    /// More than `MAX_ATTACHMENTS_PER_MESSAGE`.
    TooMany(usize),
}

impl BindError {
    pub fn detail(self) -> String {
        match self {
            BindError::NotFound => "One or more attachments were not found".into(),
            BindError::NotAvailable => "Attachment is not available for use".into(),
            BindError::TooMany(max) => format!("A message may carry at most {max} attachments"),
        }
    }
}

/// Checks that `user_id` may post `ids` (deduplicated, in order) with a message in
/// `channel_id`; returns them as the message will take them.
pub async fn bindable(
    state: &Domain,
    channel_id: i64,
    user_id: i64,
    ids: &[i64],
) -> Result<Vec<i64>, Result<BindError, StoreError>> {
    let mut unique: Vec<i64> = Vec::with_capacity(ids.len());
    for id in ids {
        if !unique.contains(id) {
            unique.push(*id);
        }
    }
    let max = state.settings.media.max_files_per_message;
    if unique.len() > max {
        return Err(Ok(BindError::TooMany(max)));
    }
    if unique.is_empty() {
        return Ok(unique);
    }
    let rows = state.store.attachments_by_ids(&unique).await.map_err(Err)?;
    if rows.len() != unique.len() || rows.iter().any(|a| a.channel_id != channel_id) {
        return Err(Ok(BindError::NotFound));
    }
    if rows
        .iter()
        .any(|a| a.uploader_id != Some(user_id) || a.message_id.is_some())
    {
        return Err(Ok(BindError::NotAvailable));
    }
    Ok(unique)
}

/// The attachment `user_id` asks for in `channel_id` (channel access already checked):
/// 404 when missing or elsewhere, and 404 "not accessible" for someone else's unposted upload.
pub async fn readable(
    state: &Domain,
    channel_id: i64,
    attachment_id: i64,
    user_id: i64,
) -> DomainResult<Attachment> {
    let attachment = state
        .store
        .attachment(attachment_id)
        .await?
        .filter(|a| a.channel_id == channel_id)
        .ok_or(DomainError::NotFound("Attachment not found"))?;
    if attachment.message_id.is_none() && attachment.uploader_id != Some(user_id) {
        return Err(DomainError::NotFound("Attachment not accessible"));
    }
    Ok(attachment)
}

/// Removes uploads of a request that failed after they were stored.
pub async fn discard(state: &Domain, uploads: &[Attachment]) {
    for upload in uploads {
        match state.store.delete_unbound_attachment(upload.id).await {
            Ok(true) => {
                let keys: Vec<String> = charge_store::file_keys(upload).collect();
                state.blobs.delete_all(&keys).await;
            }
            Ok(false) => {}
            // The sweep removes it later.
            Err(e) => tracing::warn!(error = &e as &dyn std::error::Error, "upload not discarded"),
        }
    }
}

/// Removes a message's files (when it is deleted): rows first, then the bytes.
pub async fn remove_message_files(state: &Domain, message_id: i64) -> DomainResult<()> {
    let keys = state.store.take_message_files(message_id).await?;
    state.blobs.delete_all(&keys).await;
    Ok(())
}

/// Removes uploads older than `UNBOUND_UPLOAD_TTL_SECONDS` that no message took; returns how
/// many went.
pub async fn sweep_unbound(state: &Domain) -> DomainResult<usize> {
    let ttl = state.settings.media.unbound_upload_ttl.as_micros() as i64;
    let before = charge_store::now_micros() - ttl;
    let mut removed = 0;
    loop {
        let batch = state
            .store
            .unbound_attachments_before(before, SWEEP_BATCH)
            .await?;
        let full = batch.len() as i64 == SWEEP_BATCH;
        for upload in batch {
            // A message may have taken it since the query: then it stays.
            if state.store.delete_unbound_attachment(upload.id).await? {
                state.blobs.delete_all(&upload.keys).await;
                removed += 1;
            }
        }
        if !full {
            return Ok(removed);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_name_keeps_its_last_segment_only() {
        assert_eq!(file_name(Some("../../etc/passwd")), "passwd");
        assert_eq!(file_name(Some("C:\\x\\report.pdf")), "report.pdf");
        assert_eq!(file_name(Some("a\u{0}b\nc.txt")), "abc.txt");
        assert_eq!(file_name(Some("..")), "upload.bin");
        assert_eq!(file_name(None), "upload.bin");
        assert_eq!(file_name(Some(&"é".repeat(300))).chars().count(), 255);
    }
}

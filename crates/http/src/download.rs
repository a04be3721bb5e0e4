//! Answers carrying a stored file: one byte range (`Range`, 206/416), revalidation (`ETag`,
//! `If-None-Match` → 304), `Last-Modified`, cache rules, and `Content-Disposition` — inline
//! only for raster images, a download for everything else. The bytes stream from storage.

use std::ops::Range;

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use charge_domain::Domain;
use charge_domain::files::is_safe_raster;
use charge_store::StoreError;

use crate::error::{ApiError, ApiResult};

/// A file about to be served.
pub struct Download<'a> {
    pub key: &'a str,
    pub content_type: &'a str,
    pub size: u64,
    /// Unique per content: files never change under a key.
    pub etag: String,
    /// Microseconds since the epoch.
    pub modified: i64,
    /// For `Content-Disposition`; `None` sends none (avatars).
    pub file_name: Option<&'a str>,
    pub cache_control: &'static str,
}

/// What the `Range` header asks of a file of `size` bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Wanted {
    Whole,
    Part(Range<u64>),
    Unsatisfiable,
}

/// One `bytes=` range (`a-b`, `a-`, `-n`); several ranges or another unit get the whole file,
/// as RFC 9110 allows.
pub fn wanted(range: Option<&str>, size: u64) -> Wanted {
    let Some(spec) = range.and_then(|r| r.trim().strip_prefix("bytes=")) else {
        return Wanted::Whole;
    };
    if spec.contains(',') {
        return Wanted::Whole;
    }
    let Some((start, end)) = spec.trim().split_once('-') else {
        return Wanted::Whole;
    };
    let (start, end) = (start.trim(), end.trim());
    let range = match (start.parse::<u64>(), end.parse::<u64>()) {
        (Ok(a), Ok(b)) if a <= b => a..(b + 1).min(size),
        (Ok(_), Ok(_)) => return Wanted::Whole,
        (Ok(a), Err(_)) if end.is_empty() => a..size,
        (Err(_), Ok(n)) if start.is_empty() => size.saturating_sub(n)..size,
        _ => return Wanted::Whole,
    };
    if range.start >= size || range.is_empty() {
        Wanted::Unsatisfiable
    } else {
        Wanted::Part(range)
    }
}

fn http_date(micros: i64) -> String {
    chrono::DateTime::<chrono::Utc>::from_timestamp_micros(micros)
        .unwrap_or_default()
        .format("%a, %d %b %Y %H:%M:%S GMT")
        .to_string()
}

/// `attachment; filename="…"; filename*=UTF-8''…` (the ASCII form for old clients).
fn disposition(kind: &str, name: &str) -> HeaderValue {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    HeaderValue::from_str(&format!(
        "{kind}; filename=\"{ascii}\"; filename*=UTF-8''{encoded}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("attachment"))
}

fn matches_etag(header: Option<&HeaderValue>, etag: &str) -> bool {
    header.and_then(|v| v.to_str().ok()).is_some_and(|v| {
        v.split(',')
            .map(|t| t.trim().trim_start_matches("W/"))
            .any(|t| t == "*" || t == etag)
    })
}

/// Serves `file` as the request's headers ask.
pub async fn serve(state: &Domain, file: Download<'_>, request: &HeaderMap) -> ApiResult<Response> {
    let etag =
        HeaderValue::from_str(&file.etag).unwrap_or_else(|_| HeaderValue::from_static("\"\""));
    let mut headers = HeaderMap::new();
    headers.insert(header::ETAG, etag);
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(file.cache_control),
    );
    if let Ok(v) = HeaderValue::from_str(&http_date(file.modified)) {
        headers.insert(header::LAST_MODIFIED, v);
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if matches_etag(request.get(header::IF_NONE_MATCH), &file.etag) {
        return Ok((StatusCode::NOT_MODIFIED, headers).into_response());
    }
    let inline = is_safe_raster(file.content_type);
    let content_type = if file.content_type.starts_with("text/") {
        format!("{}; charset=utf-8", file.content_type)
    } else {
        file.content_type.to_owned()
    };
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&content_type)
            .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream")),
    );
    if let Some(name) = file.file_name {
        headers.insert(
            header::CONTENT_DISPOSITION,
            disposition(if inline { "inline" } else { "attachment" }, name),
        );
    }
    headers.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    // A range applies only to the version the client has (`If-Range` with our ETag).
    let range_header = request
        .get(header::RANGE)
        .and_then(|v| v.to_str().ok())
        .filter(|_| match request.get(header::IF_RANGE) {
            None => true,
            Some(v) => v.to_str().is_ok_and(|v| v.trim() == file.etag),
        });
    let (status, range) = match wanted(range_header, file.size) {
        Wanted::Whole => (StatusCode::OK, None),
        Wanted::Part(range) => (StatusCode::PARTIAL_CONTENT, Some(range)),
        Wanted::Unsatisfiable => {
            headers.insert(
                header::CONTENT_RANGE,
                HeaderValue::from_str(&format!("bytes */{}", file.size))
                    .unwrap_or_else(|_| HeaderValue::from_static("bytes */0")),
            );
            return Ok((StatusCode::RANGE_NOT_SATISFIABLE, headers).into_response());
        }
    };
    let length = range.as_ref().map_or(file.size, |r| r.end - r.start);
    if let Some(r) = &range
        && let Ok(v) =
            HeaderValue::from_str(&format!("bytes {}-{}/{}", r.start, r.end - 1, file.size))
    {
        headers.insert(header::CONTENT_RANGE, v);
    }
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    // An empty file has no range to ask storage for.
    let body = if file.size == 0 {
        Body::empty()
    } else {
        match state.blobs.read(file.key, range).await {
            Ok(stream) => Body::from_stream(stream),
            Err(StoreError::NotFound) => return Err(ApiError::NotFound("File not found").into()),
            Err(e) => return Err(e.into()),
        }
    };
    Ok((status, headers, body).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_range_header_picks_one_slice_of_the_file() {
        assert_eq!(wanted(None, 10), Wanted::Whole);
        assert_eq!(wanted(Some("bytes=0-3"), 10), Wanted::Part(0..4));
        assert_eq!(wanted(Some("bytes=5-"), 10), Wanted::Part(5..10));
        assert_eq!(wanted(Some("bytes=-3"), 10), Wanted::Part(7..10));
        assert_eq!(wanted(Some("bytes=8-100"), 10), Wanted::Part(8..10));
        assert_eq!(wanted(Some("bytes=10-"), 10), Wanted::Unsatisfiable);
        assert_eq!(wanted(Some("bytes=0-1,4-5"), 10), Wanted::Whole);
        assert_eq!(wanted(Some("items=0-1"), 10), Wanted::Whole);
    }
}

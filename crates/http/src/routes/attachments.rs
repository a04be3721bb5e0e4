//! `/api/channels/{channel_id}/attachments`: uploading a file to a text channel (streamed to
//! storage) and reading one back, whole, as a byte range, or as an image's thumbnail.

use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use charge_domain::Domain as AppState;
use charge_domain::channels::{readable_text_channel, text_channel};
use charge_domain::permissions::Permission;
use charge_domain::{dto, files, images};
use charge_protocol::MessageAttachmentRead;

use crate::auth::CurrentUser;
use crate::download::{Download, serve};
use crate::error::{ApiError, ApiResult};
use crate::routes::rooms::parse_path_id;

/// Attachments are private to a channel's readers: browsers may keep them, proxies may not.
const PRIVATE_CACHE: &str = "private, max-age=86400";

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/api/channels/{channel_id}/attachments",
            // The file is streamed and limited by MAX_UPLOAD_SIZE itself, not by the JSON limit.
            post(upload_attachment).layer(DefaultBodyLimit::disable()),
        )
        .route(
            "/api/channels/{channel_id}/attachments/{attachment_id}/download",
            get(download_attachment),
        )
        .route(
            "/api/channels/{channel_id}/attachments/{attachment_id}/thumbnail",
            get(download_thumbnail),
        )
}

pub(crate) fn malformed() -> ApiError {
    ApiError::validation("value_error", &["body"], "Malformed multipart body")
}

/// Upload a file to a text channel; post it later with a message (`attachments` ids).
#[utoipa::path(post, path = "/api/channels/{channel_id}/attachments", tag = "channels",
    security(("bearer" = [])), params(("channel_id" = i64, Path)),
    request_body(content_type = "multipart/form-data", description = "One file part named `file`."),
    responses((status = 201, body = MessageAttachmentRead),
              (status = 400, description = "Not a text channel"),
              (status = 403, description = "Not a room member"),
              (status = 404, description = "Channel not found"),
              (status = 413, description = "Attachment exceeds allowed size (MAX_UPLOAD_SIZE)"),
              (status = 422, description = "No `file` part"),
              (status = 429, description = "Hourly upload quota spent (UPLOAD_QUOTA_BYTES_PER_HOUR)")))]
pub async fn upload_attachment(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(channel_id): Path<String>,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> ApiResult<(StatusCode, Json<MessageAttachmentRead>)> {
    let channel_id = parse_path_id(&channel_id, "channel_id")?;
    // Uploading is posting (decision 24: `send_messages`).
    let grant = text_channel(&state, channel_id, me.user.id).await?;
    grant.require(Permission::SendMessages)?;
    let channel = grant.channel;
    let mut multipart = multipart.map_err(|_| malformed())?;
    while let Some(field) = multipart.next_field().await.map_err(|_| malformed())? {
        if field.name() != Some("file") {
            continue;
        }
        let name = field.file_name().map(str::to_owned);
        let stored = files::upload(&state, channel.id, me.user.id, name.as_deref(), field).await?;
        return Ok((StatusCode::CREATED, Json(dto::attachment(&stored))));
    }
    Err(ApiError::validation("missing", &["body", "file"], "Field required").into())
}

async fn readable(
    state: &AppState,
    me: &CurrentUser,
    channel_id: &str,
    attachment_id: &str,
) -> ApiResult<charge_store::Attachment> {
    let channel_id = parse_path_id(channel_id, "channel_id")?;
    let attachment_id = parse_path_id(attachment_id, "attachment_id")?;
    let channel = readable_text_channel(state, channel_id, me.user.id).await?;
    Ok(files::readable(state, channel.id, attachment_id, me.user.id).await?)
}

/// Download an attachment: images inline, every other type as a download; `Range` and
/// `If-None-Match` are honoured.
#[utoipa::path(get, path = "/api/channels/{channel_id}/attachments/{attachment_id}/download",
    tag = "channels", security(("bearer" = [])),
    params(("channel_id" = i64, Path), ("attachment_id" = i64, Path)),
    responses((status = 200, description = "The file"), (status = 206, description = "The requested byte range"),
              (status = 304, description = "Not modified (If-None-Match)"),
              (status = 403, description = "Not a room member"),
              (status = 404, description = "Channel not found, Attachment not found, Attachment not accessible or File not found"),
              (status = 416, description = "Range not satisfiable")))]
pub async fn download_attachment(
    State(state): State<AppState>,
    me: CurrentUser,
    Path((channel_id, attachment_id)): Path<(String, String)>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let attachment = readable(&state, &me, &channel_id, &attachment_id).await?;
    let content_type = attachment
        .content_type
        .as_deref()
        .unwrap_or("application/octet-stream");
    let file = Download {
        key: &attachment.storage_path,
        content_type,
        size: attachment.file_size.max(0) as u64,
        etag: format!("\"a{}-{}\"", attachment.id, attachment.file_size),
        modified: attachment.created_at,
        file_name: Some(&attachment.file_name),
        cache_control: PRIVATE_CACHE,
    };
    serve(&state, file, &headers).await
}

/// An image attachment's thumbnail (at most 320 pixels on its longer side).
#[utoipa::path(get, path = "/api/channels/{channel_id}/attachments/{attachment_id}/thumbnail",
    tag = "channels", security(("bearer" = [])),
    params(("channel_id" = i64, Path), ("attachment_id" = i64, Path)),
    responses((status = 200, description = "A JPEG or PNG image"), (status = 304, description = "Not modified"),
              (status = 403, description = "Not a room member"),
              (status = 404, description = "Channel not found, Attachment not found or Thumbnail not found")))]
pub async fn download_thumbnail(
    State(state): State<AppState>,
    me: CurrentUser,
    Path((channel_id, attachment_id)): Path<(String, String)>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let attachment = readable(&state, &me, &channel_id, &attachment_id).await?;
    let key = attachment
        .thumbnail_path
        .as_deref()
        .ok_or(ApiError::NotFound("Thumbnail not found"))?;
    let size = state.blobs.size(key).await.map_err(|e| match e {
        charge_store::StoreError::NotFound => ApiError::NotFound("File not found"),
        other => other.into(),
    })?;
    let file = Download {
        key,
        content_type: images::thumbnail_type(key),
        size,
        etag: format!("\"t{}\"", attachment.id),
        modified: attachment.created_at,
        file_name: None,
        cache_control: PRIVATE_CACHE,
    };
    serve(&state, file, &headers).await
}

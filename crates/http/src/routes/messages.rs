//! `/api/messages`: posting a message over HTTP (multipart form, as the contract has it, or JSON).

use axum::extract::Path;
use axum::extract::multipart::Field;
use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Request, State};
use axum::http::{StatusCode, header};
use axum::routing::{patch, post};
use charge_protocol::{MessageEdit, MessageModerate, ValidationItem};

use crate::extract::{ApiJson, Validate};
use crate::routes::rooms::parse_path_id;
use axum::{Json, Router};
use charge_domain::access::RoomAccess;
use charge_domain::mentions;
use charge_domain::messages::{self, ContentError};
use charge_domain::moderation::gate;
use charge_protocol::MessageRead;
use charge_protocol::frames::TextServerFrame;
use charge_protocol::limits::{self, NONCE_MAX_LENGTH};
use charge_store::StoreError;
use serde::Deserialize;
use std::borrow::Cow;

use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult, item};
use charge_domain::Domain as AppState;
use charge_domain::channels::{readable_text_channel, text_channel};
use charge_domain::permissions::{self, Permission, Perms};
use charge_domain::{dto, files};
use charge_store::{Attachment, Channel};

use crate::routes::attachments::malformed;

pub fn router() -> Router<AppState> {
    Router::new()
        // Files stream to storage under MAX_UPLOAD_SIZE each; text fields have their own cap.
        .route(
            "/api/messages",
            post(create_message).layer(DefaultBodyLimit::disable()),
        )
        .route(
            "/api/messages/{message_id}",
            patch(edit_message).delete(delete_message),
        )
        .route(
            "/api/messages/{message_id}/moderate",
            post(moderate_message),
        )
}

#[derive(Debug, Default, Deserialize)]
struct MessageForm {
    channel_id: Option<i64>,
    #[serde(default)]
    content: String,
    parent_id: Option<i64>,
    /// A string, or an integer taken as its digits; checked by [`nonce`].
    #[serde(default)]
    nonce: Option<serde_json::Value>,
}

/// The form's nonce: 1–[`NONCE_MAX_LENGTH`] characters, or none.
fn nonce(value: Option<serde_json::Value>) -> ApiResult<Option<String>> {
    let nonce = match value {
        None | Some(serde_json::Value::Null) => return Ok(None),
        Some(serde_json::Value::String(s)) => s,
        Some(serde_json::Value::Number(n)) if n.is_i64() || n.is_u64() => n.to_string(),
        Some(_) => String::new(),
    };
    if (1..=NONCE_MAX_LENGTH).contains(&nonce.chars().count()) {
        Ok(Some(nonce))
    } else {
        Err(ApiError::validation(
            "string_type",
            &["body", "nonce"],
            format!("Nonce must be a string of 1 to {NONCE_MAX_LENGTH} characters"),
        )
        .into())
    }
}

/// Bytes of one text field of the form (the content is at most a few kilobytes).
const TEXT_FIELD_MAX_BYTES: usize = 64 * 1024;

async fn text_field(mut field: Field<'_>) -> ApiResult<String> {
    let mut bytes = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(|_| malformed())? {
        if bytes.len() + chunk.len() > TEXT_FIELD_MAX_BYTES {
            return Err(ApiError::PayloadTooLarge("Request body too large".into()).into());
        }
        bytes.extend_from_slice(&chunk);
    }
    String::from_utf8(bytes).map_err(|_| {
        ApiError::validation(
            "string_unicode",
            &["body"],
            "Input should be a valid string",
        )
        .into()
    })
}

fn bad_int(name: &str) -> ApiError {
    ApiError::validation(
        "int_parsing",
        &["body", name],
        "Input should be a valid integer, unable to parse string as an integer",
    )
}

fn missing_channel() -> ApiError {
    ApiError::Validation(vec![item(
        "missing",
        &["body", "channel_id"],
        "Field required",
    )])
}

/// The form's fields, with each file part stored as an unbound upload as it streams in. Files
/// are checked against the channel before they are stored, so `channel_id` must come first.
async fn read_multipart(
    state: &AppState,
    user_id: i64,
    mut multipart: Multipart,
    uploads: &mut Vec<Attachment>,
) -> ApiResult<(MessageForm, Option<Channel>)> {
    let mut form = MessageForm::default();
    let mut channel: Option<Channel> = None;
    while let Some(field) = multipart.next_field().await.map_err(|_| malformed())? {
        let name = field.name().unwrap_or_default().to_owned();
        let has_file = field.file_name().is_some_and(|f| !f.is_empty());
        if name == "files" && has_file {
            let channel = match &channel {
                Some(channel) => channel.clone(),
                None => {
                    let id = form.channel_id.ok_or(ApiError::BadRequest(
                        "channel_id must come before the files",
                    ))?;
                    let found = readable_text_channel(state, id, user_id).await?;
                    channel = Some(found.clone());
                    found
                }
            };
            let max = state.settings.media.max_files_per_message;
            if uploads.len() >= max {
                return Err(ApiError::PayloadTooLarge(format!(
                    "A message may carry at most {max} attachments"
                ))
                .into());
            }
            let file_name = field.file_name().map(str::to_owned);
            let stored =
                files::upload(state, channel.id, user_id, file_name.as_deref(), field).await?;
            uploads.push(stored);
            continue;
        }
        let text = text_field(field).await?;
        match name.as_str() {
            "channel_id" => {
                form.channel_id = Some(text.trim().parse().map_err(|_| bad_int("channel_id"))?)
            }
            "content" => form.content = text,
            "nonce" => form.nonce = Some(serde_json::Value::String(text)),
            "parent_id" if text.trim().is_empty() => {}
            "parent_id" => {
                form.parent_id = Some(text.trim().parse().map_err(|_| bad_int("parent_id"))?)
            }
            "files" => {}
            // A form names only the contract's fields: a misspelt one is refused rather than
            // silently dropped (JSON bodies, like every JSON route, ignore unknown keys).
            other => {
                return Err(ApiError::validation(
                    "extra_forbidden",
                    &["body", other],
                    "Extra inputs are not permitted",
                )
                .into());
            }
        }
    }
    Ok((form, channel))
}

/// Post a message to a text channel, with files (multipart) or without (JSON or multipart).
/// An optional `nonce` (1–64 characters) makes a resend safe: the same nonce from the same
/// user within a day answers the message first stored.
#[utoipa::path(post, path = "/api/messages", tag = "messages", security(("bearer" = [])),
    request_body(description = "JSON, or a form with `channel_id` first, then `content`, `parent_id`, `nonce` and zero or more file parts named `files`.",
        content((charge_protocol::MessageCreate = "application/json"),
                (charge_protocol::MessageCreateForm = "multipart/form-data"))),
    responses((status = 201, body = MessageRead, description = "The new message, or the one first stored with this nonce"),
              (status = 400, description = "Empty content or parent mismatch"),
              (status = 403, description = "Not a room member or Missing permission: send_messages"),
              (status = 422, description = "Missing channel_id or a bad nonce"),
              (status = 404, description = "Channel (or one the caller may not view) or parent not found"),
              (status = 413, description = "Too long, a file over MAX_UPLOAD_SIZE, or too many files"),
              (status = 429, description = "Posting too fast or hourly upload quota spent")))]
pub async fn create_message(
    State(state): State<AppState>,
    me: CurrentUser,
    req: Request,
) -> ApiResult<(StatusCode, Json<MessageRead>)> {
    let declared = req
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap_or_default().to_ascii_lowercase());
    let essence = declared
        .as_deref()
        .map(|v| v.split(';').next().unwrap_or_default().trim().to_owned());
    let is_json = match essence.as_deref() {
        // No declared type is read as JSON, as every JSON route does.
        None => true,
        Some("multipart/form-data") => false,
        Some(e)
            if e == "application/json"
                || (e.starts_with("application/") && e.ends_with("+json")) =>
        {
            true
        }
        Some(_) => {
            return Err(ApiError::UnsupportedFormat(
                "Unsupported Media Type: send the message as multipart/form-data or application/json",
            )
            .into());
        }
    };
    if is_json {
        // The same bound as every JSON body (the form's own limits are its files').
        let bytes = axum::body::to_bytes(req.into_body(), limits::JSON_BODY_MAX_BYTES)
            .await
            .map_err(|_| ApiError::PayloadTooLarge("Request body too large".into()))?;
        let invalid = |e: serde_json::Error| {
            ApiError::validation("json_invalid", &["body"], format!("JSON decode error: {e}"))
        };
        let mut value: serde_json::Value = serde_json::from_slice(&bytes).map_err(invalid)?;
        crate::extract::integral_numbers(&mut value);
        let form: MessageForm = serde_json::from_value(value).map_err(invalid)?;
        return post_form(&state, &me, form, None, Vec::new()).await;
    }
    let multipart = Multipart::from_request(req, &())
        .await
        .map_err(|_| missing_channel())?;
    let mut uploads = Vec::new();
    let read = read_multipart(&state, me.user.id, multipart, &mut uploads).await;
    let posted = match read {
        Ok((form, channel)) => {
            let ids = uploads.iter().map(|a| a.id).collect();
            post_form(&state, &me, form, channel, ids).await
        }
        Err(e) => Err(e),
    };
    if posted.is_err() {
        // Decision: a refused post keeps none of its files.
        files::discard(&state, &uploads).await;
    }
    posted
}

/// The contract's checks after the form is read, then the message through the writer.
async fn post_form(
    state: &AppState,
    me: &CurrentUser,
    mut form: MessageForm,
    channel: Option<Channel>,
    attachments: Vec<i64>,
) -> ApiResult<(StatusCode, Json<MessageRead>)> {
    let nonce = nonce(form.nonce.take())?;
    let channel_id = match &channel {
        Some(channel) => channel.id,
        None => form.channel_id.ok_or_else(missing_channel)?,
    };
    let grant = text_channel(state, channel_id, me.user.id).await?;
    grant.require(Permission::SendMessages)?;
    let channel = grant.channel;
    if let Some(parent) = form.parent_id {
        match state.store.message_channel(parent).await? {
            None => return Err(ApiError::NotFound("Message not found").into()),
            Some(c) if c != channel.id => {
                return Err(ApiError::BadRequest("Parent message mismatch").into());
            }
            Some(_) => {}
        }
    }
    state
        .posting
        .admit(me.user.id)
        .map_err(|retry_after_secs| ApiError::TooManyRequests { retry_after_secs })?;
    let content = match messages::content(&form.content, state.settings.message_max_length) {
        Ok(content) => content,
        Err(ContentError::Empty) if !attachments.is_empty() => "",
        Err(ContentError::Empty) => {
            return Err(ApiError::BadRequest("Message content is required").into());
        }
        Err(ContentError::TooLong(max)) => {
            return Err(ApiError::PayloadTooLarge(format!(
                "Message exceeds maximum length of {max} characters"
            ))
            .into());
        }
    };
    let mentions = mentions::resolve(state, &channel, me.user.id, content).await?;
    // Timeouts (403) and slow mode (429 with Retry-After), as on the socket.
    gate::admit_post(state, channel.id, me.user.id)
        .await?
        .map_err(ApiError::from)?;
    let created = state
        .realtime
        .create_message(messages::Draft {
            channel_id: channel.id,
            author_id: me.user.id,
            content: content.to_owned(),
            parent_id: form.parent_id,
            attachments,
            mentions,
            nonce,
        })
        .await;
    if created.is_err() {
        state.moderation.release(channel.id, me.user.id);
    }
    let message = match created {
        Err(StoreError::NotFound) => return Err(ApiError::NotFound("Message not found").into()),
        other => other?,
    };
    // The writer has broadcast it to the channel (unless it is a resend: then this is the
    // message first stored, and the channel has it already).
    Ok((StatusCode::CREATED, Json(dto::message(&message))))
}

impl Validate for MessageEdit {
    fn validate(&mut self) -> Vec<ValidationItem> {
        Vec::new()
    }
}

impl Validate for MessageModerate {
    fn validate(&mut self) -> Vec<ValidationItem> {
        match self.action.as_str() {
            "suppress" | "restore" => Vec::new(),
            _ => vec![item(
                "enum",
                &["body", "action"],
                "Input should be 'suppress' or 'restore'",
            )],
        }
    }
}

/// The message, its room access for the caller, and what the caller may do in its channel;
/// a message in a channel the caller may not view is not found (decision 24).
async fn message_access(
    state: &AppState,
    raw_id: &str,
    user_id: i64,
) -> ApiResult<(charge_store::Message, RoomAccess, Perms)> {
    let id = parse_path_id(raw_id, "message_id")?;
    let message = state
        .store
        .message_by_id(id)
        .await?
        .ok_or(ApiError::NotFound("Message not found"))?;
    let channel = state
        .store
        .channel_by_id(message.channel_id)
        .await?
        .ok_or(ApiError::NotFound("Message not found"))?;
    let room = state
        .store
        .room_by_id(channel.room_id)
        .await?
        .ok_or(ApiError::NotFound("Message not found"))?;
    let access = RoomAccess::for_room(state, room, user_id).await?;
    let perms = permissions::room_perms(state, access.room.id)
        .await?
        .effective(channel.id, user_id)
        .unwrap_or_default();
    if !perms.has(Permission::View) {
        return Err(ApiError::NotFound("Message not found").into());
    }
    Ok((message, access, perms))
}

/// Acting on someone else's message: admin+, then `manage_messages` in its channel.
fn may_manage(access: &RoomAccess, perms: Perms) -> ApiResult<()> {
    access.require_admin()?;
    if perms.has(Permission::ManageMessages) {
        Ok(())
    } else {
        Err(ApiError::Forbidden(Permission::ManageMessages.missing()).into())
    }
}

/// Pushes the changed message to the channel's sockets and answers with it.
fn publish(state: &AppState, message: &charge_store::Message) -> Json<MessageRead> {
    let read = dto::message(message);
    let event = charge_domain::frame(&TextServerFrame::Message {
        message: Cow::Borrowed(&read),
    });
    state.realtime.to_channel(message.channel_id, event);
    Json(read)
}

/// Edit a message (its author, or an admin).
#[utoipa::path(patch, path = "/api/messages/{message_id}", tag = "messages", security(("bearer" = [])),
    params(("message_id" = i64, Path)), request_body = MessageEdit,
    responses((status = 200, body = MessageRead), (status = 400, description = "Message content cannot be empty"),
              (status = 403, description = "Insufficient permissions"), (status = 404, description = "Message not found"),
              (status = 413, description = "Too long")))]
pub async fn edit_message(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(message_id): Path<String>,
    ApiJson(body): ApiJson<MessageEdit>,
) -> ApiResult<Json<MessageRead>> {
    let (message, access, perms) = message_access(&state, &message_id, me.user.id).await?;
    if message.author_id != Some(me.user.id) {
        may_manage(&access, perms)?;
    }
    let content = body.content.trim_end();
    if content.trim().is_empty() {
        return Err(ApiError::BadRequest("Message content cannot be empty").into());
    }
    let max = state.settings.message_max_length;
    if content.chars().count() > max {
        return Err(ApiError::PayloadTooLarge(format!(
            "Message exceeds maximum length of {max} characters"
        ))
        .into());
    }
    let updated = state.store.edit_message(message.id, content).await?;
    Ok(publish(&state, &updated))
}

/// Delete a message (its author, or an admin); the row stays, its text is no longer shown.
#[utoipa::path(delete, path = "/api/messages/{message_id}", tag = "messages", security(("bearer" = [])),
    params(("message_id" = i64, Path)),
    responses((status = 200, body = MessageRead), (status = 403, description = "Insufficient permissions"),
              (status = 404, description = "Message not found")))]
pub async fn delete_message(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(message_id): Path<String>,
) -> ApiResult<Json<MessageRead>> {
    let (message, access, perms) = message_access(&state, &message_id, me.user.id).await?;
    if message.author_id != Some(me.user.id) {
        may_manage(&access, perms)?;
    }
    // A deleted message keeps its row, but its files go (decision 21: nothing of it is shown).
    files::remove_message_files(&state, message.id).await?;
    let updated = state.store.delete_message(message.id).await?;
    Ok(publish(&state, &updated))
}

/// Suppress or restore a message (admins and owners).
#[utoipa::path(post, path = "/api/messages/{message_id}/moderate", tag = "messages", security(("bearer" = [])),
    params(("message_id" = i64, Path)), request_body = MessageModerate,
    responses((status = 200, body = MessageRead), (status = 403, description = "Insufficient permissions"),
              (status = 404, description = "Message not found")))]
pub async fn moderate_message(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(message_id): Path<String>,
    ApiJson(body): ApiJson<MessageModerate>,
) -> ApiResult<Json<MessageRead>> {
    let (message, access, perms) = message_access(&state, &message_id, me.user.id).await?;
    may_manage(&access, perms)?;
    let note: Option<String> = body.note.map(|n| n.chars().take(255).collect());
    let by = (body.action == "suppress").then_some((me.user.id, note.as_deref()));
    let updated = state.store.moderate_message(message.id, by).await?;
    Ok(publish(&state, &updated))
}

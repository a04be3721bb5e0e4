//! `/api/messages`: posting a message over HTTP (multipart form, as the contract has it, or JSON).

use axum::extract::Path;
use axum::extract::{FromRequest, Multipart, Request, State};
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
use charge_protocol::limits::NONCE_MAX_LENGTH;
use charge_store::StoreError;
use serde::Deserialize;
use std::borrow::Cow;

use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult, item};
use charge_domain::Domain as AppState;
use charge_domain::channels::text_channel;
use charge_domain::dto;
use charge_domain::permissions::{self, Permission, Perms};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/messages", post(create_message))
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

async fn read_form(req: Request) -> ApiResult<MessageForm> {
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
        let bytes = axum::body::Bytes::from_request(req, &())
            .await
            .map_err(|_| ApiError::PayloadTooLarge("Request body too large".into()))?;
        let invalid = |e: serde_json::Error| {
            ApiError::validation("json_invalid", &["body"], format!("JSON decode error: {e}"))
        };
        let mut value: serde_json::Value = serde_json::from_slice(&bytes).map_err(invalid)?;
        crate::extract::integral_numbers(&mut value);
        return Ok(serde_json::from_value(value).map_err(invalid)?);
    }
    let mut multipart = Multipart::from_request(req, &())
        .await
        .map_err(|_| ApiError::validation("missing", &["body", "channel_id"], "Field required"))?;
    let mut form = MessageForm::default();
    let bad_int = |name: &str| {
        ApiError::validation(
            "int_parsing",
            &["body", name],
            "Input should be a valid integer, unable to parse string as an integer",
        )
    };
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|_| ApiError::validation("value_error", &["body"], "Malformed multipart body"))?
    {
        let name = field.name().unwrap_or_default().to_owned();
        let has_file = field.file_name().is_some_and(|f| !f.is_empty());
        let text = field
            .text()
            .await
            .map_err(|_| ApiError::PayloadTooLarge("Request body too large".into()))?;
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
            "files" if has_file || !text.is_empty() => {
                return Err(ApiError::BadRequest(
                    "Attachments are not supported by this server yet",
                )
                .into());
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
    Ok(form)
}

/// Post a message to a text channel. An optional `nonce` (1–64 characters) makes a resend
/// safe: the same nonce from the same user within a day answers the message first stored.
#[utoipa::path(post, path = "/api/messages", tag = "messages", security(("bearer" = [])),
    request_body(content((charge_protocol::MessageCreate = "application/json"),
                         (charge_protocol::MessageCreateForm = "multipart/form-data"))),
    responses((status = 201, body = MessageRead, description = "The new message, or the one first stored with this nonce"),
              (status = 400, description = "Blank content, parent message mismatch, not a text channel, or files attached"),
              (status = 403, description = "Not a room member or Missing permission: send_messages"),
              (status = 404, description = "Channel (or one the caller may not view) or parent message not found"),
              (status = 413, description = "Message exceeds maximum length"),
              (status = 422, description = "Missing channel_id, a bad nonce, or an unknown form field"),
              (status = 429, description = "Posting too fast; retry after `Retry-After` seconds")))]
pub async fn create_message(
    State(state): State<AppState>,
    me: CurrentUser,
    req: Request,
) -> ApiResult<(StatusCode, Json<MessageRead>)> {
    let mut form = read_form(req).await?;
    let nonce = nonce(form.nonce.take())?;
    let channel_id = form.channel_id.ok_or_else(|| {
        ApiError::Validation(vec![item(
            "missing",
            &["body", "channel_id"],
            "Field required",
        )])
    })?;
    let grant = text_channel(&state, channel_id, me.user.id).await?;
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
    let mentions = mentions::resolve(&state, &channel, me.user.id, content).await?;
    // Timeouts (403) and slow mode (429 with Retry-After), as on the socket.
    gate::admit_post(&state, channel.id, me.user.id)
        .await?
        .map_err(ApiError::from)?;
    let created = state
        .realtime
        .create_message(messages::Draft {
            channel_id: channel.id,
            author_id: me.user.id,
            content: content.to_owned(),
            parent_id: form.parent_id,
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
    responses((status = 200, body = MessageRead), (status = 400, description = "Message content cannot be empty"), (status = 403, description = "Not a member, or neither the author nor an admin"), (status = 404, description = "Message not found"), (status = 413, description = "Message exceeds maximum length")))]
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
    responses((status = 200, body = MessageRead), (status = 403, description = "Not a member, or neither the author nor an admin"), (status = 404, description = "Message not found")))]
pub async fn delete_message(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(message_id): Path<String>,
) -> ApiResult<Json<MessageRead>> {
    let (message, access, perms) = message_access(&state, &message_id, me.user.id).await?;
    if message.author_id != Some(me.user.id) {
        may_manage(&access, perms)?;
    }
    let updated = state.store.delete_message(message.id).await?;
    Ok(publish(&state, &updated))
}

/// Suppress or restore a message (admins and owners).
#[utoipa::path(post, path = "/api/messages/{message_id}/moderate", tag = "messages", security(("bearer" = [])),
    params(("message_id" = i64, Path)), request_body = MessageModerate,
    responses((status = 200, body = MessageRead), (status = 403, description = "Not a member, or not an admin"), (status = 404, description = "Message not found")))]
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

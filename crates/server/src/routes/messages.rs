//! `/api/messages`: posting a message over HTTP (multipart form, as the contract has it, or JSON).

use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::{StatusCode, header};
use axum::routing::post;
use axum::{Json, Router};
use charge_protocol::MessageRead;
use charge_store::{NewMessage, StoreError};
use serde::Deserialize;

use crate::auth::CurrentUser;
use crate::dto;
use crate::error::{ApiError, ApiResult, item};
use crate::routes::channels::readable_text_channel;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/messages", post(create_message))
}

#[derive(Debug, Default, Deserialize)]
struct MessageForm {
    channel_id: Option<i64>,
    #[serde(default)]
    content: String,
    parent_id: Option<i64>,
}

async fn read_form(req: Request) -> ApiResult<MessageForm> {
    let is_json = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if is_json {
        let bytes = axum::body::Bytes::from_request(req, &())
            .await
            .map_err(|_| ApiError::PayloadTooLarge("Request body too large".into()))?;
        return serde_json::from_slice(&bytes).map_err(|e| {
            ApiError::validation("json_invalid", &["body"], format!("JSON decode error: {e}"))
        });
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
            "parent_id" if text.trim().is_empty() => {}
            "parent_id" => {
                form.parent_id = Some(text.trim().parse().map_err(|_| bad_int("parent_id"))?)
            }
            "files" if has_file || !text.is_empty() => {
                return Err(ApiError::BadRequest(
                    "Attachments are not supported by this server yet",
                ));
            }
            _ => {}
        }
    }
    Ok(form)
}

/// Post a message to a text channel.
#[utoipa::path(post, path = "/api/messages", tag = "messages", security(("bearer" = [])),
    responses((status = 201, body = MessageRead), (status = 400, description = "Empty content or parent mismatch"),
              (status = 404, description = "Channel or parent not found"), (status = 413, description = "Too long")))]
pub async fn create_message(
    State(state): State<AppState>,
    me: CurrentUser,
    req: Request,
) -> ApiResult<(StatusCode, Json<MessageRead>)> {
    let form = read_form(req).await?;
    let channel_id = form.channel_id.ok_or_else(|| {
        ApiError::Validation(vec![item(
            "missing",
            &["body", "channel_id"],
            "Field required",
        )])
    })?;
    let (channel, _access) = readable_text_channel(&state, channel_id, me.user.id).await?;
    if let Some(parent) = form.parent_id {
        match state.store.message_channel(parent).await? {
            None => return Err(ApiError::NotFound("Message not found")),
            Some(c) if c != channel.id => {
                return Err(ApiError::BadRequest("Parent message mismatch"));
            }
            Some(_) => {}
        }
    }
    let content = form.content.trim_end();
    if content.trim().is_empty() {
        return Err(ApiError::BadRequest("Message content is required"));
    }
    let max = state.settings.message_max_length;
    if content.chars().count() > max {
        return Err(ApiError::PayloadTooLarge(format!(
            "Message exceeds maximum length of {max} characters"
        )));
    }
    let message = match state
        .store
        .create_message(NewMessage {
            channel_id: channel.id,
            author_id: me.user.id,
            content,
            parent_id: form.parent_id,
        })
        .await
    {
        Err(StoreError::NotFound) => return Err(ApiError::NotFound("Message not found")),
        other => other?,
    };
    let read = dto::message(&message);
    let event =
        crate::realtime::hub::frame(&serde_json::json!({"type": "message", "message": &read}));
    state.hub.to_channel(channel.id, &event);
    Ok((StatusCode::CREATED, Json(read)))
}

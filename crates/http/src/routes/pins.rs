//! Pinned messages of a text channel: listed by members, pinned and unpinned by admins.
//!
//! Pins are not announced on the channel's sockets (as in the predecessor), but a pin shows in
//! every `MessageRead` (`pinned_at`, `pinned_by`), so each change drops the cached history of
//! the channel on every node.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use charge_protocol::{PinCreate, PinnedMessageRead};

use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, Validate, check_len};
use crate::routes::rooms::parse_path_id;
use charge_domain::Domain as AppState;
use charge_domain::channels::readable_text_channel;
use charge_domain::dto;
use charge_domain::permissions::{self, Permission};

/// Most messages one channel may have pinned; the list is therefore bounded too.
pub const MAX_PINS_PER_CHANNEL: i64 = charge_protocol::limits::PINS_PER_CHANNEL;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/channels/{channel_id}/pins", get(list_pins))
        .route(
            "/api/channels/{channel_id}/pins/{message_id}",
            post(pin_message).delete(unpin_message),
        )
}

impl Validate for PinCreate {
    fn validate(&mut self) -> Vec<charge_protocol::ValidationItem> {
        let mut problems = Vec::new();
        if let Some(note) = &self.note {
            check_len(
                &mut problems,
                &["body", "note"],
                note,
                0,
                charge_protocol::limits::PIN_NOTE_MAX_LENGTH,
            );
        }
        problems
    }
}

/// The ids of a text channel the caller administers and of a message; with `must_exist`, the
/// message must be one of the channel's (404 "Message not found").
async fn pinnable(
    state: &AppState,
    channel_id: &str,
    message_id: &str,
    user_id: i64,
    must_exist: bool,
) -> ApiResult<(i64, i64)> {
    // Malformed ids are a 422 before any lookup.
    let channel_id = parse_path_id(channel_id, "channel_id")?;
    let message = parse_path_id(message_id, "message_id")?;
    let grant =
        permissions::managed_channel(state, channel_id, user_id, Permission::ManageMessages)
            .await?;
    grant.require_text()?;
    let channel = grant.channel;
    if must_exist && state.store.message_channel(message).await? != Some(channel.id) {
        return Err(ApiError::NotFound("Message not found").into());
    }
    Ok((channel.id, message))
}

/// A channel's pinned messages, most recently pinned first.
#[utoipa::path(get, path = "/api/channels/{channel_id}/pins", tag = "channels", security(("bearer" = [])),
    params(("channel_id" = i64, Path)),
    responses((status = 200, body = Vec<PinnedMessageRead>, description = "At most 250, the channel's limit"), (status = 400, description = "Not a text channel"), (status = 403, description = "Not a room member"), (status = 404, description = "Channel not found")))]
pub async fn list_pins(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(channel_id): Path<String>,
) -> ApiResult<Json<Vec<PinnedMessageRead>>> {
    let channel = readable_text_channel(
        &state,
        parse_path_id(&channel_id, "channel_id")?,
        me.user.id,
    )
    .await?;
    let pinned = state
        .store
        .pinned_messages(channel.id, MAX_PINS_PER_CHANNEL)
        .await?;
    Ok(Json(
        pinned
            .iter()
            .filter_map(|m| dto::pinned_message(m, me.user.id))
            .collect(),
    ))
}

/// Pins a message, or updates its note (admins and owners).
#[utoipa::path(post, path = "/api/channels/{channel_id}/pins/{message_id}", tag = "channels",
    security(("bearer" = [])), params(("channel_id" = i64, Path), ("message_id" = i64, Path)),
    request_body = PinCreate,
    responses((status = 201, body = PinnedMessageRead), (status = 400, description = "Not a text channel, or the channel has 250 pinned messages"), (status = 403, description = "Not a member, or not an admin"), (status = 404, description = "Channel or message not found")))]
pub async fn pin_message(
    State(state): State<AppState>,
    me: CurrentUser,
    Path((channel_id, message_id)): Path<(String, String)>,
    ApiJson(body): ApiJson<PinCreate>,
) -> ApiResult<(StatusCode, Json<PinnedMessageRead>)> {
    let (channel_id, message_id) =
        pinnable(&state, &channel_id, &message_id, me.user.id, true).await?;
    let pinned = state
        .store
        .pin_message(
            channel_id,
            message_id,
            me.user.id,
            body.note.as_deref(),
            MAX_PINS_PER_CHANNEL,
        )
        .await?;
    if !pinned {
        return Err(ApiError::BadRequest("A channel can have at most 250 pinned messages").into());
    }
    state.realtime.channel_changed_silently(channel_id);
    let message = state
        .store
        .message_by_id(message_id)
        .await?
        .ok_or(ApiError::NotFound("Message not found"))?;
    let read = dto::pinned_message(&message, me.user.id)
        .ok_or(ApiError::NotFound("Pinned message not found"))?;
    Ok((StatusCode::CREATED, Json(read)))
}

/// Unpins a message (admins and owners).
#[utoipa::path(delete, path = "/api/channels/{channel_id}/pins/{message_id}", tag = "channels",
    security(("bearer" = [])), params(("channel_id" = i64, Path), ("message_id" = i64, Path)),
    responses((status = 204), (status = 400, description = "Not a text channel"), (status = 403, description = "Not a member, or not an admin"), (status = 404, description = "Channel, message or pin not found")))]
pub async fn unpin_message(
    State(state): State<AppState>,
    me: CurrentUser,
    Path((channel_id, message_id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let (channel_id, message_id) =
        pinnable(&state, &channel_id, &message_id, me.user.id, false).await?;
    if !state.store.unpin_message(channel_id, message_id).await? {
        return Err(ApiError::NotFound("Pinned message not found").into());
    }
    state.realtime.channel_changed_silently(channel_id);
    Ok(StatusCode::NO_CONTENT)
}

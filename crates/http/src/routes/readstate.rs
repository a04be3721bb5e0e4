//! Read state over HTTP: marking a text channel read, every room's unread and mention counts,
//! and read receipts on single messages (§1.5).

use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use charge_domain::Domain as AppState;
use charge_domain::channels::{readable_text_channel, text_channel};
use charge_domain::permissions::Permission;
use charge_domain::{dto, readstate};
use charge_protocol::{
    ChannelReadState, MessageRead, ReadMarkCreate, ReceiptCreate, RoomReadState, ValidationItem,
};

use crate::auth::CurrentUser;
use crate::error::{ApiResult, item};
use crate::extract::{ApiJson, Validate};
use crate::routes::rooms::parse_path_id;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/read-states", get(list_read_states))
        .route("/api/channels/{channel_id}/read", post(mark_channel_read))
        .route(
            "/api/channels/{channel_id}/messages/{message_id}/receipts",
            post(create_receipt),
        )
}

impl Validate for ReadMarkCreate {
    fn validate(&mut self) -> Vec<ValidationItem> {
        match self.message_id {
            Some(id) if id < 1 => vec![item(
                "greater_than_equal",
                &["body", "message_id"],
                "Input should be greater than or equal to 1",
            )],
            _ => Vec::new(),
        }
    }
}

impl Validate for ReceiptCreate {
    fn validate(&mut self) -> Vec<ValidationItem> {
        if self.delivered == Some(true) || self.read == Some(true) {
            Vec::new()
        } else {
            vec![item(
                "value_error",
                &["body"],
                "Value error, At least one of delivered or read must be provided",
            )]
        }
    }
}

/// The caller's unread and mention counts in every room they belong to.
#[utoipa::path(get, path = "/api/read-states", tag = "read state", security(("bearer" = [])),
    responses((status = 200, body = Vec<RoomReadState>, description = "Rooms by title, each with its text channels' counts"),
              (status = 401, description = "Not authenticated")))]
pub async fn list_read_states(
    State(state): State<AppState>,
    me: CurrentUser,
) -> ApiResult<Json<Vec<RoomReadState>>> {
    Ok(Json(readstate::room_states(&state, me.user.id).await?))
}

/// Mark a text channel read up to a message (default: its newest). A read position only
/// moves forward; the caller's other workspace sockets receive a `read_state` frame.
#[utoipa::path(post, path = "/api/channels/{channel_id}/read", tag = "read state", security(("bearer" = [])),
    params(("channel_id" = i64, Path)), request_body = ReadMarkCreate,
    responses((status = 200, body = ChannelReadState),
              (status = 400, description = "History is only available for text channels"),
              (status = 403, description = "Not a room member"),
              (status = 404, description = "Channel not found / Message not found"),
              (status = 422, description = "Invalid body")))]
pub async fn mark_channel_read(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(channel_id): Path<String>,
    ApiJson(body): ApiJson<ReadMarkCreate>,
) -> ApiResult<Json<ChannelReadState>> {
    let channel_id = parse_path_id(&channel_id, "channel_id")?;
    let channel = readable_text_channel(&state, channel_id, me.user.id).await?;
    Ok(Json(
        readstate::mark_read(&state, &channel, me.user.id, body.message_id).await?,
    ))
}

/// Record that the caller received and/or read a message.
#[utoipa::path(post, path = "/api/channels/{channel_id}/messages/{message_id}/receipts", tag = "messages",
    security(("bearer" = [])), params(("channel_id" = i64, Path), ("message_id" = i64, Path)),
    request_body = ReceiptCreate,
    responses((status = 200, body = MessageRead, description = "The message with the caller's delivered_at/read_at"),
              (status = 400, description = "History is only available for text channels"),
              (status = 403, description = "Not a room member or Missing permission: send_messages"),
              (status = 404, description = "Channel not found (or one the caller may not view) / Message not found"),
              (status = 422, description = "Neither delivered nor read is true")))]
pub async fn create_receipt(
    State(state): State<AppState>,
    me: CurrentUser,
    Path((channel_id, message_id)): Path<(String, String)>,
    ApiJson(body): ApiJson<ReceiptCreate>,
) -> ApiResult<Json<MessageRead>> {
    let channel_id = parse_path_id(&channel_id, "channel_id")?;
    let message_id = parse_path_id(&message_id, "message_id")?;
    // Receipts are something the user sends: `send_messages` (decision 24).
    let grant = text_channel(&state, channel_id, me.user.id).await?;
    grant.require(Permission::SendMessages)?;
    let channel = grant.channel;
    let (message, delivered_at, read_at) = readstate::receipt(
        &state,
        channel.id,
        message_id,
        me.user.id,
        body.delivered == Some(true),
        body.read == Some(true),
    )
    .await?;
    let mut read = dto::message_for(&message, Some(me.user.id));
    read.delivered_at = delivered_at.map(dto::timestamp);
    read.read_at = read_at.map(dto::timestamp);
    Ok(Json(read))
}

//! `/api/channels`: history pages of a text channel.

use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE;
use charge_protocol::MessageHistoryPage;
use charge_store::{Channel, HistoryPage, HistoryQuery, Message};
use serde::Deserialize;

use crate::access::RoomAccess;
use crate::auth::CurrentUser;
use crate::dto;
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiQuery;
use crate::routes::rooms::parse_path_id;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/channels/{channel_id}/history", get(get_history))
}

/// A text channel the caller may read: 404 when missing, 400 for voice, 403 for non-members.
pub async fn readable_text_channel(
    state: &AppState,
    channel_id: i64,
    user_id: i64,
) -> ApiResult<(Channel, RoomAccess)> {
    let channel = state
        .store
        .channel_by_id(channel_id)
        .await?
        .ok_or(ApiError::NotFound("Channel not found"))?;
    if !channel.is_text() {
        return Err(ApiError::BadRequest(
            "History is only available for text channels",
        ));
    }
    let room = state
        .store
        .room_by_id(channel.room_id)
        .await?
        .ok_or(ApiError::NotFound("Channel not found"))?;
    let access = RoomAccess::for_room(state, room, user_id).await?;
    Ok((channel, access))
}

#[derive(Debug, Deserialize)]
pub struct HistoryParams {
    limit: Option<i64>,
    before: Option<i64>,
    after: Option<i64>,
    around: Option<i64>,
    cursor: Option<String>,
    direction: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Backward,
    Forward,
}

impl Direction {
    fn as_str(self) -> &'static str {
        match self {
            Direction::Backward => "backward",
            Direction::Forward => "forward",
        }
    }
}

/// Opaque cursor: URL-safe base64 of `v1|<created_at>|<message id>|<direction>`.
fn encode_cursor(message: &Message, direction: Direction) -> String {
    URL_SAFE.encode(format!(
        "v1|{}|{}|{}",
        dto::timestamp(message.created_at),
        message.id,
        direction.as_str()
    ))
}

fn decode_cursor(cursor: &str) -> ApiResult<(String, i64, Direction)> {
    let invalid = ApiError::BadRequest("Invalid cursor");
    let bytes = URL_SAFE
        .decode(cursor.trim())
        .map_err(|_| ApiError::BadRequest("Invalid cursor"))?;
    let text = String::from_utf8(bytes).map_err(|_| ApiError::BadRequest("Invalid cursor"))?;
    let parts: Vec<&str> = text.split('|').collect();
    let [version, created_at, id, direction] = parts.as_slice() else {
        return Err(invalid);
    };
    let id: i64 = id
        .parse()
        .map_err(|_| ApiError::BadRequest("Invalid cursor"))?;
    let direction = match *direction {
        "backward" => Direction::Backward,
        "forward" => Direction::Forward,
        _ => return Err(invalid),
    };
    if *version != "v1" {
        return Err(invalid);
    }
    Ok(((*created_at).to_owned(), id, direction))
}

/// A page of a text channel's history, oldest first.
#[utoipa::path(get, path = "/api/channels/{channel_id}/history", tag = "channels", security(("bearer" = [])),
    params(("channel_id" = i64, Path), ("limit" = Option<i64>, Query), ("before" = Option<i64>, Query),
           ("after" = Option<i64>, Query), ("around" = Option<i64>, Query), ("cursor" = Option<String>, Query),
           ("direction" = Option<String>, Query)),
    responses((status = 200, body = MessageHistoryPage), (status = 400, description = "Bad pivot or cursor"),
              (status = 404, description = "Channel or message not found")))]
pub async fn get_history(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(channel_id): Path<String>,
    ApiQuery(params): ApiQuery<HistoryParams>,
) -> ApiResult<Json<MessageHistoryPage>> {
    let channel_id = parse_path_id(&channel_id, "channel_id")?;
    let limit = match params.limit {
        Some(l) if l < 1 => {
            return Err(ApiError::validation(
                "greater_than_equal",
                &["query", "limit"],
                "Input should be greater than or equal to 1",
            ));
        }
        Some(l) => l.min(state.settings.history_max_limit),
        None => state.settings.history_default_limit,
    };
    let direction = match params.direction.as_deref() {
        None | Some("backward") => Direction::Backward,
        Some("forward") => Direction::Forward,
        Some(_) => {
            return Err(ApiError::validation(
                "enum",
                &["query", "direction"],
                "Input should be 'backward' or 'forward'",
            ));
        }
    };
    let pivots = [
        params.cursor.is_some(),
        params.before.is_some(),
        params.after.is_some(),
        params.around.is_some(),
    ];
    if pivots.iter().filter(|p| **p).count() > 1 {
        return Err(ApiError::BadRequest(
            "Provide only one of cursor, before, after, or around",
        ));
    }
    let (channel, _access) = readable_text_channel(&state, channel_id, me.user.id).await?;

    let pivot_in_channel = |id: i64| {
        let state = state.clone();
        async move {
            match state.store.message_channel(id).await? {
                Some(c) if c == channel.id => Ok(()),
                _ => Err(ApiError::NotFound("Message not found")),
            }
        }
    };
    let (query, direction) = if let Some(cursor) = &params.cursor {
        let (created_at, id, direction) = decode_cursor(cursor)?;
        let pivot = state
            .store
            .message_by_id(id)
            .await?
            .filter(|m| m.channel_id == channel.id);
        let pivot = pivot.ok_or(ApiError::NotFound("Message not found"))?;
        if dto::timestamp(pivot.created_at) != created_at {
            return Err(ApiError::BadRequest("Cursor is no longer valid"));
        }
        match direction {
            Direction::Backward => (HistoryQuery::Before { id, limit }, direction),
            Direction::Forward => (HistoryQuery::After { id, limit }, direction),
        }
    } else if let Some(id) = params.before {
        pivot_in_channel(id).await?;
        (HistoryQuery::Before { id, limit }, Direction::Backward)
    } else if let Some(id) = params.after {
        pivot_in_channel(id).await?;
        (HistoryQuery::After { id, limit }, Direction::Forward)
    } else if let Some(id) = params.around {
        pivot_in_channel(id).await?;
        (HistoryQuery::Around { id, limit }, Direction::Backward)
    } else if direction == Direction::Forward {
        (HistoryQuery::Oldest { limit }, direction)
    } else {
        (HistoryQuery::Latest { limit }, direction)
    };
    let page = state.store.history(channel.id, query).await?;
    Ok(Json(history_page(&page, direction)))
}

/// Wire page with cursors: `next_cursor` continues in the requested direction.
pub fn history_page(page: &HistoryPage, direction: Direction) -> MessageHistoryPage {
    let oldest = page.items.first();
    let newest = page.items.last();
    let backward = oldest
        .filter(|_| page.has_more_backward)
        .map(|m| encode_cursor(m, Direction::Backward));
    let forward = newest
        .filter(|_| page.has_more_forward)
        .map(|m| encode_cursor(m, Direction::Forward));
    let (next_cursor, prev_cursor) = match direction {
        Direction::Backward => (backward, forward),
        Direction::Forward => (forward, backward),
    };
    MessageHistoryPage {
        items: page.items.iter().map(dto::message).collect(),
        next_cursor,
        prev_cursor,
        has_more_backward: page.has_more_backward,
        has_more_forward: page.has_more_forward,
    }
}

/// The newest page, as sent on WebSocket connect.
pub fn latest_page(page: &HistoryPage) -> MessageHistoryPage {
    history_page(page, Direction::Backward)
}

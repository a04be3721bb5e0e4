//! `/api/channels`: history pages of a text channel.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE;
use charge_protocol::{MessageHistoryPage, MessageRead, ReactionCreate};
use charge_store::{Channel, HistoryPage, HistoryQuery, Message};
use serde::Deserialize;

use crate::auth::CurrentUser;
use crate::cache::CachedPage;
use crate::dto;
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiQuery;
use crate::realtime::ws::Utf8Bytes;
use crate::routes::rooms::parse_path_id;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/channels/{channel_id}/history", get(get_history))
        .route(
            "/api/channels/{channel_id}/threads/{message_id}",
            get(get_thread),
        )
        .route("/api/channels/{channel_id}/search", get(search_messages))
        .route(
            "/api/channels/{channel_id}/messages/{message_id}/reactions",
            axum::routing::post(add_reaction).delete(remove_reaction),
        )
}

impl crate::extract::Validate for ReactionCreate {
    fn validate(&mut self) -> Vec<charge_protocol::ValidationItem> {
        let mut problems = Vec::new();
        crate::extract::check_len(&mut problems, &["body", "emoji"], &self.emoji, 1, 32);
        problems
    }
}

#[derive(Debug, Deserialize)]
pub struct EmojiQuery {
    emoji: String,
}

/// The message `message_id` of text channel `channel_id`, for a member.
async fn channel_message(
    state: &AppState,
    channel_id: &str,
    message_id: &str,
    user_id: i64,
) -> ApiResult<Channel> {
    let channel_id = parse_path_id(channel_id, "channel_id")?;
    let message_id = parse_path_id(message_id, "message_id")?;
    let channel = readable_text_channel(state, channel_id, user_id).await?;
    match state.store.message_channel(message_id).await? {
        Some(c) if c == channel.id => Ok(channel),
        _ => Err(ApiError::NotFound("Message not found")),
    }
}

/// After a reaction change: push it to the channel, answer with the caller's view.
async fn reaction_changed(
    state: &AppState,
    channel_id: i64,
    message_id: i64,
    viewer: i64,
) -> ApiResult<MessageRead> {
    let message = state
        .store
        .message_by_id(message_id)
        .await?
        .ok_or(ApiError::NotFound("Message not found"))?;
    let event = crate::realtime::hub::frame(
        &serde_json::json!({"type": "reaction", "message": dto::message(&message)}),
    );
    state.hub.to_channel(channel_id, &event);
    Ok(dto::message_for(&message, Some(viewer)))
}

/// React to a message.
#[utoipa::path(post, path = "/api/channels/{channel_id}/messages/{message_id}/reactions", tag = "messages",
    security(("bearer" = [])), params(("channel_id" = i64, Path), ("message_id" = i64, Path)), request_body = ReactionCreate,
    responses((status = 201, body = MessageRead), (status = 404, description = "Message not found"),
              (status = 409, description = "Reaction already exists")))]
pub async fn add_reaction(
    State(state): State<AppState>,
    me: CurrentUser,
    Path((channel_id, message_id)): Path<(String, String)>,
    crate::extract::ApiJson(body): crate::extract::ApiJson<ReactionCreate>,
) -> ApiResult<(axum::http::StatusCode, Json<MessageRead>)> {
    let channel = channel_message(&state, &channel_id, &message_id, me.user.id).await?;
    let message_id = parse_path_id(&message_id, "message_id")?;
    if !state
        .store
        .add_reaction(message_id, me.user.id, &body.emoji)
        .await?
    {
        return Err(ApiError::Conflict("Reaction already exists"));
    }
    let read = reaction_changed(&state, channel.id, message_id, me.user.id).await?;
    Ok((axum::http::StatusCode::CREATED, Json(read)))
}

/// Remove your reaction.
#[utoipa::path(delete, path = "/api/channels/{channel_id}/messages/{message_id}/reactions", tag = "messages",
    security(("bearer" = [])),
    params(("channel_id" = i64, Path), ("message_id" = i64, Path), ("emoji" = String, Query)),
    responses((status = 200, body = MessageRead), (status = 404, description = "Message or reaction not found")))]
pub async fn remove_reaction(
    State(state): State<AppState>,
    me: CurrentUser,
    Path((channel_id, message_id)): Path<(String, String)>,
    ApiQuery(query): ApiQuery<EmojiQuery>,
) -> ApiResult<Json<MessageRead>> {
    let len = query.emoji.chars().count();
    if !(1..=32).contains(&len) {
        return Err(ApiError::validation(
            "string_too_long",
            &["query", "emoji"],
            "String should have 1 to 32 characters",
        ));
    }
    let channel = channel_message(&state, &channel_id, &message_id, me.user.id).await?;
    let message_id = parse_path_id(&message_id, "message_id")?;
    if !state
        .store
        .remove_reaction(message_id, me.user.id, &query.emoji)
        .await?
    {
        return Err(ApiError::NotFound("Reaction not found"));
    }
    Ok(Json(
        reaction_changed(&state, channel.id, message_id, me.user.id).await?,
    ))
}

/// Most messages a thread answer carries (its root and the oldest replies).
pub const THREAD_MAX_MESSAGES: i64 = charge_protocol::limits::THREAD_MAX_MESSAGES;

/// A message and its thread, oldest first.
#[utoipa::path(get, path = "/api/channels/{channel_id}/threads/{message_id}", tag = "channels",
    security(("bearer" = [])), params(("channel_id" = i64, Path), ("message_id" = i64, Path)),
    responses((status = 200, body = Vec<MessageRead>, description = "The message, then its replies and the rest of the thread (at most 1,000)"),
              (status = 404, description = "Channel or message not found")))]
pub async fn get_thread(
    State(state): State<AppState>,
    me: CurrentUser,
    Path((channel_id, message_id)): Path<(String, String)>,
) -> ApiResult<Json<Vec<MessageRead>>> {
    let channel = channel_message(&state, &channel_id, &message_id, me.user.id).await?;
    let root = parse_path_id(&message_id, "message_id")?;
    let items = state
        .store
        .thread(channel.id, root, THREAD_MAX_MESSAGES)
        .await?;
    Ok(Json(
        items
            .iter()
            .map(|m| dto::message_for(m, Some(me.user.id)))
            .collect(),
    ))
}

#[derive(Debug, Deserialize)]
pub struct SearchParams {
    query: Option<String>,
    author_id: Option<i64>,
    has_attachments: Option<String>,
    start: Option<String>,
    end: Option<String>,
    thread_root_id: Option<i64>,
    limit: Option<i64>,
}

/// A boolean query value, spelled as the predecessor accepted them.
fn query_bool(value: &str, field: &'static str) -> ApiResult<bool> {
    match value.to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" | "t" | "y" => Ok(true),
        "false" | "0" | "no" | "off" | "f" | "n" => Ok(false),
        _ => Err(ApiError::validation(
            "bool_parsing",
            &["query", field],
            "Input should be a valid boolean, unable to interpret input",
        )),
    }
}

fn query_time(value: &str, field: &'static str) -> ApiResult<i64> {
    dto::parse_timestamp(value).ok_or_else(|| {
        ApiError::validation(
            "datetime_parsing",
            &["query", field],
            "Input should be a valid datetime",
        )
    })
}

/// Messages of a text channel matching every filter given, newest first.
#[utoipa::path(get, path = "/api/channels/{channel_id}/search", tag = "channels", security(("bearer" = [])),
    params(("channel_id" = i64, Path), ("query" = Option<String>, Query, description = "case-insensitive substring of the content"),
           ("author_id" = Option<i64>, Query), ("has_attachments" = Option<bool>, Query),
           ("start" = Option<String>, Query, description = "ISO 8601, inclusive"), ("end" = Option<String>, Query, description = "ISO 8601, inclusive"),
           ("thread_root_id" = Option<i64>, Query), ("limit" = Option<i64>, Query, description = "default 50, at most CHAT_HISTORY_MAX_LIMIT")),
    responses((status = 200, body = Vec<MessageRead>), (status = 404, description = "Channel not found"),
              (status = 422, description = "Invalid filter")))]
pub async fn search_messages(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(channel_id): Path<String>,
    ApiQuery(params): ApiQuery<SearchParams>,
) -> ApiResult<Json<Vec<MessageRead>>> {
    let channel_id = parse_path_id(&channel_id, "channel_id")?;
    if params.query.as_deref() == Some("") {
        return Err(ApiError::validation(
            "string_too_short",
            &["query", "query"],
            "String should have at least 1 character",
        ));
    }
    let limit = page_limit(&state, params.limit, 50)?;
    let filter = charge_store::SearchFilter {
        text: params.query.as_deref(),
        author_id: params.author_id,
        has_attachments: params
            .has_attachments
            .as_deref()
            .map(|v| query_bool(v, "has_attachments"))
            .transpose()?,
        start: params
            .start
            .as_deref()
            .map(|v| query_time(v, "start"))
            .transpose()?,
        // Timestamps are shown to the millisecond, so an end bound takes in the whole
        // millisecond it names: a message's own `created_at` finds the message.
        end: params
            .end
            .as_deref()
            .map(|v| query_time(v, "end").map(|t| t - t.rem_euclid(1000) + 999))
            .transpose()?,
        thread_root_id: params.thread_root_id,
        limit,
    };
    let channel = readable_text_channel(&state, channel_id, me.user.id).await?;
    let items = state.store.search(channel.id, &filter).await?;
    Ok(Json(
        items
            .iter()
            .map(|m| dto::message_for(m, Some(me.user.id)))
            .collect(),
    ))
}

/// A `limit` query: at least 1 (else 422), `default` when absent, capped at
/// `CHAT_HISTORY_MAX_LIMIT` either way.
fn page_limit(state: &AppState, limit: Option<i64>, default: i64) -> ApiResult<i64> {
    match limit {
        Some(l) if l < 1 => Err(ApiError::validation(
            "greater_than_equal",
            &["query", "limit"],
            "Input should be greater than or equal to 1",
        )),
        Some(l) => Ok(l.min(state.settings.history_max_limit)),
        None => Ok(default.min(state.settings.history_max_limit)),
    }
}

/// Whether a user may read a channel's messages.
pub enum TextChannelAccess {
    Granted(Channel),
    Missing,
    NotText,
    NotMember,
}

/// Granted access comes from the read cache; otherwise the channel and the caller's membership
/// are one query (this runs on every history page and socket connect).
pub async fn text_channel_access(
    state: &AppState,
    channel_id: i64,
    user_id: i64,
) -> Result<TextChannelAccess, charge_store::StoreError> {
    if let Some(channel) = state.hub.cache.access(channel_id, user_id) {
        return Ok(TextChannelAccess::Granted(channel));
    }
    let ticket = state.hub.cache.access_ticket();
    Ok(
        match state.store.channel_with_role(channel_id, user_id).await? {
            None => TextChannelAccess::Missing,
            Some((channel, _)) if !channel.is_text() => TextChannelAccess::NotText,
            Some((_, None)) => TextChannelAccess::NotMember,
            Some((channel, Some(_))) => {
                state.hub.cache.put_access(ticket, user_id, &channel);
                TextChannelAccess::Granted(channel)
            }
        },
    )
}

/// A text channel the caller may read: 404 when missing, 400 for voice, 403 for non-members.
pub async fn readable_text_channel(
    state: &AppState,
    channel_id: i64,
    user_id: i64,
) -> ApiResult<Channel> {
    match text_channel_access(state, channel_id, user_id).await? {
        TextChannelAccess::Granted(channel) => Ok(channel),
        TextChannelAccess::Missing => Err(ApiError::NotFound("Channel not found")),
        TextChannelAccess::NotText => Err(ApiError::BadRequest(
            "History is only available for text channels",
        )),
        TextChannelAccess::NotMember => Err(ApiError::Forbidden("Not a room member")),
    }
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
) -> ApiResult<Response> {
    let channel_id = parse_path_id(&channel_id, "channel_id")?;
    let limit = page_limit(&state, params.limit, state.settings.history_default_limit)?;
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
    let channel = readable_text_channel(&state, channel_id, me.user.id).await?;

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
    let HistoryQuery::Latest { limit } = query else {
        let page = state.store.history(channel.id, query).await?;
        return Ok(Json(history_page(&page, direction, Some(me.user.id))).into_response());
    };
    let cached = newest_page(&state, channel.id, limit).await?;
    Ok(match &cached.body {
        Some(body) => ([(CONTENT_TYPE, "application/json")], body.clone()).into_response(),
        None => Json(history_page(&cached.page, direction, Some(me.user.id))).into_response(),
    })
}

/// The newest page of a channel. It is what clients load on every channel switch and socket
/// connect, so it is served from memory until the channel changes (see `cache`), with ready
/// JSON when it looks the same to everyone.
pub async fn newest_page(
    state: &AppState,
    channel_id: i64,
    limit: i64,
) -> Result<Arc<CachedPage>, charge_store::StoreError> {
    if let Some(cached) = state.hub.cache.page(channel_id, limit) {
        return Ok(cached);
    }
    let _loading = state.hub.cache.page_loader(channel_id).await;
    if let Some(cached) = state.hub.cache.page(channel_id, limit) {
        return Ok(cached);
    }
    let ticket = state.hub.cache.page_ticket(channel_id);
    let page = state
        .store
        .history(channel_id, HistoryQuery::Latest { limit })
        .await?;
    let body = page
        .items
        .iter()
        .all(|m| m.reactions.is_empty())
        .then(|| serde_json::to_vec(&history_page(&page, Direction::Backward, None)).ok())
        .flatten()
        .map(Bytes::from);
    let greeting = body.as_ref().and_then(|body| {
        let page = std::str::from_utf8(body).ok()?;
        Some(Utf8Bytes::from(format!(
            r#"{{"type":"history","page":{page}}}"#
        )))
    });
    let cached = Arc::new(CachedPage {
        page,
        body,
        greeting,
    });
    state
        .hub
        .cache
        .put_page(ticket, channel_id, limit, cached.clone());
    Ok(cached)
}

/// Wire page with cursors: `next_cursor` continues in the requested direction.
pub fn history_page(
    page: &HistoryPage,
    direction: Direction,
    viewer: Option<i64>,
) -> MessageHistoryPage {
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
        items: page
            .items
            .iter()
            .map(|m| dto::message_for(m, viewer))
            .collect(),
        next_cursor,
        prev_cursor,
        has_more_backward: page.has_more_backward,
        has_more_forward: page.has_more_forward,
    }
}

/// The newest page, as sent on WebSocket connect to `viewer`.
pub fn latest_page(page: &HistoryPage, viewer: i64) -> MessageHistoryPage {
    history_page(page, Direction::Backward, Some(viewer))
}

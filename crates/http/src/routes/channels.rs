//! `/api/channels`: history pages of a text channel.

use axum::extract::{Path, State};
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use charge_protocol::{MessageHistoryPage, MessageRead, ReactionCreate};
use charge_store::{Channel, HistoryQuery};
use serde::Deserialize;

use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult, HttpError};
use crate::extract::ApiQuery;
use crate::routes::rooms::parse_path_id;
use charge_domain::Domain as AppState;
use charge_domain::channels::{
    Direction, decode_cursor, history_page, newest_page, readable_text_channel, text_channel,
};
use charge_domain::dto;
use charge_domain::messages::{self, EMOJI_MAX_LENGTH};
use charge_domain::permissions::Permission;

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
        self.emoji = self.emoji.trim().to_owned();
        crate::extract::check_len(
            &mut problems,
            &["body", "emoji"],
            &self.emoji,
            1,
            EMOJI_MAX_LENGTH,
        );
        problems
    }
}

#[derive(Debug, Deserialize)]
pub struct EmojiQuery {
    emoji: String,
}

/// The message `message_id` of text channel `channel_id`, for a member who may view it and,
/// when `need` is given, has that permission too.
async fn channel_message(
    state: &AppState,
    channel_id: &str,
    message_id: &str,
    user_id: i64,
    need: Option<Permission>,
) -> ApiResult<Channel> {
    let channel_id = parse_path_id(channel_id, "channel_id")?;
    let message_id = parse_path_id(message_id, "message_id")?;
    let grant = text_channel(state, channel_id, user_id).await?;
    if let Some(permission) = need {
        grant.require(permission)?;
    }
    match state.store.message_channel(message_id).await? {
        Some(c) if c == grant.channel.id => Ok(grant.channel),
        _ => Err(ApiError::NotFound("Message not found").into()),
    }
}

/// React to a message.
#[utoipa::path(post, path = "/api/channels/{channel_id}/messages/{message_id}/reactions", tag = "messages",
    security(("bearer" = [])), params(("channel_id" = i64, Path), ("message_id" = i64, Path)), request_body = ReactionCreate,
    responses((status = 201, body = MessageRead), (status = 400, description = "Not a text channel"), (status = 403, description = "Not a room member or Missing permission: send_messages"),
              (status = 404, description = "Channel (or one the caller may not view) or message not found"),
              (status = 409, description = "Reaction already exists")))]
pub async fn add_reaction(
    State(state): State<AppState>,
    me: CurrentUser,
    Path((channel_id, message_id)): Path<(String, String)>,
    crate::extract::ApiJson(body): crate::extract::ApiJson<ReactionCreate>,
) -> ApiResult<(axum::http::StatusCode, Json<MessageRead>)> {
    let channel = channel_message(
        &state,
        &channel_id,
        &message_id,
        me.user.id,
        Some(Permission::SendMessages),
    )
    .await?;
    let message_id = parse_path_id(&message_id, "message_id")?;
    let message = messages::react(
        &state,
        channel.id,
        message_id,
        me.user.id,
        &body.emoji,
        true,
    )
    .await?
    .ok_or(ApiError::Conflict("Reaction already exists"))?;
    let read = dto::message_for(&message, Some(me.user.id));
    Ok((axum::http::StatusCode::CREATED, Json(read)))
}

/// Remove your reaction.
#[utoipa::path(delete, path = "/api/channels/{channel_id}/messages/{message_id}/reactions", tag = "messages",
    security(("bearer" = [])),
    params(("channel_id" = i64, Path), ("message_id" = i64, Path), ("emoji" = String, Query)),
    responses((status = 200, body = MessageRead), (status = 400, description = "Not a text channel"), (status = 403, description = "Not a room member or Missing permission: send_messages"),
              (status = 404, description = "Channel (or one the caller may not view), message or reaction not found")))]
pub async fn remove_reaction(
    State(state): State<AppState>,
    me: CurrentUser,
    Path((channel_id, message_id)): Path<(String, String)>,
    ApiQuery(query): ApiQuery<EmojiQuery>,
) -> ApiResult<Json<MessageRead>> {
    let emoji = messages::emoji(&query.emoji).map_err(|_| {
        ApiError::validation(
            "string_too_long",
            &["query", "emoji"],
            format!("String should have 1 to {EMOJI_MAX_LENGTH} characters"),
        )
    })?;
    let channel = channel_message(
        &state,
        &channel_id,
        &message_id,
        me.user.id,
        Some(Permission::SendMessages),
    )
    .await?;
    let message_id = parse_path_id(&message_id, "message_id")?;
    let message = messages::react(&state, channel.id, message_id, me.user.id, emoji, false)
        .await?
        .ok_or(ApiError::NotFound("Reaction not found"))?;
    Ok(Json(dto::message_for(&message, Some(me.user.id))))
}

/// Most messages a thread answer carries (its root and the oldest replies).
pub const THREAD_MAX_MESSAGES: i64 = charge_protocol::limits::THREAD_MAX_MESSAGES;

/// A message and its thread, oldest first.
#[utoipa::path(get, path = "/api/channels/{channel_id}/threads/{message_id}", tag = "channels",
    security(("bearer" = [])), params(("channel_id" = i64, Path), ("message_id" = i64, Path)),
    responses((status = 200, body = Vec<MessageRead>, description = "The message, then its replies and the rest of the thread (at most 1,000)"), (status = 400, description = "Not a text channel"), (status = 403, description = "Not a room member"), (status = 404, description = "Channel or message not found")))]
pub async fn get_thread(
    State(state): State<AppState>,
    me: CurrentUser,
    Path((channel_id, message_id)): Path<(String, String)>,
) -> ApiResult<Json<Vec<MessageRead>>> {
    let channel = channel_message(&state, &channel_id, &message_id, me.user.id, None).await?;
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
        )
        .into()),
    }
}

fn query_time(value: &str, field: &'static str) -> ApiResult<i64> {
    dto::parse_timestamp(value)
        .ok_or_else(|| {
            ApiError::validation(
                "datetime_parsing",
                &["query", field],
                "Input should be a valid datetime",
            )
        })
        .map_err(HttpError::from)
}

/// Messages of a text channel matching every filter given, newest first.
#[utoipa::path(get, path = "/api/channels/{channel_id}/search", tag = "channels", security(("bearer" = [])),
    params(("channel_id" = i64, Path), ("query" = Option<String>, Query, description = "case-insensitive substring of the content"),
           ("author_id" = Option<i64>, Query), ("has_attachments" = Option<bool>, Query),
           ("start" = Option<String>, Query, description = "ISO 8601, inclusive"), ("end" = Option<String>, Query, description = "ISO 8601, inclusive"),
           ("thread_root_id" = Option<i64>, Query), ("limit" = Option<i64>, Query, description = "default 50, at most CHAT_HISTORY_MAX_LIMIT")),
    responses((status = 200, body = Vec<MessageRead>), (status = 400, description = "Not a text channel"), (status = 403, description = "Not a room member"), (status = 404, description = "Channel not found")))]
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
        )
        .into());
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
        )
        .into()),
        Some(l) => Ok(l.min(state.settings.history_max_limit)),
        None => Ok(default.min(state.settings.history_max_limit)),
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

/// A page of a text channel's history, oldest first.
#[utoipa::path(get, path = "/api/channels/{channel_id}/history", tag = "channels", security(("bearer" = [])),
    params(("channel_id" = i64, Path), ("limit" = Option<i64>, Query), ("before" = Option<i64>, Query),
           ("after" = Option<i64>, Query), ("around" = Option<i64>, Query), ("cursor" = Option<String>, Query),
           ("direction" = Option<String>, Query)),
    responses((status = 200, body = MessageHistoryPage), (status = 400, description = "Not a text channel, more than one pivot, or a bad cursor"), (status = 403, description = "Not a room member"), (status = 404, description = "Channel or pivot message not found")))]
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
            )
            .into());
        }
    };
    let pivots = [
        params.cursor.is_some(),
        params.before.is_some(),
        params.after.is_some(),
        params.around.is_some(),
    ];
    if pivots.iter().filter(|p| **p).count() > 1 {
        return Err(
            ApiError::BadRequest("Provide only one of cursor, before, after, or around").into(),
        );
    }
    let channel = readable_text_channel(&state, channel_id, me.user.id).await?;

    let pivot_in_channel = |id: i64| {
        let state = state.clone();
        async move {
            match state.store.message_channel(id).await? {
                Some(c) if c == channel.id => Ok::<(), HttpError>(()),
                _ => Err(ApiError::NotFound("Message not found").into()),
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
            return Err(ApiError::BadRequest("Cursor is no longer valid").into());
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

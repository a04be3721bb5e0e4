//! How a room's channels are arranged: renaming a channel or moving it between categories,
//! and setting the order of channels and of categories (admins and owners). Each change is
//! announced on the room's workspace sockets.

use std::collections::HashSet;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{patch, post};
use axum::{Json, Router};
use charge_protocol::frames::RoomsServerFrame;
use charge_protocol::{ChannelRead, ValidationItem};
use serde::Deserialize;
use std::borrow::Cow;
use utoipa::ToSchema;

use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult, item};
use crate::extract::{ApiJson, Validate, check_new_name};
use crate::routes::rooms::parse_path_id;
use charge_domain::Domain as AppState;
use charge_domain::access::RoomAccess;
use charge_domain::audit::{self, Target};
use charge_domain::dto;
use charge_domain::permissions::{self, Permission};
use charge_domain::rooms as rooms_ws;

/// Longest reorder list: a room has at most 26 channels and 50 categories, so a longer list
/// repeats an id.
pub const MAX_REORDER_ITEMS: usize = 64;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/channels/{channel_id}", patch(update_channel))
        .route("/api/rooms/{slug}/channels/reorder", post(reorder_channels))
        .route(
            "/api/rooms/{slug}/categories/reorder",
            post(reorder_categories),
        )
}

/// Only the keys present are applied; `category_id: null` takes the channel out of its
/// category; `name` may not be `null`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ChannelUpdate {
    #[serde(default, deserialize_with = "crate::extract::present")]
    #[schema(value_type = Option<String>)]
    pub name: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::extract::present")]
    #[schema(value_type = Option<i64>)]
    pub category_id: Option<Option<i64>>,
}

impl Validate for ChannelUpdate {
    fn validate(&mut self) -> Vec<ValidationItem> {
        let mut problems = Vec::new();
        check_new_name(&mut problems, &mut self.name);
        problems
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ChannelPlacement {
    pub id: i64,
    /// Required (a missing key is a 422); `null` for no category.
    #[serde(deserialize_with = "crate::extract::present")]
    #[schema(value_type = Option<i64>)]
    pub category_id: Option<Option<i64>>,
    /// At least 0.
    pub position: i64,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ChannelReorder {
    pub channels: Vec<ChannelPlacement>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CategoryPlacement {
    pub id: i64,
    /// At least 0.
    pub position: i64,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CategoryReorder {
    pub categories: Vec<CategoryPlacement>,
}

fn check_positions(
    problems: &mut Vec<ValidationItem>,
    list: &str,
    positions: impl Iterator<Item = i64>,
) {
    for (i, position) in positions.enumerate() {
        if position < 0 {
            problems.push(item(
                "greater_than_equal",
                &["body", list, &i.to_string(), "position"],
                "Input should be greater than or equal to 0",
            ));
        }
    }
}

fn check_count(problems: &mut Vec<ValidationItem>, list: &str, count: usize) {
    if count > MAX_REORDER_ITEMS {
        problems.push(item(
            "too_long",
            &["body", list],
            format!("List should have at most {MAX_REORDER_ITEMS} items"),
        ));
    }
}

impl Validate for ChannelReorder {
    fn validate(&mut self) -> Vec<ValidationItem> {
        let mut problems = Vec::new();
        check_count(&mut problems, "channels", self.channels.len());
        check_positions(
            &mut problems,
            "channels",
            self.channels.iter().map(|c| c.position),
        );
        problems
    }
}

impl Validate for CategoryReorder {
    fn validate(&mut self) -> Vec<ValidationItem> {
        let mut problems = Vec::new();
        check_count(&mut problems, "categories", self.categories.len());
        check_positions(
            &mut problems,
            "categories",
            self.categories.iter().map(|c| c.position),
        );
        problems
    }
}

/// Whether every id is one of `known`, with no id twice.
fn all_distinct_and_known(ids: impl Iterator<Item = i64>, known: &HashSet<i64>) -> bool {
    let mut seen = HashSet::new();
    ids.into_iter()
        .all(|id| known.contains(&id) && seen.insert(id))
}

/// Renames a channel or moves it into another category (admins and owners).
#[utoipa::path(patch, path = "/api/channels/{channel_id}", tag = "channels", security(("bearer" = [])),
    params(("channel_id" = i64, Path)), request_body = ChannelUpdate,
    responses((status = 200, body = ChannelRead),
              (status = 403, description = "Not a room member, Insufficient permissions or Missing permission: manage_channel"),
              (status = 404, description = "Channel (or one the caller may not view) or category not found")))]
pub async fn update_channel(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(channel_id): Path<String>,
    ApiJson(body): ApiJson<ChannelUpdate>,
) -> ApiResult<Json<ChannelRead>> {
    let channel_id = parse_path_id(&channel_id, "channel_id")?;
    let channel =
        permissions::managed_channel(&state, channel_id, me.user.id, Permission::ManageChannel)
            .await?
            .channel;
    let room = state
        .store
        .room_by_id(channel.room_id)
        .await?
        .ok_or(ApiError::NotFound("Channel not found"))?;
    let access = RoomAccess::for_room(&state, room, me.user.id).await?;
    if let Some(Some(category)) = body.category_id
        && !state
            .store
            .category_in_room(access.room.id, category)
            .await?
    {
        return Err(ApiError::NotFound("Category not found").into());
    }
    let updated = state
        .store
        .update_channel(channel.id, body.name.flatten().as_deref(), body.category_id)
        .await?
        .ok_or(ApiError::NotFound("Channel not found"))?;
    let read = dto::channel(&updated);
    audit::log(
        &state,
        &access,
        "channel.update",
        Target::Channel(channel.id),
        audit::state(&dto::channel(&channel)),
        audit::state(&read),
    )
    .await;
    rooms_ws::publish(
        &state,
        access.room.id,
        &RoomsServerFrame::ChannelUpdated {
            room: Cow::Borrowed(&access.room.slug),
            channel: Cow::Borrowed(&read),
        },
    );
    Ok(Json(read))
}

/// Sets the category and position of the listed channels exactly as given (admins and owners).
#[utoipa::path(post, path = "/api/rooms/{slug}/channels/reorder", tag = "channels", security(("bearer" = [])),
    params(("slug" = String, Path)), request_body = ChannelReorder,
    responses((status = 204), (status = 400, description = "Invalid channel list, or a category not in the room"), (status = 403, description = "Not a member, or not an admin"), (status = 404, description = "Room not found")))]
pub async fn reorder_channels(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(slug): Path<String>,
    ApiJson(body): ApiJson<ChannelReorder>,
) -> ApiResult<StatusCode> {
    let access = RoomAccess::load(&state, &slug, me.user.id).await?;
    access.require_admin()?;
    if body.channels.is_empty() {
        return Ok(StatusCode::NO_CONTENT);
    }
    let channels = state.store.channels(access.room.id).await?;
    let known: HashSet<i64> = channels.iter().map(|c| c.id).collect();
    if !all_distinct_and_known(body.channels.iter().map(|c| c.id), &known) {
        return Err(ApiError::BadRequest("Invalid channel list").into());
    }
    let categories: HashSet<i64> = state
        .store
        .categories(access.room.id)
        .await?
        .iter()
        .map(|c| c.id)
        .collect();
    let placements: Vec<(i64, Option<i64>, i64)> = body
        .channels
        .iter()
        .map(|c| (c.id, c.category_id.flatten(), c.position))
        .collect();
    if placements
        .iter()
        .any(|(_, category, _)| category.is_some_and(|c| !categories.contains(&c)))
    {
        return Err(ApiError::BadRequest("Category not found for channel reordering").into());
    }
    state.store.reorder_channels(&placements).await?;
    audit::log(
        &state,
        &access,
        "channel.reorder",
        Target::Room,
        audit::state(&dto::channels_sorted(&channels)),
        audit::state(&serde_json::json!(
            placements
                .iter()
                .map(|(id, category_id, position)| serde_json::json!(
                    {"id": id, "category_id": category_id, "position": position}
                ))
                .collect::<Vec<_>>()
        )),
    )
    .await;
    let listed: HashSet<i64> = placements.iter().map(|p| p.0).collect();
    let moved: Vec<_> = state
        .store
        .channels(access.room.id)
        .await?
        .into_iter()
        .filter(|c| listed.contains(&c.id))
        .collect();
    rooms_ws::publish(
        &state,
        access.room.id,
        &RoomsServerFrame::ChannelReordered {
            room: Cow::Borrowed(&access.room.slug),
            channels: Cow::Owned(dto::channels_sorted(&moved)),
        },
    );
    Ok(StatusCode::NO_CONTENT)
}

/// Sets the position of the listed categories (admins and owners).
#[utoipa::path(post, path = "/api/rooms/{slug}/categories/reorder", tag = "channels", security(("bearer" = [])),
    params(("slug" = String, Path)), request_body = CategoryReorder,
    responses((status = 204), (status = 400, description = "Invalid category list"), (status = 403, description = "Not a member, or not an admin"), (status = 404, description = "Room not found")))]
pub async fn reorder_categories(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(slug): Path<String>,
    ApiJson(body): ApiJson<CategoryReorder>,
) -> ApiResult<StatusCode> {
    let access = RoomAccess::load(&state, &slug, me.user.id).await?;
    access.require_admin()?;
    if body.categories.is_empty() {
        return Ok(StatusCode::NO_CONTENT);
    }
    let known: HashSet<i64> = state
        .store
        .categories(access.room.id)
        .await?
        .iter()
        .map(|c| c.id)
        .collect();
    if !all_distinct_and_known(body.categories.iter().map(|c| c.id), &known) {
        return Err(ApiError::BadRequest("Invalid category list").into());
    }
    let positions: Vec<(i64, i64)> = body.categories.iter().map(|c| (c.id, c.position)).collect();
    state.store.reorder_categories(&positions).await?;
    let categories = state.store.categories(access.room.id).await?;
    audit::log(
        &state,
        &access,
        "category.reorder",
        Target::Room,
        None,
        audit::state(&dto::categories_sorted(&categories)),
    )
    .await;
    rooms_ws::publish(
        &state,
        access.room.id,
        &RoomsServerFrame::CategoriesReordered {
            room: Cow::Borrowed(&access.room.slug),
            categories: Cow::Owned(dto::categories_sorted(&categories)),
        },
    );
    Ok(StatusCode::NO_CONTENT)
}

//! Channel categories of a room: listed by members, created, renamed, moved and deleted by
//! admins. Every change is announced on the room's workspace sockets with the full sorted list.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, patch};
use axum::{Json, Router};
use charge_protocol::frames::RoomsServerFrame;
use charge_protocol::{ChannelCategoryRead, ValidationItem};
use serde::Deserialize;
use std::borrow::Cow;
use utoipa::ToSchema;

use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult, item};
use crate::extract::{ApiJson, Validate, check_len, check_new_name};
use crate::routes::rooms::parse_path_id;
use charge_domain::Domain as AppState;
use charge_domain::access::RoomAccess;
use charge_domain::audit::{self, Target};
use charge_domain::dto;
use charge_domain::rooms as rooms_ws;

/// Most categories one room may have; the list is therefore bounded too.
pub const MAX_CATEGORIES_PER_ROOM: i64 = charge_protocol::limits::CATEGORIES_PER_ROOM;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/api/rooms/{slug}/categories",
            get(list_categories).post(create_category),
        )
        .route(
            "/api/rooms/{slug}/categories/{category_id}",
            patch(update_category).delete(delete_category),
        )
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CategoryCreate {
    /// 1–128 characters once trimmed; unique in the room.
    pub name: String,
    /// At least 0; default 0.
    #[serde(default)]
    pub position: i64,
}

/// Only the keys present are applied; neither may be `null`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CategoryUpdate {
    #[serde(default, deserialize_with = "crate::extract::present")]
    #[schema(value_type = Option<String>)]
    pub name: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::extract::present")]
    #[schema(value_type = Option<i64>)]
    pub position: Option<Option<i64>>,
}

fn check_position(problems: &mut Vec<ValidationItem>, position: i64) {
    if position < 0 {
        problems.push(item(
            "greater_than_equal",
            &["body", "position"],
            "Input should be greater than or equal to 0",
        ));
    }
}

impl Validate for CategoryCreate {
    fn validate(&mut self) -> Vec<ValidationItem> {
        let mut problems = Vec::new();
        self.name = self.name.trim().to_owned();
        check_len(
            &mut problems,
            &["body", "name"],
            &self.name,
            1,
            charge_protocol::limits::NAME_MAX_LENGTH,
        );
        check_position(&mut problems, self.position);
        problems
    }
}

impl Validate for CategoryUpdate {
    fn validate(&mut self) -> Vec<ValidationItem> {
        let mut problems = Vec::new();
        check_new_name(&mut problems, &mut self.name);
        match self.position {
            Some(Some(position)) => check_position(&mut problems, position),
            Some(None) => problems.push(item(
                "int_type",
                &["body", "position"],
                "Input should be a valid integer",
            )),
            None => {}
        }
        problems
    }
}

fn name_taken(error: charge_store::StoreError) -> ApiError {
    match error {
        charge_store::StoreError::Conflict(_) => {
            ApiError::Conflict("A category with this name already exists in this room")
        }
        other => other.into(),
    }
}

/// Tells the room's sockets, with every category in order (and every channel, when a delete
/// moved some out of theirs).
async fn announce(state: &AppState, access: &RoomAccess, change: Change) -> ApiResult<()> {
    let categories = Cow::Owned(dto::categories_sorted(
        &state.store.categories(access.room.id).await?,
    ));
    let room = Cow::Borrowed(access.room.slug.as_str());
    let event = match change {
        Change::Created => RoomsServerFrame::CategoryCreated { room, categories },
        Change::Updated => RoomsServerFrame::CategoryUpdated { room, categories },
        Change::Deleted => {
            let channels = state.store.channels(access.room.id).await?;
            RoomsServerFrame::CategoryDeleted {
                room,
                categories,
                channels: Cow::Owned(dto::channels_sorted(&channels)),
            }
        }
    };
    rooms_ws::publish(state, access.room.id, &event);
    Ok(())
}

/// A category as the audit log records it, before a change.
async fn category_state(
    state: &AppState,
    access: &RoomAccess,
    category_id: i64,
) -> ApiResult<Option<serde_json::Value>> {
    Ok(state
        .store
        .categories(access.room.id)
        .await?
        .iter()
        .find(|c| c.id == category_id)
        .and_then(|c| audit::state(&dto::category(c))))
}

/// What happened to a category, for [`announce`].
#[derive(Clone, Copy)]
enum Change {
    Created,
    Updated,
    Deleted,
}

/// A room's categories, by position then name (members).
#[utoipa::path(get, path = "/api/rooms/{slug}/categories", tag = "channels", security(("bearer" = [])),
    params(("slug" = String, Path)),
    responses((status = 200, body = Vec<ChannelCategoryRead>, description = "At most 50, the room's limit"), (status = 403, description = "Not a room member"), (status = 404, description = "Room not found")))]
pub async fn list_categories(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(slug): Path<String>,
) -> ApiResult<Json<Vec<ChannelCategoryRead>>> {
    let access = RoomAccess::load(&state, &slug, me.user.id).await?;
    let categories = state.store.categories(access.room.id).await?;
    Ok(Json(dto::categories_sorted(&categories)))
}

/// Creates a category (admins and owners).
#[utoipa::path(post, path = "/api/rooms/{slug}/categories", tag = "channels", security(("bearer" = [])),
    params(("slug" = String, Path)), request_body = CategoryCreate,
    responses((status = 201, body = ChannelCategoryRead), (status = 400, description = "The room has 50 categories"), (status = 403, description = "Not a member, or not an admin"), (status = 404, description = "Room not found"), (status = 409, description = "The name is taken in this room")))]
pub async fn create_category(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(slug): Path<String>,
    ApiJson(body): ApiJson<CategoryCreate>,
) -> ApiResult<(StatusCode, Json<ChannelCategoryRead>)> {
    let access = RoomAccess::load(&state, &slug, me.user.id).await?;
    access.require_admin()?;
    let category = state
        .store
        .create_category(
            access.room.id,
            &body.name,
            body.position,
            MAX_CATEGORIES_PER_ROOM,
        )
        .await
        .map_err(name_taken)?
        .ok_or(ApiError::BadRequest(
            "A room can have at most 50 categories",
        ))?;
    announce(&state, &access, Change::Created).await?;
    let read = dto::category(&category);
    audit::log(
        &state,
        &access,
        "category.create",
        Target::Category(category.id),
        None,
        audit::state(&read),
    )
    .await;
    Ok((StatusCode::CREATED, Json(read)))
}

/// Renames or moves a category (admins and owners).
#[utoipa::path(patch, path = "/api/rooms/{slug}/categories/{category_id}", tag = "channels",
    security(("bearer" = [])), params(("slug" = String, Path), ("category_id" = i64, Path)),
    request_body = CategoryUpdate,
    responses((status = 200, body = ChannelCategoryRead), (status = 403, description = "Not a member, or not an admin"), (status = 404, description = "Room or category not found"), (status = 409, description = "The name is taken in this room")))]
pub async fn update_category(
    State(state): State<AppState>,
    me: CurrentUser,
    Path((slug, category_id)): Path<(String, String)>,
    ApiJson(body): ApiJson<CategoryUpdate>,
) -> ApiResult<Json<ChannelCategoryRead>> {
    // A malformed id is a 422 before any lookup, as every path value is.
    let category_id = parse_path_id(&category_id, "category_id")?;
    let access = RoomAccess::load(&state, &slug, me.user.id).await?;
    access.require_admin()?;
    let before = category_state(&state, &access, category_id).await?;
    let category = state
        .store
        .update_category(
            access.room.id,
            category_id,
            body.name.flatten().as_deref(),
            body.position.flatten(),
        )
        .await
        .map_err(name_taken)?
        .ok_or(ApiError::NotFound("Category not found"))?;
    announce(&state, &access, Change::Updated).await?;
    let read = dto::category(&category);
    audit::log(
        &state,
        &access,
        "category.update",
        Target::Category(category_id),
        before,
        audit::state(&read),
    )
    .await;
    Ok(Json(read))
}

/// Deletes a category; its channels stay, outside any category (admins and owners).
#[utoipa::path(delete, path = "/api/rooms/{slug}/categories/{category_id}", tag = "channels",
    security(("bearer" = [])), params(("slug" = String, Path), ("category_id" = i64, Path)),
    responses((status = 204), (status = 403, description = "Not a member, or not an admin"), (status = 404, description = "Room or category not found")))]
pub async fn delete_category(
    State(state): State<AppState>,
    me: CurrentUser,
    Path((slug, category_id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    // A malformed id is a 422 before any lookup, as every path value is.
    let category_id = parse_path_id(&category_id, "category_id")?;
    let access = RoomAccess::load(&state, &slug, me.user.id).await?;
    access.require_admin()?;
    let before = category_state(&state, &access, category_id).await?;
    if !state
        .store
        .delete_category(access.room.id, category_id)
        .await?
    {
        return Err(ApiError::NotFound("Category not found").into());
    }
    announce(&state, &access, Change::Deleted).await?;
    audit::log(
        &state,
        &access,
        "category.delete",
        Target::Category(category_id),
        before,
        None,
    )
    .await;
    Ok(StatusCode::NO_CONTENT)
}

//! Channel permission overwrites (`/api/channels/{id}/permissions…`), role levels
//! (`/api/rooms/{slug}/roles/hierarchy…`) and the paginated member list.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, patch, put};
use axum::{Json, Router};
use charge_protocol::{
    ChannelPermissionRoleRead, ChannelPermissionSummary, ChannelPermissionUserRead,
    PermissionOverwriteUpdate, RoleLevelUpdate, RoomMemberPage, RoomRoleLevelRead, ValidationItem,
};
use charge_store::Role;
use serde::Deserialize;

use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult, item};
use crate::extract::{ApiJson, ApiQuery, Validate};
use crate::routes::rooms::parse_path_id;
use charge_domain::Domain as AppState;
use charge_domain::access::RoomAccess;
use charge_domain::{hierarchy, overwrites};

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/api/channels/{channel_id}/permissions",
            get(get_channel_permissions),
        )
        .route(
            "/api/channels/{channel_id}/permissions/roles/{role}",
            put(put_role_overwrite).delete(delete_role_overwrite),
        )
        .route(
            "/api/channels/{channel_id}/permissions/users/{user_id}",
            put(put_user_overwrite).delete(delete_user_overwrite),
        )
        .route("/api/rooms/{slug}/roles/hierarchy", get(get_role_hierarchy))
        .route(
            "/api/rooms/{slug}/roles/hierarchy/{role_name}",
            patch(update_role_level),
        )
        .route("/api/rooms/{slug}/members", get(list_members))
}

impl Validate for PermissionOverwriteUpdate {
    fn validate(&mut self) -> Vec<ValidationItem> {
        overwrites::masks(self).err().unwrap_or_default()
    }
}

impl Validate for RoleLevelUpdate {
    fn validate(&mut self) -> Vec<ValidationItem> {
        if self.level < 0 {
            vec![item(
                "greater_than_equal",
                &["body", "level"],
                "Input should be greater than or equal to 0",
            )]
        } else {
            Vec::new()
        }
    }
}

/// A role in the path: 422 as a path enum when it is not one.
fn path_role(raw: &str) -> ApiResult<Role> {
    Role::parse(raw).ok_or_else(|| {
        ApiError::Validation(vec![item(
            "enum",
            &["path", "role"],
            "Input should be 'owner', 'admin', 'member' or 'guest'",
        )])
        .into()
    })
}

fn masks(body: &PermissionOverwriteUpdate) -> ApiResult<(i64, i64)> {
    overwrites::masks(body).map_err(|problems| ApiError::Validation(problems).into())
}

/// A channel's overwrites (members who may view the channel).
#[utoipa::path(get, path = "/api/channels/{channel_id}/permissions", tag = "permissions",
    security(("bearer" = [])), params(("channel_id" = i64, Path)),
    responses((status = 200, body = ChannelPermissionSummary),
              (status = 403, description = "Not a room member"),
              (status = 404, description = "Channel not found (also when the caller may not view it)")))]
pub async fn get_channel_permissions(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(channel_id): Path<String>,
) -> ApiResult<Json<ChannelPermissionSummary>> {
    let channel_id = parse_path_id(&channel_id, "channel_id")?;
    Ok(Json(
        overwrites::summary(&state, channel_id, me.user.id).await?,
    ))
}

/// Set a role's overwrite on a channel (admins with `manage_permissions`).
#[utoipa::path(put, path = "/api/channels/{channel_id}/permissions/roles/{role}", tag = "permissions",
    security(("bearer" = [])), params(("channel_id" = i64, Path), ("role" = String, Path, description = "owner, admin, member or guest")),
    request_body = PermissionOverwriteUpdate,
    responses((status = 200, body = ChannelPermissionRoleRead),
              (status = 403, description = "Not a room member, Insufficient permissions or Missing permission: manage_permissions"),
              (status = 404, description = "Channel not found"),
              (status = 422, description = "Unknown role or permission, or a permission both allowed and denied")))]
pub async fn put_role_overwrite(
    State(state): State<AppState>,
    me: CurrentUser,
    Path((channel_id, role)): Path<(String, String)>,
    ApiJson(body): ApiJson<PermissionOverwriteUpdate>,
) -> ApiResult<Json<ChannelPermissionRoleRead>> {
    let channel_id = parse_path_id(&channel_id, "channel_id")?;
    let role = path_role(&role)?;
    let masks = masks(&body)?;
    Ok(Json(
        overwrites::put_role(&state, channel_id, me.user.id, role, masks).await?,
    ))
}

/// Remove a role's overwrite (idempotent).
#[utoipa::path(delete, path = "/api/channels/{channel_id}/permissions/roles/{role}", tag = "permissions",
    security(("bearer" = [])), params(("channel_id" = i64, Path), ("role" = String, Path)),
    responses((status = 204),
              (status = 403, description = "Not a room member, Insufficient permissions or Missing permission: manage_permissions"),
              (status = 404, description = "Channel not found"), (status = 422, description = "Unknown role")))]
pub async fn delete_role_overwrite(
    State(state): State<AppState>,
    me: CurrentUser,
    Path((channel_id, role)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let channel_id = parse_path_id(&channel_id, "channel_id")?;
    let role = path_role(&role)?;
    overwrites::delete_role(&state, channel_id, me.user.id, role).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Set a member's overwrite on a channel (admins with `manage_permissions`).
#[utoipa::path(put, path = "/api/channels/{channel_id}/permissions/users/{user_id}", tag = "permissions",
    security(("bearer" = [])), params(("channel_id" = i64, Path), ("user_id" = i64, Path)),
    request_body = PermissionOverwriteUpdate,
    responses((status = 200, body = ChannelPermissionUserRead),
              (status = 400, description = "Too many user overwrites on this channel (500 at most)"),
              (status = 403, description = "Not a room member (caller or target), Insufficient permissions or Missing permission: manage_permissions"),
              (status = 404, description = "Channel not found"),
              (status = 422, description = "Unknown permission, or a permission both allowed and denied")))]
pub async fn put_user_overwrite(
    State(state): State<AppState>,
    me: CurrentUser,
    Path((channel_id, user_id)): Path<(String, String)>,
    ApiJson(body): ApiJson<PermissionOverwriteUpdate>,
) -> ApiResult<Json<ChannelPermissionUserRead>> {
    let channel_id = parse_path_id(&channel_id, "channel_id")?;
    let target = parse_path_id(&user_id, "user_id")?;
    let masks = masks(&body)?;
    Ok(Json(
        overwrites::put_user(&state, channel_id, me.user.id, target, masks).await?,
    ))
}

/// Remove a member's overwrite (idempotent).
#[utoipa::path(delete, path = "/api/channels/{channel_id}/permissions/users/{user_id}", tag = "permissions",
    security(("bearer" = [])), params(("channel_id" = i64, Path), ("user_id" = i64, Path)),
    responses((status = 204),
              (status = 403, description = "Not a room member, Insufficient permissions or Missing permission: manage_permissions"),
              (status = 404, description = "Channel not found")))]
pub async fn delete_user_overwrite(
    State(state): State<AppState>,
    me: CurrentUser,
    Path((channel_id, user_id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let channel_id = parse_path_id(&channel_id, "channel_id")?;
    let target = parse_path_id(&user_id, "user_id")?;
    overwrites::delete_user(&state, channel_id, me.user.id, target).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The room's role levels, highest first (admins and owners).
#[utoipa::path(get, path = "/api/rooms/{slug}/roles/hierarchy", tag = "rooms", security(("bearer" = [])),
    params(("slug" = String, Path)),
    responses((status = 200, body = [RoomRoleLevelRead]),
              (status = 403, description = "Not a room member or Insufficient permissions"),
              (status = 404, description = "Room not found")))]
pub async fn get_role_hierarchy(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(slug): Path<String>,
) -> ApiResult<Json<Vec<RoomRoleLevelRead>>> {
    let access = RoomAccess::load(&state, &slug, me.user.id).await?;
    Ok(Json(hierarchy::levels(&access)?))
}

/// Set a role's level (owner-level members); takes effect on the next check everywhere.
#[utoipa::path(patch, path = "/api/rooms/{slug}/roles/hierarchy/{role_name}", tag = "rooms", security(("bearer" = [])),
    params(("slug" = String, Path), ("role_name" = String, Path, description = "owner, admin, member or guest")),
    request_body = RoleLevelUpdate,
    responses((status = 200, body = RoomRoleLevelRead),
              (status = 403, description = "Not a room member or Insufficient permissions"),
              (status = 404, description = "Role not found, Room not found or Role hierarchy entry not found"),
              (status = 422, description = "level below 0")))]
pub async fn update_role_level(
    State(state): State<AppState>,
    me: CurrentUser,
    Path((slug, role_name)): Path<(String, String)>,
    ApiJson(body): ApiJson<RoleLevelUpdate>,
) -> ApiResult<Json<RoomRoleLevelRead>> {
    let role = Role::parse(&role_name).ok_or(ApiError::NotFound("Role not found"))?;
    let access = RoomAccess::load(&state, &slug, me.user.id).await?;
    Ok(Json(
        hierarchy::set_level(&state, &access, role, body.level).await?,
    ))
}

#[derive(Debug, Deserialize)]
pub struct MembersQuery {
    query: Option<String>,
    limit: Option<i64>,
    offset: Option<i64>,
}

/// A page of the room's members by name, optionally only those whose login or display name
/// contains `query`.
#[utoipa::path(get, path = "/api/rooms/{slug}/members", tag = "rooms", security(("bearer" = [])),
    params(("slug" = String, Path),
           ("query" = Option<String>, Query, description = "case-insensitive substring of the login or display name (at most 128 characters)"),
           ("limit" = Option<i64>, Query, description = "1 or more; default 50, at most 200"),
           ("offset" = Option<i64>, Query, description = "0 or more; the previous page's next_offset")),
    responses((status = 200, body = RoomMemberPage),
              (status = 403, description = "Not a room member"), (status = 404, description = "Room not found"),
              (status = 422, description = "limit below 1, offset below 0 or query too long")))]
pub async fn list_members(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(slug): Path<String>,
    ApiQuery(query): ApiQuery<MembersQuery>,
) -> ApiResult<Json<RoomMemberPage>> {
    let access = RoomAccess::load(&state, &slug, me.user.id).await?;
    Ok(Json(
        hierarchy::members_page(
            &state,
            &access,
            query.query.as_deref(),
            query.limit,
            query.offset,
        )
        .await?,
    ))
}

//! `/api/rooms`: rooms, their channels, room-scoped invitations and member roles.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{delete, get, patch, post};
use axum::{Json, Router};
use charge_protocol::{
    ChannelCreate, ChannelRead, InvitationCreate, MemberRoleRead, MemberRoleUpdate, RoomCreate,
    RoomDetail, RoomInvitationRead, RoomRead, ValidationItem,
};
use charge_store::{Role, TEXT_CHANNEL_TYPES, VOICE_CHANNEL_TYPES};

use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult, item};
use crate::extract::{ApiJson, Validate, check_len};
use crate::routes::moderation;
use charge_domain::Domain as AppState;
use charge_domain::access::RoomAccess;
use charge_domain::audit::{self, Target};
use charge_domain::permissions::{self, Permission};
use charge_domain::rooms as rooms_ws;
use charge_domain::rooms::MembersChange;
use charge_domain::rooms::room_detail;
use charge_domain::{dto, invitations, slug};
use charge_protocol::frames::RoomsServerFrame;
use std::borrow::Cow;

/// Upper bound of `GET /api/rooms` (decision 22: every list is bounded).
pub const MAX_ROOMS_LISTED: i64 = 1000;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/rooms", get(list_rooms).post(create_room))
        .route(
            "/api/rooms/{slug}",
            get(get_room)
                .patch(moderation::rename_room)
                .delete(moderation::delete_room),
        )
        .route("/api/rooms/{slug}/channels", post(create_channel))
        .route(
            "/api/rooms/{slug}/channels/{letter}",
            delete(delete_channel),
        )
        .route(
            "/api/rooms/{slug}/invitations",
            get(list_room_invitations).post(create_room_invitation),
        )
        .route(
            "/api/rooms/{slug}/invitations/{invitation_id}",
            delete(delete_room_invitation),
        )
        .route(
            "/api/rooms/{slug}/members/{user_id}",
            patch(update_member).delete(moderation::kick_member),
        )
}

impl Validate for RoomCreate {
    fn validate(&mut self) -> Vec<ValidationItem> {
        let mut problems = Vec::new();
        self.title = self.title.trim().to_owned();
        check_len(
            &mut problems,
            &["body", "title"],
            &self.title,
            1,
            charge_protocol::limits::NAME_MAX_LENGTH,
        );
        problems
    }
}

impl Validate for ChannelCreate {
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
        let kind = self.kind.get_or_insert_with(|| "text".to_owned());
        if !TEXT_CHANNEL_TYPES.contains(&kind.as_str())
            && !VOICE_CHANNEL_TYPES.contains(&kind.as_str())
        {
            problems.push(item(
                "enum",
                &["body", "type"],
                "Input should be 'text', 'voice', 'stage', 'announcements', 'forums' or 'events'",
            ));
        }
        problems
    }
}

impl Validate for MemberRoleUpdate {
    fn validate(&mut self) -> Vec<ValidationItem> {
        match Role::parse(&self.role) {
            Some(_) => Vec::new(),
            None => vec![item(
                "enum",
                &["body", "role"],
                "Input should be 'owner', 'admin', 'member' or 'guest'",
            )],
        }
    }
}

/// Rooms the caller belongs to, by title.
#[utoipa::path(get, path = "/api/rooms", tag = "rooms", security(("bearer" = [])),
    responses((status = 200, body = [RoomRead])))]
pub async fn list_rooms(
    State(state): State<AppState>,
    me: CurrentUser,
) -> ApiResult<Json<Vec<RoomRead>>> {
    let rooms = state
        .store
        .rooms_for_user(me.user.id, MAX_ROOMS_LISTED)
        .await?;
    Ok(Json(rooms.iter().map(dto::room).collect()))
}

/// Create a room; the caller becomes its owner.
#[utoipa::path(post, path = "/api/rooms", tag = "rooms", security(("bearer" = [])), request_body = RoomCreate,
    responses((status = 201, body = RoomRead)))]
pub async fn create_room(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiJson(body): ApiJson<RoomCreate>,
) -> ApiResult<(StatusCode, Json<RoomRead>)> {
    let base = slug::base_slug(&body.title);
    let room = state
        .store
        .create_room(&body.title, me.user.id, |n| slug::candidate(&base, n))
        .await?;
    let read = dto::room(&room);
    audit::record(
        &state,
        audit::Change {
            room_id: room.id,
            actor_id: Some(me.user.id),
            action: "room.create",
            target: Target::Room,
            before: None,
            after: audit::state(&read),
        },
    )
    .await;
    Ok((StatusCode::CREATED, Json(read)))
}

/// Room details with channels, categories, members and (for admins) invitations.
#[utoipa::path(get, path = "/api/rooms/{slug}", tag = "rooms", security(("bearer" = [])),
    params(("slug" = String, Path)),
    responses((status = 200, body = RoomDetail), (status = 403, description = "Not a room member"), (status = 404, description = "Room not found")))]
pub async fn get_room(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(slug): Path<String>,
) -> ApiResult<Json<RoomDetail>> {
    let access = RoomAccess::load(&state, &slug, me.user.id).await?;
    Ok(Json(room_detail(&state, &access).await?))
}

/// Create a channel under the room's lowest free letter (admins and owners).
#[utoipa::path(post, path = "/api/rooms/{slug}/channels", tag = "channels", security(("bearer" = [])),
    params(("slug" = String, Path)), request_body = ChannelCreate,
    responses((status = 201, body = ChannelRead), (status = 400, description = "No available channel slots left"), (status = 403, description = "Not a member, or not an admin"), (status = 404, description = "Room or category not found")))]
pub async fn create_channel(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(slug): Path<String>,
    ApiJson(body): ApiJson<ChannelCreate>,
) -> ApiResult<(StatusCode, Json<ChannelRead>)> {
    let access = RoomAccess::load(&state, &slug, me.user.id).await?;
    access.require_admin()?;
    if let Some(category) = body.category_id
        && !state
            .store
            .category_in_room(access.room.id, category)
            .await?
    {
        return Err(ApiError::NotFound("Category not found").into());
    }
    let kind = body.kind.as_deref().unwrap_or("text");
    let channel = state
        .store
        .create_channel(access.room.id, &body.name, kind, body.category_id)
        .await?
        .ok_or(ApiError::BadRequest("No available channel slots left"))?;
    let read = dto::channel(&channel);
    audit::log(
        &state,
        &access,
        "channel.create",
        Target::Channel(channel.id),
        None,
        audit::state(&read),
    )
    .await;
    rooms_ws::publish(
        &state,
        access.room.id,
        &RoomsServerFrame::ChannelCreated {
            room: Cow::Borrowed(&access.room.slug),
            channel: Cow::Borrowed(&read),
        },
    );
    Ok((StatusCode::CREATED, Json(read)))
}

/// Delete a channel by its letter (admins and owners).
#[utoipa::path(delete, path = "/api/rooms/{slug}/channels/{letter}", tag = "channels", security(("bearer" = [])),
    params(("slug" = String, Path), ("letter" = String, Path)),
    responses((status = 204), (status = 400, description = "Invalid channel letter"),
              (status = 403, description = "Not a room member, Insufficient permissions or Missing permission: manage_channel"),
              (status = 404, description = "Room or channel (or one the caller may not view) not found")))]
pub async fn delete_channel(
    State(state): State<AppState>,
    me: CurrentUser,
    Path((slug, letter)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let access = RoomAccess::load(&state, &slug, me.user.id).await?;
    access.require_admin()?;
    // ASCII only: `to_uppercase` would turn a dotless ı into I and delete channel I.
    let letter = letter.to_ascii_uppercase();
    if letter.len() != 1 || !letter.chars().all(|c| c.is_ascii_uppercase()) {
        return Err(ApiError::BadRequest("Invalid channel letter").into());
    }
    let perms = permissions::room_perms(&state, access.room.id).await?;
    let before = perms
        .channels
        .values()
        .find(|c| c.letter == letter)
        .cloned();
    if let Some(channel) = &before {
        let mine = perms.effective(channel.id, me.user.id).unwrap_or_default();
        if !mine.has(Permission::View) {
            return Err(ApiError::NotFound("Channel not found").into());
        }
        if !mine.has(Permission::ManageChannel) {
            return Err(ApiError::Forbidden(Permission::ManageChannel.missing()).into());
        }
    }
    let (channel_id, files) = state
        .store
        .delete_channel(access.room.id, &letter)
        .await?
        .ok_or(ApiError::NotFound("Channel not found"))?;
    state.blobs.delete_all(&files).await;
    audit::log(
        &state,
        &access,
        "channel.delete",
        Target::Channel(channel_id),
        before.as_ref().and_then(|c| audit::state(&dto::channel(c))),
        None,
    )
    .await;
    state.cache.channel_changed(channel_id);
    rooms_ws::publish(
        &state,
        access.room.id,
        &RoomsServerFrame::ChannelDeleted {
            room: Cow::Borrowed(&access.room.slug),
            channel_id,
        },
    );
    Ok(StatusCode::NO_CONTENT)
}

/// A room's invitations, newest first (admins and owners).
#[utoipa::path(get, path = "/api/rooms/{slug}/invitations", tag = "invitations", security(("bearer" = [])),
    params(("slug" = String, Path)), responses((status = 200, body = [RoomInvitationRead]), (status = 403, description = "Not a member, or not an admin"), (status = 404, description = "Room not found")))]
pub async fn list_room_invitations(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(slug): Path<String>,
) -> ApiResult<Json<Vec<RoomInvitationRead>>> {
    let access = RoomAccess::load(&state, &slug, me.user.id).await?;
    Ok(Json(invitations::list(&state, &access).await?))
}

/// Create an invitation code (admins and owners; never above the creator's own role).
#[utoipa::path(post, path = "/api/rooms/{slug}/invitations", tag = "invitations", security(("bearer" = [])),
    params(("slug" = String, Path)), request_body = InvitationCreate,
    responses((status = 201, body = RoomInvitationRead), (status = 403, description = "Not a member, not an admin, or a role above your own"), (status = 404, description = "Room not found")))]
pub async fn create_room_invitation(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(slug): Path<String>,
    ApiJson(body): ApiJson<InvitationCreate>,
) -> ApiResult<(StatusCode, Json<RoomInvitationRead>)> {
    let access = RoomAccess::load(&state, &slug, me.user.id).await?;
    let invitation = invitations::create(
        &state,
        &access,
        body.role.as_deref(),
        body.expires_at.as_deref(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(invitation)))
}

/// Delete an invitation (admins and owners).
#[utoipa::path(delete, path = "/api/rooms/{slug}/invitations/{invitation_id}", tag = "invitations",
    security(("bearer" = [])), params(("slug" = String, Path), ("invitation_id" = i64, Path)),
    responses((status = 204), (status = 403, description = "Not a member, or not an admin"), (status = 404, description = "Room or invitation not found")))]
pub async fn delete_room_invitation(
    State(state): State<AppState>,
    me: CurrentUser,
    Path((slug, invitation_id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let invitation_id = parse_path_id(&invitation_id, "invitation_id")?;
    let access = RoomAccess::load(&state, &slug, me.user.id).await?;
    invitations::delete(&state, &access, invitation_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Change a member's role; the caller must outrank the member (and the new role, unless owner).
#[utoipa::path(patch, path = "/api/rooms/{slug}/members/{user_id}", tag = "rooms", security(("bearer" = [])),
    params(("slug" = String, Path), ("user_id" = i64, Path)), request_body = MemberRoleUpdate,
    responses((status = 200, body = MemberRoleRead), (status = 403, description = "Not a member, or cannot manage members with equal or higher role"), (status = 404, description = "Room or member not found")))]
pub async fn update_member(
    State(state): State<AppState>,
    me: CurrentUser,
    Path((slug, user_id)): Path<(String, String)>,
    ApiJson(body): ApiJson<MemberRoleUpdate>,
) -> ApiResult<Json<MemberRoleRead>> {
    let user_id = parse_path_id(&user_id, "user_id")?;
    let access = RoomAccess::load(&state, &slug, me.user.id).await?;
    access.require_admin()?;
    let target = state
        .store
        .membership(access.room.id, user_id)
        .await?
        .ok_or(ApiError::NotFound("Member not found"))?;
    let mine = access.my_level()?;
    if mine <= access.level_of(&target.role)? {
        return Err(ApiError::Forbidden("Cannot manage members with equal or higher role").into());
    }
    let new_role = Role::parse(&body.role).ok_or(ApiError::BadRequest("Unknown role"))?;
    if access.member.role != "owner" && mine <= access.level_of(new_role.as_str())? {
        return Err(ApiError::Forbidden("Cannot manage members with equal or higher role").into());
    }
    state
        .store
        .set_member_role(access.room.id, user_id, new_role)
        .await?;
    audit::log(
        &state,
        &access,
        "member.role",
        Target::Member(user_id),
        audit::state(&serde_json::json!({"role": target.role})),
        audit::state(&serde_json::json!({"role": new_role.as_str()})),
    )
    .await;
    rooms_ws::publish_members(
        &state,
        access.room.id,
        &access.room.slug,
        MembersChange::Updated,
    )
    .await;
    Ok(Json(MemberRoleRead {
        role: new_role.as_str().to_owned(),
    }))
}

/// Path ids that are not integers answer 422 like any other parameter problem.
pub fn parse_path_id(raw: &str, name: &str) -> ApiResult<i64> {
    raw.parse().map_err(|_| {
        ApiError::Validation(vec![item(
            "int_parsing",
            &["path", name],
            "Input should be a valid integer, unable to parse string as an integer",
        )])
        .into()
    })
}

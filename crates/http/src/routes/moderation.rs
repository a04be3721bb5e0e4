//! Moderation routes (decision 25): kick, leave, bans, timeouts, slow mode, renaming, deleting
//! and handing over a room, and the room's audit log. Every rule is in
//! `charge_domain::moderation` and `charge_domain::audit`; these handlers only translate.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use charge_domain::Domain as AppState;
use charge_domain::access::RoomAccess;
use charge_domain::rooms::room_detail;
use charge_domain::{audit, moderation};
use charge_protocol::limits::{BAN_REASON_MAX_LENGTH, NAME_MAX_LENGTH};
use charge_protocol::{
    AuditLogPage, BanCreate, BanRead, ChannelRead, OwnershipTransfer, RoomDeleteConfirm,
    RoomDetail, RoomMemberSummary, RoomRead, RoomUpdate, SlowModeUpdate, TimeoutUpdate,
    ValidationItem,
};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::auth::CurrentUser;
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiQuery, Validate, check_len};
use crate::routes::rooms::parse_path_id;

/// The routes on paths of their own; kick, rename and delete share their paths with
/// `rooms` and are added there.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/rooms/{slug}/leave", post(leave_room))
        .route("/api/rooms/{slug}/bans", get(list_bans))
        .route(
            "/api/rooms/{slug}/bans/{user_id}",
            put(ban_user).delete(unban_user),
        )
        .route(
            "/api/rooms/{slug}/members/{user_id}/timeout",
            put(timeout_member),
        )
        .route(
            "/api/rooms/{slug}/transfer-ownership",
            post(transfer_ownership),
        )
        .route("/api/rooms/{slug}/audit-log", get(audit_log))
        .route("/api/channels/{channel_id}/slow-mode", put(set_slow_mode))
}

impl Validate for RoomUpdate {
    fn validate(&mut self) -> Vec<ValidationItem> {
        let mut problems = Vec::new();
        self.title = self.title.trim().to_owned();
        check_len(
            &mut problems,
            &["body", "title"],
            &self.title,
            1,
            NAME_MAX_LENGTH,
        );
        problems
    }
}

impl Validate for RoomDeleteConfirm {
    fn validate(&mut self) -> Vec<ValidationItem> {
        Vec::new()
    }
}

impl Validate for OwnershipTransfer {
    fn validate(&mut self) -> Vec<ValidationItem> {
        Vec::new()
    }
}

impl Validate for BanCreate {
    fn validate(&mut self) -> Vec<ValidationItem> {
        let mut problems = Vec::new();
        if let Some(reason) = &self.reason {
            check_len(
                &mut problems,
                &["body", "reason"],
                reason,
                0,
                BAN_REASON_MAX_LENGTH,
            );
        }
        problems
    }
}

impl Validate for TimeoutUpdate {
    fn validate(&mut self) -> Vec<ValidationItem> {
        Vec::new()
    }
}

impl Validate for SlowModeUpdate {
    fn validate(&mut self) -> Vec<ValidationItem> {
        Vec::new()
    }
}

/// Remove a member from the room (admins and owners, outranking the member). Their sockets in
/// the room close with 1008 "Removed from the room"; the others get `member_left`.
#[utoipa::path(delete, path = "/api/rooms/{slug}/members/{user_id}", tag = "moderation",
    security(("bearer" = [])), params(("slug" = String, Path), ("user_id" = i64, Path)),
    responses((status = 204), (status = 403, description = "Not a room member / Insufficient permissions / Cannot manage members with equal or higher role"),
              (status = 404, description = "Room not found / Member not found")))]
pub async fn kick_member(
    State(state): State<AppState>,
    me: CurrentUser,
    Path((slug, user_id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let user_id = parse_path_id(&user_id, "user_id")?;
    let access = RoomAccess::load(&state, &slug, me.user.id).await?;
    moderation::kick(&state, &access, user_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Leave the room. The last owner must transfer ownership or delete the room first.
#[utoipa::path(post, path = "/api/rooms/{slug}/leave", tag = "moderation",
    security(("bearer" = [])), params(("slug" = String, Path)),
    responses((status = 204), (status = 400, description = "The owner must transfer ownership or delete the room before leaving"),
              (status = 403, description = "Not a room member"), (status = 404, description = "Room not found")))]
pub async fn leave_room(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(slug): Path<String>,
) -> ApiResult<StatusCode> {
    let access = RoomAccess::load(&state, &slug, me.user.id).await?;
    moderation::leave(&state, &access).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The room's bans, newest first (admins and owners; at most 1,000).
#[utoipa::path(get, path = "/api/rooms/{slug}/bans", tag = "moderation",
    security(("bearer" = [])), params(("slug" = String, Path)),
    responses((status = 200, body = [BanRead]), (status = 403, description = "Not a room member / Insufficient permissions"),
              (status = 404, description = "Room not found")))]
pub async fn list_bans(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(slug): Path<String>,
) -> ApiResult<Json<Vec<BanRead>>> {
    let access = RoomAccess::load(&state, &slug, me.user.id).await?;
    Ok(Json(moderation::bans(&state, &access).await?))
}

/// Ban a user (admins and owners, outranking a member). A member is removed at once; no
/// invitation lets a banned user in.
#[utoipa::path(put, path = "/api/rooms/{slug}/bans/{user_id}", tag = "moderation",
    security(("bearer" = [])), params(("slug" = String, Path), ("user_id" = i64, Path)),
    request_body = BanCreate,
    responses((status = 201, body = BanRead), (status = 400, description = "You cannot ban yourself"),
              (status = 403, description = "Insufficient permissions / Cannot manage members with equal or higher role"),
              (status = 404, description = "Room not found / User not found"), (status = 409, description = "User is already banned"),
              (status = 422, description = "Reason too long")))]
pub async fn ban_user(
    State(state): State<AppState>,
    me: CurrentUser,
    Path((slug, user_id)): Path<(String, String)>,
    ApiJson(body): ApiJson<BanCreate>,
) -> ApiResult<(StatusCode, Json<BanRead>)> {
    let user_id = parse_path_id(&user_id, "user_id")?;
    let access = RoomAccess::load(&state, &slug, me.user.id).await?;
    let ban = moderation::ban(&state, &access, user_id, body.reason.as_deref()).await?;
    Ok((StatusCode::CREATED, Json(ban)))
}

/// Lift a ban (admins and owners).
#[utoipa::path(delete, path = "/api/rooms/{slug}/bans/{user_id}", tag = "moderation",
    security(("bearer" = [])), params(("slug" = String, Path), ("user_id" = i64, Path)),
    responses((status = 204), (status = 403, description = "Insufficient permissions"),
              (status = 404, description = "Room not found / Ban not found")))]
pub async fn unban_user(
    State(state): State<AppState>,
    me: CurrentUser,
    Path((slug, user_id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let user_id = parse_path_id(&user_id, "user_id")?;
    let access = RoomAccess::load(&state, &slug, me.user.id).await?;
    moderation::unban(&state, &access, user_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Time a member out until a time (or lift it with `null`): until then they cannot post,
/// react, type or speak. Open sockets obey at once.
#[utoipa::path(put, path = "/api/rooms/{slug}/members/{user_id}/timeout", tag = "moderation",
    security(("bearer" = [])), params(("slug" = String, Path), ("user_id" = i64, Path)),
    request_body = TimeoutUpdate,
    responses((status = 200, body = RoomMemberSummary), (status = 400, description = "A timeout must end in the future / lasts at most 28 days"),
              (status = 403, description = "Insufficient permissions / Cannot manage members with equal or higher role"),
              (status = 404, description = "Room not found / Member not found"), (status = 422, description = "Invalid datetime")))]
pub async fn timeout_member(
    State(state): State<AppState>,
    me: CurrentUser,
    Path((slug, user_id)): Path<(String, String)>,
    ApiJson(body): ApiJson<TimeoutUpdate>,
) -> ApiResult<Json<RoomMemberSummary>> {
    let user_id = parse_path_id(&user_id, "user_id")?;
    let access = RoomAccess::load(&state, &slug, me.user.id).await?;
    let member = moderation::timeout(&state, &access, user_id, body.until.as_deref()).await?;
    Ok(Json(member))
}

/// Rename the room (admins and owners); the slug stays. Publishes `room_updated`.
#[utoipa::path(patch, path = "/api/rooms/{slug}", tag = "moderation",
    security(("bearer" = [])), params(("slug" = String, Path)), request_body = RoomUpdate,
    responses((status = 200, body = RoomRead), (status = 403, description = "Not a room member / Insufficient permissions"),
              (status = 404, description = "Room not found"), (status = 422, description = "Invalid title")))]
pub async fn rename_room(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(slug): Path<String>,
    ApiJson(body): ApiJson<RoomUpdate>,
) -> ApiResult<Json<RoomRead>> {
    let access = RoomAccess::load(&state, &slug, me.user.id).await?;
    Ok(Json(
        moderation::room::rename(&state, &access, &body.title).await?,
    ))
}

/// Delete the room and everything in it (owner only). The body's `confirm` must be the room's
/// title exactly. Every socket of the room closes with 1008 "Room deleted".
#[utoipa::path(delete, path = "/api/rooms/{slug}", tag = "moderation",
    security(("bearer" = [])), params(("slug" = String, Path)), request_body = RoomDeleteConfirm,
    responses((status = 204), (status = 400, description = "Type the room's name exactly to confirm its deletion"),
              (status = 403, description = "Not a room member / Insufficient permissions"),
              (status = 404, description = "Room not found"), (status = 422, description = "confirm missing")))]
pub async fn delete_room(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(slug): Path<String>,
    ApiJson(body): ApiJson<RoomDeleteConfirm>,
) -> ApiResult<StatusCode> {
    let access = RoomAccess::load(&state, &slug, me.user.id).await?;
    moderation::room::delete(&state, &access, &body.confirm).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Hand the room to another member (owner only); the caller becomes an admin.
#[utoipa::path(post, path = "/api/rooms/{slug}/transfer-ownership", tag = "moderation",
    security(("bearer" = [])), params(("slug" = String, Path)), request_body = OwnershipTransfer,
    responses((status = 200, body = RoomDetail), (status = 400, description = "You already own this room"),
              (status = 403, description = "Not a room member / Insufficient permissions"),
              (status = 404, description = "Room not found / Member not found")))]
pub async fn transfer_ownership(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(slug): Path<String>,
    ApiJson(body): ApiJson<OwnershipTransfer>,
) -> ApiResult<Json<RoomDetail>> {
    let access = RoomAccess::load(&state, &slug, me.user.id).await?;
    moderation::room::transfer(&state, &access, body.user_id).await?;
    let access = RoomAccess::load(&state, &slug, me.user.id).await?;
    Ok(Json(room_detail(&state, &access).await?))
}

/// Set a text channel's slow mode: seconds between one member's messages (0 turns it off;
/// admins and owners are exempt). Publishes `channel_updated`.
#[utoipa::path(put, path = "/api/channels/{channel_id}/slow-mode", tag = "moderation",
    security(("bearer" = [])), params(("channel_id" = i64, Path)), request_body = SlowModeUpdate,
    responses((status = 200, body = ChannelRead), (status = 400, description = "Slow mode is only available for text channels"),
              (status = 403, description = "Not a room member / Insufficient permissions"),
              (status = 404, description = "Channel not found"), (status = 422, description = "seconds out of range")))]
pub async fn set_slow_mode(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(channel_id): Path<String>,
    ApiJson(body): ApiJson<SlowModeUpdate>,
) -> ApiResult<Json<ChannelRead>> {
    let channel_id = parse_path_id(&channel_id, "channel_id")?;
    Ok(Json(
        moderation::room::set_slow_mode(&state, me.user.id, channel_id, body.seconds).await?,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// 1–100, default 50.
    pub limit: Option<i64>,
}

/// The room's audit log, newest first (admins and owners): who changed what, with the state
/// before and after.
#[utoipa::path(get, path = "/api/rooms/{slug}/audit-log", tag = "moderation",
    security(("bearer" = [])), params(("slug" = String, Path), AuditQuery),
    responses((status = 200, body = AuditLogPage), (status = 400, description = "Invalid cursor"),
              (status = 403, description = "Not a room member / Insufficient permissions"),
              (status = 404, description = "Room not found"), (status = 422, description = "limit out of range")))]
pub async fn audit_log(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(slug): Path<String>,
    ApiQuery(query): ApiQuery<AuditQuery>,
) -> ApiResult<Json<AuditLogPage>> {
    let access = RoomAccess::load(&state, &slug, me.user.id).await?;
    Ok(Json(
        audit::page(&state, &access, query.cursor.as_deref(), query.limit).await?,
    ))
}

//! `/api/invites`: invitation management by room slug, and accepting a code.

use crate::extract::Validate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{delete, get};
use axum::{Json, Router};
use charge_protocol::{
    InvitationCreate, InviteCreate, RoomDetail, RoomInvitationRead, ValidationItem,
};
use serde::Deserialize;

use crate::auth::CurrentUser;
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiQuery};
use crate::routes::rooms::parse_path_id;
use charge_domain::Domain as AppState;
use charge_domain::access::RoomAccess;
use charge_domain::invitations;
use charge_domain::rooms as rooms_ws;
use charge_domain::rooms::MembersChange;
use charge_domain::rooms::room_detail;
use charge_protocol::frames::RoomsServerFrame;
use std::borrow::Cow;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/invites", get(list_invites).post(create_invite))
        .route(
            "/api/invites/{code}",
            delete(delete_invite).post(accept_invite),
        )
}

#[derive(Deserialize)]
pub struct RoomQuery {
    room: String,
}

/// A room's invitations (admins and owners).
#[utoipa::path(get, path = "/api/invites", tag = "invitations", security(("bearer" = [])),
    params(("room" = String, Query)), responses((status = 200, body = [RoomInvitationRead]), (status = 403, description = "Not a member, or not an admin"), (status = 404, description = "Room not found")))]
pub async fn list_invites(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiQuery(query): ApiQuery<RoomQuery>,
) -> ApiResult<Json<Vec<RoomInvitationRead>>> {
    let access = RoomAccess::load(&state, &query.room, me.user.id).await?;
    Ok(Json(invitations::list(&state, &access).await?))
}

/// Create an invitation for `room_slug` (admins and owners).
#[utoipa::path(post, path = "/api/invites", tag = "invitations", security(("bearer" = [])),
    request_body = InviteCreate, responses((status = 201, body = RoomInvitationRead), (status = 403, description = "Not a member, not an admin, or a role above your own"), (status = 404, description = "Room not found")))]
pub async fn create_invite(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiJson(body): ApiJson<InviteCreate>,
) -> ApiResult<(StatusCode, Json<RoomInvitationRead>)> {
    let access = RoomAccess::load(&state, &body.room_slug, me.user.id).await?;
    let invitation = invitations::create(
        &state,
        &access,
        body.role.as_deref(),
        body.expires_at.as_deref(),
    )
    .await?;
    rooms_ws::publish(
        &state,
        access.room.id,
        &RoomsServerFrame::InviteCreated {
            room: Cow::Borrowed(&access.room.slug),
            invitation: Cow::Borrowed(&invitation),
        },
    );
    Ok((StatusCode::CREATED, Json(invitation)))
}

/// Delete an invitation of `room` (admins and owners).
#[utoipa::path(delete, path = "/api/invites/{code}", tag = "invitations", security(("bearer" = [])),
    params(("code" = i64, Path, description = "The invitation's id (the path is shared with accepting a code)"),
           ("room" = String, Query)), responses((status = 204), (status = 403, description = "Not a member, or not an admin"), (status = 404, description = "Room or invitation not found")))]
pub async fn delete_invite(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(invitation_id): Path<String>,
    ApiQuery(query): ApiQuery<RoomQuery>,
) -> ApiResult<StatusCode> {
    let invitation_id = parse_path_id(&invitation_id, "code")?;
    let access = RoomAccess::load(&state, &query.room, me.user.id).await?;
    invitations::delete(&state, &access, invitation_id).await?;
    rooms_ws::publish(
        &state,
        access.room.id,
        &RoomsServerFrame::InviteDeleted {
            room: Cow::Borrowed(&access.room.slug),
            invitation_id,
        },
    );
    Ok(StatusCode::NO_CONTENT)
}

/// Join the room of an invitation code (or raise your role to the invitation's).
#[utoipa::path(post, path = "/api/invites/{code}", tag = "invitations", security(("bearer" = [])),
    params(("code" = String, Path)),
    responses((status = 200, body = RoomDetail), (status = 404, description = "Invitation not found"), (status = 410, description = "Invitation expired")))]
pub async fn accept_invite(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(code): Path<String>,
) -> ApiResult<Json<RoomDetail>> {
    let (access, joined) = invitations::accept(&state, &code, me.user.id).await?;
    match joined {
        invitations::Joined::New => {
            rooms_ws::publish_members(
                &state,
                access.room.id,
                &access.room.slug,
                MembersChange::Joined,
            )
            .await
        }
        invitations::Joined::Upgraded => {
            rooms_ws::publish_members(
                &state,
                access.room.id,
                &access.room.slug,
                MembersChange::Updated,
            )
            .await
        }
        invitations::Joined::Unchanged => {}
    }
    Ok(Json(room_detail(&state, &access).await?))
}

impl Validate for InvitationCreate {
    fn validate(&mut self) -> Vec<ValidationItem> {
        let mut problems = Vec::new();
        invitations::check_role_and_expiry(
            &mut problems,
            self.role.as_deref(),
            self.expires_at.as_deref(),
        );
        problems
    }
}

impl Validate for InviteCreate {
    fn validate(&mut self) -> Vec<ValidationItem> {
        let mut problems = Vec::new();
        invitations::check_role_and_expiry(
            &mut problems,
            self.role.as_deref(),
            self.expires_at.as_deref(),
        );
        problems
    }
}

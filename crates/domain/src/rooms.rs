//! Rooms: the detail a member may see, and the workspace events (`/ws/rooms`) that follow
//! each change.

use charge_protocol::{RoomDetail, RoomRoleLevelRead};
use serde_json::{Value, json};

use crate::access::RoomAccess;
use crate::error::DomainResult;
use crate::{Domain, dto, invitations};

/// Builds the RoomDetail the caller may see.
pub async fn room_detail(state: &Domain, access: &RoomAccess) -> DomainResult<RoomDetail> {
    let room_id = access.room.id;
    let channels = state.store.channels(room_id).await?;
    let categories = state.store.categories(room_id).await?;
    let members = state.store.members(room_id).await?;
    let invitations = if access.sees_invitations() {
        state
            .store
            .invitations(room_id, invitations::MAX_LISTED)
            .await?
            .iter()
            .map(dto::invitation)
            .collect()
    } else {
        Vec::new()
    };
    let room = dto::room(&access.room);
    Ok(RoomDetail {
        id: room.id,
        title: room.title,
        slug: room.slug,
        created_at: room.created_at,
        updated_at: room.updated_at,
        channels: dto::channels_sorted(&channels),
        categories: dto::categories_sorted(&categories),
        invitations,
        role_hierarchy: access
            .levels
            .iter()
            .map(|l| RoomRoleLevelRead {
                role: l.role.clone(),
                level: l.level,
            })
            .collect(),
        current_role: Some(access.member.role.clone()),
        members: dto::members_sorted(&members),
    })
}

/// Publishes a workspace event to the room's sockets (HTTP routes call this after commit).
pub fn publish(state: &Domain, room_id: i64, event: Value) {
    let admins_only = matches!(
        event.get("type").and_then(Value::as_str),
        Some("invite_created")
    );
    state
        .realtime
        .to_room(room_id, crate::frame(&event), admins_only);
}

/// `member_joined` / `member_updated` with the full member list.
pub async fn publish_members(state: &Domain, room_id: i64, slug: &str, kind: &str) {
    match state.store.members(room_id).await {
        Ok(members) => publish(
            state,
            room_id,
            json!({"type": kind, "room": slug, "members": dto::members_sorted(&members)}),
        ),
        // The change itself is committed; members see it on their next snapshot.
        Err(e) => tracing::warn!(
            room_id,
            error = &e as &dyn std::error::Error,
            "member list for {kind} not sent"
        ),
    }
}

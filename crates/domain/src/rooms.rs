//! Rooms: the detail a member may see, and the workspace events (`/ws/rooms`) that follow
//! each change.

use std::borrow::Cow;

use charge_protocol::frames::RoomsServerFrame;
use charge_protocol::{RoomDetail, RoomMemberSummary, RoomRoleLevelRead};

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
    let read_states =
        crate::readstate::channel_states(state, access.member.user_id, room_id, &channels).await?;
    let (unread_count, mention_count) = crate::readstate::totals(&read_states);
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
        unread_count,
        mention_count,
        read_states,
    })
}

/// Publishes a workspace event to the room's sockets (HTTP routes call this after commit);
/// events carrying an invitation code reach admins and owners only.
pub fn publish(state: &Domain, room_id: i64, event: &RoomsServerFrame<'_>) {
    state
        .realtime
        .to_room(room_id, crate::frame(event), event.admins_only());
}

/// Which member-list event to publish.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MembersChange {
    Joined,
    Updated,
    Left,
}

impl MembersChange {
    /// The workspace event announcing this change with the full member list.
    pub fn frame<'a>(
        self,
        room: &'a str,
        members: Cow<'a, [RoomMemberSummary]>,
    ) -> RoomsServerFrame<'a> {
        let room = Cow::Borrowed(room);
        match self {
            Self::Joined => RoomsServerFrame::MemberJoined { room, members },
            Self::Updated => RoomsServerFrame::MemberUpdated { room, members },
            Self::Left => RoomsServerFrame::MemberLeft { room, members },
        }
    }
}

/// `member_joined` / `member_updated` / `member_left` with the full member list.
pub async fn publish_members(state: &Domain, room_id: i64, slug: &str, change: MembersChange) {
    match state.store.members(room_id).await {
        Ok(members) => {
            let members = dto::members_sorted(&members);
            publish(state, room_id, &change.frame(slug, Cow::Owned(members)));
        }
        // The change itself is committed; members see it on their next snapshot.
        Err(e) => tracing::warn!(
            room_id,
            ?change,
            error = &e as &dyn std::error::Error,
            "member list not sent"
        ),
    }
}

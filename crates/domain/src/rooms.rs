//! Rooms: the detail a member may see, and the workspace events (`/ws/rooms`) that follow
//! each change.

use std::borrow::Cow;

use charge_protocol::frames::RoomsServerFrame;
use charge_protocol::{ChannelRead, RoomDetail, RoomMemberSummary, RoomRoleLevelRead};

use crate::access::RoomAccess;
use crate::error::DomainResult;
use crate::{Domain, dto, hierarchy, invitations, permissions};

/// Builds the RoomDetail the caller may see.
pub async fn room_detail(state: &Domain, access: &RoomAccess) -> DomainResult<RoomDetail> {
    let room_id = access.room.id;
    let rows = visible_channel_rows(state, room_id, access.member.user_id).await?;
    let channels = dto::channels_sorted(&rows);
    let categories = state.store.categories(room_id).await?;
    let (members, members_total) = hierarchy::embedded_members(state, room_id).await?;
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
        crate::readstate::channel_states(state, access.member.user_id, room_id, &rows).await?;
    let (unread_count, mention_count) = crate::readstate::totals(&read_states);
    let room = dto::room(&access.room);
    Ok(RoomDetail {
        id: room.id,
        title: room.title,
        slug: room.slug,
        created_at: room.created_at,
        updated_at: room.updated_at,
        channels,
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
        members: {
            let mut members = members;
            crate::presence::live_members(state, &mut members, Some(access.member.user_id));
            members
        },
        members_total,
        unread_count,
        mention_count,
        read_states,
    })
}

/// The room's channels that `user_id` may view, in the contract's order (decision 24).
pub async fn visible_channels(
    state: &Domain,
    room_id: i64,
    user_id: i64,
) -> Result<Vec<ChannelRead>, charge_store::StoreError> {
    Ok(dto::channels_sorted(
        &visible_channel_rows(state, room_id, user_id).await?,
    ))
}

/// The room's channels that `user_id` may view, as stored.
pub async fn visible_channel_rows(
    state: &Domain,
    room_id: i64,
    user_id: i64,
) -> Result<Vec<charge_store::Channel>, charge_store::StoreError> {
    let perms = permissions::room_perms(state, room_id).await?;
    Ok(perms
        .channels
        .values()
        .filter(|c| {
            perms
                .effective(c.id, user_id)
                .is_some_and(|p| p.has(permissions::Permission::View))
        })
        .cloned()
        .collect())
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

/// `member_joined` / `member_updated` / `member_left` with the full member list. A changed or
/// ended membership also changes what the member may see and do: every node re-checks the
/// room's open sockets (invitation codes follow the new role, lost channels are hidden).
pub async fn publish_members(state: &Domain, room_id: i64, slug: &str, change: MembersChange) {
    state.cache.permissions.forget_room(room_id);
    if change != MembersChange::Joined {
        state.realtime.permissions_changed(room_id);
    }
    match state.store.members(room_id).await {
        Ok(members) => {
            let mut members = dto::members_sorted(&members);
            crate::presence::live_members(state, &mut members, None);
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

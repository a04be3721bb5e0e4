//! Room-wide moderation: renaming, deleting (owner, confirmed by the room's title), handing
//! ownership over, and slow mode per text channel. Each change reaches the room's sockets on
//! every node and is written to the audit log.

use std::borrow::Cow;

use charge_protocol::frames::RoomsServerFrame;
use charge_protocol::limits::{NAME_MAX_LENGTH, SLOW_MODE_MAX_SECONDS};
use charge_protocol::{ChannelRead, RoomRead};
use charge_store::Role;

use crate::access::RoomAccess;
use crate::audit::{self, Change, Target};
use crate::error::{DomainError, DomainResult};
use crate::moderation::Eviction;
use crate::rooms::{MembersChange, publish, publish_members};
use crate::{Domain, dto};

/// Owner-level, by the room's hierarchy.
fn require_owner(access: &RoomAccess) -> DomainResult<()> {
    if access.my_level()? >= access.level_of(Role::Owner.as_str())? {
        Ok(())
    } else {
        Err(DomainError::Forbidden("Insufficient permissions"))
    }
}

/// `PATCH /api/rooms/{slug}` (admin+): a new title; the slug, and so every link, stays.
pub async fn rename(state: &Domain, access: &RoomAccess, title: &str) -> DomainResult<RoomRead> {
    access.require_admin()?;
    let title = title.trim();
    if title.is_empty() || title.chars().count() > NAME_MAX_LENGTH {
        return Err(DomainError::validation(
            if title.is_empty() {
                "string_too_short"
            } else {
                "string_too_long"
            },
            &["body", "title"],
            format!("String should have 1 to {NAME_MAX_LENGTH} characters"),
        ));
    }
    let before = dto::room(&access.room);
    let updated_at = state.store.rename_room(access.room.id, title).await?;
    let mut room = access.room.clone();
    room.title = title.to_owned();
    room.updated_at = updated_at;
    let after = dto::room(&room);
    publish(
        state,
        room.id,
        &RoomsServerFrame::RoomUpdated {
            room: Cow::Borrowed(&room.slug),
            title: Cow::Borrowed(&room.title),
        },
    );
    audit::log(
        state,
        access,
        "room.rename",
        Target::Room,
        audit::state(&before),
        audit::state(&after),
    )
    .await;
    Ok(after)
}

/// `DELETE /api/rooms/{slug}` (owner): `confirm` must be the room's title exactly. Everyone's
/// sockets in the room close with "Room deleted".
pub async fn delete(state: &Domain, access: &RoomAccess, confirm: &str) -> DomainResult<()> {
    require_owner(access)?;
    if confirm != access.room.title {
        return Err(DomainError::BadRequest(
            "Type the room's name exactly to confirm its deletion",
        ));
    }
    // Read before the rows go: the sockets of every channel must close.
    let channels: Vec<i64> = state
        .store
        .channels(access.room.id)
        .await?
        .iter()
        .map(|c| c.id)
        .collect();
    state.store.delete_room(access.room.id).await?;
    for channel_id in &channels {
        state.cache.channel_changed(*channel_id);
    }
    state
        .realtime
        .evict(access.room.id, &channels, None, Eviction::RoomDeleted);
    // The room's own log went with it; the deletion is logged without a room to keep it in.
    tracing::info!(
        room_id = access.room.id,
        slug = %access.room.slug,
        actor = access.member.user_id,
        "room deleted"
    );
    Ok(())
}

/// `POST /api/rooms/{slug}/transfer-ownership` (owner): the member becomes owner and the caller
/// an admin.
pub async fn transfer(state: &Domain, access: &RoomAccess, user_id: i64) -> DomainResult<()> {
    require_owner(access)?;
    if user_id == access.member.user_id {
        return Err(DomainError::BadRequest("You already own this room"));
    }
    let target = state
        .store
        .membership(access.room.id, user_id)
        .await?
        .ok_or(DomainError::NotFound("Member not found"))?;
    state
        .store
        .transfer_ownership(access.room.id, access.member.user_id, user_id)
        .await?;
    publish_members(
        state,
        access.room.id,
        &access.room.slug,
        MembersChange::Updated,
    )
    .await;
    audit::log(
        state,
        access,
        "room.transfer_ownership",
        Target::Member(user_id),
        audit::state(&serde_json::json!({"owner_id": access.member.user_id, "role": target.role})),
        audit::state(&serde_json::json!({"owner_id": user_id, "previous_owner_role": "admin"})),
    )
    .await;
    Ok(())
}

/// `PUT /api/channels/{channel_id}/slow-mode` (admin+ of the channel's room, text channels):
/// 0 turns it off; at most [`SLOW_MODE_MAX_SECONDS`].
pub async fn set_slow_mode(
    state: &Domain,
    user_id: i64,
    channel_id: i64,
    seconds: i64,
) -> DomainResult<ChannelRead> {
    let mut channel = state
        .store
        .channel_by_id(channel_id)
        .await?
        .ok_or(DomainError::NotFound("Channel not found"))?;
    let room = state
        .store
        .room_by_id(channel.room_id)
        .await?
        .ok_or(DomainError::NotFound("Channel not found"))?;
    let access = RoomAccess::for_room(state, room, user_id).await?;
    access.require_admin()?;
    if !channel.is_text() {
        return Err(DomainError::BadRequest(
            "Slow mode is only available for text channels",
        ));
    }
    if seconds < 0 {
        return Err(DomainError::validation(
            "greater_than_equal",
            &["body", "seconds"],
            "Input should be greater than or equal to 0",
        ));
    }
    if seconds > SLOW_MODE_MAX_SECONDS {
        return Err(DomainError::validation(
            "less_than_equal",
            &["body", "seconds"],
            format!("Input should be less than or equal to {SLOW_MODE_MAX_SECONDS}"),
        ));
    }
    let before = dto::channel(&channel);
    state.store.set_slow_mode(channel_id, seconds).await?;
    channel.slow_mode_seconds = seconds;
    let read = dto::channel(&channel);
    // `channel_updated` also refreshes every node's posting gate.
    publish(
        state,
        access.room.id,
        &RoomsServerFrame::ChannelUpdated {
            room: Cow::Borrowed(&access.room.slug),
            channel: Cow::Borrowed(&read),
        },
    );
    audit::record(
        state,
        Change {
            room_id: access.room.id,
            actor_id: Some(user_id),
            action: "channel.slow_mode",
            target: Target::Channel(channel_id),
            before: audit::state(&before),
            after: audit::state(&read),
        },
    )
    .await;
    Ok(read)
}

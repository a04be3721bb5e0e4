//! Read state: where each user has read to in each text channel, the unread and mention
//! counts that follow, and read receipts on single messages. Marking a channel read tells the
//! user's other sockets (every device, every node) at once.

use std::borrow::Cow;

use charge_protocol::frames::RoomsServerFrame;
use charge_protocol::{ChannelReadState, RoomReadState};
use charge_store::{Channel, ChannelUnread, Message, Room};

use crate::error::{DomainError, DomainResult};
use crate::{Domain, frame};

/// Rooms one read-state answer covers (as many as the room list shows).
pub const MAX_ROOMS: i64 = 1000;

fn wire(room_id: i64, unread: &ChannelUnread) -> ChannelReadState {
    ChannelReadState {
        channel_id: unread.channel_id,
        room_id,
        last_read_message_id: unread.last_read_message_id,
        unread_count: unread.unread_count,
        mention_count: unread.mention_count,
    }
}

/// The user's read state in each text channel of `channels` (one room's).
pub async fn channel_states(
    state: &Domain,
    user_id: i64,
    room_id: i64,
    channels: &[Channel],
) -> DomainResult<Vec<ChannelReadState>> {
    let mut ids: Vec<i64> = channels
        .iter()
        .filter(|c| c.is_text())
        .map(|c| c.id)
        .collect();
    ids.sort_unstable();
    Ok(state
        .store
        .unread_counts(user_id, &ids)
        .await?
        .iter()
        .map(|u| wire(room_id, u))
        .collect())
}

/// Totals of a room's channel states: `(unread, mentions)`.
pub fn totals(states: &[ChannelReadState]) -> (i64, i64) {
    states.iter().fold((0, 0), |(u, m), s| {
        (u + s.unread_count, m + s.mention_count)
    })
}

fn room_state(room: &Room, channels: Vec<ChannelReadState>) -> RoomReadState {
    let (unread_count, mention_count) = totals(&channels);
    RoomReadState {
        room_id: room.id,
        slug: room.slug.clone(),
        unread_count,
        mention_count,
        channels,
    }
}

/// The user's read state in every room they belong to, by room title.
pub async fn room_states(state: &Domain, user_id: i64) -> DomainResult<Vec<RoomReadState>> {
    let rooms = state.store.rooms_for_user(user_id, MAX_ROOMS).await?;
    let mut out = Vec::with_capacity(rooms.len());
    for room in &rooms {
        // Only the channels the user may view count (decision 24).
        let channels = crate::rooms::visible_channel_rows(state, room.id, user_id).await?;
        let states = channel_states(state, user_id, room.id, &channels).await?;
        out.push(room_state(room, states));
    }
    Ok(out)
}

/// Marks `channel` read up to `message_id` (a message of the channel; `None` is its newest)
/// for `user_id` — a position only moves forward — and sends the new state to the user's
/// workspace sockets everywhere.
pub async fn mark_read(
    state: &Domain,
    channel: &Channel,
    user_id: i64,
    message_id: Option<i64>,
) -> DomainResult<ChannelReadState> {
    let up_to = match message_id {
        Some(id) => match state.store.message_channel(id).await? {
            Some(c) if c == channel.id => id,
            _ => return Err(DomainError::NotFound("Message not found")),
        },
        None => state
            .store
            .newest_message_id(channel.id)
            .await?
            .unwrap_or(0),
    };
    if up_to > 0 {
        state.store.mark_read(user_id, channel.id, up_to).await?;
    }
    let counts = state.store.unread_counts(user_id, &[channel.id]).await?;
    let unread = counts
        .first()
        .ok_or_else(|| DomainError::Internal("no read state for a channel".into()))?;
    let read_state = wire(channel.room_id, unread);
    if let Some(room) = state.store.room_by_id(channel.room_id).await? {
        let event = frame(&RoomsServerFrame::ReadState {
            room: Cow::Borrowed(&room.slug),
            state: Cow::Borrowed(&read_state),
        });
        state.realtime.to_user(user_id, event);
    }
    Ok(read_state)
}

/// A read receipt on a message of `channel_id`: `delivered` and/or `read` (at least one must
/// be asked for; the route checks that). Returns the message and the caller's receipt times.
pub async fn receipt(
    state: &Domain,
    channel_id: i64,
    message_id: i64,
    user_id: i64,
    delivered: bool,
    read: bool,
) -> DomainResult<(Message, Option<i64>, Option<i64>)> {
    match state.store.message_channel(message_id).await? {
        Some(c) if c == channel_id => {}
        _ => return Err(DomainError::NotFound("Message not found")),
    }
    let (delivered_at, read_at) = state
        .store
        .record_receipt(message_id, user_id, delivered, read)
        .await?;
    let message = state
        .store
        .message_by_id(message_id)
        .await?
        .ok_or(DomainError::NotFound("Message not found"))?;
    Ok((message, delivered_at, read_at))
}

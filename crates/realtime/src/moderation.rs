//! The hub's side of moderation (decision 25): closing a removed user's sockets in a room —
//! or everyone's, when the room is deleted — and muting a timed-out member's voice, here and
//! (through the bus) on every other node.

use std::borrow::Cow;

use charge_domain::frame;
use charge_domain::moderation::{EVICTION_CLOSE_CODE, Eviction};
use charge_protocol::frames::SignalServerFrame;
use charge_protocol::frames::signal::StateUpdate;

use crate::bus::RemoteEvent;
use crate::hub::Hub;
use crate::voice::{Participant, now, publish_state, send_all};

impl Hub {
    /// Closes the room's sockets of `user_id` (everyone's when `None`) on every node.
    pub fn evict(&self, room_id: i64, channel_ids: &[i64], user_id: Option<i64>, why: Eviction) {
        self.bus().publish(RemoteEvent::Evict {
            room_id,
            channel_ids: channel_ids.to_vec(),
            user_id,
            why,
        });
        self.evict_local(room_id, channel_ids, user_id, why);
    }

    pub(crate) fn evict_local(
        &self,
        room_id: i64,
        channel_ids: &[i64],
        user_id: Option<i64>,
        why: Eviction,
    ) {
        // Membership changed: granted access read before now is stale, and so are the room's
        // permission inputs (its members, or the whole room once deleted).
        self.cache.rooms_changed();
        self.cache.permissions.forget_room(room_id);
        let reason = why.reason();
        let hit = |conn_user: i64| user_id.is_none_or(|u| u == conn_user);
        let state = self.lock();
        if let Some(workspace) = state.rooms.get(&room_id) {
            workspace.kick(user_id, EVICTION_CLOSE_CODE, reason);
        }
        for channel_id in channel_ids {
            if let Some(channel) = state.channels.get(channel_id) {
                for conn in channel.conns.values().filter(|c| hit(c.user_id)) {
                    conn.kick(EVICTION_CLOSE_CODE, reason);
                }
            }
        }
        drop(state);
        let rooms = self.voice.lock();
        if let Some(room) = rooms.get(&room_id) {
            for p in room.participants.values().filter(|p| hit(p.conn.user_id)) {
                p.conn.kick(EVICTION_CLOSE_CODE, reason);
            }
        }
    }

    /// A member was timed out: wherever their voice participant is, it is muted at once.
    pub fn timed_out(&self, room_id: i64, user_id: i64) {
        self.bus()
            .publish(RemoteEvent::TimedOut { room_id, user_id });
        self.timed_out_local(room_id, user_id);
    }

    pub(crate) fn timed_out_local(&self, room_id: i64, user_id: i64) {
        let bus = self.bus();
        let mut rooms = self.voice.lock();
        let Some(room) = rooms.get_mut(&room_id) else {
            return;
        };
        let Some(p) = room.participants.get_mut(&user_id) else {
            return;
        };
        if p.muted {
            return;
        }
        p.muted = true;
        let participant = Participant::wire(p);
        room.updated_at = now();
        let updated = frame(&SignalServerFrame::State(StateUpdate::ParticipantUpdated {
            participant: Cow::Owned(participant),
            stats: room.stats(),
        }));
        send_all(bus, room_id, room, &updated, None);
        publish_state(bus, room_id, room);
    }
}

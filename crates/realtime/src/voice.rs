//! Voice state of each room: this node's participants (with their connections), what other
//! nodes say of theirs, the merged and sorted list every participant is shown, statistics
//! and recording. The `/ws/signal` gateway changes it; the broker bridge feeds it the other
//! nodes' state.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use charge_domain::frame;
use charge_protocol::frames::SignalServerFrame;
use charge_protocol::frames::signal::{
    Participant as Wire, Recording, StageStatus, StateUpdate, VoiceRole, VoiceStats,
};
use chrono::Utc;
use serde_json::{Map, Value};

use crate::bus::{Bus, RemoteEvent};
use crate::conn::Conn;
use crate::ws::Utf8Bytes;

/// A participant connected to this node.
#[derive(Clone)]
pub struct Participant {
    pub conn: Conn,
    pub room_role: String,
    pub name: String,
    pub voice_role: VoiceRole,
    pub muted: bool,
    pub deafened: bool,
    pub video: bool,
    pub hand_raised: bool,
    pub stage_override: Option<StageStatus>,
    pub quality: BTreeMap<String, Map<String, Value>>,
}

impl Participant {
    pub fn stage_status(&self) -> StageStatus {
        if let Some(s) = self.stage_override {
            return s;
        }
        if self.voice_role != VoiceRole::Speaker {
            StageStatus::Listener
        } else if self.deafened {
            StageStatus::Backstage
        } else if self.muted {
            StageStatus::Muted
        } else {
            StageStatus::Live
        }
    }

    /// The participant as every frame shows it.
    pub fn wire(&self) -> Wire {
        Wire {
            id: self.conn.user_id,
            display_name: self.name.clone(),
            role: self.voice_role,
            muted: self.muted,
            deafened: self.deafened,
            video_enabled: self.video,
            stage_status: self.stage_status(),
            hand_raised: self.hand_raised,
            quality: (!self.quality.is_empty()).then(|| self.quality.clone()),
        }
    }

    pub fn is_moderator(&self) -> bool {
        matches!(self.room_role.as_str(), "owner" | "admin")
    }
}

pub struct VoiceRoom {
    pub participants: HashMap<i64, Participant>,
    /// Other nodes' participants (as they describe them) and when they last did.
    pub remote: HashMap<String, (Vec<Wire>, Instant)>,
    /// The list last sent to this node's participants.
    pub announced: Vec<Wire>,
    pub created_at: String,
    pub updated_at: String,
    pub recording: Option<Recording>,
}

impl VoiceRoom {
    /// An empty room, created at its first join.
    pub(crate) fn new() -> Self {
        let stamp = now();
        Self {
            participants: HashMap::new(),
            remote: HashMap::new(),
            announced: Vec::new(),
            created_at: stamp.clone(),
            updated_at: stamp,
            recording: None,
        }
    }

    /// Participants of every node, each user once (this node's entry wins), by name.
    pub fn sorted(&self) -> Vec<Wire> {
        let mut by_id: HashMap<i64, Wire> = HashMap::new();
        for (list, _) in self.remote.values() {
            for p in list {
                by_id.insert(p.id, p.clone());
            }
        }
        for p in self.participants.values() {
            by_id.insert(p.conn.user_id, p.wire());
        }
        let mut list: Vec<Wire> = by_id.into_values().collect();
        list.sort_by_cached_key(|p| (p.display_name.to_lowercase(), p.id));
        list
    }

    pub fn is_remote_participant(&self, user_id: i64) -> bool {
        self.remote
            .values()
            .any(|(list, _)| list.iter().any(|p| p.id == user_id))
    }

    pub fn stats_of(&self, list: &[Wire]) -> VoiceStats {
        VoiceStats::of(list, &self.created_at, &self.updated_at)
    }

    pub fn stats(&self) -> VoiceStats {
        self.stats_of(&self.sorted())
    }

    pub fn local_list(&self) -> Vec<Wire> {
        self.participants.values().map(Participant::wire).collect()
    }

    pub fn participants_frame(&mut self) -> Utf8Bytes {
        let list = self.sorted();
        let bytes = frame(&SignalServerFrame::State(StateUpdate::Participants {
            participants: Cow::Borrowed(&list),
            stats: self.stats_of(&list),
        }));
        self.announced = list;
        bytes
    }

    /// This node's participants only.
    pub fn send_local(&self, bytes: &Utf8Bytes, except: Option<i64>) {
        for p in self
            .participants
            .values()
            .filter(|p| Some(p.conn.user_id) != except)
        {
            p.conn.push(bytes);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.participants.is_empty() && self.remote.values().all(|(l, _)| l.is_empty())
    }
}

/// Sends a voice frame to the room's participants on every node.
pub fn send_all(bus: &Bus, room_id: i64, room: &VoiceRoom, bytes: &Utf8Bytes, except: Option<i64>) {
    room.send_local(bytes, except);
    bus.publish(RemoteEvent::VoiceFrame {
        room_id,
        target: None,
        except,
        frame: bytes.as_str().to_owned(),
    });
}

/// Tells other nodes who is here, and sends the merged list to this node's participants
/// (other nodes send it to theirs when they apply the state).
pub fn publish_state(bus: &Bus, room_id: i64, room: &mut VoiceRoom) {
    bus.publish(RemoteEvent::VoiceState {
        room_id,
        participants: room.local_list(),
    });
    let participants = room.participants_frame();
    room.send_local(&participants, None);
}

/// Voice rooms by room id.
#[derive(Default)]
pub struct VoiceRooms {
    rooms: Mutex<HashMap<i64, VoiceRoom>>,
}

pub fn now() -> String {
    Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

impl VoiceRooms {
    pub fn lock(&self) -> MutexGuard<'_, HashMap<i64, VoiceRoom>> {
        self.rooms
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Another node's participants in a room.
    pub fn apply_state(&self, node: &str, room_id: i64, participants: Vec<Wire>) {
        let mut rooms = self.lock();
        let room = rooms.entry(room_id).or_insert_with(VoiceRoom::new);
        room.remote
            .insert(node.to_owned(), (participants, Instant::now()));
        Self::announce(room);
        if room.is_empty() {
            rooms.remove(&room_id);
        }
    }

    /// A frame from another node for this node's participants.
    pub fn deliver_local(
        &self,
        room_id: i64,
        target: Option<i64>,
        except: Option<i64>,
        bytes: &Utf8Bytes,
    ) {
        let rooms = self.lock();
        let Some(room) = rooms.get(&room_id) else {
            return;
        };
        match target {
            Some(id) => {
                if let Some(p) = room.participants.get(&id) {
                    p.conn.push(bytes);
                }
            }
            None => room.send_local(bytes, except),
        }
    }

    pub fn forget_node(&self, node: &str) {
        let mut rooms = self.lock();
        for room in rooms.values_mut() {
            if room.remote.remove(node).is_some() {
                Self::announce(room);
            }
        }
        rooms.retain(|_, r| !r.is_empty());
    }

    /// Drops other nodes' participants that were not refreshed within the TTL.
    pub fn expire(&self, now: Instant, ttl: Duration) {
        let mut rooms = self.lock();
        for room in rooms.values_mut() {
            let before = room.remote.len();
            room.remote
                .retain(|_, (_, seen)| now.duration_since(*seen) < ttl);
            if room.remote.len() != before {
                Self::announce(room);
            }
        }
        rooms.retain(|_, r| !r.is_empty());
    }

    pub fn heartbeat(&self, bus: &Bus) {
        let rooms = self.lock();
        for (room_id, room) in rooms.iter().filter(|(_, r)| !r.participants.is_empty()) {
            bus.publish(RemoteEvent::VoiceState {
                room_id: *room_id,
                participants: room.local_list(),
            });
        }
    }

    /// Sends the merged list to this node's participants when it changed.
    fn announce(room: &mut VoiceRoom) {
        if room.sorted() != room.announced {
            let participants = room.participants_frame();
            room.send_local(&participants, None);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_rooms_stats_carry_only_updated_at() {
        let mut room = VoiceRoom::new();
        room.updated_at = "2026-01-01T00:00:00.000Z".into();
        assert_eq!(
            room.participants_frame().as_str(),
            r#"{"type":"state","event":"participants","participants":[],"stats":{"updatedAt":"2026-01-01T00:00:00.000Z"}}"#
        );
    }
}

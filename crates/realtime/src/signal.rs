//! `/ws/signal/{room_slug}`: voice participants of a room and WebRTC signalling between them.
//! Offers, answers and candidates with a `target` reach that participant only (decision 13),
//! on whichever node it is connected; changing someone else's state needs admin or owner, and
//! guests cannot self-promote. Each node owns its own participants and tells the others who
//! they are; every list a client sees is the merge of all nodes.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, MutexGuard};
use std::time::Instant;

use super::ws::{Utf8Bytes, WsUpgrade, send_text};
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use charge_protocol::frames::signal::{
    self as wire, Participant as Wire, Recording, Relay, StageAction, StageStatus, StateChange,
    StateEvent, StateUpdate, SystemEvent, VoiceFeatures, VoiceRole, VoiceStats,
};
use charge_protocol::frames::{SignalClientFrame, SignalServerFrame};
use chrono::Utc;
use serde_json::{Map, Value};

use super::bus::{Bus, RemoteEvent};
use super::hub::{Conn, frame};
use super::session::{self, Handler, PumpOptions, Reply, error_frame};
use crate::state::AppState;

#[derive(Clone)]
struct Participant {
    conn: Conn,
    room_role: String,
    name: String,
    voice_role: VoiceRole,
    muted: bool,
    deafened: bool,
    video: bool,
    hand_raised: bool,
    stage_override: Option<StageStatus>,
    quality: BTreeMap<String, Map<String, Value>>,
}

impl Participant {
    fn stage_status(&self) -> StageStatus {
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
    fn wire(&self) -> Wire {
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

    fn is_moderator(&self) -> bool {
        matches!(self.room_role.as_str(), "owner" | "admin")
    }
}

struct VoiceRoom {
    participants: HashMap<i64, Participant>,
    /// Other nodes' participants (as they describe them) and when they last did.
    remote: HashMap<String, (Vec<Wire>, Instant)>,
    /// The list last sent to this node's participants.
    announced: Vec<Wire>,
    created_at: String,
    updated_at: String,
    recording: Option<Recording>,
}

impl VoiceRoom {
    fn new() -> Self {
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
    fn sorted(&self) -> Vec<Wire> {
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

    fn is_remote_participant(&self, user_id: i64) -> bool {
        self.remote
            .values()
            .any(|(list, _)| list.iter().any(|p| p.id == user_id))
    }

    fn stats_of(&self, list: &[Wire]) -> VoiceStats {
        VoiceStats::of(list, &self.created_at, &self.updated_at)
    }

    fn stats(&self) -> VoiceStats {
        self.stats_of(&self.sorted())
    }

    fn local_list(&self) -> Vec<Wire> {
        self.participants.values().map(Participant::wire).collect()
    }

    fn participants_frame(&mut self) -> Utf8Bytes {
        let list = self.sorted();
        let bytes = frame(&SignalServerFrame::State(StateUpdate::Participants {
            participants: Cow::Borrowed(&list),
            stats: self.stats_of(&list),
        }));
        self.announced = list;
        bytes
    }

    /// This node's participants only.
    fn send_local(&self, bytes: &Utf8Bytes, except: Option<i64>) {
        for p in self
            .participants
            .values()
            .filter(|p| Some(p.conn.user_id) != except)
        {
            p.conn.push(bytes);
        }
    }

    fn is_empty(&self) -> bool {
        self.participants.is_empty() && self.remote.values().all(|(l, _)| l.is_empty())
    }
}

/// Sends a voice frame to the room's participants on every node.
fn send_all(bus: &Bus, room_id: i64, room: &VoiceRoom, bytes: &Utf8Bytes, except: Option<i64>) {
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
fn publish_state(bus: &Bus, room_id: i64, room: &mut VoiceRoom) {
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

fn now() -> String {
    Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

impl VoiceRooms {
    fn lock(&self) -> MutexGuard<'_, HashMap<i64, VoiceRoom>> {
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
    pub fn expire(&self, hub: &super::Hub, now: Instant) {
        let ttl = hub.node_ttl();
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

    pub fn heartbeat(&self, hub: &super::Hub) {
        let rooms = self.lock();
        for (room_id, room) in rooms.iter().filter(|(_, r)| !r.participants.is_empty()) {
            hub.bus().publish(RemoteEvent::VoiceState {
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

pub async fn ws_signal(
    ws: WsUpgrade,
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    ws.on_upgrade(move |mut socket| async move {
        let (caller, room, member) =
            match session::admit_room(&state, &slug, &query, &headers).await {
                Ok(admitted) => admitted,
                Err((code, reason)) => return session::close(&mut socket, code, reason).await,
            };
        // The request's headers and query are not needed for the session's lifetime.
        drop((query, headers));
        let user = &caller.user;
        let (conn, mut outbox) = state.hub.connection(user.id);
        let welcome = join(
            &state,
            room.id,
            conn.clone(),
            member.role.clone(),
            user.display_name
                .clone()
                .unwrap_or_else(|| user.login.clone()),
        );
        for f in welcome {
            if send_text(&mut socket, f).await.is_err() {
                leave(&state, room.id, conn.id, user.id);
                return;
            }
        }
        let mut handler = SignalHandler {
            state: state.clone(),
            room_id: room.id,
            user_id: user.id,
        };
        let options = PumpOptions {
            idle_timeout: Some(state.settings.websocket_receive_timeout),
            expires_at: caller.expires_at,
            scope: "voice",
        };
        session::pump(&state, &mut socket, &mut outbox, &mut handler, options).await;
        leave(&state, room.id, conn.id, user.id);
    })
}

/// Adds the participant (replacing an older connection of the same user) and returns the
/// frames for the joiner; the others get `peer-joined` and the new list.
fn join(
    state: &AppState,
    room_id: i64,
    conn: Conn,
    room_role: String,
    name: String,
) -> Vec<Utf8Bytes> {
    let settings = &state.settings;
    let bus = state.hub.bus();
    let mut rooms = state.hub.voice.lock();
    let room = rooms.entry(room_id).or_insert_with(VoiceRoom::new);
    room.updated_at = now();
    if let Some(old) = room.participants.remove(&conn.user_id) {
        old.conn.kick(1000, "Replaced by a newer connection");
    }
    let has_speaker = room.sorted().iter().any(|p| p.role == VoiceRole::Speaker);
    let voice_role = if settings.voice_default_role == "speaker"
        || (settings.voice_auto_promote_first_speaker && !has_speaker)
    {
        VoiceRole::Speaker
    } else {
        VoiceRole::Listener
    };
    let me = Participant {
        conn,
        room_role: room_role.clone(),
        name,
        voice_role,
        muted: false,
        deafened: false,
        video: false,
        hand_raised: false,
        stage_override: None,
        quality: BTreeMap::new(),
    };
    let user_id = me.conn.user_id;
    let me_wire = me.wire();
    room.participants.insert(user_id, me);
    let joined = frame(&SignalServerFrame::System(SystemEvent::PeerJoined {
        user: Cow::Borrowed(&me_wire),
    }));
    send_all(bus, room_id, room, &joined, Some(user_id));
    bus.publish(RemoteEvent::VoiceState {
        room_id,
        participants: room.local_list(),
    });
    let participants = room.participants_frame();
    room.send_local(&participants, Some(user_id));
    let welcome = SignalServerFrame::System(SystemEvent::Welcome {
        user: Cow::Borrowed(&me_wire),
        role: Cow::Borrowed(&room_role),
        features: VoiceFeatures {
            recording: settings.voice_recording_enabled,
            quality_monitoring: settings.voice_quality_monitoring_enabled,
        },
    });
    let mut out = vec![frame(&welcome), participants];
    if let Some(rec) = &room.recording {
        out.push(frame(&SignalServerFrame::State(StateUpdate::Recording(
            Cow::Borrowed(rec),
        ))));
    }
    out
}

fn leave(state: &AppState, room_id: i64, conn_id: u64, user_id: i64) {
    let bus = state.hub.bus();
    let mut rooms = state.hub.voice.lock();
    let Some(room) = rooms.get_mut(&room_id) else {
        return;
    };
    // A replaced connection must not remove its successor.
    if room
        .participants
        .get(&user_id)
        .is_none_or(|p| p.conn.id != conn_id)
    {
        return;
    }
    let Some(gone) = room.participants.remove(&user_id) else {
        return;
    };
    room.updated_at = now();
    let left = frame(&SignalServerFrame::System(SystemEvent::PeerLeft {
        user: Cow::Owned(gone.wire()),
    }));
    send_all(bus, room_id, room, &left, None);
    publish_state(bus, room_id, room);
    if room.is_empty() {
        rooms.remove(&room_id);
    }
}

struct SignalHandler {
    state: AppState,
    room_id: i64,
    user_id: i64,
}

impl Handler for SignalHandler {
    async fn on_text(&mut self, text: &str) -> Reply {
        self.respond(text).await.into()
    }
}

impl SignalHandler {
    async fn respond(&mut self, text: &str) -> Vec<Utf8Bytes> {
        let result = match wire::parse(text) {
            Err(e) => Err(wire::error_detail(&e)),
            Ok(SignalClientFrame::Ping) => return vec![frame(&SignalServerFrame::Pong)],
            Ok(
                SignalClientFrame::Offer(relay)
                | SignalClientFrame::Answer(relay)
                | SignalClientFrame::Candidate(relay)
                | SignalClientFrame::Bye(relay)
                | SignalClientFrame::Signal { signal: relay },
            ) => self.relay(&relay),
            Ok(SignalClientFrame::State(change)) => self.change_state(change),
        };
        match result {
            Ok(()) => Vec::new(),
            Err(detail) => vec![error_frame(detail)],
        }
    }

    fn relay(&self, relay: &Relay) -> Result<(), &'static str> {
        let bus = self.state.hub.bus();
        let rooms = self.state.hub.voice.lock();
        let room = rooms.get(&self.room_id).ok_or("Participant not found")?;
        let me = room
            .participants
            .get(&self.user_id)
            .ok_or("Participant not found")?;
        let bytes = frame(&SignalServerFrame::Signal {
            signal: Cow::Borrowed(relay.signal()),
            from: Cow::Owned(me.wire()),
        });
        match relay.target() {
            Some(id) => match room.participants.get(&id) {
                Some(p) => {
                    p.conn.push(&bytes);
                }
                // On another node: that node hands it to its participant only.
                None if room.is_remote_participant(id) => bus.publish(RemoteEvent::VoiceFrame {
                    room_id: self.room_id,
                    target: Some(id),
                    except: None,
                    frame: bytes.as_str().to_owned(),
                }),
                None => return Err("Participant not found"),
            },
            None => send_all(bus, self.room_id, room, &bytes, Some(self.user_id)),
        }
        Ok(())
    }

    fn change_state(&self, change: StateChange) -> Result<(), &'static str> {
        let target = change.target.unwrap_or(self.user_id);
        let max_speakers = self.state.settings.voice_max_speakers;
        let recording_enabled = self.state.settings.voice_recording_enabled;
        let bus = self.state.hub.bus();
        let mut rooms = self.state.hub.voice.lock();
        let room = rooms
            .get_mut(&self.room_id)
            .ok_or("Participant not found")?;
        let me = room
            .participants
            .get(&self.user_id)
            .ok_or("Participant not found")?
            .clone();
        let is_self = target == self.user_id;
        if !room.participants.contains_key(&target) {
            return Err(if room.is_remote_participant(target) {
                "Participant is connected to another server node"
            } else {
                "Participant not found"
            });
        }
        let speakers = room
            .sorted()
            .iter()
            .filter(|p| p.role == VoiceRole::Speaker)
            .count();
        let before = room.participants.get(&target).map(Participant::wire);
        match change.event? {
            StateEvent::SetRole { role } => {
                let role = role?;
                if !is_self && !me.is_moderator() {
                    return Err("Insufficient permissions to change the role");
                }
                if is_self && role == VoiceRole::Speaker && me.room_role == "guest" {
                    return Err("Guests cannot promote themselves to speaker");
                }
                let p = room
                    .participants
                    .get_mut(&target)
                    .ok_or("Participant not found")?;
                if role == VoiceRole::Speaker
                    && p.voice_role != VoiceRole::Speaker
                    && speakers >= max_speakers
                {
                    return Err("Maximum number of speakers reached");
                }
                p.voice_role = role;
                if role == VoiceRole::Listener {
                    p.stage_override = None;
                }
            }
            event @ (StateEvent::SetMuted { .. }
            | StateEvent::SetDeafened { .. }
            | StateEvent::Media { .. }) => {
                if !is_self && !me.is_moderator() {
                    return Err("Insufficient permissions to change another participant");
                }
                let p = room
                    .participants
                    .get_mut(&target)
                    .ok_or("Participant not found")?;
                match event {
                    StateEvent::SetMuted { muted } => p.muted = muted.unwrap_or(!p.muted),
                    StateEvent::SetDeafened { deafened } => {
                        p.deafened = deafened.unwrap_or(!p.deafened);
                    }
                    StateEvent::Media { video_enabled } => {
                        p.video = video_enabled.unwrap_or(!p.video);
                    }
                    _ => {}
                }
            }
            StateEvent::Stage(action) => {
                if !is_self && !me.is_moderator() {
                    return Err("Insufficient permissions to change another participant");
                }
                let p = room
                    .participants
                    .get_mut(&target)
                    .ok_or("Participant not found")?;
                match action? {
                    StageAction::SetStatus { status } => {
                        let status = status?;
                        if p.voice_role != VoiceRole::Speaker {
                            return Err("Participant is not on stage");
                        }
                        p.stage_override = Some(status);
                    }
                    StageAction::RaiseHand { raised } => p.hand_raised = raised,
                }
            }
            StateEvent::QualityReport { metrics } => {
                let metrics = metrics?;
                let p = room
                    .participants
                    .get_mut(&self.user_id)
                    .ok_or("Participant not found")?;
                p.quality
                    .insert(metrics.track.clone(), metrics.values.clone());
                let update = frame(&SignalServerFrame::State(StateUpdate::QualityUpdate {
                    user_id: self.user_id,
                    track: Cow::Borrowed(&metrics.track),
                    metrics: Cow::Borrowed(&metrics.values),
                }));
                send_all(bus, self.room_id, room, &update, None);
                return Ok(());
            }
            StateEvent::Recording { active } => {
                if !recording_enabled {
                    return Err("Recording is not available on this server");
                }
                if !me.is_moderator() {
                    return Err("Insufficient permissions to control recording");
                }
                let rec = Recording {
                    active,
                    timestamp: now(),
                    by: me.wire(),
                };
                let bytes = frame(&SignalServerFrame::State(StateUpdate::Recording(
                    Cow::Borrowed(&rec),
                )));
                send_all(bus, self.room_id, room, &bytes, None);
                room.recording = Some(rec);
                return Ok(());
            }
        }
        let after = room.participants.get(&target).map(Participant::wire);
        if before != after
            && let Some(participant) = after
        {
            room.updated_at = now();
            let updated = frame(&SignalServerFrame::State(StateUpdate::ParticipantUpdated {
                participant: Cow::Owned(participant),
                stats: room.stats(),
            }));
            send_all(bus, self.room_id, room, &updated, None);
            publish_state(bus, self.room_id, room);
        }
        Ok(())
    }
}

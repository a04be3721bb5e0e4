//! `/ws/signal/{room_slug}`: voice participants of a room and WebRTC signalling between them.
//! Offers, answers and candidates with a `target` reach that participant only (decision 13),
//! on whichever node it is connected; changing someone else's state needs admin or owner, and
//! guests cannot self-promote. Each node owns its own participants and tells the others who
//! they are; every list a client sees is the merge of all nodes.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};
use std::time::Instant;

use super::ws::{Utf8Bytes, WsUpgrade, send_text};
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use chrono::Utc;
use serde_json::{Map, Value, json};

use super::bus::{Bus, RemoteEvent};
use super::hub::{Conn, frame};
use super::session::{self, Handler, PumpOptions, Reply, error_frame};
use crate::state::AppState;

#[derive(Clone)]
struct Participant {
    conn: Conn,
    room_role: String,
    name: String,
    voice_role: &'static str,
    muted: bool,
    deafened: bool,
    video: bool,
    hand_raised: bool,
    stage_override: Option<String>,
    quality: Map<String, Value>,
}

impl Participant {
    fn stage_status(&self) -> String {
        if let Some(s) = &self.stage_override {
            return s.clone();
        }
        if self.voice_role != "speaker" {
            "listener".into()
        } else if self.deafened {
            "backstage".into()
        } else if self.muted {
            "muted".into()
        } else {
            "live".into()
        }
    }

    fn json(&self) -> Value {
        json!({
            "id": self.conn.user_id, "displayName": self.name, "role": self.voice_role,
            "muted": self.muted, "deafened": self.deafened, "videoEnabled": self.video,
            "stageStatus": self.stage_status(), "handRaised": self.hand_raised,
            "quality": if self.quality.is_empty() { Value::Null } else { Value::Object(self.quality.clone()) },
        })
    }

    fn is_moderator(&self) -> bool {
        matches!(self.room_role.as_str(), "owner" | "admin")
    }
}

struct VoiceRoom {
    participants: HashMap<i64, Participant>,
    /// Other nodes' participants (as they describe them) and when they last did.
    remote: HashMap<String, (Vec<Value>, Instant)>,
    /// The list last sent to this node's participants.
    announced: Vec<Value>,
    created_at: String,
    updated_at: String,
    recording: Option<Value>,
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
    fn sorted(&self) -> Vec<Value> {
        let mut by_id: HashMap<i64, Value> = HashMap::new();
        for (list, _) in self.remote.values() {
            for p in list {
                if let Some(id) = p["id"].as_i64() {
                    by_id.insert(id, p.clone());
                }
            }
        }
        for p in self.participants.values() {
            by_id.insert(p.conn.user_id, p.json());
        }
        let mut list: Vec<Value> = by_id.into_values().collect();
        list.sort_by_cached_key(|p| {
            (
                p["displayName"].as_str().unwrap_or_default().to_lowercase(),
                p["id"].as_i64(),
            )
        });
        list
    }

    fn is_remote_participant(&self, user_id: i64) -> bool {
        self.remote
            .values()
            .any(|(list, _)| list.iter().any(|p| p["id"].as_i64() == Some(user_id)))
    }

    fn stats_of(&self, list: &[Value]) -> Value {
        let speakers = list.iter().filter(|p| p["role"] == "speaker").count();
        let active = list
            .iter()
            .filter(|p| p["role"] == "speaker" && p["muted"] != true && p["deafened"] != true)
            .count();
        json!({
            "total": list.len(), "speakers": speakers,
            "listeners": list.len() - speakers, "activeSpeakers": active,
            "createdAt": self.created_at, "updatedAt": self.updated_at,
        })
    }

    fn stats(&self) -> Value {
        self.stats_of(&self.sorted())
    }

    fn local_list(&self) -> Vec<Value> {
        self.participants.values().map(Participant::json).collect()
    }

    fn participants_frame(&mut self) -> Utf8Bytes {
        let list = self.sorted();
        let stats = self.stats_of(&list);
        self.announced = list.clone();
        frame(
            &json!({"type": "state", "event": "participants", "participants": list, "stats": stats}),
        )
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
    pub fn apply_state(&self, node: &str, room_id: i64, participants: Vec<Value>) {
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
    let has_speaker = room.sorted().iter().any(|p| p["role"] == "speaker");
    let voice_role = if settings.voice_default_role == "speaker"
        || (settings.voice_auto_promote_first_speaker && !has_speaker)
    {
        "speaker"
    } else {
        "listener"
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
        quality: Map::new(),
    };
    let user_id = me.conn.user_id;
    let me_json = me.json();
    room.participants.insert(user_id, me);
    let joined = frame(&json!({"type": "system", "event": "peer-joined", "user": me_json}));
    send_all(bus, room_id, room, &joined, Some(user_id));
    bus.publish(RemoteEvent::VoiceState {
        room_id,
        participants: room.local_list(),
    });
    let participants = room.participants_frame();
    room.send_local(&participants, Some(user_id));
    let mut out = vec![
        frame(
            &json!({"type": "system", "event": "welcome", "user": me_json, "role": room_role,
            "features": {"recording": settings.voice_recording_enabled, "qualityMonitoring": settings.voice_quality_monitoring_enabled}}),
        ),
        participants,
    ];
    if let Some(rec) = &room.recording {
        out.push(frame(rec));
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
    let left = frame(&json!({"type": "system", "event": "peer-left", "user": gone.json()}));
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
        let Ok(value) = serde_json::from_str::<Value>(text) else {
            return vec![error_frame("Invalid message format")];
        };
        let Some(obj) = value.as_object() else {
            return vec![error_frame("Message payload must be a JSON object")];
        };
        let kind = obj.get("type").and_then(Value::as_str).unwrap_or("");
        let result = match kind {
            "" => Err("Message type must be provided"),
            "ping" => return vec![frame(&json!({"type": "pong"}))],
            "offer" | "answer" | "candidate" | "bye" => self.relay(relay_body(kind, obj)),
            "signal" => {
                let body = match obj.get("signal") {
                    Some(Value::Object(inner)) => inner.clone(),
                    _ => obj
                        .iter()
                        .filter(|(k, _)| *k != "type")
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect(),
                };
                let mut body = body;
                if let Some(t) = obj.get("target").filter(|_| !body.contains_key("target")) {
                    body.insert("target".into(), t.clone());
                }
                self.relay(body)
            }
            "state" => self.change_state(obj),
            _ => Err("Unsupported payload type"),
        };
        match result {
            Ok(()) => Vec::new(),
            Err(detail) => vec![error_frame(detail)],
        }
    }
}

fn relay_body(kind: &str, obj: &Map<String, Value>) -> Map<String, Value> {
    let mut body: Map<String, Value> = obj
        .iter()
        .filter(|(k, _)| *k != "type")
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    body.insert("kind".into(), Value::from(kind));
    let track = obj
        .get("track")
        .and_then(Value::as_str)
        .map(|t| t.trim().to_lowercase())
        .filter(|t| !t.is_empty());
    body.insert(
        "track".into(),
        Value::from(track.unwrap_or_else(|| "audio".into())),
    );
    body
}

fn target_of(obj: &Map<String, Value>) -> Result<Option<i64>, &'static str> {
    match obj.get("target").or_else(|| obj.get("target_id")) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n
            .as_i64()
            .map(Some)
            .ok_or("target must be a valid identifier"),
        Some(Value::String(s)) => s
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| "target must be a valid identifier"),
        Some(_) => Err("target must be a valid identifier"),
    }
}

impl SignalHandler {
    fn relay(&self, body: Map<String, Value>) -> Result<(), &'static str> {
        let target = target_of(&body)?;
        let bus = self.state.hub.bus();
        let rooms = self.state.hub.voice.lock();
        let room = rooms.get(&self.room_id).ok_or("Participant not found")?;
        let me = room
            .participants
            .get(&self.user_id)
            .ok_or("Participant not found")?;
        let bytes = frame(&json!({"type": "signal", "signal": body, "from": me.json()}));
        match target {
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

    fn change_state(&self, obj: &Map<String, Value>) -> Result<(), &'static str> {
        let event = obj.get("event").and_then(Value::as_str).unwrap_or("");
        if event.is_empty() {
            return Err("State event must be provided");
        }
        let target = target_of(obj)?.unwrap_or(self.user_id);
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
            .filter(|p| p["role"] == "speaker")
            .count();
        let before = room.participants.get(&target).map(Participant::json);
        let toggle =
            |key: &str, current: bool| obj.get(key).and_then(Value::as_bool).unwrap_or(!current);
        match event {
            "set-role" => {
                let role = obj
                    .get("role")
                    .and_then(Value::as_str)
                    .map(str::to_lowercase);
                let role: &'static str = match role.as_deref() {
                    Some("speaker") => "speaker",
                    Some("listener") => "listener",
                    _ => return Err("Unsupported role"),
                };
                if !is_self && !me.is_moderator() {
                    return Err("Insufficient permissions to change the role");
                }
                if is_self && role == "speaker" && me.room_role == "guest" {
                    return Err("Guests cannot promote themselves to speaker");
                }
                let p = room
                    .participants
                    .get_mut(&target)
                    .ok_or("Participant not found")?;
                if role == "speaker" && p.voice_role != "speaker" && speakers >= max_speakers {
                    return Err("Maximum number of speakers reached");
                }
                p.voice_role = role;
                if role == "listener" {
                    p.stage_override = None;
                }
            }
            "set-muted" | "set-deafened" | "media" => {
                if !is_self && !me.is_moderator() {
                    return Err("Insufficient permissions to change another participant");
                }
                let p = room
                    .participants
                    .get_mut(&target)
                    .ok_or("Participant not found")?;
                match event {
                    "set-muted" => p.muted = toggle("muted", p.muted),
                    "set-deafened" => p.deafened = toggle("deafened", p.deafened),
                    _ => p.video = toggle("videoEnabled", p.video),
                }
            }
            "stage" => {
                let action = obj.get("action").and_then(Value::as_str).unwrap_or("");
                if !is_self && !me.is_moderator() {
                    return Err("Insufficient permissions to change another participant");
                }
                let p = room
                    .participants
                    .get_mut(&target)
                    .ok_or("Participant not found")?;
                match action {
                    "status" | "set-status" => {
                        let status = obj
                            .get("status")
                            .or_else(|| obj.get("stageStatus"))
                            .and_then(Value::as_str)
                            .ok_or("Stage status must be provided")?;
                        if ![
                            "listener",
                            "invited",
                            "requesting",
                            "backstage",
                            "live",
                            "muted",
                        ]
                        .contains(&status)
                        {
                            return Err("Invalid stage status");
                        }
                        if p.voice_role != "speaker" {
                            return Err("Participant is not on stage");
                        }
                        p.stage_override = Some(status.to_owned());
                    }
                    "hand" | "raise-hand" => {
                        p.hand_raised = obj
                            .get("raised")
                            .or_else(|| obj.get("value"))
                            .is_some_and(truthy);
                    }
                    _ => return Err("Unsupported stage action"),
                }
            }
            "quality-report" => {
                let Some(Value::Object(metrics)) = obj.get("metrics") else {
                    return Err("Quality metrics payload is invalid");
                };
                let mut metrics = metrics.clone();
                let track = metrics
                    .remove("track")
                    .and_then(|t| t.as_str().map(str::to_lowercase))
                    .unwrap_or_else(|| "audio".into());
                let p = room
                    .participants
                    .get_mut(&self.user_id)
                    .ok_or("Participant not found")?;
                p.quality
                    .insert(track.clone(), Value::Object(metrics.clone()));
                let update = frame(
                    &json!({"type": "state", "event": "quality-update", "userId": self.user_id, "track": track, "metrics": metrics}),
                );
                send_all(bus, self.room_id, room, &update, None);
                return Ok(());
            }
            "recording" => {
                if !recording_enabled {
                    return Err("Recording is not available on this server");
                }
                if !me.is_moderator() {
                    return Err("Insufficient permissions to control recording");
                }
                let rec = json!({"type": "state", "event": "recording", "active": obj.get("active").is_some_and(truthy),
                    "timestamp": now(), "by": me.json()});
                send_all(bus, self.room_id, room, &frame(&rec), None);
                room.recording = Some(rec);
                return Ok(());
            }
            _ => return Err("Unsupported state event"),
        }
        let after = room.participants.get(&target).map(Participant::json);
        if before != after {
            room.updated_at = now();
            let updated = frame(
                &json!({"type": "state", "event": "participant-updated", "participant": after, "stats": room.stats()}),
            );
            send_all(bus, self.room_id, room, &updated, None);
            publish_state(bus, self.room_id, room);
        }
        Ok(())
    }
}

fn truthy(v: &Value) -> bool {
    match v {
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
        Value::Null => false,
    }
}

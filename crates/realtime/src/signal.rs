//! `/ws/signal/{room_slug}`: voice participants of a room and WebRTC signalling between them.
//! Offers, answers and candidates with a `target` reach that participant only (decision 13),
//! on whichever node it is connected; changing someone else's state needs admin or owner, and
//! guests cannot self-promote. Each node owns its own participants and tells the others who
//! they are; every list a client sees is the merge of all nodes.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use crate::ws::{Utf8Bytes, WsUpgrade, send_text};
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use charge_domain::frame;
use charge_domain::moderation::gate;
use charge_protocol::frames::signal::{
    self as wire, Recording, Relay, StageAction, StateChange, StateEvent, StateUpdate, SystemEvent,
    VoiceFeatures, VoiceRole,
};
use charge_protocol::frames::{SignalClientFrame, SignalServerFrame};

use crate::bus::RemoteEvent;
use crate::conn::Conn;
use crate::frames::{error_frame, pong};
use crate::session::{self, Handler, Place, PumpOptions, Recheck, Reply};
use crate::state::AppState;
use crate::voice::{Participant, VoiceRoom, now, publish_state, send_all};
use crate::voice_access;
use charge_domain::permissions::Perms;
use tracing::Instrument;

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
        let channel = query.get("channel").and_then(|c| c.parse().ok());
        // The request's headers and query are not needed for the session's lifetime.
        drop((query, headers));
        let perms = match voice_access::admission(&state, room.id, caller.user.id, channel).await {
            Ok(perms) => perms,
            Err((code, reason)) => return session::close(&mut socket, code, reason).await,
        };
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
            channel,
            perms,
        };
        let options = PumpOptions {
            idle_timeout: Some(state.settings.websocket_receive_timeout),
            expires_at: caller.expires_at,
            scope: "voice",
            user_id: user.id,
        };
        let span = session::span("voice", conn.id, user.id, Place::Room(&room.slug));
        session::pump(&state, &mut socket, &mut outbox, &mut handler, options)
            .instrument(span)
            .await;
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
    /// The voice channel joined, when the client named one.
    channel: Option<i64>,
    perms: Perms,
}

impl Handler for SignalHandler {
    async fn on_text(&mut self, text: &str) -> Reply {
        self.respond(text).await.into()
    }

    /// A participant no voice channel lets connect any more is told so and closed.
    async fn on_recheck(&mut self) -> Recheck {
        match voice_access::admission(&self.state, self.room_id, self.user_id, self.channel).await {
            Ok(perms) => {
                self.perms = perms;
                Recheck::Keep(Vec::new())
            }
            Err((code, reason)) if code == session::CLOSE_POLICY => {
                Recheck::Close(vec![error_frame(reason)], code, reason)
            }
            Err(_) => Recheck::Keep(Vec::new()),
        }
    }
}

impl SignalHandler {
    async fn respond(&mut self, text: &str) -> Vec<Utf8Bytes> {
        let result = match wire::parse(text) {
            Err(e) => Err(wire::error_detail(&e)),
            Ok(SignalClientFrame::Ping) => return vec![pong()],
            Ok(
                SignalClientFrame::Offer(relay)
                | SignalClientFrame::Answer(relay)
                | SignalClientFrame::Candidate(relay)
                | SignalClientFrame::Bye(relay)
                | SignalClientFrame::Signal { signal: relay },
            ) => self.relay(&relay),
            Ok(SignalClientFrame::State(change)) => {
                if self.wants_to_speak(&change)
                    && let Some(detail) = self.speaking_refused().await
                {
                    return vec![error_frame(&detail)];
                }
                self.change_state(change)
            }
        };
        match result {
            Ok(()) => Vec::new(),
            Err(detail) => vec![error_frame(detail)],
        }
    }

    /// Unmuting oneself or stepping up to speak: what a timeout forbids (decision 25).
    fn wants_to_speak(&self, change: &StateChange) -> bool {
        if change.target.is_some_and(|t| t != self.user_id) {
            return false;
        }
        matches!(
            change.event,
            Ok(StateEvent::SetMuted {
                muted: Some(false) | None
            }) | Ok(StateEvent::SetRole {
                role: Ok(VoiceRole::Speaker)
            })
        )
    }

    /// Why the caller may not speak now, if they may not.
    async fn speaking_refused(&self) -> Option<String> {
        match gate::admit_speaking(&self.state, self.room_id, self.user_id).await {
            Ok(Ok(())) => None,
            Ok(Err(refusal)) => Some(refusal.detail()),
            Err(e) => {
                tracing::warn!(
                    error = &e as &dyn std::error::Error,
                    "posting gate unavailable"
                );
                Some("Voice state is unavailable, try again".to_owned())
            }
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
        if let Ok(event) = &change.event {
            let muted_now = room.participants.get(&target).is_some_and(|p| p.muted);
            if let Some(missing) =
                voice_access::refusal(self.perms, is_self, me.is_moderator(), muted_now, event)
            {
                return Err(missing);
            }
        }
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

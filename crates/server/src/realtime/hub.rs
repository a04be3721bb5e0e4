//! The hub: who is connected where, channel presence and typing, and fan-out.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use axum::extract::ws::Utf8Bytes;
use serde::{Deserialize, Serialize};

use super::bus::{Bus, RemoteEvent};
use serde_json::{Value, json};
use tokio::sync::{Notify, mpsc, watch};

/// Frames waiting for one connection; past this the connection is closed as too slow.
pub const OUTBOUND_QUEUE: usize = 512;

/// How often changed online lists are sent (presence broadcasts are coalesced).
pub const PRESENCE_FLUSH: Duration = Duration::from_millis(100);

/// A registered connection: its queue and the switch that closes it when it falls behind.
#[derive(Clone, Debug)]
pub struct Conn {
    pub id: u64,
    pub user_id: i64,
    /// Wants `presence_delta` frames instead of full `presence` lists after the first.
    pub presence_delta: bool,
    tx: mpsc::Sender<Utf8Bytes>,
    kick: Arc<Kick>,
}

/// Asks a session to close with a code and reason (first request wins).
#[derive(Debug, Default)]
pub struct Kick {
    pub notify: Notify,
    pub reason: std::sync::OnceLock<(u16, &'static str)>,
}

impl Kick {
    pub fn request(&self, code: u16, reason: &'static str) {
        let _ = self.reason.set((code, reason));
        self.notify.notify_one();
    }
}

impl Conn {
    /// Queues a frame; a full queue marks the connection too slow. Never waits.
    pub fn push(&self, frame: &Utf8Bytes) -> bool {
        match self.tx.try_send(frame.clone()) {
            Ok(()) => true,
            Err(mpsc::error::TrySendError::Full(_)) => {
                self.kick.request(1008, "Too slow");
                false
            }
            Err(mpsc::error::TrySendError::Closed(_)) => false,
        }
    }

    /// Closes this connection's session with `code` and `reason`.
    pub fn kick(&self, code: u16, reason: &'static str) {
        self.kick.request(code, reason);
    }
}

/// The receiving half a session drains.
pub struct Outbox {
    pub rx: mpsc::Receiver<Utf8Bytes>,
    pub kick: Arc<Kick>,
}

/// Someone in a channel's online list.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct OnlineUser {
    pub id: i64,
    pub display_name: String,
    pub status: String,
    pub avatar_url: Option<String>,
}

/// Someone typing, as another node reports it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct TypingUser {
    pub id: i64,
    pub display_name: String,
    /// Seconds left when the report was sent.
    pub expires_in: f64,
}

/// What another node last said about a channel.
struct RemoteChannel {
    online: Vec<OnlineUser>,
    typing: Vec<(i64, String, Instant)>,
    seen: Instant,
}

#[derive(Default)]
struct TextChannel {
    conns: HashMap<u64, Conn>,
    /// Per user on this node: how many sockets, and what the online list shows.
    online: HashMap<i64, (usize, OnlineUser)>,
    /// Per user on this node: name shown and when the entry lapses.
    typing: HashMap<i64, (String, Instant)>,
    /// Other nodes' users in this channel, by node id.
    remote: HashMap<String, RemoteChannel>,
    /// The lists last sent to this node's sockets, to send only changes.
    announced_online: Vec<OnlineUser>,
    /// The online list may have changed since it was last sent (flushed on a short timer).
    presence_dirty: bool,
    announced_typing: Vec<(i64, String)>,
}

impl TextChannel {
    /// Online users of every node, each user once, in display order.
    fn merged_online(&self) -> Vec<OnlineUser> {
        let mut by_id: HashMap<i64, OnlineUser> = HashMap::new();
        for remote in self.remote.values() {
            for u in &remote.online {
                by_id.insert(u.id, u.clone());
            }
        }
        for (_, u) in self.online.values() {
            by_id.insert(u.id, u.clone());
        }
        let mut list: Vec<OnlineUser> = by_id.into_values().collect();
        list.sort_by_cached_key(|u| (u.display_name.to_lowercase(), u.id));
        list
    }

    fn merged_typing(&self, now: Instant) -> Vec<(i64, String)> {
        let mut by_id: HashMap<i64, String> = HashMap::new();
        for remote in self.remote.values() {
            for (id, name, until) in &remote.typing {
                if *until > now {
                    by_id.insert(*id, name.clone());
                }
            }
        }
        for (id, (name, until)) in &self.typing {
            if *until > now {
                by_id.insert(*id, name.clone());
            }
        }
        let mut list: Vec<(i64, String)> = by_id.into_iter().collect();
        list.sort_by_cached_key(|(id, name)| (name.to_lowercase(), *id));
        list
    }

    fn local_state(&self, now: Instant) -> (Vec<OnlineUser>, Vec<TypingUser>) {
        let online = self.online.values().map(|(_, u)| u.clone()).collect();
        let typing = self
            .typing
            .iter()
            .filter(|(_, (_, until))| *until > now)
            .map(|(id, (name, until))| TypingUser {
                id: *id,
                display_name: name.clone(),
                expires_in: until.saturating_duration_since(now).as_secs_f64(),
            })
            .collect();
        (online, typing)
    }
}

#[derive(Default)]
struct Workspace {
    /// Connection and whether it may see invitation codes.
    conns: HashMap<u64, (Conn, bool)>,
}

#[derive(Default)]
struct State {
    channels: HashMap<i64, TextChannel>,
    rooms: HashMap<i64, Workspace>,
}

pub struct Hub {
    state: Mutex<State>,
    next_id: AtomicU64,
    typing_ttl: Duration,
    node_ttl: Duration,
    shutdown: watch::Sender<bool>,
    live: std::sync::atomic::AtomicUsize,
    idle: Notify,
    bus: Bus,
    pub voice: super::signal::VoiceRooms,
}

/// Serialises a frame once for every recipient.
pub fn frame(value: &impl Serialize) -> Utf8Bytes {
    Utf8Bytes::from(serde_json::to_string(value).unwrap_or_else(|_| "{}".to_owned()))
}

impl Hub {
    /// A hub publishing through `bus`; other nodes' state lapses after `node_ttl` without news.
    pub fn new(typing_ttl: Duration, bus: Bus, node_ttl: Duration) -> Arc<Self> {
        Arc::new(Self {
            state: Mutex::new(State::default()),
            next_id: AtomicU64::new(1),
            typing_ttl,
            node_ttl,
            shutdown: watch::channel(false).0,
            live: std::sync::atomic::AtomicUsize::new(0),
            idle: Notify::new(),
            bus,
            voice: super::signal::VoiceRooms::default(),
        })
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub fn bus(&self) -> &Bus {
        &self.bus
    }

    pub fn node_ttl(&self) -> Duration {
        self.node_ttl
    }

    /// A new connection for `user_id` with its bounded queue.
    pub fn connection(&self, user_id: i64) -> (Conn, Outbox) {
        let (tx, rx) = mpsc::channel(OUTBOUND_QUEUE);
        let kick = Arc::new(Kick::default());
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        (
            Conn {
                id,
                user_id,
                presence_delta: false,
                tx,
                kick: kick.clone(),
            },
            Outbox { rx, kick },
        )
    }

    /// Resolves once shutdown has begun.
    pub fn shutdown_signal(&self) -> watch::Receiver<bool> {
        self.shutdown.subscribe()
    }

    pub fn begin_shutdown(&self) {
        self.bus.publish(RemoteEvent::NodeLeft);
        self.shutdown.send_replace(true);
    }

    // ---- text channels -------------------------------------------------------------------

    /// Joins a text channel and returns the (all-node) online list the joiner is shown. The
    /// others are told only when the list changed.
    pub fn join_text(&self, channel_id: i64, conn: Conn, me: OnlineUser) -> Vec<OnlineUser> {
        let mut state = self.lock();
        let channel = state.channels.entry(channel_id).or_default();
        channel.conns.insert(conn.id, conn);
        let entry = channel
            .online
            .entry(me.id)
            .or_insert_with(|| (0, me.clone()));
        entry.0 += 1;
        if entry.0 == 1 {
            self.publish_channel(channel_id, channel);
        }
        // The others learn of the change with the next presence flush.
        channel.presence_dirty = true;
        channel.merged_online()
    }

    /// Leaves a text channel: with the user's last socket here, their presence and typing go.
    pub fn leave_text(&self, channel_id: i64, conn_id: u64, user_id: i64) {
        let mut state = self.lock();
        let Some(channel) = state.channels.get_mut(&channel_id) else {
            return;
        };
        channel.conns.remove(&conn_id);
        let last = match channel.online.get_mut(&user_id) {
            Some(entry) => {
                entry.0 -= 1;
                entry.0 == 0
            }
            None => false,
        };
        if last {
            channel.online.remove(&user_id);
            channel.typing.remove(&user_id);
            self.publish_channel(channel_id, channel);
            self.announce(channel_id, channel, None);
        }
        if channel.conns.is_empty() && channel.remote.is_empty() {
            state.channels.remove(&channel_id);
        }
    }

    /// Sends `bytes` to every socket of a text channel, on every node.
    pub fn to_channel(&self, channel_id: i64, bytes: &Utf8Bytes) -> usize {
        self.bus.publish(RemoteEvent::ChannelFrame {
            channel_id,
            frame: bytes.as_str().to_owned(),
        });
        self.to_local_channel(channel_id, bytes)
    }

    fn to_local_channel(&self, channel_id: i64, bytes: &Utf8Bytes) -> usize {
        let state = self.lock();
        state
            .channels
            .get(&channel_id)
            .map_or(0, |c| broadcast(c.conns.values(), bytes))
    }

    /// The typing frame for a channel if anyone is typing.
    pub fn typing_snapshot(&self, channel_id: i64) -> Option<Value> {
        let state = self.lock();
        let channel = state.channels.get(&channel_id)?;
        let typing = channel.merged_typing(Instant::now());
        (!typing.is_empty()).then(|| typing_frame(channel_id, &typing, self.typing_ttl))
    }

    /// Sets or clears a user's typing entry; tells the others when the list changed.
    pub fn set_typing(
        &self,
        channel_id: i64,
        conn_id: u64,
        user_id: i64,
        name: &str,
        typing: bool,
    ) {
        let mut state = self.lock();
        let Some(channel) = state.channels.get_mut(&channel_id) else {
            return;
        };
        let changed = if typing {
            channel
                .typing
                .insert(user_id, (name.to_owned(), Instant::now() + self.typing_ttl))
                .is_none()
        } else {
            channel.typing.remove(&user_id).is_some()
        };
        if changed {
            self.publish_channel(channel_id, channel);
            self.announce(channel_id, channel, Some(conn_id));
        }
    }

    /// Timer work: lapsed typing entries and silent nodes are dropped, and the shorter lists
    /// are broadcast.
    pub fn expire(&self) {
        let now = Instant::now();
        let ttl = self.node_ttl;
        let mut state = self.lock();
        let mut empty = Vec::new();
        for (channel_id, channel) in &mut state.channels {
            let before = channel.typing.len();
            channel.typing.retain(|_, (_, until)| *until > now);
            if channel.typing.len() != before {
                self.publish_channel(*channel_id, channel);
            }
            channel
                .remote
                .retain(|_, r| now.duration_since(r.seen) < ttl);
            self.announce(*channel_id, channel, None);
            if channel.conns.is_empty() && channel.remote.is_empty() {
                empty.push(*channel_id);
            }
        }
        for id in empty {
            state.channels.remove(&id);
        }
        drop(state);
        self.voice.expire(self, now);
    }

    /// Re-sends this node's state of every channel so other nodes keep it alive.
    pub fn heartbeat(&self) {
        if !self.bus.is_distributed() {
            return;
        }
        let state = self.lock();
        for (channel_id, channel) in &state.channels {
            if !channel.online.is_empty() || !channel.typing.is_empty() {
                self.publish_channel(*channel_id, channel);
            }
        }
        drop(state);
        self.voice.heartbeat(self);
    }

    fn publish_channel(&self, channel_id: i64, channel: &TextChannel) {
        if self.bus.is_distributed() {
            let (online, typing) = channel.local_state(Instant::now());
            self.bus.publish(RemoteEvent::ChannelState {
                channel_id,
                online,
                typing,
            });
        }
    }

    /// Sends the typing and presence lists to this node's sockets where they changed.
    fn announce(&self, channel_id: i64, channel: &mut TextChannel, except: Option<u64>) {
        let typing = channel.merged_typing(Instant::now());
        if typing != channel.announced_typing {
            let bytes = frame(&typing_frame(channel_id, &typing, self.typing_ttl));
            broadcast(
                channel
                    .conns
                    .iter()
                    .filter(|(id, _)| Some(**id) != except)
                    .map(|(_, c)| c),
                &bytes,
            );
            channel.announced_typing = typing;
        }
        channel.presence_dirty = true;
    }

    /// Sends changed online lists: a join storm of N users costs about one list per channel
    /// per flush interval instead of N lists to N sockets. Clients that asked for deltas get
    /// `presence_delta` frames with only who joined, changed or left.
    pub fn flush_presence(&self) {
        let mut state = self.lock();
        for (channel_id, channel) in &mut state.channels {
            if !channel.presence_dirty {
                continue;
            }
            channel.presence_dirty = false;
            let online = channel.merged_online();
            if online == channel.announced_online {
                continue;
            }
            let full = frame(&presence_frame(*channel_id, &online));
            let delta = channel.conns.values().any(|c| c.presence_delta).then(|| {
                let joined: Vec<&OnlineUser> =
                    online.iter().filter(|u| !channel.announced_online.contains(u)).collect();
                let left: Vec<i64> = channel
                    .announced_online
                    .iter()
                    .filter(|u| !online.iter().any(|o| o.id == u.id))
                    .map(|u| u.id)
                    .collect();
                frame(&json!({"type": "presence_delta", "channel_id": channel_id, "joined": joined, "left": left}))
            });
            broadcast(channel.conns.values().filter(|c| !c.presence_delta), &full);
            if let Some(delta) = &delta {
                broadcast(channel.conns.values().filter(|c| c.presence_delta), delta);
            }
            channel.announced_online = online;
        }
    }

    // ---- events from other nodes ---------------------------------------------------------

    /// Applies an event another node published.
    pub fn apply_remote(&self, node: &str, event: RemoteEvent) {
        match event {
            RemoteEvent::ChannelFrame { channel_id, frame } => {
                self.to_local_channel(channel_id, &Utf8Bytes::from(frame));
            }
            RemoteEvent::RoomFrame {
                room_id,
                admins_only,
                frame,
            } => {
                self.to_local_room(room_id, &Utf8Bytes::from(frame), admins_only);
            }
            RemoteEvent::ChannelState {
                channel_id,
                online,
                typing,
            } => {
                let now = Instant::now();
                let mut state = self.lock();
                let channel = state.channels.entry(channel_id).or_default();
                let typing = typing
                    .into_iter()
                    .map(|t| {
                        (
                            t.id,
                            t.display_name,
                            now + Duration::from_secs_f64(t.expires_in.clamp(0.0, 3600.0)),
                        )
                    })
                    .collect();
                channel.remote.insert(
                    node.to_owned(),
                    RemoteChannel {
                        online,
                        typing,
                        seen: now,
                    },
                );
                self.announce(channel_id, channel, None);
            }
            RemoteEvent::VoiceState {
                room_id,
                participants,
            } => self.voice.apply_state(node, room_id, participants),
            RemoteEvent::VoiceFrame {
                room_id,
                target,
                except,
                frame,
            } => {
                self.voice
                    .deliver_local(room_id, target, except, &Utf8Bytes::from(frame));
            }
            RemoteEvent::NodeLeft => {
                let mut state = self.lock();
                for (channel_id, channel) in &mut state.channels {
                    if channel.remote.remove(node).is_some() {
                        self.announce(*channel_id, channel, None);
                    }
                }
                drop(state);
                self.voice.forget_node(node);
            }
        }
    }

    // ---- workspace (room structure) ------------------------------------------------------

    pub fn join_room(&self, room_id: i64, conn: Conn, sees_invitations: bool) {
        self.lock()
            .rooms
            .entry(room_id)
            .or_default()
            .conns
            .insert(conn.id, (conn, sees_invitations));
    }

    pub fn leave_room(&self, room_id: i64, conn_id: u64) {
        let mut state = self.lock();
        if let Some(ws) = state.rooms.get_mut(&room_id) {
            ws.conns.remove(&conn_id);
            if ws.conns.is_empty() {
                state.rooms.remove(&room_id);
            }
        }
    }

    /// Sends a workspace event on every node; `admins_only` events (invitation codes) skip
    /// plain members.
    pub fn to_room(&self, room_id: i64, event: &Value, admins_only: bool) {
        let bytes = frame(event);
        self.bus.publish(RemoteEvent::RoomFrame {
            room_id,
            admins_only,
            frame: bytes.as_str().to_owned(),
        });
        self.to_local_room(room_id, &bytes, admins_only);
    }

    fn to_local_room(&self, room_id: i64, bytes: &Utf8Bytes, admins_only: bool) {
        let state = self.lock();
        if let Some(ws) = state.rooms.get(&room_id) {
            broadcast(
                ws.conns
                    .values()
                    .filter(|(_, admin)| !admins_only || *admin)
                    .map(|(c, _)| c),
                bytes,
            );
        }
    }
}

pub fn broadcast<'a>(conns: impl Iterator<Item = &'a Conn>, bytes: &Utf8Bytes) -> usize {
    let mut sent = 0;
    for conn in conns {
        if conn.push(bytes) {
            sent += 1;
        }
    }
    metrics::counter!("realtime_events_total", "topic" => "fanout", "direction" => "out")
        .increment(sent as u64);
    sent
}

pub fn presence_frame(channel_id: i64, online: &[OnlineUser]) -> Value {
    json!({"type": "presence", "channel_id": channel_id, "online": online})
}

fn typing_frame(channel_id: i64, typing: &[(i64, String)], ttl: Duration) -> Value {
    let users: Vec<Value> = typing
        .iter()
        .map(|(id, name)| json!({"id": id, "display_name": name}))
        .collect();
    json!({"type": "typing", "channel_id": channel_id, "users": users, "expires_in": ttl.as_secs_f64()})
}

impl Hub {
    pub fn session_started(&self) {
        self.live.fetch_add(1, Ordering::SeqCst);
    }

    pub fn session_ended(&self) {
        self.live.fetch_sub(1, Ordering::SeqCst);
        self.idle.notify_waiters();
    }

    /// Waits (bounded) until every session has sent its close frame and ended.
    pub async fn wait_sessions_closed(&self, limit: Duration) {
        let deadline = tokio::time::Instant::now() + limit;
        while self.live.load(Ordering::SeqCst) > 0 {
            let notified = self.idle.notified();
            if self.live.load(Ordering::SeqCst) == 0 {
                break;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                break;
            }
        }
    }
}

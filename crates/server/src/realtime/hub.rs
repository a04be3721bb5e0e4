//! The hub: who is connected where, channel presence and typing, and fan-out.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use axum::extract::ws::Utf8Bytes;
use serde::Serialize;
use serde_json::{Value, json};
use tokio::sync::{Notify, mpsc, watch};

/// Frames waiting for one connection; past this the connection is closed as too slow.
pub const OUTBOUND_QUEUE: usize = 512;

/// A registered connection: its queue and the switch that closes it when it falls behind.
#[derive(Clone, Debug)]
pub struct Conn {
    pub id: u64,
    pub user_id: i64,
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
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct OnlineUser {
    pub id: i64,
    pub display_name: String,
    pub status: String,
    pub avatar_url: Option<String>,
}

#[derive(Default)]
struct TextChannel {
    conns: HashMap<u64, Conn>,
    /// Per user: how many sockets, and what the online list shows.
    online: HashMap<i64, (usize, OnlineUser)>,
    /// Per user: name shown and when the entry lapses.
    typing: HashMap<i64, (String, Instant)>,
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
    shutdown: watch::Sender<bool>,
    live: std::sync::atomic::AtomicUsize,
    idle: Notify,
    pub voice: super::signal::VoiceRooms,
}

/// Serialises a frame once for every recipient.
pub fn frame(value: &impl Serialize) -> Utf8Bytes {
    Utf8Bytes::from(serde_json::to_string(value).unwrap_or_else(|_| "{}".to_owned()))
}

impl Hub {
    pub fn new(typing_ttl: Duration) -> Arc<Self> {
        Arc::new(Self {
            state: Mutex::new(State::default()),
            next_id: AtomicU64::new(1),
            typing_ttl,
            shutdown: watch::channel(false).0,
            live: std::sync::atomic::AtomicUsize::new(0),
            idle: Notify::new(),
            voice: super::signal::VoiceRooms::default(),
        })
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub fn typing_ttl(&self) -> Duration {
        self.typing_ttl
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
        self.shutdown.send_replace(true);
    }

    // ---- text channels -------------------------------------------------------------------

    /// Joins a text channel. Returns the online list after joining, and whether the user was
    /// new to it (then the others are told).
    pub fn join_text(
        &self,
        channel_id: i64,
        conn: Conn,
        me: OnlineUser,
    ) -> (Vec<OnlineUser>, bool) {
        let mut state = self.lock();
        let channel = state.channels.entry(channel_id).or_default();
        let conn_id = conn.id;
        channel.conns.insert(conn.id, conn);
        let entry = channel
            .online
            .entry(me.id)
            .or_insert_with(|| (0, me.clone()));
        entry.0 += 1;
        let is_new = entry.0 == 1;
        let online = online_list(channel);
        if is_new {
            let bytes = frame(&presence_frame(channel_id, &online));
            broadcast(
                channel
                    .conns
                    .iter()
                    .filter(|(id, _)| **id != conn_id)
                    .map(|(_, c)| c),
                &bytes,
            );
        }
        (online, is_new)
    }

    /// Leaves a text channel: clears typing and, with the user's last socket, their presence.
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
            if channel.typing.remove(&user_id).is_some() {
                let bytes = frame(&typing_frame(channel_id, &channel.typing, self.typing_ttl));
                broadcast(channel.conns.values(), &bytes);
            }
            let bytes = frame(&presence_frame(channel_id, &online_list(channel)));
            broadcast(channel.conns.values(), &bytes);
        }
        if channel.conns.is_empty() {
            state.channels.remove(&channel_id);
        }
    }

    /// Sends `bytes` to every socket of a text channel.
    pub fn to_channel(&self, channel_id: i64, bytes: &Utf8Bytes) -> usize {
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
        let now = Instant::now();
        let live: HashMap<i64, (String, Instant)> = channel
            .typing
            .iter()
            .filter(|(_, (_, at))| *at > now)
            .map(|(k, v)| (*k, v.clone()))
            .collect();
        (!live.is_empty()).then(|| typing_frame(channel_id, &live, self.typing_ttl))
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
            let bytes = frame(&typing_frame(channel_id, &channel.typing, self.typing_ttl));
            broadcast(
                channel
                    .conns
                    .iter()
                    .filter(|(id, _)| **id != conn_id)
                    .map(|(_, c)| c),
                &bytes,
            );
        }
    }

    /// Drops lapsed typing entries and broadcasts the shorter lists (run on a timer).
    pub fn expire_typing(&self) {
        let now = Instant::now();
        let mut state = self.lock();
        for (channel_id, channel) in &mut state.channels {
            let before = channel.typing.len();
            channel.typing.retain(|_, (_, until)| *until > now);
            if channel.typing.len() != before {
                let bytes = frame(&typing_frame(*channel_id, &channel.typing, self.typing_ttl));
                broadcast(channel.conns.values(), &bytes);
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

    /// Sends a workspace event; `admins_only` events (invitation codes) skip plain members.
    pub fn to_room(&self, room_id: i64, event: &Value, admins_only: bool) {
        let bytes = frame(event);
        let state = self.lock();
        if let Some(ws) = state.rooms.get(&room_id) {
            broadcast(
                ws.conns
                    .values()
                    .filter(|(_, admin)| !admins_only || *admin)
                    .map(|(c, _)| c),
                &bytes,
            );
        }
    }
}

fn broadcast<'a>(conns: impl Iterator<Item = &'a Conn>, bytes: &Utf8Bytes) -> usize {
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

fn online_list(channel: &TextChannel) -> Vec<OnlineUser> {
    let mut list: Vec<OnlineUser> = channel.online.values().map(|(_, u)| u.clone()).collect();
    list.sort_by_cached_key(|u| (u.display_name.to_lowercase(), u.id));
    list
}

pub fn presence_frame(channel_id: i64, online: &[OnlineUser]) -> Value {
    json!({"type": "presence", "channel_id": channel_id, "online": online})
}

fn typing_frame(channel_id: i64, typing: &HashMap<i64, (String, Instant)>, ttl: Duration) -> Value {
    let mut users: Vec<(i64, &String)> = typing.iter().map(|(id, (name, _))| (*id, name)).collect();
    users.sort_by_key(|(id, name)| (name.to_lowercase(), *id));
    let users: Vec<Value> = users
        .into_iter()
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

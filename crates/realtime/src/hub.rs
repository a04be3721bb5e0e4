//! The hub: who is connected where, channel presence and typing, and fan-out.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use super::ws::Utf8Bytes;
use serde::{Deserialize, Serialize};

use super::bus::{Bus, RemoteEvent};
use charge_protocol::frames::TextServerFrame;
use charge_protocol::frames::text::Typist;
use std::borrow::Cow;
use tokio::sync::{Notify, watch};

/// Frames waiting for one connection (a batch counts each of its frames); past this the
/// connection is closed as too slow.
pub const OUTBOUND_QUEUE: usize = 512;

/// How often changed online lists are sent (presence broadcasts are coalesced).
pub const PRESENCE_FLUSH: Duration = Duration::from_millis(100);

/// Most frames a busy channel holds back before sending them together.
pub const MAX_BATCH_FRAMES: usize = 64;

/// Channels with fewer sockets here never hold frames back: a frame costs one write per
/// recipient, so small channels gain little from batching and would only add latency (a
/// sender waiting for its own echo would wait for the window too).
pub const COALESCE_MIN_SOCKETS: usize = 32;

/// What a connection's queue holds: one frame, or several a busy channel sent together (each
/// serialised once and shared by every recipient). A batch takes one queue slot and one write.
#[derive(Clone, Debug)]
pub enum Outgoing {
    One(Utf8Bytes),
    Batch(Arc<[Utf8Bytes]>),
}

impl Outgoing {
    pub fn frames(&self) -> usize {
        match self {
            Self::One(_) => 1,
            Self::Batch(frames) => frames.len(),
        }
    }
}

/// A registered connection: its queue and the switch that closes it when it falls behind.
#[derive(Clone, Debug)]
pub struct Conn {
    pub id: u64,
    pub user_id: i64,
    /// Wants `presence_delta` frames instead of full `presence` lists after the first.
    pub presence_delta: bool,
    kick: Arc<Kick>,
}

/// One connection's outbound queue, shared by its `Conn`s and its session's `Outbox`, and the
/// switch that asks the session to close (with a code and reason; the first request wins).
///
/// The queue is a plain deque behind a mutex: it allocates nothing while empty and gives back
/// its room after a burst, so an idle connection keeps no queue memory (a channel queue keeps
/// a block of slots per connection for its whole life). One `Notify` wakes the session for
/// both a queued item and a close request; the session looks at the state to tell which.
#[derive(Debug, Default)]
pub struct Kick {
    pub reason: std::sync::OnceLock<(u16, &'static str)>,
    /// Frames queued (a batch counts each of its frames).
    queued: std::sync::atomic::AtomicUsize,
    items: Mutex<std::collections::VecDeque<Outgoing>>,
    /// Woken when an item is queued or a close is requested (a permit is kept if the session
    /// is not waiting yet).
    ready: Notify,
    /// The session has gone: nothing more is queued.
    closed: std::sync::atomic::AtomicBool,
}

/// Past this many slots an empty queue gives its room back.
const KEEP_SLOTS: usize = 16;

impl Kick {
    pub fn request(&self, code: u16, reason: &'static str) {
        let _ = self.reason.set((code, reason));
        self.ready.notify_one();
    }

    /// `frames` left the queue (written to the socket).
    pub fn dequeued(&self, frames: usize) {
        self.queued.fetch_sub(frames, Ordering::AcqRel);
    }

    fn items(&self) -> MutexGuard<'_, std::collections::VecDeque<Outgoing>> {
        self.items.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Conn {
    /// Queues a frame; a full queue marks the connection too slow. Never waits.
    pub fn push(&self, frame: &Utf8Bytes) -> bool {
        self.enqueue(Outgoing::One(frame.clone()))
    }

    fn enqueue(&self, item: Outgoing) -> bool {
        let queue = &self.kick;
        if queue.closed.load(Ordering::Acquire) {
            return false;
        }
        let frames = item.frames();
        if queue.queued.fetch_add(frames, Ordering::AcqRel) + frames > OUTBOUND_QUEUE {
            queue.queued.fetch_sub(frames, Ordering::AcqRel);
            queue.request(1008, "Too slow");
            return false;
        }
        queue.items().push_back(item);
        queue.ready.notify_one();
        true
    }

    /// Closes this connection's session with `code` and `reason`.
    pub fn kick(&self, code: u16, reason: &'static str) {
        self.kick.request(code, reason);
    }
}

/// The receiving half a session drains.
pub struct Outbox {
    pub kick: Arc<Kick>,
}

/// What a session is woken for.
pub enum Next {
    Item(Outgoing),
    /// Close with this code and reason (a close request goes before anything still queued).
    Close(u16, &'static str),
}

impl Outbox {
    /// The next queued item or a close request, waiting for one. Cancel-safe: an item is taken
    /// only when returned.
    pub async fn recv(&self) -> Next {
        loop {
            if let Some(&(code, reason)) = self.kick.reason.get() {
                return Next::Close(code, reason);
            }
            if let Some(item) = self.try_recv() {
                return Next::Item(item);
            }
            self.kick.ready.notified().await;
        }
    }

    /// Resolves once a close is requested. Wake-ups for queued items are only hints (the queue
    /// is read again before waiting), so this may take them.
    pub async fn close_requested(&self) -> (u16, &'static str) {
        loop {
            if let Some(&request) = self.kick.reason.get() {
                return request;
            }
            self.kick.ready.notified().await;
        }
    }

    /// The next queued item, if there is one.
    pub fn try_recv(&self) -> Option<Outgoing> {
        let mut items = self.kick.items();
        let item = items.pop_front();
        if items.is_empty() && items.capacity() > KEEP_SLOTS {
            items.shrink_to(0);
        }
        item
    }
}

impl Drop for Outbox {
    fn drop(&mut self) {
        self.kick.closed.store(true, Ordering::Release);
        let dropped: usize = self.kick.items().drain(..).map(|i| i.frames()).sum();
        self.kick.dequeued(dropped);
    }
}

pub use charge_domain::OnlineUser;

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
    announced_typing: Vec<Typist>,
    /// Frames held back while the channel is busy (see [`Hub::to_channel`]).
    pending: Vec<Utf8Bytes>,
    /// A frame was sent within the current coalescing window: later ones wait for its end.
    window_open: bool,
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

    fn merged_typing(&self, now: Instant) -> Vec<Typist> {
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
        let mut list: Vec<Typist> = by_id
            .into_iter()
            .map(|(id, display_name)| Typist { id, display_name })
            .collect();
        list.sort_by_cached_key(|t| (t.display_name.to_lowercase(), t.id));
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
    /// Channels with an open coalescing window.
    windows: Vec<i64>,
}

pub struct Hub {
    state: Mutex<State>,
    next_id: AtomicU64,
    typing_ttl: Duration,
    node_ttl: Duration,
    shutdown: watch::Sender<bool>,
    /// Wakes every session at shutdown (a `Notify` waits in less memory than a `watch`).
    stopping: Notify,
    live: std::sync::atomic::AtomicUsize,
    idle: Notify,
    bus: Bus,
    /// Length of a channel's coalescing window; zero sends every frame at once.
    coalesce: Duration,
    /// Wakes the window flusher when the first window opens.
    window_opened: Notify,
    pub voice: super::signal::VoiceRooms,
    /// Every channel and room change passes through the hub, so it keeps the read caches honest.
    pub cache: Arc<ReadCache>,
}

use charge_domain::cache::ReadCache;
pub use charge_domain::frame;

impl Hub {
    /// A hub publishing through `bus`; other nodes' state lapses after `node_ttl` without news;
    /// a busy channel's frames are sent together every `coalesce`.
    pub fn new(
        typing_ttl: Duration,
        bus: Bus,
        node_ttl: Duration,
        coalesce: Duration,
        cache: Arc<ReadCache>,
    ) -> Arc<Self> {
        Arc::new(Self {
            state: Mutex::new(State::default()),
            next_id: AtomicU64::new(1),
            typing_ttl,
            node_ttl,
            shutdown: watch::channel(false).0,
            stopping: Notify::new(),
            live: std::sync::atomic::AtomicUsize::new(0),
            idle: Notify::new(),
            bus,
            coalesce,
            window_opened: Notify::new(),
            voice: super::signal::VoiceRooms::default(),
            cache,
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
        let kick = Arc::new(Kick::default());
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        (
            Conn {
                id,
                user_id,
                presence_delta: false,
                kick: kick.clone(),
            },
            Outbox { kick },
        )
    }

    /// Resolves once shutdown has begun.
    pub fn shutdown_signal(&self) -> watch::Receiver<bool> {
        self.shutdown.subscribe()
    }

    pub fn begin_shutdown(&self) {
        self.bus.publish(RemoteEvent::NodeLeft);
        self.shutdown.send_replace(true);
        self.stopping.notify_waiters();
    }

    /// Resolves at shutdown, if it was created before shutdown began; `is_stopping` tells
    /// about earlier ones.
    pub fn stopping(&self) -> tokio::sync::futures::Notified<'_> {
        self.stopping.notified()
    }

    pub fn is_stopping(&self) -> bool {
        *self.shutdown.borrow()
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

    /// A user's name, status or avatar changed: their entry in this node's online lists shows
    /// it from the next presence flush (other nodes get it with this node's channel state), and
    /// every node forgets its cached copy of the account.
    pub fn user_changed(&self, me: OnlineUser) {
        self.bus
            .publish(RemoteEvent::UserChanged { user_id: me.id });
        let mut state = self.lock();
        for (channel_id, channel) in &mut state.channels {
            let Some(entry) = channel.online.get_mut(&me.id) else {
                continue;
            };
            if entry.1 != me {
                entry.1 = me.clone();
                channel.presence_dirty = true;
                self.publish_channel(*channel_id, channel);
            }
        }
    }

    /// A change to a channel's messages that is not broadcast to its sockets (a pin): every
    /// node drops what it cached of the channel's history.
    pub fn channel_changed_silently(&self, channel_id: i64) {
        self.cache.channel_changed(channel_id);
        self.bus.publish(RemoteEvent::ChannelChanged { channel_id });
    }

    /// A frame to a quiet channel goes out at once and opens a coalescing window; frames that
    /// arrive while it is open wait and leave together when it ends, as one queue entry and one
    /// write per socket. A chat at human pace never waits; a channel receiving hundreds of
    /// messages a second costs one system call per socket per window instead of one per frame.
    fn to_local_channel(&self, channel_id: i64, bytes: &Utf8Bytes) -> usize {
        // Whatever is broadcast to a channel may have changed its history.
        self.cache.channel_changed(channel_id);
        let mut guard = self.lock();
        let state = &mut *guard;
        let Some(channel) = state.channels.get_mut(&channel_id) else {
            return 0;
        };
        if channel.window_open {
            channel.pending.push(bytes.clone());
            if channel.pending.len() >= MAX_BATCH_FRAMES {
                send_pending(channel);
            }
            return channel.conns.len();
        }
        if self.coalesce.is_zero() || channel.conns.len() < COALESCE_MIN_SOCKETS {
            return broadcast(channel.conns.values(), bytes);
        }
        channel.window_open = true;
        state.windows.push(channel_id);
        if state.windows.len() == 1 {
            self.window_opened.notify_one();
        }
        broadcast(channel.conns.values(), bytes)
    }

    /// Ends the coalescing windows: held-back frames leave as one batch (and the window stays
    /// open while the channel stays busy); windows with nothing held back close. Returns
    /// whether any window is still open.
    pub fn flush_windows(&self) -> bool {
        let mut guard = self.lock();
        let state = &mut *guard;
        let channels = &mut state.channels;
        state.windows.retain(|id| {
            let Some(channel) = channels.get_mut(id) else {
                return false;
            };
            if channel.pending.is_empty() {
                channel.window_open = false;
                return false;
            }
            send_pending(channel);
            true
        });
        !state.windows.is_empty()
    }

    /// Runs [`Self::flush_windows`] every coalescing interval while any window is open.
    pub async fn run_window_flusher(self: Arc<Self>) {
        if self.coalesce.is_zero() {
            return;
        }
        loop {
            self.window_opened.notified().await;
            loop {
                tokio::time::sleep(self.coalesce).await;
                if !self.flush_windows() {
                    break;
                }
            }
        }
    }

    /// The typing frame for a channel if anyone is typing.
    pub fn typing_snapshot(&self, channel_id: i64) -> Option<Utf8Bytes> {
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
            // Held-back messages first, so every socket sees events in the order they happened.
            send_pending(channel);
            let bytes = typing_frame(channel_id, &typing, self.typing_ttl);
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
            send_pending(channel);
            let full = presence_frame(*channel_id, &online);
            let delta = channel.conns.values().any(|c| c.presence_delta).then(|| {
                let joined: Vec<OnlineUser> = online
                    .iter()
                    .filter(|u| !channel.announced_online.contains(u))
                    .cloned()
                    .collect();
                let left: Vec<i64> = channel
                    .announced_online
                    .iter()
                    .filter(|u| !online.iter().any(|o| o.id == u.id))
                    .map(|u| u.id)
                    .collect();
                frame(&TextServerFrame::PresenceDelta {
                    channel_id: *channel_id,
                    joined: Cow::Owned(joined),
                    left: Cow::Owned(left),
                })
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
            RemoteEvent::ChannelChanged { channel_id } => self.cache.channel_changed(channel_id),
            RemoteEvent::UserChanged { user_id } => self.cache.forget_user(user_id),
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
    pub fn to_room(&self, room_id: i64, bytes: Utf8Bytes, admins_only: bool) {
        self.bus.publish(RemoteEvent::RoomFrame {
            room_id,
            admins_only,
            frame: bytes.as_str().to_owned(),
        });
        self.to_local_room(room_id, &bytes, admins_only);
    }

    fn to_local_room(&self, room_id: i64, bytes: &Utf8Bytes, admins_only: bool) {
        // Room events announce channel and membership changes: granted access may be stale.
        self.cache.rooms_changed();
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

/// Sends a channel's held-back frames to its sockets as one batch.
fn send_pending(channel: &mut TextChannel) {
    let item = match channel.pending.as_slice() {
        [] => return,
        [one] => Outgoing::One(one.clone()),
        _ => Outgoing::Batch(std::mem::take(&mut channel.pending).into()),
    };
    channel.pending.clear();
    deliver(channel.conns.values(), &item);
}

pub fn broadcast<'a>(conns: impl Iterator<Item = &'a Conn>, bytes: &Utf8Bytes) -> usize {
    deliver(conns, &Outgoing::One(bytes.clone()))
}

/// Queues `item` for every connection; returns how many accepted it.
fn deliver<'a>(conns: impl Iterator<Item = &'a Conn>, item: &Outgoing) -> usize {
    let mut sent = 0;
    for conn in conns {
        if conn.enqueue(item.clone()) {
            sent += 1;
        }
    }
    metrics::counter!("realtime_events_total", "topic" => "fanout", "direction" => "out")
        .increment((sent * item.frames()) as u64);
    sent
}

/// The `presence` frame of a channel's whole online list.
pub fn presence_frame(channel_id: i64, online: &[OnlineUser]) -> Utf8Bytes {
    frame(&TextServerFrame::Presence {
        channel_id,
        online: Cow::Borrowed(online),
    })
}

/// The `typing` frame of a channel's typing list.
fn typing_frame(channel_id: i64, typing: &[Typist], ttl: Duration) -> Utf8Bytes {
    frame(&TextServerFrame::Typing {
        channel_id,
        users: Cow::Borrowed(typing),
        expires_in: ttl.as_secs_f64(),
    })
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

#[cfg(test)]
mod tests {
    use super::*;

    fn hub(coalesce_ms: u64) -> Arc<Hub> {
        Hub::new(
            Duration::from_secs(8),
            Bus::memory("test"),
            Duration::from_secs(6),
            Duration::from_millis(coalesce_ms),
            Arc::default(),
        )
    }

    fn member(hub: &Hub, channel: i64, user: i64) -> Outbox {
        let (conn, outbox) = hub.connection(user);
        let me = OnlineUser {
            id: user,
            display_name: format!("u{user}"),
            status: "online".into(),
            avatar_url: None,
        };
        hub.join_text(channel, conn, me);
        outbox
    }

    /// A channel large enough to coalesce; returns the first member's queue.
    fn crowd(hub: &Hub, channel: i64) -> Outbox {
        let first = member(hub, channel, 1);
        for user in 2..=COALESCE_MIN_SOCKETS as i64 {
            member(hub, channel, user);
        }
        first
    }

    fn drain(outbox: &mut Outbox) -> Vec<String> {
        let mut frames = Vec::new();
        while let Some(item) = outbox.try_recv() {
            outbox.kick.dequeued(item.frames());
            match item {
                Outgoing::One(f) => frames.push(f.as_str().to_owned()),
                Outgoing::Batch(fs) => frames.extend(fs.iter().map(|f| f.as_str().to_owned())),
            }
        }
        frames
    }

    #[test]
    fn a_quiet_channel_sends_at_once_and_a_busy_one_in_order_batches() {
        let hub = hub(20);
        let mut outbox = crowd(&hub, 7);
        hub.to_channel(7, &Utf8Bytes::from("m1"));
        assert_eq!(
            drain(&mut outbox),
            ["m1"],
            "the first frame is not held back"
        );
        hub.to_channel(7, &Utf8Bytes::from("m2"));
        hub.to_channel(7, &Utf8Bytes::from("m3"));
        assert!(
            drain(&mut outbox).is_empty(),
            "frames inside the window wait"
        );
        assert!(hub.flush_windows(), "a window that sent a batch stays open");
        let item = outbox.try_recv().expect("one queue entry for the batch");
        assert_eq!(item.frames(), 2);
        outbox.kick.dequeued(2);
        assert!(!hub.flush_windows(), "an empty window closes");
        hub.to_channel(7, &Utf8Bytes::from("m4"));
        assert_eq!(
            drain(&mut outbox),
            ["m4"],
            "a quiet channel again sends at once"
        );
    }

    #[test]
    fn held_back_frames_go_before_a_presence_list() {
        let hub = hub(20);
        let mut outbox = crowd(&hub, 7);
        hub.flush_presence();
        drain(&mut outbox);
        hub.to_channel(7, &Utf8Bytes::from("m1"));
        hub.to_channel(7, &Utf8Bytes::from("m2"));
        let _another = member(&hub, 7, 1000);
        hub.flush_presence();
        let frames = drain(&mut outbox);
        assert_eq!(frames[..2], ["m1", "m2"]);
        assert!(frames[2].contains("\"type\":\"presence\""), "{frames:?}");
    }

    #[test]
    fn zero_disables_coalescing_and_small_channels_never_wait() {
        let never = hub(0);
        let mut outbox = crowd(&never, 7);
        for f in ["a", "b", "c"] {
            never.to_channel(7, &Utf8Bytes::from(f));
        }
        assert_eq!(drain(&mut outbox), ["a", "b", "c"]);

        let small = hub(20);
        let mut outbox = member(&small, 8, 1);
        for f in ["a", "b", "c"] {
            small.to_channel(8, &Utf8Bytes::from(f));
        }
        assert_eq!(drain(&mut outbox), ["a", "b", "c"]);
    }

    #[test]
    fn the_queue_limit_counts_frames_inside_batches() {
        let hub = hub(20);
        let outbox = crowd(&hub, 7);
        hub.to_channel(7, &Utf8Bytes::from("open"));
        let mut sent = 1;
        while outbox.kick.reason.get().is_none() && sent < OUTBOUND_QUEUE * 2 {
            hub.to_channel(7, &Utf8Bytes::from("x"));
            sent += 1;
            if sent % MAX_BATCH_FRAMES == 0 {
                hub.flush_windows();
            }
        }
        assert_eq!(outbox.kick.reason.get(), Some(&(1008, "Too slow")));
        assert!(
            sent <= OUTBOUND_QUEUE + MAX_BATCH_FRAMES,
            "kicked after {sent} frames"
        );
    }
}

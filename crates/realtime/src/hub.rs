//! The hub: the one registry every socket session joins, behind one lock. It keeps this
//! node's text channels (fan-out in `channels`, online and typing lists in `presence`), the
//! `/ws/rooms` sockets of each room (`workspaces`) and the voice rooms (`voice`), publishes
//! what it changes to the other nodes and tracks live sessions for shutdown. Other nodes'
//! events are applied by `remote`.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use charge_domain::OnlineUser;
use charge_domain::cache::ReadCache;
use tokio::sync::{Notify, watch};

use crate::bus::{Bus, RemoteEvent};
use crate::channels::{Sent, TextChannel};
pub use crate::conn::{Conn, OUTBOUND_QUEUE, Outbox};
pub use crate::presence::PRESENCE_FLUSH;
use crate::presence::typing_frame;
use crate::users::UserStreams;
use crate::voice::VoiceRooms;
pub use crate::workspaces::View;
use crate::workspaces::Workspace;
use crate::ws::Utf8Bytes;

/// Everything the hub guards with its one lock.
#[derive(Default)]
pub(crate) struct State {
    pub(crate) channels: HashMap<i64, TextChannel>,
    pub(crate) rooms: HashMap<i64, Workspace>,
    /// Channels with an open coalescing window.
    pub(crate) windows: Vec<i64>,
}

/// The node's registry of connected sockets; shared by every session as `Arc<Hub>`.
pub struct Hub {
    state: Mutex<State>,
    next_id: AtomicU64,
    typing_ttl: Duration,
    node_ttl: Duration,
    shutdown: watch::Sender<bool>,
    /// Wakes every session at shutdown (a `Notify` waits in less memory than a `watch`).
    stopping: Notify,
    live: AtomicUsize,
    idle: Notify,
    bus: Bus,
    /// Length of a channel's coalescing window; zero sends every frame at once.
    coalesce: Duration,
    /// Wakes the window flusher when the first window opens.
    window_opened: Notify,
    pub voice: VoiceRooms,
    /// `/ws/direct` and `/ws/presence` sockets per user, and who is connected anywhere.
    pub users: UserStreams,
    /// Every channel and room change passes through the hub, so it keeps the read caches honest.
    pub cache: Arc<ReadCache>,
}

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
            live: AtomicUsize::new(0),
            idle: Notify::new(),
            bus,
            coalesce,
            window_opened: Notify::new(),
            voice: VoiceRooms::default(),
            users: UserStreams::default(),
            cache,
        })
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
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

    pub fn typing_ttl(&self) -> Duration {
        self.typing_ttl
    }

    /// A new connection for `user_id` with its bounded queue.
    pub fn connection(&self, user_id: i64) -> (Conn, Outbox) {
        Conn::open(self.next_id.fetch_add(1, Ordering::Relaxed), user_id)
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
    pub fn join_text(
        &self,
        channel_id: i64,
        room_id: i64,
        conn: Conn,
        me: OnlineUser,
    ) -> Vec<OnlineUser> {
        let mut state = self.lock();
        let channel = state.channels.entry(channel_id).or_default();
        channel.room_id = room_id;
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
            channel.announce(channel_id, self.typing_ttl, None);
        }
        if channel.is_unused() {
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

    /// Sends `bytes` to this node's sockets of a text channel, holding it back while the
    /// channel's coalescing window is open (see `channels`).
    pub(crate) fn to_local_channel(&self, channel_id: i64, bytes: &Utf8Bytes) -> usize {
        // Whatever is broadcast to a channel may have changed its history.
        self.cache.channel_changed(channel_id);
        let mut guard = self.lock();
        let state = &mut *guard;
        let Some(channel) = state.channels.get_mut(&channel_id) else {
            return 0;
        };
        match channel.send(bytes, !self.coalesce.is_zero()) {
            Sent::To(sent) => sent,
            Sent::OpenedWindow(sent) => {
                state.windows.push(channel_id);
                if state.windows.len() == 1 {
                    self.window_opened.notify_one();
                }
                sent
            }
        }
    }

    /// Ends the coalescing windows: held-back frames leave as one batch (and the window stays
    /// open while the channel stays busy); windows with nothing held back close. Returns
    /// whether any window is still open.
    pub fn flush_windows(&self) -> bool {
        let mut guard = self.lock();
        let state = &mut *guard;
        let channels = &mut state.channels;
        state
            .windows
            .retain(|id| channels.get_mut(id).is_some_and(TextChannel::end_window));
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
            channel.announce(channel_id, self.typing_ttl, Some(conn_id));
        }
    }

    /// Sends changed online lists (on a short timer, see [`PRESENCE_FLUSH`]).
    pub fn flush_presence(&self) {
        let mut state = self.lock();
        for (channel_id, channel) in &mut state.channels {
            channel.flush_presence(*channel_id);
        }
    }

    pub(crate) fn publish_channel(&self, channel_id: i64, channel: &TextChannel) {
        if self.bus.is_distributed() {
            let (online, typing) = channel.local_state(Instant::now());
            self.bus.publish(RemoteEvent::ChannelState {
                channel_id,
                online,
                typing,
            });
        }
    }

    /// Sends `bytes` to the `stream` sockets of `users`, on every node.
    pub fn to_users(&self, stream: charge_domain::UserStream, users: &[i64], bytes: &Utf8Bytes) {
        if users.is_empty() {
            return;
        }
        self.bus.publish(RemoteEvent::StreamFrame {
            stream,
            users: users.to_vec(),
            frame: bytes.as_str().to_owned(),
        });
        self.users.deliver_local(stream, users, bytes);
    }

    // ---- workspace (room structure) ------------------------------------------------------

    pub fn join_room(&self, room_id: i64, conn: Conn, view: Arc<View>) {
        self.lock()
            .rooms
            .entry(room_id)
            .or_default()
            .join(conn, view);
    }

    pub fn leave_room(&self, room_id: i64, conn_id: u64) {
        let mut state = self.lock();
        if state
            .rooms
            .get_mut(&room_id)
            .is_some_and(|ws| ws.leave(conn_id))
        {
            state.rooms.remove(&room_id);
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

    pub(crate) fn to_local_room(&self, room_id: i64, bytes: &Utf8Bytes, admins_only: bool) {
        // Room events announce channel and membership changes: granted access may be stale.
        self.cache.rooms_changed();
        self.cache.permissions.forget_room(room_id);
        if let Some(ws) = self.lock().rooms.get(&room_id) {
            ws.send(bytes, admins_only);
        }
    }

    // ---- permissions ---------------------------------------------------------------------

    /// A room's permission inputs changed (decision 24): every node forgets them and asks the
    /// room's sockets to check again.
    pub fn permissions_changed(&self, room_id: i64) {
        self.bus
            .publish(RemoteEvent::PermissionsChanged { room_id });
        self.recheck_room(room_id);
    }

    /// This node's part of [`Self::permissions_changed`].
    pub(crate) fn recheck_room(&self, room_id: i64) {
        self.cache.permissions.forget_room(room_id);
        self.cache.rooms_changed();
        let state = self.lock();
        for channel in state.channels.values().filter(|c| c.room_id == room_id) {
            for conn in channel.conns.values() {
                conn.recheck();
            }
        }
        if let Some(ws) = state.rooms.get(&room_id) {
            ws.recheck();
        }
        drop(state);
        if let Some(room) = self.voice.lock().get(&room_id) {
            for participant in room.participants.values() {
                participant.conn.recheck();
            }
        }
    }

    /// Sends a frame to one user's workspace sockets (any room) on every node.
    pub fn to_user(&self, user_id: i64, bytes: Utf8Bytes) {
        self.bus.publish(RemoteEvent::UserFrame {
            user_id,
            frame: bytes.as_str().to_owned(),
        });
        self.to_local_user(user_id, &bytes);
    }

    pub(crate) fn to_local_user(&self, user_id: i64, bytes: &Utf8Bytes) {
        for ws in self.lock().rooms.values() {
            ws.send_to_user(user_id, bytes);
        }
    }

    // ---- sessions ------------------------------------------------------------------------

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
mod tests;

//! The `/ws/rooms` sockets of each room on this node, and delivery of workspace events to
//! them: invitation codes to admin-level members only, and nothing about a channel to a
//! member who may not view it (decision 24; lists of channels are filtered per member).

use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard};

use charge_protocol::ChannelRead;
use charge_protocol::frames::RoomsServerFrame;

use crate::conn::{Conn, broadcast};
use crate::ws::Utf8Bytes;

/// What one workspace socket may see, kept current by its session when permissions change.
#[derive(Debug, Default)]
pub struct View {
    /// May receive invitation codes (admin level or above).
    pub admin: AtomicBool,
    /// Channels of the room the member may not view.
    hidden: Mutex<BTreeSet<i64>>,
}

impl View {
    pub fn new(admin: bool, hidden: impl IntoIterator<Item = i64>) -> Self {
        Self {
            admin: AtomicBool::new(admin),
            hidden: Mutex::new(hidden.into_iter().collect()),
        }
    }

    pub fn hidden(&self) -> MutexGuard<'_, BTreeSet<i64>> {
        self.hidden
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// One room's workspace sockets here.
#[derive(Default)]
pub struct Workspace {
    conns: HashMap<u64, (Conn, std::sync::Arc<View>)>,
}

impl Workspace {
    pub fn join(&mut self, conn: Conn, view: std::sync::Arc<View>) {
        self.conns.insert(conn.id, (conn, view));
    }

    /// Removes a socket; `true` when none is left.
    pub fn leave(&mut self, conn_id: u64) -> bool {
        self.conns.remove(&conn_id);
        self.conns.is_empty()
    }

    /// Asks every socket's session to check its permissions again.
    pub fn recheck(&self) {
        for (conn, _) in self.conns.values() {
            conn.recheck();
        }
    }

    /// Asks the sockets of `user_id` (every socket when `None`) to close.
    pub fn kick(&self, user_id: Option<i64>, code: u16, reason: &'static str) {
        for (conn, _) in self.conns.values() {
            if user_id.is_none_or(|u| u == conn.user_id) {
                conn.kick(code, reason);
            }
        }
    }

    /// Sends an event; `admins_only` ones skip plain members, and members who may not view
    /// some channels get the event without them (or not at all).
    pub fn send(&self, bytes: &Utf8Bytes, admins_only: bool) -> usize {
        // Read back only when someone here has hidden channels (rare, and only then).
        let mut parsed: Option<Option<RoomsServerFrame<'static>>> = None;
        let mut sent = 0;
        for (conn, view) in self.conns.values() {
            if admins_only && !view.admin.load(Ordering::Acquire) {
                continue;
            }
            let hidden = view.hidden();
            if hidden.is_empty() {
                drop(hidden);
                sent += usize::from(conn.push(bytes));
                continue;
            }
            let frame = parsed.get_or_insert_with(|| serde_json::from_str(bytes.as_str()).ok());
            match frame.as_ref().map(|f| filtered(f, &hidden)) {
                Some(Filtered::Skip) => {}
                Some(Filtered::Changed(own)) => sent += usize::from(conn.push(&own)),
                Some(Filtered::Same) | None => sent += usize::from(conn.push(bytes)),
            }
        }
        metrics::counter!("realtime_events_total", "topic" => "fanout", "direction" => "out")
            .increment(sent as u64);
        sent
    }
}

impl Workspace {
    /// Sends a frame to one user's sockets here.
    pub fn send_to_user(&self, user_id: i64, bytes: &Utf8Bytes) -> usize {
        broadcast(
            self.conns
                .values()
                .map(|(c, _)| c)
                .filter(|c| c.user_id == user_id),
            bytes,
        )
    }
}

enum Filtered {
    Same,
    Skip,
    Changed(Utf8Bytes),
}

/// A workspace event as a member who may not view `hidden` should see it.
fn filtered(frame: &RoomsServerFrame<'_>, hidden: &BTreeSet<i64>) -> Filtered {
    let keep = |channels: &[ChannelRead]| -> Option<Vec<ChannelRead>> {
        channels.iter().any(|c| hidden.contains(&c.id)).then(|| {
            channels
                .iter()
                .filter(|c| !hidden.contains(&c.id))
                .cloned()
                .collect()
        })
    };
    match frame {
        RoomsServerFrame::ChannelCreated { channel, .. }
        | RoomsServerFrame::ChannelUpdated { channel, .. }
            if hidden.contains(&channel.id) =>
        {
            Filtered::Skip
        }
        RoomsServerFrame::ChannelDeleted { channel_id, .. } if hidden.contains(channel_id) => {
            Filtered::Skip
        }
        RoomsServerFrame::ChannelReordered { room, channels } => match keep(channels) {
            Some(kept) if kept.is_empty() => Filtered::Skip,
            Some(kept) => {
                Filtered::Changed(charge_domain::frame(&RoomsServerFrame::ChannelReordered {
                    room: Cow::Borrowed(room),
                    channels: Cow::Owned(kept),
                }))
            }
            None => Filtered::Same,
        },
        RoomsServerFrame::CategoryDeleted {
            room,
            categories,
            channels,
        } => match keep(channels) {
            Some(kept) => {
                Filtered::Changed(charge_domain::frame(&RoomsServerFrame::CategoryDeleted {
                    room: Cow::Borrowed(room),
                    categories: Cow::Borrowed(categories),
                    channels: Cow::Owned(kept),
                }))
            }
            None => Filtered::Same,
        },
        _ => Filtered::Same,
    }
}

//! Text channels on this node: their sockets, and fan-out with coalescing windows. A frame to
//! a quiet channel goes out at once and opens a window; frames that arrive while it is open
//! wait and leave together when it ends, as one queue entry and one write per socket. A chat
//! at human pace never waits; a channel receiving hundreds of messages a second costs one
//! system call per socket per window instead of one per frame.

use std::collections::HashMap;
use std::time::Instant;

use charge_domain::OnlineUser;

use crate::conn::{Conn, Outgoing, broadcast, deliver};
use crate::ws::Utf8Bytes;

/// Most frames a busy channel holds back before sending them together.
pub const MAX_BATCH_FRAMES: usize = 64;

/// Channels with fewer sockets here never hold frames back: a frame costs one write per
/// recipient, so small channels gain little from batching and would only add latency (a
/// sender waiting for its own echo would wait for the window too).
pub const COALESCE_MIN_SOCKETS: usize = 32;

/// What another node last said about a channel.
pub struct RemoteChannel {
    pub online: Vec<OnlineUser>,
    pub typing: Vec<(i64, String, Instant)>,
    pub seen: Instant,
}

/// One text channel as this node knows it. Its presence and typing lists are kept by
/// `presence`.
#[derive(Default)]
pub struct TextChannel {
    /// The room the channel belongs to (known once a socket here has joined it).
    pub room_id: i64,
    pub conns: HashMap<u64, Conn>,
    /// Per user on this node: how many sockets, and what the online list shows.
    pub online: HashMap<i64, (usize, OnlineUser)>,
    /// Per user on this node: name shown and when the entry lapses.
    pub typing: HashMap<i64, (String, Instant)>,
    /// Other nodes' users in this channel, by node id.
    pub remote: HashMap<String, RemoteChannel>,
    /// The lists last sent to this node's sockets, to send only changes.
    pub announced_online: Vec<OnlineUser>,
    /// The online list may have changed since it was last sent (flushed on a short timer).
    pub presence_dirty: bool,
    pub announced_typing: Vec<charge_protocol::frames::text::Typist>,
    /// Frames held back while the channel is busy.
    pending: Vec<Utf8Bytes>,
    /// A frame was sent within the current coalescing window: later ones wait for its end.
    window_open: bool,
}

/// What [`TextChannel::send`] did with a frame.
pub enum Sent {
    /// Queued for (or held back for) this many sockets.
    To(usize),
    /// Sent to this many sockets and a coalescing window opened: the caller ends it.
    OpenedWindow(usize),
}

impl TextChannel {
    /// Sends `bytes` to every socket here, or holds it back while a window is open. With
    /// `coalesce` false (coalescing off) frames always go at once.
    pub fn send(&mut self, bytes: &Utf8Bytes, coalesce: bool) -> Sent {
        if self.window_open {
            self.pending.push(bytes.clone());
            if self.pending.len() >= MAX_BATCH_FRAMES {
                self.send_pending();
            }
            return Sent::To(self.conns.len());
        }
        if !coalesce || self.conns.len() < COALESCE_MIN_SOCKETS {
            return Sent::To(broadcast(self.conns.values(), bytes));
        }
        self.window_open = true;
        Sent::OpenedWindow(broadcast(self.conns.values(), bytes))
    }

    /// Ends the window: held-back frames leave as one batch and the window stays open
    /// (`true`) while the channel stays busy; a window with nothing held back closes.
    pub fn end_window(&mut self) -> bool {
        if self.pending.is_empty() {
            self.window_open = false;
            return false;
        }
        self.send_pending();
        true
    }

    /// Sends the held-back frames to the channel's sockets as one batch.
    pub fn send_pending(&mut self) {
        let item = match self.pending.as_slice() {
            [] => return,
            [one] => Outgoing::One(one.clone()),
            _ => Outgoing::Batch(std::mem::take(&mut self.pending).into()),
        };
        self.pending.clear();
        deliver(self.conns.values(), &item);
    }

    /// No socket here and nothing known from other nodes: the entry can go.
    pub fn is_unused(&self) -> bool {
        self.conns.is_empty() && self.remote.is_empty()
    }
}

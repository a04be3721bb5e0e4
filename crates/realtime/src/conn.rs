//! One connection's outbound side: the bounded queue a session drains (`Conn` pushes,
//! `Outbox` receives), the switch that asks a session to close, and fan-out of one shared
//! frame to many connections. Nothing here waits: a full queue marks its connection too slow.

use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::Notify;

use crate::ws::Utf8Bytes;

/// Frames waiting for one connection (a batch counts each of its frames); past this the
/// connection is closed as too slow.
pub const OUTBOUND_QUEUE: usize = 512;

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
    /// What the connection may see or do changed: the session asks the domain again.
    recheck: std::sync::atomic::AtomicBool,
}

/// Past this many slots an empty queue gives its room back.
const KEEP_SLOTS: usize = 16;

impl Kick {
    pub fn request(&self, code: u16, reason: &'static str) {
        // The first request wins: a session closes once, for its first reason.
        if self.reason.set((code, reason)).is_err() {
            tracing::trace!(code, reason, "a close was already requested");
        }
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

    pub fn enqueue(&self, item: Outgoing) -> bool {
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

    /// Asks the session to check its permissions again (it does so between frames).
    pub fn recheck(&self) {
        self.kick.recheck.store(true, Ordering::Release);
        self.kick.ready.notify_one();
    }
}

impl Conn {
    /// A new connection's two ends: the `Conn` the hub keeps and the `Outbox` its session
    /// drains.
    pub fn open(id: u64, user_id: i64) -> (Conn, Outbox) {
        let kick = Arc::new(Kick::default());
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
    /// Permissions changed: check them again (before what is queued).
    Recheck,
}

impl Outbox {
    /// The next queued item or a close request, waiting for one. Cancel-safe: an item is taken
    /// only when returned.
    pub async fn recv(&self) -> Next {
        loop {
            if let Some(&(code, reason)) = self.kick.reason.get() {
                return Next::Close(code, reason);
            }
            // A re-check goes before what is queued: events queued after a change was
            // announced are then delivered (or held back) by the permissions after it.
            if self.kick.recheck.swap(false, Ordering::AcqRel) {
                return Next::Recheck;
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

/// Queues `bytes` for every connection; returns how many accepted it.
pub fn broadcast<'a>(conns: impl Iterator<Item = &'a Conn>, bytes: &Utf8Bytes) -> usize {
    deliver(conns, &Outgoing::One(bytes.clone()))
}

/// Queues `item` for every connection; returns how many accepted it.
pub fn deliver<'a>(conns: impl Iterator<Item = &'a Conn>, item: &Outgoing) -> usize {
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

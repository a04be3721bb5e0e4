//! The per-room inputs of the permission function, kept in memory. A room's entry is emptied
//! by every change to them (levels, roles, members, channels, overwrites): on the node that
//! made the change and, through the real-time layer's bus, on every other node. An entry read
//! before a change is never stored after it (the room's generation is taken before reading),
//! and entries lapse after [`PERMISSIONS_TTL`], which bounds staleness should a notice ever be
//! lost.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::permissions::RoomPerms;

/// How long a room's permission inputs are trusted at most.
pub const PERMISSIONS_TTL: Duration = Duration::from_secs(30);
/// Rooms kept at most; a full map is emptied rather than tracked for recency.
const MAX_ROOMS: usize = 10_000;
/// Loads are serialised per room (over this many locks): one read per node and change.
const LOADERS: usize = 16;

#[derive(Default)]
pub struct PermissionCache {
    inner: Mutex<Inner>,
    loaders: [tokio::sync::Mutex<()>; LOADERS],
}

#[derive(Default)]
struct Inner {
    rooms: HashMap<i64, (Instant, u64, Arc<RoomPerms>)>,
    generations: HashMap<i64, u64>,
    /// Channel → room, for rooms loaded so far (a hint: the room's entry has the truth).
    channel_rooms: HashMap<i64, i64>,
}

/// The room's generation when its inputs were read.
#[derive(Debug, Clone, Copy)]
pub struct Ticket(u64);

impl PermissionCache {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub fn get(&self, room_id: i64) -> Option<Arc<RoomPerms>> {
        let inner = self.lock();
        let generation = inner.generations.get(&room_id).copied().unwrap_or(0);
        let (at, stored, perms) = inner.rooms.get(&room_id)?;
        (*stored == generation && at.elapsed() < PERMISSIONS_TTL).then(|| perms.clone())
    }

    pub fn room_of(&self, channel_id: i64) -> Option<i64> {
        self.lock().channel_rooms.get(&channel_id).copied()
    }

    pub async fn loader(&self, room_id: i64) -> tokio::sync::MutexGuard<'_, ()> {
        self.loaders[room_id.unsigned_abs() as usize % LOADERS]
            .lock()
            .await
    }

    pub fn ticket(&self, room_id: i64) -> Ticket {
        Ticket(self.lock().generations.get(&room_id).copied().unwrap_or(0))
    }

    /// Stores inputs read under `ticket`, unless the room changed since.
    pub fn put(&self, ticket: Ticket, perms: Arc<RoomPerms>) {
        let mut inner = self.lock();
        let room_id = perms.room_id;
        if inner.generations.get(&room_id).copied().unwrap_or(0) != ticket.0 {
            return;
        }
        if inner.rooms.len() >= MAX_ROOMS {
            inner.rooms.clear();
            inner.channel_rooms.clear();
        }
        for channel_id in perms.channels.keys() {
            inner.channel_rooms.insert(*channel_id, room_id);
        }
        inner
            .rooms
            .insert(room_id, (Instant::now(), ticket.0, perms));
    }

    /// The room's levels, members, channels or overwrites changed.
    pub fn forget_room(&self, room_id: i64) {
        let mut inner = self.lock();
        inner.rooms.remove(&room_id);
        // Generations only grow (an old read must never be stored), so they are kept; one
        // integer per room ever changed on this node.
        *inner.generations.entry(room_id).or_insert(0) += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inputs_read_before_a_change_are_not_kept_after_it() {
        let cache = PermissionCache::default();
        let perms = Arc::new(RoomPerms {
            room_id: 4,
            ..RoomPerms::default()
        });
        let ticket = cache.ticket(4);
        cache.forget_room(4);
        cache.put(ticket, perms.clone());
        assert!(cache.get(4).is_none(), "read before the change");
        cache.put(cache.ticket(4), perms);
        assert!(cache.get(4).is_some());
        cache.forget_room(5);
        assert!(cache.get(4).is_some(), "other rooms do not matter");
        cache.forget_room(4);
        assert!(cache.get(4).is_none());
    }
}

//! Read-through caches for the reads every history request makes: the user behind a token, the
//! caller's access to a channel, and a channel's newest page.
//!
//! Correctness rests on three rules:
//! - Users are never deleted, and change only through `PATCH /api/profile`, which replaces the
//!   node's own entry and tells the other nodes to forget theirs (`UserChanged`). Entries also
//!   lapse after [`USER_TTL`], which bounds a read that raced with the change.
//! - Only *granted* access is cached, and any room-level event (a channel deleted, a member
//!   added or promoted — on this node or another) empties that cache. Entries also lapse after
//!   [`ACCESS_TTL`].
//! - Every change to a channel's messages or reactions is broadcast to the channel, and the hub
//!   calls [`ReadCache::channel_changed`] for each broadcast, local or from another node. The
//!   one change that is not broadcast to sockets, a pin, sends a `ChannelChanged` event to the
//!   other nodes instead (`Hub::channel_changed_silently`). A page
//!   is stored with the channel's generation taken *before* it was read from the database and
//!   served only while that generation is current, so a page read before a commit is never
//!   served after the commit's broadcast. Pages also lapse after [`PAGE_TTL`], which bounds
//!   staleness should a change ever go out without a broadcast.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::Utf8Bytes;
use bytes::Bytes;
use charge_store::{Channel, HistoryPage, User};

/// How long a newest page is served from memory at most.
pub const PAGE_TTL: Duration = Duration::from_secs(1);
/// How long a cached account is trusted at most (its profile may change on another node).
pub const USER_TTL: Duration = Duration::from_secs(10);
/// How long granted access is trusted at most.
pub const ACCESS_TTL: Duration = Duration::from_secs(10);
/// Entry limits; a full map is emptied rather than tracked for recency.
const MAX_USERS: usize = 100_000;
const MAX_ACCESS: usize = 100_000;
const MAX_PAGES: usize = 1_024;
const MAX_CHANNELS: usize = 100_000;

/// Page loads are serialised per channel (over this many locks) so that when a page lapses the
/// requests arriving together wait for one database read instead of each making their own.
const LOADERS: usize = 16;

#[derive(Default)]
pub struct ReadCache {
    inner: Mutex<Inner>,
    /// Each room's permission inputs (see `permission_cache`).
    pub permissions: crate::permission_cache::PermissionCache,
    loaders: [tokio::sync::Mutex<()>; LOADERS],
}

#[derive(Default)]
struct Inner {
    users: HashMap<i64, (Instant, User)>,
    /// (channel, user) → the channel, when the user may read it.
    access: HashMap<(i64, i64), (Instant, u64, Channel)>,
    access_epoch: u64,
    /// (channel, limit) → the newest page and the channel generation it was read at.
    pages: HashMap<(i64, i64), (Instant, u64, Arc<CachedPage>)>,
    generations: HashMap<i64, u64>,
    /// Added to every generation so that emptying `generations` never revives an old page.
    generation_base: u64,
}

/// A channel's newest page, and when every viewer sees the same (no reactions, whose `reacted`
/// flag depends on the viewer) its JSON and the WebSocket greeting frame that carries it, so
/// that everyone who opens the channel is sent the same shared bytes.
pub struct CachedPage {
    pub page: HistoryPage,
    pub body: Option<Bytes>,
    pub greeting: Option<Utf8Bytes>,
}

/// What a reader must hand back to store what it read: the state it read under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ticket(u64);

impl ReadCache {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub fn user(&self, id: i64) -> Option<User> {
        let inner = self.lock();
        let (at, user) = inner.users.get(&id)?;
        (at.elapsed() < USER_TTL).then(|| user.clone())
    }

    pub fn put_user(&self, user: &User) {
        let mut inner = self.lock();
        if inner.users.len() >= MAX_USERS {
            inner.users.clear();
        }
        inner.users.insert(user.id, (Instant::now(), user.clone()));
    }

    /// The account changed on another node.
    pub fn forget_user(&self, id: i64) {
        self.lock().users.remove(&id);
    }

    /// Taken before checking access in the database.
    pub fn access_ticket(&self) -> Ticket {
        Ticket(self.lock().access_epoch)
    }

    pub fn access(&self, channel_id: i64, user_id: i64) -> Option<Channel> {
        let inner = self.lock();
        let (at, epoch, channel) = inner.access.get(&(channel_id, user_id))?;
        (*epoch == inner.access_epoch && at.elapsed() < ACCESS_TTL).then(|| channel.clone())
    }

    /// Remembers that `user_id` may read `channel`, unless rooms changed since `ticket`.
    pub fn put_access(&self, ticket: Ticket, user_id: i64, channel: &Channel) {
        let mut inner = self.lock();
        if ticket.0 != inner.access_epoch {
            return;
        }
        if inner.access.len() >= MAX_ACCESS {
            inner.access.clear();
        }
        let epoch = inner.access_epoch;
        inner.access.insert(
            (channel.id, user_id),
            (Instant::now(), epoch, channel.clone()),
        );
    }

    /// A room-level change: channels, members or roles may differ now (a deleted channel's
    /// pages go too, in case its id is ever handed out again).
    pub fn rooms_changed(&self) {
        let mut inner = self.lock();
        inner.access_epoch += 1;
        inner.access.clear();
        inner.pages.clear();
    }

    fn generation(inner: &Inner, channel_id: i64) -> u64 {
        inner.generation_base + inner.generations.get(&channel_id).copied().unwrap_or(0)
    }

    /// Held while loading a channel's page: whoever gets it second finds the page cached.
    pub async fn page_loader(&self, channel_id: i64) -> tokio::sync::MutexGuard<'_, ()> {
        self.loaders[channel_id.unsigned_abs() as usize % LOADERS]
            .lock()
            .await
    }

    /// Taken before reading a page from the database.
    pub fn page_ticket(&self, channel_id: i64) -> Ticket {
        Ticket(Self::generation(&self.lock(), channel_id))
    }

    pub fn page(&self, channel_id: i64, limit: i64) -> Option<Arc<CachedPage>> {
        let inner = self.lock();
        let (at, generation, page) = inner.pages.get(&(channel_id, limit))?;
        (*generation == Self::generation(&inner, channel_id) && at.elapsed() < PAGE_TTL)
            .then(|| page.clone())
    }

    /// Stores a newest page read under `ticket`, unless the channel changed since.
    pub fn put_page(&self, ticket: Ticket, channel_id: i64, limit: i64, page: Arc<CachedPage>) {
        let mut inner = self.lock();
        if ticket.0 != Self::generation(&inner, channel_id) {
            return;
        }
        if inner.pages.len() >= MAX_PAGES {
            inner.pages.clear();
        }
        inner
            .pages
            .insert((channel_id, limit), (Instant::now(), ticket.0, page));
    }

    /// Something in the channel changed: its cached pages are no longer served.
    pub fn channel_changed(&self, channel_id: i64) {
        let mut inner = self.lock();
        if inner.generations.len() >= MAX_CHANNELS {
            // Jump past every generation handed out so far before forgetting them.
            let highest = inner.generations.values().copied().max().unwrap_or(0);
            inner.generation_base += highest + 1;
            inner.generations.clear();
            inner.pages.clear();
        }
        *inner.generations.entry(channel_id).or_insert(0) += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page() -> Arc<CachedPage> {
        Arc::new(CachedPage {
            page: HistoryPage {
                items: Vec::new(),
                has_more_backward: false,
                has_more_forward: false,
            },
            body: None,
            greeting: None,
        })
    }

    #[test]
    fn a_page_read_before_a_change_is_not_served_after_it() {
        let cache = ReadCache::default();
        let ticket = cache.page_ticket(1);
        cache.channel_changed(1);
        cache.put_page(ticket, 1, 50, page());
        assert!(
            cache.page(1, 50).is_none(),
            "stored under an old generation"
        );

        let ticket = cache.page_ticket(1);
        cache.put_page(ticket, 1, 50, page());
        assert!(cache.page(1, 50).is_some());
        assert!(cache.page(1, 20).is_none(), "pages are per limit");
        cache.channel_changed(2);
        assert!(cache.page(1, 50).is_some(), "other channels do not matter");
        cache.channel_changed(1);
        assert!(
            cache.page(1, 50).is_none(),
            "a change hides the page at once"
        );
    }

    #[test]
    fn access_granted_before_a_room_change_is_forgotten() {
        let cache = ReadCache::default();
        let channel = Channel {
            id: 3,
            room_id: 1,
            name: "general".into(),
            kind: "text".into(),
            letter: "A".into(),
            position: 0,
            category_id: None,
            created_at: 0,
            slow_mode_seconds: 0,
        };
        let ticket = cache.access_ticket();
        cache.rooms_changed();
        cache.put_access(ticket, 9, &channel);
        assert!(cache.access(3, 9).is_none());
        cache.put_access(cache.access_ticket(), 9, &channel);
        assert_eq!(cache.access(3, 9).map(|c| c.id), Some(3));
        assert!(cache.access(3, 10).is_none(), "access is per user");
        cache.rooms_changed();
        assert!(cache.access(3, 9).is_none());
    }
}

//! The posting gate: timeouts (no posting, reacting, typing or speaking until a time) and slow
//! mode (seconds between one member's messages in a channel, admins and owners exempt), one
//! decision for HTTP and sockets alike.
//!
//! The facts behind it (the channel's slow mode, the member's timeout and level) are cached per
//! channel and user like granted access (see `cache`): every change to them is announced as a
//! workspace event (`member_updated`, `channel_updated`), which empties the read cache's access
//! epoch on every node, and an entry read under an older epoch is not served. A message post
//! therefore costs no query while nothing changes. When a member last posted is kept per node.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use charge_store::{PostingFacts, now_micros};

use crate::cache::{ACCESS_TTL, Ticket};
use crate::error::{DomainError, DomainResult};
use crate::{Domain, dto};

/// Entry limits; a full map is emptied rather than tracked for recency.
const MAX_FACTS: usize = 100_000;
const MAX_LAST_POSTS: usize = 100_000;

/// Cached facts per (channel, user): when read, under which access epoch, and what.
type FactsCache = HashMap<(i64, i64), (Instant, Ticket, PostingFacts)>;

/// Fact loads are serialised per (channel, user) over this many locks, so that a burst of
/// posts by one user reads the facts once instead of once per post.
const LOADERS: usize = 16;

#[derive(Default)]
pub struct Gate {
    facts: Mutex<FactsCache>,
    loaders: [tokio::sync::Mutex<()>; LOADERS],
    last_posts: Mutex<HashMap<(i64, i64), Instant>>,
}

/// Why the gate said no.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Timed out until this RFC 3339 time.
    TimedOut(String),
    /// Slow mode: this many whole seconds to wait.
    SlowMode(u64),
}

impl Refusal {
    /// The words both transports use.
    pub fn detail(&self) -> String {
        match self {
            Refusal::TimedOut(until) => format!("You are timed out until {until}"),
            Refusal::SlowMode(wait) => {
                format!("Slow mode is on: wait {wait} s before sending another message")
            }
        }
    }
}

impl From<Refusal> for DomainError {
    fn from(refusal: Refusal) -> Self {
        match refusal {
            Refusal::TimedOut(until) => DomainError::TimedOut(until),
            Refusal::SlowMode(wait) => DomainError::SlowMode {
                retry_after_secs: wait,
            },
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Gate {
    /// The slow-mode wait left for a user in a channel, counting this message when there is
    /// none (so two messages sent at once cannot both pass).
    fn take_slot(&self, channel_id: i64, user_id: i64, every: Duration) -> Result<(), u64> {
        let now = Instant::now();
        let mut last = lock(&self.last_posts);
        if let Some(at) = last.get(&(channel_id, user_id)) {
            let since = now.duration_since(*at);
            if since < every {
                return Err((every - since).as_secs_f64().ceil().max(1.0) as u64);
            }
        }
        if last.len() >= MAX_LAST_POSTS {
            last.retain(|_, at| now.duration_since(*at) < Duration::from_secs(6 * 60 * 60));
            if last.len() >= MAX_LAST_POSTS {
                last.clear();
            }
        }
        last.insert((channel_id, user_id), now);
        Ok(())
    }

    /// Gives back a slot taken for a message that was then not stored.
    pub fn release(&self, channel_id: i64, user_id: i64) {
        lock(&self.last_posts).remove(&(channel_id, user_id));
    }
}

/// The facts if cached under the current access epoch.
fn cached(state: &Domain, key: (i64, i64)) -> Option<PostingFacts> {
    let ticket = state.cache.access_ticket();
    let facts = lock(&state.moderation.facts);
    let (at, epoch, found) = facts.get(&key)?;
    (*epoch == ticket && at.elapsed() < ACCESS_TTL).then_some(*found)
}

/// The cached facts, or one query (one per user and channel, however many posts wait).
async fn facts(
    state: &Domain,
    channel_id: i64,
    user_id: i64,
) -> DomainResult<Option<PostingFacts>> {
    let key = (channel_id, user_id);
    if let Some(found) = cached(state, key) {
        return Ok(Some(found));
    }
    let slot = (channel_id ^ user_id.rotate_left(17)).unsigned_abs() as usize % LOADERS;
    let _loading = state.moderation.loaders[slot].lock().await;
    if let Some(found) = cached(state, key) {
        return Ok(Some(found));
    }
    // Taken before the read: a change committed meanwhile moves the epoch on.
    let ticket = state.cache.access_ticket();
    let Some(found) = state.store.posting_facts(channel_id, user_id).await? else {
        return Ok(None);
    };
    let mut facts = lock(&state.moderation.facts);
    if facts.len() >= MAX_FACTS {
        facts.clear();
    }
    facts.insert(key, (Instant::now(), ticket, found));
    Ok(Some(found))
}

fn timed_out(facts: &PostingFacts) -> Result<(), Refusal> {
    match facts.timed_out_until {
        Some(until) if until > now_micros() => Err(Refusal::TimedOut(dto::timestamp(until))),
        _ => Ok(()),
    }
}

/// May `user_id` post a new message in `channel_id` now? Takes the slow-mode slot when so
/// (give it back with [`Gate::release`] if the message is then not stored). Access itself is
/// checked before, by the channel rules; a caller who is no longer a member passes here and
/// is refused there.
pub async fn admit_post(
    state: &Domain,
    channel_id: i64,
    user_id: i64,
) -> DomainResult<Result<(), Refusal>> {
    let Some(facts) = facts(state, channel_id, user_id).await? else {
        return Ok(Ok(()));
    };
    if let Err(refusal) = timed_out(&facts) {
        return Ok(Err(refusal));
    }
    if facts.slow_mode_seconds > 0 && !facts.is_admin() {
        let every = Duration::from_secs(facts.slow_mode_seconds.unsigned_abs());
        if let Err(wait) = state.moderation.take_slot(channel_id, user_id, every) {
            return Ok(Err(Refusal::SlowMode(wait)));
        }
    }
    Ok(Ok(()))
}

/// May `user_id` react or type in `channel_id` now (only a timeout stops them)?
pub async fn admit_interaction(
    state: &Domain,
    channel_id: i64,
    user_id: i64,
) -> DomainResult<Result<(), Refusal>> {
    Ok(match facts(state, channel_id, user_id).await? {
        Some(facts) => timed_out(&facts),
        None => Ok(()),
    })
}

/// May `user_id` speak in the room's voice channels now (only a timeout stops them)?
pub async fn admit_speaking(
    state: &Domain,
    room_id: i64,
    user_id: i64,
) -> DomainResult<Result<(), Refusal>> {
    let member = state.store.membership(room_id, user_id).await?;
    Ok(match member.and_then(|m| m.timed_out_until) {
        Some(until) if until > now_micros() => Err(Refusal::TimedOut(dto::timestamp(until))),
        _ => Ok(()),
    })
}

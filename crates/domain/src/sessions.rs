//! Sign-in sessions: short access tokens that name their session, rotating refresh tokens
//! (stored as SHA-256 hashes; presenting a used one ends the whole session), sign-out of one
//! session or of all, and password changes that end every other session. Ending a session
//! is announced through [`Realtime::sessions_ended`](crate::Realtime::sessions_ended), which
//! closes its sockets and tells every node's cache.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::Domain;
use crate::error::{DomainError, DomainResult};
use charge_store::{Rotation, StoreError, now_micros};

/// Random bytes in a refresh token (256 bits: guessing one is hopeless, so refreshing needs
/// no rate limit of its own).
pub const REFRESH_TOKEN_BYTES: usize = 32;
/// How long a node trusts that a session is live before asking the database again. Ending a
/// session reaches every node through the bus at once; this bounds what a node that missed
/// that news (a broker outage) can get wrong.
pub const LIVE_TTL: Duration = Duration::from_secs(30);
/// Sessions remembered per node, live or ended; a full map is emptied (the database answers).
const MAX_SESSIONS: usize = 100_000;

/// A new pair of tokens.
#[derive(Debug, Clone)]
pub struct Issued {
    pub access_token: String,
    pub refresh_token: String,
    /// Seconds the access token lives.
    pub expires_in: u64,
    pub session_id: i64,
}

/// Sessions that have just ended, as every node must hear of them: their sockets close, and
/// their access tokens stop working.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionsEnded {
    pub user_id: i64,
    pub session_ids: Vec<i64>,
    /// Also close the user's sockets opened with tokens of no session (sign-out everywhere,
    /// password change).
    pub sessionless: bool,
}

/// Lookups of unknown sessions are serialised over this many locks, so a burst of requests
/// with one session's token (a client's first requests, or the entry lapsing while busy)
/// makes one database read rather than one each.
const LOADERS: usize = 16;

/// Which sessions a node knows to be live or ended.
#[derive(Default)]
pub struct SessionCache {
    inner: Mutex<Inner>,
    loaders: [tokio::sync::Mutex<()>; LOADERS],
}

#[derive(Default)]
struct Inner {
    /// session → (user, when the database said it was live).
    live: HashMap<i64, (i64, Instant)>,
    /// Ended sessions; checked first, so a live answer read before the end never wins.
    ended: HashMap<i64, ()>,
}

impl SessionCache {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// `Some(live)` when known here.
    fn known(&self, session_id: i64, user_id: i64) -> Option<bool> {
        let inner = self.lock();
        if inner.ended.contains_key(&session_id) {
            return Some(false);
        }
        let (owner, at) = inner.live.get(&session_id)?;
        (at.elapsed() < LIVE_TTL).then_some(*owner == user_id)
    }

    fn put_live(&self, session_id: i64, user_id: i64) {
        let mut inner = self.lock();
        if inner.ended.contains_key(&session_id) {
            return;
        }
        if inner.live.len() >= MAX_SESSIONS {
            inner.live.clear();
        }
        inner.live.insert(session_id, (user_id, Instant::now()));
    }

    /// These sessions ended (here or on another node).
    pub fn ended(&self, session_ids: &[i64]) {
        let mut inner = self.lock();
        if inner.ended.len() + session_ids.len() > MAX_SESSIONS {
            inner.ended.clear();
        }
        for id in session_ids {
            inner.live.remove(id);
            inner.ended.insert(*id, ());
        }
    }
}

/// Whether `session_id` is a live session of `user_id`: from memory when known, else from the
/// database (then remembered for [`LIVE_TTL`]).
pub async fn is_live(state: &Domain, session_id: i64, user_id: i64) -> Result<bool, StoreError> {
    let cache = &state.cache.sessions;
    if let Some(live) = cache.known(session_id, user_id) {
        return Ok(live);
    }
    let _loading = cache.loaders[session_id.unsigned_abs() as usize % LOADERS]
        .lock()
        .await;
    // Someone who held the lock before may have just read it.
    if let Some(live) = cache.known(session_id, user_id) {
        return Ok(live);
    }
    match state.store.live_session_user(session_id).await? {
        Some(owner) => {
            cache.put_live(session_id, owner);
            Ok(owner == user_id)
        }
        None => {
            cache.ended(&[session_id]);
            Ok(false)
        }
    }
}

fn new_refresh_token() -> String {
    URL_SAFE_NO_PAD.encode(rand::random::<[u8; REFRESH_TOKEN_BYTES]>())
}

fn hash(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    let mut hex = String::with_capacity(64);
    for byte in digest {
        hex.push_str(&format!("{byte:02x}"));
    }
    hex
}

fn refresh_expiry(state: &Domain) -> i64 {
    let ttl = i64::try_from(state.settings.refresh_token_ttl.as_micros()).unwrap_or(i64::MAX);
    now_micros().saturating_add(ttl)
}

fn issue(state: &Domain, user_id: i64, session_id: i64, refresh: String) -> DomainResult<Issued> {
    // The session was just found live in the database; its first requests need not ask again.
    state.cache.sessions.put_live(session_id, user_id);
    Ok(Issued {
        access_token: state.tokens.issue(user_id, session_id)?,
        refresh_token: refresh,
        expires_in: state.tokens.ttl().as_secs().max(1),
        session_id,
    })
}

/// Starts a session for a user who has just proven their password.
pub async fn sign_in(state: &Domain, user_id: i64) -> DomainResult<Issued> {
    let refresh = new_refresh_token();
    let session_id = state
        .store
        .create_session(user_id, &hash(&refresh), refresh_expiry(state))
        .await?;
    // Sign-ins beyond the limit end the oldest, so one account holds a bounded number.
    let ended = state
        .store
        .revoke_sessions_beyond(user_id, state.settings.max_sessions_per_user)
        .await?;
    if !ended.is_empty() {
        announce(state, user_id, ended, false);
    }
    issue(state, user_id, session_id, refresh)
}

/// Exchanges a refresh token for a new pair. A token already exchanged ends its session (it
/// was copied: either the thief or the owner is presenting it late).
pub async fn refresh(state: &Domain, refresh_token: &str) -> DomainResult<Issued> {
    let refused = DomainError::Unauthorized {
        detail: "Invalid refresh token",
        challenge: false,
    };
    let next = new_refresh_token();
    let rotation = state
        .store
        .rotate_refresh_token(&hash(refresh_token), &hash(&next), refresh_expiry(state))
        .await?;
    match rotation {
        Rotation::Rotated {
            session_id,
            user_id,
        } => issue(state, user_id, session_id, next),
        Rotation::Reused {
            session_id,
            user_id,
        } => {
            tracing::warn!(
                user_id,
                session_id,
                "a used refresh token was presented again; the session is revoked"
            );
            announce(state, user_id, vec![session_id], false);
            Err(refused)
        }
        Rotation::Refused => Err(refused),
    }
}

/// Ends the caller's own session (sign-out). A token of no session has nothing to end.
pub async fn sign_out(state: &Domain, user_id: i64, session_id: Option<i64>) -> DomainResult<()> {
    if let Some(session_id) = session_id
        && state.store.revoke_session(user_id, session_id).await?
    {
        announce(state, user_id, vec![session_id], false);
    }
    Ok(())
}

/// Ends every session of the user, this one included ("sign out everywhere").
pub async fn sign_out_everywhere(state: &Domain, user_id: i64) -> DomainResult<()> {
    let ended = state.store.revoke_user_sessions(user_id, None).await?;
    announce(state, user_id, ended, true);
    Ok(())
}

/// Replaces the password after checking the current one, and ends every other session.
pub async fn change_password(
    state: &Domain,
    user_id: i64,
    session_id: Option<i64>,
    current: String,
    new: String,
) -> DomainResult<()> {
    let stored = state
        .store
        .user_by_id(user_id)
        .await?
        .map(|u| u.hashed_password);
    if !state.passwords.verify(current, stored).await? {
        return Err(DomainError::BadRequest("Current password is incorrect"));
    }
    let hashed = state.passwords.hash(new).await?;
    state.store.set_password(user_id, &hashed).await?;
    state.cache.forget_user(user_id);
    let ended = state
        .store
        .revoke_user_sessions(user_id, session_id)
        .await?;
    announce(state, user_id, ended, true);
    Ok(())
}

/// This node forgets the sessions at once; the real-time layer closes their sockets here and
/// tells the other nodes.
fn announce(state: &Domain, user_id: i64, session_ids: Vec<i64>, sessionless: bool) {
    state.cache.sessions.ended(&session_ids);
    state.realtime.sessions_ended(SessionsEnded {
        user_id,
        session_ids,
        sessionless,
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refresh_tokens_are_long_random_and_stored_as_sha256_hex() {
        let a = new_refresh_token();
        assert_eq!(a.len(), 43, "{a}");
        assert_ne!(a, new_refresh_token());
        let h = hash(&a);
        assert_eq!(h.len(), 64);
        assert!(h.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_ne!(h, a);
    }

    #[test]
    fn an_ended_session_stays_ended_even_when_a_late_read_says_live() {
        let cache = SessionCache::default();
        cache.put_live(7, 1);
        assert_eq!(cache.known(7, 1), Some(true));
        assert_eq!(cache.known(7, 2), Some(false), "another user's session");
        cache.ended(&[7]);
        cache.put_live(7, 1);
        assert_eq!(cache.known(7, 1), Some(false));
        assert_eq!(cache.known(8, 1), None);
    }
}

//! Charge's rules, in one place for every way in: HTTP routes and WebSocket sessions both call
//! this crate for access checks, accounts and tokens, invitations, rooms, channels and
//! messages. It knows nothing of HTTP or sockets: it returns typed results and one
//! [`DomainError`], and announces what changed through the [`Realtime`] trait, which the
//! real-time layer implements.
#![cfg_attr(not(test), warn(clippy::unwrap_used, clippy::expect_used))]

pub mod access;
pub mod accounts;
pub mod audit;
pub mod cache;
pub mod channels;
pub mod conversations;
pub mod direct_messages;
pub mod dto;
pub mod error;
pub mod hierarchy;
pub mod invitations;
pub mod legacy_hash;
pub mod logins;
pub mod mentions;
pub mod messages;
pub mod moderation;
pub mod overwrites;
pub mod passwords;
pub mod people;
pub mod permission_cache;
pub mod permissions;
pub mod presence;
pub mod readstate;
pub mod rooms;
pub mod slug;
pub mod validate;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use charge_config::Settings;
use charge_store::{Message, Store, StoreError};
use serde::Serialize;
pub use tungstenite::Utf8Bytes;

pub use error::{DomainError, DomainResult};

/// Everything a rule needs: storage, settings, credentials, the read cache and the way out to
/// connected clients. Cheap to clone (shared parts are behind `Arc`s).
#[derive(Clone)]
pub struct Domain {
    pub store: Store,
    pub settings: Arc<Settings>,
    /// Behind an `Arc`: the keys are heap data, and the state is cloned for every request.
    pub tokens: Arc<accounts::Tokens>,
    pub limiter: accounts::AuthLimiter,
    /// New messages per user (`CHAT_RATE_LIMIT_*`), shared by HTTP and sockets.
    pub posting: messages::PostingLimiter,
    /// The bounded password hashing pool (see `passwords`).
    pub passwords: passwords::Passwords,
    /// Coherent with every change because the real-time layer sees each one (see `cache`).
    pub cache: Arc<cache::ReadCache>,
    /// Timeouts and slow mode on the posting path (see `moderation::gate`).
    pub moderation: Arc<moderation::Gate>,
    pub realtime: Arc<dyn Realtime>,
}

/// A future the [`Realtime`] trait returns (the trait is used as a trait object).
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// What the rules need from the real-time layer: deliver events to connected clients (on
/// every node) and commit chat messages through the one message writer.
pub trait Realtime: Send + Sync {
    /// Sends an already serialised frame to every socket of a text channel.
    fn to_channel(&self, channel_id: i64, frame: Utf8Bytes);
    /// Sends a frame to every `/ws/rooms` socket of one user, whatever the room (their own
    /// read state), on every node.
    fn to_user(&self, user_id: i64, frame: Utf8Bytes);
    /// Sends a workspace event to a room's `/ws/rooms` sockets (admins and owners only when
    /// `admins_only`).
    fn to_room(&self, room_id: i64, frame: Utf8Bytes, admins_only: bool);
    /// A user's name, status or avatar changed: online lists show it, caches forget it.
    fn user_changed(&self, user: OnlineUser);
    /// A change to a channel's messages that is not broadcast (a pin): caches forget the
    /// channel's pages on every node.
    fn channel_changed_silently(&self, channel_id: i64);
    /// A room's role levels, member roles or channel overwrites changed: every node forgets
    /// its cached permission inputs for the room and re-checks the room's open sockets (a
    /// socket that lost `view` is closed, workspace streams hide the channel, invitation codes
    /// follow the member's new role).
    fn permissions_changed(&self, room_id: i64);
    /// Closes sockets of a room on every node — one user's, or everyone's when `user_id` is
    /// `None` — with the eviction's close reason: the room's `/ws/rooms` and `/ws/signal`
    /// sockets and the `/ws/text` sockets of `channel_ids` (the room's channels).
    fn evict(
        &self,
        room_id: i64,
        channel_ids: &[i64],
        user_id: Option<i64>,
        why: moderation::Eviction,
    );
    /// A member was timed out: their voice participant (on whichever node) is muted at once.
    fn timed_out(&self, room_id: i64, user_id: i64);
    /// Stores a message in commit order and broadcasts it; resolves once committed.
    fn create_message(&self, draft: messages::Draft) -> BoxFuture<'_, Result<Message, StoreError>>;
    /// Sends a frame to every `stream` socket of each of `users`, on every node.
    fn to_users(&self, stream: UserStream, users: &[i64], frame: Utf8Bytes);
    /// Whether a user has a socket open on any node, and whether all of them are idle.
    fn liveness(&self, user_id: i64) -> Liveness;
    /// A user's public fields or their friendships changed: their `/ws/presence` watchers
    /// (the user and each friend) hear of it, coalesced.
    fn presence_changed(&self, user_id: i64);
}

/// The per-user socket streams (rather than per channel or room).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UserStream {
    /// `/ws/direct`: conversations and their messages.
    Direct,
    /// `/ws/presence`: the statuses of the user and their friends.
    Presence,
}

/// What the real-time layer knows of a user's connections across all nodes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Liveness {
    pub connected: bool,
    /// Connected, but no activity on any socket for `PRESENCE_IDLE_SECONDS`.
    pub idle: bool,
}

/// Someone in a channel's online list (one definition, the wire's).
pub use charge_protocol::frames::text::OnlineUser;

/// Serialises a frame once, for every recipient to share.
pub fn frame(value: &impl Serialize) -> Utf8Bytes {
    match serde_json::to_string(value) {
        Ok(text) => Utf8Bytes::from(text),
        Err(e) => {
            tracing::error!(error = %e, "a frame could not be serialised");
            Utf8Bytes::from_static("{}")
        }
    }
}

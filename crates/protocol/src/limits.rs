//! Client-visible limits that are part of the contract rather than settings. The server checks
//! them in one place each and publishes them (with the configurable ones) at
//! `GET /api/config/limits`, so clients never keep their own copy.

/// Characters in a room title, channel, category or display name (after trimming).
pub const NAME_MAX_LENGTH: usize = 128;
/// Characters in a pin's note.
pub const PIN_NOTE_MAX_LENGTH: usize = 255;
/// Pinned messages one channel can hold.
pub const PINS_PER_CHANNEL: i64 = 250;
/// Categories one room can hold.
pub const CATEGORIES_PER_ROOM: i64 = 50;
/// Messages in one thread answer.
pub const THREAD_MAX_MESSAGES: i64 = 1_000;
/// Largest JSON request body, in bytes.
pub const JSON_BODY_MAX_BYTES: usize = 64 * 1024;
/// Largest WebSocket frame a client may send, in bytes.
pub const WS_FRAME_MAX_BYTES: usize = 64 * 1024;
/// Members embedded in room detail, `/ws/rooms` snapshots and member events (decision 22);
/// `members_total` says how many there are, `GET /api/rooms/{slug}/members` pages the rest.
pub const MEMBERS_EMBEDDED_MAX: usize = 200;
/// Members in one page of `GET /api/rooms/{slug}/members` (the default is 50).
pub const MEMBERS_PAGE_MAX: i64 = 200;
/// User overwrites one channel can hold.
pub const USER_OVERWRITES_PER_CHANNEL: i64 = 500;
/// Longest slow mode a text channel can have, in seconds (six hours).
pub const SLOW_MODE_MAX_SECONDS: i64 = 6 * 60 * 60;
/// Longest timeout, in seconds (28 days).
pub const TIMEOUT_MAX_SECONDS: i64 = 28 * 24 * 60 * 60;
/// Characters in a ban's reason.
pub const BAN_REASON_MAX_LENGTH: usize = 512;
/// Bans one ban list answer holds at most (newest first).
pub const BANS_LISTED_MAX: i64 = 1_000;
/// Audit log entries in a page when no `limit` is given, and the most a page may ask for.
pub const AUDIT_PAGE_DEFAULT: i64 = 50;
pub const AUDIT_PAGE_MAX: i64 = 100;
/// Characters in a client's message nonce (`nonce` on `/ws/text` and `POST /api/messages`).
pub const NONCE_MAX_LENGTH: usize = 64;

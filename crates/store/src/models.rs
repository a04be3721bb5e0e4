//! Rows as the rest of Charge sees them. Timestamps are microseconds since the epoch (UTC).

use sqlx::FromRow;

#[derive(Debug, Clone, FromRow)]
pub struct User {
    pub id: i64,
    pub login: String,
    pub hashed_password: String,
    pub display_name: Option<String>,
    pub avatar_updated_at: Option<i64>,
    pub avatar_path: Option<String>,
    pub presence_status: String,
    /// 1 when the user chose to appear offline (`presence_status` keeps their other choice).
    pub presence_invisible: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, FromRow)]
pub struct Room {
    pub id: i64,
    pub title: String,
    pub slug: String,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A user's membership in a room, with the user's public fields.
#[derive(Debug, Clone, FromRow)]
pub struct Member {
    pub id: i64,
    pub room_id: i64,
    pub user_id: i64,
    pub role: String,
    pub joined_at: i64,
    /// Until when the member may not post, react, type or speak (decision 25).
    pub timed_out_until: Option<i64>,
    pub login: String,
    pub display_name: Option<String>,
    pub avatar_path: Option<String>,
    pub avatar_updated_at: Option<i64>,
    pub presence_status: String,
}

#[derive(Debug, Clone, FromRow)]
pub struct RoleLevel {
    pub role: String,
    pub level: i64,
}

#[derive(Debug, Clone, FromRow)]
pub struct Category {
    pub id: i64,
    pub room_id: i64,
    pub name: String,
    pub position: i64,
    pub created_at: i64,
}

#[derive(Debug, Clone, FromRow)]
pub struct Channel {
    pub id: i64,
    pub room_id: i64,
    pub name: String,
    pub letter: String,
    #[sqlx(rename = "type")]
    pub kind: String,
    pub category_id: Option<i64>,
    pub position: i64,
    pub created_at: i64,
    /// Seconds between one member's messages; 0 is off (admins and owners are exempt).
    pub slow_mode_seconds: i64,
}

#[derive(Debug, Clone, FromRow)]
pub struct Invitation {
    pub id: i64,
    pub room_id: i64,
    pub code: String,
    pub role: String,
    pub created_by_id: Option<i64>,
    pub expires_at: Option<i64>,
    pub created_at: i64,
}

/// A message with its author's public fields and thread counters.
#[derive(Debug, Clone, Default, FromRow)]
pub struct Message {
    pub id: i64,
    pub channel_id: i64,
    pub author_id: Option<i64>,
    pub parent_id: Option<i64>,
    pub thread_root_id: Option<i64>,
    pub content: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub edited_at: Option<i64>,
    pub deleted_at: Option<i64>,
    pub moderated_at: Option<i64>,
    pub moderation_note: Option<String>,
    pub moderated_by_id: Option<i64>,
    pub delivered_count: i64,
    pub read_count: i64,
    /// Ids of the users the message mentions, comma-separated (`None` when none).
    pub mention_ids: Option<String>,
    /// Whether it mentions everyone (`@everyone` or `@here` by an admin).
    pub mention_everyone: i64,
    pub author_login: Option<String>,
    pub author_display_name: Option<String>,
    pub author_avatar_path: Option<String>,
    pub author_avatar_updated_at: Option<i64>,
    pub author_presence_status: Option<String>,
    pub moderator_login: Option<String>,
    pub moderator_display_name: Option<String>,
    pub moderator_avatar_path: Option<String>,
    pub moderator_avatar_updated_at: Option<i64>,
    pub moderator_presence_status: Option<String>,
    /// The message's pin, if it is pinned, and who pinned it.
    pub pin_id: Option<i64>,
    pub pin_note: Option<String>,
    pub pinned_at: Option<i64>,
    pub pinned_by_id: Option<i64>,
    pub pinner_login: Option<String>,
    pub pinner_display_name: Option<String>,
    pub pinner_avatar_path: Option<String>,
    pub pinner_avatar_updated_at: Option<i64>,
    pub pinner_presence_status: Option<String>,
    /// Filled by the store after the row query.
    #[sqlx(skip)]
    pub reply_count: i64,
    #[sqlx(skip)]
    pub thread_reply_count: i64,
    /// Reactions on the message, by emoji then user id (filled by the store, not the query).
    #[sqlx(skip)]
    pub reactions: Vec<Reaction>,
    /// The client's nonce, on a message just stored or found again by it (never read back).
    #[sqlx(skip)]
    pub nonce: Option<String>,
    /// Found by its nonce instead of stored: the message was already sent before.
    #[sqlx(skip)]
    pub replayed: bool,
}

impl Message {
    /// The ids of the users the message mentions, ascending.
    pub fn mentioned_users(&self) -> Vec<i64> {
        let mut ids: Vec<i64> = self
            .mention_ids
            .as_deref()
            .unwrap_or_default()
            .split(',')
            .filter_map(|id| id.trim().parse().ok())
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, FromRow)]
pub struct Reaction {
    pub message_id: i64,
    pub emoji: String,
    pub user_id: i64,
}

/// Room roles, strongest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    Owner,
    Admin,
    Member,
    Guest,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Owner, Role::Admin, Role::Member, Role::Guest];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Admin => "admin",
            Role::Member => "member",
            Role::Guest => "guest",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// Channel kinds; the first four carry text, the last two voice.
pub const TEXT_CHANNEL_TYPES: [&str; 4] = ["text", "announcements", "forums", "events"];
pub const VOICE_CHANNEL_TYPES: [&str; 2] = ["voice", "stage"];

impl Channel {
    pub fn is_text(&self) -> bool {
        TEXT_CHANNEL_TYPES.contains(&self.kind.as_str())
    }
}

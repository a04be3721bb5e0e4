//! REST request and response bodies.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// `{"detail": "..."}`, the body of every handler error.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ErrorBody {
    pub detail: String,
}

/// One request validation problem (the 422 body is `{"detail": [ValidationItem, ...]}`).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ValidationItem {
    #[serde(rename = "type")]
    pub kind: String,
    pub loc: Vec<serde_json::Value>,
    pub msg: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ValidationErrorBody {
    pub detail: Vec<ValidationItem>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct HealthRead {
    pub status: String,
    pub environment: String,
}

/// `GET /ready`: whether this node can serve now. `database` and `broker` are `ok` or
/// `unavailable`; `broker` is `not used` for a single process.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ReadinessRead {
    pub status: String,
    pub database: String,
    pub broker: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct WelcomeRead {
    pub message: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RegisterRequest {
    /// 3–64 characters.
    pub login: String,
    /// 8–128 characters.
    pub password: String,
    /// Trimmed, 1–128 characters.
    #[serde(default)]
    pub display_name: Option<String>,
    /// `online`, `idle` or `dnd`.
    #[serde(default)]
    pub status: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct LoginRequest {
    pub login: String,
    pub password: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TokenRead {
    pub access_token: String,
    pub token_type: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct UserRead {
    pub id: i64,
    pub login: String,
    pub display_name: Option<String>,
    pub status: String,
    pub avatar_url: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RoomCreate {
    /// Trimmed, 1–128 characters.
    pub title: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RoomRead {
    pub id: i64,
    pub title: String,
    pub slug: String,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ChannelCreate {
    /// Trimmed, 1–128 characters.
    pub name: String,
    /// `text`, `voice`, `stage`, `announcements`, `forums` or `events`.
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub category_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ChannelRead {
    pub id: i64,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub category_id: Option<i64>,
    pub letter: String,
    pub position: i64,
    pub created_at: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ChannelCategoryRead {
    pub id: i64,
    pub name: String,
    pub position: i64,
    pub created_at: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct RoomInvitationRead {
    pub id: i64,
    pub code: String,
    pub role: String,
    pub expires_at: Option<String>,
    pub created_at: String,
    pub created_by_id: Option<i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RoomRoleLevelRead {
    pub role: String,
    pub level: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct RoomMemberSummary {
    pub id: i64,
    pub user_id: i64,
    pub role: String,
    pub login: String,
    pub display_name: Option<String>,
    pub avatar_url: Option<String>,
    pub status: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RoomDetail {
    pub id: i64,
    pub title: String,
    pub slug: String,
    pub created_at: String,
    pub updated_at: String,
    pub channels: Vec<ChannelRead>,
    pub categories: Vec<ChannelCategoryRead>,
    pub invitations: Vec<RoomInvitationRead>,
    pub role_hierarchy: Vec<RoomRoleLevelRead>,
    pub current_role: Option<String>,
    pub members: Vec<RoomMemberSummary>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct InvitationCreate {
    /// `owner`, `admin`, `member` (default) or `guest`; never above the creator's own role.
    #[serde(default)]
    pub role: Option<String>,
    /// RFC 3339 timestamp; the invitation answers 410 after it.
    #[serde(default)]
    pub expires_at: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct InviteCreate {
    pub room_slug: String,
    #[serde(default)]
    pub role: Option<String>,
    #[serde(default)]
    pub expires_at: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MemberRoleUpdate {
    pub role: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MemberRoleRead {
    pub role: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct MessageAuthor {
    pub id: i64,
    pub login: String,
    pub display_name: Option<String>,
    pub avatar_url: Option<String>,
    pub status: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct MessageReactionSummary {
    pub emoji: String,
    pub count: i64,
    pub reacted: bool,
    pub user_ids: Vec<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct MessageRead {
    pub id: i64,
    pub channel_id: i64,
    pub author_id: Option<i64>,
    pub author: Option<MessageAuthor>,
    pub content: String,
    pub created_at: String,
    pub updated_at: String,
    pub edited_at: Option<String>,
    pub deleted_at: Option<String>,
    pub moderated_at: Option<String>,
    pub moderation_note: Option<String>,
    pub moderated_by: Option<MessageAuthor>,
    pub parent_id: Option<i64>,
    pub thread_root_id: Option<i64>,
    pub reply_count: i64,
    pub thread_reply_count: i64,
    pub attachments: Vec<serde_json::Value>,
    pub reactions: Vec<MessageReactionSummary>,
    pub delivered_count: i64,
    pub read_count: i64,
    pub delivered_at: Option<String>,
    pub read_at: Option<String>,
    pub pinned_at: Option<String>,
    pub pinned_by: Option<MessageAuthor>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct MessageHistoryPage {
    pub items: Vec<MessageRead>,
    pub next_cursor: Option<String>,
    pub prev_cursor: Option<String>,
    pub has_more_backward: bool,
    pub has_more_forward: bool,
}

/// `POST /api/messages`: sent as JSON or as the contract's `multipart/form-data` form with
/// the same field names.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MessageCreate {
    pub channel_id: i64,
    /// Trailing whitespace is removed; then 1 to `CHAT_MESSAGE_MAX_LENGTH` characters, not blank.
    #[serde(default)]
    pub content: String,
    /// The message this one answers, in the same channel.
    #[serde(default)]
    pub parent_id: Option<i64>,
}

/// [`MessageCreate`] as a `multipart/form-data` form: the same fields, where a form has no
/// `null` (leave `parent_id` out, or empty, for a message that answers nothing). Other field
/// names are refused (422), so a misspelt field is never silently dropped.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MessageCreateForm {
    pub channel_id: i64,
    #[serde(default)]
    pub content: String,
    #[serde(default)]
    #[schema(nullable = false)]
    pub parent_id: Option<i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MessageEdit {
    pub content: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MessageModerate {
    /// `suppress` or `restore`.
    pub action: String,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct PinCreate {
    /// At most 255 characters.
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PinnedMessageRead {
    pub id: i64,
    pub channel_id: i64,
    pub message_id: i64,
    pub message: MessageRead,
    pub pinned_at: String,
    pub pinned_by: Option<MessageAuthor>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ReactionCreate {
    /// 1–32 characters.
    pub emoji: String,
}

/// `GET /api/config/limits`: the limits a client enforces before sending, taken from the
/// server's settings and constants so no client keeps its own copy.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct LimitsRead {
    /// Maximum characters in a chat message (`CHAT_MESSAGE_MAX_LENGTH`).
    pub message_max_length: usize,
    /// Messages in a history page when no `limit` is given.
    pub history_default_limit: i64,
    /// Largest `limit` a history or search request accepts.
    pub history_max_limit: i64,
    /// Seconds a typing indicator lasts without a refresh.
    pub typing_ttl_seconds: f64,
    /// Pinned messages a channel can hold.
    pub pins_per_channel: i64,
    /// Characters in a pin note.
    pub pin_note_max_length: usize,
    /// Categories a room can hold.
    pub categories_per_room: i64,
    /// Characters in a room title, channel, category or display name.
    pub name_max_length: usize,
    /// Largest JSON request body in bytes.
    pub json_body_max_bytes: usize,
    /// Largest WebSocket frame in bytes.
    pub ws_frame_max_bytes: usize,
}

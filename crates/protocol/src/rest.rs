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

/// A sign-in's tokens: a short-lived bearer token and the refresh token that renews it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TokenRead {
    pub access_token: String,
    pub token_type: String,
    /// Single use: `POST /api/auth/refresh` exchanges it for a new pair. Presenting one that
    /// was already exchanged ends the whole sign-in session.
    pub refresh_token: String,
    /// Seconds until `access_token` expires.
    pub expires_in: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RefreshRequest {
    /// The refresh token of the last sign-in or refresh (1–256 characters).
    #[schema(min_length = 1, max_length = 256)]
    pub refresh_token: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PasswordChangeRequest {
    /// 8–128 characters.
    #[schema(min_length = 8, max_length = 128)]
    pub current_password: String,
    /// 8–128 characters.
    #[schema(min_length = 8, max_length = 128)]
    pub new_password: String,
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
    /// Seconds between one member's messages; 0 is off (decision 25).
    #[serde(default)]
    pub slow_mode_seconds: i64,
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
    /// Until when the member may not post, react, type or speak; `null` when not timed out.
    #[serde(default)]
    pub timed_out_until: Option<String>,
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
    /// At most `limits::MEMBERS_EMBEDDED_MAX`, in the contract's order; the rest are read
    /// page by page from `GET /api/rooms/{slug}/members`.
    pub members: Vec<RoomMemberSummary>,
    /// How many members the room has (more than `members` holds when the room is large).
    #[serde(default)]
    pub members_total: i64,
    /// The caller's unread messages in the room's text channels (capped per channel).
    #[serde(default)]
    pub unread_count: i64,
    /// The caller's unread mentions in the room.
    #[serde(default)]
    pub mention_count: i64,
    /// The caller's read state in each text channel of the room it may read.
    #[serde(default)]
    pub read_states: Vec<ChannelReadState>,
}

/// A user's read state in one text channel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ChannelReadState {
    pub channel_id: i64,
    pub room_id: i64,
    /// The last message read; 0 when nothing was read there yet.
    pub last_read_message_id: i64,
    /// Others' messages after it (not deleted or moderated), at most 1000.
    pub unread_count: i64,
    /// Those of them that mention the user, `@everyone` or `@here`.
    pub mention_count: i64,
}

/// `GET /api/read-states`: the caller's counts in one room.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct RoomReadState {
    pub room_id: i64,
    pub slug: String,
    pub unread_count: i64,
    pub mention_count: i64,
    pub channels: Vec<ChannelReadState>,
}

/// `POST /api/channels/{channel_id}/read`: the message read up to; absent or `null` means the
/// channel's newest message.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct ReadMarkCreate {
    #[serde(default)]
    pub message_id: Option<i64>,
}

/// `POST /api/channels/{channel_id}/messages/{message_id}/receipts`: at least one `true`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct ReceiptCreate {
    #[serde(default)]
    pub delivered: Option<bool>,
    #[serde(default)]
    pub read: Option<bool>,
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
    pub attachments: Vec<MessageAttachmentRead>,
    pub reactions: Vec<MessageReactionSummary>,
    pub delivered_count: i64,
    pub read_count: i64,
    pub delivered_at: Option<String>,
    pub read_at: Option<String>,
    pub pinned_at: Option<String>,
    pub pinned_by: Option<MessageAuthor>,
    /// Ids of the room members the message mentions by `@login`, ascending (a Charge addition).
    #[serde(default)]
    pub mentions: Vec<i64>,
    /// Whether the message mentions everyone (`@everyone` or `@here` from an admin or owner).
    #[serde(default)]
    pub mention_everyone: bool,
    /// The nonce the sender gave the message, on the answer to the sender and on the
    /// real-time frame of the new message; absent elsewhere.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
}

/// An uploaded file, bound to a message or waiting for one (`message_id: null`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct MessageAttachmentRead {
    pub id: i64,
    pub channel_id: i64,
    pub message_id: Option<i64>,
    pub file_name: String,
    /// Sniffed from the file's bytes, never the type the client declared.
    pub content_type: Option<String>,
    pub file_size: i64,
    /// `/api/channels/{channel_id}/attachments/{id}/download` (bearer).
    pub download_url: String,
    /// The download URL for images, else null.
    pub preview_url: Option<String>,
    pub uploaded_by: Option<i64>,
    pub created_at: String,
    /// Pixel size of an image (null for other files), so clients can reserve its space.
    pub width: Option<i64>,
    pub height: Option<i64>,
    /// A small JPEG or PNG rendition of an image, at most 320 pixels on its longer side.
    pub thumbnail_url: Option<String>,
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
    /// Makes a resend safe: 1–64 characters (an integer is taken as its digits).
    #[serde(default)]
    pub nonce: Option<String>,
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
    #[serde(default)]
    #[schema(nullable = false)]
    pub nonce: Option<String>,
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
    /// Longest slow mode of a channel, in seconds.
    pub slow_mode_max_seconds: i64,
    /// Longest timeout, in seconds.
    pub timeout_max_seconds: i64,
    /// Characters in a ban's reason.
    pub ban_reason_max_length: usize,
    /// Largest file in bytes, per attachment, avatar or room icon (`MAX_UPLOAD_SIZE`).
    pub upload_max_bytes: u64,
    /// Files one message may carry (`MAX_ATTACHMENTS_PER_MESSAGE`).
    pub attachments_per_message: usize,
}

/// `PATCH /api/rooms/{slug}`: rename a room (the slug stays).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RoomUpdate {
    /// Trimmed, 1–128 characters.
    pub title: String,
}

/// `DELETE /api/rooms/{slug}`: the room's title, typed again, confirms the deletion.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RoomDeleteConfirm {
    pub confirm: String,
}

/// `POST /api/rooms/{slug}/transfer-ownership`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct OwnershipTransfer {
    pub user_id: i64,
}

/// `PUT /api/rooms/{slug}/bans/{user_id}`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct BanCreate {
    /// At most 512 characters.
    #[serde(default)]
    pub reason: Option<String>,
}

/// A room ban, with the banned user's public fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct BanRead {
    pub user_id: i64,
    pub login: String,
    pub display_name: Option<String>,
    pub avatar_url: Option<String>,
    pub reason: Option<String>,
    pub banned_by_id: Option<i64>,
    pub created_at: String,
}

/// `PUT /api/rooms/{slug}/members/{user_id}/timeout`: `until` in the future, or `null` to lift.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TimeoutUpdate {
    pub until: Option<String>,
}

/// `PUT /api/channels/{channel_id}/slow-mode`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SlowModeUpdate {
    /// 0 (off) to the published maximum.
    pub seconds: i64,
}

/// One audit log entry: who changed what, and the state before and after.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AuditLogEntryRead {
    pub id: i64,
    /// e.g. `member.kick`, `channel.create`, `room.rename`.
    pub action: String,
    pub actor: Option<MessageAuthor>,
    /// `member`, `room`, `channel`, `category`, `invitation`, `role` or `permission`.
    pub target_type: String,
    pub target_id: Option<i64>,
    #[schema(value_type = Option<Object>)]
    pub before: Option<serde_json::Value>,
    #[schema(value_type = Option<Object>)]
    pub after: Option<serde_json::Value>,
    pub created_at: String,
}

/// `GET /api/rooms/{slug}/audit-log`: newest first; `next_cursor` fetches older entries.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AuditLogPage {
    pub items: Vec<AuditLogEntryRead>,
    pub next_cursor: Option<String>,
}
/// One page of `GET /api/rooms/{slug}/members`: members sorted by name, the room's (or the
/// search's) total, and the offset of the next page when there is one.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RoomMemberPage {
    pub items: Vec<RoomMemberSummary>,
    pub total: i64,
    pub next_offset: Option<i64>,
}

/// `PATCH /api/rooms/{slug}/roles/hierarchy/{role_name}`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RoleLevelUpdate {
    /// 0 or more; a higher level outranks a lower one.
    pub level: i64,
}

/// The body of both overwrite `PUT`s: permission names to add and to remove.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct PermissionOverwriteUpdate {
    #[serde(default)]
    pub allow: Vec<String>,
    #[serde(default)]
    pub deny: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ChannelPermissionRoleRead {
    pub role: String,
    pub allow: Vec<String>,
    pub deny: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ChannelPermissionUserRead {
    pub user_id: i64,
    pub login: String,
    pub display_name: Option<String>,
    pub avatar_url: Option<String>,
    pub status: String,
    pub allow: Vec<String>,
    pub deny: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ChannelPermissionSummary {
    pub channel_id: i64,
    pub roles: Vec<ChannelPermissionRoleRead>,
    pub users: Vec<ChannelPermissionUserRead>,
}

//! REST bodies of friends, blocks and direct conversations (`/api/dm`). The contract's shapes
//! (§1.8) are kept field for field; fields it lacks (replies, edits, deletions, reactions,
//! presence details) are added, never renamed.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::rest::MessageReactionSummary;

/// Direct conversations with more members than this cannot be created or grown.
pub const GROUP_MAX_MEMBERS: usize = 10;
/// Characters in a conversation note.
pub const NOTE_MAX_LENGTH: usize = 2_000;
/// Characters in a direct message.
pub const DIRECT_MESSAGE_MAX_LENGTH: usize = 2_000;
/// Messages in one page of a conversation when no `limit` is given.
pub const DIRECT_PAGE_DEFAULT: i64 = 50;
/// Most messages one page of a conversation returns.
pub const DIRECT_PAGE_MAX: i64 = 100;
/// Most conversations listed (and sent in a `direct_snapshot`), newest activity first.
pub const CONVERSATIONS_LISTED_MAX: i64 = 200;
/// Most friends, requests or blocks listed.
pub const PEOPLE_LISTED_MAX: i64 = 1_000;

/// The status of someone not connected anywhere, or who chose to appear offline.
pub const STATUS_OFFLINE: &str = "offline";
/// A user's own status while they appear offline to everyone else.
pub const STATUS_INVISIBLE: &str = "invisible";

/// A person as others see them. `status` is their live presence (`online`, `idle`, `dnd` or
/// `offline`; an invisible user shows as `offline`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PublicUser {
    pub id: i64,
    pub login: String,
    pub display_name: Option<String>,
    pub avatar_url: Option<String>,
    pub status: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct FriendRequestRead {
    pub id: i64,
    pub requester: PublicUser,
    pub addressee: PublicUser,
    /// `pending`, `accepted` or `declined`.
    pub status: String,
    pub created_at: String,
    pub responded_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct FriendRequestList {
    pub incoming: Vec<FriendRequestRead>,
    pub outgoing: Vec<FriendRequestRead>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct FriendRequestCreate {
    /// 3–64 characters; matched case-insensitively.
    pub login: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct DirectMessageRead {
    pub id: i64,
    pub conversation_id: i64,
    pub sender_id: i64,
    pub recipient_id: Option<i64>,
    /// Empty once the message is deleted.
    pub content: String,
    pub created_at: String,
    pub read_at: Option<String>,
    pub sender: PublicUser,
    /// The message this one answers, if any.
    pub parent_id: Option<i64>,
    pub edited_at: Option<String>,
    pub deleted_at: Option<String>,
    pub reactions: Vec<MessageReactionSummary>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct DirectConversationParticipantRead {
    pub user: PublicUser,
    pub nickname: Option<String>,
    /// Only ever the caller's own note; other participants' notes are private (`null`).
    pub note: Option<String>,
    pub joined_at: String,
    pub last_read_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct DirectConversationRead {
    pub id: i64,
    pub title: Option<String>,
    pub is_group: bool,
    pub participants: Vec<DirectConversationParticipantRead>,
    pub last_message: Option<DirectMessageRead>,
    pub unread_count: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ConversationCreate {
    /// Other participants (the caller is added); each must be an accepted friend.
    pub participant_ids: Vec<i64>,
    /// Groups only: trimmed, 1–128 characters.
    #[serde(default)]
    pub title: Option<String>,
}

/// Renames a group (`title`: trimmed 1–128 characters, or `null` to clear it).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ConversationUpdate {
    pub title: Option<String>,
}

/// Adds friends of the caller to a group.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ParticipantsAdd {
    pub user_ids: Vec<i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct NoteUpdate {
    /// Trimmed, at most 2,000 characters; `null` or blank clears it.
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DirectMessageCreate {
    /// Trimmed, 1–2,000 characters.
    pub content: String,
    /// The message of the same conversation this one answers.
    #[serde(default)]
    pub parent_id: Option<i64>,
}

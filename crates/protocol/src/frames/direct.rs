//! `/ws/direct`: direct-message events (§2.5). The server sends a `direct_snapshot` on
//! connect and on `refresh`, then `message`, `conversation_refresh` and `note_updated` as the
//! contract lists them, plus the events of what Charge adds to conversations (edits,
//! deletions, reactions, typing, leaving).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{FrameError, deserialize_via_parse};
use crate::people::{DirectConversationRead, DirectMessageRead};

/// A frame a client sends to `/ws/direct`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum DirectClientFrame {
    /// Answered with a new `direct_snapshot`.
    Refresh,
    /// Answered with `pong`.
    Ping,
    /// "I am typing in this conversation", shown to its other participants.
    Typing { conversation_id: i64 },
}

/// Reads a client frame of the direct gateway; see [`error_detail`] for what it answers.
pub fn parse(text: &str) -> Result<DirectClientFrame, FrameError> {
    match serde_json::from_str::<Value>(text) {
        Ok(value) => parse_value(value),
        Err(_) => Err(FrameError::InvalidJson),
    }
}

/// [`parse`] for a frame already read as JSON.
pub fn parse_value(value: Value) -> Result<DirectClientFrame, FrameError> {
    let Value::Object(object) = value else {
        return Err(FrameError::NotAnObject);
    };
    match object.get("type").and_then(Value::as_str) {
        Some("refresh") => Ok(DirectClientFrame::Refresh),
        Some("ping") => Ok(DirectClientFrame::Ping),
        Some("typing") => match object.get("conversation_id").and_then(Value::as_i64) {
            Some(conversation_id) => Ok(DirectClientFrame::Typing { conversation_id }),
            None => Err(FrameError::Malformed("conversation_id is required")),
        },
        Some(kind) if !kind.is_empty() => Err(FrameError::Unknown(kind.to_owned())),
        _ => Err(FrameError::MissingType),
    }
}

/// The detail of the `error` frame the direct gateway answers with; `None` means the frame is
/// ignored (an unknown `type`, for clients newer than the server).
pub fn error_detail(error: &FrameError) -> Option<&'static str> {
    match error {
        FrameError::InvalidJson | FrameError::NotAnObject | FrameError::MissingType => {
            Some("Invalid payload")
        }
        FrameError::Malformed(detail) => Some(detail),
        FrameError::Unknown(_) => None,
    }
}

deserialize_via_parse!(DirectClientFrame, parse_value);

/// A frame the server sends on `/ws/direct`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum DirectServerFrame {
    /// The caller's conversations, as `GET /api/dm/conversations` lists them.
    DirectSnapshot {
        conversations: Vec<DirectConversationRead>,
    },
    /// A new message, to every participant (the sender included).
    Message {
        conversation_id: i64,
        message: DirectMessageRead,
    },
    /// A message was edited, deleted (its content erased) or its reactions changed.
    MessageUpdated {
        conversation_id: i64,
        message: DirectMessageRead,
    },
    /// Something in the conversation changed (a message, the title, who takes part): fetch
    /// it again. Also sent to a participant who left or was removed.
    ConversationRefresh { conversation_id: i64 },
    /// The caller's own note changed (sent to the note owner only).
    NoteUpdated {
        conversation_id: i64,
        user_id: i64,
        note: Option<String>,
    },
    /// Someone is typing in a conversation (to the other participants).
    Typing { conversation_id: i64, user_id: i64 },
    /// The answer to `ping`.
    Pong,
    /// The answer to a frame that cannot be used.
    Error { detail: String },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_contract_frames_read_as_it_writes_them() {
        let refresh: DirectServerFrame =
            serde_json::from_str(r#"{"type":"conversation_refresh","conversation_id":7}"#).unwrap();
        assert_eq!(
            refresh,
            DirectServerFrame::ConversationRefresh { conversation_id: 7 }
        );
        let note = serde_json::to_value(DirectServerFrame::NoteUpdated {
            conversation_id: 1,
            user_id: 2,
            note: None,
        })
        .unwrap();
        assert_eq!(
            note,
            serde_json::json!({"type":"note_updated","conversation_id":1,"user_id":2,"note":null})
        );
        assert_eq!(
            parse(r#"{"type":"refresh"}"#),
            Ok(DirectClientFrame::Refresh)
        );
        assert_eq!(parse("nope"), Err(FrameError::InvalidJson));
        assert_eq!(
            error_detail(&parse("nope").unwrap_err()),
            Some("Invalid payload")
        );
    }
}

//! `/ws/presence`: the statuses of a user and their friends (§2.4). The server sends a
//! `status_snapshot` on connect and a `status` whenever one of them changes status, display
//! name or avatar, connects or disconnects. Clients may send `activity` (the person is at the
//! keyboard, which ends `idle`) and `ping`; everything else is ignored, as the contract says.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{FrameError, deserialize_via_parse};

/// A frame a client sends to `/ws/presence`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum PresenceClientFrame {
    /// Answered with `pong`.
    Ping,
    /// The person is active: ends `idle` on every node.
    Activity,
}

/// Reads a client frame of the presence gateway. Every error is ignored (the contract reads
/// and ignores client frames).
pub fn parse(text: &str) -> Result<PresenceClientFrame, FrameError> {
    let Ok(Value::Object(object)) = serde_json::from_str::<Value>(text) else {
        return Err(FrameError::InvalidJson);
    };
    parse_value(Value::Object(object))
}

/// [`parse`] for a frame already read as JSON.
pub fn parse_value(value: Value) -> Result<PresenceClientFrame, FrameError> {
    let Value::Object(object) = value else {
        return Err(FrameError::NotAnObject);
    };
    match object.get("type").and_then(Value::as_str) {
        Some("ping") => Ok(PresenceClientFrame::Ping),
        Some("activity") => Ok(PresenceClientFrame::Activity),
        Some(kind) if !kind.is_empty() => Err(FrameError::Unknown(kind.to_owned())),
        _ => Err(FrameError::MissingType),
    }
}

deserialize_via_parse!(PresenceClientFrame, parse_value);

/// One person's status as `/ws/presence` carries it (`display_name` falls back to the login).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatusUser {
    pub id: i64,
    pub login: String,
    pub display_name: String,
    pub avatar_url: Option<String>,
    /// `online`, `idle`, `dnd` or `offline`; a user's own entry shows `invisible` when they
    /// chose to appear offline.
    pub status: String,
    /// When they were last connected (null if never, or while hidden).
    pub last_seen_at: Option<String>,
}

/// A frame the server sends on `/ws/presence`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum PresenceServerFrame {
    /// The user and each accepted friend.
    StatusSnapshot { users: Vec<StatusUser> },
    /// One of them changed.
    Status { user: StatusUser },
    /// No longer a friend (removed or blocked): forget their status.
    StatusRemoved { user_id: i64 },
    /// The answer to `ping`.
    Pong,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_status_frame_has_the_contract_shape() {
        let frame = PresenceServerFrame::Status {
            user: StatusUser {
                id: 3,
                login: "bob".into(),
                display_name: "bob".into(),
                avatar_url: None,
                status: "online".into(),
                last_seen_at: None,
            },
        };
        assert_eq!(
            serde_json::to_value(&frame).unwrap(),
            serde_json::json!({"type":"status","user":{"id":3,"login":"bob","display_name":"bob",
                "avatar_url":null,"status":"online","last_seen_at":null}})
        );
        assert_eq!(
            parse("{\"type\":\"activity\"}"),
            Ok(PresenceClientFrame::Activity)
        );
        assert!(parse("[]").is_err());
    }
}

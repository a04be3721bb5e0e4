//! `/ws/text/{channel_id}`: chat in one text channel. On connect the server sends `history`,
//! `presence` and (if anyone types) `typing`; then clients send messages, reactions, typing and
//! pings, and every socket of the channel receives the resulting `message`, `reaction`,
//! `typing` and `presence` frames.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{Checked, FrameError, deserialize_via_parse, serialize_checked};
use crate::limits::NONCE_MAX_LENGTH;
use crate::rest::{MessageHistoryPage, MessageRead};

/// A frame a client sends to `/ws/text/{channel_id}`. Read with [`parse`]: a frame without a
/// `type` (or with one that is not a string) is a `message`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum TextClientFrame {
    /// `{"type":"message","content":"text","attachments":[int,...],"parent_id":int|null}`.
    Message(NewMessage),
    /// `{"type":"reaction","message_id":int,"emoji":"🔥","operation":"add"|"remove"}`.
    Reaction(ReactionChange),
    /// `{"type":"typing","is_typing":bool}`.
    Typing { is_typing: bool },
    /// `{"type":"ping"}`, answered with `pong`.
    Ping,
}

/// A chat message to post. Blank content and the length limit are the server's checks, made
/// after the parent message is looked up, as the contract orders them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewMessage {
    /// As sent, not trimmed: absent or `null` is empty, and a non-string value is its JSON text.
    pub content: String,
    /// Ids of attachments uploaded to this channel (absent and `null` are empty).
    pub attachments: Vec<i64>,
    /// The message replied to. A value that is not an integer is answered
    /// "parent_id must be an integer" only after the attachments have been checked.
    #[serde(serialize_with = "serialize_checked")]
    pub parent_id: Checked<Option<i64>>,
    /// The client's id for the message (a string, or an integer read as its digits, at most
    /// [`NONCE_MAX_LENGTH`] characters): a resend with the same nonce is answered with the
    /// message first stored instead of a second copy. Checked after the parent.
    #[serde(
        serialize_with = "serialize_checked",
        skip_serializing_if = "is_unchecked_none"
    )]
    pub nonce: Checked<Option<String>>,
}

fn is_unchecked_none(nonce: &Checked<Option<String>>) -> bool {
    matches!(nonce, Ok(None))
}

/// Adding or removing the sender's reaction to a message of the channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReactionChange {
    pub message_id: i64,
    /// Trimmed and not empty. Its length limit is the server's check.
    pub emoji: String,
    pub operation: ReactionOperation,
}

/// `operation` of a reaction frame: `remove` in any case removes, anything else (or nothing)
/// adds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReactionOperation {
    Add,
    Remove,
}

/// Reads a client frame of the text gateway. Errors come in the gateway's order: JSON, object,
/// type, then the frame's fields; [`error_detail`] gives the answer to each.
pub fn parse(text: &str) -> Result<TextClientFrame, FrameError> {
    from_object(super::object(text)?)
}

/// [`parse`] for a frame already read as JSON.
pub fn parse_value(value: Value) -> Result<TextClientFrame, FrameError> {
    match value {
        Value::Object(object) => from_object(object),
        _ => Err(FrameError::NotAnObject),
    }
}

/// The detail of the `error` frame the text gateway answers a frame it cannot use with.
pub fn error_detail(error: &FrameError) -> &'static str {
    match error {
        FrameError::InvalidJson => "Invalid message format",
        FrameError::NotAnObject => "Message payload must be a JSON object",
        // Not produced here (such a frame is a message); answered like an unknown type.
        FrameError::MissingType | FrameError::Unknown(_) => "Unsupported payload type",
        FrameError::Malformed(detail) => detail,
    }
}

fn from_object(mut object: Map<String, Value>) -> Result<TextClientFrame, FrameError> {
    let kind = object.remove("type");
    match kind.as_ref().and_then(Value::as_str).unwrap_or("message") {
        "message" => new_message(&mut object).map(TextClientFrame::Message),
        "reaction" => reaction(&object).map(TextClientFrame::Reaction),
        "typing" => match object.get("is_typing") {
            Some(Value::Bool(is_typing)) => Ok(TextClientFrame::Typing {
                is_typing: *is_typing,
            }),
            _ => Err(FrameError::Malformed(
                "Typing payload must include boolean 'is_typing'",
            )),
        },
        "ping" => Ok(TextClientFrame::Ping),
        other => Err(FrameError::Unknown(other.to_owned())),
    }
}

fn new_message(object: &mut Map<String, Value>) -> Result<NewMessage, FrameError> {
    let attachments = match object.get("attachments") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) if items.iter().all(Value::is_i64) => {
            items.iter().filter_map(Value::as_i64).collect()
        }
        Some(_) => {
            return Err(FrameError::Malformed(
                "Attachments must be provided as a list of integers",
            ));
        }
    };
    let parent_id = match object.get("parent_id") {
        None | Some(Value::Null) => Ok(None),
        Some(id) => id.as_i64().map(Some).ok_or("parent_id must be an integer"),
    };
    let nonce = match object.get("nonce") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if (1..=NONCE_MAX_LENGTH).contains(&s.chars().count()) => {
            Ok(Some(s.clone()))
        }
        Some(Value::Number(n)) if n.is_i64() || n.is_u64() => Ok(Some(n.to_string())),
        Some(_) => Err("nonce must be a string of 1 to 64 characters"),
    };
    let content = match object.remove("content") {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(content)) => content,
        Some(other) => other.to_string(),
    };
    Ok(NewMessage {
        content,
        attachments,
        parent_id,
        nonce,
    })
}

fn reaction(object: &Map<String, Value>) -> Result<ReactionChange, FrameError> {
    let message_id =
        object
            .get("message_id")
            .and_then(Value::as_i64)
            .ok_or(FrameError::Malformed(
                "Reaction payload must include integer 'message_id'",
            ))?;
    let emoji = object
        .get("emoji")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|emoji| !emoji.is_empty())
        .ok_or(FrameError::Malformed(
            "Reaction payload must include 'emoji'",
        ))?;
    let remove = object
        .get("operation")
        .and_then(Value::as_str)
        .is_some_and(|operation| operation.eq_ignore_ascii_case("remove"));
    Ok(ReactionChange {
        message_id,
        emoji: emoji.to_owned(),
        operation: if remove {
            ReactionOperation::Remove
        } else {
            ReactionOperation::Add
        },
    })
}

deserialize_via_parse!(TextClientFrame, parse_value);

/// A frame the server sends on `/ws/text/{channel_id}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum TextServerFrame<'a> {
    /// The newest messages as the connecting user sees them, sent first on connect.
    History { page: Cow<'a, MessageHistoryPage> },
    /// The channel's whole online list: on connect, and whenever it changes.
    Presence {
        channel_id: i64,
        online: Cow<'a, [OnlineUser]>,
    },
    /// Who joined (or changed) and who left since the last list, instead of `presence`, for
    /// sockets that connected with `?presence=delta` (a Charge extension).
    PresenceDelta {
        channel_id: i64,
        joined: Cow<'a, [OnlineUser]>,
        left: Cow<'a, [i64]>,
    },
    /// Who is typing; clients drop the list after `expires_in` seconds without a new one.
    Typing {
        channel_id: i64,
        users: Cow<'a, [Typist]>,
        expires_in: f64,
    },
    /// A message created, edited, deleted or moderated, to every socket of the channel.
    Message { message: Cow<'a, MessageRead> },
    /// A message whose reactions changed, to every socket of the channel.
    Reaction { message: Cow<'a, MessageRead> },
    /// The answer to `ping`.
    Pong,
    /// An error about the last frame, or the reason the server is about to close.
    Error { detail: Cow<'a, str> },
    /// What the user may now do in the channel, sent when a change to roles, levels or
    /// overwrites changed it (decision 24; a Charge extension): permission names in the
    /// contract's order.
    Permissions {
        channel_id: i64,
        permissions: Cow<'a, [String]>,
    },
}

/// Someone in a channel's online list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OnlineUser {
    pub id: i64,
    /// The display name, or the login when there is none.
    pub display_name: String,
    pub status: String,
    pub avatar_url: Option<String>,
}

/// Someone in a channel's typing list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Typist {
    pub id: i64,
    /// The display name, or the login when there is none.
    pub display_name: String,
}

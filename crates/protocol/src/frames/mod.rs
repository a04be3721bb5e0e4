//! WebSocket frames of the three gateways as typed values: what a client sends, parsed the way
//! the gateway answers it, and what the server sends, serialisable from borrowed data.
//!
//! Every frame is a JSON object tagged by `type`. Each gateway has a client→server enum with a
//! `parse` function and a server→client enum:
//!
//! | gateway | client frames | server frames |
//! |---|---|---|
//! | `/ws/text/{channel_id}` | [`TextClientFrame`] | [`TextServerFrame`] |
//! | `/ws/rooms/{room_slug}` | [`RoomsClientFrame`] | [`RoomsServerFrame`] |
//! | `/ws/signal/{room_slug}` | [`SignalClientFrame`] | [`SignalServerFrame`] |
//! | `/ws/direct` | [`DirectClientFrame`] | [`DirectServerFrame`] |
//! | `/ws/presence` | [`PresenceClientFrame`] | [`PresenceServerFrame`] |
//!
//! Server frames hold their lists and strings as [`Cow`](std::borrow::Cow), so the server builds
//! a frame from data it already has, serialises it once and shares the bytes with every
//! recipient; clients and tests deserialise the same types into owned values.
//!
//! A client frame that cannot be used is a [`FrameError`]; each gateway's `error_detail` gives
//! the error frame it answers with (or that it ignores the frame). Some fields are checked only
//! after the server's own checks (who is targeted, permissions, the store), in the contract's
//! order; those are [`Checked`] values that carry the answer for when that point is reached.

pub mod direct;
pub mod presence;
pub mod rooms;
pub mod signal;
pub mod text;

use std::fmt;

use serde::ser::Error as _;
use serde::{Serialize, Serializer};
use serde_json::{Map, Value};

pub use direct::{DirectClientFrame, DirectServerFrame};
pub use presence::{PresenceClientFrame, PresenceServerFrame};
pub use rooms::{RoomsClientFrame, RoomsServerFrame};
pub use signal::{SignalClientFrame, SignalServerFrame};
pub use text::{TextClientFrame, TextServerFrame};

/// Why a client frame cannot be used. The gateways answer these differently: see
/// [`text::error_detail`], [`rooms::error_detail`] and [`signal::error_detail`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FrameError {
    /// The text is not JSON.
    InvalidJson,
    /// JSON, but not an object.
    NotAnObject,
    /// An object whose `type` is absent, empty or not a string (the text gateway reads such a
    /// frame as a `message` instead).
    MissingType,
    /// A `type` the gateway does not know.
    Unknown(String),
    /// A known `type` with a field missing or of the wrong kind; the detail is the text of the
    /// error frame the gateway answers with.
    Malformed(&'static str),
}

impl fmt::Display for FrameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidJson => f.write_str("the frame is not JSON"),
            Self::NotAnObject => f.write_str("the frame is not a JSON object"),
            Self::MissingType => f.write_str("the frame has no `type`"),
            Self::Unknown(kind) => write!(f, "unsupported frame type `{kind}`"),
            Self::Malformed(detail) => f.write_str(detail),
        }
    }
}

impl std::error::Error for FrameError {}

/// A client-frame field that the gateway checks only after some of its own checks, as the
/// contract orders them: the value, or the detail of the error frame to answer once that check
/// is reached. A server handler returning `Result<_, &'static str>` takes it with `?`.
///
/// Serialising a frame that holds an `Err` fails: a client never sends one on purpose.
pub type Checked<T> = Result<T, &'static str>;

/// Serialises the value of a [`Checked`] field; an error cannot be sent.
pub(crate) fn serialize_checked<T, S>(value: &Checked<T>, serializer: S) -> Result<S::Ok, S::Error>
where
    T: Serialize,
    S: Serializer,
{
    match value {
        Ok(value) => value.serialize(serializer),
        Err(detail) => Err(S::Error::custom(detail)),
    }
}

/// The JSON object a client frame must be.
pub(crate) fn object(text: &str) -> Result<Map<String, Value>, FrameError> {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(object)) => Ok(object),
        Ok(_) => Err(FrameError::NotAnObject),
        Err(_) => Err(FrameError::InvalidJson),
    }
}

/// Implements `Deserialize` for a client frame enum through its gateway's parse function, so
/// `serde_json::from_str` reads a frame exactly as the gateway does.
macro_rules! deserialize_via_parse {
    ($frame:ty, $parse:path) => {
        impl<'de> serde::Deserialize<'de> for $frame {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value = <serde_json::Value as serde::Deserialize>::deserialize(deserializer)?;
                $parse(value).map_err(<D::Error as serde::de::Error>::custom)
            }
        }
    };
}
pub(crate) use deserialize_via_parse;

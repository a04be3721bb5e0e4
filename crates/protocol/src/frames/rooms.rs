//! `/ws/rooms/{room_slug}`: the structure of a room as it changes. The server sends a
//! `workspace_snapshot` on connect, then one event per change made over HTTP (channels,
//! categories, invitations, members); clients only ping.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{FrameError, deserialize_via_parse};
use crate::rest::{
    ChannelCategoryRead, ChannelRead, ChannelReadState, RoomInvitationRead, RoomMemberSummary,
};

/// A frame a client sends to `/ws/rooms/{room_slug}`. Read with [`parse`]; the gateway answers
/// only `ping` and text that is not JSON, and ignores everything else.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum RoomsClientFrame {
    /// `{"type":"ping"}`, answered with `pong`.
    Ping,
}

/// Reads a client frame of the rooms gateway; [`error_detail`] says which errors it answers.
pub fn parse(text: &str) -> Result<RoomsClientFrame, FrameError> {
    match serde_json::from_str::<Value>(text) {
        Ok(value) => parse_value(value),
        Err(_) => Err(FrameError::InvalidJson),
    }
}

/// [`parse`] for a frame already read as JSON.
pub fn parse_value(value: Value) -> Result<RoomsClientFrame, FrameError> {
    let Value::Object(object) = value else {
        return Err(FrameError::NotAnObject);
    };
    match object.get("type").and_then(Value::as_str) {
        Some("ping") => Ok(RoomsClientFrame::Ping),
        Some(kind) if !kind.is_empty() => Err(FrameError::Unknown(kind.to_owned())),
        _ => Err(FrameError::MissingType),
    }
}

/// The detail of the `error` frame the rooms gateway answers a frame it cannot use with, or
/// `None` when it ignores the frame (anything that is JSON).
pub fn error_detail(error: &FrameError) -> Option<&'static str> {
    match error {
        FrameError::InvalidJson => Some("Invalid payload"),
        _ => None,
    }
}

deserialize_via_parse!(RoomsClientFrame, parse_value);

/// A frame the server sends on `/ws/rooms/{room_slug}`. Every event names the room by `room`
/// (its slug); lists are complete and in the contract's order unless a variant says otherwise.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum RoomsServerFrame<'a> {
    /// The room's structure, sent on connect (no invitations): the channels the user may
    /// view (decision 24) and at most `limits::MEMBERS_EMBEDDED_MAX` members, with the total.
    WorkspaceSnapshot {
        room: Cow<'a, str>,
        channels: Cow<'a, [ChannelRead]>,
        categories: Cow<'a, [ChannelCategoryRead]>,
        members: Cow<'a, [RoomMemberSummary]>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        members_total: Option<i64>,
    },
    ChannelCreated {
        room: Cow<'a, str>,
        channel: Cow<'a, ChannelRead>,
    },
    ChannelUpdated {
        room: Cow<'a, str>,
        channel: Cow<'a, ChannelRead>,
    },
    /// Also sent to a user who can no longer see the channel (decision 24).
    ChannelDeleted { room: Cow<'a, str>, channel_id: i64 },
    /// Only the reordered channels, sorted.
    ChannelReordered {
        room: Cow<'a, str>,
        channels: Cow<'a, [ChannelRead]>,
    },
    CategoryCreated {
        room: Cow<'a, str>,
        categories: Cow<'a, [ChannelCategoryRead]>,
    },
    CategoryUpdated {
        room: Cow<'a, str>,
        categories: Cow<'a, [ChannelCategoryRead]>,
    },
    CategoriesReordered {
        room: Cow<'a, str>,
        categories: Cow<'a, [ChannelCategoryRead]>,
    },
    /// With every channel too, since the deleted category's channels moved out of it.
    CategoryDeleted {
        room: Cow<'a, str>,
        categories: Cow<'a, [ChannelCategoryRead]>,
        channels: Cow<'a, [ChannelRead]>,
    },
    /// Carries the invitation code: sent to admins and owners only (decision 19).
    InviteCreated {
        room: Cow<'a, str>,
        invitation: Cow<'a, RoomInvitationRead>,
    },
    InviteDeleted {
        room: Cow<'a, str>,
        invitation_id: i64,
    },
    MemberJoined {
        room: Cow<'a, str>,
        members: Cow<'a, [RoomMemberSummary]>,
    },
    MemberUpdated {
        room: Cow<'a, str>,
        members: Cow<'a, [RoomMemberSummary]>,
    },
    /// Someone was kicked, banned or left (decision 25), with the remaining members.
    MemberLeft {
        room: Cow<'a, str>,
        members: Cow<'a, [RoomMemberSummary]>,
    },
    /// The room was renamed (decision 25); the slug stays.
    RoomUpdated {
        room: Cow<'a, str>,
        title: Cow<'a, str>,
    },
    /// The user read a channel (on this or another device): their new read state, to their
    /// own sockets only (a Charge addition).
    ReadState {
        room: Cow<'a, str>,
        state: Cow<'a, ChannelReadState>,
    },
    /// The answer to `ping`.
    Pong,
    /// The answer to text that is not JSON.
    Error { detail: Cow<'a, str> },
}

impl RoomsServerFrame<'_> {
    /// Whether only the room's admins and owners may receive this frame: it carries an
    /// invitation code (decision 19).
    pub fn admins_only(&self) -> bool {
        matches!(self, Self::InviteCreated { .. })
    }
}

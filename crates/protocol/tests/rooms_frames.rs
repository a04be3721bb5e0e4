//! Golden tests for `/ws/rooms/{room_slug}` frames: each workspace event against the contract's
//! table (§2.3), the snapshot, and the client frames the gateway answers or ignores.

#[macro_use]
mod common;

use std::borrow::Cow;

use charge_protocol::frames::FrameError;
use charge_protocol::frames::rooms::{self, RoomsClientFrame, RoomsServerFrame};
use common::{
    category, category_json, channel, channel_json, invitation, invitation_json, member,
    member_json,
};
use serde_json::json;

const ROOM: &str = "team-room";

fn members() -> Vec<charge_protocol::RoomMemberSummary> {
    vec![
        member(1, 10, "owner", "ada"),
        member(2, 11, "member", "bob"),
    ]
}

fn members_json() -> serde_json::Value {
    json!([
        member_json(1, 10, "owner", "ada"),
        member_json(2, 11, "member", "bob")
    ])
}

// ---- server → client ---------------------------------------------------------------------

#[test]
fn workspace_snapshot_carries_channels_categories_and_members() {
    let channels = [
        channel(5, "general", "A", None),
        channel(6, "random", "B", Some(2)),
    ];
    let categories = [category(2, "Talk", 0)];
    let members = members();
    golden!(
        RoomsServerFrame::WorkspaceSnapshot {
            room: ROOM.into(),
            channels: Cow::Borrowed(&channels),
            categories: Cow::Borrowed(&categories),
            members: Cow::Borrowed(&members),
            members_total: None,
        },
        json!({"type": "workspace_snapshot", "room": ROOM,
               "channels": [channel_json(5, "general", "A", None), channel_json(6, "random", "B", Some(2))],
               "categories": [category_json(2, "Talk", 0)],
               "members": members_json()})
    );
}

#[test]
fn channel_created_carries_the_channel() {
    let created = channel(7, "news", "C", None);
    golden!(
        RoomsServerFrame::ChannelCreated {
            room: ROOM.into(),
            channel: Cow::Borrowed(&created),
        },
        json!({"type": "channel_created", "room": ROOM, "channel": channel_json(7, "news", "C", None)})
    );
}

#[test]
fn channel_updated_carries_the_channel() {
    let updated = channel(7, "headlines", "C", Some(2));
    golden!(
        RoomsServerFrame::ChannelUpdated {
            room: ROOM.into(),
            channel: Cow::Borrowed(&updated),
        },
        json!({"type": "channel_updated", "room": ROOM,
               "channel": channel_json(7, "headlines", "C", Some(2))})
    );
}

#[test]
fn channel_deleted_carries_the_channel_id() {
    golden!(
        RoomsServerFrame::ChannelDeleted {
            room: ROOM.into(),
            channel_id: 7,
        },
        json!({"type": "channel_deleted", "room": ROOM, "channel_id": 7})
    );
}

#[test]
fn channel_reordered_carries_the_reordered_channels() {
    let moved = [channel(6, "random", "B", None)];
    golden!(
        RoomsServerFrame::ChannelReordered {
            room: ROOM.into(),
            channels: Cow::Borrowed(&moved),
        },
        json!({"type": "channel_reordered", "room": ROOM,
               "channels": [channel_json(6, "random", "B", None)]})
    );
}

#[test]
fn category_created_carries_every_category() {
    let categories = [category(2, "Talk", 0), category(3, "Work", 1)];
    golden!(
        RoomsServerFrame::CategoryCreated {
            room: ROOM.into(),
            categories: Cow::Borrowed(&categories),
        },
        json!({"type": "category_created", "room": ROOM,
               "categories": [category_json(2, "Talk", 0), category_json(3, "Work", 1)]})
    );
}

#[test]
fn category_updated_carries_every_category() {
    let categories = [category(2, "Chat", 0)];
    golden!(
        RoomsServerFrame::CategoryUpdated {
            room: ROOM.into(),
            categories: Cow::Borrowed(&categories),
        },
        json!({"type": "category_updated", "room": ROOM, "categories": [category_json(2, "Chat", 0)]})
    );
}

#[test]
fn categories_reordered_carries_every_category() {
    let categories = [category(3, "Work", 0), category(2, "Talk", 1)];
    golden!(
        RoomsServerFrame::CategoriesReordered {
            room: ROOM.into(),
            categories: Cow::Borrowed(&categories),
        },
        json!({"type": "categories_reordered", "room": ROOM,
               "categories": [category_json(3, "Work", 0), category_json(2, "Talk", 1)]})
    );
}

#[test]
fn category_deleted_carries_every_category_and_every_channel() {
    let categories = [category(3, "Work", 0)];
    let channels = [channel(6, "random", "B", None)];
    golden!(
        RoomsServerFrame::CategoryDeleted {
            room: ROOM.into(),
            categories: Cow::Borrowed(&categories),
            channels: Cow::Borrowed(&channels),
        },
        json!({"type": "category_deleted", "room": ROOM,
               "categories": [category_json(3, "Work", 0)],
               "channels": [channel_json(6, "random", "B", None)]})
    );
}

#[test]
fn invite_created_carries_the_invitation_for_admins_only() {
    let invitation = invitation();
    let frame = RoomsServerFrame::InviteCreated {
        room: ROOM.into(),
        invitation: Cow::Borrowed(&invitation),
    };
    assert!(frame.admins_only());
    golden!(
        frame,
        json!({"type": "invite_created", "room": ROOM, "invitation": invitation_json()})
    );
}

#[test]
fn invite_deleted_carries_the_invitation_id_for_everyone() {
    let frame = RoomsServerFrame::InviteDeleted {
        room: ROOM.into(),
        invitation_id: 4,
    };
    assert!(!frame.admins_only());
    golden!(
        frame,
        json!({"type": "invite_deleted", "room": ROOM, "invitation_id": 4})
    );
}

#[test]
fn member_joined_carries_every_member() {
    let members = members();
    golden!(
        RoomsServerFrame::MemberJoined {
            room: ROOM.into(),
            members: Cow::Borrowed(&members),
        },
        json!({"type": "member_joined", "room": ROOM, "members": members_json()})
    );
}

#[test]
fn member_updated_carries_every_member() {
    let members = members();
    golden!(
        RoomsServerFrame::MemberUpdated {
            room: ROOM.into(),
            members: Cow::Borrowed(&members),
        },
        json!({"type": "member_updated", "room": ROOM, "members": members_json()})
    );
}

#[test]
fn member_left_carries_the_remaining_members() {
    let members = [member(1, 10, "owner", "ada")];
    golden!(
        RoomsServerFrame::MemberLeft {
            room: ROOM.into(),
            members: Cow::Borrowed(&members),
        },
        json!({"type": "member_left", "room": ROOM, "members": [member_json(1, 10, "owner", "ada")]})
    );
}

#[test]
fn pong_is_only_its_type() {
    golden!(RoomsServerFrame::Pong, json!({"type": "pong"}));
}

#[test]
fn error_carries_a_detail() {
    golden!(
        RoomsServerFrame::Error {
            detail: "Invalid payload".into(),
        },
        json!({"type": "error", "detail": "Invalid payload"})
    );
}

// ---- client → server ---------------------------------------------------------------------

#[test]
fn a_ping_frame_parses() {
    assert_eq!(
        rooms::parse(r#"{"type":"ping"}"#),
        Ok(RoomsClientFrame::Ping)
    );
    assert_eq!(
        rooms::parse(r#"{"type":"ping","extra":[1]}"#),
        Ok(RoomsClientFrame::Ping)
    );
    assert_eq!(
        common::to_json(&RoomsClientFrame::Ping),
        json!({"type": "ping"})
    );
}

#[test]
fn text_that_is_not_json_is_answered_invalid_payload() {
    let error = rooms::parse("ping").expect_err("not JSON");
    assert_eq!(error, FrameError::InvalidJson);
    assert_eq!(rooms::error_detail(&error), Some("Invalid payload"));
}

#[test]
fn any_other_json_is_ignored() {
    for frame in [
        r#"{"type":"subscribe"}"#,
        r#"{"type":""}"#,
        r#"{"type":7}"#,
        r#"{}"#,
        "[1]",
        "null",
    ] {
        let error = rooms::parse(frame).expect_err("not a ping");
        assert_eq!(rooms::error_detail(&error), None, "{frame}");
    }
    assert_eq!(
        rooms::parse(r#"{"type":"subscribe"}"#),
        Err(FrameError::Unknown("subscribe".into()))
    );
}

//! What the frame tests share: sample wire objects in the contract's shapes, and the golden
//! comparison.
#![allow(dead_code)]

use charge_protocol::{
    ChannelCategoryRead, ChannelRead, MessageAuthor, MessageRead, RoomInvitationRead,
    RoomMemberSummary,
};
use serde::Serialize;
use serde_json::{Value, json};

/// Asserts that `frame` serialises to exactly `expected` (field names, `null` versus absent)
/// and that `expected` deserialises back to `frame`.
macro_rules! golden {
    ($frame:expr, $expected:expr) => {{
        let frame = $frame;
        let expected: serde_json::Value = $expected;
        assert_eq!(common::to_json(&frame), expected, "serialised frame");
        let back = serde_json::from_value(expected).expect("the golden JSON deserialises");
        assert_eq!(frame, back, "deserialised frame");
    }};
}

pub fn to_json(frame: &impl Serialize) -> Value {
    let text = serde_json::to_string(frame).expect("a server frame serialises");
    serde_json::from_str(&text).expect("serialised text is JSON")
}

pub const CREATED: &str = "2026-11-24T18:59:32.123Z";
pub const UPDATED: &str = "2026-11-24T19:04:10.500Z";

/// The contract's MessageRead example (§1.0) as JSON, with Charge's additions (`mentions`,
/// `mention_everyone`).
pub fn message_json() -> Value {
    json!({"id":1,"channel_id":1,"author_id":3,
     "author":{"id":3,"login":"mem","display_name":"Mem","avatar_url":null,"status":"online"},
     "content":"root","created_at":CREATED,"updated_at":CREATED,"edited_at":null,"deleted_at":null,
     "moderated_at":null,"moderation_note":null,"moderated_by":null,
     "parent_id":null,"thread_root_id":1,"reply_count":0,"thread_reply_count":0,
     "attachments":[],"reactions":[],"delivered_count":0,"read_count":0,
     "delivered_at":null,"read_at":null,"pinned_at":null,"pinned_by":null,
     "mentions":[],"mention_everyone":false})
}

/// The same message as a typed value.
pub fn message() -> MessageRead {
    MessageRead {
        id: 1,
        channel_id: 1,
        author_id: Some(3),
        author: Some(MessageAuthor {
            id: 3,
            login: "mem".into(),
            display_name: Some("Mem".into()),
            avatar_url: None,
            status: "online".into(),
        }),
        content: "root".into(),
        created_at: CREATED.into(),
        updated_at: CREATED.into(),
        edited_at: None,
        deleted_at: None,
        moderated_at: None,
        moderation_note: None,
        moderated_by: None,
        parent_id: None,
        thread_root_id: Some(1),
        reply_count: 0,
        thread_reply_count: 0,
        attachments: Vec::new(),
        reactions: Vec::new(),
        delivered_count: 0,
        read_count: 0,
        delivered_at: None,
        read_at: None,
        pinned_at: None,
        pinned_by: None,
        mentions: Vec::new(),
        mention_everyone: false,
        nonce: None,
    }
}

pub fn channel(id: i64, name: &str, letter: &str, category_id: Option<i64>) -> ChannelRead {
    ChannelRead {
        id,
        name: name.into(),
        kind: "text".into(),
        category_id,
        letter: letter.into(),
        position: 0,
        created_at: CREATED.into(),
        slow_mode_seconds: 0,
    }
}

pub fn channel_json(id: i64, name: &str, letter: &str, category_id: Option<i64>) -> Value {
    json!({"id": id, "name": name, "type": "text", "category_id": category_id, "letter": letter,
           "position": 0, "created_at": CREATED, "slow_mode_seconds": 0})
}

pub fn category(id: i64, name: &str, position: i64) -> ChannelCategoryRead {
    ChannelCategoryRead {
        id,
        name: name.into(),
        position,
        created_at: CREATED.into(),
    }
}

pub fn category_json(id: i64, name: &str, position: i64) -> Value {
    json!({"id": id, "name": name, "position": position, "created_at": CREATED})
}

pub fn member(id: i64, user_id: i64, role: &str, login: &str) -> RoomMemberSummary {
    RoomMemberSummary {
        id,
        user_id,
        role: role.into(),
        login: login.into(),
        display_name: None,
        avatar_url: None,
        status: "online".into(),
        timed_out_until: None,
    }
}

pub fn member_json(id: i64, user_id: i64, role: &str, login: &str) -> Value {
    json!({"id": id, "user_id": user_id, "role": role, "login": login, "display_name": null,
           "avatar_url": null, "status": "online", "timed_out_until": null})
}

pub fn invitation() -> RoomInvitationRead {
    RoomInvitationRead {
        id: 4,
        code: "k3J9xQ2m".into(),
        role: "member".into(),
        expires_at: None,
        created_at: CREATED.into(),
        created_by_id: Some(1),
    }
}

pub fn invitation_json() -> Value {
    json!({"id": 4, "code": "k3J9xQ2m", "role": "member", "expires_at": null,
           "created_at": CREATED, "created_by_id": 1})
}

//! Golden tests for `/ws/text/{channel_id}` frames: each server frame against the contract's
//! example JSON (§2.1), each client frame parsed from it, and the answers to frames the gateway
//! cannot use.

#[macro_use]
mod common;

use std::borrow::Cow;

use charge_protocol::MessageHistoryPage;
use charge_protocol::frames::FrameError;
use charge_protocol::frames::text::{
    self, NewMessage, OnlineUser, ReactionChange, ReactionOperation, TextClientFrame,
    TextServerFrame, Typist,
};
use serde_json::json;

fn ada() -> OnlineUser {
    OnlineUser {
        id: 3,
        display_name: "Ada".into(),
        status: "online".into(),
        avatar_url: Some("/api/profile/avatar/3?v=1795634372".into()),
    }
}

fn bob() -> OnlineUser {
    OnlineUser {
        id: 7,
        display_name: "bob".into(),
        status: "dnd".into(),
        avatar_url: None,
    }
}

// ---- server → client ---------------------------------------------------------------------

#[test]
fn history_carries_a_message_history_page() {
    let page = MessageHistoryPage {
        items: vec![common::message()],
        next_cursor: Some("1".into()),
        prev_cursor: None,
        has_more_backward: false,
        has_more_forward: false,
    };
    golden!(
        TextServerFrame::History {
            page: Cow::Borrowed(&page),
        },
        json!({"type": "history", "page": {"items": [common::message_json()], "next_cursor": "1",
               "prev_cursor": null, "has_more_backward": false, "has_more_forward": false}})
    );
}

#[test]
fn presence_lists_the_online_users_with_a_null_avatar_when_there_is_none() {
    let online = vec![ada(), bob()];
    golden!(
        TextServerFrame::Presence {
            channel_id: 12,
            online: Cow::Borrowed(&online),
        },
        json!({"type": "presence", "channel_id": 12, "online": [
            {"id": 3, "display_name": "Ada", "status": "online",
             "avatar_url": "/api/profile/avatar/3?v=1795634372"},
            {"id": 7, "display_name": "bob", "status": "dnd", "avatar_url": null}]})
    );
}

#[test]
fn presence_delta_names_who_joined_and_who_left() {
    let joined = [bob()];
    golden!(
        TextServerFrame::PresenceDelta {
            channel_id: 12,
            joined: Cow::Borrowed(&joined),
            left: Cow::Borrowed(&[3]),
        },
        json!({"type": "presence_delta", "channel_id": 12,
               "joined": [{"id": 7, "display_name": "bob", "status": "dnd", "avatar_url": null}],
               "left": [3]})
    );
}

#[test]
fn typing_lists_who_types_and_for_how_long_it_holds() {
    let users = [Typist {
        id: 3,
        display_name: "Ada".into(),
    }];
    let frame = TextServerFrame::Typing {
        channel_id: 12,
        users: Cow::Borrowed(&users),
        expires_in: 8.0,
    };
    golden!(
        frame.clone(),
        json!({"type": "typing", "channel_id": 12, "users": [{"id": 3, "display_name": "Ada"}],
               "expires_in": 8.0})
    );
    let text = serde_json::to_string(&frame).expect("serialises");
    assert!(
        text.contains(r#""expires_in":8.0"#),
        "a float, as the contract shows it: {text}"
    );
}

#[test]
fn message_carries_a_message_read() {
    let message = common::message();
    golden!(
        TextServerFrame::Message {
            message: Cow::Borrowed(&message),
        },
        json!({"type": "message", "message": common::message_json()})
    );
}

#[test]
fn reaction_carries_the_message_with_its_reactions() {
    let mut message = common::message();
    message.reactions = vec![charge_protocol::MessageReactionSummary {
        emoji: "🔥".into(),
        count: 2,
        reacted: false,
        user_ids: vec![3, 7],
    }];
    let mut expected = common::message_json();
    expected["reactions"] =
        json!([{"emoji": "🔥", "count": 2, "reacted": false, "user_ids": [3, 7]}]);
    golden!(
        TextServerFrame::Reaction {
            message: Cow::Owned(message),
        },
        json!({"type": "reaction", "message": expected})
    );
}

#[test]
fn pong_is_only_its_type() {
    golden!(TextServerFrame::Pong, json!({"type": "pong"}));
}

#[test]
fn error_carries_a_detail() {
    golden!(
        TextServerFrame::Error {
            detail: "Connection timed out due to inactivity".into(),
        },
        json!({"type": "error", "detail": "Connection timed out due to inactivity"})
    );
}

// ---- client → server ---------------------------------------------------------------------

fn detail(text: &str) -> &'static str {
    text::error_detail(&text::parse(text).expect_err("the frame is refused"))
}

#[test]
fn a_message_frame_parses_with_its_attachments_and_parent() {
    let frame =
        text::parse(r#"{"type":"message","content":"text","attachments":[4,5],"parent_id":9}"#);
    assert_eq!(
        frame,
        Ok(TextClientFrame::Message(NewMessage {
            content: "text".into(),
            attachments: vec![4, 5],
            parent_id: Ok(Some(9)),
            nonce: Ok(None),
        }))
    );
    let frame = frame.expect("parses");
    assert_eq!(
        common::to_json(&frame),
        json!({"type": "message", "content": "text", "attachments": [4, 5], "parent_id": 9})
    );
}

#[test]
fn a_message_frame_without_type_attachments_or_parent_is_a_plain_message() {
    let plain = Ok(TextClientFrame::Message(NewMessage {
        content: "  hi ".into(),
        attachments: Vec::new(),
        parent_id: Ok(None),
        nonce: Ok(None),
    }));
    assert_eq!(
        text::parse(r#"{"content":"  hi "}"#),
        plain,
        "content is not trimmed"
    );
    assert_eq!(text::parse(r#"{"type":5,"content":"  hi "}"#), plain);
    assert_eq!(
        text::parse(r#"{"type":"message","content":"  hi ","attachments":null,"parent_id":null}"#),
        plain
    );
    assert_eq!(
        text::parse(r#"{"type":"message","content":"  hi ","attachments":[]}"#),
        plain
    );
}

#[test]
fn message_content_that_is_not_a_string_is_its_json_text_and_null_is_empty() {
    let content = |text: &str| match text::parse(text) {
        Ok(TextClientFrame::Message(m)) => m.content,
        other => panic!("not a message: {other:?}"),
    };
    assert_eq!(content(r#"{"content":42}"#), "42");
    assert_eq!(
        content(r#"{"content":{"a":[1,true]}}"#),
        r#"{"a":[1,true]}"#
    );
    assert_eq!(content(r#"{"content":null}"#), "");
    assert_eq!(content(r#"{"type":"message"}"#), "");
}

#[test]
fn attachments_must_be_a_list_of_integers() {
    for frame in [
        r#"{"content":"x","attachments":"4"}"#,
        r#"{"content":"x","attachments":[4,"5"]}"#,
        r#"{"content":"x","attachments":[1.5]}"#,
        r#"{"content":"x","attachments":{"id":4}}"#,
    ] {
        assert_eq!(
            detail(frame),
            "Attachments must be provided as a list of integers",
            "{frame}"
        );
    }
}

#[test]
fn a_parent_id_that_is_not_an_integer_is_answered_after_the_attachments() {
    let Ok(TextClientFrame::Message(message)) =
        text::parse(r#"{"content":"x","attachments":[4],"parent_id":"9"}"#)
    else {
        panic!("the frame parses; the parent is checked after the attachments");
    };
    assert_eq!(message.attachments, [4]);
    assert_eq!(message.parent_id, Err("parent_id must be an integer"));
    assert_eq!(
        detail(r#"{"content":"x","attachments":[4,"x"],"parent_id":"9"}"#),
        "Attachments must be provided as a list of integers",
        "a malformed list comes first"
    );
}

#[test]
fn a_reaction_frame_parses_with_a_trimmed_emoji() {
    assert_eq!(
        text::parse(r#"{"type":"reaction","message_id":41,"emoji":" 🔥 ","operation":"add"}"#),
        Ok(TextClientFrame::Reaction(ReactionChange {
            message_id: 41,
            emoji: "🔥".into(),
            operation: ReactionOperation::Add,
        }))
    );
}

#[test]
fn a_reaction_removes_only_when_the_operation_says_remove_in_any_case() {
    let operation = |op: &str| {
        let frame = format!(r#"{{"type":"reaction","message_id":41,"emoji":"👍"{op}}}"#);
        match text::parse(&frame) {
            Ok(TextClientFrame::Reaction(r)) => r.operation,
            other => panic!("not a reaction: {other:?}"),
        }
    };
    assert_eq!(
        operation(r#","operation":"remove""#),
        ReactionOperation::Remove
    );
    assert_eq!(
        operation(r#","operation":"REMOVE""#),
        ReactionOperation::Remove
    );
    assert_eq!(operation(""), ReactionOperation::Add);
    assert_eq!(
        operation(r#","operation":"toggle""#),
        ReactionOperation::Add
    );
    assert_eq!(operation(r#","operation":3"#), ReactionOperation::Add);
}

#[test]
fn a_reaction_needs_an_integer_message_id_then_an_emoji() {
    assert_eq!(
        detail(r#"{"type":"reaction","message_id":"41","emoji":"🔥"}"#),
        "Reaction payload must include integer 'message_id'"
    );
    assert_eq!(
        detail(r#"{"type":"reaction","emoji":""}"#),
        "Reaction payload must include integer 'message_id'"
    );
    assert_eq!(
        detail(r#"{"type":"reaction","message_id":41,"emoji":"   "}"#),
        "Reaction payload must include 'emoji'"
    );
    assert_eq!(
        detail(r#"{"type":"reaction","message_id":41}"#),
        "Reaction payload must include 'emoji'"
    );
}

#[test]
fn a_typing_frame_parses_and_needs_a_boolean() {
    assert_eq!(
        text::parse(r#"{"type":"typing","is_typing":true}"#),
        Ok(TextClientFrame::Typing { is_typing: true })
    );
    assert_eq!(
        text::parse(r#"{"type":"typing","is_typing":false}"#),
        Ok(TextClientFrame::Typing { is_typing: false })
    );
    for frame in [
        r#"{"type":"typing"}"#,
        r#"{"type":"typing","is_typing":"true"}"#,
        r#"{"type":"typing","is_typing":1}"#,
    ] {
        assert_eq!(
            detail(frame),
            "Typing payload must include boolean 'is_typing'"
        );
    }
}

#[test]
fn a_ping_frame_parses() {
    assert_eq!(text::parse(r#"{"type":"ping"}"#), Ok(TextClientFrame::Ping));
    assert_eq!(
        common::to_json(&TextClientFrame::Ping),
        json!({"type": "ping"})
    );
}

#[test]
fn an_unknown_type_is_unsupported() {
    assert_eq!(
        text::parse(r#"{"type":"presence"}"#),
        Err(FrameError::Unknown("presence".into()))
    );
    assert_eq!(detail(r#"{"type":"presence"}"#), "Unsupported payload type");
    assert_eq!(detail(r#"{"type":""}"#), "Unsupported payload type");
}

#[test]
fn text_that_is_not_a_json_object_is_refused() {
    assert_eq!(text::parse("hello"), Err(FrameError::InvalidJson));
    assert_eq!(detail("hello"), "Invalid message format");
    assert_eq!(detail(r#"{"type":"ping""#), "Invalid message format");
    for frame in ["[1,2]", "\"ping\"", "null", "3"] {
        assert_eq!(text::parse(frame), Err(FrameError::NotAnObject), "{frame}");
        assert_eq!(detail(frame), "Message payload must be a JSON object");
    }
}

#[test]
fn deserialising_a_client_frame_reads_it_as_the_gateway_does() {
    let frame: TextClientFrame = serde_json::from_str(r#"{"content":"hi"}"#).expect("a message");
    assert!(matches!(frame, TextClientFrame::Message(_)));
    let error =
        serde_json::from_str::<TextClientFrame>(r#"{"type":"typing"}"#).expect_err("refused");
    assert!(error.to_string().contains("is_typing"), "{error}");
}

#[test]
fn a_message_with_an_unusable_parent_cannot_be_sent() {
    let frame = TextClientFrame::Message(NewMessage {
        content: "x".into(),
        attachments: Vec::new(),
        parent_id: Err("parent_id must be an integer"),
        nonce: Ok(None),
    });
    assert!(serde_json::to_string(&frame).is_err());
}

#[test]
fn permissions_lists_what_the_user_may_now_do() {
    let names = ["view".to_owned(), "connect".to_owned()];
    golden!(
        TextServerFrame::Permissions {
            channel_id: 4,
            permissions: Cow::Borrowed(&names),
        },
        json!({"type": "permissions", "channel_id": 4, "permissions": ["view", "connect"]})
    );
}

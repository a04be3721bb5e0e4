//! Posting messages over HTTP: content limits and replies that need a parent in the same
//! channel.

use reqwest::StatusCode;
use serde_json::json;

use super::history::history_fixture;
use crate::common::{Db, TestApp, assert_422, assert_detail, both_backends};

both_backends!(message_content_must_be_present_and_at_most_2000_characters);
async fn message_content_must_be_present_and_at_most_2000_characters(db: Db) {
    let app = TestApp::spawn(db).await;
    let (token, text, _ids, _other, _om, voice) = history_fixture(&app, 0).await;
    let channel = text.to_string();
    let post = |content: String| {
        let (app, token, channel) = (&app, token.clone(), channel.clone());
        async move {
            app.post_message(
                Some(&token),
                &[("channel_id", &channel), ("content", &content)],
            )
            .await
        }
    };
    for blank in ["", "   ", "\n\t "] {
        assert_detail(
            &post(blank.to_owned()).await,
            StatusCode::BAD_REQUEST,
            "Message content is required",
            &format!("{blank:?}"),
        );
    }
    let no_content = app
        .post_message(Some(&token), &[("channel_id", &channel)])
        .await;
    assert_detail(
        &no_content,
        StatusCode::BAD_REQUEST,
        "Message content is required",
        "no content field",
    );
    let too_long = post("x".repeat(2001)).await;
    assert_detail(
        &too_long,
        StatusCode::PAYLOAD_TOO_LARGE,
        "Message exceeds maximum length of 2000 characters",
        "2001 characters",
    );
    let emoji_too_long = post("🔥".repeat(2001)).await;
    assert_eq!(
        emoji_too_long.status,
        StatusCode::PAYLOAD_TOO_LARGE,
        "characters, not bytes"
    );

    let exactly = post("🔥".repeat(2000)).await;
    assert_eq!(
        exactly.status,
        StatusCode::CREATED,
        "2000 characters fit: {}",
        exactly.text
    );
    assert_eq!(exactly.body["content"], "🔥".repeat(2000));
    // Trailing whitespace is trimmed before the length check; leading whitespace is kept.
    let trimmed = post(format!("  {}   \n", "y".repeat(1998))).await;
    assert_eq!(trimmed.status, StatusCode::CREATED, "{}", trimmed.text);
    assert_eq!(trimmed.body["content"], format!("  {}", "y".repeat(1998)));

    let missing_channel = app.post_message(Some(&token), &[("content", "hi")]).await;
    assert_422(
        &missing_channel,
        "missing",
        json!(["body", "channel_id"]),
        "no channel_id",
    );
    let bad_channel = app
        .post_message(Some(&token), &[("channel_id", "abc"), ("content", "hi")])
        .await;
    assert_422(
        &bad_channel,
        "int_parsing",
        json!(["body", "channel_id"]),
        "channel_id abc",
    );
    let to_voice = app
        .post_message(
            Some(&token),
            &[("channel_id", &voice.to_string()), ("content", "hi")],
        )
        .await;
    assert_detail(
        &to_voice,
        StatusCode::BAD_REQUEST,
        "History is only available for text channels",
        "voice channel",
    );
    app.stop().await;
}

both_backends!(a_reply_needs_a_parent_in_the_same_channel);
async fn a_reply_needs_a_parent_in_the_same_channel(db: Db) {
    let app = TestApp::spawn(db).await;
    let (token, text, ids, _other, other_message, _voice) = history_fixture(&app, 2).await;
    let channel = text.to_string();
    let mismatch = app
        .post_message(
            Some(&token),
            &[
                ("channel_id", &channel),
                ("content", "re"),
                ("parent_id", &other_message.to_string()),
            ],
        )
        .await;
    assert_detail(
        &mismatch,
        StatusCode::BAD_REQUEST,
        "Parent message mismatch",
        "parent in another channel",
    );
    let missing = app
        .post_message(
            Some(&token),
            &[
                ("channel_id", &channel),
                ("content", "re"),
                ("parent_id", "999999"),
            ],
        )
        .await;
    assert_detail(
        &missing,
        StatusCode::NOT_FOUND,
        "Message not found",
        "missing parent",
    );

    let reply = app
        .post_message(
            Some(&token),
            &[
                ("channel_id", &channel),
                ("content", "re"),
                ("parent_id", &ids[0].to_string()),
            ],
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    assert_eq!(
        (
            reply.body["parent_id"].as_i64(),
            reply.body["thread_root_id"].as_i64()
        ),
        (Some(ids[0]), Some(ids[0]))
    );
    let nested = reply.body["id"].as_i64().expect("id").to_string();
    let deeper = app
        .post_message(
            Some(&token),
            &[
                ("channel_id", &channel),
                ("content", "re re"),
                ("parent_id", &nested),
            ],
        )
        .await;
    assert_eq!(
        deeper.body["thread_root_id"].as_i64(),
        Some(ids[0]),
        "replies stay in the root's thread"
    );
    let (_, page) = app
        .get(&format!("/api/channels/{text}/history"), &token)
        .await;
    let root = page["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|m| m["id"] == ids[0])
        .expect("root")
        .clone();
    assert_eq!(
        (
            root["reply_count"].as_i64(),
            root["thread_reply_count"].as_i64()
        ),
        (Some(1), Some(2)),
        "{root}"
    );
    app.stop().await;
}

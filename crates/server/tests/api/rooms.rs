//! Rooms and channels: title and name limits, channel types, the 26 channel letters and
//! deleting a channel by its letter.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::common::{Db, TestApp, assert_422, assert_detail, both_backends};

both_backends!(room_titles_are_trimmed_and_between_1_and_128_characters);
async fn room_titles_are_trimmed_and_between_1_and_128_characters(db: Db) {
    let app = TestApp::spawn(db).await;
    let (_, token) = app.user("max").await;
    for title in ["".to_owned(), "    ".to_owned()] {
        let reply = app
            .send(
                Method::POST,
                "/api/rooms",
                Some(&token),
                Some(json!({ "title": title })),
            )
            .await;
        assert_422(
            &reply,
            "string_too_short",
            json!(["body", "title"]),
            &format!("title {title:?}"),
        );
    }
    let long = app
        .send(
            Method::POST,
            "/api/rooms",
            Some(&token),
            Some(json!({"title": "t".repeat(129)})),
        )
        .await;
    assert_422(
        &long,
        "string_too_long",
        json!(["body", "title"]),
        "129 characters",
    );
    // 128 characters of four-byte emoji fit (characters, not bytes, are counted).
    let emoji = "🔥".repeat(128);
    let (status, room) = app
        .post(
            "/api/rooms",
            &token,
            json!({ "title": format!("  {emoji}  ") }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{room}");
    assert_eq!(room["title"], emoji.as_str());
    let (status, padded) = app
        .post("/api/rooms", &token, json!({"title": "  Padded  "}))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(
        (padded["title"].as_str(), padded["slug"].as_str()),
        (Some("Padded"), Some("padded"))
    );
    app.stop().await;
}

both_backends!(channel_names_and_types_are_validated);
async fn channel_names_and_types_are_validated(db: Db) {
    let app = TestApp::spawn(db).await;
    let (_, token) = app.user("nia").await;
    let slug = app.room(&token, "Channels").await;
    let path = format!("/api/rooms/{slug}/channels");
    let cases = [
        (
            json!({"name": "", "type": "text"}),
            "string_too_short",
            json!(["body", "name"]),
        ),
        (
            json!({"name": "   ", "type": "text"}),
            "string_too_short",
            json!(["body", "name"]),
        ),
        (
            json!({"name": "n".repeat(129), "type": "text"}),
            "string_too_long",
            json!(["body", "name"]),
        ),
        (
            json!({"name": "video", "type": "video"}),
            "enum",
            json!(["body", "type"]),
        ),
        (
            json!({"name": "caps", "type": "TEXT"}),
            "enum",
            json!(["body", "type"]),
        ),
    ];
    for (body, kind, loc) in cases {
        let reply = app
            .send(Method::POST, &path, Some(&token), Some(body.clone()))
            .await;
        assert_422(&reply, kind, loc, &body.to_string());
    }
    for kind in [
        "text",
        "voice",
        "stage",
        "announcements",
        "forums",
        "events",
    ] {
        let channel = app
            .channel(&token, &slug, &format!("  {kind} room  "), kind)
            .await;
        assert_eq!(channel["type"], kind);
        assert_eq!(channel["name"], format!("{kind} room"));
    }
    let unknown_category = app
        .send(
            Method::POST,
            &path,
            Some(&token),
            Some(json!({"name": "x", "type": "text", "category_id": 999999})),
        )
        .await;
    assert_detail(
        &unknown_category,
        StatusCode::NOT_FOUND,
        "Category not found",
        "unknown category",
    );
    app.stop().await;
}

both_backends!(a_room_holds_at_most_26_channels_and_a_deleted_letter_is_reused);
async fn a_room_holds_at_most_26_channels_and_a_deleted_letter_is_reused(db: Db) {
    let app = TestApp::spawn(db).await;
    let (_, token) = app.user("oli").await;
    let slug = app.room(&token, "Full").await;
    let mut letters = String::new();
    for i in 0..26 {
        let kind = if i % 2 == 0 { "text" } else { "voice" };
        letters.push_str(
            app.channel(&token, &slug, &format!("c{i}"), kind).await["letter"]
                .as_str()
                .expect("letter"),
        );
    }
    assert_eq!(letters, "ABCDEFGHIJKLMNOPQRSTUVWXYZ");
    let full = app
        .send(
            Method::POST,
            &format!("/api/rooms/{slug}/channels"),
            Some(&token),
            Some(json!({"name": "one too many", "type": "text"})),
        )
        .await;
    assert_detail(
        &full,
        StatusCode::BAD_REQUEST,
        "No available channel slots left",
        "27th channel",
    );
    let deleted = app
        .send(
            Method::DELETE,
            &format!("/api/rooms/{slug}/channels/m"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.channel(&token, &slug, "again", "text").await["letter"],
        "M"
    );
    app.stop().await;
}

both_backends!(deleting_a_channel_needs_a_single_letter_that_exists);
async fn deleting_a_channel_needs_a_single_letter_that_exists(db: Db) {
    let app = TestApp::spawn(db).await;
    let (_, token) = app.user("pat").await;
    let slug = app.room(&token, "Letters").await;
    app.channel(&token, &slug, "only", "text").await;
    for letter in ["AB", "1", "%C3%A9", "%C3%9F", "-", "%20"] {
        let reply = app
            .send(
                Method::DELETE,
                &format!("/api/rooms/{slug}/channels/{letter}"),
                Some(&token),
                None,
            )
            .await;
        assert_detail(
            &reply,
            StatusCode::BAD_REQUEST,
            "Invalid channel letter",
            letter,
        );
    }
    let unknown = app
        .send(
            Method::DELETE,
            &format!("/api/rooms/{slug}/channels/Z"),
            Some(&token),
            None,
        )
        .await;
    assert_detail(
        &unknown,
        StatusCode::NOT_FOUND,
        "Channel not found",
        "unused letter",
    );
    let (_, detail) = app.get(&format!("/api/rooms/{slug}"), &token).await;
    assert_eq!(
        detail["channels"].as_array().map(Vec::len),
        Some(1),
        "nothing was deleted"
    );
    app.stop().await;
}

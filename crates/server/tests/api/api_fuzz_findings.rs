//! What the property-based run (`scripts/api-fuzz.sh`) found, each held in place: bodies the
//! document allows that the server refused, refusals in the wrong order, and a letter that
//! named the wrong channel.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::common::{Db, TestApp, assert_422, both_backends};

both_backends!(integers_written_with_a_zero_fraction_are_accepted_and_fractions_are_not);
async fn integers_written_with_a_zero_fraction_are_accepted_and_fractions_are_not(db: Db) {
    let app = TestApp::spawn(db).await;
    let (_, token) = app.user("floaty").await;
    let slug = app.room(&token, "Numbers").await;
    let path = format!("/api/rooms/{slug}/categories");
    // JSON Schema (and the predecessor) count 3.0 as an integer.
    let reply = app
        .send_raw(
            Method::POST,
            &path,
            Some(&token),
            "application/json",
            r#"{"name":"A","position":3.0}"#,
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    assert_eq!(reply.body["position"], 3);
    let reply = app
        .send_raw(
            Method::POST,
            &path,
            Some(&token),
            "application/json",
            r#"{"name":"B","position":3.5}"#,
        )
        .await;
    assert_422(
        &reply,
        "int_type",
        json!(["body", "position"]),
        "a fraction",
    );
    let channel = app.channel(&token, &slug, "general", "text").await["id"]
        .as_i64()
        .expect("id");
    let reply = app
        .send_raw(
            Method::POST,
            "/api/messages",
            Some(&token),
            "application/json",
            format!(r#"{{"channel_id":{channel}.0,"content":"hi"}}"#),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    app.stop().await;
}

both_backends!(a_message_body_of_another_media_type_is_refused_with_415);
async fn a_message_body_of_another_media_type_is_refused_with_415(db: Db) {
    let app = TestApp::spawn(db).await;
    let (_, token) = app.user("typist").await;
    let slug = app.room(&token, "Types").await;
    let channel = app.channel(&token, &slug, "general", "text").await["id"]
        .as_i64()
        .expect("id");
    let body = format!(r#"{{"channel_id":{channel},"content":"hi"}}"#);
    let reply = app
        .send_raw(
            Method::POST,
            "/api/messages",
            Some(&token),
            "text/plain",
            body.clone(),
        )
        .await;
    assert_eq!(
        reply.status,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "{}",
        reply.text
    );
    assert!(
        reply.detail().contains("multipart/form-data"),
        "{}",
        reply.text
    );
    let reply = app
        .send_raw(
            Method::POST,
            "/api/messages",
            Some(&token),
            "application/json; charset=utf-8",
            body,
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    app.stop().await;
}

both_backends!(a_message_form_naming_an_unknown_field_is_refused_rather_than_dropped);
async fn a_message_form_naming_an_unknown_field_is_refused_rather_than_dropped(db: Db) {
    let app = TestApp::spawn(db).await;
    let (_, token) = app.user("former").await;
    let slug = app.room(&token, "Forms").await;
    let channel = app.channel(&token, &slug, "general", "text").await["id"]
        .as_i64()
        .expect("id");
    let id = channel.to_string();
    let reply = app
        .post_message(
            Some(&token),
            &[("channel_id", &id), ("content", "hi"), ("parnet_id", "1")],
        )
        .await;
    assert_422(
        &reply,
        "extra_forbidden",
        json!(["body", "parnet_id"]),
        "a misspelt field",
    );
    let reply = app
        .post_message(
            Some(&token),
            &[("channel_id", &id), ("content", "hi"), ("parent_id", "")],
        )
        .await;
    assert_eq!(
        reply.status,
        StatusCode::CREATED,
        "an empty parent_id is none: {}",
        reply.text
    );
    app.stop().await;
}

both_backends!(a_malformed_path_id_is_refused_before_the_room_is_looked_up);
async fn a_malformed_path_id_is_refused_before_the_room_is_looked_up(db: Db) {
    let app = TestApp::spawn(db).await;
    let (_, token) = app.user("orderly").await;
    for (method, path) in [
        (Method::DELETE, "/api/rooms/no-such-room/categories/abc"),
        (Method::PATCH, "/api/rooms/no-such-room/categories/abc"),
        (Method::POST, "/api/channels/1/pins/abc"),
    ] {
        let body = (method == Method::PATCH || method == Method::POST).then(|| json!({}));
        let reply = app.send(method.clone(), path, Some(&token), body).await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{method} {path}: {}",
            reply.text
        );
    }
    app.stop().await;
}

both_backends!(a_letter_that_only_uppercases_to_a_channel_letter_deletes_nothing);
async fn a_letter_that_only_uppercases_to_a_channel_letter_deletes_nothing(db: Db) {
    let app = TestApp::spawn(db).await;
    let (_, token) = app.user("lettered").await;
    let slug = app.room(&token, "Letters").await;
    let mut letters = Vec::new();
    for n in 0..9 {
        letters.push(app.channel(&token, &slug, &format!("c{n}"), "text").await["letter"].clone());
    }
    assert!(
        letters.contains(&json!("I")),
        "channel I exists: {letters:?}"
    );
    // U+0131 (dotless i) uppercases to I; it is not a channel letter.
    let reply = app
        .send(
            Method::DELETE,
            &format!("/api/rooms/{slug}/channels/%C4%B1"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.text);
    let (_, room) = app.get(&format!("/api/rooms/{slug}"), &token).await;
    assert!(
        room["channels"]
            .as_array()
            .expect("channels")
            .iter()
            .any(|c| c["letter"] == "I"),
        "channel I is still there"
    );
    let reply = app
        .send(
            Method::DELETE,
            &format!("/api/rooms/{slug}/channels/i"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(
        reply.status,
        StatusCode::NO_CONTENT,
        "ASCII letters work in either case"
    );
    app.stop().await;
}

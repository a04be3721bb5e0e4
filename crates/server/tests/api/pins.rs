//! Pinned messages: `GET|POST|DELETE /api/channels/{id}/pins[/{message_id}]`, and the pin as
//! every `MessageRead` shows it, on SQLite and MariaDB.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::{Db, TestApp, both_backends};

struct Room {
    app: TestApp,
    owner: String,
    admin: String,
    member: String,
    text: i64,
    other_text: i64,
    voice: i64,
}

async fn room(app: TestApp) -> Room {
    let (_, owner) = app.user("owner").await;
    let (_, admin) = app.user("admin").await;
    let (_, member) = app.user("member").await;
    let slug = app.room(&owner, "Pins").await;
    let id = |v: Value| v["id"].as_i64().unwrap();
    let text = id(app.channel(&owner, &slug, "general", "text").await);
    let other_text = id(app.channel(&owner, &slug, "random", "text").await);
    let voice = id(app.channel(&owner, &slug, "lounge", "voice").await);
    app.join(&owner, &slug, &admin, "admin").await;
    app.join(&owner, &slug, &member, "member").await;
    Room {
        app,
        owner,
        admin,
        member,
        text,
        other_text,
        voice,
    }
}

impl Room {
    async fn say(&self, content: &str) -> i64 {
        self.app.message(&self.member, self.text, content).await["id"]
            .as_i64()
            .unwrap()
    }

    async fn pin(&self, token: &str, message: i64, body: Value) -> (StatusCode, Value) {
        self.app
            .post(
                &format!("/api/channels/{}/pins/{message}", self.text),
                token,
                body,
            )
            .await
    }

    async fn unpin(&self, token: &str, message: i64) -> (StatusCode, Value) {
        self.app
            .call(
                Method::DELETE,
                &format!("/api/channels/{}/pins/{message}", self.text),
                Some(token),
                None,
            )
            .await
    }

    async fn pins(&self) -> Vec<Value> {
        let (status, body) = self
            .app
            .get(&format!("/api/channels/{}/pins", self.text), &self.member)
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body.as_array().unwrap().clone()
    }

    /// The message as the (cached) newest history page shows it.
    async fn in_history(&self, message: i64) -> Value {
        let (_, page) = self
            .app
            .get(
                &format!("/api/channels/{}/history", self.text),
                &self.member,
            )
            .await;
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["id"] == message)
            .unwrap()
            .clone()
    }
}

both_backends!(admins_pin_and_unpin_and_every_read_shows_the_pin);
async fn admins_pin_and_unpin_and_every_read_shows_the_pin(db: Db) {
    let r = room(TestApp::spawn(db).await).await;
    let first = r.say("first").await;
    let second = r.say("second").await;
    // Read once so that the newest page is cached before the pin.
    assert!(r.in_history(first).await["pinned_at"].is_null());

    let (status, pin) = r.pin(&r.owner, first, json!({"note": "read this"})).await;
    assert_eq!(status, StatusCode::CREATED, "{db:?}: {pin}");
    assert_eq!(pin["channel_id"], r.text);
    assert_eq!(pin["message_id"], first);
    assert_eq!(pin["note"], "read this");
    assert_eq!(pin["pinned_by"]["login"], "owner");
    assert_eq!(pin["message"]["id"], first);
    assert_eq!(pin["message"]["content"], "first");
    assert_eq!(pin["message"]["pinned_at"], pin["pinned_at"]);
    assert!(pin["id"].is_i64(), "{pin}");
    // The cached page was dropped: history shows the pin at once.
    let shown = r.in_history(first).await;
    assert_eq!(shown["pinned_at"], pin["pinned_at"], "{db:?}: {shown}");
    assert_eq!(shown["pinned_by"]["login"], "owner");
    assert!(r.in_history(second).await["pinned_by"].is_null());

    // Most recently pinned first; pinning again replaces the note and the pinner.
    let (status, _) = r.pin(&r.admin, second, json!({})).await;
    assert_eq!(status, StatusCode::CREATED);
    let order: Vec<Value> = r
        .pins()
        .await
        .iter()
        .map(|p| p["message_id"].clone())
        .collect();
    assert_eq!(order, [json!(second), json!(first)], "{db:?}");
    let (status, again) = r.pin(&r.admin, first, json!({"note": null})).await;
    assert_eq!(status, StatusCode::CREATED, "{again}");
    assert_eq!(again["id"], pin["id"], "the same pin, updated");
    assert_eq!(again["pinned_by"]["login"], "admin");
    assert!(again["note"].is_null());
    let pins = r.pins().await;
    assert_eq!(pins.len(), 2, "{db:?}: {pins:?}");
    assert_eq!(pins[0]["message_id"], first, "{db:?}: re-pinned last");

    let (status, body) = r.unpin(&r.admin, first).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    assert!(r.in_history(first).await["pinned_at"].is_null(), "{db:?}");
    let (status, body) = r.unpin(&r.admin, first).await;
    assert_eq!(
        (status, body["detail"].as_str()),
        (StatusCode::NOT_FOUND, Some("Pinned message not found"))
    );
    assert_eq!(r.pins().await.len(), 1);
    r.app.stop().await;
}

both_backends!(bad_pins_get_the_contract_errors);
async fn bad_pins_get_the_contract_errors(db: Db) {
    let r = room(TestApp::spawn(db).await).await;
    let message = r.say("hello").await;
    let elsewhere = r.app.message(&r.member, r.other_text, "elsewhere").await["id"]
        .as_i64()
        .unwrap();
    let cases = [
        (
            r.pin(&r.owner, elsewhere, json!({})).await,
            StatusCode::NOT_FOUND,
            "Message not found",
        ),
        (
            r.pin(&r.owner, 999_999, json!({})).await,
            StatusCode::NOT_FOUND,
            "Message not found",
        ),
        (
            r.pin(&r.member, message, json!({})).await,
            StatusCode::FORBIDDEN,
            "Insufficient permissions",
        ),
        (
            r.unpin(&r.member, message).await,
            StatusCode::FORBIDDEN,
            "Insufficient permissions",
        ),
        (
            r.unpin(&r.owner, message).await,
            StatusCode::NOT_FOUND,
            "Pinned message not found",
        ),
    ];
    for ((status, body), expected_status, detail) in cases {
        assert_eq!(
            (status, body["detail"].as_str()),
            (expected_status, Some(detail)),
            "{body}"
        );
    }
    let (status, body) = r
        .app
        .post(
            &format!("/api/channels/{}/pins/{message}", r.voice),
            &r.owner,
            json!({}),
        )
        .await;
    assert_eq!(
        (status, body["detail"].as_str()),
        (
            StatusCode::BAD_REQUEST,
            Some("History is only available for text channels")
        )
    );

    let (status, body) = r
        .pin(&r.owner, message, json!({"note": "x".repeat(256)}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["detail"][0]["loc"], json!(["body", "note"]), "{body}");
    assert_eq!(body["detail"][0]["type"], "string_too_long");
    let (status, _) = r
        .pin(&r.owner, message, json!({"note": "x".repeat(255)}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "255 characters are allowed");
    // The body is required, and must be an object.
    let no_body = r
        .app
        .call(
            Method::POST,
            &format!("/api/channels/{}/pins/{message}", r.text),
            Some(&r.owner),
            None,
        )
        .await;
    assert_eq!(no_body.0, StatusCode::UNPROCESSABLE_ENTITY, "{}", no_body.1);
    let (status, _) = r.pin(&r.owner, message, json!([1])).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    r.app.stop().await;
}

both_backends!(a_channel_holds_at_most_250_pins);
/// A channel holds at most 250 pinned messages: one more is refused, and re-pinning one of
/// them still works.
async fn a_channel_holds_at_most_250_pins(db: Db) {
    let r = room(TestApp::spawn(db).await).await;
    // Posted together, so the writer commits them in a few transactions.
    let posted = futures_util::future::join_all((0..251).map(|i| {
        let (app, member, text) = (&r.app, &r.member, r.text);
        async move { app.message(member, text, &format!("line {i}")).await }
    }))
    .await;
    let ids: Vec<i64> = posted.iter().map(|m| m["id"].as_i64().unwrap()).collect();
    for id in &ids[..250] {
        let (status, body) = r.pin(&r.admin, *id, json!({})).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let (status, body) = r.pin(&r.admin, ids[250], json!({})).await;
    assert_eq!(
        (status, body["detail"].as_str()),
        (
            StatusCode::BAD_REQUEST,
            Some("A channel can have at most 250 pinned messages")
        )
    );
    let (status, _) = r.pin(&r.owner, ids[0], json!({"note": "still fine"})).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(r.pins().await.len(), 250);
    r.app.stop().await;
}

both_backends!(concurrent_pins_all_land);
/// Admins pinning different messages at the same moment: every pin lands, none fails.
async fn concurrent_pins_all_land(db: Db) {
    let r = room(TestApp::spawn(db).await).await;
    let posted = futures_util::future::join_all((0..40).map(|i| {
        let (app, member, text) = (&r.app, &r.member, r.text);
        async move { app.message(member, text, &format!("line {i}")).await }
    }))
    .await;
    let answers = futures_util::future::join_all(posted.iter().map(|m| {
        let id = m["id"].as_i64().unwrap();
        r.pin(&r.admin, id, json!({}))
    }))
    .await;
    for (status, body) in &answers {
        assert_eq!(*status, StatusCode::CREATED, "{db:?}: {body}");
    }
    assert_eq!(r.pins().await.len(), 40, "{db:?}");
    r.app.stop().await;
}

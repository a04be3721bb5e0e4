//! Resending without duplicates: a message's optional client `nonce` over HTTP and `/ws/text`;
//! a repeat from the same user within a day answers the message first stored, across
//! reconnects, on SQLite and MariaDB.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::ws::{connect, next_json, next_of, send};
use crate::common::{Db, TestApp, assert_422, both_backends};

struct Chat {
    app: TestApp,
    alice: String,
    bob: String,
    general: i64,
}

async fn chat(db: Db) -> Chat {
    let app = TestApp::spawn(db).await;
    let (_, alice) = app.user("alice").await;
    let (_, bob) = app.user("bob").await;
    let slug = app.room(&alice, "Resend").await;
    let general = app.channel(&alice, &slug, "general", "text").await["id"]
        .as_i64()
        .unwrap();
    app.join(&alice, &slug, &bob, "member").await;
    Chat {
        app,
        alice,
        bob,
        general,
    }
}

impl Chat {
    async fn post(&self, token: &str, content: &str, nonce: Value) -> (StatusCode, Value) {
        self.app
            .post(
                "/api/messages",
                token,
                json!({"channel_id": self.general, "content": content, "nonce": nonce}),
            )
            .await
    }

    /// Every message id in the channel, oldest first.
    async fn stored(&self) -> Vec<i64> {
        let (status, page) = self
            .app
            .get(
                &format!("/api/channels/{}/history?limit=100", self.general),
                &self.alice,
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["id"].as_i64().unwrap())
            .collect()
    }
}

both_backends!(an_http_resend_with_the_same_nonce_answers_the_first_message);
async fn an_http_resend_with_the_same_nonce_answers_the_first_message(db: Db) {
    let c = chat(db).await;
    let (status, first) = c.post(&c.bob, "hello once", json!("n-1")).await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    assert_eq!(first["nonce"], "n-1", "echoed");
    let (status, again) = c.post(&c.bob, "hello once", json!("n-1")).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(
        again["id"], first["id"],
        "{db:?}: the first message answers the resend"
    );
    assert_eq!(again["nonce"], "n-1");

    // The nonce is the author's own: others, and other nonces, post new messages. An integer
    // nonce is its digits.
    let (_, alices) = c
        .post(&c.alice, "same nonce, other author", json!("n-1"))
        .await;
    let (_, other) = c.post(&c.bob, "hello once", json!("n-2")).await;
    let (_, number) = c.post(&c.bob, "numbered", json!(42)).await;
    assert_eq!(number["nonce"], "42");
    let (_, number_again) = c.post(&c.bob, "numbered", json!("42")).await;
    assert_eq!(number_again["id"], number["id"]);
    let (_, plain) = c.post(&c.bob, "no nonce", Value::Null).await;
    assert!(plain.get("nonce").is_none(), "no nonce, no field: {plain}");
    let ids: Vec<i64> = [&first, &alices, &other, &number, &plain]
        .iter()
        .map(|m| m["id"].as_i64().unwrap())
        .collect();
    assert_eq!(c.stored().await, ids, "{db:?}");

    // Multipart forms carry it too; history never shows a nonce.
    let channel = c.general.to_string();
    let fields = [
        ("channel_id", channel.as_str()),
        ("content", "form"),
        ("nonce", "f-1"),
    ];
    let one = c.app.post_message(Some(&c.bob), &fields).await;
    let two = c.app.post_message(Some(&c.bob), &fields).await;
    assert_eq!(
        (one.status, two.status),
        (StatusCode::CREATED, StatusCode::CREATED)
    );
    assert_eq!(one.body["id"], two.body["id"], "{db:?}");
    let (_, page) = c
        .app
        .get(&format!("/api/channels/{}/history", c.general), &c.bob)
        .await;
    assert!(
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m.get("nonce").is_none())
    );
    c.app.stop().await;
}

both_backends!(a_bad_nonce_is_refused_with_422);
async fn a_bad_nonce_is_refused_with_422(db: Db) {
    let c = chat(db).await;
    for nonce in [
        json!(""),
        json!("x".repeat(65)),
        json!(1.5),
        json!(["a"]),
        json!({"a": 1}),
    ] {
        let reply = c
            .app
            .send(
                reqwest::Method::POST,
                "/api/messages",
                Some(&c.bob),
                Some(json!({"channel_id": c.general, "content": "hi", "nonce": nonce})),
            )
            .await;
        assert_422(
            &reply,
            "string_type",
            json!(["body", "nonce"]),
            &nonce.to_string(),
        );
    }
    let (status, ok) = c.post(&c.bob, "sixty-four", json!("é".repeat(64))).await;
    assert_eq!(status, StatusCode::CREATED, "{ok}");
    let mut ws = connect(
        &c.app.base,
        &format!("/ws/text/{}?token={}", c.general, c.bob),
    )
    .await;
    next_of(&mut ws, "history").await;
    send(&mut ws, json!({"content": "bad", "nonce": {"no": 1}})).await;
    let error = next_of(&mut ws, "error").await;
    assert_eq!(
        error["detail"],
        "nonce must be a string of 1 to 64 characters"
    );
    assert_eq!(c.stored().await.len(), 1, "{db:?}");
    c.app.stop().await;
}

both_backends!(a_socket_resend_after_a_reconnect_is_echoed_to_its_sender_only);
async fn a_socket_resend_after_a_reconnect_is_echoed_to_its_sender_only(db: Db) {
    let c = chat(db).await;
    let path = |token: &str| format!("/ws/text/{}?token={token}", c.general);
    let mut watcher = connect(&c.app.base, &path(&c.alice)).await;
    next_of(&mut watcher, "history").await;

    let mut sender = connect(&c.app.base, &path(&c.bob)).await;
    next_of(&mut sender, "history").await;
    send(
        &mut sender,
        json!({"content": "sent once", "nonce": "abc-1"}),
    )
    .await;
    let echo = next_of(&mut sender, "message").await;
    assert_eq!(echo["message"]["nonce"], "abc-1", "{db:?}");
    let seen = next_of(&mut watcher, "message").await;
    assert_eq!(seen["message"]["id"], echo["message"]["id"]);
    // The connection drops before the client trusts the echo; it reconnects and resends.
    drop(sender);
    let mut sender = connect(&c.app.base, &path(&c.bob)).await;
    next_of(&mut sender, "history").await;
    send(
        &mut sender,
        json!({"content": "sent once", "nonce": "abc-1"}),
    )
    .await;
    let again = next_of(&mut sender, "message").await;
    assert_eq!(again["message"]["id"], echo["message"]["id"], "{db:?}");
    assert_eq!(again["message"]["nonce"], "abc-1");

    // Twice in one burst, then a new message: the watcher's next message is the new one.
    send(&mut sender, json!({"content": "burst", "nonce": "abc-2"})).await;
    send(&mut sender, json!({"content": "burst", "nonce": "abc-2"})).await;
    send(&mut sender, json!({"content": "after", "nonce": "abc-3"})).await;
    let burst = next_of(&mut watcher, "message").await;
    assert_eq!(burst["message"]["content"], "burst");
    let after = next_of(&mut watcher, "message").await;
    assert_eq!(
        after["message"]["content"], "after",
        "{db:?}: no second copy of the burst"
    );
    let mut echoes = Vec::new();
    while echoes.len() < 3 {
        let frame = next_json(&mut sender).await;
        if frame["type"] == "message" {
            echoes.push(frame["message"]["id"].as_i64().unwrap());
        }
    }
    assert_eq!(
        echoes[0], echoes[1],
        "both copies of the burst answer one message"
    );
    assert_eq!(c.stored().await.len(), 3, "{db:?}");
    c.app.stop().await;
}

both_backends!(a_nonce_older_than_a_day_posts_a_new_message);
async fn a_nonce_older_than_a_day_posts_a_new_message(db: Db) {
    let c = chat(db).await;
    let (_, first) = c.post(&c.bob, "yesterday", json!("old")).await;
    // A day and a minute pass, as far as the nonce knows.
    let store = charge_store::Store::connect(&c.app.database_url, &Default::default())
        .await
        .unwrap();
    store
        .execute_admin("UPDATE message_nonces SET created_at = created_at - 86460000000")
        .await
        .unwrap();
    store.close().await;
    let (status, second) = c.post(&c.bob, "today", json!("old")).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_ne!(second["id"], first["id"], "{db:?}");
    let (_, third) = c.post(&c.bob, "today", json!("old")).await;
    assert_eq!(
        third["id"], second["id"],
        "the new message owns the nonce now"
    );
    c.app.stop().await;
}

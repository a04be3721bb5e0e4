//! Messages edited, deleted or moderated over HTTP reach the channel's sockets, and random
//! garbage on a socket never hurts the connection or the server.

use rand::{RngExt, SeedableRng};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::ws::{connect, next_json, next_of, send, send_raw};
use crate::common::{Db, TestApp, both_backends};

both_backends!(http_edits_deletes_and_moderation_are_pushed_and_hide_the_original_text);
async fn http_edits_deletes_and_moderation_are_pushed_and_hide_the_original_text(db: Db) {
    let app = TestApp::spawn(db).await;
    let (_, alice) = app.user("alice").await;
    let (_, bob) = app.user("bob").await;
    let slug = app.room(&alice, "Edits").await;
    let text = app.channel(&alice, &slug, "general", "text").await["id"]
        .as_i64()
        .unwrap();
    app.join(&alice, &slug, &bob, "member").await;
    let mut sock = connect(&app.base, &format!("/ws/text/{text}?token={alice}")).await;
    next_of(&mut sock, "presence").await;

    let mine = app.message(&bob, text, "first draft").await["id"]
        .as_i64()
        .unwrap();
    assert_eq!(next_of(&mut sock, "message").await["message"]["id"], mine);
    let (status, edited) = app
        .call(
            Method::PATCH,
            &format!("/api/messages/{mine}"),
            Some(&bob),
            Some(json!({"content": "final  "})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{edited}");
    assert_eq!(edited["content"], "final");
    assert!(edited["edited_at"].is_string());
    let pushed = next_of(&mut sock, "message").await;
    assert_eq!(
        (
            pushed["message"]["id"].as_i64(),
            pushed["message"]["content"].as_str()
        ),
        (Some(mine), Some("final"))
    );

    // Someone else's message: members may not edit it, admins may moderate it.
    let alices = app.message(&alice, text, "owner words").await["id"]
        .as_i64()
        .unwrap();
    next_of(&mut sock, "message").await;
    let (status, body) = app
        .call(
            Method::PATCH,
            &format!("/api/messages/{alices}"),
            Some(&bob),
            Some(json!({"content": "hijack"})),
        )
        .await;
    assert_eq!(
        (status, body["detail"].as_str()),
        (StatusCode::FORBIDDEN, Some("Insufficient permissions"))
    );
    let (status, body) = app
        .call(
            Method::PATCH,
            &format!("/api/messages/{mine}"),
            Some(&bob),
            Some(json!({"content": "   "})),
        )
        .await;
    assert_eq!(
        (status, body["detail"].as_str()),
        (
            StatusCode::BAD_REQUEST,
            Some("Message content cannot be empty")
        )
    );
    let (status, _) = app
        .call(
            Method::PATCH,
            "/api/messages/999999",
            Some(&bob),
            Some(json!({"content": "x"})),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app
        .call(
            Method::POST,
            &format!("/api/messages/{mine}/moderate"),
            Some(&bob),
            Some(json!({"action": "suppress"})),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let (status, moderated) = app
        .call(
            Method::POST,
            &format!("/api/messages/{mine}/moderate"),
            Some(&alice),
            Some(json!({"action": "suppress", "note": "spam"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(moderated["content"], "", "moderated text is not shown");
    assert_eq!(moderated["moderated_by"]["login"], "alice");
    assert_eq!(
        next_of(&mut sock, "message").await["message"]["moderation_note"],
        "spam"
    );
    let (_, restored) = app
        .call(
            Method::POST,
            &format!("/api/messages/{mine}/moderate"),
            Some(&alice),
            Some(json!({"action": "restore"})),
        )
        .await;
    assert_eq!(restored["content"], "final");
    next_of(&mut sock, "message").await;

    let (status, deleted) = app
        .call(
            Method::DELETE,
            &format!("/api/messages/{mine}"),
            Some(&bob),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(deleted["deleted_at"].is_string());
    assert_eq!(deleted["content"], "");
    let pushed = next_of(&mut sock, "message").await;
    assert_eq!(pushed["message"]["content"], "");
    let (_, page) = app
        .get(&format!("/api/channels/{text}/history"), &alice)
        .await;
    assert!(
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["content"] != "final"),
        "history does not leak deleted text"
    );
    app.stop().await;
}

/// A random JSON value, biased towards the shapes the gateways look at.
fn random_value(rng: &mut rand::rngs::StdRng, depth: u32) -> Value {
    match rng.random_range(0..9) {
        0 => Value::Null,
        1 => Value::Bool(rng.random()),
        2 => json!(rng.random::<i64>()),
        3 => json!(rng.random::<f64>()),
        4 => Value::String(
            (0..rng.random_range(0..40))
                .map(|_| char::from_u32(rng.random_range(1..0x2FFF)).unwrap_or('?'))
                .collect(),
        ),
        5 if depth < 3 => Value::Array(
            (0..rng.random_range(0..4))
                .map(|_| random_value(rng, depth + 1))
                .collect(),
        ),
        6 if depth < 3 => {
            let keys = [
                "type",
                "content",
                "parent_id",
                "attachments",
                "is_typing",
                "target",
                "event",
                "signal",
                "role",
                "metrics",
                "muted",
            ];
            let mut obj = serde_json::Map::new();
            for _ in 0..rng.random_range(0..5) {
                obj.insert(
                    keys[rng.random_range(0..keys.len())].to_owned(),
                    random_value(rng, depth + 1),
                );
            }
            Value::Object(obj)
        }
        7 => {
            let kinds = [
                "message", "typing", "ping", "offer", "state", "signal", "reaction", "",
            ];
            json!(kinds[rng.random_range(0..kinds.len())])
        }
        _ => {
            let kinds = ["message", "typing", "state", "offer", "candidate"];
            json!({"type": kinds[rng.random_range(0..kinds.len())], "content": "x", "event": "set-role"})
        }
    }
}

both_backends!(random_frames_never_break_a_connection_or_the_server);
async fn random_frames_never_break_a_connection_or_the_server(db: Db) {
    let app = TestApp::spawn(db).await;
    let (_, alice) = app.user("alice").await;
    let slug = app.room(&alice, "Fuzz").await;
    let text = app.channel(&alice, &slug, "general", "text").await["id"]
        .as_i64()
        .unwrap();
    let mut rng = rand::rngs::StdRng::seed_from_u64(0x00c4_a26e);
    for path in [
        format!("/ws/text/{text}?token={alice}"),
        format!("/ws/signal/{slug}?token={alice}"),
        format!("/ws/rooms/{slug}?token={alice}"),
    ] {
        let mut sock = connect(&app.base, &path).await;
        for _ in 0..300 {
            let raw = if rng.random_bool(0.2) {
                // Not JSON at all, or truncated JSON.
                let s = random_value(&mut rng, 0).to_string();
                s.chars().take(s.chars().count() / 2).collect::<String>() + "\u{0}"
            } else {
                random_value(&mut rng, 0).to_string()
            };
            send_raw(&mut sock, &raw).await;
        }
        send(&mut sock, json!({"type": "ping"})).await;
        // Everything before the pong is a well-formed frame of the protocol.
        loop {
            let frame = next_json(&mut sock).await;
            assert!(frame["type"].is_string(), "{frame}");
            if frame["type"] == "pong" {
                break;
            }
        }
    }
    let (status, _) = app.get("/api/rooms", &alice).await;
    assert_eq!(status, StatusCode::OK);
    app.stop().await;
}

both_backends!(reactions_over_the_socket_and_http_reach_everyone_and_show_in_history);
async fn reactions_over_the_socket_and_http_reach_everyone_and_show_in_history(db: Db) {
    let app = TestApp::spawn(db).await;
    let (alice_id, alice) = app.user("alice").await;
    let (bob_id, bob) = app.user("bob").await;
    let slug = app.room(&alice, "Reactions").await;
    let text = app.channel(&alice, &slug, "general", "text").await["id"]
        .as_i64()
        .unwrap();
    app.join(&alice, &slug, &bob, "member").await;
    let message = app.message(&alice, text, "react to this").await["id"]
        .as_i64()
        .unwrap();
    let mut a = connect(&app.base, &format!("/ws/text/{text}?token={alice}")).await;
    next_of(&mut a, "presence").await;
    let mut b = connect(&app.base, &format!("/ws/text/{text}?token={bob}")).await;
    next_of(&mut b, "presence").await;

    send(
        &mut b,
        json!({"type": "reaction", "message_id": message, "emoji": " 🔥 "}),
    )
    .await;
    for sock in [&mut a, &mut b] {
        let frame = next_of(sock, "reaction").await;
        assert_eq!(frame["message"]["id"], message);
        assert_eq!(
            frame["message"]["reactions"],
            json!([{"emoji": "🔥", "count": 1, "reacted": false, "user_ids": [bob_id]}])
        );
    }
    let (status, read) = app
        .post(
            &format!("/api/channels/{text}/messages/{message}/reactions"),
            &alice,
            json!({"emoji": "🔥"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(read["reactions"][0]["user_ids"], json!([alice_id, bob_id]));
    assert_eq!(read["reactions"][0]["reacted"], true);
    assert_eq!(
        next_of(&mut b, "reaction").await["message"]["reactions"][0]["count"],
        2
    );
    let (status, body) = app
        .post(
            &format!("/api/channels/{text}/messages/{message}/reactions"),
            &alice,
            json!({"emoji": "🔥"}),
        )
        .await;
    assert_eq!(
        (status, body["detail"].as_str()),
        (StatusCode::CONFLICT, Some("Reaction already exists"))
    );

    let (_, page) = app
        .get(&format!("/api/channels/{text}/history"), &bob)
        .await;
    let item = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == message)
        .unwrap()
        .clone();
    assert_eq!(
        item["reactions"][0]["reacted"], true,
        "bob's view of his own reaction"
    );

    let cases = [
        (
            json!({"type": "reaction", "message_id": "x", "emoji": "a"}),
            "Reaction payload must include integer 'message_id'",
        ),
        (
            json!({"type": "reaction", "message_id": message}),
            "Reaction payload must include 'emoji'",
        ),
        (
            json!({"type": "reaction", "message_id": 987654, "emoji": "a"}),
            "Message not found",
        ),
        (
            json!({"type": "reaction", "message_id": message, "emoji": "😀", "operation": "REMOVE"}),
            "Reaction not found",
        ),
    ];
    for (frame, detail) in cases {
        send(&mut b, frame).await;
        assert_eq!(next_of(&mut b, "error").await["detail"], detail);
    }
    send(
        &mut b,
        json!({"type": "reaction", "message_id": message, "emoji": "🔥", "operation": "remove"}),
    )
    .await;
    // Alice first sees her own HTTP reaction, then bob's removal.
    assert_eq!(
        next_of(&mut a, "reaction").await["message"]["reactions"][0]["count"],
        2
    );
    let frame = next_of(&mut a, "reaction").await;
    assert_eq!(
        frame["message"]["reactions"][0]["user_ids"],
        json!([alice_id])
    );
    let (status, read) = app
        .call(
            Method::DELETE,
            &format!("/api/channels/{text}/messages/{message}/reactions?emoji=%F0%9F%94%A5"),
            Some(&alice),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(read["reactions"], json!([]));
    let (status, _) = app
        .call(
            Method::DELETE,
            &format!("/api/channels/{text}/messages/{message}/reactions?emoji=%F0%9F%94%A5"),
            Some(&alice),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    app.stop().await;
}

both_backends!(the_newest_page_shows_every_change_in_the_next_read);
/// The newest page is served from memory between changes: every change must show in the very
/// next read, for every viewer, with each viewer's own `reacted` flag.
async fn the_newest_page_shows_every_change_in_the_next_read(db: Db) {
    let app = TestApp::spawn(db).await;
    let (alice_id, alice) = app.user("alice").await;
    let (_, bob) = app.user("bob").await;
    let slug = app.room(&alice, "Cache").await;
    let created = app.channel(&alice, &slug, "general", "text").await;
    let text = created["id"].as_i64().unwrap();
    let letter = created["letter"].as_str().expect("letter").to_owned();
    let newest = |token: String| {
        let app = &app;
        async move {
            let (status, page) = app
                .get(&format!("/api/channels/{text}/history?limit=5"), &token)
                .await;
            assert_eq!(status, StatusCode::OK, "{page}");
            page["items"].as_array().unwrap().clone()
        }
    };
    // Bob is not a member yet: refused, and the refusal is not remembered once he joins.
    let (status, _) = app
        .get(&format!("/api/channels/{text}/history?limit=5"), &bob)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    app.join(&alice, &slug, &bob, "member").await;
    assert!(newest(bob.clone()).await.is_empty());

    let first = app.message(&alice, text, "one").await["id"]
        .as_i64()
        .unwrap();
    assert_eq!(newest(alice.clone()).await.len(), 1);
    assert_eq!(newest(alice.clone()).await.len(), 1, "a repeated read");
    app.message(&bob, text, "two").await;
    let items = newest(bob.clone()).await;
    assert_eq!(
        items
            .iter()
            .map(|m| m["content"].clone())
            .collect::<Vec<_>>(),
        [json!("one"), json!("two")]
    );

    let (status, _) = app
        .call(
            Method::PATCH,
            &format!("/api/messages/{first}"),
            Some(&alice),
            Some(json!({"content": "one, edited"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(newest(bob.clone()).await[0]["content"], "one, edited");

    let (status, _) = app
        .post(
            &format!("/api/channels/{text}/messages/{first}/reactions"),
            &alice,
            json!({"emoji": "👍"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let as_alice = newest(alice.clone()).await;
    let as_bob = newest(bob.clone()).await;
    assert_eq!(as_alice[0]["reactions"][0]["user_ids"], json!([alice_id]));
    assert_eq!(as_alice[0]["reactions"][0]["reacted"], true);
    assert_eq!(as_bob[0]["reactions"][0]["reacted"], false, "per viewer");

    let (status, _) = app
        .call(
            Method::DELETE,
            &format!("/api/messages/{first}"),
            Some(&alice),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let items = newest(bob.clone()).await;
    assert!(items[0]["deleted_at"].is_string());
    assert_eq!(items[0]["content"], "");

    // A deleted channel is gone at once, not after the access cache lapses.
    let (status, _) = app
        .call(
            Method::DELETE,
            &format!("/api/rooms/{slug}/channels/{letter}"),
            Some(&alice),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = app
        .get(&format!("/api/channels/{text}/history?limit=5"), &bob)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    app.stop().await;
}

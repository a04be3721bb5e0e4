//! `/ws/direct` and `/ws/presence` with live users: snapshots, events to every participant
//! (and notes to their owner only), typing, and statuses that follow a person's sockets,
//! profile and activity.

use reqwest::{Method, StatusCode};
use serde_json::json;

use super::{Person, befriend, call, conversation, person, say};
use crate::common::ws::{Ws, close_of, connect, next_json, next_of, send, send_raw};
use crate::common::{Db, TestApp, both_backends};

async fn direct(app: &TestApp, who: &Person) -> Ws {
    connect(&app.base, &format!("/ws/direct?token={}", who.token)).await
}

async fn presence(app: &TestApp, who: &Person) -> Ws {
    connect(&app.base, &format!("/ws/presence?token={}", who.token)).await
}

/// The next `status` frame about `user_id`.
async fn status_of(ws: &mut Ws, user_id: i64) -> serde_json::Value {
    loop {
        let frame = next_of(ws, "status").await;
        if frame["user"]["id"] == user_id {
            return frame["user"].clone();
        }
    }
}

both_backends!(direct_sockets_get_a_snapshot_then_every_event_of_their_conversations);
async fn direct_sockets_get_a_snapshot_then_every_event_of_their_conversations(db: Db) {
    let app = TestApp::spawn(db).await;
    let alice = person(&app, "alice").await;
    let bob = person(&app, "bob").await;
    let carol = person(&app, "carol").await;
    befriend(&app, &alice, &bob).await;
    befriend(&app, &alice, &carol).await;
    let chat = conversation(&app, &alice, &[&bob], None).await;

    let mut a = direct(&app, &alice).await;
    let mut b = direct(&app, &bob).await;
    let mut c = direct(&app, &carol).await;
    let snapshot = next_json(&mut a).await;
    assert_eq!(snapshot["type"], "direct_snapshot");
    assert_eq!(
        super::ids(&snapshot["conversations"], "id").len(),
        2,
        "accepting each friend opened a conversation"
    );
    next_of(&mut b, "direct_snapshot").await;
    let theirs = next_of(&mut c, "direct_snapshot").await;
    assert_eq!(theirs["conversations"].as_array().unwrap().len(), 1);

    let sent = say(&app, &alice, chat, "over the socket").await;
    for ws in [&mut a, &mut b] {
        let message = next_json(ws).await;
        assert_eq!(message["type"], "message");
        assert_eq!(message["conversation_id"], chat);
        assert_eq!(message["message"]["id"], sent["id"]);
        assert_eq!(message["message"]["content"], "over the socket");
        let refresh = next_json(ws).await;
        assert_eq!(
            refresh,
            json!({"type": "conversation_refresh", "conversation_id": chat})
        );
    }

    let reply = call(
        &app,
        Method::PATCH,
        &format!("/api/dm/conversations/{chat}/note"),
        &bob,
        Some(json!({"note": "bring snacks"})),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    let note = next_json(&mut b).await;
    assert_eq!(
        note,
        json!({"type": "note_updated", "conversation_id": chat, "user_id": bob.id, "note": "bring snacks"})
    );
    // Alice never hears of Bob's note: her next frame is the answer to her ping.
    send(&mut a, json!({"type": "ping"})).await;
    assert_eq!(next_json(&mut a).await, json!({"type": "pong"}));

    send(&mut a, json!({"type": "typing", "conversation_id": chat})).await;
    assert_eq!(
        next_json(&mut b).await,
        json!({"type": "typing", "conversation_id": chat, "user_id": alice.id})
    );
    send(&mut c, json!({"type": "typing", "conversation_id": chat})).await;
    assert_eq!(
        next_json(&mut c).await,
        json!({"type": "error", "detail": "No access to the conversation"})
    );
    send_raw(&mut a, "not json").await;
    assert_eq!(
        next_json(&mut a).await,
        json!({"type": "error", "detail": "Invalid payload"})
    );
    send(&mut a, json!({"type": "refresh"})).await;
    let again = next_json(&mut a).await;
    assert_eq!(again["type"], "direct_snapshot");
    assert_eq!(
        again["conversations"][0]["id"], chat,
        "latest activity first"
    );
    assert_eq!(again["conversations"][0]["last_message"]["id"], sent["id"]);

    // A new group tells every member.
    let group = conversation(&app, &alice, &[&bob, &carol], Some("three")).await;
    for ws in [&mut a, &mut b, &mut c] {
        assert_eq!(
            next_of(ws, "conversation_refresh").await["conversation_id"],
            group
        );
    }
    let mut anonymous = connect(&app.base, "/ws/direct").await;
    assert_eq!(
        close_of(&mut anonymous).await,
        (1008, "Missing token".to_owned())
    );
    app.stop().await;
}

both_backends!(a_friend_shows_online_while_any_of_their_sockets_is_open_and_offline_after);
async fn a_friend_shows_online_while_any_of_their_sockets_is_open_and_offline_after(db: Db) {
    let app = TestApp::spawn(db).await;
    let alice = person(&app, "alice").await;
    let bob = person(&app, "bob").await;
    befriend(&app, &alice, &bob).await;

    let mut watch = presence(&app, &alice).await;
    let snapshot = next_of(&mut watch, "status_snapshot").await;
    let users = snapshot["users"].as_array().unwrap();
    assert_eq!(users[0]["id"], alice.id);
    assert_eq!(users[1]["id"], bob.id);
    assert_eq!(users[1]["status"], "offline", "bob has no socket yet");
    assert!(users[1]["last_seen_at"].is_null());
    let friends = call(&app, Method::GET, "/api/dm/friends", &alice, None).await;
    assert_eq!(friends.body[0]["status"], "offline");

    let mut first = presence(&app, &bob).await;
    assert_eq!(status_of(&mut watch, bob.id).await["status"], "online");
    let friends = call(&app, Method::GET, "/api/dm/friends", &alice, None).await;
    assert_eq!(friends.body[0]["status"], "online");
    let mut second = direct(&app, &bob).await;
    // Answered by the running session, so this socket counts before the first one closes.
    send(&mut second, json!({"type": "ping"})).await;
    next_of(&mut second, "pong").await;
    drop(first.close(None).await);
    // Still connected through the second socket: a profile change shows him online.
    let reply = call(
        &app,
        Method::PATCH,
        "/api/profile",
        &bob,
        Some(json!({"display_name": "Bobby"})),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    let seen = status_of(&mut watch, bob.id).await;
    assert_eq!(seen["display_name"], "Bobby");
    assert_eq!(seen["status"], "online");

    let reply = call(
        &app,
        Method::PATCH,
        "/api/profile",
        &bob,
        Some(json!({"status": "dnd"})),
    )
    .await;
    assert_eq!(reply.body["status"], "dnd");
    assert_eq!(status_of(&mut watch, bob.id).await["status"], "dnd");
    let reply = call(
        &app,
        Method::PATCH,
        "/api/profile",
        &bob,
        Some(json!({"status": "invisible"})),
    )
    .await;
    assert_eq!(reply.body["status"], "invisible", "bob sees his own choice");
    assert_eq!(
        status_of(&mut watch, bob.id).await["status"],
        "offline",
        "others see him offline"
    );
    let reply = call(
        &app,
        Method::PATCH,
        "/api/profile",
        &bob,
        Some(json!({"status": "online"})),
    )
    .await;
    assert_eq!(reply.body["status"], "online");
    assert_eq!(status_of(&mut watch, bob.id).await["status"], "online");

    drop(second);
    let gone = status_of(&mut watch, bob.id).await;
    assert_eq!(gone["status"], "offline");
    assert!(gone["last_seen_at"].is_string(), "{gone}");
    app.stop().await;
}

both_backends!(a_quiet_user_turns_idle_and_active_again_with_any_activity);
async fn a_quiet_user_turns_idle_and_active_again_with_any_activity(db: Db) {
    let app = TestApp::spawn_with(db, &[("PRESENCE_IDLE_SECONDS", "1")]).await;
    let alice = person(&app, "alice").await;
    let bob = person(&app, "bob").await;
    befriend(&app, &alice, &bob).await;
    let mut watch = presence(&app, &alice).await;
    next_of(&mut watch, "status_snapshot").await;
    let mut bobs = presence(&app, &bob).await;
    next_of(&mut bobs, "status_snapshot").await;
    assert_eq!(status_of(&mut watch, bob.id).await["status"], "online");
    // One second without activity (the setting above) turns him idle.
    assert_eq!(status_of(&mut watch, bob.id).await["status"], "idle");
    send(&mut bobs, json!({"type": "activity"})).await;
    assert_eq!(status_of(&mut watch, bob.id).await["status"], "online");
    app.stop().await;
}

both_backends!(room_members_carry_each_other_s_live_status);
async fn room_members_carry_each_other_s_live_status(db: Db) {
    let app = TestApp::spawn(db).await;
    let alice = person(&app, "alice").await;
    let bob = person(&app, "bob").await;
    let slug = app.room(&alice.token, "Club").await;
    app.join(&alice.token, &slug, &bob.token, "member").await;
    let bob_in = |detail: &serde_json::Value| {
        detail["members"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["user_id"] == bob.id)
            .unwrap()["status"]
            .clone()
    };
    let (_, detail) = app.get(&format!("/api/rooms/{slug}"), &alice.token).await;
    assert_eq!(bob_in(&detail), "offline", "no socket of bob's is open");
    let (_, mine) = app.get(&format!("/api/rooms/{slug}"), &bob.token).await;
    assert_eq!(bob_in(&mine), "online", "the caller counts as connected");

    let mut bobs = connect(&app.base, &format!("/ws/rooms/{slug}?token={}", bob.token)).await;
    let snapshot = next_of(&mut bobs, "workspace_snapshot").await;
    assert_eq!(bob_in(&snapshot), "online");
    // Any socket counts: the workspace stream is enough for others to see bob online.
    let mut detail = serde_json::Value::Null;
    for _ in 0..50 {
        detail = app.get(&format!("/api/rooms/{slug}"), &alice.token).await.1;
        if bob_in(&detail) == "online" {
            break;
        }
        tokio::task::yield_now().await;
    }
    assert_eq!(bob_in(&detail), "online");
    call(
        &app,
        Method::PATCH,
        "/api/profile",
        &bob,
        Some(json!({"status": "invisible"})),
    )
    .await;
    let (_, detail) = app.get(&format!("/api/rooms/{slug}"), &alice.token).await;
    assert_eq!(bob_in(&detail), "offline", "invisible shows as offline");
    app.stop().await;
}

//! Blocking: it ends the friendship, and the blocked user can no longer send the blocker
//! requests or messages (in the existing conversation too) nor see the blocker's status.

use reqwest::{Method, StatusCode};
use serde_json::json;

use super::{befriend, call, conversation, ids, person};
use crate::common::ws::{connect, next_of};
use crate::common::{Db, TestApp, assert_detail, both_backends};

both_backends!(a_blocked_user_cannot_ask_message_or_watch_the_blocker);
async fn a_blocked_user_cannot_ask_message_or_watch_the_blocker(db: Db) {
    let app = TestApp::spawn(db).await;
    let alice = person(&app, "alice").await;
    let bob = person(&app, "bob").await;
    befriend(&app, &alice, &bob).await;
    let chat = conversation(&app, &alice, &[&bob], None).await;
    let mut watcher = connect(&app.base, &format!("/ws/presence?token={}", bob.token)).await;
    let snapshot = next_of(&mut watcher, "status_snapshot").await;
    assert_eq!(ids(&snapshot["users"], "id"), vec![bob.id, alice.id]);

    let block = format!("/api/dm/blocks/{}", bob.id);
    let reply = call(&app, Method::PUT, &block, &alice, None).await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT, "{}", reply.text);
    let removed = next_of(&mut watcher, "status_removed").await;
    assert_eq!(removed["user_id"], alice.id);

    for who in [&alice, &bob] {
        let friends = call(&app, Method::GET, "/api/dm/friends", who, None).await;
        assert_eq!(friends.body, json!([]), "blocking ends the friendship");
    }
    let blocks = call(&app, Method::GET, "/api/dm/blocks", &alice, None).await;
    assert_eq!(ids(&blocks.body, "id"), vec![bob.id]);

    let reply = call(
        &app,
        Method::POST,
        "/api/dm/requests",
        &bob,
        Some(json!({"login": "alice"})),
    )
    .await;
    assert_detail(
        &reply,
        StatusCode::FORBIDDEN,
        "You cannot send a friend request to this user",
        "blocked asks",
    );
    let reply = call(
        &app,
        Method::POST,
        "/api/dm/requests",
        &alice,
        Some(json!({"login": "bob"})),
    )
    .await;
    assert_detail(
        &reply,
        StatusCode::BAD_REQUEST,
        "Unblock this user first",
        "blocker asks",
    );
    let path = format!("/api/dm/conversations/{chat}/messages");
    for who in [&bob, &alice] {
        let reply = call(
            &app,
            Method::POST,
            &path,
            who,
            Some(json!({"content": "hello?"})),
        )
        .await;
        assert_detail(
            &reply,
            StatusCode::FORBIDDEN,
            "You cannot message this user",
            &who.login,
        );
    }
    let reply = call(
        &app,
        Method::POST,
        "/api/dm/conversations",
        &bob,
        Some(json!({"participant_ids": [alice.id]})),
    )
    .await;
    assert_detail(
        &reply,
        StatusCode::FORBIDDEN,
        "Add the user as a friend first",
        "new conversation",
    );
    let reply = call(
        &app,
        Method::PUT,
        &format!("/api/dm/blocks/{}", alice.id),
        &alice,
        None,
    )
    .await;
    assert_detail(
        &reply,
        StatusCode::BAD_REQUEST,
        "You cannot block yourself",
        "self",
    );
    let reply = call(&app, Method::PUT, "/api/dm/blocks/999999", &alice, None).await;
    assert_detail(&reply, StatusCode::NOT_FOUND, "User not found", "unknown");

    let reply = call(&app, Method::DELETE, &block, &alice, None).await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT);
    let reply = call(&app, Method::DELETE, &block, &alice, None).await;
    assert_detail(
        &reply,
        StatusCode::NOT_FOUND,
        "User is not blocked",
        "twice",
    );
    let reply = call(
        &app,
        Method::POST,
        "/api/dm/requests",
        &bob,
        Some(json!({"login": "alice"})),
    )
    .await;
    assert_eq!(
        reply.status,
        StatusCode::CREATED,
        "unblocked: asking works again"
    );
    app.stop().await;
}

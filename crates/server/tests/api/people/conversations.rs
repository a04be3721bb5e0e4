//! 1:1 conversations: opening, messages with read marks and unread counts, pages with a
//! `before` cursor, replies, edits, deletions without leaks, reactions and notes.

use reqwest::{Method, StatusCode};
use serde_json::json;

use super::{Person, befriend, call, conversation, ids, person, say};
use crate::common::{Db, TestApp, assert_detail, both_backends};

async fn pair(app: &TestApp) -> (Person, Person, i64) {
    let alice = person(app, "alice").await;
    let bob = person(app, "bob").await;
    befriend(app, &alice, &bob).await;
    let chat = conversation(app, &alice, &[&bob], Some("ignored for 1:1")).await;
    (alice, bob, chat)
}

both_backends!(messages_between_two_friends_count_as_unread_until_the_recipient_reads_them);
async fn messages_between_two_friends_count_as_unread_until_the_recipient_reads_them(db: Db) {
    let app = TestApp::spawn(db).await;
    let (alice, bob, chat) = pair(&app).await;
    assert_eq!(
        conversation(&app, &bob, &[&alice], None).await,
        chat,
        "one conversation per pair"
    );

    let sent = say(&app, &alice, chat, "  hello bob \n").await;
    assert_eq!(sent["content"], "hello bob");
    assert_eq!(sent["conversation_id"], chat);
    assert_eq!(sent["sender_id"], alice.id);
    assert_eq!(sent["recipient_id"], bob.id);
    assert_eq!(sent["sender"]["login"], "alice");
    assert!(sent["read_at"].is_null());
    say(&app, &alice, chat, "are you there?").await;

    let list = call(&app, Method::GET, "/api/dm/conversations", &bob, None).await;
    let first = &list.body[0];
    assert_eq!(first["id"], chat);
    assert_eq!(first["unread_count"], 2);
    assert_eq!(first["last_message"]["content"], "are you there?");
    assert!(first["title"].is_null(), "a 1:1 conversation has no title");
    assert_eq!(
        ids(
            &json!(
                first["participants"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|p| p["user"].clone())
                    .collect::<Vec<_>>()
            ),
            "id"
        )
        .len(),
        2
    );
    let mine = call(&app, Method::GET, "/api/dm/conversations", &alice, None).await;
    assert_eq!(
        mine.body[0]["unread_count"], 0,
        "one's own messages are never unread"
    );

    let path = format!("/api/dm/conversations/{chat}/messages");
    let page = call(&app, Method::GET, &path, &bob, None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.body.as_array().unwrap().len(), 2);
    let list = call(&app, Method::GET, "/api/dm/conversations", &bob, None).await;
    assert_eq!(list.body[0]["unread_count"], 0, "reading marks them read");
    let page = call(&app, Method::GET, &path, &alice, None).await;
    assert!(
        page.body[0]["read_at"].is_string(),
        "the sender sees the read mark"
    );

    let carol = person(&app, "carol").await;
    let reply = call(&app, Method::GET, &path, &carol, None).await;
    assert_detail(
        &reply,
        StatusCode::FORBIDDEN,
        "No access to the conversation",
        "outsider reads",
    );
    let reply = call(
        &app,
        Method::POST,
        &path,
        &carol,
        Some(json!({"content": "hi"})),
    )
    .await;
    assert_detail(
        &reply,
        StatusCode::FORBIDDEN,
        "No access to the conversation",
        "outsider posts",
    );
    let reply = call(
        &app,
        Method::GET,
        "/api/dm/conversations/999999/messages",
        &bob,
        None,
    )
    .await;
    assert_detail(
        &reply,
        StatusCode::NOT_FOUND,
        "Conversation not found",
        "missing",
    );
    let reply = call(
        &app,
        Method::POST,
        &path,
        &bob,
        Some(json!({"content": "  \n "})),
    )
    .await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.text
    );
    let reply = call(
        &app,
        Method::POST,
        &path,
        &bob,
        Some(json!({"content": "x".repeat(2001)})),
    )
    .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    let reply = call(
        &app,
        Method::POST,
        "/api/dm/conversations",
        &alice,
        Some(json!({"participant_ids": [carol.id]})),
    )
    .await;
    assert_detail(
        &reply,
        StatusCode::FORBIDDEN,
        "Add the user as a friend first",
        "not a friend",
    );
    let reply = call(
        &app,
        Method::POST,
        "/api/dm/conversations",
        &alice,
        Some(json!({"participant_ids": [alice.id]})),
    )
    .await;
    assert_detail(
        &reply,
        StatusCode::BAD_REQUEST,
        "At least one participant is required",
        "only self",
    );
    app.stop().await;
}

both_backends!(a_conversation_is_read_newest_page_first_and_walked_back_with_before);
async fn a_conversation_is_read_newest_page_first_and_walked_back_with_before(db: Db) {
    let app = TestApp::spawn(db).await;
    let (alice, bob, chat) = pair(&app).await;
    let mut sent = Vec::new();
    for i in 0..5 {
        sent.push(
            say(
                &app,
                if i % 2 == 0 { &alice } else { &bob },
                chat,
                &format!("m{i}"),
            )
            .await["id"]
                .as_i64()
                .unwrap(),
        );
    }
    let path = format!("/api/dm/conversations/{chat}/messages");
    let newest = call(&app, Method::GET, &format!("{path}?limit=2"), &alice, None).await;
    assert_eq!(ids(&newest.body, "id"), sent[3..].to_vec());
    let older = call(
        &app,
        Method::GET,
        &format!("{path}?limit=2&before={}", sent[3]),
        &alice,
        None,
    )
    .await;
    assert_eq!(ids(&older.body, "id"), sent[1..3].to_vec());
    let oldest = call(
        &app,
        Method::GET,
        &format!("{path}?limit=2&before={}", sent[1]),
        &alice,
        None,
    )
    .await;
    assert_eq!(ids(&oldest.body, "id"), sent[..1].to_vec());
    for bad in ["limit=0", "limit=101", "limit=x"] {
        let reply = call(&app, Method::GET, &format!("{path}?{bad}"), &alice, None).await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{bad}: {}",
            reply.text
        );
    }
    app.stop().await;
}

both_backends!(replies_edits_deletions_and_reactions_work_and_a_deleted_message_keeps_nothing);
async fn replies_edits_deletions_and_reactions_work_and_a_deleted_message_keeps_nothing(db: Db) {
    let app = TestApp::spawn(db).await;
    let (alice, bob, chat) = pair(&app).await;
    let root = say(&app, &alice, chat, "secret plans").await["id"]
        .as_i64()
        .unwrap();
    let path = format!("/api/dm/conversations/{chat}/messages");
    let reply = call(
        &app,
        Method::POST,
        &path,
        &bob,
        Some(json!({"content": "ok", "parent_id": root})),
    )
    .await;
    assert_eq!(reply.status, StatusCode::CREATED);
    assert_eq!(reply.body["parent_id"], root);
    let reply = call(
        &app,
        Method::POST,
        &path,
        &bob,
        Some(json!({"content": "ok", "parent_id": 999999})),
    )
    .await;
    assert_detail(
        &reply,
        StatusCode::BAD_REQUEST,
        "Reply target not found",
        "foreign parent",
    );

    let message = format!("/api/dm/messages/{root}");
    let reply = call(
        &app,
        Method::PATCH,
        &message,
        &bob,
        Some(json!({"content": "hijack"})),
    )
    .await;
    assert_detail(
        &reply,
        StatusCode::FORBIDDEN,
        "You can only edit your own messages",
        "other edits",
    );
    let reply = call(
        &app,
        Method::PATCH,
        &message,
        &alice,
        Some(json!({"content": " revised plans "})),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(reply.body["content"], "revised plans");
    assert!(reply.body["edited_at"].is_string());

    let reactions = format!("/api/dm/messages/{root}/reactions");
    let reply = call(
        &app,
        Method::POST,
        &reactions,
        &bob,
        Some(json!({"emoji": " 👍 "})),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(
        reply.body["reactions"],
        json!([{"emoji": "👍", "count": 1, "reacted": true, "user_ids": [bob.id]}])
    );
    let reply = call(
        &app,
        Method::POST,
        &reactions,
        &bob,
        Some(json!({"emoji": "👍"})),
    )
    .await;
    assert_detail(
        &reply,
        StatusCode::CONFLICT,
        "Reaction already exists",
        "twice",
    );
    let page = call(&app, Method::GET, &path, &alice, None).await;
    assert_eq!(
        page.body[0]["reactions"][0]["reacted"], false,
        "seen by alice"
    );
    let reply = call(
        &app,
        Method::DELETE,
        &format!("{reactions}?emoji=👍"),
        &bob,
        None,
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body["reactions"], json!([]));
    let reply = call(
        &app,
        Method::DELETE,
        &format!("{reactions}?emoji=👍"),
        &bob,
        None,
    )
    .await;
    assert_detail(
        &reply,
        StatusCode::NOT_FOUND,
        "Reaction not found",
        "removed twice",
    );

    let reply = call(&app, Method::DELETE, &message, &bob, None).await;
    assert_detail(
        &reply,
        StatusCode::FORBIDDEN,
        "You can only delete your own messages",
        "other deletes",
    );
    let reply = call(&app, Method::DELETE, &message, &alice, None).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body["content"], "");
    assert!(reply.body["deleted_at"].is_string());
    let page = call(&app, Method::GET, &path, &bob, None).await;
    assert!(
        !page.text.contains("plans"),
        "no trace of the deleted content: {}",
        page.text
    );
    assert_eq!(page.body[0]["content"], "");
    let reply = call(
        &app,
        Method::PATCH,
        &message,
        &alice,
        Some(json!({"content": "back"})),
    )
    .await;
    assert_detail(
        &reply,
        StatusCode::BAD_REQUEST,
        "A deleted message cannot be edited",
        "edit deleted",
    );
    let carol = person(&app, "carol").await;
    let reply = call(
        &app,
        Method::POST,
        &reactions,
        &carol,
        Some(json!({"emoji": "👍"})),
    )
    .await;
    assert_detail(
        &reply,
        StatusCode::NOT_FOUND,
        "Message not found",
        "outsider reacts",
    );
    app.stop().await;
}

both_backends!(a_note_is_private_to_the_participant_who_wrote_it);
async fn a_note_is_private_to_the_participant_who_wrote_it(db: Db) {
    let app = TestApp::spawn(db).await;
    let (alice, bob, chat) = pair(&app).await;
    let path = format!("/api/dm/conversations/{chat}/note");
    let reply = call(
        &app,
        Method::PATCH,
        &path,
        &alice,
        Some(json!({"note": "  owes me lunch  "})),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(reply.body["note"], "owes me lunch");
    assert_eq!(reply.body["user"]["id"], alice.id);
    let seen_by = |list: &serde_json::Value, owner: i64| {
        list[0]["participants"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["user"]["id"] == owner)
            .unwrap()["note"]
            .clone()
    };
    let mine = call(&app, Method::GET, "/api/dm/conversations", &alice, None).await;
    assert_eq!(seen_by(&mine.body, alice.id), "owes me lunch");
    let theirs = call(&app, Method::GET, "/api/dm/conversations", &bob, None).await;
    assert!(seen_by(&theirs.body, alice.id).is_null(), "{}", theirs.text);
    let reply = call(
        &app,
        Method::PATCH,
        &path,
        &alice,
        Some(json!({"note": null})),
    )
    .await;
    assert!(reply.body["note"].is_null());
    let reply = call(
        &app,
        Method::PATCH,
        &path,
        &alice,
        Some(json!({"note": "n".repeat(2001)})),
    )
    .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    let carol = person(&app, "carol").await;
    let reply = call(
        &app,
        Method::PATCH,
        &path,
        &carol,
        Some(json!({"note": "x"})),
    )
    .await;
    assert_detail(
        &reply,
        StatusCode::FORBIDDEN,
        "No access to the conversation",
        "outsider",
    );
    app.stop().await;
}

//! The newcomer's path through the API, on every backend: register, create a room and
//! channels, invite a second person, post and page through history.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::common::{Db, TestApp, both_backends};

both_backends!(two_people_meet_in_a_room_and_page_through_history);
async fn two_people_meet_in_a_room_and_page_through_history(db: Db) {
    let app = TestApp::spawn(db).await;
    let (_alice_id, alice) = app.user("alice").await;
    let (bob_id, bob) = app.user("bob").await;
    let slug = app.room(&alice, "Book Club").await;
    assert_eq!(slug, "book-club");
    let general = app.channel(&alice, &slug, "general", "text").await;
    let voice = app.channel(&alice, &slug, "lounge", "voice").await;
    assert_eq!(
        (general["letter"].as_str(), voice["letter"].as_str()),
        (Some("A"), Some("B"))
    );

    app.join(&alice, &slug, &bob, "member").await;
    let (status, detail) = app.get(&format!("/api/rooms/{slug}"), &bob).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(detail["current_role"], "member");
    assert_eq!(
        detail["invitations"],
        json!([]),
        "members never see invitation codes"
    );
    assert_eq!(detail["members"].as_array().map(Vec::len), Some(2));
    assert!(
        detail["members"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["user_id"] == bob_id)
    );

    let channel_id = general["id"].as_i64().unwrap();
    let mut ids = Vec::new();
    for i in 0..120 {
        let token = if i % 2 == 0 { &alice } else { &bob };
        ids.push(
            app.message(token, channel_id, &format!("message {i}"))
                .await["id"]
                .as_i64()
                .unwrap(),
        );
    }
    let (status, page) = app
        .get(&format!("/api/channels/{channel_id}/history"), &bob)
        .await;
    assert_eq!(status, StatusCode::OK);
    let items = page["items"].as_array().unwrap();
    assert_eq!(items.len(), 50);
    assert_eq!(items.last().unwrap()["content"], "message 119");
    assert_eq!(page["has_more_backward"], true);
    assert_eq!(page["has_more_forward"], false);

    // Walk backwards with `before` until the start; every message exactly once, in order.
    let mut seen: Vec<i64> = items.iter().map(|m| m["id"].as_i64().unwrap()).collect();
    let mut oldest = seen[0];
    loop {
        let (status, page) = app
            .get(
                &format!("/api/channels/{channel_id}/history?before={oldest}&limit=100"),
                &alice,
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        let batch: Vec<i64> = page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["id"].as_i64().unwrap())
            .collect();
        if batch.is_empty() {
            break;
        }
        oldest = batch[0];
        seen.splice(0..0, batch);
        if page["has_more_backward"] == false {
            break;
        }
    }
    assert_eq!(seen, ids);

    // Catch-up after a given id returns everything newer, oldest first.
    let (_, after) = app
        .get(
            &format!("/api/channels/{channel_id}/history?after={}", ids[99]),
            &bob,
        )
        .await;
    let after_ids: Vec<i64> = after["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_i64().unwrap())
        .collect();
    assert_eq!(after_ids, ids[100..].to_vec());
    assert_eq!(after["has_more_forward"], false);
    assert_eq!(after["has_more_backward"], true);

    // Cursors continue where the page ended.
    let (_, first) = app
        .get(
            &format!("/api/channels/{channel_id}/history?limit=10"),
            &bob,
        )
        .await;
    let cursor = first["next_cursor"].as_str().unwrap().to_owned();
    let (status, next) = app
        .get(
            &format!("/api/channels/{channel_id}/history?limit=10&cursor={cursor}"),
            &bob,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        next["items"].as_array().unwrap().last().unwrap()["id"].as_i64(),
        Some(ids[109])
    );

    // Deleting the voice channel frees its letter.
    let (status, _) = app
        .call(
            Method::DELETE,
            &format!("/api/rooms/{slug}/channels/b"),
            Some(&alice),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let again = app.channel(&alice, &slug, "stage", "stage").await;
    assert_eq!(again["letter"], "B");
    app.stop().await;
}

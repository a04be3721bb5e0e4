//! Races the predecessor answered with 500: the same room title, login or channel slot asked
//! for by many requests at once.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::common::{Db, TestApp, assert_detail, both_backends};

both_backends!(
    rooms_with_the_same_title_created_at_once_all_get_distinct_slugs,
    flavor = "multi_thread",
    worker_threads = 2
);
async fn rooms_with_the_same_title_created_at_once_all_get_distinct_slugs(db: Db) {
    let app = TestApp::spawn(db).await;
    let (_, token) = app.user("race").await;
    let replies = futures_util::future::join_all((0..12).map(|_| {
        app.send(
            Method::POST,
            "/api/rooms",
            Some(&token),
            Some(json!({"title": "Same Title"})),
        )
    }))
    .await;
    let mut slugs: Vec<String> = Vec::new();
    for reply in &replies {
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
        slugs.push(reply.body["slug"].as_str().expect("slug").to_owned());
    }
    slugs.sort();
    slugs.dedup();
    assert_eq!(slugs.len(), 12, "every room has its own slug: {slugs:?}");
    assert!(
        slugs.contains(&"same-title".to_owned()) && slugs.contains(&"same-title-12".to_owned()),
        "{slugs:?}"
    );
    app.stop().await;
}

both_backends!(
    the_same_login_registered_at_once_is_taken_exactly_once,
    flavor = "multi_thread",
    worker_threads = 2
);
async fn the_same_login_registered_at_once_is_taken_exactly_once(db: Db) {
    let app = TestApp::spawn(db).await;
    let replies = futures_util::future::join_all((0..6).map(|_| {
        app.send(
            Method::POST,
            "/api/auth/register",
            None,
            Some(json!({"login": "twin", "password": "password1"})),
        )
    }))
    .await;
    let created = replies
        .iter()
        .filter(|r| r.status == StatusCode::CREATED)
        .count();
    assert_eq!(
        created,
        1,
        "{:?}",
        replies.iter().map(|r| &r.text).collect::<Vec<_>>()
    );
    for reply in replies.iter().filter(|r| r.status != StatusCode::CREATED) {
        assert_detail(
            reply,
            StatusCode::BAD_REQUEST,
            "Login is already taken",
            "concurrent duplicate",
        );
    }
    app.stop().await;
}

both_backends!(
    channels_created_at_once_never_share_a_letter_or_exceed_26,
    flavor = "multi_thread",
    worker_threads = 2
);
async fn channels_created_at_once_never_share_a_letter_or_exceed_26(db: Db) {
    let app = TestApp::spawn(db).await;
    let (_, token) = app.user("rush").await;
    let slug = app.room(&token, "Rush").await;
    let path = format!("/api/rooms/{slug}/channels");
    let replies = futures_util::future::join_all((0..30).map(|i| {
        app.send(
            Method::POST,
            &path,
            Some(&token),
            Some(json!({"name": format!("c{i}"), "type": "text"})),
        )
    }))
    .await;
    let mut letters: Vec<String> = Vec::new();
    for reply in &replies {
        if reply.status == StatusCode::CREATED {
            letters.push(reply.body["letter"].as_str().expect("letter").to_owned());
        } else {
            assert_detail(
                reply,
                StatusCode::BAD_REQUEST,
                "No available channel slots left",
                "over the limit",
            );
        }
    }
    letters.sort();
    let all: Vec<String> = ('A'..='Z').map(String::from).collect();
    assert_eq!(letters, all, "exactly the 26 letters, each once");
    app.stop().await;
}

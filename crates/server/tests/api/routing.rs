//! Routing and internals: unknown paths, wrong methods and trailing slashes answer like the
//! reference, and odd input never produces a server error or leaks internals.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::{Db, Reply, TestApp, assert_detail, both_backends};

both_backends!(unknown_paths_wrong_methods_and_trailing_slashes_answer_like_the_reference);
async fn unknown_paths_wrong_methods_and_trailing_slashes_answer_like_the_reference(db: Db) {
    let app = TestApp::spawn(db).await;
    let (_, token) = app.user("zed").await;
    for (method, path) in [
        (Method::GET, "/api/nope"),
        (Method::POST, "/api/nope"),
        (Method::GET, "/api/rooms/x/unknown"),
        (Method::DELETE, "/nothing/here"),
    ] {
        let reply = app.send(method.clone(), path, Some(&token), None).await;
        assert_detail(
            &reply,
            StatusCode::NOT_FOUND,
            "Not Found",
            &format!("{method} {path}"),
        );
    }
    for (method, path) in [
        (Method::DELETE, "/api/rooms"),
        (Method::PUT, "/api/rooms/x"),
        (Method::GET, "/api/messages"),
        (Method::GET, "/api/auth/login"),
    ] {
        let reply = app.send(method.clone(), path, Some(&token), None).await;
        assert_detail(
            &reply,
            StatusCode::METHOD_NOT_ALLOWED,
            "Method Not Allowed",
            &format!("{method} {path}"),
        );
    }
    let slash = app
        .send(
            Method::POST,
            "/api/rooms/",
            Some(&token),
            Some(json!({"title": "Slash"})),
        )
        .await;
    assert_eq!(slash.status, StatusCode::TEMPORARY_REDIRECT);
    assert_eq!(
        slash.headers.get("location").and_then(|v| v.to_str().ok()),
        Some("/api/rooms")
    );
    let slash = app
        .send(Method::GET, "/api/invites/?room=abc", Some(&token), None)
        .await;
    assert_eq!(slash.status, StatusCode::TEMPORARY_REDIRECT);
    assert_eq!(
        slash.headers.get("location").and_then(|v| v.to_str().ok()),
        Some("/api/invites?room=abc")
    );
    let (status, rooms) = app.get("/api/rooms", &token).await;
    assert_eq!(
        (status, rooms),
        (StatusCode::OK, json!([])),
        "the redirected POST created nothing"
    );
    app.stop().await;
}

/// Markers of internals that must never reach a client.
const INTERNALS: &[&str] = &[
    "SELECT",
    "INSERT",
    "sqlx",
    "sqlite",
    "mysql",
    "MariaDB",
    "/work/",
    "src/",
    ".rs:",
    "panicked",
    "stack backtrace",
    "Error {",
];

both_backends!(odd_input_never_produces_a_server_error_or_leaks_internals);
async fn odd_input_never_produces_a_server_error_or_leaks_internals(db: Db) {
    let app = TestApp::spawn(db).await;
    let (_, token) = app.user("odd-one").await;
    let slug = app.room(&token, "Odd").await;
    let channel = app.channel(&token, &slug, "text", "text").await["id"]
        .as_i64()
        .expect("id");
    let t = Some(token.as_str());
    let huge = "9223372036854775807";
    let overflow = "92233720368547758070";
    let mut replies: Vec<(String, Reply)> = Vec::new();
    let requests: Vec<(Method, String, Option<Value>)> = vec![
        (
            Method::GET,
            format!("/api/rooms/{slug}%27%20OR%201=1--"),
            None,
        ),
        (Method::GET, "/api/rooms/%00".to_owned(), None),
        (
            Method::GET,
            format!("/api/rooms/{}", "z".repeat(5000)),
            None,
        ),
        (Method::GET, format!("/api/channels/{huge}/history"), None),
        (
            Method::GET,
            format!("/api/channels/{overflow}/history"),
            None,
        ),
        (Method::GET, "/api/channels/-1/history".to_owned(), None),
        (
            Method::GET,
            format!("/api/channels/{channel}/history?before={huge}"),
            None,
        ),
        (
            Method::GET,
            format!("/api/channels/{channel}/history?after={overflow}"),
            None,
        ),
        (
            Method::GET,
            format!("/api/channels/{channel}/history?limit={huge}"),
            None,
        ),
        (
            Method::GET,
            format!("/api/channels/{channel}/history?around=-1"),
            None,
        ),
        (
            Method::GET,
            format!("/api/channels/{channel}/history?cursor="),
            None,
        ),
        (
            Method::DELETE,
            format!("/api/rooms/{slug}/invitations/{overflow}"),
            None,
        ),
        (
            Method::PATCH,
            format!("/api/rooms/{slug}/members/{huge}"),
            Some(json!({"role": "guest"})),
        ),
        (
            Method::POST,
            format!("/api/rooms/{slug}/channels"),
            Some(
                json!({"name": "x", "type": "text", "category_id": huge.parse::<i64>().expect("i64")}),
            ),
        ),
        (
            Method::POST,
            format!("/api/rooms/{slug}/channels"),
            Some(json!({"name": "x", "type": "text", "category_id": 1.5})),
        ),
        (
            Method::POST,
            "/api/rooms".to_owned(),
            Some(json!({"title": "nul \u{0000} byte"})),
        ),
        (
            Method::POST,
            "/api/rooms".to_owned(),
            Some(json!({"title": "ß".repeat(128)})),
        ),
        (
            Method::POST,
            "/api/rooms".to_owned(),
            Some(json!({"title": "Ж".repeat(128)})),
        ),
        (
            Method::POST,
            "/api/rooms".to_owned(),
            Some(json!({"title": "🔥🔥"})),
        ),
        (
            Method::POST,
            "/api/invites".to_owned(),
            Some(json!({"room_slug": "x".repeat(10_000)})),
        ),
        (
            Method::POST,
            format!("/api/invites/{}", "c".repeat(2000)),
            None,
        ),
        (Method::POST, "/api/invites/%F0%9F%94%A5".to_owned(), None),
        (
            Method::POST,
            format!("/api/rooms/{slug}/invitations"),
            Some(json!({"expires_at": "9999-12-31T23:59:59Z"})),
        ),
        (
            Method::POST,
            format!("/api/rooms/{slug}/invitations"),
            Some(json!({"expires_at": "0001-01-01T00:00:00Z"})),
        ),
        (
            Method::POST,
            "/api/auth/register".to_owned(),
            Some(
                json!({"login": "🔥🔥🔥", "password": "password1", "display_name": "🔥".repeat(128)}),
            ),
        ),
        (
            Method::POST,
            "/api/auth/login".to_owned(),
            Some(json!({"login": "x'; DROP TABLE users; --", "password": "password1"})),
        ),
    ];
    for (method, path, body) in requests {
        let reply = app.send(method.clone(), &path, t, body).await;
        replies.push((format!("{method} {}", &path[..path.len().min(80)]), reply));
    }
    for (fields, what) in [
        (
            vec![
                ("channel_id", overflow.to_owned()),
                ("content", "x".to_owned()),
            ],
            "channel id overflow",
        ),
        (
            vec![
                ("channel_id", channel.to_string()),
                ("content", "x".to_owned()),
                ("parent_id", huge.to_owned()),
            ],
            "parent huge",
        ),
        (
            vec![
                ("channel_id", channel.to_string()),
                ("content", "nul \u{0000} byte".to_owned()),
            ],
            "nul in content",
        ),
    ] {
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        replies.push((what.to_owned(), app.post_message(t, &fields).await));
    }
    let garbage = app
        .send_raw(
            Method::POST,
            "/api/messages",
            t,
            "multipart/form-data; boundary=zzz",
            "--zzz\r\nnot a part",
        )
        .await;
    replies.push(("broken multipart".to_owned(), garbage));
    let no_boundary = app
        .send_raw(Method::POST, "/api/messages", t, "multipart/form-data", "x")
        .await;
    replies.push(("multipart without boundary".to_owned(), no_boundary));
    let bad_json_message = app
        .send_raw(Method::POST, "/api/messages", t, "application/json", "{")
        .await;
    replies.push(("malformed JSON message".to_owned(), bad_json_message));

    for (what, reply) in &replies {
        assert!(
            reply.status.as_u16() < 500,
            "{what}: {} {}",
            reply.status,
            reply.text
        );
        for marker in INTERNALS {
            assert!(
                !reply.text.contains(marker),
                "{what}: body leaks {marker:?}: {}",
                reply.text
            );
        }
    }
    // The server still works after all of that.
    let (status, rooms) = app.get("/api/rooms", &token).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        rooms
            .as_array()
            .is_some_and(|r| r.iter().any(|room| room["slug"] == slug.as_str()))
    );
    app.stop().await;
}

//! Decision 7: login and registration are rate-limited per client address and per login; over
//! the limit the answer is 429 with `Retry-After`.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::common::{Db, Reply, TestApp, both_backends};

fn retry_after(reply: &Reply) -> u64 {
    reply
        .headers
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("429 carries a numeric Retry-After: {:?}", reply.headers))
}

both_backends!(the_fourth_login_attempt_in_a_minute_answers_429_with_retry_after);
async fn the_fourth_login_attempt_in_a_minute_answers_429_with_retry_after(db: Db) {
    let app = TestApp::spawn_with(db, &[("AUTH_RATE_LIMIT_PER_MINUTE", "3")]).await;
    let attempt = || {
        app.send(
            Method::POST,
            "/api/auth/login",
            None,
            Some(json!({"login": "mallory", "password": "guess-1234"})),
        )
    };
    for i in 1..=3 {
        let reply = attempt().await;
        assert_eq!(
            reply.status,
            StatusCode::UNAUTHORIZED,
            "attempt {i} is judged on its merits: {}",
            reply.text
        );
    }
    let limited = attempt().await;
    assert_eq!(
        limited.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        limited.text
    );
    let wait = retry_after(&limited);
    assert!(
        (1..=60).contains(&wait),
        "Retry-After {wait} is between 1 s and a minute"
    );
    assert!(limited.body["detail"].is_string(), "{}", limited.text);
    app.stop().await;
}

both_backends!(registration_counts_against_the_same_limit);
async fn registration_counts_against_the_same_limit(db: Db) {
    let app = TestApp::spawn_with(db, &[("AUTH_RATE_LIMIT_PER_MINUTE", "3")]).await;
    for i in 0..3 {
        let reply = app
            .send(
                Method::POST,
                "/api/auth/register",
                None,
                Some(json!({"login": format!("user{i}"), "password": "password1"})),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    }
    let limited = app
        .send(
            Method::POST,
            "/api/auth/register",
            None,
            Some(json!({"login": "user3", "password": "password1"})),
        )
        .await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(retry_after(&limited) >= 1);
    // The limit is per client address, so the same address cannot log in either.
    let login = app
        .send(
            Method::POST,
            "/api/auth/login",
            None,
            Some(json!({"login": "user3", "password": "password1"})),
        )
        .await;
    assert_eq!(
        login.status,
        StatusCode::TOO_MANY_REQUESTS,
        "logins share the address limit"
    );
    app.stop().await;
}

both_backends!(with_the_limit_at_zero_nothing_is_limited);
async fn with_the_limit_at_zero_nothing_is_limited(db: Db) {
    let app = TestApp::spawn_with(db, &[("AUTH_RATE_LIMIT_PER_MINUTE", "0")]).await;
    for i in 0..10 {
        let reply = app
            .send(
                Method::POST,
                "/api/auth/login",
                None,
                Some(json!({"login": "mallory", "password": "guess-1234"})),
            )
            .await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "attempt {i}");
    }
    app.stop().await;
}

both_backends!(posting_is_limited_per_user_across_http_and_sockets);
async fn posting_is_limited_per_user_across_http_and_sockets(db: Db) {
    use crate::common::ws::{connect, next_of, send};
    let app = TestApp::spawn_with(
        db,
        &[
            ("CHAT_RATE_LIMIT_PER_SECOND", "1"),
            ("CHAT_RATE_LIMIT_BURST", "3"),
        ],
    )
    .await;
    let (_, token) = app.user("quick").await;
    let (_, other) = app.user("calm").await;
    let slug = app.room(&token, "Limits").await;
    app.join(&token, &slug, &other, "member").await;
    let channel = app.channel(&token, &slug, "general", "text").await["id"]
        .as_i64()
        .unwrap();
    let post = |token: String, n: usize| {
        let app = &app;
        async move {
            app.post_message(
                Some(&token),
                &[
                    ("channel_id", &channel.to_string()),
                    ("content", &format!("m{n}")),
                ],
            )
            .await
        }
    };
    for n in 0..3 {
        let reply = post(token.clone(), n).await;
        assert_eq!(
            reply.status,
            StatusCode::CREATED,
            "burst {n}: {}",
            reply.text
        );
    }
    let over = post(token.clone(), 3).await;
    assert_eq!(over.status, StatusCode::TOO_MANY_REQUESTS, "{}", over.text);
    assert!(retry_after(&over) >= 1);
    assert_eq!(
        over.body,
        json!({"detail": "Too many requests, try again later"})
    );
    // The socket shares the allowance: the same user is told to slow down there too.
    let mut ws = connect(&app.base, &format!("/ws/text/{channel}?token={token}")).await;
    next_of(&mut ws, "presence").await;
    send(&mut ws, json!({"type": "message", "content": "via socket"})).await;
    let error = next_of(&mut ws, "error").await;
    assert!(
        error["detail"]
            .as_str()
            .unwrap()
            .starts_with("You are sending messages too fast; try again in "),
        "{error}"
    );
    // Another user is not affected.
    let calm = post(other, 0).await;
    assert_eq!(calm.status, StatusCode::CREATED, "{}", calm.text);
    // Nothing refused was stored: the channel holds the three messages and calm's.
    let (_, history) = app
        .get(&format!("/api/channels/{channel}/history"), &token)
        .await;
    assert_eq!(history["items"].as_array().unwrap().len(), 4, "{history}");
    app.stop().await;
}

both_backends!(guessing_one_login_from_many_addresses_is_still_limited_per_login);
async fn guessing_one_login_from_many_addresses_is_still_limited_per_login(db: Db) {
    // Each attempt comes from its own loopback address, so only the per-login limit can apply.
    let app = TestApp::spawn_with(
        db,
        &[
            ("AUTH_RATE_LIMIT_PER_MINUTE", "3"),
            ("AUTH_GLOBAL_RATE_LIMIT_PER_MINUTE", "0"),
        ],
    )
    .await;
    let mut statuses = Vec::new();
    for host in 2..=6u8 {
        let client = crate::common::http()
            .local_address(std::net::IpAddr::from([127, 0, 0, host]))
            .build()
            .expect("client");
        let reply = client
            .post(app.url("/api/auth/login"))
            // Logins are limited case-insensitively.
            .json(&json!({
                "login": if host % 2 == 0 { "Victim" } else { "victim" },
                "password": format!("guess-{host}-1234"),
            }))
            .send()
            .await
            .expect("request");
        statuses.push(reply.status());
    }
    assert_eq!(
        statuses,
        [
            StatusCode::UNAUTHORIZED,
            StatusCode::UNAUTHORIZED,
            StatusCode::UNAUTHORIZED,
            StatusCode::TOO_MANY_REQUESTS,
            StatusCode::TOO_MANY_REQUESTS,
        ],
        "the login's fourth and fifth attempts are refused, whatever their address"
    );
    // Another login from a fresh address is judged on its merits.
    let other = app
        .send(
            Method::POST,
            "/api/auth/login",
            None,
            Some(json!({"login": "someone-else", "password": "guess-1234"})),
        )
        .await;
    assert_eq!(other.status, StatusCode::UNAUTHORIZED, "{}", other.text);
    app.stop().await;
}

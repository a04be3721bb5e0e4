//! Sign-in sessions: refresh tokens that rotate (and end the session when an old one comes
//! back), sign-out of one session or of all, password changes, the socket token carried in
//! `Sec-WebSocket-Protocol`, and ending sessions across nodes (`nodes`).

mod nodes;
mod sockets;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::{Db, TestApp, assert_detail, both_backends};

/// Registers `login` and signs in once; returns (user id, the login answer).
async fn account(app: &TestApp, login: &str) -> (i64, Value) {
    let (status, user) = app
        .call(
            reqwest::Method::POST,
            "/api/auth/register",
            None,
            Some(json!({"login": login, "password": format!("password-{login}")})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{user}");
    (user["id"].as_i64().unwrap(), sign_in(app, login).await)
}

/// A new sign-in session of `login`: the login answer.
async fn sign_in(app: &TestApp, login: &str) -> Value {
    let (status, body) = app
        .call(
            reqwest::Method::POST,
            "/api/auth/login",
            None,
            Some(json!({"login": login, "password": format!("password-{login}")})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

fn access(tokens: &Value) -> &str {
    tokens["access_token"].as_str().unwrap()
}

fn refresh_of(tokens: &Value) -> &str {
    tokens["refresh_token"].as_str().unwrap()
}

async fn refresh(app: &TestApp, refresh_token: &str) -> crate::common::Reply {
    app.send(
        reqwest::Method::POST,
        "/api/auth/refresh",
        None,
        Some(json!({"refresh_token": refresh_token})),
    )
    .await
}

async fn post_empty(app: &TestApp, path: &str, token: &str) -> StatusCode {
    app.call(reqwest::Method::POST, path, Some(token), None)
        .await
        .0
}

both_backends!(signing_in_returns_a_refresh_token_and_the_access_token_lifetime);
async fn signing_in_returns_a_refresh_token_and_the_access_token_lifetime(db: Db) {
    let app = TestApp::spawn_with(db, &[("ACCESS_TOKEN_EXPIRE_MINUTES", "2")]).await;
    let (_, tokens) = account(&app, "alice").await;
    assert_eq!(tokens["token_type"], "bearer");
    assert_eq!(tokens["expires_in"], 120, "{tokens}");
    assert!(refresh_of(&tokens).len() >= 43, "{tokens}");
    let (status, me) = app.get("/api/profile/me", access(&tokens)).await;
    assert_eq!(status, StatusCode::OK, "{me}");
    app.stop().await;
}

both_backends!(a_refresh_returns_a_new_pair_and_the_refresh_token_works_once);
async fn a_refresh_returns_a_new_pair_and_the_refresh_token_works_once(db: Db) {
    let app = TestApp::spawn(db).await;
    let (_, first) = account(&app, "alice").await;
    let second = refresh(&app, refresh_of(&first)).await;
    assert_eq!(second.status, StatusCode::OK, "{}", second.text);
    assert_ne!(refresh_of(&second.body), refresh_of(&first));
    assert_eq!(second.body["token_type"], "bearer");
    assert!(second.body["expires_in"].as_u64().unwrap() > 0);
    let (status, _) = app.get("/api/profile/me", access(&second.body)).await;
    assert_eq!(status, StatusCode::OK);
    // The new refresh token works in turn.
    let third = refresh(&app, refresh_of(&second.body)).await;
    assert_eq!(third.status, StatusCode::OK, "{}", third.text);
    let unknown = refresh(&app, "not-a-token-the-server-issued").await;
    assert_detail(
        &unknown,
        StatusCode::UNAUTHORIZED,
        "Invalid refresh token",
        "unknown",
    );
    let empty = refresh(&app, "").await;
    assert_eq!(
        empty.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        empty.text
    );
    let long = refresh(&app, &"x".repeat(257)).await;
    assert_eq!(
        long.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        long.text
    );
    app.stop().await;
}

both_backends!(presenting_a_used_refresh_token_again_ends_the_whole_session);
async fn presenting_a_used_refresh_token_again_ends_the_whole_session(db: Db) {
    let app = TestApp::spawn(db).await;
    let (_, stolen) = account(&app, "alice").await;
    let other_session = sign_in(&app, "alice").await;
    let rotated = refresh(&app, refresh_of(&stolen)).await.body;
    // The old token comes back (a thief, or the owner late): refused, and the session ends.
    let replay = refresh(&app, refresh_of(&stolen)).await;
    assert_detail(
        &replay,
        StatusCode::UNAUTHORIZED,
        "Invalid refresh token",
        "replay",
    );
    let newest = refresh(&app, refresh_of(&rotated)).await;
    assert_detail(
        &newest,
        StatusCode::UNAUTHORIZED,
        "Invalid refresh token",
        "newest",
    );
    let (status, body) = app.get("/api/profile/me", access(&rotated)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body, json!({"detail": "Session has ended"}));
    // Another sign-in of the same account is not touched.
    let (status, _) = app.get("/api/profile/me", access(&other_session)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        refresh(&app, refresh_of(&other_session)).await.status,
        StatusCode::OK
    );
    app.stop().await;
}

both_backends!(refresh_tokens_are_stored_only_as_hashes);
async fn refresh_tokens_are_stored_only_as_hashes(db: Db) {
    let app = TestApp::spawn(db).await;
    let (_, first) = account(&app, "alice").await;
    let second = refresh(&app, refresh_of(&first)).await.body;
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&app.database_url).await.unwrap();
    let stored: Vec<String> = sqlx::query_scalar("SELECT token_hash FROM auth_refresh_tokens")
        .fetch_all(&pool)
        .await
        .unwrap();
    pool.close().await;
    assert_eq!(stored.len(), 2, "{stored:?}");
    for clear in [refresh_of(&first), refresh_of(&second)] {
        assert!(
            stored.iter().all(|h| h != clear && !h.contains(clear)),
            "{stored:?}"
        );
    }
    assert!(
        stored
            .iter()
            .all(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()))
    );
    app.stop().await;
}

both_backends!(signing_out_ends_this_session_and_leaves_the_others);
async fn signing_out_ends_this_session_and_leaves_the_others(db: Db) {
    let app = TestApp::spawn(db).await;
    let (_, laptop) = account(&app, "alice").await;
    let phone = sign_in(&app, "alice").await;
    assert_eq!(
        post_empty(&app, "/api/auth/logout", access(&laptop)).await,
        StatusCode::NO_CONTENT
    );
    let (status, body) = app.get("/api/profile/me", access(&laptop)).await;
    assert_eq!(
        (status, body),
        (
            StatusCode::UNAUTHORIZED,
            json!({"detail": "Session has ended"})
        )
    );
    let again = refresh(&app, refresh_of(&laptop)).await;
    assert_detail(
        &again,
        StatusCode::UNAUTHORIZED,
        "Invalid refresh token",
        "after logout",
    );
    let (status, _) = app.get("/api/profile/me", access(&phone)).await;
    assert_eq!(status, StatusCode::OK);
    let unauthenticated = app
        .call(reqwest::Method::POST, "/api/auth/logout", None, None)
        .await;
    assert_eq!(unauthenticated.0, StatusCode::UNAUTHORIZED);
    app.stop().await;
}

both_backends!(signing_out_everywhere_ends_every_session_of_the_user_only);
async fn signing_out_everywhere_ends_every_session_of_the_user_only(db: Db) {
    let app = TestApp::spawn(db).await;
    let (_, laptop) = account(&app, "alice").await;
    let phone = sign_in(&app, "alice").await;
    let (_, bob) = account(&app, "bob").await;
    assert_eq!(
        post_empty(&app, "/api/auth/logout-all", access(&phone)).await,
        StatusCode::NO_CONTENT
    );
    for tokens in [&laptop, &phone] {
        let (status, _) = app.get("/api/profile/me", access(tokens)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(
            refresh(&app, refresh_of(tokens)).await.status,
            StatusCode::UNAUTHORIZED
        );
    }
    let (status, _) = app.get("/api/profile/me", access(&bob)).await;
    assert_eq!(status, StatusCode::OK);
    // Signing in again starts a fresh session.
    let fresh = sign_in(&app, "alice").await;
    let (status, _) = app.get("/api/profile/me", access(&fresh)).await;
    assert_eq!(status, StatusCode::OK);
    app.stop().await;
}

both_backends!(signing_in_beyond_the_session_limit_ends_the_oldest_session);
async fn signing_in_beyond_the_session_limit_ends_the_oldest_session(db: Db) {
    let app = TestApp::spawn_with(db, &[("AUTH_MAX_SESSIONS_PER_USER", "2")]).await;
    let (_, oldest) = account(&app, "alice").await;
    let middle = sign_in(&app, "alice").await;
    assert_eq!(
        app.get("/api/profile/me", access(&oldest)).await.0,
        StatusCode::OK
    );
    let newest = sign_in(&app, "alice").await;
    assert_eq!(
        app.get("/api/profile/me", access(&oldest)).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        refresh(&app, refresh_of(&oldest)).await.status,
        StatusCode::UNAUTHORIZED
    );
    for tokens in [&middle, &newest] {
        assert_eq!(
            app.get("/api/profile/me", access(tokens)).await.0,
            StatusCode::OK
        );
    }
    app.stop().await;
}

both_backends!(changing_the_password_needs_the_current_one_and_ends_the_other_sessions);
async fn changing_the_password_needs_the_current_one_and_ends_the_other_sessions(db: Db) {
    let app = TestApp::spawn(db).await;
    let (_, here) = account(&app, "alice").await;
    let elsewhere = sign_in(&app, "alice").await;
    let change =
        |current: &str, new: &str| json!({"current_password": current, "new_password": new});
    let (status, body) = app
        .post(
            "/api/auth/password",
            access(&here),
            change("wrong-password", "a-new-password"),
        )
        .await;
    assert_eq!(
        (status, body),
        (
            StatusCode::BAD_REQUEST,
            json!({"detail": "Current password is incorrect"})
        )
    );
    let short = app
        .post(
            "/api/auth/password",
            access(&here),
            change("password-alice", "short"),
        )
        .await;
    assert_eq!(short.0, StatusCode::UNPROCESSABLE_ENTITY, "{}", short.1);
    // Nothing changed yet: the other session still works.
    assert_eq!(
        app.get("/api/profile/me", access(&elsewhere)).await.0,
        StatusCode::OK
    );
    let (status, body) = app
        .post(
            "/api/auth/password",
            access(&here),
            change("password-alice", "a-new-password"),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    assert_eq!(
        app.get("/api/profile/me", access(&here)).await.0,
        StatusCode::OK,
        "the session that changed the password goes on"
    );
    assert_eq!(
        app.get("/api/profile/me", access(&elsewhere)).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        refresh(&app, refresh_of(&elsewhere)).await.status,
        StatusCode::UNAUTHORIZED
    );
    let login = |password: &str| json!({"login": "alice", "password": password});
    let old = app
        .call(
            reqwest::Method::POST,
            "/api/auth/login",
            None,
            Some(login("password-alice")),
        )
        .await;
    assert_eq!(old.0, StatusCode::UNAUTHORIZED);
    let new = app
        .call(
            reqwest::Method::POST,
            "/api/auth/login",
            None,
            Some(login("a-new-password")),
        )
        .await;
    assert_eq!(new.0, StatusCode::OK, "{}", new.1);
    app.stop().await;
}

//! Sockets and sessions: a browser's token travels in `Sec-WebSocket-Protocol` rather than
//! the URL, a session's sockets close when it ends (and only its sockets), and a socket of a
//! session outlives its access token (the session, not the token, bounds it).

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::json;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;

use super::{access, account, post_empty, sign_in};
use crate::common::ws::{Ws, close_of, connect, next_of, send};
use crate::common::{Db, TEST_SECRET, TestApp, both_backends};

/// A room owned by `token`'s user with one text channel; returns (slug, channel id).
async fn room_with_channel(app: &TestApp, token: &str) -> (String, i64) {
    let slug = app.room(token, "Sessions").await;
    let channel = app.channel(token, &slug, "general", "text").await["id"]
        .as_i64()
        .unwrap();
    (slug, channel)
}

/// Opens `path` offering Charge's subprotocol with `token`, as the web client does; returns
/// the socket and the subprotocol the server chose.
async fn connect_offering(app: &TestApp, path: &str, token: &str) -> (Ws, Option<String>) {
    let url = format!("ws://{}{path}", app.addr);
    let mut request = url.into_client_request().unwrap();
    request.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        HeaderValue::from_str(&format!("charge, charge.token.{token}")).unwrap(),
    );
    let (ws, response) = tokio::time::timeout(
        Duration::from_secs(10),
        tokio_tungstenite::connect_async(request),
    )
    .await
    .expect("connect timeout")
    .expect("connect");
    let chosen = response
        .headers()
        .get("sec-websocket-protocol")
        .map(|v| v.to_str().unwrap().to_owned());
    (ws, chosen)
}

async fn still_open(ws: &mut Ws) {
    send(ws, json!({"type": "ping"})).await;
    next_of(ws, "pong").await;
}

both_backends!(a_socket_takes_its_token_from_the_subprotocol_offer_instead_of_the_url);
async fn a_socket_takes_its_token_from_the_subprotocol_offer_instead_of_the_url(db: Db) {
    let app = TestApp::spawn(db).await;
    let (_, alice) = account(&app, "alice").await;
    let (slug, channel) = room_with_channel(&app, access(&alice)).await;
    let (mut text, chosen) =
        connect_offering(&app, &format!("/ws/text/{channel}"), access(&alice)).await;
    assert_eq!(chosen.as_deref(), Some("charge"));
    next_of(&mut text, "history").await;
    still_open(&mut text).await;
    let (mut rooms, _) = connect_offering(&app, &format!("/ws/rooms/{slug}"), access(&alice)).await;
    next_of(&mut rooms, "workspace_snapshot").await;
    let (mut refused, _) = connect_offering(&app, &format!("/ws/text/{channel}"), "nonsense").await;
    assert_eq!(
        close_of(&mut refused).await,
        (1008, "Invalid token".to_owned())
    );
    // `?token=` keeps working for existing clients.
    let mut legacy = connect(
        &app.base,
        &format!("/ws/text/{channel}?token={}", access(&alice)),
    )
    .await;
    next_of(&mut legacy, "history").await;
    app.stop().await;
}

both_backends!(signing_out_closes_that_sessions_sockets_and_no_others);
async fn signing_out_closes_that_sessions_sockets_and_no_others(db: Db) {
    let app = TestApp::spawn(db).await;
    let (_, laptop) = account(&app, "alice").await;
    let phone = sign_in(&app, "alice").await;
    let (slug, channel) = room_with_channel(&app, access(&laptop)).await;
    let text_path = format!("/ws/text/{channel}");
    let (mut laptop_text, _) = connect_offering(&app, &text_path, access(&laptop)).await;
    next_of(&mut laptop_text, "presence").await;
    let (mut laptop_rooms, _) =
        connect_offering(&app, &format!("/ws/rooms/{slug}"), access(&laptop)).await;
    next_of(&mut laptop_rooms, "workspace_snapshot").await;
    let (mut phone_text, _) = connect_offering(&app, &text_path, access(&phone)).await;
    next_of(&mut phone_text, "presence").await;

    assert_eq!(
        post_empty(&app, "/api/auth/logout", access(&laptop)).await,
        StatusCode::NO_CONTENT
    );
    let ended = (1008, "Session ended".to_owned());
    assert_eq!(close_of(&mut laptop_text).await, ended);
    assert_eq!(close_of(&mut laptop_rooms).await, ended);
    still_open(&mut phone_text).await;
    // The ended session's token opens no new socket.
    let (mut again, _) = connect_offering(&app, &text_path, access(&laptop)).await;
    assert_eq!(
        close_of(&mut again).await,
        (1008, "Invalid token".to_owned())
    );
    app.stop().await;
}

both_backends!(signing_out_everywhere_closes_every_socket_of_the_user_even_without_a_session);
async fn signing_out_everywhere_closes_every_socket_of_the_user_even_without_a_session(db: Db) {
    let app = TestApp::spawn(db).await;
    let (alice_id, laptop) = account(&app, "alice").await;
    let phone = sign_in(&app, "alice").await;
    let (_, bob) = account(&app, "bob").await;
    let (slug, channel) = room_with_channel(&app, access(&laptop)).await;
    app.join(access(&laptop), &slug, access(&bob), "member")
        .await;
    // A token of no session, as tools make them.
    let settings = charge_server::Settings::for_tests(&[("JWT_SECRET_KEY", TEST_SECRET)]).unwrap();
    let tool = charge_server::auth::Tokens::new(&settings)
        .issue_with_ttl(alice_id, Duration::from_secs(600))
        .unwrap();
    let path = format!("/ws/text/{channel}");
    let mut sockets = Vec::new();
    for token in [access(&laptop), access(&phone), tool.as_str()] {
        let (mut ws, _) = connect_offering(&app, &path, token).await;
        next_of(&mut ws, "presence").await;
        sockets.push(ws);
    }
    let (mut bobs, _) = connect_offering(&app, &path, access(&bob)).await;
    next_of(&mut bobs, "presence").await;
    assert_eq!(
        post_empty(&app, "/api/auth/logout-all", access(&phone)).await,
        StatusCode::NO_CONTENT
    );
    for ws in &mut sockets {
        assert_eq!(close_of(ws).await, (1008, "Session ended".to_owned()));
    }
    still_open(&mut bobs).await;
    app.stop().await;
}

both_backends!(a_sessions_socket_outlives_its_access_token);
async fn a_sessions_socket_outlives_its_access_token(db: Db) {
    // Access tokens of three seconds.
    let app = TestApp::spawn_with(db, &[("ACCESS_TOKEN_EXPIRE_MINUTES", "0.05")]).await;
    let (_, alice) = account(&app, "alice").await;
    assert_eq!(alice["expires_in"], 3);
    let (_, channel) = room_with_channel(&app, access(&alice)).await;
    let (mut ws, _) = connect_offering(&app, &format!("/ws/text/{channel}"), access(&alice)).await;
    next_of(&mut ws, "presence").await;
    let give_up = Instant::now() + Duration::from_secs(15);
    loop {
        let (status, body) = app.get("/api/profile/me", access(&alice)).await;
        if status == StatusCode::UNAUTHORIZED {
            assert_eq!(body, json!({"detail": "Token has expired"}));
            break;
        }
        assert!(Instant::now() < give_up, "the access token never expired");
        // Keeps the socket's idle timer fresh while the token runs out.
        still_open(&mut ws).await;
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    still_open(&mut ws).await;
    app.stop().await;
}

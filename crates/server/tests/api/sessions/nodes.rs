//! Ending a session reaches every node: its sockets on another node close within a second
//! and that node refuses its access token at once. Two `charge` processes share a database
//! and a private Redis or NATS server, as in `scale_out`.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;

use crate::common::ws::{Ws, close_of, next_of, send};
use crate::common::{Db, TestDatabase, both_backends};
use crate::scale_out::{Broker, Node};

async fn call(base: &str, path: &str, token: Option<&str>, body: Value) -> (StatusCode, Value) {
    let mut req = reqwest::Client::new()
        .post(format!("{base}{path}"))
        .json(&body);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let res = req.send().await.unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn sign_in(base: &str) -> String {
    let (status, body) = call(
        base,
        "/api/auth/login",
        None,
        json!({"login": "alice", "password": "password-123"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["access_token"].as_str().unwrap().to_owned()
}

async fn rooms_socket(base: &str, slug: &str, token: &str) -> Ws {
    let url = format!("{}/ws/rooms/{slug}", base.replacen("http://", "ws://", 1));
    let mut request = url.into_client_request().unwrap();
    request.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        HeaderValue::from_str(&format!("charge, charge.token.{token}")).unwrap(),
    );
    let (mut ws, _) = tokio_tungstenite::connect_async(request).await.unwrap();
    next_of(&mut ws, "workspace_snapshot").await;
    ws
}

async fn profile_status(base: &str, token: &str) -> (StatusCode, Value) {
    let res = reqwest::Client::new()
        .get(format!("{base}/api/profile/me"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// Waits (bounded) until the node says its broker subscription is up.
async fn subscribed(base: &str) {
    let give_up = Instant::now() + Duration::from_secs(20);
    loop {
        let body: Value = reqwest::get(format!("{base}/ready"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap_or(Value::Null);
        if body["broker"] == "ok" {
            return;
        }
        assert!(Instant::now() < give_up, "{base} never subscribed: {body}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn scenario(kind: &'static str, backend: Db) {
    let database = TestDatabase::create(backend).await;
    let broker = Broker::start(kind);
    let namespace = format!(
        "charge.test.sessions.{kind}.{}.{}",
        matches!(backend, Db::Sqlite),
        std::process::id()
    );
    let a = Node::start(&database.url, &broker, &namespace, "node-a").await;
    let b = Node::start(&database.url, &broker, &namespace, "node-b").await;
    subscribed(&a.base).await;
    subscribed(&b.base).await;

    let (status, _) = call(
        &a.base,
        "/api/auth/register",
        None,
        json!({"login": "alice", "password": "password-123"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let laptop = sign_in(&a.base).await;
    let phone = sign_in(&b.base).await;
    let (_, room) = call(
        &a.base,
        "/api/rooms",
        Some(&laptop),
        json!({"title": "Nodes"}),
    )
    .await;
    let slug = room["slug"].as_str().unwrap().to_owned();

    // Both sessions' sockets are on node B; node B has checked the laptop's token already.
    let mut laptop_socket = rooms_socket(&b.base, &slug, &laptop).await;
    let mut phone_socket = rooms_socket(&b.base, &slug, &phone).await;
    assert_eq!(profile_status(&b.base, &laptop).await.0, StatusCode::OK);

    // Signed out on node A.
    let started = Instant::now();
    let (status, _) = call(&a.base, "/api/auth/logout", Some(&laptop), Value::Null).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(
        close_of(&mut laptop_socket).await,
        (1008, "Session ended".to_owned())
    );
    let elapsed = started.elapsed();
    assert!(
        elapsed < Duration::from_secs(1),
        "{kind}: the socket on the other node closed after {elapsed:?}"
    );
    assert_eq!(
        profile_status(&b.base, &laptop).await,
        (
            StatusCode::UNAUTHORIZED,
            json!({"detail": "Session has ended"})
        )
    );
    send(&mut phone_socket, json!({"type": "ping"})).await;
    next_of(&mut phone_socket, "pong").await;

    // Everywhere, from node A: the phone's socket on node B closes too.
    let other = sign_in(&a.base).await;
    let started = Instant::now();
    let (status, _) = call(&a.base, "/api/auth/logout-all", Some(&other), Value::Null).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(
        close_of(&mut phone_socket).await,
        (1008, "Session ended".to_owned())
    );
    assert!(started.elapsed() < Duration::from_secs(1), "{kind}");
    assert_eq!(
        profile_status(&b.base, &phone).await.0,
        StatusCode::UNAUTHORIZED
    );
    drop((a, b));
}

both_backends!(signing_out_on_one_node_closes_the_sessions_sockets_on_another_over_redis);
async fn signing_out_on_one_node_closes_the_sessions_sockets_on_another_over_redis(db: Db) {
    scenario("redis", db).await;
}

both_backends!(signing_out_on_one_node_closes_the_sessions_sockets_on_another_over_nats);
async fn signing_out_on_one_node_closes_the_sessions_sockets_on_another_over_nats(db: Db) {
    scenario("nats", db).await;
}

//! Moderation across nodes (decisions 16 and 25): a timeout set on one node stops an open
//! socket on another, and a kick or a ban made on one node closes the user's sockets on another
//! within a second — on Redis and on NATS, each storage backend.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::ws::{close_of, connect, next_of, send};
use crate::common::{Db, TestDatabase, both_backends};
use crate::scale_out::{Broker, Node, account, post, until};

/// The bound the issue sets on a change reaching another node's sockets.
const WITHIN: Duration = Duration::from_secs(1);

async fn call(
    base: &str,
    method: reqwest::Method,
    path: &str,
    token: &str,
    body: Value,
) -> StatusCode {
    reqwest::Client::new()
        .request(method, format!("{base}{path}"))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .expect("request")
        .status()
}

async fn moderation_crosses_nodes(kind: &'static str, backend: Db) {
    let database = TestDatabase::create(backend).await;
    let broker = Broker::start(kind);
    let namespace = format!("charge.test.moderation.{kind}.{}", std::process::id());
    let a = Node::start(&database.url, &broker, &namespace, "node-a").await;
    let b = Node::start(&database.url, &broker, &namespace, "node-b").await;

    let (_, owner) = account(&a.base, "olga").await;
    let (mia_id, mia) = account(&b.base, "mia").await;
    let (max_id, max) = account(&b.base, "max").await;
    let room = post(
        &a.base,
        "/api/rooms",
        Some(&owner),
        json!({"title": "Cluster"}),
    )
    .await;
    let slug = room["slug"].as_str().expect("slug").to_owned();
    let channel = post(
        &a.base,
        &format!("/api/rooms/{slug}/channels"),
        Some(&owner),
        json!({"name": "general", "type": "text"}),
    )
    .await;
    let channel_id = channel["id"].as_i64().expect("channel");
    let invite = post(
        &a.base,
        &format!("/api/rooms/{slug}/invitations"),
        Some(&owner),
        json!({}),
    )
    .await;
    let code = invite["code"].as_str().expect("code");
    for token in [&mia, &max] {
        post(
            &b.base,
            &format!("/api/invites/{code}"),
            Some(token),
            json!({}),
        )
        .await;
    }

    // Both sockets on B; the moderator acts on A.
    let mut mia_text = connect(&b.base, &format!("/ws/text/{channel_id}?token={mia}")).await;
    next_of(&mut mia_text, "presence").await;
    let mut mia_rooms = connect(&b.base, &format!("/ws/rooms/{slug}?token={mia}")).await;
    next_of(&mut mia_rooms, "workspace_snapshot").await;
    let mut max_rooms = connect(&b.base, &format!("/ws/rooms/{slug}?token={max}")).await;
    next_of(&mut max_rooms, "workspace_snapshot").await;
    let mut max_text = connect(&b.base, &format!("/ws/text/{channel_id}?token={max}")).await;
    next_of(&mut max_text, "presence").await;
    // The broker subscriptions are up once a message from A reaches B.
    let give_up = Instant::now() + Duration::from_secs(15);
    loop {
        post(
            &a.base,
            "/api/messages",
            Some(&owner),
            json!({"channel_id": channel_id, "content": "ping"}),
        )
        .await;
        let got = tokio::time::timeout(
            Duration::from_millis(500),
            next_of(&mut mia_text, "message"),
        )
        .await;
        if got.is_ok() {
            break;
        }
        assert!(Instant::now() < give_up, "{kind}: nodes never connected");
    }

    // A timeout set on A stops mia's open socket on B.
    let until_at = (chrono::Utc::now() + chrono::Duration::seconds(600)).to_rfc3339();
    let started = Instant::now();
    assert_eq!(
        call(
            &a.base,
            reqwest::Method::PUT,
            &format!("/api/rooms/{slug}/members/{mia_id}/timeout"),
            &owner,
            json!({"until": until_at})
        )
        .await,
        StatusCode::OK
    );
    until(&mut mia_rooms, "member_updated on B", |f| {
        f["type"] == "member_updated"
            && f["members"].as_array().is_some_and(|m| {
                m.iter()
                    .any(|m| m["user_id"] == mia_id && m["timed_out_until"].is_string())
            })
    })
    .await;
    assert!(
        started.elapsed() < WITHIN,
        "{kind}: timeout reached B after {:?}",
        started.elapsed()
    );
    send(
        &mut mia_text,
        json!({"type": "message", "content": "still here?"}),
    )
    .await;
    let refused = next_of(&mut mia_text, "error").await;
    assert!(
        refused["detail"]
            .as_str()
            .is_some_and(|d| d.starts_with("You are timed out until")),
        "{kind}: {refused}"
    );

    // A kick on A closes mia's sockets on B; max sees member_left.
    let started = Instant::now();
    assert_eq!(
        call(
            &a.base,
            reqwest::Method::DELETE,
            &format!("/api/rooms/{slug}/members/{mia_id}"),
            &owner,
            json!({})
        )
        .await,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        close_of(&mut mia_text).await,
        (1008, "Removed from the room".to_owned())
    );
    assert!(
        started.elapsed() < WITHIN,
        "{kind}: kick reached B after {:?}",
        started.elapsed()
    );
    assert_eq!(
        close_of(&mut mia_rooms).await,
        (1008, "Removed from the room".to_owned())
    );
    let left = until(&mut max_rooms, "member_left on B", |f| {
        f["type"] == "member_left"
    })
    .await;
    assert!(
        left["members"]
            .as_array()
            .is_some_and(|m| m.iter().all(|m| m["user_id"] != mia_id)),
        "{left}"
    );

    // A ban on A closes max's sockets on B.
    let started = Instant::now();
    assert_eq!(
        call(
            &a.base,
            reqwest::Method::PUT,
            &format!("/api/rooms/{slug}/bans/{max_id}"),
            &owner,
            json!({})
        )
        .await,
        StatusCode::CREATED
    );
    assert_eq!(
        close_of(&mut max_text).await,
        (1008, "Banned from the room".to_owned())
    );
    assert!(
        started.elapsed() < WITHIN,
        "{kind}: ban reached B after {:?}",
        started.elapsed()
    );
    assert_eq!(
        close_of(&mut max_rooms).await,
        (1008, "Banned from the room".to_owned())
    );
    drop((a, b));
}

both_backends!(moderation_on_one_node_acts_on_sockets_of_another_through_redis);
async fn moderation_on_one_node_acts_on_sockets_of_another_through_redis(db: Db) {
    moderation_crosses_nodes("redis", db).await;
}

both_backends!(moderation_on_one_node_acts_on_sockets_of_another_through_nats);
async fn moderation_on_one_node_acts_on_sockets_of_another_through_nats(db: Db) {
    moderation_crosses_nodes("nats", db).await;
}

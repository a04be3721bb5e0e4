//! People across nodes: two `charge` processes on one database and one broker (Redis, then
//! NATS). A friend connected to the other node shows online, changes and leaves; a direct
//! message sent through one node reaches the recipient's socket on the other; a crashed node's
//! users go offline within the TTL.

use serde_json::{Value, json};

use crate::common::ws::{connect, next_of};
use crate::common::{Db, TestDatabase, both_backends};
use crate::scale_out::{Broker, Node, account, post, until};

async fn patch(base: &str, path: &str, token: &str, body: Value) {
    let res = reqwest::Client::new()
        .patch(format!("{base}{path}"))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{path}: {}", res.status());
}

fn about(user: i64, status: &'static str) -> impl Fn(&Value) -> bool {
    move |f: &Value| {
        f["type"] == "status" && f["user"]["id"] == user && f["user"]["status"] == status
    }
}

async fn scenario(kind: &'static str, backend: Db) {
    let database = TestDatabase::create(backend).await;
    let broker = Broker::start(kind);
    let namespace = format!("charge.people.{kind}.{backend:?}.{}", std::process::id());
    let a = Node::start(&database.url, &broker, &namespace, "node-a").await;
    let mut b = Node::start(&database.url, &broker, &namespace, "node-b").await;

    let (alice_id, alice) = account(&a.base, "alice").await;
    let (bob_id, bob) = account(&b.base, "bob").await;
    let asked = post(
        &a.base,
        "/api/dm/requests",
        Some(&alice),
        json!({"login": "BOB"}),
    )
    .await;
    let request = asked["id"].as_i64().unwrap();
    post(
        &b.base,
        &format!("/api/dm/requests/{request}/accept"),
        Some(&bob),
        json!({}),
    )
    .await;
    let chat = post(
        &b.base,
        "/api/dm/conversations",
        Some(&bob),
        json!({"participant_ids": [alice_id]}),
    )
    .await["id"]
        .as_i64()
        .unwrap();

    let mut watch = connect(&a.base, &format!("/ws/presence?token={alice}")).await;
    let snapshot = next_of(&mut watch, "status_snapshot").await;
    assert_eq!(snapshot["users"][1]["status"], "offline");
    let mut inbox = connect(&a.base, &format!("/ws/direct?token={alice}")).await;
    next_of(&mut inbox, "direct_snapshot").await;

    // Bob connects to the other node: his status crosses with that node's report.
    let mut bobs = connect(&b.base, &format!("/ws/presence?token={bob}")).await;
    next_of(&mut bobs, "status_snapshot").await;
    until(
        &mut watch,
        "bob online from node b",
        about(bob_id, "online"),
    )
    .await;
    patch(&b.base, "/api/profile", &bob, json!({"status": "dnd"})).await;
    until(&mut watch, "bob's dnd from node b", about(bob_id, "dnd")).await;

    post(
        &b.base,
        &format!("/api/dm/conversations/{chat}/messages"),
        Some(&bob),
        json!({"content": "across nodes"}),
    )
    .await;
    let message = next_of(&mut inbox, "message").await;
    assert_eq!(message["message"]["content"], "across nodes");
    assert_eq!(message["message"]["sender_id"], bob_id);
    assert_eq!(
        next_of(&mut inbox, "conversation_refresh").await["conversation_id"],
        chat
    );

    // A crashed node says no goodbye: its users go offline once its reports lapse.
    b.crash();
    until(
        &mut watch,
        "bob offline after the crash",
        about(bob_id, "offline"),
    )
    .await;
    drop(bobs);
    drop(broker);
}

both_backends!(friends_on_two_nodes_see_each_other_and_message_over_redis);
async fn friends_on_two_nodes_see_each_other_and_message_over_redis(db: Db) {
    scenario("redis", db).await;
}

both_backends!(friends_on_two_nodes_see_each_other_and_message_over_nats);
async fn friends_on_two_nodes_see_each_other_and_message_over_nats(db: Db) {
    scenario("nats", db).await;
}

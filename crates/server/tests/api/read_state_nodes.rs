//! Read state and resends across nodes (Redis between two `charge` processes on one
//! database): a read on one node reaches the reader's sockets on the other, and a resend after
//! the node that stored the message was killed (SIGKILL) answers the message first stored.

use serde_json::json;

use crate::common::ws::{connect, next_of, send};
use crate::common::{Db, TestDatabase, both_backends};
use crate::scale_out::{Broker, Node, account, post, until};

both_backends!(reads_and_resends_cross_nodes_and_survive_a_killed_node);
async fn reads_and_resends_cross_nodes_and_survive_a_killed_node(db: Db) {
    let database = TestDatabase::create(db).await;
    let broker = Broker::start("redis");
    let namespace = format!("charge.test.readstate.{db:?}.{}", std::process::id());
    let mut a = Node::start(&database.url, &broker, &namespace, "node-a").await;
    let b = Node::start(&database.url, &broker, &namespace, "node-b").await;

    let (_, alice) = account(&a.base, "alice").await;
    let (_, bob) = account(&b.base, "bob").await;
    let slug = post(
        &a.base,
        "/api/rooms",
        Some(&alice),
        json!({"title": "Nodes"}),
    )
    .await["slug"]
        .as_str()
        .unwrap()
        .to_owned();
    let channel = post(
        &a.base,
        &format!("/api/rooms/{slug}/channels"),
        Some(&alice),
        json!({"name": "general", "type": "text"}),
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let invite = post(
        &a.base,
        &format!("/api/rooms/{slug}/invitations"),
        Some(&alice),
        json!({"role": "member"}),
    )
    .await;
    post(
        &b.base,
        &format!("/api/invites/{}", invite["code"].as_str().unwrap()),
        Some(&bob),
        json!({}),
    )
    .await;

    // Bob's workspace socket is on node B; he reads on node A.
    let mut workspace = connect(&b.base, &format!("/ws/rooms/{slug}?token={bob}")).await;
    next_of(&mut workspace, "workspace_snapshot").await;
    post(
        &a.base,
        "/api/messages",
        Some(&alice),
        json!({"channel_id": channel, "content": "read me"}),
    )
    .await;
    let read = post(
        &a.base,
        &format!("/api/channels/{channel}/read"),
        Some(&bob),
        json!({}),
    )
    .await;
    assert_eq!(read["unread_count"], 0, "{db:?}: {read}");
    let frame = until(&mut workspace, "read_state from node A", |f| {
        f["type"] == "read_state"
    })
    .await;
    assert_eq!(frame["state"], read, "{db:?}");

    // Bob sends through node A; node A dies before he trusts the echo; he resends through B.
    let mut socket = connect(&a.base, &format!("/ws/text/{channel}?token={bob}")).await;
    next_of(&mut socket, "history").await;
    send(
        &mut socket,
        json!({"content": "exactly once", "nonce": "kill-9"}),
    )
    .await;
    let echo = next_of(&mut socket, "message").await;
    a.crash();
    drop(socket);
    let mut socket = connect(&b.base, &format!("/ws/text/{channel}?token={bob}")).await;
    next_of(&mut socket, "history").await;
    send(
        &mut socket,
        json!({"content": "exactly once", "nonce": "kill-9"}),
    )
    .await;
    let again = next_of(&mut socket, "message").await;
    assert_eq!(again["message"]["id"], echo["message"]["id"], "{db:?}");
    assert_eq!(again["message"]["nonce"], "kill-9");
    let page: serde_json::Value = reqwest::Client::new()
        .get(format!("{}/api/channels/{channel}/history", b.base))
        .bearer_auth(&bob)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let copies = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["content"] == "exactly once")
        .count();
    assert_eq!(copies, 1, "{db:?}: {page}");
}

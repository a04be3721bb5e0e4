//! Read state on SQLite and MariaDB: marking channels read, unread and mention counts in room
//! detail and `GET /api/read-states`, the `read_state` frame on the reader's other sockets,
//! mentions stored with messages, and read receipts (§1.5).

mod receipts;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::ws::{Ws, connect, next_of, send};
use crate::common::{Db, TestApp, assert_422, assert_detail, both_backends};

/// Alice owns a room with two text channels and a voice channel; Bob is a member.
pub(super) struct Room {
    pub app: TestApp,
    pub alice: String,
    pub alice_id: i64,
    pub bob: String,
    pub bob_id: i64,
    pub slug: String,
    pub general: i64,
    pub random: i64,
    pub voice: i64,
}

pub(super) async fn room(app: TestApp) -> Room {
    let (alice_id, alice) = app.user("alice").await;
    let (bob_id, bob) = app.user("bob").await;
    let slug = app.room(&alice, "Readers").await;
    let id = |v: Value| v["id"].as_i64().unwrap();
    let general = id(app.channel(&alice, &slug, "general", "text").await);
    let random = id(app.channel(&alice, &slug, "random", "text").await);
    let voice = id(app.channel(&alice, &slug, "lounge", "voice").await);
    app.join(&alice, &slug, &bob, "member").await;
    Room {
        app,
        alice,
        alice_id,
        bob,
        bob_id,
        slug,
        general,
        random,
        voice,
    }
}

impl Room {
    pub async fn say(&self, token: &str, channel: i64, content: &str) -> Value {
        self.app.message(token, channel, content).await
    }

    /// The caller's read state of `channel` as room detail reports it, and the room totals.
    async fn detail_state(&self, token: &str, channel: i64) -> (Value, i64, i64) {
        let (status, body) = self
            .app
            .get(&format!("/api/rooms/{}", self.slug), token)
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let state = body["read_states"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["channel_id"] == channel)
            .cloned()
            .unwrap_or_else(|| panic!("no read state for {channel}: {body}"));
        (
            state,
            body["unread_count"].as_i64().unwrap(),
            body["mention_count"].as_i64().unwrap(),
        )
    }

    async fn mark(&self, token: &str, channel: i64, body: Value) -> (StatusCode, Value) {
        self.app
            .post(&format!("/api/channels/{channel}/read"), token, body)
            .await
    }

    async fn workspace(&self, token: &str) -> Ws {
        let mut ws = connect(
            &self.app.base,
            &format!("/ws/rooms/{}?token={token}", self.slug),
        )
        .await;
        next_of(&mut ws, "workspace_snapshot").await;
        ws
    }
}

fn counts(state: &Value) -> (i64, i64, i64) {
    (
        state["last_read_message_id"].as_i64().unwrap(),
        state["unread_count"].as_i64().unwrap(),
        state["mention_count"].as_i64().unwrap(),
    )
}

both_backends!(marking_a_channel_read_moves_forward_and_reaches_the_readers_other_sockets);
async fn marking_a_channel_read_moves_forward_and_reaches_the_readers_other_sockets(db: Db) {
    let r = room(TestApp::spawn(db).await).await;
    let first = r.say(&r.alice, r.general, "one").await["id"]
        .as_i64()
        .unwrap();
    let second = r.say(&r.alice, r.general, "two").await["id"]
        .as_i64()
        .unwrap();
    let third = r.say(&r.alice, r.general, "three").await["id"]
        .as_i64()
        .unwrap();
    r.say(&r.bob, r.general, "my own words are never unread")
        .await;
    r.say(&r.alice, r.random, "elsewhere").await;

    // Nothing read yet: everything others wrote is unread; voice channels have no state.
    let (state, unread, mentions) = r.detail_state(&r.bob, r.general).await;
    assert_eq!(counts(&state), (0, 3, 0), "{db:?}: {state}");
    assert_eq!((unread, mentions), (4, 0), "{db:?}");
    let (status, body) = r.app.get(&format!("/api/rooms/{}", r.slug), &r.bob).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        body["read_states"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["channel_id"] != r.voice),
        "{body}"
    );

    // Two tabs of Bob's; one reads up to the second message.
    let mut tab_one = r.workspace(&r.bob).await;
    let mut tab_two = r.workspace(&r.bob).await;
    let mut alices = r.workspace(&r.alice).await;
    let (status, state) = r
        .mark(&r.bob, r.general, json!({"message_id": second}))
        .await;
    assert_eq!(status, StatusCode::OK, "{state}");
    assert_eq!(counts(&state), (second, 1, 0), "{db:?}");
    assert_eq!(state["room_id"].as_i64(), body["id"].as_i64());
    for tab in [&mut tab_one, &mut tab_two] {
        let frame = next_of(tab, "read_state").await;
        assert_eq!(frame["room"], r.slug.as_str());
        assert_eq!(frame["state"], state, "{db:?}");
    }

    // A position never moves back; no body means the newest message.
    let (_, state) = r
        .mark(&r.bob, r.general, json!({"message_id": first}))
        .await;
    assert_eq!(counts(&state), (second, 1, 0), "{db:?}");
    let (_, state) = r.mark(&r.bob, r.general, json!({})).await;
    assert!(state["last_read_message_id"].as_i64().unwrap() > third);
    assert_eq!(state["unread_count"], 0);
    let unmoved = next_of(&mut tab_one, "read_state").await;
    assert_eq!(unmoved["state"]["last_read_message_id"], second);

    // Every room at once.
    let (status, rooms) = r.app.get("/api/read-states", &r.bob).await;
    assert_eq!(status, StatusCode::OK, "{rooms}");
    let mine = &rooms.as_array().unwrap()[0];
    assert_eq!(mine["slug"], r.slug.as_str());
    assert_eq!(
        (
            mine["unread_count"].as_i64(),
            mine["mention_count"].as_i64()
        ),
        (Some(1), Some(0))
    );
    assert_eq!(mine["channels"].as_array().unwrap().len(), 2, "{mine}");

    // Alice's sockets heard nothing of Bob's reading: her next frame is the pong.
    send(&mut alices, json!({"type": "ping"})).await;
    assert_eq!(
        crate::common::ws::next_json(&mut alices).await["type"],
        "pong"
    );
    r.app.stop().await;
}

both_backends!(mentions_are_resolved_once_stored_with_the_message_and_counted);
async fn mentions_are_resolved_once_stored_with_the_message_and_counted(db: Db) {
    let r = room(TestApp::spawn(db).await).await;
    let (carol_id, carol) = r.app.user("carol").await;
    let _ = carol;

    let named = r
        .say(
            &r.alice,
            r.general,
            "hi @bob, and @carol and @nobody; mail bob@example.org",
        )
        .await;
    // Carol is not in the room: not a mention.
    assert_eq!(named["mentions"], json!([r.bob_id]), "{db:?}: {named}");
    assert_eq!(named["mention_everyone"], false);
    assert_ne!(carol_id, r.bob_id);

    // @everyone from a member is text; @here from the owner mentions everyone.
    let plain = r.say(&r.bob, r.general, "@everyone look").await;
    assert_eq!(
        (plain["mentions"].clone(), plain["mention_everyone"].clone()),
        (json!([]), json!(false))
    );
    let everyone = r.say(&r.alice, r.general, "@here standup!").await;
    assert_eq!(everyone["mention_everyone"], true, "{db:?}");

    let (state, _, room_mentions) = r.detail_state(&r.bob, r.general).await;
    assert_eq!(counts(&state), (0, 2, 2), "{db:?}: {state}");
    assert_eq!(room_mentions, 2);
    // Bob's @everyone did not count for Alice.
    let (state, _, _) = r.detail_state(&r.alice, r.general).await;
    assert_eq!(counts(&state), (0, 1, 0), "{db:?}");

    // The message as history and sockets show it carries its mentions.
    let mut socket = connect(
        &r.app.base,
        &format!("/ws/text/{}?token={}", r.general, r.bob),
    )
    .await;
    let history = next_of(&mut socket, "history").await;
    let items = history["page"]["items"].as_array().unwrap();
    assert!(
        items
            .iter()
            .any(|m| m["id"] == named["id"] && m["mentions"] == json!([r.bob_id]))
    );
    send(&mut socket, json!({"content": "thanks @alice"})).await;
    let echoed = next_of(&mut socket, "message").await;
    assert_eq!(echoed["message"]["mentions"], json!([r.alice_id]), "{db:?}");

    // A deleted mention no longer counts; reading clears the rest.
    let (status, _) = r
        .app
        .call(
            reqwest::Method::DELETE,
            &format!("/api/messages/{}", everyone["id"]),
            Some(&r.alice),
            None,
        )
        .await;
    assert!(status.is_success());
    let (state, _, _) = r.detail_state(&r.bob, r.general).await;
    assert_eq!(counts(&state), (0, 1, 1), "{db:?}");
    let (_, state) = r.mark(&r.bob, r.general, json!({})).await;
    assert_eq!(
        (
            state["unread_count"].as_i64(),
            state["mention_count"].as_i64()
        ),
        (Some(0), Some(0))
    );
    let (state, _, _) = r.detail_state(&r.alice, r.general).await;
    assert_eq!(counts(&state).2, 1, "{db:?}: Bob's thanks mention Alice");
    r.app.stop().await;
}

both_backends!(read_routes_refuse_what_history_refuses);
async fn read_routes_refuse_what_history_refuses(db: Db) {
    let r = room(TestApp::spawn(db).await).await;
    let (_, outsider) = r.app.user("outsider").await;
    let elsewhere = r.say(&r.alice, r.random, "in random").await["id"]
        .as_i64()
        .unwrap();
    let path = |c: i64| format!("/api/channels/{c}/read");

    let reply = r
        .app
        .send(
            reqwest::Method::POST,
            &path(r.general),
            Some(&outsider),
            Some(json!({})),
        )
        .await;
    assert_detail(
        &reply,
        StatusCode::FORBIDDEN,
        "Not a room member",
        "outsider",
    );
    let reply = r
        .app
        .send(
            reqwest::Method::POST,
            &path(999_999),
            Some(&r.bob),
            Some(json!({})),
        )
        .await;
    assert_detail(
        &reply,
        StatusCode::NOT_FOUND,
        "Channel not found",
        "missing",
    );
    let reply = r
        .app
        .send(
            reqwest::Method::POST,
            &path(r.voice),
            Some(&r.bob),
            Some(json!({})),
        )
        .await;
    assert_eq!(
        reply.status,
        StatusCode::BAD_REQUEST,
        "voice: {}",
        reply.text
    );
    let reply = r
        .app
        .send(
            reqwest::Method::POST,
            &path(r.general),
            Some(&r.bob),
            Some(json!({"message_id": elsewhere})),
        )
        .await;
    assert_detail(
        &reply,
        StatusCode::NOT_FOUND,
        "Message not found",
        "other channel",
    );
    let reply = r
        .app
        .send(
            reqwest::Method::POST,
            &path(r.general),
            Some(&r.bob),
            Some(json!({"message_id": 0})),
        )
        .await;
    assert_422(
        &reply,
        "greater_than_equal",
        json!(["body", "message_id"]),
        "zero",
    );
    let reply = r
        .app
        .send(reqwest::Method::GET, "/api/read-states", None, None)
        .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    r.app.stop().await;
}

both_backends!(unread_counts_stop_at_the_cap);
/// A channel never opened counts at most `UNREAD_COUNT_CAP` (1000) unread messages.
async fn unread_counts_stop_at_the_cap(db: Db) {
    let r = room(TestApp::spawn(db).await).await;
    let mut socket = connect(
        &r.app.base,
        &format!("/ws/text/{}?token={}", r.general, r.alice),
    )
    .await;
    next_of(&mut socket, "history").await;
    for i in 0..1001 {
        send(&mut socket, json!({"content": format!("filler {i}")})).await;
    }
    loop {
        let frame = next_of(&mut socket, "message").await;
        if frame["message"]["content"] == "filler 1000" {
            break;
        }
    }
    let (state, unread, _) = r.detail_state(&r.bob, r.general).await;
    assert_eq!(counts(&state), (0, 1000, 0), "{db:?}");
    assert_eq!(unread, 1000);
    r.app.stop().await;
}

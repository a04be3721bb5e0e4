//! `/ws/text`: connect frames, broadcast, every error frame and close code on connecting,
//! bursts, long messages and the greeting page. The session's life (idle timeout, presence and
//! typing, catch-up without loss, slow consumers, shutdown, token expiry) is in `sessions`.

mod protocol_errors;
mod sessions;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

use crate::common::ws::{self, WAIT, close_of, connect, next_json, next_of, send, send_raw};
use crate::common::{Db, TestApp, both_backends};

/// alice (owner) and bob (member) in a room with a text and a voice channel.
async fn setup(app: &TestApp) -> (String, String, i64, i64, i64) {
    let (_, alice) = app.user("alice").await;
    let (bob_id, bob) = app.user("bob").await;
    let slug = app.room(&alice, "Chat").await;
    let text = app.channel(&alice, &slug, "general", "text").await["id"]
        .as_i64()
        .unwrap();
    let voice = app.channel(&alice, &slug, "voice", "voice").await["id"]
        .as_i64()
        .unwrap();
    app.join(&alice, &slug, &bob, "member").await;
    (alice, bob, text, voice, bob_id)
}

both_backends!(members_get_history_then_presence_and_every_message_including_their_own);
async fn members_get_history_then_presence_and_every_message_including_their_own(db: Db) {
    let app = TestApp::spawn(db).await;
    let (alice, bob, text, _, bob_id) = setup(&app).await;
    app.message(&alice, text, "before anyone connected").await;
    let mut a = connect(&app.base, &format!("/ws/text/{text}?token={alice}")).await;
    let history = next_json(&mut a).await;
    assert_eq!(history["type"], "history");
    assert_eq!(
        history["page"]["items"][0]["content"],
        "before anyone connected"
    );
    let presence = next_json(&mut a).await;
    assert_eq!(presence["type"], "presence");
    assert_eq!(presence["online"].as_array().unwrap().len(), 1);

    let mut b = ws_with_header(&app, text, &bob).await;
    assert_eq!(next_json(&mut b).await["type"], "history");
    let online = next_json(&mut b).await;
    assert_eq!(online["online"].as_array().unwrap().len(), 2);
    // Alice is told bob came (a list sent before bob's join may arrive first on a busy
    // machine; next_of times out if bob never shows).
    loop {
        let seen_by_alice = next_of(&mut a, "presence").await;
        if seen_by_alice["online"]
            .as_array()
            .unwrap()
            .iter()
            .any(|u| u["id"] == bob_id)
        {
            break;
        }
    }

    send(&mut b, json!({"type": "message", "content": "hi alice"})).await;
    for socket in [&mut a, &mut b] {
        let frame = next_of(socket, "message").await;
        assert_eq!(frame["message"]["content"], "hi alice");
        assert_eq!(frame["message"]["author"]["login"], "bob");
    }
    // A frame without `type` is a message too; HTTP messages are pushed as well.
    send(&mut a, json!({"content": "typeless"})).await;
    assert_eq!(
        next_of(&mut b, "message").await["message"]["content"],
        "typeless"
    );
    app.message(&alice, text, "over http").await;
    assert_eq!(
        next_of(&mut b, "message").await["message"]["content"],
        "over http"
    );
    send(&mut a, json!({"type": "ping"})).await;
    assert_eq!(next_of(&mut a, "pong").await["type"], "pong");
    app.stop().await;
}

async fn ws_with_header(app: &TestApp, channel: i64, token: &str) -> ws::Ws {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let url = format!("ws://{}/ws/text/{channel}", app.addr);
    let mut req = url.into_client_request().unwrap();
    req.headers_mut()
        .insert("authorization", format!("Bearer {token}").parse().unwrap());
    tokio_tungstenite::connect_async(req)
        .await
        .expect("connect")
        .0
}

both_backends!(refused_connections_close_with_the_contract_codes);
async fn refused_connections_close_with_the_contract_codes(db: Db) {
    let app = TestApp::spawn(db).await;
    let (alice, _, text, voice, _) = setup(&app).await;
    let (_, eve) = app.user("eve").await;
    let cases = [
        (format!("/ws/text/{text}"), 1008, "Missing token"),
        (
            format!("/ws/text/{text}?token=garbage"),
            1008,
            "Invalid token",
        ),
        (
            format!("/ws/text/999999?token={alice}"),
            1003,
            "Invalid channel",
        ),
        (
            format!("/ws/text/{voice}?token={alice}"),
            1003,
            "Invalid channel",
        ),
        (
            format!("/ws/text/{text}?token={eve}"),
            1008,
            "Not a room member",
        ),
        (
            format!("/ws/rooms/nope?token={alice}"),
            1008,
            "Room not found",
        ),
        (
            format!("/ws/signal/nope?token={alice}"),
            1008,
            "Room not found",
        ),
        (
            format!("/ws/rooms/chat?token={eve}"),
            1008,
            "Not a room member",
        ),
        (
            format!("/ws/signal/chat?token={eve}"),
            1008,
            "Not a room member",
        ),
    ];
    for (path, code, reason) in cases {
        let mut socket = connect(&app.base, &path).await;
        assert_eq!(
            close_of(&mut socket).await,
            (code, reason.to_owned()),
            "{path}"
        );
    }
    app.stop().await;
}

both_backends!(bad_frames_get_error_frames_and_the_connection_survives);
async fn bad_frames_get_error_frames_and_the_connection_survives(db: Db) {
    let app = TestApp::spawn(db).await;
    let (alice, _, text, _, _) = setup(&app).await;
    let other = app.message(&alice, text, "x").await;
    let _ = other;
    let mut a = connect(&app.base, &format!("/ws/text/{text}?token={alice}")).await;
    next_of(&mut a, "presence").await;
    let long = "x".repeat(2001);
    let cases: Vec<(String, &str)> = vec![
        ("{not json".into(), "Invalid message format"),
        ("[1,2]".into(), "Message payload must be a JSON object"),
        (
            json!({"type": "dance"}).to_string(),
            "Unsupported payload type",
        ),
        (
            json!({"type": "message", "content": "   "}).to_string(),
            "Message must contain content or attachments",
        ),
        (
            json!({"type": "message", "content": long}).to_string(),
            "Message exceeds maximum length of 2000 characters",
        ),
        (
            json!({"type": "message", "content": "a", "parent_id": "x"}).to_string(),
            "parent_id must be an integer",
        ),
        (
            json!({"type": "message", "content": "a", "parent_id": 987654}).to_string(),
            "Parent message not found",
        ),
        (
            json!({"type": "message", "content": "a", "attachments": "x"}).to_string(),
            "Attachments must be provided as a list of integers",
        ),
        (
            json!({"type": "message", "content": "a", "attachments": [5]}).to_string(),
            "One or more attachments were not found",
        ),
        (
            json!({"type": "typing", "is_typing": "yes"}).to_string(),
            "Typing payload must include boolean 'is_typing'",
        ),
    ];
    for (raw, detail) in cases {
        send_raw(&mut a, &raw).await;
        let frame = next_of(&mut a, "error").await;
        assert_eq!(frame["detail"], detail, "{raw}");
    }
    a.send(Message::Binary(vec![1, 2, 3].into())).await.unwrap();
    assert_eq!(
        next_of(&mut a, "error").await["detail"],
        "Binary frames are not supported"
    );
    send(&mut a, json!({"type": "message", "content": "still here"})).await;
    assert_eq!(
        next_of(&mut a, "message").await["message"]["content"],
        "still here"
    );
    app.stop().await;
}

both_backends!(a_burst_sent_without_waiting_keeps_its_order_and_its_replies_in_place);
/// A client that does not wait for each echo has many messages committing at once (up to the
/// session's in-flight limit, then the server stops reading until the oldest commits). Every
/// message still arrives once, in order, with growing ids, and each reply to the sender stays
/// where its frame was: an error or a pong comes after the echoes of the messages sent before it.
async fn a_burst_sent_without_waiting_keeps_its_order_and_its_replies_in_place(db: Db) {
    const BURST: usize = 150; // more than the in-flight limit (64)
    let app = TestApp::spawn(db).await;
    let (alice, bob, text, _, _) = setup(&app).await;
    let mut a = connect(&app.base, &format!("/ws/text/{text}?token={alice}")).await;
    next_of(&mut a, "presence").await;
    let mut b = ws_with_header(&app, text, &bob).await;
    next_of(&mut b, "presence").await;
    for i in 0..BURST {
        let frame = match i {
            75 => json!({"type": "message", "content": "  "}),
            100 => json!({"type": "ping"}),
            _ => json!({"type": "message", "content": format!("burst {i}")}),
        };
        a.feed(Message::Text(frame.to_string().into()))
            .await
            .unwrap();
    }
    a.flush().await.unwrap();

    let expected: Vec<String> = (0..BURST)
        .map(|i| match i {
            75 => "error".to_owned(),
            100 => "pong".to_owned(),
            _ => format!("burst {i}"),
        })
        .collect();
    let mut seen = Vec::new();
    let mut last_id = 0;
    while seen.len() < BURST {
        let frame = next_json(&mut a).await;
        match frame["type"].as_str().unwrap() {
            "message" => {
                let id = frame["message"]["id"].as_i64().unwrap();
                assert!(id > last_id, "ids grow in delivery order");
                last_id = id;
                seen.push(frame["message"]["content"].as_str().unwrap().to_owned());
            }
            "error" => {
                assert_eq!(
                    frame["detail"],
                    "Message must contain content or attachments"
                );
                seen.push("error".to_owned());
            }
            "pong" => seen.push("pong".to_owned()),
            _ => {}
        }
    }
    assert_eq!(seen, expected, "{db:?}");

    let mut at_bob = Vec::new();
    while at_bob.len() < BURST - 2 {
        let frame = next_of(&mut b, "message").await;
        at_bob.push(frame["message"]["content"].as_str().unwrap().to_owned());
    }
    let sent: Vec<String> = expected
        .into_iter()
        .filter(|c| c.starts_with("burst"))
        .collect();
    assert_eq!(at_bob, sent);
    // They were committed, not only broadcast: the newest page holds the last 100.
    let (status, page) = app
        .get(&format!("/api/channels/{text}/history?limit=100"), &alice)
        .await;
    assert_eq!(status, 200);
    let mut stored: Vec<String> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["content"].as_str().unwrap().to_owned())
        .collect();
    let mut newest = sent[sent.len() - 100..].to_vec();
    stored.sort();
    newest.sort();
    assert_eq!(stored, newest);
    app.stop().await;
}

both_backends!(long_messages_arrive_whole_and_plain_requests_are_refused);
/// Messages of every length form (7-bit, 16-bit and 64-bit frame lengths) arrive whole, byte
/// for byte: in the greeting's history page, in a broadcast and in a reply. A ping sent
/// between them is answered with a pong, and the frames around it stay intact.
async fn long_messages_arrive_whole_and_plain_requests_are_refused(db: Db) {
    let app = TestApp::spawn(db).await;
    let (alice, bob, text, _, _) = setup(&app).await;
    // 2,000 characters of three bytes each: 6,000 bytes of content, twelve times: a history
    // page longer than 65,535 bytes.
    let long = "€".repeat(2000);
    for _ in 0..12 {
        app.message(&alice, text, &long).await;
    }
    let mut a = connect(&app.base, &format!("/ws/text/{text}?token={alice}")).await;
    let history = next_json(&mut a).await;
    let items = history["page"]["items"].as_array().unwrap();
    assert_eq!(items.len(), 12);
    assert!(items.iter().all(|m| m["content"] == long.as_str()));
    next_of(&mut a, "presence").await;
    let mut b = ws_with_header(&app, text, &bob).await;
    next_of(&mut b, "presence").await;

    let longer = format!("{}{}", "ü".repeat(1500), "x".repeat(500));
    a.send(Message::Ping(b"are you there".to_vec().into()))
        .await
        .unwrap();
    send(&mut a, json!({"type": "message", "content": longer})).await;
    send(&mut a, json!({"type": "message", "content": "short"})).await;
    let (mut ponged, mut contents) = (false, Vec::new());
    while contents.len() < 2 {
        match tokio::time::timeout(WAIT, a.next()).await.expect("a frame") {
            Some(Ok(Message::Pong(payload))) => {
                assert_eq!(&payload[..], b"are you there");
                ponged = true;
            }
            Some(Ok(Message::Text(t))) => {
                let frame: Value = serde_json::from_str(t.as_str()).unwrap();
                if frame["type"] == "message" {
                    contents.push(frame["message"]["content"].as_str().unwrap().to_owned());
                }
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    assert!(
        ponged,
        "the ping was answered before the messages it preceded"
    );
    assert_eq!(contents, [longer.as_str(), "short"]);
    let frame = next_of(&mut b, "message").await;
    assert_eq!(frame["message"]["content"], longer.as_str());
    assert_eq!(
        next_of(&mut b, "message").await["message"]["content"],
        "short"
    );

    // A plain GET is not upgraded: a clear error in the API's shape, not a hang.
    let res = app
        .client
        .get(format!("{}/ws/text/{text}?token={alice}", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let body: Value = res.json().await.unwrap();
    assert!(
        body["detail"].as_str().unwrap().contains("WebSocket"),
        "{body}"
    );
    app.stop().await;
}

both_backends!(the_greeting_page_is_the_history_page_for_each_viewer);
/// The greeting's history page is the HTTP history page: one frame shared by every viewer
/// while no message has reactions, and each viewer's own `reacted` flags once one has.
async fn the_greeting_page_is_the_history_page_for_each_viewer(db: Db) {
    let app = TestApp::spawn(db).await;
    let (alice, bob, text, _, _) = setup(&app).await;
    for i in 0..3 {
        app.message(&alice, text, &format!("line {i}")).await;
    }
    let (_, http_page) = app
        .get(&format!("/api/channels/{text}/history"), &bob)
        .await;
    for token in [&alice, &bob] {
        let mut socket = connect(&app.base, &format!("/ws/text/{text}?token={token}")).await;
        let greeting = next_json(&mut socket).await;
        assert_eq!(greeting["type"], "history");
        assert_eq!(greeting["page"], http_page);
    }

    let message = http_page["items"][0]["id"].as_i64().unwrap();
    let (status, _) = app
        .post(
            &format!("/api/channels/{text}/messages/{message}/reactions"),
            &bob,
            json!({"emoji": "🔥"}),
        )
        .await;
    assert!(status.is_success(), "{status}");
    for (token, reacted) in [(&alice, false), (&bob, true)] {
        let mut socket = connect(&app.base, &format!("/ws/text/{text}?token={token}")).await;
        let greeting = next_json(&mut socket).await;
        let item = &greeting["page"]["items"][0];
        assert_eq!(item["id"], message);
        assert_eq!(item["reactions"][0]["reacted"], reacted, "{greeting}");
        let (_, page) = app
            .get(&format!("/api/channels/{text}/history"), token)
            .await;
        assert_eq!(greeting["page"], page);
    }
    app.stop().await;
}

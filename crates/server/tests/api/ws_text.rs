//! `/ws/text`: connect frames, broadcast, every error frame, close codes, idle timeout,
//! presence and typing, catch-up without loss, slow consumers and shutdown.

mod common;

use std::time::Duration;

use common::ws::{self, WAIT, close_of, connect, next_json, next_of, send, send_raw};
use common::{TestApp, backends};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

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

#[tokio::test]
async fn members_get_history_then_presence_and_every_message_including_their_own() {
    for db in backends() {
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
        let seen_by_alice = next_of(&mut a, "presence").await;
        assert!(
            seen_by_alice["online"]
                .as_array()
                .unwrap()
                .iter()
                .any(|u| u["id"] == bob_id)
        );

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

#[tokio::test]
async fn refused_connections_close_with_the_contract_codes() {
    for db in backends() {
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
}

#[tokio::test]
async fn bad_frames_get_error_frames_and_the_connection_survives() {
    let app = TestApp::spawn(backends()[0]).await;
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

/// A client that does not wait for each echo has many messages committing at once (up to the
/// session's in-flight limit, then the server stops reading until the oldest commits). Every
/// message still arrives once, in order, with growing ids, and each reply to the sender stays
/// where its frame was: an error or a pong comes after the echoes of the messages sent before it.
#[tokio::test]
async fn a_burst_sent_without_waiting_keeps_its_order_and_its_replies_in_place() {
    const BURST: usize = 150; // more than the in-flight limit (64)
    for db in backends() {
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
}

/// Messages of every length form (7-bit, 16-bit and 64-bit frame lengths) arrive whole, byte
/// for byte: in the greeting's history page, in a broadcast and in a reply. A ping sent
/// between them is answered with a pong, and the frames around it stay intact.
#[tokio::test]
async fn long_messages_arrive_whole_and_plain_requests_are_refused() {
    let app = TestApp::spawn(backends()[0]).await;
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

/// The greeting's history page is the HTTP history page: one frame shared by every viewer
/// while no message has reactions, and each viewer's own `reacted` flags once one has.
#[tokio::test]
async fn the_greeting_page_is_the_history_page_for_each_viewer() {
    let app = TestApp::spawn(backends()[0]).await;
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

#[tokio::test]
async fn an_idle_socket_gets_an_error_frame_then_close_1001() {
    let app = TestApp::spawn_with(
        backends()[0],
        &[("WEBSOCKET_RECEIVE_TIMEOUT_SECONDS", "0.5")],
    )
    .await;
    let (alice, _, text, _, _) = setup(&app).await;
    let mut a = connect(&app.base, &format!("/ws/text/{text}?token={alice}")).await;
    let frame = next_of(&mut a, "error").await;
    assert_eq!(frame["detail"], "Connection timed out due to inactivity");
    assert_eq!(close_of(&mut a).await.0, 1001);
    app.stop().await;
}

#[tokio::test]
async fn presence_is_per_user_and_typing_expires_on_a_server_timer() {
    let app = TestApp::spawn_with(backends()[0], &[("REALTIME_TYPING_TTL_SECONDS", "0.5")]).await;
    let (alice, bob, text, _, bob_id) = setup(&app).await;
    let mut a = connect(&app.base, &format!("/ws/text/{text}?token={alice}")).await;
    next_of(&mut a, "presence").await;
    let mut b1 = connect(&app.base, &format!("/ws/text/{text}?token={bob}")).await;
    next_of(&mut b1, "presence").await;
    // A flush may still announce alice's own arrival first; bob's must follow.
    let mut online = 0;
    for _ in 0..3 {
        online = next_of(&mut a, "presence").await["online"]
            .as_array()
            .unwrap()
            .len();
        if online == 2 {
            break;
        }
    }
    assert_eq!(online, 2);
    let mut b2 = connect(&app.base, &format!("/ws/text/{text}?token={bob}")).await;
    next_of(&mut b2, "presence").await;
    drop(b2);

    send(&mut b1, json!({"type": "typing", "is_typing": true})).await;
    // The next frame alice sees proves bob's second socket closing did not remove him.
    let typing = next_json(&mut a).await;
    assert_eq!(
        typing["type"], "typing",
        "no presence change expected: {typing}"
    );
    assert_eq!(typing["users"][0]["id"], bob_id);
    assert_eq!(typing["expires_in"], 0.5);
    let expired = next_of(&mut a, "typing").await;
    assert_eq!(expired["users"], json!([]));

    b1.close(None).await.unwrap();
    let presence = next_of(&mut a, "presence").await;
    assert_eq!(presence["online"].as_array().unwrap().len(), 1);
    app.stop().await;
}

#[tokio::test]
async fn a_client_that_reconnects_catches_up_on_everything_it_missed_in_order() {
    for db in backends() {
        let app = TestApp::spawn(db).await;
        let (alice, bob, text, _, _) = setup(&app).await;
        let mut a = connect(&app.base, &format!("/ws/text/{text}?token={alice}")).await;
        next_of(&mut a, "presence").await;
        let mut b = connect(&app.base, &format!("/ws/text/{text}?token={bob}")).await;
        next_of(&mut b, "presence").await;
        let mut sent = 0;
        let mut last_seen_by_bob = 0;
        let mut bob_ids = Vec::new();
        while sent < 1000 {
            send(
                &mut a,
                json!({"type": "message", "content": format!("m{sent}")}),
            )
            .await;
            sent += 1;
            if sent == 300 {
                // Bob reads up to here, then drops off.
                while bob_ids.len() < 300 {
                    let f = next_of(&mut b, "message").await;
                    bob_ids.push(f["message"]["id"].as_i64().unwrap());
                }
                last_seen_by_bob = *bob_ids.last().unwrap();
                drop(b);
                b = connect(&app.base, &format!("/ws/text/{text}?token={alice}")).await;
            }
        }
        // Alice sees all 1000 of her own messages, in order.
        let mut alice_ids = Vec::new();
        while alice_ids.len() < 1000 {
            let f = next_of(&mut a, "message").await;
            alice_ids.push(f["message"]["id"].as_i64().unwrap());
        }
        assert!(alice_ids.windows(2).all(|w| w[0] < w[1]));
        // Bob comes back and pages forward from his last id.
        let mut after = last_seen_by_bob;
        loop {
            let (_, page) = app
                .get(
                    &format!("/api/channels/{text}/history?after={after}&limit=100"),
                    &bob,
                )
                .await;
            let items: Vec<Value> = page["items"].as_array().unwrap().clone();
            bob_ids.extend(items.iter().map(|m| m["id"].as_i64().unwrap()));
            if page["has_more_forward"] == false {
                break;
            }
            after = *bob_ids.last().unwrap();
        }
        assert_eq!(
            bob_ids, alice_ids,
            "bob has every message exactly once, in order"
        );
        drop(b);
        app.stop().await;
    }
}

#[tokio::test]
async fn a_client_that_stops_reading_is_closed_without_stalling_the_others() {
    let app = TestApp::spawn(backends()[0]).await;
    let (alice, bob, text, _, _) = setup(&app).await;
    // Bob connects with a tiny receive buffer and never reads.
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let stream = socket.connect(app.addr).await.unwrap();
    let url = format!("ws://{}/ws/text/{text}?token={bob}", app.addr);
    let (mut stalled, _) = tokio_tungstenite::client_async(url, stream).await.unwrap();

    let mut a = connect(&app.base, &format!("/ws/text/{text}?token={alice}")).await;
    next_of(&mut a, "presence").await;
    let body = "y".repeat(1900);
    let total = 3000;
    let sender = async {
        for i in 0..total {
            send(
                &mut a,
                json!({"type": "message", "content": format!("{i} {body}")}),
            )
            .await;
        }
        let mut got = 0;
        while got < total {
            let f = next_json(&mut a).await;
            if f["type"] == "message" {
                got += 1;
            }
        }
        a
    };
    let a = tokio::time::timeout(Duration::from_secs(120), sender)
        .await
        .expect("alice was stalled by bob");
    drop(a);
    // Bob's connection was cut: reading it now ends before all messages arrive.
    let mut received = 0;
    let ended = tokio::time::timeout(Duration::from_secs(30), async {
        while let Some(Ok(msg)) = stalled.next().await {
            match msg {
                Message::Text(t) if t.as_str().contains("\"type\":\"message\"") => received += 1,
                Message::Close(_) => break,
                _ => {}
            }
        }
    })
    .await;
    assert!(ended.is_ok(), "the stalled connection was never closed");
    assert!(
        received < total,
        "the stalled client should have been dropped, got {received}"
    );
    app.stop().await;
}

#[tokio::test]
async fn shutdown_closes_sockets_with_1001() {
    let app = TestApp::spawn(backends()[0]).await;
    let (alice, _, text, _, _) = setup(&app).await;
    let mut a = connect(&app.base, &format!("/ws/text/{text}?token={alice}")).await;
    next_of(&mut a, "presence").await;
    let stopping = tokio::spawn(app.stop());
    assert_eq!(close_of(&mut a).await.0, 1001);
    drop(a);
    tokio::time::timeout(Duration::from_secs(10), stopping)
        .await
        .expect("stopped in time")
        .unwrap();
}

#[tokio::test]
async fn clients_that_ask_get_presence_deltas_instead_of_full_lists() {
    let app = TestApp::spawn(backends()[0]).await;
    let (alice, bob, text, _, bob_id) = setup(&app).await;
    let mut a = connect(
        &app.base,
        &format!("/ws/text/{text}?token={alice}&presence=delta"),
    )
    .await;
    let first = next_of(&mut a, "presence").await;
    assert_eq!(
        first["online"].as_array().unwrap().len(),
        1,
        "the first list is always complete"
    );
    let b = connect(&app.base, &format!("/ws/text/{text}?token={bob}")).await;
    // Deltas are upserts: one may first repeat alice herself; bob's arrives next.
    let joined = loop {
        let delta = next_of(&mut a, "presence_delta").await;
        if delta["joined"]
            .as_array()
            .unwrap()
            .iter()
            .any(|u| u["id"] == bob_id)
        {
            break delta;
        }
    };
    assert_eq!(joined["left"], json!([]));
    drop(b);
    let left = next_of(&mut a, "presence_delta").await;
    assert_eq!(
        (left["joined"].clone(), left["left"].clone()),
        (json!([]), json!([bob_id]))
    );
    app.stop().await;
}

#[tokio::test]
async fn a_session_is_closed_when_its_token_expires() {
    let app = TestApp::spawn(backends()[0]).await;
    let (alice, _, text, _, _) = setup(&app).await;
    // Sign a two-second token with the test app's secret for alice's account.
    let settings = charge_server::Settings::for_tests(&[(
        "JWT_SECRET_KEY",
        "test-secret-key-that-is-long-enough-0123",
    )])
    .unwrap();
    let tokens = charge_server::auth::Tokens::new(&settings);
    let owner_id = {
        let (_, detail) = app.get("/api/rooms/chat", &alice).await;
        detail["members"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["login"] == "alice")
            .unwrap()["user_id"]
            .as_i64()
            .unwrap()
    };
    let short = tokens
        .issue_with_ttl(owner_id, Duration::from_secs(2))
        .unwrap();
    let mut sock = connect(&app.base, &format!("/ws/text/{text}?token={short}")).await;
    next_of(&mut sock, "presence").await;
    send(&mut sock, json!({"type": "ping"})).await;
    next_of(&mut sock, "pong").await;
    assert_eq!(
        close_of(&mut sock).await,
        (1008, "Token expired".to_owned())
    );
    app.stop().await;
}

#[tokio::test]
async fn an_oversize_frame_closes_the_socket_with_1009_and_the_server_stays_up() {
    let app = TestApp::spawn(backends()[0]).await;
    let (alice, _, text, _, _) = setup(&app).await;
    let mut sock = connect(&app.base, &format!("/ws/text/{text}?token={alice}")).await;
    next_of(&mut sock, "presence").await;
    let huge = json!({"type": "message", "content": "z".repeat(70 * 1024)}).to_string();
    send_raw(&mut sock, &huge).await;
    assert_eq!(close_of(&mut sock).await.0, 1009);
    let mut again = connect(&app.base, &format!("/ws/text/{text}?token={alice}")).await;
    next_of(&mut again, "presence").await;
    app.stop().await;
}

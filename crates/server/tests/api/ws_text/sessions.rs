//! The life of a `/ws/text` session: idle timeout, presence and typing, catch-up without loss
//! after a reconnect, slow consumers, shutdown, token expiry and oversize frames.

use std::time::Duration;

use futures_util::StreamExt;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

use super::setup;
use crate::common::ws::{close_of, connect, next_json, next_of, send, send_raw};
use crate::common::{Db, TEST_SECRET, TestApp, both_backends};

both_backends!(an_idle_socket_gets_an_error_frame_then_close_1001);
async fn an_idle_socket_gets_an_error_frame_then_close_1001(db: Db) {
    let app = TestApp::spawn_with(db, &[("WEBSOCKET_RECEIVE_TIMEOUT_SECONDS", "0.5")]).await;
    let (alice, _, text, _, _) = setup(&app).await;
    let mut a = connect(&app.base, &format!("/ws/text/{text}?token={alice}")).await;
    let frame = next_of(&mut a, "error").await;
    assert_eq!(frame["detail"], "Connection timed out due to inactivity");
    assert_eq!(close_of(&mut a).await.0, 1001);
    app.stop().await;
}

both_backends!(presence_is_per_user_and_typing_expires_on_a_server_timer);
async fn presence_is_per_user_and_typing_expires_on_a_server_timer(db: Db) {
    let app = TestApp::spawn_with(db, &[("REALTIME_TYPING_TTL_SECONDS", "0.5")]).await;
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

both_backends!(a_client_that_reconnects_catches_up_on_everything_it_missed_in_order);
async fn a_client_that_reconnects_catches_up_on_everything_it_missed_in_order(db: Db) {
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

both_backends!(a_client_that_stops_reading_is_closed_with_1008_without_stalling_the_others);
async fn a_client_that_stops_reading_is_closed_with_1008_without_stalling_the_others(db: Db) {
    // The test runs on one thread with the server, so this captures the server's log lines.
    let log = CapturedLog::default();
    let _capture = tracing::subscriber::set_default(
        tracing_subscriber::fmt()
            .with_writer(log.clone())
            .with_ansi(false)
            .with_max_level(tracing::Level::INFO)
            .finish(),
    );
    // Callsites first seen by other tests' threads (no subscriber there) are asked again.
    tracing::callsite::rebuild_interest_cache();
    let app = TestApp::spawn(db).await;
    let (alice, bob, text, _, bob_id) = setup(&app).await;
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
    // Bob's queue overflowed while he was not reading. When he reads again he gets what was
    // already on its way, then the close frame that says why (not a cut connection, 1006).
    let mut received = 0;
    let closed = tokio::time::timeout(Duration::from_secs(30), async {
        loop {
            match stalled.next().await {
                Some(Ok(Message::Text(t))) if t.as_str().contains("\"type\":\"message\"") => {
                    received += 1;
                }
                Some(Ok(Message::Close(frame))) => {
                    return frame.map(|f| (u16::from(f.code), f.reason.to_string()));
                }
                Some(Ok(_)) => {}
                other => panic!("the connection ended without a close frame: {other:?}"),
            }
        }
    })
    .await
    .expect("the stalled connection was never closed");
    assert_eq!(closed, Some((1008, "Too slow".to_owned())));
    assert!(
        received < total,
        "the stalled client should have been dropped, got {received}"
    );
    // The drop is logged with the user and the connection.
    let lines = log.text();
    let dropped = lines
        .lines()
        .find(|l| l.contains("slow consumer dropped"))
        .unwrap_or_else(|| panic!("no slow consumer line in the log:\n{lines}"));
    assert!(
        dropped.contains(&format!("user_id={bob_id}")) && dropped.contains("conn_id="),
        "{dropped}"
    );
    app.stop().await;
}

/// Log output collected in memory.
#[derive(Clone, Default)]
struct CapturedLog(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl CapturedLog {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

impl std::io::Write for CapturedLog {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for CapturedLog {
    type Writer = CapturedLog;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

both_backends!(shutdown_closes_sockets_with_1001);
async fn shutdown_closes_sockets_with_1001(db: Db) {
    let app = TestApp::spawn(db).await;
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

both_backends!(clients_that_ask_get_presence_deltas_instead_of_full_lists);
async fn clients_that_ask_get_presence_deltas_instead_of_full_lists(db: Db) {
    let app = TestApp::spawn(db).await;
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

both_backends!(a_session_is_closed_when_its_token_expires);
async fn a_session_is_closed_when_its_token_expires(db: Db) {
    let app = TestApp::spawn(db).await;
    let (alice, _, text, _, _) = setup(&app).await;
    // Sign a two-second token with the test app's secret for alice's account.
    let settings = charge_server::Settings::for_tests(&[("JWT_SECRET_KEY", TEST_SECRET)]).unwrap();
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

both_backends!(an_oversize_frame_closes_the_socket_with_1009_and_the_server_stays_up);
async fn an_oversize_frame_closes_the_socket_with_1009_and_the_server_stays_up(db: Db) {
    let app = TestApp::spawn(db).await;
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

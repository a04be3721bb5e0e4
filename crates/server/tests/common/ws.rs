//! WebSocket client helpers for tests.
#![allow(dead_code)]

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

pub type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

pub const WAIT: Duration = Duration::from_secs(10);

pub async fn connect(base: &str, path: &str) -> Ws {
    let url = format!("{}{path}", base.replacen("http://", "ws://", 1));
    let (ws, _) = tokio::time::timeout(WAIT, tokio_tungstenite::connect_async(url))
        .await
        .expect("connect timeout")
        .expect("connect");
    ws
}

/// The next JSON text frame (pings skipped); panics on close or timeout.
pub async fn next_json(ws: &mut Ws) -> Value {
    loop {
        let msg = tokio::time::timeout(WAIT, ws.next())
            .await
            .expect("timed out waiting for a frame");
        match msg {
            Some(Ok(Message::Text(t))) => {
                conforms(t.as_str());
                return serde_json::from_str(t.as_str()).expect("json frame");
            }
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
            other => panic!("expected a text frame, got {other:?}"),
        }
    }
}

/// Every frame the suite receives must be one of the protocol's typed server frames (and come
/// back the same when re-serialised), so the wire types and the server cannot drift apart.
pub fn conforms(text: &str) {
    use charge_protocol::frames::{
        DirectServerFrame, PresenceServerFrame, RoomsServerFrame, SignalServerFrame,
        TextServerFrame,
    };
    let raw: Value = serde_json::from_str(text).expect("json frame");
    let round_trip = |typed: Result<Value, serde_json::Error>| typed.ok().filter(|v| *v == raw);
    let matched = round_trip(
        serde_json::from_str::<TextServerFrame>(text).and_then(|f| serde_json::to_value(&f)),
    )
    .or_else(|| {
        round_trip(
            serde_json::from_str::<RoomsServerFrame>(text).and_then(|f| serde_json::to_value(&f)),
        )
    })
    .or_else(|| {
        round_trip(
            serde_json::from_str::<SignalServerFrame>(text).and_then(|f| serde_json::to_value(&f)),
        )
    })
    .or_else(|| {
        round_trip(
            serde_json::from_str::<DirectServerFrame>(text).and_then(|f| serde_json::to_value(&f)),
        )
    })
    .or_else(|| {
        round_trip(
            serde_json::from_str::<PresenceServerFrame>(text)
                .and_then(|f| serde_json::to_value(&f)),
        )
    });
    assert!(
        matched.is_some(),
        "a frame the protocol types do not describe exactly: {text}"
    );
}

/// Skips frames until one with `type` == `kind` arrives.
pub async fn next_of(ws: &mut Ws, kind: &str) -> Value {
    loop {
        let frame = next_json(ws).await;
        if frame["type"] == kind {
            return frame;
        }
    }
}

/// Reads until the close frame; returns (code, reason). Text frames before it are ignored.
pub async fn close_of(ws: &mut Ws) -> (u16, String) {
    loop {
        let msg = tokio::time::timeout(WAIT, ws.next())
            .await
            .expect("timed out waiting for close");
        match msg {
            Some(Ok(Message::Close(Some(frame)))) => {
                return (frame.code.into(), frame.reason.to_string());
            }
            Some(Ok(Message::Close(None))) | None => return (1005, String::new()),
            Some(Ok(_)) => continue,
            Some(Err(e)) => panic!("socket error before close: {e}"),
        }
    }
}

pub async fn send(ws: &mut Ws, value: Value) {
    ws.send(Message::Text(value.to_string().into()))
        .await
        .expect("send");
}

pub async fn send_raw(ws: &mut Ws, text: &str) {
    ws.send(Message::Text(text.to_owned().into()))
        .await
        .expect("send");
}

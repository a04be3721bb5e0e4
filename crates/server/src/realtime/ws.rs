//! The WebSocket upgrade and the socket type, on tokio-tungstenite directly rather than through
//! axum's wrapper, so that sessions control framing and buffers.
//!
//! The library keeps its write buffer at the largest size it has ever reached for the life of
//! the socket. Two rules bound that size: a long text message leaves as fragments of at most
//! [`FRAGMENT_BYTES`] (a browser reassembles them; the message on the wire is the same), and the
//! buffer is written out once it holds [`WRITE_BUFFER_BYTES`]. Without them every socket in a
//! room with many people online kept the room's largest presence list or history page, about
//! 100 KB per socket with 1,000 users online.

use axum::body::Body;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use futures_util::SinkExt;
use hyper::upgrade::{OnUpgrade, Upgraded};
use hyper_util::rt::TokioIo;
use serde_json::json;
use std::future::Future;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::frame::Frame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::{Data, OpCode};
use tokio_tungstenite::tungstenite::protocol::{Role, WebSocketConfig};

pub use tokio_tungstenite::tungstenite::protocol::CloseFrame;
pub use tokio_tungstenite::tungstenite::{Error, Message, Utf8Bytes};

/// An accepted WebSocket connection.
pub type WebSocket = WebSocketStream<TokioIo<Upgraded>>;

/// Largest inbound message or frame accepted; larger ones end the connection with 1009.
pub const MAX_FRAME_BYTES: usize = 64 * 1024;

/// Text messages longer than this are sent as fragments of this size.
pub const FRAGMENT_BYTES: usize = 4 * 1024;

/// Frames queued for one socket are framed into one buffer and written together up to about
/// this size (a batch of fan-out frames usually fits in one write).
pub const WRITE_BUFFER_BYTES: usize = 8 * 1024;

/// Buffers sized for many mostly idle connections instead of the library defaults. The read
/// buffer starts at 256 bytes, which holds a ping or a short message; the library grows it to
/// the size of a larger frame when its header arrives, so a long message is still read at
/// once. Chat traffic mostly goes the other way.
fn config() -> WebSocketConfig {
    WebSocketConfig::default()
        .read_buffer_size(256)
        .write_buffer_size(WRITE_BUFFER_BYTES)
        .max_write_buffer_size(256 * 1024)
        .max_message_size(Some(MAX_FRAME_BYTES))
        .max_frame_size(Some(MAX_FRAME_BYTES))
}

/// The upgrade half of a WebSocket request (HTTP/1.1 `Upgrade: websocket`).
pub struct WsUpgrade {
    on_upgrade: OnUpgrade,
    accept: HeaderValue,
}

fn refuse(status: StatusCode, detail: &str) -> Response {
    (status, axum::Json(json!({ "detail": detail }))).into_response()
}

/// Whether a comma-separated header lists `token` (case-insensitive).
fn lists(headers: &HeaderMap, name: header::HeaderName, token: &str) -> bool {
    headers
        .get_all(name)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|v| v.trim().eq_ignore_ascii_case(token))
}

impl<S: Send + Sync> FromRequestParts<S> for WsUpgrade {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Response> {
        if parts.method != Method::GET {
            return Err(refuse(
                StatusCode::METHOD_NOT_ALLOWED,
                "WebSocket requests must use GET",
            ));
        }
        let headers = &parts.headers;
        if !lists(headers, header::CONNECTION, "upgrade")
            || !lists(headers, header::UPGRADE, "websocket")
        {
            return Err(refuse(
                StatusCode::BAD_REQUEST,
                "This is a WebSocket endpoint: send Connection: upgrade and Upgrade: websocket",
            ));
        }
        if headers
            .get(header::SEC_WEBSOCKET_VERSION)
            .is_none_or(|v| v != "13")
        {
            return Err(refuse(
                StatusCode::BAD_REQUEST,
                "Sec-WebSocket-Version must be 13",
            ));
        }
        let Some(key) = headers.get(header::SEC_WEBSOCKET_KEY) else {
            return Err(refuse(
                StatusCode::BAD_REQUEST,
                "Sec-WebSocket-Key is missing",
            ));
        };
        let accept = HeaderValue::from_str(&derive_accept_key(key.as_bytes()))
            .map_err(|_| refuse(StatusCode::BAD_REQUEST, "Invalid Sec-WebSocket-Key"))?;
        let on_upgrade = parts.extensions.remove::<OnUpgrade>().ok_or_else(|| {
            refuse(
                StatusCode::UPGRADE_REQUIRED,
                "This connection cannot be upgraded",
            )
        })?;
        Ok(Self { on_upgrade, accept })
    }
}

impl WsUpgrade {
    /// Answers 101 and, once the connection has switched, runs `session` on the socket in its
    /// own task.
    pub fn on_upgrade<F, Fut>(self, session: F) -> Response
    where
        F: FnOnce(WebSocket) -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let on_upgrade = self.on_upgrade;
        tokio::spawn(async move {
            let Ok(upgraded) = on_upgrade.await else {
                return;
            };
            let socket = WebSocketStream::from_raw_socket(
                TokioIo::new(upgraded),
                Role::Server,
                Some(config()),
            )
            .await;
            session(socket).await;
        });
        let mut response = Response::new(Body::empty());
        *response.status_mut() = StatusCode::SWITCHING_PROTOCOLS;
        let headers = response.headers_mut();
        headers.insert(header::CONNECTION, HeaderValue::from_static("upgrade"));
        headers.insert(header::UPGRADE, HeaderValue::from_static("websocket"));
        headers.insert(header::SEC_WEBSOCKET_ACCEPT, self.accept);
        response
    }
}

/// Queues a text message for writing (it leaves once the buffer is full or on the next flush),
/// as fragments of [`FRAGMENT_BYTES`] when it is longer.
pub async fn feed_text(socket: &mut WebSocket, text: Utf8Bytes) -> Result<(), Error> {
    if text.len() <= FRAGMENT_BYTES {
        return socket.feed(Message::Text(text)).await;
    }
    let bytes = Bytes::from(text);
    let mut start = 0;
    while start < bytes.len() {
        let end = (start + FRAGMENT_BYTES).min(bytes.len());
        let opcode = if start == 0 {
            OpCode::Data(Data::Text)
        } else {
            OpCode::Data(Data::Continue)
        };
        let fragment = Frame::message(bytes.slice(start..end), opcode, end == bytes.len());
        socket.feed(Message::Frame(fragment)).await?;
        start = end;
    }
    Ok(())
}

/// Sends a text message now (fragmented like [`feed_text`]).
pub async fn send_text(socket: &mut WebSocket, text: Utf8Bytes) -> Result<(), Error> {
    feed_text(socket, text).await?;
    socket.flush().await
}

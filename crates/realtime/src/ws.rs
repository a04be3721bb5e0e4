//! The WebSocket upgrade and the socket type, on tokio-tungstenite directly rather than through
//! axum's wrapper, so that sessions control framing and buffers.
//!
//! tokio-tungstenite reads frames and answers pings and closes. Text messages, which are
//! nearly all of the outbound traffic, are written by [`write_texts`] instead: the library
//! copies every frame into a write buffer that keeps, for the life of the socket, the largest
//! size it ever reached, so each socket that had been sent a history page or a room's online
//! list kept that much memory while idle (about 100 KB per socket with 1,000 users online).
//! Written directly, a frame's bytes are shared with every other recipient until the kernel
//! copies them, and an idle socket holds no write buffer at all.

use axum::body::Body;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures_util::SinkExt;
use hyper::upgrade::{OnUpgrade, Upgraded};
use hyper_util::rt::TokioIo;
use serde_json::json;
use std::future::Future;
use std::io::IoSlice;
use tokio::io::AsyncWriteExt;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::{Role, WebSocketConfig};

pub use tokio_tungstenite::tungstenite::protocol::CloseFrame;
pub use tokio_tungstenite::tungstenite::{Error, Message, Utf8Bytes};

/// The subprotocol a browser offers along with its token (`charge.token.<jwt>`, read by
/// `session::authenticate`); the answer names it, as a browser requires.
pub const SUBPROTOCOL: &str = "charge";

/// An accepted WebSocket connection.
pub type WebSocket = WebSocketStream<TokioIo<Upgraded>>;

/// Largest inbound message or frame accepted; larger ones end the connection with 1009.
pub const MAX_FRAME_BYTES: usize = charge_protocol::limits::WS_FRAME_MAX_BYTES;

/// Buffers sized for many mostly idle connections instead of the library defaults. The read
/// buffer starts at 256 bytes, which holds a ping or a short message; the library grows it to
/// the size of a larger frame when its header arrives, so a long message is still read at
/// once. The library writes only control frames (pongs, closes), each at once.
fn config() -> WebSocketConfig {
    WebSocketConfig::default()
        .read_buffer_size(256)
        .write_buffer_size(0)
        .max_write_buffer_size(64 * 1024)
        .max_message_size(Some(MAX_FRAME_BYTES))
        .max_frame_size(Some(MAX_FRAME_BYTES))
}

/// The upgrade half of a WebSocket request (HTTP/1.1 `Upgrade: websocket`).
pub struct WsUpgrade {
    on_upgrade: OnUpgrade,
    accept: HeaderValue,
    /// Whether the client offered Charge's subprotocol (a browser carrying its token in the
    /// offer); it is then named in the answer, or the browser would fail the connection.
    charge_subprotocol: bool,
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
        let charge_subprotocol = lists(headers, header::SEC_WEBSOCKET_PROTOCOL, SUBPROTOCOL);
        Ok(Self {
            on_upgrade,
            accept,
            charge_subprotocol,
        })
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
        if self.charge_subprotocol {
            headers.insert(
                header::SEC_WEBSOCKET_PROTOCOL,
                HeaderValue::from_static(SUBPROTOCOL),
            );
        }
        response
    }
}

/// A text frame's header (server frames are not masked): FIN and the text opcode, then the
/// payload length in 7, 7+16 or 7+64 bits (RFC 6455, section 5.2).
struct Header {
    bytes: [u8; 10],
    len: u8,
}

impl Header {
    fn text(payload: usize) -> Self {
        let mut bytes = [0u8; 10];
        bytes[0] = 0x81;
        let len = if payload < 126 {
            bytes[1] = payload as u8;
            2
        } else if let Ok(short) = u16::try_from(payload) {
            bytes[1] = 126;
            bytes[2..4].copy_from_slice(&short.to_be_bytes());
            4
        } else {
            bytes[1] = 127;
            bytes[2..10].copy_from_slice(&(payload as u64).to_be_bytes());
            10
        };
        Self { bytes, len }
    }

    fn as_bytes(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }
}

/// Writes text messages straight to the connection, one frame each: the frame headers and the
/// messages' own bytes (shared with every other recipient) leave in vectored writes, so the
/// socket keeps no write buffer of its own between writes. Whatever the library still holds
/// (a pong it owes the peer) is written first, so frames never interleave.
///
/// Must not run while the socket is being read: the pump reads and writes in turn.
pub async fn write_texts(socket: &mut WebSocket, texts: &[Utf8Bytes]) -> Result<(), Error> {
    socket.flush().await?;
    let headers: Vec<Header> = texts.iter().map(|t| Header::text(t.len())).collect();
    let mut slices: Vec<IoSlice<'_>> = Vec::with_capacity(2 * texts.len());
    for (header, text) in headers.iter().zip(texts) {
        slices.push(IoSlice::new(header.as_bytes()));
        slices.push(IoSlice::new(text.as_bytes()));
    }
    let io = socket.get_mut();
    let mut rest = &mut slices[..];
    // Skips leading empty slices (an empty message has no payload slice to write).
    IoSlice::advance_slices(&mut rest, 0);
    while !rest.is_empty() {
        let written = io.write_vectored(rest).await?;
        if written == 0 {
            return Err(std::io::Error::from(std::io::ErrorKind::WriteZero).into());
        }
        IoSlice::advance_slices(&mut rest, written);
    }
    io.flush().await?;
    Ok(())
}

/// Sends one text message now.
pub async fn send_text(socket: &mut WebSocket, text: Utf8Bytes) -> Result<(), Error> {
    write_texts(socket, std::slice::from_ref(&text)).await
}

#[cfg(test)]
mod tests {
    use super::Header;

    #[test]
    fn frame_lengths_use_the_shortest_form() {
        let cases: [(usize, &[u8]); 6] = [
            (0, &[0x81, 0]),
            (125, &[0x81, 125]),
            (126, &[0x81, 126, 0, 126]),
            (65_535, &[0x81, 126, 0xff, 0xff]),
            (65_536, &[0x81, 127, 0, 0, 0, 0, 0, 1, 0, 0]),
            (1 << 32, &[0x81, 127, 0, 0, 0, 1, 0, 0, 0, 0]),
        ];
        for (len, header) in cases {
            assert_eq!(Header::text(len).as_bytes(), header, "length {len}");
        }
    }
}

//! A peer that breaks the WebSocket protocol is told why in a close frame (RFC 6455 7.4.1):
//! 1007 for a text frame that is not UTF-8, 1002 for a frame a client must not send. The frames
//! are written by hand on a raw TCP connection, since no client library sends them.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::common::{Db, TestApp, both_backends};

/// Opens `/ws/text/{channel}` by hand and reads past the 101 answer.
async fn raw_socket(app: &TestApp, channel: i64, token: &str) -> TcpStream {
    let mut tcp = TcpStream::connect(app.addr).await.unwrap();
    let request = format!(
        "GET /ws/text/{channel}?token={token} HTTP/1.1\r\nHost: {}\r\nUpgrade: websocket\r\n\
         Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
         Sec-WebSocket-Version: 13\r\n\r\n",
        app.addr
    );
    tcp.write_all(request.as_bytes()).await.unwrap();
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") {
        let mut byte = [0u8; 1];
        tcp.read_exact(&mut byte).await.unwrap();
        head.push(byte[0]);
    }
    assert!(
        head.starts_with(b"HTTP/1.1 101"),
        "{}",
        String::from_utf8_lossy(&head)
    );
    tcp
}

/// Reads frames until a close frame and returns its code.
async fn close_code(tcp: &mut TcpStream) -> u16 {
    tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            let mut head = [0u8; 2];
            tcp.read_exact(&mut head)
                .await
                .expect("a frame before the end");
            let len = match head[1] & 0x7f {
                126 => {
                    let mut ext = [0u8; 2];
                    tcp.read_exact(&mut ext).await.unwrap();
                    u64::from(u16::from_be_bytes(ext))
                }
                127 => {
                    let mut ext = [0u8; 8];
                    tcp.read_exact(&mut ext).await.unwrap();
                    u64::from_be_bytes(ext)
                }
                n => u64::from(n),
            };
            let mut payload = vec![0u8; usize::try_from(len).unwrap()];
            tcp.read_exact(&mut payload).await.unwrap();
            if head[0] & 0x0f == 0x8 {
                return u16::from_be_bytes([payload[0], payload[1]]);
            }
        }
    })
    .await
    .expect("a close frame within 5 s")
}

/// A masked client frame (FIN set) with `opcode` and `payload`.
fn masked(opcode: u8, payload: &[u8]) -> Vec<u8> {
    let key = [0x11, 0x22, 0x33, 0x44];
    let mut frame = vec![0x80 | opcode, 0x80 | u8::try_from(payload.len()).unwrap()];
    frame.extend_from_slice(&key);
    frame.extend(payload.iter().enumerate().map(|(i, b)| b ^ key[i % 4]));
    frame
}

both_backends!(a_peer_that_breaks_the_protocol_is_told_why);
async fn a_peer_that_breaks_the_protocol_is_told_why(db: Db) {
    let app = TestApp::spawn(db).await;
    let (_, token) = app.user("raw").await;
    let slug = app.room(&token, "Raw").await;
    let channel = app.channel(&token, &slug, "general", "text").await["id"]
        .as_i64()
        .unwrap();

    // A text frame whose bytes are not UTF-8.
    let mut tcp = raw_socket(&app, channel, &token).await;
    tcp.write_all(&masked(0x1, &[0xff, 0xfe, 0xfd]))
        .await
        .unwrap();
    assert_eq!(close_code(&mut tcp).await, 1007);

    // An unmasked frame: clients must mask every frame.
    let mut tcp = raw_socket(&app, channel, &token).await;
    tcp.write_all(&[0x81, 0x02, b'h', b'i']).await.unwrap();
    assert_eq!(close_code(&mut tcp).await, 1002);

    // A reserved opcode.
    let mut tcp = raw_socket(&app, channel, &token).await;
    tcp.write_all(&masked(0x3, b"x")).await.unwrap();
    assert_eq!(close_code(&mut tcp).await, 1002);
    app.stop().await;
}

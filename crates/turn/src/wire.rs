//! Moving whole STUN messages over a connected UDP socket or a (TLS-wrapped) TCP stream.
//!
//! Over TCP and TLS, STUN messages are sent back to back (RFC 8489 §6.2.2); [`next_frame`]
//! splits the byte stream again so that each message can be checked on its own.

use std::io;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::UdpSocket;

/// Length of the STUN header.
const HEADER_LEN: usize = 20;
/// The STUN magic cookie (RFC 8489 §5).
const MAGIC_COOKIE: [u8; 4] = [0x21, 0x12, 0xA4, 0x42];
/// No message in an Allocate exchange comes close to this.
const MAX_MESSAGE_LEN: usize = 64 * 1024;

/// Why a message could not be received.
#[derive(Debug, thiserror::Error)]
pub(crate) enum WireError {
    #[error(transparent)]
    Io(#[from] io::Error),
    #[error("server closed the connection")]
    Closed,
    #[error("server closed the connection in the middle of a message ({0} bytes pending)")]
    ClosedMidMessage(usize),
    #[error("server sent bytes that are not STUN: {0}")]
    NotStun(String),
}

/// A connection to a TURN server carrying whole STUN messages.
pub(crate) trait Wire {
    async fn send(&mut self, message: &[u8]) -> io::Result<()>;
    /// The next complete message. Cancel-safe: no received bytes are lost if the future is
    /// dropped.
    async fn recv(&mut self) -> Result<Vec<u8>, WireError>;
}

/// A UDP socket connected to the server: one datagram is one message.
pub(crate) struct Datagrams {
    socket: UdpSocket,
    buffer: Vec<u8>,
}

impl Datagrams {
    pub(crate) fn new(socket: UdpSocket) -> Self {
        Self {
            socket,
            buffer: vec![0; MAX_MESSAGE_LEN],
        }
    }
}

impl Wire for Datagrams {
    async fn send(&mut self, message: &[u8]) -> io::Result<()> {
        self.socket.send(message).await.map(|_| ())
    }

    async fn recv(&mut self) -> Result<Vec<u8>, WireError> {
        let len = self.socket.recv(&mut self.buffer).await?;
        Ok(self.buffer[..len].to_vec())
    }
}

/// A TCP or TLS stream with STUN framing.
pub(crate) struct Stream<S> {
    stream: S,
    pending: Vec<u8>,
}

impl<S> Stream<S> {
    pub(crate) fn new(stream: S) -> Self {
        Self {
            stream,
            pending: Vec::new(),
        }
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> Wire for Stream<S> {
    async fn send(&mut self, message: &[u8]) -> io::Result<()> {
        self.stream.write_all(message).await?;
        self.stream.flush().await
    }

    async fn recv(&mut self) -> Result<Vec<u8>, WireError> {
        let mut chunk = [0u8; 4096];
        loop {
            if let Some(frame) = next_frame(&mut self.pending)? {
                return Ok(frame);
            }
            let read = self.stream.read(&mut chunk).await?;
            if read == 0 {
                return Err(match self.pending.len() {
                    0 => WireError::Closed,
                    pending => WireError::ClosedMidMessage(pending),
                });
            }
            self.pending.extend_from_slice(&chunk[..read]);
        }
    }
}

/// Takes the first complete STUN message off `pending`, if there is one.
///
/// Rejects data as soon as it cannot be the start of a STUN message, so that a server speaking
/// another protocol is reported at once instead of at the deadline.
pub(crate) fn next_frame(pending: &mut Vec<u8>) -> Result<Option<Vec<u8>>, WireError> {
    if let Some(&first) = pending.first()
        && first & 0xC0 != 0
    {
        return Err(WireError::NotStun(format!(
            "first byte 0x{first:02x} cannot start a STUN message"
        )));
    }
    if pending.len() >= 8 && pending[4..8] != MAGIC_COOKIE {
        return Err(WireError::NotStun(format!(
            "magic cookie {:02x?} instead of 2112a442",
            &pending[4..8]
        )));
    }
    if pending.len() < HEADER_LEN {
        return Ok(None);
    }
    let body = usize::from(u16::from_be_bytes([pending[2], pending[3]]));
    if body % 4 != 0 {
        return Err(WireError::NotStun(format!(
            "message length {body} is not a multiple of 4"
        )));
    }
    let total = HEADER_LEN + body;
    if pending.len() < total {
        return Ok(None);
    }
    let rest = pending.split_off(total);
    Ok(Some(std::mem::replace(pending, rest)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 401 Allocate error response: header, ERROR-CODE 401 "Unauthorized" (padded).
    const ERROR_401: [u8; 40] = [
        0x01, 0x13, 0x00, 0x14, // Allocate error response, 20-byte body
        0x21, 0x12, 0xA4, 0x42, // magic cookie
        1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, // transaction id
        0x00, 0x09, 0x00, 0x10, // ERROR-CODE, 16 bytes
        0x00, 0x00, 0x04, 0x01, // class 4, number 1
        b'U', b'n', b'a', b'u', b't', b'h', b'o', b'r', b'i', b'z', b'e', b'd', // reason
    ];

    #[test]
    fn whole_messages_are_split_off_a_stream() {
        let mut pending = ERROR_401.to_vec();
        pending.extend_from_slice(&ERROR_401[..7]);
        assert_eq!(next_frame(&mut pending).unwrap(), Some(ERROR_401.to_vec()));
        assert_eq!(pending, ERROR_401[..7].to_vec());
        assert_eq!(next_frame(&mut pending).unwrap(), None);
        pending.extend_from_slice(&ERROR_401[7..]);
        assert_eq!(next_frame(&mut pending).unwrap(), Some(ERROR_401.to_vec()));
        assert!(pending.is_empty());
        assert_eq!(next_frame(&mut pending).unwrap(), None);
    }

    #[test]
    fn a_partial_header_waits_for_more_bytes() {
        let mut pending = ERROR_401[..19].to_vec();
        assert_eq!(next_frame(&mut pending).unwrap(), None);
        assert_eq!(pending.len(), 19);
    }

    #[test]
    fn non_stun_bytes_are_rejected_early() {
        let mut http = b"HTTP/1.1 400 Bad Request\r\n".to_vec();
        assert!(matches!(next_frame(&mut http), Err(WireError::NotStun(_))));

        let mut wrong_cookie = ERROR_401.to_vec();
        wrong_cookie[4] = 0x00;
        assert!(matches!(
            next_frame(&mut wrong_cookie[..8].to_vec()),
            Err(WireError::NotStun(_))
        ));

        let mut odd_length = ERROR_401.to_vec();
        odd_length[3] = 0x13;
        assert!(matches!(
            next_frame(&mut odd_length),
            Err(WireError::NotStun(_))
        ));
    }
}

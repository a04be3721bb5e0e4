//! Frames every gateway sends alike: `error` and `pong` (the three gateways' server enums
//! give them the same bytes), serialised with the domain's `frame`.

use std::borrow::Cow;
use std::sync::LazyLock;

use charge_domain::frame;
use charge_protocol::frames::TextServerFrame;

use crate::ws::Utf8Bytes;

/// `{"type":"error","detail":...}`.
pub fn error_frame(detail: &str) -> Utf8Bytes {
    frame(&TextServerFrame::Error {
        detail: Cow::Borrowed(detail),
    })
}

/// `{"type":"pong"}`, serialised once.
pub fn pong() -> Utf8Bytes {
    static PONG: LazyLock<Utf8Bytes> = LazyLock::new(|| frame(&TextServerFrame::Pong));
    PONG.clone()
}

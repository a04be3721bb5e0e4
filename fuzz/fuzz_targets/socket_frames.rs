//! Every client frame parser of the three gateways, and the error answer each gives, on
//! arbitrary text: nothing may panic, and what parses keeps the parsers' promises.
#![no_main]

use charge_protocol::frames::{TextClientFrame, rooms, signal, text};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Sockets hand the gateways text frames only; invalid UTF-8 is closed (1007) before this.
    let Ok(frame) = std::str::from_utf8(data) else {
        return;
    };
    match text::parse(frame) {
        Ok(TextClientFrame::Reaction(change)) => {
            assert!(!change.emoji.is_empty(), "a reaction's emoji is never empty");
            assert_eq!(change.emoji.trim(), change.emoji, "a reaction's emoji is trimmed");
        }
        Ok(_) => {}
        Err(error) => {
            let _ = text::error_detail(&error);
        }
    }
    if let Err(error) = rooms::parse(frame) {
        let _ = rooms::error_detail(&error);
    }
    if let Err(error) = signal::parse(frame) {
        let _ = signal::error_detail(&error);
    }
});

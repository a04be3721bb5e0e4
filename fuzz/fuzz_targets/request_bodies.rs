//! The JSON body extractor (`ApiJson`: media type, JSON, types, then the field checks) on
//! arbitrary bytes, for every request body of the API. Nothing may panic, and a body that is
//! accepted keeps the checks' promises.
#![no_main]

use std::sync::OnceLock;

use axum::body::Body;
use axum::extract::FromRequest;
use axum::http::{Request, header};
use charge_http::extract::{ApiJson, Validate};
use charge_http::routes::{categories, layout, profile};
use charge_protocol as p;
use libfuzzer_sys::fuzz_target;
use serde::de::DeserializeOwned;

fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("a runtime")
    })
}

/// Runs the extractor on `body`; `Some` when it accepted it.
fn extract<T: DeserializeOwned + Validate>(body: &[u8]) -> Option<T> {
    let request = Request::builder()
        .method("POST")
        .uri("/")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_vec()))
        .expect("a request");
    runtime()
        .block_on(ApiJson::<T>::from_request(request, &()))
        .ok()
        .map(|ApiJson(value)| value)
}

fn trimmed_name(name: &str) -> bool {
    let len = name.chars().count();
    name.trim() == name && (1..=p::limits::NAME_MAX_LENGTH).contains(&len)
}

fuzz_target!(|data: &[u8]| {
    let Some((&which, body)) = data.split_first() else {
        return;
    };
    match which % 16 {
        0 => {
            if let Some(r) = extract::<p::RegisterRequest>(body) {
                assert!((3..=64).contains(&r.login.chars().count()));
                assert!((8..=128).contains(&r.password.chars().count()));
                assert!(r.display_name.as_deref().is_none_or(trimmed_name));
            }
        }
        1 => {
            let _ = extract::<p::LoginRequest>(body);
        }
        2 => {
            if let Some(r) = extract::<p::RoomCreate>(body) {
                assert!(trimmed_name(&r.title), "accepted title {:?}", r.title);
            }
        }
        3 => {
            if let Some(c) = extract::<p::ChannelCreate>(body) {
                assert!(trimmed_name(&c.name));
                assert!(c.kind.is_some(), "the type defaults to text");
            }
        }
        4 => {
            let _ = extract::<p::MemberRoleUpdate>(body);
        }
        5 => {
            let _ = extract::<p::InvitationCreate>(body);
        }
        6 => {
            let _ = extract::<p::InviteCreate>(body);
        }
        7 => {
            let _ = extract::<p::MessageEdit>(body);
        }
        8 => {
            if let Some(m) = extract::<p::MessageModerate>(body) {
                assert!(m.action == "suppress" || m.action == "restore");
            }
        }
        9 => {
            if let Some(pin) = extract::<p::PinCreate>(body) {
                let len = pin.note.as_deref().map_or(0, |n| n.chars().count());
                assert!(len <= p::limits::PIN_NOTE_MAX_LENGTH);
            }
        }
        10 => {
            let _ = extract::<p::ReactionCreate>(body);
        }
        11 => {
            let _ = extract::<profile::ProfileUpdate>(body);
        }
        12 => {
            if let Some(c) = extract::<categories::CategoryCreate>(body) {
                assert!(trimmed_name(&c.name) && c.position >= 0);
            }
        }
        13 => {
            let _ = extract::<categories::CategoryUpdate>(body);
        }
        14 => {
            if let Some(r) = extract::<layout::ChannelReorder>(body) {
                assert!(r.channels.len() <= layout::MAX_REORDER_ITEMS);
                assert!(r.channels.iter().all(|c| c.position >= 0));
            }
        }
        _ => {
            let _ = extract::<layout::ChannelUpdate>(body);
            let _ = extract::<layout::CategoryReorder>(body);
        }
    }
});

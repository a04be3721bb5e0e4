//! Real-time delivery: the in-process hub that WebSocket sessions register with, and the three
//! gateways (`/ws/text`, `/ws/rooms`, `/ws/signal`).
//!
//! Every event is serialised once into shared bytes and pushed to each recipient's bounded
//! queue with `try_send`; a recipient whose queue is full is told to close ("Too slow") instead
//! of slowing the sender or anyone else (decision 14).

pub mod bus;
pub mod hub;
pub mod rooms;
pub mod session;
pub mod signal;
pub mod text;
pub mod ws;

use axum::Router;
use axum::routing::any;

use crate::state::AppState;

pub use hub::Hub;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/ws/text/{channel_id}", any(text::ws_text))
        .route("/ws/rooms/{room_slug}", any(rooms::ws_rooms))
        .route("/ws/signal/{room_slug}", any(signal::ws_signal))
}

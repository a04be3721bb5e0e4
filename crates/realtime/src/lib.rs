//! Real-time delivery: the in-process hub that WebSocket sessions register with, the five
//! gateways (`/ws/text`, `/ws/rooms`, `/ws/signal`, `/ws/direct`, `/ws/presence`), the broker bus between nodes and the
//! message writer. It implements the domain's `Realtime` trait (`port`) and never imports
//! the HTTP layer.
//!
//! Every event is serialised once into shared bytes and pushed to each recipient's bounded
//! queue with `try_send`; a recipient whose queue is full is told to close ("Too slow") instead
//! of slowing the sender or anyone else (decision 14).

pub mod bus;
pub mod channels;
pub mod conn;
pub mod direct;
pub mod frames;
pub mod hub;
pub mod moderation;
pub mod people_feed;
pub mod port;
pub mod presence;
pub mod remote;
pub mod rooms;
pub mod session;
pub mod signal;
pub mod state;
pub mod statuses;
pub mod text;
pub mod text_access;
pub mod users;
pub mod voice;
pub mod voice_access;
pub mod workspaces;
pub mod writer;
pub mod ws;

use axum::Router;
use axum::routing::any;

pub use state::AppState;

pub use hub::Hub;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/ws/text/{channel_id}", any(text::ws_text))
        .route("/ws/rooms/{room_slug}", any(rooms::ws_rooms))
        .route("/ws/signal/{room_slug}", any(signal::ws_signal))
        .route("/ws/direct", any(direct::ws_direct))
        .route("/ws/presence", any(statuses::ws_presence))
}

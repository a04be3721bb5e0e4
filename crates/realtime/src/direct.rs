//! `/ws/direct` (§2.5): a user's direct-message events on every node, starting with a
//! `direct_snapshot` of their conversations; `refresh` sends a new one, `typing` tells the
//! conversation's other participants. Connecting counts towards the user's presence.

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use charge_domain::{UserStream, conversations, direct_messages, frame};
use charge_protocol::frames::{DirectClientFrame, DirectServerFrame, direct as wire};
use tracing::Instrument;

use crate::frames::{error_frame, pong};
use crate::session::{self, Handler, PumpOptions, Reply};
use crate::state::AppState;
use crate::ws::{Utf8Bytes, WsUpgrade, send_text};

pub async fn ws_direct(
    ws: WsUpgrade,
    State(state): State<AppState>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    ws.on_upgrade(move |mut socket| async move {
        let caller = match session::authenticate(&state, &query, &headers).await {
            Ok(caller) => caller,
            Err((code, reason)) => return session::close(&mut socket, code, reason).await,
        };
        drop((query, headers));
        let user = caller.user.id;
        // Registered before the snapshot is read, so nothing between the two is missed: what
        // arrives meanwhile waits in the queue until the snapshot is out.
        let (conn, mut outbox) = state.hub.connection(user);
        state.hub.users.join(UserStream::Direct, conn.clone());
        let span = tracing::info_span!(
            "session",
            scope = "direct",
            conn_id = conn.id,
            user_id = user
        );
        let Some(first) = snapshot(&state, user).await else {
            session::close(&mut socket, session::UNAVAILABLE.0, session::UNAVAILABLE.1).await;
            state.hub.users.leave(UserStream::Direct, conn.id, user);
            return;
        };
        if send_text(&mut socket, first).await.is_ok() {
            let options = PumpOptions {
                idle_timeout: None,
                expires_at: caller.expires_at,
                scope: "direct",
                user_id: user,
            };
            let mut handler = DirectHandler {
                state: state.clone(),
                user,
            };
            session::pump(&state, &mut socket, &mut outbox, &mut handler, options)
                .instrument(span)
                .await;
        }
        state.hub.users.leave(UserStream::Direct, conn.id, user);
    })
}

/// The `direct_snapshot` frame, or `None` when storage failed (logged).
async fn snapshot(state: &AppState, user: i64) -> Option<Utf8Bytes> {
    match conversations::list(state, user).await {
        Ok(conversations) => Some(frame(&DirectServerFrame::DirectSnapshot { conversations })),
        Err(e) => {
            tracing::warn!(
                user_id = user,
                error = &e as &dyn std::error::Error,
                "direct snapshot failed"
            );
            None
        }
    }
}

struct DirectHandler {
    state: AppState,
    user: i64,
}

impl Handler for DirectHandler {
    async fn on_text(&mut self, text: &str) -> Reply {
        self.respond(text).await.into()
    }
}

impl DirectHandler {
    async fn respond(&mut self, text: &str) -> Vec<Utf8Bytes> {
        match wire::parse(text) {
            Ok(DirectClientFrame::Ping) => vec![pong()],
            Ok(DirectClientFrame::Refresh) => {
                self.state.hub.users.activity(self.user);
                match snapshot(&self.state, self.user).await {
                    Some(frame) => vec![frame],
                    None => vec![error_frame("Service temporarily unavailable")],
                }
            }
            Ok(DirectClientFrame::Typing { conversation_id }) => {
                self.state.hub.users.activity(self.user);
                match direct_messages::typing(&self.state, self.user, conversation_id).await {
                    Ok(()) => Vec::new(),
                    Err(e) => vec![error_frame(&e.to_string())],
                }
            }
            Err(e) => wire::error_detail(&e)
                .map(error_frame)
                .into_iter()
                .collect(),
        }
    }
}

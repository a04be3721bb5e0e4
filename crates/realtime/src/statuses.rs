//! `/ws/presence` (§2.4): the statuses of a user and their friends, starting with a
//! `status_snapshot`; the presence feed (`people_feed`) pushes each change. Client frames are
//! ignored except `ping` (answered) and `activity` (the person is at the keyboard).

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use charge_domain::{UserStream, frame, presence};
use charge_protocol::frames::{PresenceClientFrame, PresenceServerFrame, presence as wire};
use charge_protocol::people::PEOPLE_LISTED_MAX;
use tracing::Instrument;

use crate::frames::pong;
use crate::session::{self, Handler, PumpOptions, Reply};
use crate::state::AppState;
use crate::ws::{Utf8Bytes, WsUpgrade, send_text};

pub async fn ws_presence(
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
        let (conn, mut outbox) = state.hub.connection(user);
        state.hub.users.join(UserStream::Presence, conn.clone());
        let span = tracing::info_span!(
            "session",
            scope = "presence",
            conn_id = conn.id,
            user_id = user
        );
        let Some(first) = snapshot(&state, user).await else {
            session::close(&mut socket, session::UNAVAILABLE.0, session::UNAVAILABLE.1).await;
            state.hub.users.leave(UserStream::Presence, conn.id, user);
            return;
        };
        if send_text(&mut socket, first).await.is_ok() {
            let options = PumpOptions {
                idle_timeout: None,
                expires_at: caller.expires_at,
                scope: "presence",
                user_id: user,
            };
            let mut handler = PresenceHandler {
                state: state.clone(),
                user,
            };
            session::pump(&state, &mut socket, &mut outbox, &mut handler, options)
                .instrument(span)
                .await;
        }
        state.hub.users.leave(UserStream::Presence, conn.id, user);
    })
}

/// The user's own status and each friend's.
async fn snapshot(state: &AppState, user: i64) -> Option<Utf8Bytes> {
    let people = async {
        let mut ids = vec![user];
        ids.extend(state.store.friend_ids(user, PEOPLE_LISTED_MAX).await?);
        state.store.people(&ids).await
    };
    match people.await {
        Ok(mut people) => {
            people.sort_by_key(|p| (p.id != user, p.id));
            let users = people
                .iter()
                .map(|p| presence::status_user_for(state, p, user))
                .collect();
            Some(frame(&PresenceServerFrame::StatusSnapshot { users }))
        }
        Err(e) => {
            tracing::warn!(
                user_id = user,
                error = &e as &dyn std::error::Error,
                "status snapshot failed"
            );
            None
        }
    }
}

struct PresenceHandler {
    state: AppState,
    user: i64,
}

impl Handler for PresenceHandler {
    async fn on_text(&mut self, text: &str) -> Reply {
        match wire::parse(text) {
            Ok(PresenceClientFrame::Ping) => vec![pong()].into(),
            Ok(PresenceClientFrame::Activity) => {
                self.state.hub.users.activity(self.user);
                Vec::new().into()
            }
            Err(_) => Vec::new().into(),
        }
    }
}

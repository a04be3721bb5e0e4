//! `/ws/rooms/{room_slug}`: the structure of a room as it changes (channels, members,
//! invitations for admins), starting with a `workspace_snapshot`.

use std::collections::HashMap;

use crate::ws::{Utf8Bytes, WsUpgrade, send_text};
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use charge_protocol::frames::{RoomsClientFrame, RoomsServerFrame, rooms as wire};
use std::borrow::Cow;

use crate::frames::{error_frame, pong};
use crate::session::{self, Handler, Place, PumpOptions, Reply};
use crate::state::AppState;
use charge_domain::dto;
use charge_domain::frame;
use tracing::Instrument;

pub async fn ws_rooms(
    ws: WsUpgrade,
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    ws.on_upgrade(move |mut socket| async move {
        let (caller, room, member) =
            match session::admit_room(&state, &slug, &query, &headers).await {
                Ok(admitted) => admitted,
                Err((code, reason)) => return session::close(&mut socket, code, reason).await,
            };
        // The request's headers and query are not needed for the session's lifetime.
        drop((query, headers));
        let snapshot = match snapshot(&state, room.id, &room.slug).await {
            Ok(s) => s,
            Err(e) => {
                tracing::warn!(
                    room_id = room.id,
                    error = &e as &dyn std::error::Error,
                    "workspace snapshot failed"
                );
                return session::close(&mut socket, session::UNAVAILABLE.0, session::UNAVAILABLE.1)
                    .await;
            }
        };
        if send_text(&mut socket, snapshot).await.is_err() {
            return;
        }
        let (conn, mut outbox) = state
            .hub
            .session_connection(caller.user.id, caller.session_id);
        let sees_invitations = matches!(member.role.as_str(), "owner" | "admin");
        state.hub.join_room(room.id, conn.clone(), sees_invitations);
        let options = PumpOptions {
            idle_timeout: None,
            expires_at: caller.expires_at,
            scope: "rooms",
            conn_id: conn.id,
            user_id: caller.user.id,
        };
        let span = session::span("rooms", conn.id, caller.user.id, Place::Room(&room.slug));
        session::pump(&state, &mut socket, &mut outbox, &mut RoomsHandler, options)
            .instrument(span)
            .await;
        state.hub.leave_room(room.id, conn.id);
    })
}

/// The `workspace_snapshot` frame of a room, serialised.
async fn snapshot(
    state: &AppState,
    room_id: i64,
    slug: &str,
) -> Result<Utf8Bytes, charge_store::StoreError> {
    let channels = state.store.channels(room_id).await?;
    let categories = state.store.categories(room_id).await?;
    let members = state.store.members(room_id).await?;
    Ok(frame(&RoomsServerFrame::WorkspaceSnapshot {
        room: Cow::Borrowed(slug),
        channels: Cow::Owned(dto::channels_sorted(&channels)),
        categories: Cow::Owned(dto::categories_sorted(&categories)),
        members: Cow::Owned(dto::members_sorted(&members)),
    }))
}

struct RoomsHandler;

impl Handler for RoomsHandler {
    async fn on_text(&mut self, text: &str) -> Reply {
        self.respond(text).await.into()
    }
}

impl RoomsHandler {
    async fn respond(&mut self, text: &str) -> Vec<Utf8Bytes> {
        match wire::parse(text) {
            Ok(RoomsClientFrame::Ping) => vec![pong()],
            Err(e) => wire::error_detail(&e)
                .map(error_frame)
                .into_iter()
                .collect(),
        }
    }
}

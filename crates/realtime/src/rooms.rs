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
use crate::session::{self, Handler, Place, PumpOptions, Recheck, Reply};
use crate::state::AppState;
use crate::workspaces::View;
use charge_domain::dto;
use charge_domain::frame;
use charge_domain::permissions::{self, Standing};
use charge_domain::{hierarchy, rooms};
use std::collections::BTreeSet;
use std::sync::Arc;
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
        let (snapshot, view) = match snapshot(&state, room.id, &room.slug, caller.user.id).await {
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
        drop(member);
        if send_text(&mut socket, snapshot).await.is_err() {
            return;
        }
        let (conn, mut outbox) = state.hub.connection(caller.user.id);
        state.hub.join_room(room.id, conn.clone(), view.clone());
        // Whatever changed between the snapshot and joining is caught up at once.
        conn.recheck();
        let options = PumpOptions {
            idle_timeout: None,
            expires_at: caller.expires_at,
            scope: "rooms",
            user_id: caller.user.id,
        };
        let span = session::span("rooms", conn.id, caller.user.id, Place::Room(&room.slug));
        let mut handler = RoomsHandler {
            state: state.clone(),
            room_id: room.id,
            slug: room.slug.clone(),
            user_id: caller.user.id,
            view,
        };
        session::pump(&state, &mut socket, &mut outbox, &mut handler, options)
            .instrument(span)
            .await;
        state.hub.leave_room(room.id, conn.id);
    })
}

/// The `workspace_snapshot` frame of a room as `user_id` may see it (the channels they may
/// view, a bounded member list with the total), serialised, and what they may see.
async fn snapshot(
    state: &AppState,
    room_id: i64,
    slug: &str,
    user_id: i64,
) -> Result<(Utf8Bytes, Arc<View>), charge_store::StoreError> {
    let perms = permissions::room_perms(state, room_id).await?;
    let channels = rooms::visible_channels(state, room_id, user_id).await?;
    let categories = state.store.categories(room_id).await?;
    let (members, total) = hierarchy::embedded_members(state, room_id).await?;
    let admin = perms
        .role_of(user_id)
        .is_some_and(|role| perms.standing(role) != Standing::Member);
    let view = Arc::new(View::new(admin, perms.hidden_from(user_id)));
    let frame = frame(&RoomsServerFrame::WorkspaceSnapshot {
        room: Cow::Borrowed(slug),
        channels: Cow::Owned(channels),
        categories: Cow::Owned(dto::categories_sorted(&categories)),
        members: Cow::Owned({
            let mut members = members;
            charge_domain::presence::live_members(state, &mut members, Some(user_id));
            members
        }),
        members_total: Some(total),
    });
    Ok((frame, view))
}

struct RoomsHandler {
    state: AppState,
    room_id: i64,
    slug: String,
    user_id: i64,
    view: Arc<View>,
}

impl Handler for RoomsHandler {
    async fn on_text(&mut self, text: &str) -> Reply {
        self.respond(text).await.into()
    }

    /// Channels the member can no longer view are announced as deleted, channels they can
    /// view again as created; invitation codes follow their level.
    async fn on_recheck(&mut self) -> Recheck {
        let perms = match permissions::room_perms(&self.state, self.room_id).await {
            Ok(perms) => perms,
            Err(e) => {
                tracing::warn!(
                    room_id = self.room_id,
                    error = &e as &dyn std::error::Error,
                    "permissions not re-checked"
                );
                return Recheck::Keep(Vec::new());
            }
        };
        let Some(role) = perms.role_of(self.user_id) else {
            return Recheck::Close(
                vec![error_frame("Not a room member")],
                session::CLOSE_POLICY,
                "Not a room member",
            );
        };
        self.view.admin.store(
            perms.standing(role) != Standing::Member,
            std::sync::atomic::Ordering::Release,
        );
        let now_hidden: BTreeSet<i64> = perms.hidden_from(self.user_id).into_iter().collect();
        let mut hidden = self.view.hidden();
        let mut frames = Vec::new();
        for id in now_hidden.difference(&hidden) {
            frames.push(frame(&RoomsServerFrame::ChannelDeleted {
                room: Cow::Borrowed(&self.slug),
                channel_id: *id,
            }));
        }
        for id in hidden.difference(&now_hidden) {
            if let Some(channel) = perms.channels.get(id) {
                frames.push(frame(&RoomsServerFrame::ChannelCreated {
                    room: Cow::Borrowed(&self.slug),
                    channel: Cow::Owned(dto::channel(channel)),
                }));
            }
        }
        *hidden = now_hidden;
        drop(hidden);
        Recheck::Keep(frames)
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

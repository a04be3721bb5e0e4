//! `/ws/text/{channel_id}`: chat in one text channel — history and presence on connect, then
//! messages, typing and pings. A message is committed before anyone is sent it (decision 11).

use std::collections::HashMap;

use std::sync::Arc;

use super::ws::{Utf8Bytes, WebSocket, WsUpgrade, send_text};
use crate::writer::{FollowUps, Origin};
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use charge_domain::messages::Draft;
use serde_json::{Value, json};

use super::hub::{Conn, OnlineUser, Outbox, frame, presence_frame};
use super::session::{
    self, CLOSE_POLICY, CLOSE_UNSUPPORTED, Caller, Handler, PumpOptions, Refusal, Reply,
    error_frame,
};
use crate::state::AppState;
use charge_domain::channels::{self, TextChannelAccess};
use charge_domain::dto;

/// What the upgrade request carried; boxed so that the session task does not keep room for it
/// after admission.
struct Request {
    channel_id: String,
    query: HashMap<String, String>,
    headers: HeaderMap,
}

pub async fn ws_text(
    ws: WsUpgrade,
    State(state): State<AppState>,
    Path(channel_id): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let request = Box::new(Request {
        channel_id,
        query,
        headers,
    });
    ws.on_upgrade(move |mut socket| async move { run(&state, &mut socket, request).await })
}

async fn admit(state: &AppState, request: &Request) -> Result<(Caller, i64), Refusal> {
    let caller = session::authenticate(state, &request.query, &request.headers).await?;
    let invalid = (CLOSE_UNSUPPORTED, "Invalid channel");
    let channel_id: i64 = request.channel_id.parse().map_err(|_| invalid)?;
    // The same check as the HTTP history route.
    match channels::text_channel_access(state, channel_id, caller.user.id).await {
        Ok(TextChannelAccess::Granted(_)) => Ok((caller, channel_id)),
        Ok(TextChannelAccess::NotMember) => Err((CLOSE_POLICY, "Not a room member")),
        Ok(TextChannelAccess::Missing | TextChannelAccess::NotText) | Err(_) => Err(invalid),
    }
}

/// Admission and the greeting run in one boxed future and the pump in another: a session
/// task is sized for the largest state its future can be in, and these are large but never
/// alive together, so an idle session keeps only the pump's state.
async fn run(state: &AppState, socket: &mut WebSocket, request: Box<Request>) {
    let Some(mut session) = Box::pin(open(state, socket, request)).await else {
        return;
    };
    let options = PumpOptions {
        idle_timeout: Some(state.settings.websocket_receive_timeout),
        expires_at: session.expires_at,
        scope: "channels",
    };
    Box::pin(session::pump(
        state,
        socket,
        &mut session.outbox,
        &mut session.handler,
        options,
    ))
    .await;
    let handler = &session.handler;
    state
        .hub
        .leave_text(handler.channel_id, handler.conn.id, handler.user_id);
}

/// A greeted session, ready for the pump.
struct Session {
    handler: TextHandler,
    outbox: Outbox,
    expires_at: u64,
}

/// Admits the caller (or closes the socket with the refusal), then greets them. `presence=delta`
/// in the query asks for `presence_delta` frames after the first full list.
async fn open(state: &AppState, socket: &mut WebSocket, request: Box<Request>) -> Option<Session> {
    let (caller, channel_id) = match admit(state, &request).await {
        Ok(admitted) => admitted,
        Err((code, reason)) => {
            session::close(socket, code, reason).await;
            return None;
        }
    };
    let delta = request.query.get("presence").is_some_and(|v| v == "delta");
    // The request's headers and query are not needed for the session's lifetime.
    drop(request);
    let (handler, outbox) = greet(state, socket, caller.user, channel_id, delta).await?;
    Some(Session {
        handler,
        outbox,
        expires_at: caller.expires_at,
    })
}

/// Sends the history page, joins the channel and sends the online list (and who is typing).
/// `None` if the socket went away meanwhile.
async fn greet(
    state: &AppState,
    socket: &mut WebSocket,
    user: charge_store::User,
    channel_id: i64,
    presence_delta: bool,
) -> Option<(TextHandler, Outbox)> {
    let name = user
        .display_name
        .clone()
        .unwrap_or_else(|| user.login.clone());
    let history = match channels::newest_page(
        state,
        channel_id,
        state.settings.history_default_limit,
    )
    .await
    {
        // The same shared frame for everyone while no message has reactions; otherwise
        // serialised for this viewer at once, so the page itself is not kept for the session.
        Ok(cached) => cached.greeting.clone().unwrap_or_else(|| {
            frame(&json!({
                "type": "history",
                "page": channels::latest_page(&cached.page, user.id),
            }))
        }),
        Err(_) => {
            session::close(socket, 1011, "Service temporarily unavailable").await;
            return None;
        }
    };
    send_text(socket, history).await.ok()?;
    let (mut conn, outbox) = state.hub.connection(user.id);
    conn.presence_delta = presence_delta;
    let me = OnlineUser {
        id: user.id,
        display_name: name.clone(),
        status: user.presence_status.clone(),
        avatar_url: dto::avatar_url(user.id, user.avatar_path.as_deref(), user.avatar_updated_at),
    };
    let online = state.hub.join_text(channel_id, conn.clone(), me);
    let mut greeting = vec![frame(&presence_frame(channel_id, &online))];
    drop(online);
    greeting.extend(state.hub.typing_snapshot(channel_id).map(|t| frame(&t)));
    for f in greeting {
        if send_text(socket, f).await.is_err() {
            state.hub.leave_text(channel_id, conn.id, user.id);
            return None;
        }
    }
    let handler = TextHandler {
        state: state.clone(),
        conn,
        channel_id,
        user_id: user.id,
        name,
        follow_ups: None,
    };
    Some((handler, outbox))
}

struct TextHandler {
    state: AppState,
    conn: Conn,
    channel_id: i64,
    user_id: i64,
    name: String,
    /// Where replies wait while the newest message is being committed.
    follow_ups: Option<Arc<FollowUps>>,
}

impl Handler for TextHandler {
    async fn on_text(&mut self, text: &str) -> Reply {
        let Ok(value) = serde_json::from_str::<Value>(text) else {
            return self.reply(vec![error_frame("Invalid message format")]);
        };
        let Some(obj) = value.as_object() else {
            return self.reply(vec![error_frame("Message payload must be a JSON object")]);
        };
        let replies = match obj.get("type").and_then(Value::as_str).unwrap_or("message") {
            "message" => match self.post(obj).await {
                Ok(pending) => return Reply::Committing(pending),
                Err(detail) => vec![error_frame(detail)],
            },
            "ping" => vec![frame(&json!({"type": "pong"}))],
            "reaction" => match self.react(obj).await {
                Ok(()) => Vec::new(),
                Err(detail) => vec![error_frame(detail)],
            },
            "typing" => match obj.get("is_typing").and_then(Value::as_bool) {
                Some(typing) => {
                    self.state.hub.set_typing(
                        self.channel_id,
                        self.conn.id,
                        self.user_id,
                        &self.name,
                        typing,
                    );
                    Vec::new()
                }
                None => vec![error_frame(
                    "Typing payload must include boolean 'is_typing'",
                )],
            },
            _ => vec![error_frame("Unsupported payload type")],
        };
        self.reply(replies)
    }

    fn on_binary(&mut self) -> Reply {
        self.reply(vec![error_frame("Binary frames are not supported")])
    }
}

impl TextHandler {
    /// Replies go through the socket's queue, like the echoes of its messages, and wait behind
    /// the newest message still being committed, so a reply never overtakes the echo of a
    /// message sent before it. (In a channel busy enough to hold frames back, a reply can
    /// still pass an echo waiting for the channel's window.)
    fn reply(&mut self, frames: Vec<Utf8Bytes>) -> Reply {
        if frames.is_empty() {
            return Reply::Now(Vec::new());
        }
        let frames = match &self.follow_ups {
            Some(follow_ups) => match follow_ups.hold(&self.conn, frames) {
                Ok(()) => return Reply::Now(Vec::new()),
                Err(frames) => frames,
            },
            None => frames,
        };
        self.follow_ups = None;
        for frame in &frames {
            self.conn.push(frame);
        }
        Reply::Now(Vec::new())
    }

    /// `{"type":"reaction","message_id":…,"emoji":…,"operation":"add"|"remove"}`; a duplicate
    /// add is accepted silently, as the contract has it.
    async fn react(&self, obj: &serde_json::Map<String, Value>) -> Result<(), &'static str> {
        let message_id = obj
            .get("message_id")
            .and_then(Value::as_i64)
            .ok_or("Reaction payload must include integer 'message_id'")?;
        let emoji = obj
            .get("emoji")
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .ok_or("Reaction payload must include 'emoji'")?;
        if emoji.chars().count() > 32 {
            return Err("Reaction emoji must be at most 32 characters");
        }
        let remove = obj
            .get("operation")
            .and_then(Value::as_str)
            .is_some_and(|op| op.eq_ignore_ascii_case("remove"));
        match self.state.store.message_channel(message_id).await {
            Ok(Some(c)) if c == self.channel_id => {}
            Ok(_) => return Err("Message not found"),
            Err(_) => return Err("Failed to update reaction"),
        }
        let store = &self.state.store;
        if remove {
            match store.remove_reaction(message_id, self.user_id, emoji).await {
                Ok(true) => {}
                Ok(false) => return Err("Reaction not found"),
                Err(_) => return Err("Failed to update reaction"),
            }
        } else if store
            .add_reaction(message_id, self.user_id, emoji)
            .await
            .is_err()
        {
            return Err("Failed to update reaction");
        }
        let message = match store.message_by_id(message_id).await {
            Ok(Some(m)) => m,
            _ => return Err("Failed to update reaction"),
        };
        let bytes = frame(&json!({"type": "reaction", "message": dto::message(&message)}));
        self.state.hub.to_channel(self.channel_id, &bytes);
        Ok(())
    }

    async fn post(
        &mut self,
        obj: &serde_json::Map<String, Value>,
    ) -> Result<crate::writer::Pending, &'static str> {
        match obj.get("attachments") {
            None | Some(Value::Null) => {}
            Some(Value::Array(items)) if items.is_empty() => {}
            Some(Value::Array(items)) if items.iter().all(Value::is_i64) => {
                return Err("One or more attachments were not found");
            }
            Some(_) => return Err("Attachments must be provided as a list of integers"),
        }
        let parent_id = match obj.get("parent_id") {
            None | Some(Value::Null) => None,
            Some(v) => Some(v.as_i64().ok_or("parent_id must be an integer")?),
        };
        if let Some(parent) = parent_id {
            match self.state.store.message_channel(parent).await {
                Ok(Some(c)) if c == self.channel_id => {}
                Ok(_) => return Err("Parent message not found"),
                Err(_) => return Err("Failed to store message"),
            }
        }
        let content = match obj.get("content") {
            None | Some(Value::Null) => String::new(),
            Some(Value::String(s)) => s.clone(),
            Some(other) => other.to_string(),
        };
        if content.trim().is_empty() {
            return Err("Message must contain content or attachments");
        }
        if content.chars().count() > self.state.settings.message_max_length {
            return Err("Message exceeds maximum length of 2000 characters");
        }
        let draft = Draft {
            channel_id: self.channel_id,
            author_id: self.user_id,
            content,
            parent_id,
        };
        // The writer broadcasts it once it is committed, in commit order; replies sent from
        // now on wait for that.
        let follow_ups = FollowUps::new();
        let origin = Origin {
            conn: self.conn.clone(),
            follow_ups: follow_ups.clone(),
        };
        let pending = self
            .state
            .writer
            .submit(draft, Some(origin))
            .await
            .map_err(|_| "Failed to store message")?;
        self.follow_ups = Some(follow_ups);
        Ok(pending)
    }
}

//! `/ws/text/{channel_id}`: chat in one text channel — history and presence on connect, then
//! messages, typing and pings. A message is committed before anyone is sent it (decision 11).

use std::collections::HashMap;

use std::sync::Arc;

use crate::writer::{FollowUps, Origin};
use crate::ws::{Utf8Bytes, WebSocket, WsUpgrade, send_text};
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use charge_domain::DomainError;
use charge_domain::mentions::{self, Mentions};
use charge_domain::messages::{self, ContentError, Draft, EmojiError};
use charge_domain::moderation::gate;
use charge_protocol::frames::text::{self as wire, NewMessage, ReactionChange, ReactionOperation};
use charge_protocol::frames::{TextClientFrame, TextServerFrame};
use std::borrow::Cow;

use crate::conn::{Conn, Outbox};
use crate::frames::{error_frame, pong};
use crate::presence::presence_frame;
use crate::session::{
    self, CLOSE_POLICY, CLOSE_UNSUPPORTED, Caller, Handler, Place, PumpOptions, Recheck, Refusal,
    Reply,
};
use crate::state::AppState;
use crate::text_access;
use charge_domain::channels::{self, TextChannelAccess};
use charge_domain::dto;
use charge_domain::permissions;
use charge_domain::{OnlineUser, frame};
use tracing::Instrument;

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

async fn admit(state: &AppState, request: &Request) -> Result<(Caller, i64, i64), Refusal> {
    let caller = session::authenticate(state, &request.query, &request.headers).await?;
    let invalid = (CLOSE_UNSUPPORTED, "Invalid channel");
    let channel_id: i64 = request.channel_id.parse().map_err(|_| invalid)?;
    // The same check as the HTTP history route.
    match channels::text_channel_access(state, channel_id, caller.user.id).await {
        Ok(TextChannelAccess::Granted(channel)) => Ok((caller, channel_id, channel.room_id)),
        Ok(TextChannelAccess::NotMember) => Err((CLOSE_POLICY, "Not a room member")),
        // A channel the caller may not view is refused as if it did not exist (decision 24).
        Ok(TextChannelAccess::Missing | TextChannelAccess::NotText | TextChannelAccess::Hidden) => {
            Err(invalid)
        }
        Err(e) => {
            tracing::warn!(
                channel_id,
                error = &e as &dyn std::error::Error,
                "channel access check failed"
            );
            Err(session::UNAVAILABLE)
        }
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
        user_id: session.handler.user_id,
    };
    let span = session::span(
        "channels",
        session.handler.conn.id,
        session.handler.user_id,
        Place::Channel(session.handler.channel_id),
    );
    Box::pin(
        session::pump(
            state,
            socket,
            &mut session.outbox,
            &mut session.handler,
            options,
        )
        .instrument(span),
    )
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
    let (caller, channel_id, room_id) = match admit(state, &request).await {
        Ok(admitted) => admitted,
        Err((code, reason)) => {
            session::close(socket, code, reason).await;
            return None;
        }
    };
    let delta = request.query.get("presence").is_some_and(|v| v == "delta");
    // The request's headers and query are not needed for the session's lifetime.
    drop(request);
    let (handler, outbox) = greet(state, socket, caller.user, channel_id, room_id, delta).await?;
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
    room_id: i64,
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
            frame(&TextServerFrame::History {
                page: Cow::Owned(channels::latest_page(&cached.page, user.id)),
            })
        }),
        Err(e) => {
            tracing::warn!(
                channel_id,
                error = &e as &dyn std::error::Error,
                "history for the greeting failed"
            );
            session::close(socket, session::UNAVAILABLE.0, session::UNAVAILABLE.1).await;
            return None;
        }
    };
    if let Err(e) = send_text(socket, history).await {
        tracing::debug!(
            channel_id,
            error = &e as &dyn std::error::Error,
            "the peer left before its history was sent"
        );
        return None;
    }
    let (mut conn, outbox) = state.hub.connection(user.id);
    conn.presence_delta = presence_delta;
    let me = OnlineUser {
        id: user.id,
        display_name: name.clone(),
        status: user.presence_status.clone(),
        avatar_url: dto::avatar_url(user.id, user.avatar_path.as_deref(), user.avatar_updated_at),
    };
    let online = state.hub.join_text(channel_id, room_id, conn.clone(), me);
    // A change between admission and joining is caught up at once.
    conn.recheck();
    let mut greeting = vec![presence_frame(channel_id, &online)];
    drop(online);
    greeting.extend(state.hub.typing_snapshot(channel_id));
    for f in greeting {
        if send_text(socket, f).await.is_err() {
            state.hub.leave_text(channel_id, conn.id, user.id);
            return None;
        }
    }
    let perms = match permissions::channel_grant(state, channel_id, user.id).await {
        Ok(Ok(grant)) => Some(grant.perms),
        _ => None,
    };
    let handler = TextHandler {
        state: state.clone(),
        conn,
        channel_id,
        user_id: user.id,
        name,
        follow_ups: None,
        perms,
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
    /// What the user could do here when last told (`None`: as when they connected).
    perms: Option<permissions::Perms>,
}

impl Handler for TextHandler {
    async fn on_text(&mut self, text: &str) -> Reply {
        let replies = match wire::parse(text) {
            Err(e) => vec![error_frame(wire::error_detail(&e))],
            Ok(TextClientFrame::Message(message)) => match self.post(message).await {
                Ok(pending) => return Reply::Committing(pending),
                Err(detail) => vec![error_frame(&detail)],
            },
            Ok(TextClientFrame::Ping) => vec![pong()],
            Ok(TextClientFrame::Reaction(change)) => match self.react(change).await {
                Ok(()) => Vec::new(),
                Err(detail) => vec![error_frame(&detail)],
            },
            Ok(TextClientFrame::Typing { is_typing }) => {
                // Without send_messages, or timed out, a member may still stop typing, never
                // start.
                if is_typing
                    && let Err(detail) =
                        match text_access::may_send(&self.state, self.channel_id, self.user_id)
                            .await
                        {
                            Ok(()) => self.admit_interaction().await,
                            refused => refused,
                        }
                {
                    return self.reply(vec![error_frame(&detail)]);
                }
                self.state.hub.set_typing(
                    self.channel_id,
                    self.conn.id,
                    self.user_id,
                    &self.name,
                    is_typing,
                );
                Vec::new()
            }
        };
        self.reply(replies)
    }

    fn on_binary(&mut self) -> Reply {
        self.reply(vec![error_frame("Binary frames are not supported")])
    }

    /// A socket whose user lost `view` (or membership) is told why and closed with 1008.
    async fn on_recheck(&mut self) -> Recheck {
        text_access::recheck(&self.state, self.channel_id, self.user_id, &mut self.perms).await
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

    /// A reaction change, by the domain's rule (as over HTTP); a duplicate add is accepted
    /// silently, as the contract has it.
    async fn react(&self, change: ReactionChange) -> Result<(), Cow<'static, str>> {
        text_access::may_send(&self.state, self.channel_id, self.user_id).await?;
        let emoji = match messages::emoji(&change.emoji) {
            Ok(emoji) => emoji,
            Err(EmojiError::Empty) => return Err("Reaction payload must include 'emoji'".into()),
            Err(EmojiError::TooLong) => {
                return Err(format!(
                    "Reaction emoji must be at most {} characters",
                    messages::EMOJI_MAX_LENGTH
                )
                .into());
            }
        };
        let add = change.operation == ReactionOperation::Add;
        match messages::react(
            &self.state,
            self.channel_id,
            change.message_id,
            self.user_id,
            emoji,
            add,
        )
        .await
        {
            Ok(_) => Ok(()),
            Err(DomainError::NotFound(detail)) => Err(detail.into()),
            Err(e @ DomainError::TimedOut(_)) => Err(e.to_string().into()),
            Err(e) => {
                tracing::warn!(
                    message_id = change.message_id,
                    error = &e as &dyn std::error::Error,
                    "reaction not updated"
                );
                Err("Failed to update reaction".into())
            }
        }
    }

    /// The posting gate's word on a reaction or typing (decision 25: a timeout stops both).
    async fn admit_interaction(&self) -> Result<(), Cow<'static, str>> {
        match gate::admit_interaction(&self.state, self.channel_id, self.user_id).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(refusal)) => Err(refusal.detail().into()),
            Err(e) => {
                tracing::warn!(
                    error = &e as &dyn std::error::Error,
                    "posting gate unavailable"
                );
                Err("Posting is unavailable, try again".into())
            }
        }
    }

    /// Who `content` mentions, by the domain's rule (as over HTTP).
    async fn mentions(&self, content: &str) -> Result<Mentions, DomainError> {
        if !content.contains('@') {
            return Ok(Mentions::default());
        }
        let channel =
            channels::readable_text_channel(&self.state, self.channel_id, self.user_id).await?;
        mentions::resolve(&self.state, &channel, self.user_id, content).await
    }

    /// A new message: checked in the contract's order, then handed to the writer.
    async fn post(
        &mut self,
        message: NewMessage,
    ) -> Result<crate::writer::Pending, Cow<'static, str>> {
        text_access::may_send(&self.state, self.channel_id, self.user_id).await?;
        // The same allowance as HTTP posts (decision: one limit per user, whatever the way in).
        if let Err(wait) = self.state.posting.admit(self.user_id) {
            return Err(format!("You are sending messages too fast; try again in {wait} s").into());
        }
        if !message.attachments.is_empty() {
            return Err("One or more attachments were not found".into());
        }
        let parent_id = message.parent_id?;
        if let Some(parent) = parent_id {
            match self.state.store.message_channel(parent).await {
                Ok(Some(c)) if c == self.channel_id => {}
                Ok(_) => return Err("Parent message not found".into()),
                Err(e) => {
                    tracing::warn!(
                        parent,
                        error = &e as &dyn std::error::Error,
                        "parent lookup failed"
                    );
                    return Err("Failed to store message".into());
                }
            }
        }
        let content =
            match messages::content(&message.content, self.state.settings.message_max_length) {
                Ok(content) => content.to_owned(),
                Err(ContentError::Empty) => {
                    return Err("Message must contain content or attachments".into());
                }
                Err(ContentError::TooLong(max)) => {
                    return Err(
                        format!("Message exceeds maximum length of {max} characters").into(),
                    );
                }
            };
        let nonce = message.nonce?;
        let mentions = match self.mentions(&content).await {
            Ok(mentions) => mentions,
            Err(e) => {
                tracing::warn!(
                    error = &e as &dyn std::error::Error,
                    "mentions not resolved"
                );
                return Err("Failed to store message".into());
            }
        };
        // Timeouts and slow mode, as over HTTP (the slot is given back if the writer refuses).
        match gate::admit_post(&self.state, self.channel_id, self.user_id).await {
            Ok(Ok(())) => {}
            Ok(Err(refusal)) => return Err(refusal.detail().into()),
            Err(e) => {
                tracing::warn!(
                    error = &e as &dyn std::error::Error,
                    "posting gate unavailable"
                );
                return Err("Failed to store message".into());
            }
        }
        let draft = Draft {
            channel_id: self.channel_id,
            author_id: self.user_id,
            content,
            parent_id,
            mentions,
            nonce,
        };
        // The writer broadcasts it once it is committed, in commit order; replies sent from
        // now on wait for that.
        let follow_ups = FollowUps::new();
        let origin = Origin {
            conn: self.conn.clone(),
            follow_ups: follow_ups.clone(),
        };
        let pending = match self.state.writer.submit(draft, Some(origin)).await {
            Ok(pending) => pending,
            Err(e) => {
                self.state.moderation.release(self.channel_id, self.user_id);
                tracing::warn!(
                    error = &e as &dyn std::error::Error,
                    "message not submitted"
                );
                return Err("Failed to store message".into());
            }
        };
        self.follow_ups = Some(follow_ups);
        Ok(pending)
    }
}

//! What every WebSocket session shares: authentication at connect, the pump that interleaves
//! queued broadcasts with inbound frames, and the close rules (idle timeout, token expiry,
//! slow consumer, shutdown).

use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio::time::Instant;

use axum::http::HeaderMap;
use futures_util::{SinkExt, StreamExt};

use crate::conn::{Next, Outbox, Outgoing};
pub use crate::frames::error_frame;
use crate::hub::Hub;
use crate::state::AppState;
use crate::ws::{CloseFrame, Error, Message, Utf8Bytes, WebSocket, send_text, write_texts};
use charge_domain::accounts::TokenError;

pub const CLOSE_GOING_AWAY: u16 = 1001;
pub const CLOSE_UNSUPPORTED: u16 = 1003;
pub const CLOSE_POLICY: u16 = 1008;
pub const CLOSE_TOO_BIG: u16 = 1009;
/// RFC 6455 1002: the peer broke the WebSocket protocol.
pub const CLOSE_PROTOCOL: u16 = 1002;
/// RFC 6455 1007: a text frame that is not UTF-8.
pub const CLOSE_INVALID_DATA: u16 = 1007;
/// RFC 6455 1011: the server cannot serve the connection right now; clients retry.
pub const CLOSE_TRY_AGAIN: u16 = 1011;

/// The refusal when storage fails during admission: come back later (not a verdict on the
/// token, the room or the membership, which would send clients away for good).
pub const UNAVAILABLE: Refusal = (CLOSE_TRY_AGAIN, "Service temporarily unavailable");

/// Why a connection may not proceed: the close code and reason sent after the upgrade.
pub type Refusal = (u16, &'static str);

/// The authenticated caller: user and token expiry.
pub struct Caller {
    pub user: charge_store::User,
    pub expires_at: u64,
}

/// `?token=` first, then `Authorization: Bearer`.
pub async fn authenticate(
    state: &AppState,
    query: &HashMap<String, String>,
    headers: &HeaderMap,
) -> Result<Caller, Refusal> {
    let token = query
        .get("token")
        .cloned()
        .filter(|t| !t.is_empty())
        .or_else(|| {
            headers
                .get(axum::http::header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .and_then(charge_domain::accounts::bearer_token)
                .map(str::to_owned)
        });
    let token = token.ok_or((CLOSE_POLICY, "Missing token"))?;
    let (user_id, expires_at) = state.tokens.verify(&token).map_err(|e| match e {
        TokenError::Expired | TokenError::Invalid => (CLOSE_POLICY, "Invalid token"),
    })?;
    let user = match charge_domain::accounts::token_user(state, user_id).await {
        Ok(Some(user)) => user,
        Ok(None) => return Err((CLOSE_POLICY, "Invalid token")),
        Err(e) => {
            tracing::warn!(
                user_id,
                error = &e as &dyn std::error::Error,
                "the token's user could not be loaded"
            );
            // Not the token's fault: the client should retry, not sign out.
            return Err(UNAVAILABLE);
        }
    };
    Ok(Caller { user, expires_at })
}

/// Authentication, then the room (1008 "Room not found") and membership (1008 "Not a room
/// member"), for the room-scoped gateways.
pub async fn admit_room(
    state: &AppState,
    slug: &str,
    query: &HashMap<String, String>,
    headers: &HeaderMap,
) -> Result<(Caller, charge_store::Room, charge_store::Member), Refusal> {
    let caller = authenticate(state, query, headers).await?;
    let room = match state.store.room_by_slug(slug).await {
        Ok(Some(room)) => room,
        Ok(None) => return Err((CLOSE_POLICY, "Room not found")),
        Err(e) => {
            tracing::warn!(
                slug,
                error = &e as &dyn std::error::Error,
                "room lookup failed"
            );
            return Err(UNAVAILABLE);
        }
    };
    let member = match state.store.membership(room.id, caller.user.id).await {
        Ok(Some(member)) => member,
        Ok(None) => return Err((CLOSE_POLICY, "Not a room member")),
        Err(e) => {
            tracing::warn!(
                room_id = room.id,
                error = &e as &dyn std::error::Error,
                "membership lookup failed"
            );
            return Err(UNAVAILABLE);
        }
    };
    Ok((caller, room, member))
}

/// Sends a close frame; a peer already gone is only noted.
pub async fn close(socket: &mut WebSocket, code: u16, reason: &'static str) {
    let frame = CloseFrame {
        code: code.into(),
        reason: Utf8Bytes::from_static(reason),
    };
    if let Err(e) = socket.send(Message::Close(Some(frame))).await {
        tracing::debug!(
            code,
            reason,
            error = &e as &dyn std::error::Error,
            "close frame not sent"
        );
    }
}

/// The span a session runs in: its gateway, connection and user, and where it is (a text
/// channel or a room). Every line the session logs carries these.
pub fn span(scope: &'static str, conn_id: u64, user_id: i64, place: Place<'_>) -> tracing::Span {
    match place {
        Place::Channel(channel_id) => {
            tracing::info_span!("session", scope, conn_id, user_id, channel_id)
        }
        Place::Room(room) => tracing::info_span!("session", scope, conn_id, user_id, room),
    }
}

/// Where a session is connected.
pub enum Place<'a> {
    Channel(i64),
    Room(&'a str),
}

/// A gateway's reaction to inbound frames. Replies go to this socket only.
pub trait Handler: Send {
    fn on_text(&mut self, text: &str) -> impl Future<Output = Reply> + Send;

    /// Binary frames are not part of any gateway's protocol.
    fn on_binary(&mut self) -> Reply {
        vec![error_frame("Binary frames are not supported")].into()
    }

    /// The room's permissions changed (decision 24): what this socket may still see and do.
    fn on_recheck(&mut self) -> impl Future<Output = Recheck> + Send {
        std::future::ready(Recheck::Keep(Vec::new()))
    }
}

/// A session's answer to changed permissions.
pub enum Recheck {
    /// Still allowed; these frames tell the client what changed.
    Keep(Vec<Utf8Bytes>),
    /// No longer allowed: these frames (an error saying why), then the close.
    Close(Vec<Utf8Bytes>, u16, &'static str),
}

/// What an inbound frame is answered with.
pub enum Reply {
    /// Frames written to this socket at once.
    Now(Vec<Utf8Bytes>),
    /// A chat message handed to the writer. Its echo is the channel broadcast; the session
    /// only counts it, to bound how many one socket has in flight.
    Committing(crate::writer::Pending),
}

impl From<Vec<Utf8Bytes>> for Reply {
    fn from(frames: Vec<Utf8Bytes>) -> Self {
        Self::Now(frames)
    }
}

/// Messages one socket may have waiting for their commit; past this the session stops reading
/// until the oldest commits (the peer's further frames wait in TCP buffers).
pub const MAX_IN_FLIGHT: usize = 64;

pub struct PumpOptions {
    /// Close with 1001 after this long without an inbound frame.
    pub idle_timeout: Option<Duration>,
    pub expires_at: u64,
    pub scope: &'static str,
    /// Whose socket this is: every open socket keeps its user connected (presence).
    pub user_id: i64,
}

/// Runs the session until the peer leaves or a close rule fires.
///
/// This future is what every idle session keeps in memory, so it holds only what waiting
/// needs: one timer for both the idle limit and the token's expiry, and the waits for the
/// outbox and shutdown. Everything that runs briefly (handling a frame, writing a batch,
/// closing) is boxed, because a future is as large as the largest state it can be in.
pub async fn pump<H: Handler>(
    state: &AppState,
    socket: &mut WebSocket,
    outbox: &mut Outbox,
    handler: &mut H,
    options: PumpOptions,
) {
    let _live = LiveGuard::new(state, options.scope, options.user_id);
    tracing::debug!("session opened");
    let shutdown = state.hub.stopping();
    tokio::pin!(shutdown);
    if state.hub.is_stopping() {
        return Box::pin(close(socket, CLOSE_GOING_AWAY, "Server shutting down")).await;
    }
    let idle = options
        .idle_timeout
        .unwrap_or(Duration::from_secs(365 * 24 * 3600));
    let now_unix = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let token_expiry =
        Instant::now() + Duration::from_secs(options.expires_at.saturating_sub(now_unix));
    // Created once and moved on each inbound frame: a busy socket wakes many times a second,
    // and a new timer on every wake-up costs more than the write it wakes for.
    let deadline = tokio::time::sleep_until((Instant::now() + idle).min(token_expiry));
    tokio::pin!(deadline);
    // Completion is in submission order: one writer commits and answers in queue order.
    let mut in_flight: VecDeque<crate::writer::Pending> = VecDeque::new();
    loop {
        let ending = tokio::select! {
            biased;
            () = &mut shutdown => End::Close(CLOSE_GOING_AWAY, "Server shutting down"),
            () = &mut deadline => {
                if Instant::now() >= token_expiry {
                    End::Close(CLOSE_POLICY, "Token expired")
                } else {
                    End::IdleTimeout
                }
            }
            next = outbox.recv() => match next {
                Next::Close(code, reason) => End::Close(code, reason),
                Next::Recheck => match Box::pin(handler.on_recheck()).await {
                    Recheck::Keep(frames) => {
                        if frames.is_empty() || write_texts(socket, &frames).await.is_ok() {
                            continue;
                        }
                        End::Gone
                    }
                    Recheck::Close(frames, code, reason) => {
                        if write_texts(socket, &frames).await.is_err() {
                            End::Gone
                        } else {
                            End::Close(code, reason)
                        }
                    }
                },
                Next::Item(first) => {
                    if Box::pin(write_queued(socket, outbox, first)).await {
                        continue;
                    }
                    End::Gone
                }
            },
            () = oldest_committed(&mut in_flight), if !in_flight.is_empty() => {
                in_flight.pop_front();
                continue;
            }
            inbound = socket.next(), if in_flight.len() < MAX_IN_FLIGHT => {
                deadline.as_mut().reset((Instant::now() + idle).min(token_expiry));
                match inbound {
                    None | Some(Ok(Message::Close(_))) => End::Gone,
                    Some(Err(Error::Capacity(_))) => End::Close(CLOSE_TOO_BIG, "Message too big"),
                    // RFC 6455 7.4.1: say why before dropping a peer that broke the protocol.
                    Some(Err(Error::Utf8(_))) => End::Close(CLOSE_INVALID_DATA, "Invalid UTF-8"),
                    Some(Err(Error::Protocol(e))) => {
                        tracing::debug!(error = &e as &dyn std::error::Error, "protocol violation");
                        End::Close(CLOSE_PROTOCOL, "Protocol error")
                    }
                    Some(Err(e)) => {
                        tracing::debug!(error = &e as &dyn std::error::Error, "socket read failed");
                        End::Gone
                    }
                    Some(Ok(Message::Text(text))) => {
                        metrics::counter!("realtime_events_total", "topic" => options.scope, "direction" => "in").increment(1);
                        let handled = Box::pin(async {
                            let reply = handler.on_text(text.as_str()).await;
                            answer(socket, &mut in_flight, reply).await
                        });
                        if handled.await {
                            continue;
                        }
                        End::Gone
                    }
                    Some(Ok(Message::Binary(_))) => {
                        if Box::pin(answer(socket, &mut in_flight, handler.on_binary())).await {
                            continue;
                        }
                        End::Gone
                    }
                    Some(Ok(Message::Ping(_) | Message::Pong(_) | Message::Frame(_))) => continue,
                }
            }
        };
        return Box::pin(end(socket, ending)).await;
    }
}

/// How a session ends.
enum End {
    /// The peer left or the connection failed: nothing more to send.
    Gone,
    Close(u16, &'static str),
    /// An error frame saying why, then 1001.
    IdleTimeout,
}

async fn end(socket: &mut WebSocket, ending: End) {
    match ending {
        End::Gone => tracing::debug!("session closed by the peer"),
        End::Close(code, reason) => {
            log_close(code, reason);
            close(socket, code, reason).await;
        }
        End::IdleTimeout => {
            log_close(CLOSE_GOING_AWAY, "Idle timeout");
            let notice = error_frame("Connection timed out due to inactivity");
            if let Err(e) = send_text(socket, notice).await {
                tracing::debug!(error = &e as &dyn std::error::Error, "idle notice not sent");
            }
            close(socket, CLOSE_GOING_AWAY, "Idle timeout").await;
        }
    }
}

/// Normal ends (the peer's choice, shutdown, a newer connection, idling) are debug; a close
/// the server forces for cause (too slow, too big, token expired) is info.
fn log_close(code: u16, reason: &'static str) {
    if matches!(code, 1000 | CLOSE_GOING_AWAY) {
        tracing::debug!(code, reason, "session closed");
    } else {
        tracing::info!(code, reason, "session closed");
    }
}

/// Counts a live session in `/metrics` and for the shutdown wait.
struct LiveGuard {
    hub: std::sync::Arc<Hub>,
    scope: &'static str,
    user_id: i64,
}

impl LiveGuard {
    fn new(state: &AppState, scope: &'static str, user_id: i64) -> Self {
        metrics::gauge!("realtime_active_connections", "scope" => scope).increment(1.0);
        state.hub.session_started();
        state.hub.users.connected(user_id);
        Self {
            hub: state.hub.clone(),
            scope,
            user_id,
        }
    }
}

impl Drop for LiveGuard {
    fn drop(&mut self) {
        metrics::gauge!("realtime_active_connections", "scope" => self.scope).decrement(1.0);
        self.hub.users.disconnected(self.user_id);
        self.hub.session_ended();
    }
}

/// Resolves when the oldest message in flight has been answered (never, if there is none).
async fn oldest_committed(in_flight: &mut VecDeque<crate::writer::Pending>) {
    match in_flight.front_mut() {
        Some(pending) => {
            // The answer itself goes to the writer's caller; here only its arrival counts (a
            // writer that stopped answers nothing, which ends the wait the same way).
            if pending.await.is_err() {
                tracing::debug!("a message in flight was dropped by the writer");
            }
        }
        None => std::future::pending().await,
    }
}

async fn answer(
    socket: &mut WebSocket,
    in_flight: &mut VecDeque<crate::writer::Pending>,
    reply: Reply,
) -> bool {
    match reply {
        Reply::Committing(pending) => in_flight.push_back(pending),
        Reply::Now(frames) if !frames.is_empty() => {
            return write_texts(socket, &frames).await.is_ok();
        }
        Reply::Now(_) => {}
    }
    true
}

/// Writes `first` and whatever else is queued (up to 64 entries) together. A peer that stops
/// reading blocks the write until the queue fills and its close request ends it (`false`).
async fn write_queued(socket: &mut WebSocket, outbox: &Outbox, first: Outgoing) -> bool {
    let mut frames = Vec::new();
    let mut take = |item: Outgoing| {
        outbox.kick.dequeued(item.frames());
        match item {
            Outgoing::One(frame) => frames.push(frame),
            Outgoing::Batch(batch) => frames.extend(batch.iter().cloned()),
        }
    };
    take(first);
    for _ in 0..64 {
        match outbox.try_recv() {
            Some(next) => take(next),
            None => break,
        }
    }
    tokio::select! {
        written = write_texts(socket, &frames) => written.is_ok(),
        _ = outbox.close_requested() => false,
    }
}

//! What every WebSocket session shares: authentication at connect, the pump that interleaves
//! queued broadcasts with inbound frames, and the close rules (idle timeout, token expiry,
//! slow consumer, shutdown).

use std::collections::HashMap;
use std::future::Future;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::http::HeaderMap;
use futures_util::{SinkExt, StreamExt};
use serde_json::json;

use super::hub::{Kick, Outbox, Outgoing, frame};
use super::ws::{CloseFrame, Error, Message, Utf8Bytes, WebSocket, feed_text, send_text};
use crate::auth::TokenError;
use crate::state::AppState;

pub const CLOSE_GOING_AWAY: u16 = 1001;
pub const CLOSE_UNSUPPORTED: u16 = 1003;
pub const CLOSE_POLICY: u16 = 1008;
pub const CLOSE_TOO_BIG: u16 = 1009;

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
                .and_then(|v| v.strip_prefix("Bearer "))
                .map(|t| t.trim().to_owned())
        });
    let token = token.ok_or((CLOSE_POLICY, "Missing token"))?;
    let (user_id, expires_at) = state.tokens.verify(&token).map_err(|e| match e {
        TokenError::Expired | TokenError::Invalid => (CLOSE_POLICY, "Invalid token"),
    })?;
    let user = crate::auth::token_user(state, user_id)
        .await
        .ok()
        .flatten()
        .ok_or((CLOSE_POLICY, "Invalid token"))?;
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
    let Ok(Some(room)) = state.store.room_by_slug(slug).await else {
        return Err((CLOSE_POLICY, "Room not found"));
    };
    let Ok(Some(member)) = state.store.membership(room.id, caller.user.id).await else {
        return Err((CLOSE_POLICY, "Not a room member"));
    };
    Ok((caller, room, member))
}

pub async fn close(socket: &mut WebSocket, code: u16, reason: &'static str) {
    let _ = socket
        .send(Message::Close(Some(CloseFrame {
            code: code.into(),
            reason: Utf8Bytes::from_static(reason),
        })))
        .await;
}

pub fn error_frame(detail: &str) -> Utf8Bytes {
    frame(&json!({"type": "error", "detail": detail}))
}

/// A gateway's reaction to inbound frames. Replies go to this socket only.
pub trait Handler: Send {
    fn on_text(&mut self, text: &str) -> impl Future<Output = Reply> + Send;

    /// Binary frames are not part of any gateway's protocol.
    fn on_binary(&mut self) -> Reply {
        vec![error_frame("Binary frames are not supported")].into()
    }
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
}

/// Runs the session until the peer leaves or a close rule fires.
pub async fn pump<H: Handler>(
    state: &AppState,
    socket: &mut WebSocket,
    outbox: &mut Outbox,
    handler: &mut H,
    options: PumpOptions,
) {
    let _live = LiveGuard::new(state, options.scope);
    let mut shutdown = state.hub.shutdown_signal();
    let idle = options
        .idle_timeout
        .unwrap_or(Duration::from_secs(365 * 24 * 3600));
    let now_unix = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    // The timers and signals are created once: a busy socket wakes many times a second, and
    // re-arming a timer on every wake-up costs more than the write it wakes for.
    let token_expiry = tokio::time::sleep(Duration::from_secs(
        options.expires_at.saturating_sub(now_unix),
    ));
    let idle_expiry = tokio::time::sleep(idle);
    let kicked = outbox.kick.notify.notified();
    let stop = stopped(&mut shutdown);
    tokio::pin!(token_expiry, idle_expiry, kicked, stop);
    // Completion is in submission order: one writer commits and answers in queue order.
    let mut in_flight: std::collections::VecDeque<crate::writer::Pending> = Default::default();
    loop {
        tokio::select! {
            biased;
            () = &mut stop => {
                close(socket, CLOSE_GOING_AWAY, "Server shutting down").await;
                return;
            }
            () = &mut kicked => {
                let (code, reason) = outbox.kick.reason.get().copied().unwrap_or((CLOSE_POLICY, "Too slow"));
                close(socket, code, reason).await;
                return;
            }
            () = &mut token_expiry => {
                close(socket, CLOSE_POLICY, "Token expired").await;
                return;
            }
            () = &mut idle_expiry => {
                let _ = send_text(socket, error_frame("Connection timed out due to inactivity")).await;
                close(socket, CLOSE_GOING_AWAY, "Idle timeout").await;
                return;
            }
            first = outbox.recv() => {
                // A peer that stops reading blocks this write; the kick (queue full) ends it.
                tokio::select! {
                    ok = write_batch(socket, outbox, first) => if !ok { return },
                    () = &mut kicked => return,
                }
            }
            () = oldest_committed(&mut in_flight), if !in_flight.is_empty() => {
                in_flight.pop_front();
            }
            inbound = socket.next(), if in_flight.len() < MAX_IN_FLIGHT => {
                idle_expiry.as_mut().reset(tokio::time::Instant::now() + idle);
                match inbound {
                    None | Some(Ok(Message::Close(_))) => return,
                    Some(Err(Error::Capacity(_))) => {
                        close(socket, CLOSE_TOO_BIG, "Message too big").await;
                        return;
                    }
                    Some(Err(_)) => return,
                    Some(Ok(Message::Text(text))) => {
                        metrics::counter!("realtime_events_total", "topic" => options.scope, "direction" => "in").increment(1);
                        // Boxed: a handler's future is large and only alive while a frame
                        // is handled, so it is not kept in every idle session's state.
                        let reply = Box::pin(handler.on_text(text.as_str())).await;
                        if !answer(socket, &mut in_flight, reply).await {
                            return;
                        }
                    }
                    Some(Ok(Message::Binary(_))) => {
                        if !answer(socket, &mut in_flight, handler.on_binary()).await {
                            return;
                        }
                    }
                    Some(Ok(Message::Ping(_) | Message::Pong(_) | Message::Frame(_))) => {}
                }
            }
        }
    }
}

/// Counts a live session in `/metrics` and for the shutdown wait.
struct LiveGuard {
    hub: std::sync::Arc<super::Hub>,
    scope: &'static str,
}

impl LiveGuard {
    fn new(state: &AppState, scope: &'static str) -> Self {
        metrics::gauge!("realtime_active_connections", "scope" => scope).increment(1.0);
        state.hub.session_started();
        Self {
            hub: state.hub.clone(),
            scope,
        }
    }
}

impl Drop for LiveGuard {
    fn drop(&mut self) {
        metrics::gauge!("realtime_active_connections", "scope" => self.scope).decrement(1.0);
        self.hub.session_ended();
    }
}

/// Resolves once the hub's shutdown flag is set.
pub(crate) async fn stopped(rx: &mut tokio::sync::watch::Receiver<bool>) {
    let _ = rx.wait_for(|stopping| *stopping).await.map(|_| ());
}

/// Resolves when the oldest message in flight has been answered (never, if there is none).
async fn oldest_committed(in_flight: &mut std::collections::VecDeque<crate::writer::Pending>) {
    match in_flight.front_mut() {
        Some(pending) => {
            let _ = pending.await;
        }
        None => std::future::pending().await,
    }
}

async fn answer(
    socket: &mut WebSocket,
    in_flight: &mut std::collections::VecDeque<crate::writer::Pending>,
    reply: Reply,
) -> bool {
    match reply {
        Reply::Committing(pending) => in_flight.push_back(pending),
        Reply::Now(frames) => {
            for frame in frames {
                if send_text(socket, frame).await.is_err() {
                    return false;
                }
            }
        }
    }
    true
}

/// Writes `first` and whatever else is queued (up to 64 entries) with one flush: the frames are
/// framed into the write buffer and leave in as few system calls as the buffer allows.
async fn write_batch(socket: &mut WebSocket, outbox: &Outbox, first: Outgoing) -> bool {
    if !feed(socket, &outbox.kick, first).await {
        return false;
    }
    for _ in 0..64 {
        match outbox.try_recv() {
            Some(next) => {
                if !feed(socket, &outbox.kick, next).await {
                    return false;
                }
            }
            None => break,
        }
    }
    socket.flush().await.is_ok()
}

async fn feed(socket: &mut WebSocket, queue: &Kick, item: Outgoing) -> bool {
    queue.dequeued(item.frames());
    match item {
        Outgoing::One(frame) => feed_text(socket, frame).await.is_ok(),
        Outgoing::Batch(frames) => {
            for frame in frames.iter() {
                if feed_text(socket, frame.clone()).await.is_err() {
                    return false;
                }
            }
            true
        }
    }
}

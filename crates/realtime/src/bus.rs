//! Cross-node fan-out (decision 16): every real-time event a node produces is also published,
//! once, to a broker (Redis pub/sub or NATS); each node holds **one** subscription and hands
//! foreign events to its hub for local delivery. Local delivery never waits for the broker:
//! events go through a bounded queue to one publisher task, and during an outage they are
//! counted and dropped (messages are persisted, so clients catch up through history).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Weak};
use std::time::Duration;

use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;

use charge_domain::OnlineUser;
use tokio::sync::watch;

use crate::presence::TypingUser;

pub use charge_config::Backend;

/// Events queued for the broker before newer ones are dropped.
const PUBLISH_QUEUE: usize = 16_384;

/// What crosses nodes. Frames travel as the exact text local sockets receive.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RemoteEvent {
    /// A frame for every socket of a text channel (messages, reactions).
    ChannelFrame { channel_id: i64, frame: String },
    /// A workspace event for a room's sockets.
    RoomFrame {
        room_id: i64,
        admins_only: bool,
        frame: String,
    },
    /// A frame for one user's workspace sockets (their read state).
    UserFrame { user_id: i64, frame: String },
    /// The sending node's own online and typing users in a channel (on change and heartbeat).
    ChannelState {
        channel_id: i64,
        online: Vec<OnlineUser>,
        typing: Vec<TypingUser>,
    },
    /// The sending node's own voice participants in a room (on change and heartbeat).
    VoiceState {
        room_id: i64,
        participants: Vec<charge_protocol::frames::signal::Participant>,
    },
    /// A voice frame: to `target` only, or to everyone except `except`.
    VoiceFrame {
        room_id: i64,
        target: Option<i64>,
        except: Option<i64>,
        frame: String,
    },
    /// A change to a channel's messages that no frame announces (a pin): cached reads of the
    /// channel are stale.
    ChannelChanged { channel_id: i64 },
    /// A user's profile changed: cached copies of the account are stale.
    UserChanged { user_id: i64 },
    /// A room's role levels, member roles or channel overwrites changed: cached permission
    /// inputs are stale and the room's sockets re-check what they may see and do.
    PermissionsChanged { room_id: i64 },
    /// A frame for the `/ws/direct` or `/ws/presence` sockets of some users.
    StreamFrame {
        stream: charge_domain::UserStream,
        users: Vec<i64>,
        frame: String,
    },
    /// The sending node's connected users, each with whether they are idle there (on change
    /// and heartbeat).
    UsersState { users: Vec<(i64, bool)> },
    /// A user's friendships changed: their watchers' statuses are to be sent again.
    PresenceChanged { user_id: i64 },
    /// A user (or, with no user, everyone) was removed from a room: their sockets there close.
    Evict {
        room_id: i64,
        channel_ids: Vec<i64>,
        user_id: Option<i64>,
        why: charge_domain::moderation::Eviction,
    },
    /// A member was timed out: their voice participant is muted.
    TimedOut { room_id: i64, user_id: i64 },
    /// The sending node is shutting down: forget its state now rather than after the TTL.
    NodeLeft,
}

#[derive(Debug, Serialize, Deserialize)]
struct Envelope {
    node: String,
    #[serde(flatten)]
    event: RemoteEvent,
}

/// The publishing side, held by the hub.
#[derive(Clone)]
pub struct Bus {
    node: Arc<str>,
    backend: Backend,
    tx: Option<mpsc::Sender<String>>,
    /// Whether the broker connection is up (set by `run`), for the readiness route.
    connected: Arc<AtomicBool>,
}

impl Bus {
    /// A bus that publishes nothing (one process, `REALTIME_BACKEND=memory`).
    pub fn memory(node: &str) -> Self {
        Self {
            node: node.into(),
            backend: Backend::Memory,
            tx: None,
            connected: Arc::default(),
        }
    }

    /// `None` for one process (no broker), else whether the broker connection is up.
    pub fn broker_up(&self) -> Option<bool> {
        self.tx
            .as_ref()
            .map(|_| self.connected.load(Ordering::Relaxed))
    }

    pub fn is_distributed(&self) -> bool {
        self.tx.is_some()
    }

    /// Queues an event for the broker; never waits.
    pub fn publish(&self, event: RemoteEvent) {
        let Some(tx) = &self.tx else { return };
        let envelope = Envelope {
            node: self.node.to_string(),
            event,
        };
        let Ok(text) = serde_json::to_string(&envelope) else {
            return;
        };
        if tx.try_send(text).is_err() {
            metrics::counter!("realtime_broker_dropped_total", "backend" => self.backend.as_str())
                .increment(1);
        }
    }
}

/// Connection settings for the broker.
#[derive(Debug, Clone)]
pub struct BusConfig {
    pub backend: Backend,
    pub redis_url: String,
    pub nats_url: String,
    pub namespace: String,
    pub node: String,
    /// Shared with the [`Bus`]: `run` records here whether the broker is reachable.
    pub connected: Arc<AtomicBool>,
}

/// Records the broker connection's state for the readiness route and `/metrics`.
fn set_connected(config: &BusConfig, backend: &'static str, up: bool) {
    config.connected.store(up, Ordering::Relaxed);
    metrics::gauge!("realtime_broker_connected", "backend" => backend).set(if up {
        1.0
    } else {
        0.0
    });
}

/// The bus the hub publishes through, and (for a broker) the queue `run` drains.
pub fn start(config: &BusConfig) -> (Bus, Option<mpsc::Receiver<String>>) {
    if config.backend == Backend::Memory {
        return (Bus::memory(&config.node), None);
    }
    let (tx, rx) = mpsc::channel(PUBLISH_QUEUE);
    (
        Bus {
            node: config.node.clone().into(),
            backend: config.backend,
            tx: Some(tx),
            connected: config.connected.clone(),
        },
        Some(rx),
    )
}

/// What the bus delivers other nodes' events to (the hub), held weakly: the bus runs until it
/// goes away or shuts down.
pub trait Node: Send + Sync {
    fn apply_remote(&self, node: &str, event: RemoteEvent);
    /// Resolves once shutdown has begun.
    fn shutdown_signal(&self) -> watch::Receiver<bool>;
}

/// Resolves once the shutdown flag behind `rx` is set (or its sender is gone).
pub(crate) async fn stopped(rx: &mut watch::Receiver<bool>) {
    if let Err(e) = rx.wait_for(|stopping| *stopping).await {
        tracing::debug!(
            error = &e as &dyn std::error::Error,
            "the shutdown flag is gone; stopping"
        );
    }
}

/// Runs the broker connection until the hub goes away: publishes queued events, delivers
/// foreign ones, and reconnects with backoff after any failure.
pub async fn run<H: Node + ?Sized>(
    config: BusConfig,
    mut rx: mpsc::Receiver<String>,
    hub: Weak<H>,
) {
    let backend = config.backend.as_str();
    metrics::gauge!("realtime_pubsub_subscriptions", "topic" => "all", "backend" => backend)
        .set(0.0);
    let mut delay = Duration::from_millis(200);
    loop {
        let result = match config.backend {
            Backend::Redis => run_redis(&config, &mut rx, &hub).await,
            Backend::Nats => run_nats(&config, &mut rx, &hub).await,
            Backend::Memory => return,
        };
        set_connected(&config, backend, false);
        metrics::gauge!("realtime_pubsub_subscriptions", "topic" => "all", "backend" => backend)
            .set(0.0);
        match result {
            Ok(()) => return,
            Err(e) => {
                metrics::counter!("realtime_broker_errors_total", "backend" => backend)
                    .increment(1);
                tracing::warn!(
                    backend,
                    error = e.as_ref() as &dyn std::error::Error,
                    retry_in = ?delay,
                    "realtime broker unavailable; local delivery continues"
                );
            }
        }
        // Events produced during the outage would arrive stale; drop them (state is re-sent by
        // the next heartbeat, messages are in history).
        let mut dropped = 0u64;
        while rx.try_recv().is_ok() {
            dropped += 1;
        }
        metrics::counter!("realtime_broker_dropped_total", "backend" => backend).increment(dropped);
        let Some(hub_alive) = hub.upgrade() else {
            return;
        };
        let mut stop = hub_alive.shutdown_signal();
        drop(hub_alive);
        tokio::select! {
            () = tokio::time::sleep(delay) => {}
            () = stopped(&mut stop) => return,
        }
        delay = (delay * 2).min(Duration::from_secs(5));
    }
}

fn deliver<H: Node + ?Sized>(hub: &Weak<H>, node: &str, payload: &[u8]) -> bool {
    let Some(hub) = hub.upgrade() else {
        return false;
    };
    match serde_json::from_slice::<Envelope>(payload) {
        Ok(envelope) if envelope.node != node => {
            metrics::counter!("realtime_events_total", "topic" => "broker", "direction" => "in")
                .increment(1);
            hub.apply_remote(&envelope.node, envelope.event);
        }
        Ok(_) => {}
        Err(e) => tracing::debug!(
            error = &e as &dyn std::error::Error,
            "ignoring a malformed broker event"
        ),
    }
    true
}

async fn run_redis<H: Node + ?Sized>(
    config: &BusConfig,
    rx: &mut mpsc::Receiver<String>,
    hub: &Weak<H>,
) -> anyhow::Result<()> {
    let client = redis::Client::open(config.redis_url.as_str())?;
    let connect = async {
        let mut pubsub = client.get_async_pubsub().await?;
        pubsub.subscribe(config.namespace.as_str()).await?;
        let publisher = client.get_multiplexed_async_connection().await?;
        Ok::<_, redis::RedisError>((pubsub, publisher))
    };
    let (pubsub, mut publisher) = tokio::time::timeout(Duration::from_secs(5), connect).await??;
    let mut messages = pubsub.into_on_message();
    set_connected(config, "redis", true);
    metrics::gauge!("realtime_pubsub_subscriptions", "topic" => "all", "backend" => "redis")
        .set(1.0);
    tracing::info!(channel = %config.namespace, "subscribed to Redis");
    let mut stop = match hub.upgrade() {
        Some(h) => h.shutdown_signal(),
        None => return Ok(()),
    };
    loop {
        tokio::select! {
            () = stopped(&mut stop) => return Ok(()),
            msg = messages.next() => {
                let Some(msg) = msg else { anyhow::bail!("Redis subscription closed") };
                if !deliver(hub, &config.node, msg.get_payload_bytes()) {
                    return Ok(());
                }
            }
            out = rx.recv() => {
                let Some(text) = out else { return Ok(()) };
                let mut cmd = redis::cmd("PUBLISH");
                cmd.arg(config.namespace.as_str()).arg(text);
                tokio::time::timeout(Duration::from_secs(5), cmd.query_async::<i64>(&mut publisher)).await??;
                metrics::counter!("realtime_events_total", "topic" => "broker", "direction" => "out").increment(1);
            }
        }
    }
}

async fn run_nats<H: Node + ?Sized>(
    config: &BusConfig,
    rx: &mut mpsc::Receiver<String>,
    hub: &Weak<H>,
) -> anyhow::Result<()> {
    let subject = format!("{}.events", config.namespace);
    let connected = config.connected.clone();
    let client = tokio::time::timeout(
        Duration::from_secs(5),
        async_nats::ConnectOptions::new()
            .connection_timeout(Duration::from_secs(3))
            // The client reconnects by itself; each loss is logged and counted.
            .event_callback(move |event| {
                let connected = connected.clone();
                async move {
                    match event {
                        async_nats::Event::Disconnected => {
                            metrics::counter!("realtime_broker_errors_total", "backend" => "nats")
                                .increment(1);
                            connected.store(false, Ordering::Relaxed);
                            metrics::gauge!("realtime_broker_connected", "backend" => "nats")
                                .set(0.0);
                            tracing::warn!(
                                "NATS connection lost; local delivery continues while it reconnects"
                            );
                        }
                        async_nats::Event::Connected => {
                            connected.store(true, Ordering::Relaxed);
                            metrics::gauge!("realtime_broker_connected", "backend" => "nats")
                                .set(1.0);
                            tracing::info!("NATS connection established");
                        }
                        other => tracing::debug!(event = %other, "NATS event"),
                    }
                }
            })
            .connect(config.nats_url.as_str()),
    )
    .await??;
    let mut subscription = client.subscribe(subject.clone()).await?;
    set_connected(config, "nats", true);
    metrics::gauge!("realtime_pubsub_subscriptions", "topic" => "all", "backend" => "nats")
        .set(1.0);
    tracing::info!(%subject, "subscribed to NATS");
    let mut stop = match hub.upgrade() {
        Some(h) => h.shutdown_signal(),
        None => return Ok(()),
    };
    loop {
        tokio::select! {
            () = stopped(&mut stop) => {
                if let Err(e) = client.flush().await {
                    tracing::debug!(error = &e as &dyn std::error::Error, "NATS flush failed");
                }
                return Ok(());
            }
            msg = subscription.next() => {
                let Some(msg) = msg else { anyhow::bail!("NATS subscription closed") };
                if !deliver(hub, &config.node, &msg.payload) {
                    return Ok(());
                }
            }
            out = rx.recv() => {
                let Some(text) = out else { return Ok(()) };
                client.publish(subject.clone(), text.into()).await?;
                metrics::counter!("realtime_events_total", "topic" => "broker", "direction" => "out").increment(1);
            }
        }
    }
}

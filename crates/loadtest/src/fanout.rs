//! Fan-out and ingest: sockets in text channels, senders stamping each message with their id,
//! a sequence number and the send time, receivers checking order, loss and latency.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use charge_protocol::frames::TextServerFrame;
use charge_protocol::frames::text::{NewMessage, TextClientFrame};
use clap::Args;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::sync::Semaphore;
use tokio_tungstenite::tungstenite::Message;

use crate::setup::{World, world, world_on};
use crate::{Common, proc, stats};

#[derive(Args, Clone, Debug)]
pub struct FanoutArgs {
    /// Sockets connected to the channel (the senders are among them).
    #[arg(long, default_value_t = 1000)]
    pub sockets: usize,
    /// How many of the sockets send.
    #[arg(long, default_value_t = 10)]
    pub senders: usize,
    /// Messages per second, all senders together.
    #[arg(long, default_value_t = 100.0)]
    pub rate: f64,
    /// Seconds of sending.
    #[arg(long, default_value_t = 30.0)]
    pub duration: f64,
    /// Accounts the sockets are spread over.
    #[arg(long, default_value_t = 20)]
    pub users: usize,
    /// Padding added to each message, in bytes.
    #[arg(long, default_value_t = 16)]
    pub payload: usize,
}

#[derive(Args, Clone, Debug)]
pub struct IngestArgs {
    /// Concurrent senders.
    #[arg(long, default_value_t = 100)]
    pub senders: usize,
    /// Channels the senders are spread over (each message reaches only its channel).
    #[arg(long, default_value_t = 20)]
    pub channels: usize,
    #[arg(long, default_value_t = 10.0)]
    pub duration: f64,
    #[arg(long, default_value_t = 20)]
    pub users: usize,
    /// Messages per second, all senders together, each sender on its own clock without
    /// waiting for echoes (open loop). 0 = closed loop: each sender waits for the echo of its
    /// previous message before sending the next.
    #[arg(long, default_value_t = 0.0)]
    pub rate: f64,
}

/// What one socket saw.
#[derive(Default)]
struct Seen {
    received: u64,
    out_of_order: u64,
    latencies: Vec<u64>,
    /// Echoes of this socket's own messages (ingest).
    own_echoes: u64,
    /// When the last stamped message arrived, in microseconds since the run started.
    last_micros: u64,
}

struct Shared {
    start: Instant,
    stop_sending: AtomicBool,
    sent: AtomicU64,
}

/// Content format: `L:<sender>:<seq>:<micros since start>:<padding>`.
fn parse_content(text: &str) -> Option<(u32, u64, u64)> {
    const MARK: &str = "\"content\":\"L:";
    static FINDER: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| memchr::memmem::Finder::new(MARK));
    let at = FINDER.find(text.as_bytes())? + MARK.len();
    let mut parts = text[at..].splitn(4, ':');
    Some((
        parts.next()?.parse().ok()?,
        parts.next()?.parse().ok()?,
        parts.next()?.parse().ok()?,
    ))
}

struct Plan {
    sockets: usize,
    senders: usize,
    channel_of: Vec<i64>,
    /// Delay between two sends of one sender; zero = closed loop on own echo.
    interval: Option<Duration>,
    duration: Duration,
    payload: usize,
    sample_every: u64,
}

async fn drive(common: &Common, world: &World, plan: Plan) -> anyhow::Result<Value> {
    let shared = Arc::new(Shared {
        start: Instant::now(),
        stop_sending: AtomicBool::new(false),
        sent: AtomicU64::new(0),
    });
    let connect_started = Instant::now();
    let gate = Arc::new(Semaphore::new(64));
    let ready = Arc::new(tokio::sync::Barrier::new(plan.sockets + 1));
    let mut tasks = Vec::with_capacity(plan.sockets);
    let failures = Arc::new(AtomicU64::new(0));
    let padding = "p".repeat(plan.payload);
    for i in 0..plan.sockets {
        let token = world.tokens[i % world.tokens.len()].clone();
        let channel = plan.channel_of[i % plan.channel_of.len()];
        let url = format!(
            "{}/ws/text/{channel}?token={token}",
            world.ws_bases[i % world.ws_bases.len()]
        );
        let (gate, ready, shared, failures, padding) = (
            gate.clone(),
            ready.clone(),
            shared.clone(),
            failures.clone(),
            padding.clone(),
        );
        let sender_id = (i < plan.senders).then_some(i as u32);
        let (interval, sample_every) = (plan.interval, plan.sample_every);
        tasks.push(tokio::spawn(async move {
            let permit = gate.acquire_owned().await;
            let connected = tokio::time::timeout(
                Duration::from_secs(30),
                tokio_tungstenite::connect_async_with_config(
                    url,
                    Some(crate::client_config()),
                    true,
                ),
            )
            .await;
            drop(permit);
            let Ok(Ok((ws, _))) = connected else {
                failures.fetch_add(1, Ordering::Relaxed);
                ready.wait().await;
                return Seen::default();
            };
            let (mut sink, mut stream) = ws.split();
            // Skip history and presence before counting.
            let mut greeted = false;
            while !greeted {
                match tokio::time::timeout(Duration::from_secs(30), stream.next()).await {
                    Ok(Some(Ok(Message::Text(t)))) => {
                        greeted = matches!(
                            serde_json::from_str::<TextServerFrame>(t.as_str()),
                            Ok(TextServerFrame::Presence { .. })
                        );
                    }
                    _ => {
                        failures.fetch_add(1, Ordering::Relaxed);
                        ready.wait().await;
                        return Seen::default();
                    }
                }
            }
            ready.wait().await;
            let (echo_tx, mut echo_rx) = tokio::sync::mpsc::unbounded_channel::<u64>();
            let send_task = match sender_id {
                None => {
                    // Receivers only ping, to stay within the server's idle timeout.
                    let shared = shared.clone();
                    tokio::spawn(async move {
                        while !shared.stop_sending.load(Ordering::Relaxed) {
                            tokio::time::sleep(Duration::from_millis(500)).await;
                            if shared.start.elapsed().as_secs() % 15 == 0 {
                                let _ = sink.send(Message::Text(ping_frame().into())).await;
                                tokio::time::sleep(Duration::from_secs(1)).await;
                            }
                        }
                        sink
                    })
                }
                Some(me) => {
                    let shared = shared.clone();
                    tokio::spawn(async move {
                        let mut seq: u64 = 0;
                        let mut tick = interval.map(tokio::time::interval);
                        let mut last_ping = Instant::now();
                        while !shared.stop_sending.load(Ordering::Relaxed) {
                            match &mut tick {
                                Some(t) => {
                                    t.tick().await;
                                }
                                None => {
                                    if seq > 0
                                        && tokio::time::timeout(
                                            Duration::from_secs(10),
                                            echo_rx.recv(),
                                        )
                                        .await
                                        .is_err()
                                    {
                                        break;
                                    }
                                }
                            }
                            if shared.stop_sending.load(Ordering::Relaxed) {
                                break;
                            }
                            seq += 1;
                            let t = shared.start.elapsed().as_micros() as u64;
                            let frame = message_frame(format!("L:{me}:{seq}:{t}:{padding}"));
                            if sink.send(Message::Text(frame.into())).await.is_err() {
                                break;
                            }
                            shared.sent.fetch_add(1, Ordering::Relaxed);
                            if last_ping.elapsed() > Duration::from_secs(10) {
                                last_ping = Instant::now();
                                let _ = sink.send(Message::Text(ping_frame().into())).await;
                            }
                        }
                        sink
                    })
                }
            };
            let mut seen = Seen::default();
            let mut last_seq: HashMap<u32, u64> = HashMap::new();
            // One timer for the whole run, not one per frame: when it fires, the socket has been
            // silent for 3 s only if nothing arrived since it was armed.
            let quiet = Duration::from_secs(3);
            let silence = tokio::time::sleep(quiet);
            tokio::pin!(silence);
            let mut heard = false;
            loop {
                let next = tokio::select! {
                    next = stream.next() => Ok(next),
                    () = &mut silence => {
                        if std::mem::take(&mut heard) {
                            silence.as_mut().reset(tokio::time::Instant::now() + quiet);
                            continue;
                        }
                        Err(())
                    }
                };
                heard = true;
                match next {
                    Ok(Some(Ok(Message::Text(text)))) => {
                        let Some((sender, seq, sent_at)) = parse_content(text.as_str()) else {
                            continue;
                        };
                        seen.received += 1;
                        seen.last_micros = shared.start.elapsed().as_micros() as u64;
                        let last = last_seq.entry(sender).or_insert(0);
                        if seq <= *last {
                            seen.out_of_order += 1;
                        }
                        *last = seq;
                        if seen.received % sample_every == 0 || Some(sender) == sender_id {
                            let now = shared.start.elapsed().as_micros() as u64;
                            seen.latencies.push(now.saturating_sub(sent_at));
                        }
                        if Some(sender) == sender_id {
                            seen.own_echoes += 1;
                            let _ = echo_tx.send(seq);
                        }
                    }
                    Ok(Some(Ok(_))) => {}
                    Ok(None) | Ok(Some(Err(_))) => break,
                    Err(_) => {
                        // Quiet for 3 s after sending stopped: done.
                        if shared.stop_sending.load(Ordering::Relaxed) {
                            break;
                        }
                    }
                }
            }
            let _ = send_task.await;
            seen
        }));
    }
    ready.wait().await;
    let connect_seconds = connect_started.elapsed().as_secs_f64();
    let before = proc::sample(common.server_pid);
    let client_before = proc::sample(Some(std::process::id()));
    let send_started = Instant::now();
    tokio::time::sleep(plan.duration).await;
    shared.stop_sending.store(true, Ordering::Relaxed);
    let send_window = send_started.elapsed();
    let mut all = Vec::new();
    let mut received = 0;
    let mut out_of_order = 0;
    let mut own = 0;
    let mut last_micros = 0;
    for task in tasks {
        let seen = task.await.context("socket task")?;
        last_micros = last_micros.max(seen.last_micros);
        received += seen.received;
        out_of_order += seen.out_of_order;
        own += seen.own_echoes;
        all.extend(seen.latencies);
    }
    let after = proc::sample(common.server_pid);
    let client_after = proc::sample(Some(std::process::id()));
    let started_micros = send_started.duration_since(shared.start).as_micros() as u64;
    let delivery_window =
        (last_micros.saturating_sub(started_micros) as f64 / 1e6).max(send_window.as_secs_f64());
    let sent = shared.sent.load(Ordering::Relaxed);
    let failures = failures.load(Ordering::Relaxed);
    let connected = plan.sockets as u64 - failures;
    Ok(json!({
        "sockets": plan.sockets, "connected": connected, "connect_failures": failures,
        "connect_seconds": proc::round(connect_seconds),
        "senders": plan.senders, "sent": sent, "own_echoes": own,
        "received": received, "send_window_seconds": proc::round(send_window.as_secs_f64()),
        "sent_per_second": proc::round(sent as f64 / send_window.as_secs_f64()),
        // Deliveries over the whole time they took: first send to last arrival.
        "delivery_window_seconds": proc::round(delivery_window),
        "deliveries_per_second": proc::round(received as f64 / delivery_window),
        "out_of_order": out_of_order,
        "latency": stats::latency(all),
        "server": proc::report(before, after),
        "load_tool": proc::report(client_before, client_after),
    }))
}

pub async fn run_fanout(common: &Common, args: FanoutArgs) -> anyhow::Result<Value> {
    let world = world_on(
        &common.url,
        &common.also_urls,
        &common.prefix,
        args.users.clamp(1, args.sockets.max(1)),
        1,
    )
    .await?;
    world.overwrite_channels(common.overwrites).await?;
    let senders = args.senders.clamp(1, args.sockets.max(1));
    let per_sender = (args.rate / senders as f64).max(0.001);
    let plan = Plan {
        sockets: args.sockets,
        senders,
        channel_of: world.channel_ids.clone(),
        interval: Some(Duration::from_secs_f64(1.0 / per_sender)),
        duration: Duration::from_secs_f64(args.duration),
        payload: args.payload,
        sample_every: 50,
    };
    let mut report = drive(common, &world, plan).await?;
    let expected = report["sent"].as_u64().unwrap_or(0) * report["connected"].as_u64().unwrap_or(0);
    report["scenario"] = json!("fanout");
    report["expected"] = json!(expected);
    report["lost"] = json!(expected.saturating_sub(report["received"].as_u64().unwrap_or(0)));
    Ok(report)
}

pub async fn run_ingest(common: &Common, args: IngestArgs) -> anyhow::Result<Value> {
    let world = world(
        &common.url,
        &common.prefix,
        args.users.clamp(1, args.senders.max(1)),
        args.channels,
    )
    .await?;
    world.overwrite_channels(common.overwrites).await?;
    let plan = Plan {
        sockets: args.senders,
        senders: args.senders,
        channel_of: world.channel_ids.clone(),
        interval: (args.rate > 0.0)
            .then(|| Duration::from_secs_f64(args.senders.max(1) as f64 / args.rate)),
        duration: Duration::from_secs_f64(args.duration),
        payload: 16,
        sample_every: u64::MAX,
    };
    let mut report = drive(common, &world, plan).await?;
    // Echoes over the time they took (first send to last echo): an echo means committed.
    let window = report["delivery_window_seconds"].as_f64().unwrap_or(1.0);
    let echoes = report["own_echoes"].as_u64().unwrap_or(0);
    report["scenario"] = json!("ingest");
    report["mode"] = json!(if args.rate > 0.0 { "open" } else { "closed" });
    report["persisted_per_second"] = json!(proc::round(echoes as f64 / window));
    report["lost"] = json!(report["sent"].as_u64().unwrap_or(0).saturating_sub(echoes));
    report["channels"] = json!(world.channel_ids.len());
    Ok(report)
}

/// A chat message frame as a client sends it.
fn message_frame(content: String) -> String {
    let frame = TextClientFrame::Message(NewMessage {
        content,
        attachments: Vec::new(),
        parent_id: Ok(None),
        nonce: Ok(None),
    });
    serde_json::to_string(&frame).unwrap_or_default()
}

/// `{"type":"ping"}`.
fn ping_frame() -> String {
    serde_json::to_string(&TextClientFrame::Ping).unwrap_or_default()
}

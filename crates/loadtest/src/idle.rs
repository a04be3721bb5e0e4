//! Idle capacity: many authenticated sockets that only keep themselves alive, spread over
//! several loopback source addresses so one address's ephemeral ports are not the limit.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Args;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::sync::Semaphore;
use tokio_tungstenite::tungstenite::Message;

use crate::setup::world;
use crate::{Common, proc};

#[derive(Args, Clone, Debug)]
pub struct IdleArgs {
    #[arg(long, default_value_t = 10_000)]
    pub sockets: usize,
    /// Seconds to hold the sockets once all are open.
    #[arg(long, default_value_t = 10.0)]
    pub hold: f64,
    /// Loopback source addresses to spread the sockets over (127.0.0.1, 127.0.0.2, …).
    #[arg(long, default_value_t = 4)]
    pub sources: u8,
    #[arg(long, default_value_t = 20)]
    pub users: usize,
    /// Messages posted to the channel first, so each socket is greeted with a history page as
    /// in a channel in use.
    #[arg(long, default_value_t = 50)]
    pub messages: usize,
}

pub async fn run(common: &Common, args: IdleArgs) -> anyhow::Result<Value> {
    let world = world(&common.url, &common.prefix, args.users.max(1), 1).await?;
    let channel = world.channel_ids[0];
    for i in 0..args.messages {
        world
            .http
            .post(format!("{}/api/messages", world.base))
            .bearer_auth(&world.tokens[i % world.tokens.len()])
            .json(&json!({"channel_id": channel, "content": format!("an ordinary chat line, about as long as most of them are: number {i}")}))
            .send()
            .await?
            .error_for_status()?;
    }
    let server: SocketAddr = world
        .base
        .trim_start_matches("http://")
        .parse()
        .context("--url must be http://IP:PORT for the idle scenario")?;
    let before = proc::sample(common.server_pid);
    let gate = Arc::new(Semaphore::new(256));
    let opened = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicU64::new(0));
    let dropped = Arc::new(AtomicU64::new(0));
    let (release_tx, release_rx) = tokio::sync::watch::channel(false);
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(args.sockets);
    for i in 0..args.sockets {
        let token = world.tokens[i % world.tokens.len()].clone();
        let source = IpAddr::V4(Ipv4Addr::new(
            127,
            0,
            0,
            1 + (i % args.sources.max(1) as usize) as u8,
        ));
        let url = format!("ws://{server}/ws/text/{channel}?token={token}");
        let (gate, opened, failed, dropped, mut release) = (
            gate.clone(),
            opened.clone(),
            failed.clone(),
            dropped.clone(),
            release_rx.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let permit = gate.acquire_owned().await;
            let connect = async {
                let socket = tokio::net::TcpSocket::new_v4()?;
                socket.bind(SocketAddr::new(source, 0))?;
                let stream = socket.connect(server).await?;
                let (ws, _) = tokio_tungstenite::client_async_with_config(url, stream, Some(crate::client_config())).await.map_err(std::io::Error::other)?;
                Ok::<_, std::io::Error>(ws)
            };
            let Ok(Ok(ws)) = tokio::time::timeout(Duration::from_secs(30), connect).await else {
                failed.fetch_add(1, Ordering::Relaxed);
                return;
            };
            drop(permit);
            opened.fetch_add(1, Ordering::Relaxed);
            let (mut sink, mut stream) = ws.split();
            let mut ping = tokio::time::interval(Duration::from_secs(20));
            loop {
                tokio::select! {
                    _ = release.changed() => break,
                    _ = ping.tick() => { let _ = sink.send(Message::Text("{\"type\":\"ping\"}".into())).await; }
                    msg = stream.next() => match msg {
                        Some(Ok(_)) => {}
                        // Closed by the server (or broken) while it should have been held.
                        None | Some(Err(_)) => {
                            dropped.fetch_add(1, Ordering::Relaxed);
                            break;
                        }
                    },
                }
            }
        }));
    }
    // Wait until every socket is open or failed.
    while opened.load(Ordering::Relaxed) + failed.load(Ordering::Relaxed) < args.sockets as u64 {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let open_seconds = started.elapsed().as_secs_f64();
    tokio::time::sleep(Duration::from_secs_f64(args.hold)).await;
    let held = proc::sample(common.server_pid);
    let dropped_during_hold = dropped.load(Ordering::Relaxed);
    let _ = release_tx.send(true);
    for t in tasks {
        let _ = t.await;
    }
    let opened = opened.load(Ordering::Relaxed);
    let per_socket = match (before, held) {
        (Some(b), Some(h)) if opened > 0 => json!(proc::round(
            (h.rss_kib as f64 - b.rss_kib as f64) * 1024.0 / opened as f64
        )),
        _ => Value::Null,
    };
    Ok(json!({
        "scenario": "idle", "sockets": args.sockets, "history_messages": args.messages, "opened": opened, "failed": failed.load(Ordering::Relaxed),
        // Sockets the server closed before the hold ended; `held` were still open at its end.
        "dropped": dropped_during_hold, "held": opened.saturating_sub(dropped_during_hold),
        "open_seconds": proc::round(open_seconds), "server_bytes_per_socket": per_socket,
        "server": proc::report(before, held),
    }))
}

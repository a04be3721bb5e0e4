//! `socket-fuzz`: connections to all three gateways sending random frames for a while —
//! mutated frames of every known type, random JSON, random text, binary frames, invalid
//! UTF-8, oversized frames, abrupt disconnects — then checks that the server still serves
//! and reports its memory before and after. Reproducible with `--seed`.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::Args;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::frame::Frame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::{Data, OpCode};

use crate::{Common, proc, setup};

#[derive(Args, Debug)]
pub struct SocketFuzzArgs {
    /// How long to send, in seconds.
    #[arg(long, default_value_t = 60.0)]
    pub seconds: f64,
    /// Connections open at once (each reconnects when the server closes it).
    #[arg(long, default_value_t = 16)]
    pub connections: usize,
    /// Seed of the random frames (the same seed sends the same frames).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Fail when the server's resident memory grew by more than this many MiB.
    #[arg(long, default_value_t = 64)]
    pub max_growth_mib: u64,
}

/// A small xorshift generator: fast, seedable, and good enough to pick frames.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

const TYPES: &[&str] = &[
    "message",
    "reaction",
    "typing",
    "ping",
    "offer",
    "answer",
    "candidate",
    "signal",
    "state",
    "media",
    "muted",
    "bye",
    "stage",
    "live",
    "recording",
    "listener",
    "speaker",
    "invited",
    "requesting",
    "backstage",
    "",
    "MESSAGE",
    "unknown",
];
const FIELDS: &[&str] = &[
    "content",
    "attachments",
    "parent_id",
    "message_id",
    "emoji",
    "operation",
    "is_typing",
    "target",
    "sdp",
    "candidate",
    "user_id",
    "muted",
    "video",
    "status",
    "role",
    "type",
];

fn value(rng: &mut Rng, depth: u32) -> Value {
    match rng.below(if depth > 2 { 7 } else { 9 }) {
        0 => Value::Null,
        1 => json!(rng.below(2) == 0),
        2 => json!(rng.next() as i64),
        3 => json!(rng.below(1000)),
        4 => json!((rng.next() % 1_000_000) as f64 / 7.0),
        5 => json!(text(rng, 40)),
        6 => json!(*rng.pick(&["add", "remove", "🔥", "  ", "", "forward"])),
        7 => Value::Array((0..rng.below(5)).map(|_| value(rng, depth + 1)).collect()),
        _ => Value::Object(
            (0..rng.below(5))
                .map(|_| ((*rng.pick(FIELDS)).to_owned(), value(rng, depth + 1)))
                .collect(),
        ),
    }
}

fn text(rng: &mut Rng, max: usize) -> String {
    const PIECES: &[&str] = &[
        "a", "é", "🔥", " ", "\n", "\"", "\\", "{", "}", "\u{0}", "\u{202e}", "ı",
    ];
    (0..rng.below(max)).map(|_| *rng.pick(PIECES)).collect()
}

/// One frame to send (or `None`: drop the connection without a close frame).
fn frame(rng: &mut Rng) -> Option<Message> {
    Some(match rng.below(20) {
        0..=9 => {
            let mut object = serde_json::Map::new();
            object.insert("type".into(), json!(*rng.pick(TYPES)));
            for _ in 0..rng.below(5) {
                object.insert((*rng.pick(FIELDS)).to_owned(), value(rng, 0));
            }
            Message::Text(Value::Object(object).to_string().into())
        }
        10..=12 => Message::Text(value(rng, 0).to_string().into()),
        13 => Message::Text(text(rng, 200).into()),
        14 => Message::Binary(
            (0..rng.below(64))
                .map(|_| rng.next() as u8)
                .collect::<Vec<u8>>()
                .into(),
        ),
        15 => Message::Frame(Frame::message(
            vec![b'{', 0xff, 0xfe, b'}'],
            OpCode::Data(Data::Text),
            true,
        )),
        16 => Message::Text("x".repeat(64 * 1024 + 1 + rng.below(1024)).into()),
        17 => Message::Ping(vec![1, 2, 3].into()),
        18 => Message::Text(r#"{"type":"ping"}"#.into()),
        _ => return None,
    })
}

/// Runs one connection after another until `deadline`; returns (connections, frames sent).
async fn worker(
    urls: Arc<Vec<String>>,
    seed: u64,
    deadline: Instant,
    frames: Arc<AtomicU64>,
) -> u64 {
    let mut rng = Rng(seed | 1);
    let mut connections = 0;
    while Instant::now() < deadline {
        let url = rng.pick(&urls).clone();
        let Ok(Ok((ws, _))) = tokio::time::timeout(
            Duration::from_secs(5),
            tokio_tungstenite::connect_async_with_config(url, Some(crate::client_config()), false),
        )
        .await
        else {
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        connections += 1;
        let (mut sink, mut stream) = ws.split();
        // Read (and drop) whatever the server answers, so it never waits on us.
        let reader = tokio::spawn(async move { while let Some(Ok(_)) = stream.next().await {} });
        for _ in 0..rng.below(200) + 1 {
            let Some(message) = frame(&mut rng) else {
                break;
            };
            if sink.send(message).await.is_err() {
                break;
            }
            frames.fetch_add(1, Ordering::Relaxed);
            if Instant::now() >= deadline {
                break;
            }
        }
        reader.abort();
    }
    connections
}

pub async fn run(common: &Common, args: SocketFuzzArgs) -> anyhow::Result<Value> {
    let world = setup::world(&common.url, &common.prefix, 2, 1).await?;
    let ws = &world.ws_bases[0];
    let token = &world.tokens[0];
    let channel = world.channel_ids[0];
    let slug = &world.room_slug;
    let urls = Arc::new(vec![
        format!("{ws}/ws/text/{channel}?token={token}"),
        format!("{ws}/ws/rooms/{slug}?token={token}"),
        format!("{ws}/ws/signal/{slug}?token={token}"),
        format!("{ws}/ws/text/{channel}?token=not-a-token"),
    ]);
    let before = proc::sample(common.server_pid);
    let started = Instant::now();
    let deadline = started + Duration::from_secs_f64(args.seconds);
    let frames = Arc::new(AtomicU64::new(0));
    let workers: Vec<_> = (0..args.connections.max(1))
        .map(|i| {
            tokio::spawn(worker(
                urls.clone(),
                args.seed
                    .wrapping_mul(0x9e37_79b9_7f4a_7c15)
                    .wrapping_add(i as u64),
                deadline,
                frames.clone(),
            ))
        })
        .collect();
    let mut connections = 0;
    for w in workers {
        connections += w.await.unwrap_or(0);
    }
    let seconds = started.elapsed().as_secs_f64();
    // The server must still serve: its health, and a fresh socket that gets its greeting.
    let health = world
        .http
        .get(format!("{}/health", world.base))
        .send()
        .await
        .context("GET /health after fuzzing")?
        .status();
    if !health.is_success() {
        bail!("/health answered {health} after fuzzing");
    }
    let (mut ws, _) = tokio_tungstenite::connect_async(urls[0].clone())
        .await
        .context("a socket after fuzzing")?;
    let greeting = tokio::time::timeout(Duration::from_secs(5), ws.next())
        .await
        .context("no greeting after fuzzing")?;
    if !matches!(greeting, Some(Ok(Message::Text(_)))) {
        bail!("a socket after fuzzing got {greeting:?} instead of its greeting");
    }
    let _ = ws.close(None).await;
    // Sessions finish closing; memory is read once they are gone.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let after = proc::sample(common.server_pid);
    let growth_kib = match (before, after) {
        (Some(b), Some(a)) => a.rss_kib.saturating_sub(b.rss_kib),
        _ => 0,
    };
    if growth_kib > args.max_growth_mib * 1024 {
        bail!(
            "server memory grew by {} MiB (limit {} MiB)",
            growth_kib / 1024,
            args.max_growth_mib
        );
    }
    Ok(json!({
        "scenario": "socket-fuzz",
        "seed": args.seed,
        "seconds": proc::round(seconds),
        "connections": connections,
        "frames_sent": frames.load(Ordering::Relaxed),
        "server": proc::report(before, after),
        "rss_growth_kib": growth_kib,
    }))
}

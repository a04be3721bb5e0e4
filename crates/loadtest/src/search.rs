//! Search: fills one channel with `--messages` messages of made-up words over HTTP, then one
//! client after another searches it for a word (each word is in about one message in a
//! thousand), two adjacent words, and a word in no message; latency per kind.

use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Args;
use serde_json::{Value, json};

use crate::setup::world;
use crate::{Common, proc, stats};

#[derive(Args, Clone, Debug)]
pub struct SearchArgs {
    /// Messages stored in the channel before measuring.
    #[arg(long, default_value_t = 100_000)]
    pub messages: usize,
    /// Searches of each kind.
    #[arg(long, default_value_t = 200)]
    pub queries: usize,
    /// Concurrent posters while filling the channel.
    #[arg(long, default_value_t = 16)]
    pub writers: usize,
}

/// Syllables of the made-up words: 20 × 20 × 20 = 8,000 three-syllable words.
const SYLLABLES: [&str; 20] = [
    "ka", "lo", "mi", "ne", "ru", "so", "ta", "vi", "ze", "po", "du", "fe", "gi", "ho", "ju", "be",
    "ci", "wa", "xo", "yu",
];
const WORDS_PER_MESSAGE: usize = 8;

/// Makes one search text.
type Query = fn(&mut Dice) -> String;

/// A small deterministic generator, so every run stores the same text.
struct Dice(u64);

impl Dice {
    fn next(&mut self, below: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % below as u64) as usize
    }

    fn word(&mut self) -> String {
        (0..3)
            .map(|_| SYLLABLES[self.next(SYLLABLES.len())])
            .collect()
    }
}

pub async fn run(common: &Common, args: SearchArgs) -> anyhow::Result<Value> {
    let world = world(&common.url, &common.prefix, 1, 1).await?;
    let channel = world.channel_ids[0];
    let token = Arc::new(world.tokens[0].clone());
    let filled = Instant::now();
    let mut writers = Vec::new();
    for w in 0..args.writers {
        let (http, base, token) = (world.http.clone(), world.base.clone(), token.clone());
        let share = (w..args.messages).step_by(args.writers).collect::<Vec<_>>();
        writers.push(tokio::spawn(async move {
            let mut dice = Dice(0x9E37_79B9_7F4A_7C15 ^ (w as u64 + 1));
            for _ in share {
                let text: Vec<String> = (0..WORDS_PER_MESSAGE).map(|_| dice.word()).collect();
                http.post(format!("{base}/api/messages"))
                    .bearer_auth(token.as_str())
                    .json(&json!({"channel_id": channel, "content": text.join(" ")}))
                    .send()
                    .await?
                    .error_for_status()?;
            }
            anyhow::Ok(())
        }));
    }
    for w in writers {
        w.await??;
    }
    let fill_seconds = filled.elapsed().as_secs_f64();
    let mut dice = Dice(42);
    let kinds: [(&str, Query); 3] = [
        ("word", |d| d.word()),
        ("two_words", |d| format!("{} {}", d.word(), d.word())),
        ("missing", |d| format!("{}q", d.word())),
    ];
    let before = proc::sample(common.server_pid);
    let mut report = serde_json::Map::new();
    let url = format!("{}/api/channels/{channel}/search", world.base);
    for (name, make) in &kinds {
        let mut lat = Vec::with_capacity(args.queries);
        let mut hits = 0usize;
        for _ in 0..args.queries {
            let query = make(&mut dice);
            let t = Instant::now();
            let res = world
                .http
                .get(reqwest::Url::parse_with_params(
                    &url,
                    [("query", query.as_str())],
                )?)
                .bearer_auth(token.as_str())
                .timeout(Duration::from_secs(30))
                .send()
                .await?
                .error_for_status()?;
            let found: Vec<Value> = res.json().await?;
            lat.push(t.elapsed().as_micros() as u64);
            hits += found.len();
        }
        report.insert(
            (*name).to_owned(),
            json!({"latency": stats::latency(lat), "results_per_query": proc::round(hits as f64 / args.queries as f64)}),
        );
    }
    let after = proc::sample(common.server_pid);
    Ok(json!({
        "scenario": "search", "messages": args.messages,
        "fill_messages_per_second": proc::round(args.messages as f64 / fill_seconds),
        "queries": report, "server": proc::report(before, after),
    }))
}

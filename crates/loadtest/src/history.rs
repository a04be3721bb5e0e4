//! History: concurrent HTTP clients fetching the newest 50-message page of a busy channel.

use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Args;
use serde_json::{Value, json};

use crate::setup::world;
use crate::{Common, proc, stats};

#[derive(Args, Clone, Debug)]
pub struct HistoryArgs {
    /// Concurrent clients.
    #[arg(long, default_value_t = 50)]
    pub connections: usize,
    #[arg(long, default_value_t = 10.0)]
    pub duration: f64,
    /// Messages stored in the channel before measuring.
    #[arg(long, default_value_t = 200)]
    pub messages: usize,
    /// Drive the requests with `wrk` (two threads) instead of this tool's own HTTP client,
    /// which takes more CPU per request than the server does.
    #[arg(long)]
    pub wrk: bool,
}

pub async fn run(common: &Common, args: HistoryArgs) -> anyhow::Result<Value> {
    let world = world(&common.url, &common.prefix, 1, 1).await?;
    let channel = world.channel_ids[0];
    let token = world.tokens[0].clone();
    for i in 0..args.messages {
        world
            .http
            .post(format!("{}/api/messages", world.base))
            .bearer_auth(&token)
            .json(&json!({"channel_id": channel, "content": format!("history filler message number {i}")}))
            .send()
            .await?
            .error_for_status()?;
    }
    let url = Arc::new(format!(
        "{}/api/channels/{channel}/history?limit=50",
        world.base
    ));
    if args.wrk {
        return run_wrk(common, &args, &url, &token).await;
    }
    let deadline = Instant::now() + Duration::from_secs_f64(args.duration);
    let before = proc::sample(common.server_pid);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..args.connections {
        let (http, url, token) = (world.http.clone(), url.clone(), token.clone());
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            let mut errors = 0u64;
            while Instant::now() < deadline {
                let t = Instant::now();
                match http.get(url.as_str()).bearer_auth(&token).send().await {
                    Ok(res) if res.status().is_success() => {
                        let _ = res.bytes().await;
                        lat.push(t.elapsed().as_micros() as u64);
                    }
                    _ => errors += 1,
                }
            }
            (lat, errors)
        }));
    }
    let mut all = Vec::new();
    let mut errors = 0;
    for t in tasks {
        let (lat, e) = t.await?;
        all.extend(lat);
        errors += e;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let after = proc::sample(common.server_pid);
    Ok(json!({
        "scenario": "history", "connections": args.connections, "requests": all.len(), "errors": errors,
        "requests_per_second": proc::round(all.len() as f64 / elapsed),
        "latency": stats::latency(all), "server": proc::report(before, after),
    }))
}

async fn run_wrk(
    common: &Common,
    args: &HistoryArgs,
    url: &str,
    token: &str,
) -> anyhow::Result<Value> {
    let command = vec![
        "-t2".to_owned(),
        format!("-c{}", args.connections),
        format!("-d{}s", args.duration.ceil() as u64),
        "--latency".to_owned(),
        "-H".to_owned(),
        format!("Authorization: Bearer {token}"),
        url.to_owned(),
    ];
    let before = proc::sample(common.server_pid);
    let output = tokio::task::spawn_blocking(move || {
        std::process::Command::new("wrk").args(&command).output()
    })
    .await?
    .map_err(|e| anyhow::anyhow!("could not run wrk ({e}); install it or drop --wrk"))?;
    let after = proc::sample(common.server_pid);
    let text = String::from_utf8_lossy(&output.stdout);
    anyhow::ensure!(output.status.success(), "wrk failed: {text}");
    let field = |label: &str| {
        text.lines()
            .map(str::trim)
            .find_map(|l| l.strip_prefix(label))
            .map(str::trim)
    };
    let rps: f64 = field("Requests/sec:")
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| anyhow::anyhow!("no Requests/sec in wrk output: {text}"))?;
    let errors: u64 = ["Non-2xx or 3xx responses:", "Socket errors:"]
        .iter()
        .filter_map(|l| field(l))
        .map(|v| {
            v.split(|c: char| !c.is_ascii_digit())
                .filter_map(|n| n.parse::<u64>().ok())
                .sum::<u64>()
        })
        .sum();
    let ms = |label: &str| field(label).and_then(wrk_millis);
    Ok(json!({
        "scenario": "history", "driver": "wrk", "connections": args.connections,
        "requests_per_second": proc::round(rps), "errors": errors,
        "latency": {"p50_ms": ms("50%"), "p90_ms": ms("90%"), "p99_ms": ms("99%")},
        "server": proc::report(before, after),
    }))
}

/// `812.00us`, `4.21ms` or `1.02s` in milliseconds.
fn wrk_millis(value: &str) -> Option<f64> {
    let (number, scale) = if let Some(v) = value.strip_suffix("us") {
        (v, 0.001)
    } else if let Some(v) = value.strip_suffix("ms") {
        (v, 1.0)
    } else if let Some(v) = value.strip_suffix('s') {
        (v, 1000.0)
    } else {
        (value, 1.0)
    };
    number.trim().parse::<f64>().ok().map(|n| n * scale)
}

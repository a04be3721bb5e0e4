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

//! Auth: a burst of concurrent registrations, then a burst of concurrent sign-ins, while the
//! server's resident memory is sampled; then sequential sign-ins alternating a known and an
//! unknown login, whose medians should match (the answer's timing must not tell them apart);
//! then the memory once the server has been idle for a while.
//!
//! Clients honour `503` + `Retry-After` the way a well-behaved client would (with jitter), so
//! every registration and sign-in eventually goes through. The server must run with the
//! credential rate limits off (`AUTH_RATE_LIMIT_PER_MINUTE=0`,
//! `AUTH_GLOBAL_RATE_LIMIT_PER_MINUTE=0`): this measures hashing, not the limiter.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::Args;
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

use crate::{Common, proc, stats};

#[derive(Args, Clone, Debug)]
pub struct AuthArgs {
    /// Concurrent registrations, then as many concurrent sign-ins.
    #[arg(long, default_value_t = 1000)]
    pub accounts: usize,
    /// Sequential sign-ins per kind (known, unknown) for the timing comparison.
    #[arg(long, default_value_t = 200)]
    pub timing_samples: usize,
    /// Seconds to leave the server idle before the last memory sample.
    #[arg(long, default_value_t = 60.0)]
    pub settle: f64,
    /// Retries of one request answered 503 before the run fails.
    #[arg(long, default_value_t = 60)]
    pub max_retries: u32,
}

/// The outcome of one client's request after its retries.
struct Attempt {
    status: StatusCode,
    micros: u64,
    busy_answers: u32,
}

/// POSTs `body`, honouring `503` + `Retry-After` up to `max_retries` times.
async fn post_until_served(
    http: &Client,
    url: &str,
    body: &Value,
    max_retries: u32,
) -> anyhow::Result<Attempt> {
    let started = Instant::now();
    let mut busy_answers = 0;
    loop {
        let res = http
            .post(url)
            .json(body)
            .send()
            .await
            .with_context(|| format!("POST {url}"))?;
        let status = res.status();
        if status != StatusCode::SERVICE_UNAVAILABLE {
            return Ok(Attempt {
                status,
                micros: started.elapsed().as_micros() as u64,
                busy_answers,
            });
        }
        busy_answers += 1;
        if busy_answers > max_retries {
            bail!("POST {url}: still 503 after {max_retries} retries");
        }
        let wait: f64 = res
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok())
            .context("a 503 without a numeric Retry-After")?;
        // Up to a second of jitter, so refused clients do not all come back at once.
        let jitter = f64::from(rand_below(1000)) / 1000.0;
        tokio::time::sleep(Duration::from_secs_f64(wait + jitter)).await;
    }
}

/// A cheap per-call pseudo-random number below `n` (jitter only; not for anything secret).
fn rand_below(n: u32) -> u32 {
    static STATE: AtomicU64 = AtomicU64::new(0x9E37_79B9_7F4A_7C15);
    let mut x = STATE.fetch_add(0x9E37_79B9_7F4A_7C15, Ordering::Relaxed);
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^= x >> 33;
    (x % u64::from(n.max(1))) as u32
}

/// Samples the server's resident memory every 20 ms until stopped; returns the highest (KiB).
fn watch_peak(pid: Option<u32>, stop: Arc<AtomicBool>) -> tokio::task::JoinHandle<u64> {
    tokio::spawn(async move {
        let mut peak = 0;
        while !stop.load(Ordering::Relaxed) {
            if let Some(s) = proc::sample(pid) {
                peak = peak.max(s.rss_kib);
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        peak
    })
}

/// Runs `requests` concurrently (all started at once); returns the attempts in order.
async fn burst(
    http: &Client,
    url: &str,
    bodies: Vec<Value>,
    max_retries: u32,
) -> anyhow::Result<(Vec<Attempt>, f64)> {
    let started = Instant::now();
    let tasks: Vec<_> = bodies
        .into_iter()
        .map(|body| {
            let (http, url) = (http.clone(), url.to_owned());
            tokio::spawn(async move { post_until_served(&http, &url, &body, max_retries).await })
        })
        .collect();
    let mut attempts = Vec::with_capacity(tasks.len());
    for t in tasks {
        attempts.push(t.await??);
    }
    Ok((attempts, started.elapsed().as_secs_f64()))
}

fn summary(attempts: &[Attempt], seconds: f64) -> Value {
    let mut by_status = serde_json::Map::new();
    for a in attempts {
        let key = a.status.as_u16().to_string();
        let n = by_status.get(&key).and_then(Value::as_u64).unwrap_or(0);
        by_status.insert(key, json!(n + 1));
    }
    json!({
        "seconds": proc::round(seconds),
        "statuses": by_status,
        "busy_answers": attempts.iter().map(|a| u64::from(a.busy_answers)).sum::<u64>(),
        "latency": stats::latency(attempts.iter().map(|a| a.micros).collect()),
    })
}

fn median_ms(mut micros: Vec<u64>) -> f64 {
    micros.sort_unstable();
    micros.get(micros.len() / 2).copied().unwrap_or(0) as f64 / 1000.0
}

pub async fn run(common: &Common, args: AuthArgs) -> anyhow::Result<Value> {
    let pid = common.server_pid;
    let base = common.url.trim_end_matches('/').to_owned();
    let http = Client::builder()
        .pool_max_idle_per_host(args.accounts)
        .build()?;
    let run = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_millis()
        % 100_000_000;
    let login = |i: usize| format!("{}{run}a{i}", common.prefix);
    let password = "load-test-password";
    let idle = proc::sample(pid);

    let stop = Arc::new(AtomicBool::new(false));
    let peak = watch_peak(pid, stop.clone());
    let (registered, register_seconds) = burst(
        &http,
        &format!("{base}/api/auth/register"),
        (0..args.accounts)
            .map(|i| json!({"login": login(i), "password": password}))
            .collect(),
        args.max_retries,
    )
    .await?;
    if let Some(bad) = registered.iter().find(|a| a.status != StatusCode::CREATED) {
        bail!("a registration answered {}", bad.status);
    }
    let after_register = proc::sample(pid);
    let (signed_in, sign_in_seconds) = burst(
        &http,
        &format!("{base}/api/auth/login"),
        (0..args.accounts)
            .map(|i| json!({"login": login(i), "password": password}))
            .collect(),
        args.max_retries,
    )
    .await?;
    if let Some(bad) = signed_in.iter().find(|a| a.status != StatusCode::OK) {
        bail!("a sign-in answered {}", bad.status);
    }
    stop.store(true, Ordering::Relaxed);
    let peak_kib = peak.await?;
    let after_bursts = proc::sample(pid);

    // Sequential, alternating, so both kinds see the same server state.
    let mut known = Vec::with_capacity(args.timing_samples);
    let mut unknown = Vec::with_capacity(args.timing_samples);
    let login_url = format!("{base}/api/auth/login");
    for i in 0..args.timing_samples {
        let k = post_until_served(
            &http,
            &login_url,
            &json!({"login": login(i % args.accounts.max(1)), "password": password}),
            args.max_retries,
        )
        .await?;
        let u = post_until_served(
            &http,
            &login_url,
            &json!({"login": format!("{}{run}nobody{i}", common.prefix), "password": password}),
            args.max_retries,
        )
        .await?;
        if k.status != StatusCode::OK || u.status != StatusCode::UNAUTHORIZED {
            bail!("timing sign-ins answered {} and {}", k.status, u.status);
        }
        known.push(k.micros);
        unknown.push(u.micros);
    }
    let known_ms = median_ms(known);
    let unknown_ms = median_ms(unknown);

    drop(http);
    tokio::time::sleep(Duration::from_secs_f64(args.settle)).await;
    let settled = proc::sample(pid);

    let mib = |kib: u64| proc::round(kib as f64 / 1024.0);
    let rss = |s: Option<proc::Sample>| s.map(|s| mib(s.rss_kib));
    let idle_kib = idle.map(|s| s.rss_kib);
    Ok(json!({
        "scenario": "auth",
        "accounts": args.accounts,
        "register": summary(&registered, register_seconds),
        "sign_in": summary(&signed_in, sign_in_seconds),
        "sign_in_timing": {
            "samples_per_kind": args.timing_samples,
            "known_median_ms": known_ms,
            "unknown_median_ms": unknown_ms,
            "difference_percent": proc::round(100.0 * (unknown_ms - known_ms).abs() / known_ms.max(f64::MIN_POSITIVE)),
        },
        "server_rss_mib": {
            "idle": rss(idle),
            "after_registrations": rss(after_register),
            "after_sign_ins": rss(after_bursts),
            "peak_during_bursts": idle_kib.map(|_| mib(peak_kib)),
            "peak_growth": idle_kib.map(|i| mib(peak_kib.saturating_sub(i))),
            "settle_seconds": args.settle,
            "after_settle": rss(settled),
            "after_settle_above_idle": idle_kib.zip(settled).map(|(i, s)| mib(s.rss_kib.saturating_sub(i))),
        },
    }))
}

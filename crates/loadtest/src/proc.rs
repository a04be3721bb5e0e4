//! The server's CPU time and resident memory, read from `/proc/<pid>`.

use serde_json::{Value, json};

#[derive(Clone, Copy, Debug, Default)]
pub struct Sample {
    pub cpu_seconds: f64,
    pub rss_kib: u64,
}

pub fn sample(pid: Option<u32>) -> Option<Sample> {
    let pid = pid?;
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the parenthesised command name; utime and stime are the 12th and 13th.
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let rss_kib = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())?;
    // Linux reports CPU time in clock ticks of 100 Hz on every common configuration.
    Some(Sample {
        cpu_seconds: ticks / 100.0,
        rss_kib,
    })
}

/// Server figures between two samples, or null when no PID was given.
pub fn report(before: Option<Sample>, after: Option<Sample>) -> Value {
    match (before, after) {
        (Some(b), Some(a)) => json!({
            "cpu_seconds": round(a.cpu_seconds - b.cpu_seconds),
            "rss_kib_before": b.rss_kib,
            "rss_kib_after": a.rss_kib,
        }),
        _ => Value::Null,
    }
}

pub fn round(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

//! Latency percentiles.

use serde_json::{Value, json};

/// p50/p99/max in milliseconds of latencies given in microseconds.
pub fn latency(mut micros: Vec<u64>) -> Value {
    if micros.is_empty() {
        return json!({"p50_ms": null, "p99_ms": null, "max_ms": null, "samples": 0});
    }
    micros.sort_unstable();
    let at = |q: f64| {
        let idx = ((micros.len() as f64 - 1.0) * q).round() as usize;
        micros[idx.min(micros.len() - 1)] as f64 / 1000.0
    };
    json!({"p50_ms": at(0.50), "p99_ms": at(0.99), "max_ms": at(1.0), "samples": micros.len()})
}

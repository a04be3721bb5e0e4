//! Logging set-up and the descriptions of the metrics Charge exports.

use tracing_subscriber::EnvFilter;

/// Initialises logging; `RUST_LOG` overrides the level chosen from `DEBUG`.
pub fn init_tracing(debug: bool) {
    let default = if debug {
        "info,charge_server=debug,charge_store=debug"
    } else {
        "info"
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .try_init();
}

/// Initialises logging at a fixed level (command-line tools); `RUST_LOG` still wins.
pub fn init_tracing_at(level: tracing::Level) {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new(level.as_str().to_lowercase()));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .try_init();
}

/// The contract's series (name, type, help): each is always in `/metrics`, as a single
/// unlabelled `<name> 0` until it has samples, so dashboards and alerts find it before the
/// first socket or TURN probe.
pub const CONTRACT_SERIES: &[(&str, &str, &str)] = &[
    (
        "realtime_active_connections",
        "gauge",
        "Number of active websocket connections handled locally.",
    ),
    (
        "realtime_events_total",
        "counter",
        "Count of realtime messages processed by the websocket managers.",
    ),
    (
        "turn_auth_failure_total",
        "counter",
        "Number of failed TURN authentication validation probes.",
    ),
    (
        "turn_auth_success_total",
        "counter",
        "Number of successful TURN authentication validation probes.",
    ),
    (
        "turn_health_duration_seconds",
        "gauge",
        "Execution time of the most recent TURN health probe run.",
    ),
    (
        "turn_health_last_run_timestamp",
        "gauge",
        "Unix timestamp of the last TURN health probe run.",
    ),
    (
        "turn_port_availability",
        "gauge",
        "Availability of TURN listener ports (1=reachable, 0=offline).",
    ),
];

/// Adds the HELP/TYPE lines and a zero sample of every contract series the exporter left out
/// (it prints only series that have been recorded).
pub fn with_contract_series(mut text: String) -> String {
    for (name, kind, help) in CONTRACT_SERIES {
        if text.contains(&format!("# TYPE {name} ")) {
            continue;
        }
        if !text.is_empty() && !text.ends_with('\n') {
            text.push('\n');
        }
        text.push_str(&format!(
            "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} 0\n"
        ));
    }
    text
}

pub fn describe_metrics() {
    charge_turn::describe_metrics();
    metrics::describe_gauge!(
        "realtime_active_connections",
        "Number of active websocket connections handled locally."
    );
    metrics::describe_counter!(
        "realtime_events_total",
        "Count of realtime messages processed by the websocket managers."
    );
    metrics::describe_counter!(
        "http_requests_total",
        "HTTP requests answered, by method, route and status."
    );
    metrics::describe_histogram!(
        "http_request_duration_seconds",
        metrics::Unit::Seconds,
        "HTTP request latency."
    );
}

static PROCESS: std::sync::OnceLock<metrics_process::Collector> = std::sync::OnceLock::new();

/// Refreshes the process series (CPU seconds, resident memory, open descriptors, threads,
/// start time) just before `/metrics` renders them.
pub fn collect_process_metrics() {
    PROCESS
        .get_or_init(|| {
            let collector = metrics_process::Collector::default();
            collector.describe();
            collector
        })
        .collect();
}

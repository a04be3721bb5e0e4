//! Probe results as Prometheus series, through the `metrics` facade (the server installs the
//! recorder and renders `/metrics`).

use crate::probe::{Report, unix_seconds};

pub const PORT_AVAILABILITY: &str = "turn_port_availability";
pub const AUTH_SUCCESS_TOTAL: &str = "turn_auth_success_total";
pub const AUTH_FAILURE_TOTAL: &str = "turn_auth_failure_total";
pub const LAST_RUN_TIMESTAMP: &str = "turn_health_last_run_timestamp";
pub const DURATION_SECONDS: &str = "turn_health_duration_seconds";

/// Registers the HELP texts. Call once after installing the recorder.
pub fn describe_metrics() {
    metrics::describe_gauge!(
        PORT_AVAILABILITY,
        "Availability of TURN listener ports (1=reachable, 0=offline)."
    );
    metrics::describe_counter!(
        AUTH_SUCCESS_TOTAL,
        "Number of successful TURN authentication validation probes."
    );
    metrics::describe_counter!(
        AUTH_FAILURE_TOTAL,
        "Number of failed TURN authentication validation probes."
    );
    metrics::describe_gauge!(
        LAST_RUN_TIMESTAMP,
        "Unix timestamp of the last TURN health probe run."
    );
    metrics::describe_gauge!(
        DURATION_SECONDS,
        "Execution time of the most recent TURN health probe run."
    );
}

/// Records one probe run:
/// - `turn_port_availability{server,port,transport}` = 1 when the listener answered, else 0
///   (not set for URLs that could not be parsed: they name no port);
/// - `turn_auth_success_total{server,transport}` += 1 per successful Allocate;
/// - `turn_auth_failure_total{server,transport,category}` += 1 per failure (`transport` is
///   `unknown` for unparsable URLs);
/// - `turn_health_last_run_timestamp` and `turn_health_duration_seconds` for the run.
pub fn record_metrics(report: &Report) {
    for result in &report.results {
        let server = result.server.clone();
        let transport = result.transport.map_or("unknown", |t| t.as_str());
        if let Some(port) = result.port {
            metrics::gauge!(
                PORT_AVAILABILITY,
                "server" => server.clone(),
                "port" => port.to_string(),
                "transport" => transport,
            )
            .set(if result.reachable { 1.0 } else { 0.0 });
        }
        match result.category {
            None => metrics::counter!(
                AUTH_SUCCESS_TOTAL,
                "server" => server,
                "transport" => transport,
            )
            .increment(1),
            Some(category) => metrics::counter!(
                AUTH_FAILURE_TOTAL,
                "server" => server,
                "transport" => transport,
                "category" => category.as_str(),
            )
            .increment(1),
        }
    }
    metrics::gauge!(LAST_RUN_TIMESTAMP).set(unix_seconds(report.finished_at));
    metrics::gauge!(DURATION_SECONDS).set(report.duration.as_secs_f64());
}

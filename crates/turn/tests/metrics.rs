//! Probe results reach the `metrics` facade, both from a single run and from the server's
//! background loop. This file installs a process-wide recorder, so it is its own test binary.

mod support;

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use charge_turn::{ProbeOptions, describe_metrics, probe_all, record_metrics, run_background};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use support::{Coturn, PASSWORD, static_config, temp_dir};

/// The same exporter the server renders `/metrics` with, installed once for this binary.
fn prometheus() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let handle = PrometheusBuilder::new()
            .install_recorder()
            .expect("install the Prometheus recorder");
        describe_metrics();
        handle
    })
}

/// The value of the sample of `name` with exactly `labels`, from the rendered exposition text.
fn sample(name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    let text = prometheus().render();
    text.lines().find_map(|line| {
        let (series, value) = line.rsplit_once(' ')?;
        let (series_name, series_labels) = match series.split_once('{') {
            Some((series_name, rest)) => (series_name, rest.strip_suffix('}')?),
            None => (series, ""),
        };
        if series_name != name {
            return None;
        }
        let wanted: Vec<String> = labels.iter().map(|(k, v)| format!("{k}=\"{v}\"")).collect();
        let count = if series_labels.is_empty() {
            0
        } else {
            series_labels.matches("\",").count() + 1
        };
        let all = wanted
            .iter()
            .all(|label| series_labels.contains(label.as_str()));
        (all && count == labels.len()).then(|| value.parse().ok())?
    })
}

#[tokio::test]
async fn a_run_records_availability_auth_counters_and_run_gauges() {
    prometheus();
    let dir = temp_dir();
    let coturn = Coturn::plain(dir.path());
    let good = coturn.url("udp");
    let closed_port = support::free_port();
    let closed = format!("turn:127.0.0.1:{closed_port}?transport=tcp");
    let opts = ProbeOptions {
        timeout: Duration::from_secs(3),
        ..ProbeOptions::default()
    };

    let report = probe_all(
        &static_config(
            vec![good.clone(), closed.clone(), "nonsense".into()],
            PASSWORD,
        ),
        &[],
        &opts,
    )
    .await;
    record_metrics(&report);

    let port = coturn.port.to_string();
    let closed_port = closed_port.to_string();
    assert_eq!(
        sample(
            "turn_port_availability",
            &[
                ("server", good.as_str()),
                ("port", port.as_str()),
                ("transport", "udp")
            ]
        ),
        Some(1.0)
    );
    assert_eq!(
        sample(
            "turn_port_availability",
            &[
                ("server", closed.as_str()),
                ("port", closed_port.as_str()),
                ("transport", "tcp")
            ]
        ),
        Some(0.0)
    );
    assert_eq!(
        sample(
            "turn_auth_success_total",
            &[("server", good.as_str()), ("transport", "udp")]
        ),
        Some(1.0)
    );
    assert_eq!(
        sample(
            "turn_auth_failure_total",
            &[
                ("server", closed.as_str()),
                ("transport", "tcp"),
                ("category", "connect")
            ]
        ),
        Some(1.0)
    );
    assert_eq!(
        sample(
            "turn_auth_failure_total",
            &[
                ("server", "nonsense"),
                ("transport", "unknown"),
                ("category", "config")
            ]
        ),
        Some(1.0)
    );
    let last_run = sample("turn_health_last_run_timestamp", &[]).expect("last run gauge");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64();
    assert!((now - last_run).abs() < 60.0, "{last_run} vs {now}");
    let duration = sample("turn_health_duration_seconds", &[]).expect("duration gauge");
    assert!(duration > 0.0 && duration < 10.0, "{duration}");
}

#[tokio::test]
async fn the_background_loop_records_metrics_until_shut_down() {
    prometheus();
    let dir = temp_dir();
    let coturn = Coturn::plain(dir.path());
    let url = coturn.url("tcp");
    let config = static_config(vec![url.clone()], PASSWORD);
    let opts = ProbeOptions {
        timeout: Duration::from_secs(3),
        ..ProbeOptions::default()
    };
    let success = |url: &str| {
        sample(
            "turn_auth_success_total",
            &[("server", url), ("transport", "tcp")],
        )
        .unwrap_or(0.0)
    };

    // Shut down once two runs have been recorded (bounded wait).
    let probe_url = url.clone();
    let shutdown = async move {
        let give_up = Instant::now() + Duration::from_secs(20);
        while success(&probe_url) < 2.0 && Instant::now() < give_up {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    };
    tokio::time::timeout(
        Duration::from_secs(30),
        run_background(config, Duration::from_secs(1), opts, shutdown),
    )
    .await
    .expect("run_background returns after shutdown");

    assert!(success(&url) >= 2.0, "{}", prometheus().render());
    let port = coturn.port.to_string();
    assert_eq!(
        sample(
            "turn_port_availability",
            &[
                ("server", url.as_str()),
                ("port", port.as_str()),
                ("transport", "tcp")
            ]
        ),
        Some(1.0)
    );
}

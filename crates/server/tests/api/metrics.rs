//! `/metrics`: process series, HTTP counters and the real-time gauges.

use crate::common::ws::{connect, next_of};
use crate::common::{Db, TestApp, both_backends};

async fn metrics(app: &TestApp) -> String {
    let res = app.client.get(app.url("/metrics")).send().await.unwrap();
    assert_eq!(
        res.headers()["content-type"],
        "text/plain; version=0.0.4; charset=utf-8"
    );
    res.text().await.unwrap()
}

fn value(text: &str, prefix: &str) -> f64 {
    text.lines()
        .find(|l| l.starts_with(prefix))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no series starting with {prefix}"))
}

both_backends!(metrics_expose_process_http_and_realtime_series);
async fn metrics_expose_process_http_and_realtime_series(db: Db) {
    let app = TestApp::spawn(db).await;
    let (_, alice) = app.user("alice").await;
    let slug = app.room(&alice, "Metrics").await;
    let channel = app.channel(&alice, &slug, "general", "text").await["id"]
        .as_i64()
        .unwrap();
    let mut ws = connect(&app.base, &format!("/ws/text/{channel}?token={alice}")).await;
    next_of(&mut ws, "presence").await;

    let text = metrics(&app).await;
    assert!(value(&text, "process_resident_memory_bytes") > 1_000_000.0);
    assert!(value(&text, "process_cpu_seconds_total") >= 0.0);
    assert!(value(&text, "process_open_fds") > 0.0);
    assert!(
        text.contains("http_requests_total{method=\"POST\",route=\"/api/rooms\",status=\"201\"}")
    );
    assert!(text.contains("http_request_duration_seconds"));
    // Tests in this binary share one process, so at least this socket is counted.
    assert!(value(&text, "realtime_active_connections{scope=\"channels\"}") >= 1.0);
    assert!(text.contains("# HELP realtime_active_connections"));
    app.stop().await;
}

both_backends!(the_contract_series_are_listed_before_anything_records_them);
async fn the_contract_series_are_listed_before_anything_records_them(db: Db) {
    let app = TestApp::spawn(db).await;
    let text = metrics(&app).await;
    for (name, kind) in [
        ("turn_port_availability", "gauge"),
        ("turn_auth_success_total", "counter"),
        ("turn_auth_failure_total", "counter"),
        ("turn_health_last_run_timestamp", "gauge"),
        ("turn_health_duration_seconds", "gauge"),
        ("realtime_events_total", "counter"),
    ] {
        assert!(text.contains(&format!("# HELP {name} ")), "{name}:\n{text}");
        assert!(text.contains(&format!("# TYPE {name} {kind}\n")), "{name}");
        assert_eq!(
            text.matches(&format!("# TYPE {name} ")).count(),
            1,
            "{name} is listed once"
        );
        assert!(
            text.lines()
                .any(|l| l.starts_with(name) && !l.starts_with('#')),
            "{name} has a sample (0 until recorded)"
        );
    }
    assert!(text.ends_with('\n'));
    app.stop().await;
}

//! The `charge` binary: its exit status on a bad setting, `charge healthcheck` against a live
//! server and against nothing, and `charge migrate` on each backend.

use std::path::Path;
use std::process::Stdio;

use charge_server::Settings;

use crate::common::{Db, TEST_SECRET, TestApp, TestDatabase, both_backends};

/// `charge` with a clean environment (plus `vars`) in `dir`, so no developer setting leaks in.
fn charge(dir: &Path, args: &[&str], vars: &[(&str, &str)]) -> tokio::process::Command {
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_charge"));
    cmd.args(args)
        .current_dir(dir)
        .env_clear()
        .envs(vars.iter().copied())
        .stdin(Stdio::null())
        .kill_on_drop(true);
    cmd
}

#[tokio::test]
async fn the_binary_exits_with_status_2_naming_a_bad_variable() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = charge(dir.path(), &[], &[("PORT", "abc")])
        .output()
        .await
        .expect("run charge");
    assert_eq!(
        out.status.code(),
        Some(2),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("PORT"), "{stderr}");
    assert!(
        stderr.contains("PORT=8000"),
        "the message shows a good value: {stderr}"
    );

    // The same happens when the bad value comes from a dotenv file in the working directory.
    std::fs::write(dir.path().join(".env"), "WEBRTC_TURN_SERVERS=[broken\n").expect("write .env");
    let out = charge(dir.path(), &["serve"], &[])
        .output()
        .await
        .expect("run charge");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("WEBRTC_TURN_SERVERS"));
    assert!(
        !dir.path().join("data").exists(),
        "nothing started half-configured"
    );
}

both_backends!(healthcheck_exits_0_against_a_running_server_and_non_zero_when_nothing_listens);
async fn healthcheck_exits_0_against_a_running_server_and_non_zero_when_nothing_listens(db: Db) {
    let app = TestApp::spawn(db).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let port = app.addr.port().to_string();
    let out = charge(
        dir.path(),
        &["healthcheck"],
        &[("HOST", "127.0.0.1"), ("PORT", &port)],
    )
    .output()
    .await
    .expect("run charge");
    assert!(
        out.status.success(),
        "healthcheck against a live server: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    app.stop().await;

    let free_port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
        .to_string();
    let out = charge(
        dir.path(),
        &["healthcheck", "--timeout", "1"],
        &[("HOST", "127.0.0.1"), ("PORT", &free_port)],
    )
    .output()
    .await
    .expect("run charge");
    assert!(!out.status.success(), "nothing listens on {free_port}");
    assert_ne!(
        out.status.code(),
        Some(2),
        "a dead server is not a configuration error"
    );
    assert!(!out.stderr.is_empty(), "it says why");
}

#[tokio::test]
async fn migrate_creates_and_migrates_an_embedded_database_then_exits_0() {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!("sqlite://{}/fresh/charge.db", dir.path().display());
    let out = charge(dir.path(), &["migrate"], &[("DATABASE_URL", &url)])
        .output()
        .await
        .expect("run charge");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(dir.path().join("fresh/charge.db").exists());
    // A server started on the migrated file works straight away.
    let settings = Settings::for_tests(&[
        ("HOST", "127.0.0.1"),
        ("PORT", "0"),
        ("DATABASE_URL", &url),
        ("JWT_SECRET_KEY", "x".repeat(40).as_str()),
    ])
    .expect("settings");
    let app = charge_server::Application::build(settings)
        .await
        .expect("build on the migrated file");
    assert_ne!(app.local_addr().port(), 0);
}

#[tokio::test]
async fn migrate_brings_a_fresh_mariadb_database_up_to_date_then_exits_0() {
    if !Db::mariadb_runs("migrate_brings_a_fresh_mariadb_database_up_to_date_then_exits_0") {
        return;
    }
    let database = TestDatabase::create(Db::MariaDb).await;
    let out = charge(
        database.dir.path(),
        &["migrate"],
        &[("DATABASE_URL", &database.url)],
    )
    .output()
    .await
    .expect("run charge");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // A second run finds nothing to do and still succeeds.
    let again = charge(
        database.dir.path(),
        &["migrate"],
        &[("DATABASE_URL", &database.url)],
    )
    .output()
    .await
    .expect("run charge");
    assert!(
        again.status.success(),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    // A server started on the migrated database works straight away.
    let settings = Settings::for_tests(&[
        ("HOST", "127.0.0.1"),
        ("PORT", "0"),
        ("DATABASE_URL", &database.url),
        ("JWT_SECRET_KEY", TEST_SECRET),
    ])
    .expect("settings");
    let app = charge_server::Application::build(settings)
        .await
        .expect("build on the migrated database");
    assert_ne!(app.local_addr().port(), 0);
}

//! `turn-health` exit statuses and `turn-secret --update-env`.

mod support;

use std::fs;
use std::os::unix::fs::PermissionsExt as _;
use std::process::ExitCode;

use charge_turn::{TurnConfig, TurnHealthArgs, TurnSecretArgs, run_turn_health, run_turn_secret};
use support::{Coturn, PASSWORD, static_config, temp_dir};

fn health_args(turn_urls: Vec<String>, json: bool) -> TurnHealthArgs {
    TurnHealthArgs {
        log_level: "info".into(),
        interval: 0.0,
        timeout: 3.0,
        turn_urls,
        json,
        insecure: false,
        ca_file: None,
    }
}

fn secret_args(update_env: Option<std::path::PathBuf>) -> TurnSecretArgs {
    TurnSecretArgs {
        length: 48,
        update_env,
        variable: "WEBRTC_TURN_CREDENTIAL".into(),
        silent: true,
    }
}

#[tokio::test]
async fn turn_health_exits_zero_when_every_endpoint_allocates() {
    let dir = temp_dir();
    let coturn = Coturn::plain(dir.path());
    let config = static_config(vec![coturn.url("udp")], PASSWORD);

    let code = run_turn_health(health_args(vec![coturn.url("tcp")], false), config).await;

    assert_eq!(code, ExitCode::SUCCESS);
}

#[tokio::test]
async fn turn_health_exits_non_zero_when_any_endpoint_fails() {
    let dir = temp_dir();
    let coturn = Coturn::plain(dir.path());
    let config = static_config(vec![coturn.url("udp")], PASSWORD);
    let closed = format!("turn:127.0.0.1:{}", support::free_port());

    let code = run_turn_health(health_args(vec![closed], true), config).await;

    assert_eq!(code, ExitCode::from(charge_turn::EXIT_FAILURES));
}

#[tokio::test]
async fn turn_health_with_nothing_configured_is_a_usage_error() {
    let code = run_turn_health(health_args(vec![], false), TurnConfig::default()).await;

    assert_eq!(code, ExitCode::from(charge_turn::EXIT_USAGE));
}

#[tokio::test]
async fn turn_health_rejects_an_unreadable_ca_file() {
    let mut args = health_args(vec!["turns:127.0.0.1".into()], false);
    args.ca_file = Some("/nonexistent/ca.pem".into());

    let code = run_turn_health(args, TurnConfig::default()).await;

    assert_eq!(code, ExitCode::from(charge_turn::EXIT_USAGE));
}

#[test]
fn turn_secret_update_env_replaces_the_credential_and_keeps_everything_else() {
    let dir = temp_dir();
    let env = dir.path().join(".env.local");
    let original = "# Charge settings\nWEBRTC_TURN_USERNAME=charge\nWEBRTC_TURN_CREDENTIAL=old-secret\n\n# WEBRTC_TURN_CREDENTIAL=commented-out\nDATABASE_URL=sqlite://charge.db\n";
    fs::write(&env, original).unwrap();
    fs::set_permissions(&env, fs::Permissions::from_mode(0o644)).unwrap();

    assert_eq!(
        run_turn_secret(secret_args(Some(env.clone()))),
        ExitCode::SUCCESS
    );

    let updated = fs::read_to_string(&env).unwrap();
    let lines: Vec<&str> = updated.lines().collect();
    assert_eq!(lines.len(), 6, "{updated}");
    assert_eq!(lines[0], "# Charge settings");
    assert_eq!(lines[1], "WEBRTC_TURN_USERNAME=charge");
    let secret = lines[2]
        .strip_prefix("WEBRTC_TURN_CREDENTIAL=")
        .expect("credential line");
    assert_eq!(secret.len(), 48);
    assert_ne!(secret, "old-secret");
    assert_eq!(lines[3], "");
    assert_eq!(lines[4], "# WEBRTC_TURN_CREDENTIAL=commented-out");
    assert_eq!(lines[5], "DATABASE_URL=sqlite://charge.db");
    assert!(updated.ends_with('\n'));
    let mode = fs::metadata(&env).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "mode {mode:o}");
    // Nothing left behind by the atomic replace.
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);

    // A second rotation changes the value again.
    assert_eq!(
        run_turn_secret(secret_args(Some(env.clone()))),
        ExitCode::SUCCESS
    );
    let rotated = fs::read_to_string(&env).unwrap();
    assert!(!rotated.contains(secret));
}

#[test]
fn turn_secret_update_env_creates_a_missing_file_with_mode_0600() {
    let dir = temp_dir();
    let env = dir.path().join("config").join(".env.local");
    let mut args = secret_args(Some(env.clone()));
    args.variable = "WEBRTC_TURN_SHARED_SECRET".into();
    args.length = 64;

    assert_eq!(run_turn_secret(args), ExitCode::SUCCESS);

    let text = fs::read_to_string(&env).unwrap();
    let secret = text
        .strip_prefix("WEBRTC_TURN_SHARED_SECRET=")
        .and_then(|rest| rest.strip_suffix('\n'))
        .expect("one assignment line");
    assert_eq!(secret.len(), 64);
    let mode = fs::metadata(&env).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "mode {mode:o}");
}

#[test]
fn turn_secret_rejects_weak_lengths_and_bad_variable_names() {
    let mut args = secret_args(None);
    args.length = 8;
    assert_eq!(
        run_turn_secret(args),
        ExitCode::from(charge_turn::EXIT_USAGE)
    );

    let mut args = secret_args(None);
    args.variable = "NOT-A-NAME".into();
    assert_eq!(
        run_turn_secret(args),
        ExitCode::from(charge_turn::EXIT_USAGE)
    );
}

//! `docker/turnserver/entrypoint.sh` run for real on loopback (no container needed): the
//! coturn it configures passes the probe, and its credentials rotate without a restart, as
//! `docs/devops/turn-credential-rotation.md` describes.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use charge_turn::{Category, EndpointResult, ProbeOptions, TurnConfig, probe_all};
use support::{Coturn, TestPki, free_port, temp_dir};

const REALM: &str = "charvi.test";

fn entrypoint() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docker/turnserver/entrypoint.sh")
}

/// The entrypoint with a clean environment: only `PATH` and `vars`.
fn entrypoint_command(vars: &[(&str, String)]) -> Command {
    let mut command = Command::new("sh");
    command.arg(entrypoint()).env_clear();
    if let Some(path) = std::env::var_os("PATH") {
        command.env("PATH", path);
    }
    for (name, value) in vars {
        command.env(name, value);
    }
    command
}

fn dry_run(vars: &[(&str, String)]) -> (bool, String, String) {
    let mut vars = vars.to_vec();
    vars.push(("TURN_DRY_RUN", "1".into()));
    let output = entrypoint_command(&vars)
        .output()
        .expect("run the entrypoint");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Starts coturn through the entrypoint on loopback, with files in `dir`.
fn start(dir: &Path, credentials: &[(&str, String)], pki: Option<&TestPki>) -> Coturn {
    let port = free_port();
    let tls_port = pki.map(|_| free_port());
    let mut vars = vec![
        ("TURN_REALM", REALM.to_string()),
        ("TURN_LISTENING_IP", "127.0.0.1".into()),
        ("TURN_RELAY_IP", "127.0.0.1".into()),
        ("TURN_PORT", port.to_string()),
        ("TURN_TLS_PORT", tls_port.unwrap_or(1).to_string()),
        (
            "TURN_CONFIG_FILE",
            dir.join("turnserver.conf").display().to_string(),
        ),
        ("TURN_USERDB", dir.join("turndb").display().to_string()),
        (
            "TURN_PID_FILE",
            dir.join("turnserver.pid").display().to_string(),
        ),
        (
            "TURN_CERT_FILE",
            dir.join("missing.pem").display().to_string(),
        ),
        ("TURN_PROC_USER", String::new()),
    ];
    if let Some(pki) = pki {
        vars.push(("TURN_CERT_FILE", pki.cert.display().to_string()));
        vars.push(("TURN_KEY_FILE", pki.key.display().to_string()));
    }
    vars.extend_from_slice(credentials);
    let log = dir.join(format!("entrypoint-{port}.log"));
    Coturn::spawn(entrypoint_command(&vars), port, tls_port, log)
}

fn turnadmin(dir: &Path, args: &[&str]) {
    let db = dir.join("turndb");
    let child = Command::new("turnadmin")
        .arg("-b")
        .arg(&db)
        .args(["-r", REALM])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run turnadmin");
    let pid = child.id();
    let output = child.wait_with_output().expect("wait for turnadmin");
    // turnadmin always opens a log file named after its pid, usually in /var/log; drop it.
    if let Ok(entries) = std::fs::read_dir("/var/log") {
        let prefix = format!("turn_{pid}_");
        for entry in entries.flatten() {
            if entry.file_name().to_string_lossy().starts_with(&prefix) {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
    assert!(
        output.status.success(),
        "turnadmin {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

async fn probe_static(coturn: &Coturn, user: &str, password: &str) -> EndpointResult {
    let config = TurnConfig {
        turn_servers: vec![coturn.url("udp")],
        username: Some(user.into()),
        credential: Some(password.into()),
        ..TurnConfig::default()
    };
    let mut report = probe_all(&config, &[], &options()).await;
    report.results.remove(0)
}

async fn probe_secret(coturn: &Coturn, secret: &str) -> EndpointResult {
    let config = TurnConfig {
        turn_servers: vec![coturn.url("tcp")],
        shared_secret: Some(secret.into()),
        ..TurnConfig::default()
    };
    let mut report = probe_all(&config, &[], &options()).await;
    report.results.remove(0)
}

fn options() -> ProbeOptions {
    ProbeOptions {
        timeout: Duration::from_secs(5),
        ..ProbeOptions::default()
    }
}

#[test]
fn dry_run_defaults_to_the_webrtc_variables_and_never_prints_the_password() {
    let (ok, stdout, stderr) = dry_run(&[
        ("WEBRTC_TURN_REALM", "charvi.ru".into()),
        ("WEBRTC_TURN_USERNAME", "alice".into()),
        ("WEBRTC_TURN_CREDENTIAL", "very-secret-password".into()),
        ("TURN_EXTERNAL_IP", "203.0.113.7".into()),
    ]);

    assert!(ok, "{stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    for expected in [
        "realm=charvi.ru",
        "lt-cred-mech",
        "listening-port=3478",
        "external-ip=203.0.113.7",
        "userdb=/var/lib/coturn/turndb",
        "no-tls",
        "denied-peer-ip=10.0.0.0-10.255.255.255",
    ] {
        assert!(
            lines.contains(&expected),
            "missing `{expected}` in:\n{stdout}"
        );
    }
    assert!(stdout.contains("-a -u alice -p <password>"), "{stdout}");
    assert!(!stdout.contains("very-secret-password"), "{stdout}");
    assert!(!lines.contains(&"use-auth-secret"));
}

#[test]
fn dry_run_with_a_shared_secret_uses_the_turn_rest_mode() {
    let (ok, stdout, stderr) = dry_run(&[
        ("WEBRTC_TURN_SHARED_SECRET", "shared-secret-value".into()),
        ("TURN_REALM", "override.example".into()),
        ("WEBRTC_TURN_REALM", "ignored.example".into()),
    ]);

    assert!(ok, "{stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(lines.contains(&"use-auth-secret"), "{stdout}");
    assert!(lines.contains(&"realm=override.example"), "{stdout}");
    assert!(!lines.contains(&"lt-cred-mech"), "{stdout}");
    assert!(!stdout.contains("shared-secret-value"), "{stdout}");
}

#[test]
fn the_entrypoint_refuses_to_start_without_any_credential() {
    let output = entrypoint_command(&[("TURN_DRY_RUN", "1".into())])
        .output()
        .expect("run the entrypoint");

    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("TURN_PASSWORD"), "{stderr}");
}

#[tokio::test]
async fn the_configured_coturn_allocates_over_udp_tcp_and_tls() {
    let dir = temp_dir();
    let pki = TestPki::generate(dir.path());
    let coturn = start(
        dir.path(),
        &[
            ("WEBRTC_TURN_USERNAME", "charge".into()),
            ("WEBRTC_TURN_CREDENTIAL", "s3cret-pass".into()),
        ],
        Some(&pki),
    );
    let config = TurnConfig {
        turn_servers: vec![coturn.url("udp"), coturn.url("tcp"), coturn.tls_url()],
        username: Some("charge".into()),
        credential: Some("s3cret-pass".into()),
        ..TurnConfig::default()
    };

    let report = probe_all(&config, &[], &pki.options(Duration::from_secs(5))).await;

    for result in &report.results {
        assert!(result.ok, "{result:#?}\n{}", coturn.log_text());
        assert!(result.released, "{result:#?}");
    }
    // The password is kept out of the generated config file.
    let config_file = std::fs::read_to_string(dir.path().join("turnserver.conf")).unwrap();
    assert!(!config_file.contains("s3cret-pass"), "{config_file}");
}

#[tokio::test]
async fn a_static_credential_rotates_on_the_running_server() {
    let dir = temp_dir();
    let mut coturn = start(
        dir.path(),
        &[
            ("TURN_USER", "charge-q3".into()),
            ("TURN_PASSWORD", "old-password".into()),
        ],
        None,
    );
    let pid = coturn.pid();
    assert!(probe_static(&coturn, "charge-q3", "old-password").await.ok);

    // Step 1: add the new user next to the old one.
    turnadmin(dir.path(), &["-a", "-u", "charge-q4", "-p", "new-password"]);
    let new = probe_static(&coturn, "charge-q4", "new-password").await;
    assert!(new.ok, "{new:#?}\n{}", coturn.log_text());
    assert!(probe_static(&coturn, "charge-q3", "old-password").await.ok);

    // Step 3: once nothing uses the old user any more, remove it.
    turnadmin(dir.path(), &["-d", "-u", "charge-q3"]);
    let old = probe_static(&coturn, "charge-q3", "old-password").await;
    assert_eq!(old.category, Some(Category::Auth), "{old:#?}");
    assert!(probe_static(&coturn, "charge-q4", "new-password").await.ok);

    assert!(coturn.is_running());
    assert_eq!(coturn.pid(), pid, "coturn was never restarted");
}

#[tokio::test]
async fn a_shared_secret_rotates_on_the_running_server() {
    let dir = temp_dir();
    let mut coturn = start(
        dir.path(),
        &[("WEBRTC_TURN_SHARED_SECRET", "old-shared-secret".into())],
        None,
    );
    assert!(probe_secret(&coturn, "old-shared-secret").await.ok);
    let new = probe_secret(&coturn, "new-shared-secret").await;
    assert_eq!(new.category, Some(Category::Auth), "{new:#?}");

    turnadmin(dir.path(), &["-s", "new-shared-secret"]);
    let new = probe_secret(&coturn, "new-shared-secret").await;
    assert!(new.ok, "{new:#?}\n{}", coturn.log_text());
    assert!(probe_secret(&coturn, "old-shared-secret").await.ok);

    turnadmin(dir.path(), &["-X", "old-shared-secret"]);
    let old = probe_secret(&coturn, "old-shared-secret").await;
    assert_eq!(old.category, Some(Category::Auth), "{old:#?}");
    assert!(probe_secret(&coturn, "new-shared-secret").await.ok);
    assert!(coturn.is_running());
}

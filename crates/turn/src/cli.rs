//! `charge turn-health` and `charge turn-secret`, and the probe loop the server runs in the
//! background. The server crate owns argument parsing and settings; it hands over the parsed
//! arguments and the [`TurnConfig`] built from its settings.

use std::fs;
use std::future::Future;
use std::io::{self, Write as _};
use std::os::unix::fs::{OpenOptionsExt as _, PermissionsExt as _};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::Args;

use crate::config::TurnConfig;
use crate::credentials::{
    DEFAULT_SECRET_LENGTH, MAX_SECRET_LENGTH, MIN_SECRET_LENGTH, generate_secret,
};
use crate::metrics::record_metrics;
use crate::probe::{DEFAULT_TIMEOUT, ProbeOptions, Report, probe_all};
use crate::tls::load_pem_certificates;

/// Exit status when at least one endpoint failed.
pub const EXIT_FAILURES: u8 = 1;
/// Exit status for unusable arguments or when there is nothing to probe.
pub const EXIT_USAGE: u8 = 2;

/// `charge turn-health`: probe every configured TURN endpoint with a real Allocate.
#[derive(Args, Clone, Debug)]
pub struct TurnHealthArgs {
    /// Log level (error, warn, info, debug, trace); unknown names mean info. `RUST_LOG` wins.
    #[arg(long, default_value = "info")]
    pub log_level: String,
    /// Keep probing every N seconds until interrupted (0 = probe once).
    #[arg(long, default_value_t = 0.0, value_name = "SECONDS")]
    pub interval: f64,
    /// Deadline for each endpoint: resolution, connection, TLS, Allocate and release.
    #[arg(long, default_value_t = DEFAULT_TIMEOUT.as_secs_f64(), value_name = "SECONDS")]
    pub timeout: f64,
    /// Also probe this URL with the base credentials (repeatable).
    #[arg(long = "turn-url", value_name = "URL")]
    pub turn_urls: Vec<String>,
    /// Print each run as one JSON document per line instead of text.
    #[arg(long)]
    pub json: bool,
    /// Do not verify TLS certificates of `turns:` endpoints.
    #[arg(long)]
    pub insecure: bool,
    /// Trust the CA certificates in this PEM file too (private CAs, self-signed servers).
    #[arg(long, value_name = "FILE")]
    pub ca_file: Option<PathBuf>,
}

impl TurnHealthArgs {
    /// The `tracing` level for `--log-level`, for the caller's subscriber.
    pub fn tracing_level(&self) -> tracing::Level {
        self.log_level
            .trim()
            .parse()
            .unwrap_or(tracing::Level::INFO)
    }

    fn probe_options(&self) -> Result<ProbeOptions, String> {
        let timeout = seconds("--timeout", self.timeout)?;
        if timeout.is_zero() {
            return Err("--timeout must be greater than 0".into());
        }
        let extra_roots = match &self.ca_file {
            Some(path) => load_pem_certificates(path).map_err(|e| e.to_string())?,
            None => Vec::new(),
        };
        Ok(ProbeOptions {
            timeout,
            insecure: self.insecure,
            extra_roots,
            ..ProbeOptions::default()
        })
    }
}

fn seconds(flag: &str, value: f64) -> Result<Duration, String> {
    Duration::try_from_secs_f64(value)
        .map_err(|_| format!("{flag} must be a non-negative number of seconds (got {value})"))
}

/// Runs the probe once (or every `--interval` seconds until Ctrl-C) and prints the results.
///
/// Exit status: 0 when every endpoint succeeded, 1 when any failed (in interval mode: in the
/// last run), 2 for bad arguments or when no TURN URL is configured.
pub async fn run_turn_health(args: TurnHealthArgs, config: TurnConfig) -> ExitCode {
    let (opts, interval) = match args
        .probe_options()
        .and_then(|opts| Ok((opts, seconds("--interval", args.interval)?)))
    {
        Ok(parsed) => parsed,
        Err(message) => {
            eprintln!("turn-health: {message}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    if config.turn_servers.is_empty()
        && config.fallback_servers.is_empty()
        && args.turn_urls.is_empty()
    {
        tracing::warn!("No TURN servers configured for monitoring");
        eprintln!(
            "turn-health: nothing to probe: set WEBRTC_TURN_SERVERS or WEBRTC_TURN_FALLBACK_SERVERS, or pass --turn-url"
        );
        return ExitCode::from(EXIT_USAGE);
    }

    let mut last_ok;
    loop {
        let report = probe_all(&config, &args.turn_urls, &opts).await;
        record_metrics(&report);
        log_report(&report);
        if let Err(e) = print_report(&report, args.json) {
            eprintln!("turn-health: cannot write the report: {e}");
            return ExitCode::from(EXIT_USAGE);
        }
        last_ok = report.all_ok();
        if interval.is_zero() {
            break;
        }
        tokio::select! {
            () = tokio::time::sleep(interval) => {}
            _ = tokio::signal::ctrl_c() => break,
        }
    }
    if last_ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_FAILURES)
    }
}

fn print_report(report: &Report, json: bool) -> io::Result<()> {
    let mut out = io::stdout().lock();
    if json {
        serde_json::to_writer(&mut out, report)?;
        out.write_all(b"\n")?;
    } else {
        out.write_all(report.render_text().as_bytes())?;
    }
    out.flush()
}

/// Logs a run: the summary at info, failures at warn (server answered) or error (unreachable).
fn log_report(report: &Report) {
    tracing::info!(
        "TURN health run completed in {:.2}s ({} success, {} failure)",
        report.duration.as_secs_f64(),
        report.successes(),
        report.failures()
    );
    for result in &report.results {
        match result.category {
            None => tracing::debug!("{}", result.line()),
            Some(_) if result.reachable => tracing::warn!("{}", result.line()),
            Some(_) => tracing::error!("{}", result.line()),
        }
    }
}

/// The server's background probe (`TURN_HEALTH_INTERVAL_SECONDS` > 0): probes right away and
/// then every `interval`, recording metrics after each run, until `shutdown` completes.
/// Returns at once when no TURN URL is configured.
pub async fn run_background(
    config: TurnConfig,
    interval: Duration,
    opts: ProbeOptions,
    shutdown: impl Future<Output = ()>,
) {
    if config.turn_servers.is_empty() && config.fallback_servers.is_empty() {
        tracing::warn!("No TURN servers configured for monitoring");
        return;
    }
    let interval = interval.max(Duration::from_secs(1));
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let report = tokio::select! {
            report = probe_all(&config, &[], &opts) => report,
            () = &mut shutdown => return,
        };
        record_metrics(&report);
        log_report(&report);
        tokio::select! {
            () = tokio::time::sleep(interval) => {}
            () = &mut shutdown => return,
        }
    }
}

/// The variable `charge turn-secret --update-env` writes by default.
pub const DEFAULT_ENV_VARIABLE: &str = "WEBRTC_TURN_CREDENTIAL";

/// `charge turn-secret`: generate a TURN credential or shared secret.
#[derive(Args, Clone, Debug)]
pub struct TurnSecretArgs {
    /// Secret length in characters (URL-safe base64 alphabet, 6 bits each).
    #[arg(long, default_value_t = DEFAULT_SECRET_LENGTH, value_name = "N")]
    pub length: usize,
    /// Write `<VARIABLE>=<secret>` into this env file in place (created with mode 0600 if missing).
    #[arg(long, value_name = "FILE")]
    pub update_env: Option<PathBuf>,
    /// The variable `--update-env` sets, e.g. WEBRTC_TURN_SHARED_SECRET.
    #[arg(long, default_value = DEFAULT_ENV_VARIABLE, value_name = "NAME")]
    pub variable: String,
    /// Do not print the secret.
    #[arg(long)]
    pub silent: bool,
}

/// Prints a new secret and/or writes it into an env file. Exit status 2 on bad arguments,
/// 1 when the env file cannot be written.
pub fn run_turn_secret(args: TurnSecretArgs) -> ExitCode {
    if !(MIN_SECRET_LENGTH..=MAX_SECRET_LENGTH).contains(&args.length) {
        eprintln!(
            "turn-secret: --length must be between {MIN_SECRET_LENGTH} and {MAX_SECRET_LENGTH} (got {})",
            args.length
        );
        return ExitCode::from(EXIT_USAGE);
    }
    if !is_env_name(&args.variable) {
        eprintln!(
            "turn-secret: `{}` is not a valid variable name",
            args.variable
        );
        return ExitCode::from(EXIT_USAGE);
    }
    let secret = generate_secret(args.length);
    if let Some(path) = &args.update_env {
        if let Err(e) = update_env_file(path, &args.variable, &secret) {
            eprintln!("turn-secret: cannot update {}: {e}", path.display());
            return ExitCode::from(EXIT_FAILURES);
        }
        if !args.silent {
            eprintln!("Updated {} with {}.", path.display(), args.variable);
        }
    }
    if !args.silent {
        println!("{secret}");
    }
    ExitCode::SUCCESS
}

fn is_env_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Sets `variable=value` in the env file at `path`.
///
/// Every active assignment of `variable` (optionally indented or prefixed with `export `) is
/// replaced; comments and every other line stay byte for byte. Without one, the assignment is
/// appended. The new content goes to a 0600 temporary file in the same directory which then
/// replaces the original by rename, so readers never see a half-written file. A missing file
/// (and its directory) is created.
pub fn update_env_file(path: &Path, variable: &str, value: &str) -> io::Result<()> {
    let original = match fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(e),
    };
    let updated = set_env_line(&original, variable, value);

    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&dir)?;
    let file_name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "not a file path"))?;
    let temp = dir.join(format!(
        ".{}.{}.tmp",
        file_name.to_string_lossy(),
        generate_secret(MIN_SECRET_LENGTH)
    ));
    let write = || -> io::Result<()> {
        let mut file = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&temp)?;
        file.write_all(updated.as_bytes())?;
        // The mode given at creation is filtered by the umask; make it exact.
        file.set_permissions(fs::Permissions::from_mode(0o600))?;
        file.sync_all()?;
        fs::rename(&temp, path)
    };
    write().inspect_err(|_| {
        let _ = fs::remove_file(&temp);
    })
}

fn set_env_line(original: &str, variable: &str, value: &str) -> String {
    let mut replaced = false;
    let mut out = String::with_capacity(original.len() + variable.len() + value.len() + 2);
    for line in original.split_inclusive('\n') {
        let body = line.trim_end_matches(['\n', '\r']);
        let ending = &line[body.len()..];
        let indent_len = body.len() - body.trim_start().len();
        let (indent, rest) = body.split_at(indent_len);
        let (export, rest) = match rest.strip_prefix("export ") {
            Some(rest) => ("export ", rest.trim_start()),
            None => ("", rest),
        };
        if rest
            .strip_prefix(variable)
            .is_some_and(|after| after.trim_start().starts_with('='))
        {
            out.push_str(&format!("{indent}{export}{variable}={value}{ending}"));
            replaced = true;
        } else {
            out.push_str(line);
        }
    }
    if !replaced {
        if !out.is_empty() && !out.ends_with('\n') {
            out.push('\n');
        }
        out.push_str(&format!("{variable}={value}\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::{CommandFactory as _, Parser, Subcommand};

    /// How the server embeds the arguments: one subcommand each.
    #[derive(Parser, Debug)]
    struct Charge {
        #[command(subcommand)]
        command: Commands,
    }

    #[derive(Subcommand, Debug)]
    enum Commands {
        TurnHealth(TurnHealthArgs),
        TurnSecret(TurnSecretArgs),
    }

    #[test]
    fn the_arguments_work_as_subcommands() {
        Charge::command().debug_assert();
        let parsed = Charge::try_parse_from([
            "charge",
            "turn-health",
            "--turn-url",
            "turn:a.example",
            "--turn-url",
            "turns:b.example",
            "--json",
            "--timeout",
            "2.5",
            "--interval",
            "60",
            "--insecure",
            "--log-level",
            "debug",
        ])
        .unwrap();
        let Commands::TurnHealth(args) = parsed.command else {
            panic!("expected turn-health");
        };
        assert_eq!(args.turn_urls, vec!["turn:a.example", "turns:b.example"]);
        assert!(args.json && args.insecure);
        assert_eq!(args.timeout, 2.5);
        assert_eq!(args.interval, 60.0);

        let parsed = Charge::try_parse_from([
            "charge",
            "turn-secret",
            "--length",
            "64",
            "--update-env",
            ".env.local",
            "--silent",
        ])
        .unwrap();
        let Commands::TurnSecret(args) = parsed.command else {
            panic!("expected turn-secret");
        };
        assert_eq!(args.length, 64);
        assert_eq!(args.update_env.as_deref(), Some(Path::new(".env.local")));
        assert_eq!(args.variable, DEFAULT_ENV_VARIABLE);
        assert!(args.silent);

        let defaults = Charge::try_parse_from(["charge", "turn-health"]).unwrap();
        let Commands::TurnHealth(args) = defaults.command else {
            panic!("expected turn-health");
        };
        assert_eq!(args.timeout, DEFAULT_TIMEOUT.as_secs_f64());
        assert_eq!(args.interval, 0.0);
        assert_eq!(args.log_level, "info");
    }

    #[test]
    fn an_existing_assignment_is_replaced_in_place() {
        let original = "# TURN\nWEBRTC_TURN_USERNAME=charge\nWEBRTC_TURN_CREDENTIAL=old\n# WEBRTC_TURN_CREDENTIAL=commented\nOTHER=1";
        assert_eq!(
            set_env_line(original, "WEBRTC_TURN_CREDENTIAL", "new"),
            "# TURN\nWEBRTC_TURN_USERNAME=charge\nWEBRTC_TURN_CREDENTIAL=new\n# WEBRTC_TURN_CREDENTIAL=commented\nOTHER=1"
        );
    }

    #[test]
    fn export_prefix_indentation_and_crlf_are_kept() {
        let original = "  export WEBRTC_TURN_CREDENTIAL = old\r\nA=b\r\n";
        assert_eq!(
            set_env_line(original, "WEBRTC_TURN_CREDENTIAL", "new"),
            "  export WEBRTC_TURN_CREDENTIAL=new\r\nA=b\r\n"
        );
    }

    #[test]
    fn a_missing_assignment_is_appended() {
        assert_eq!(set_env_line("", "X", "v"), "X=v\n");
        assert_eq!(set_env_line("A=1", "X", "v"), "A=1\nX=v\n");
        assert_eq!(
            set_env_line(
                "WEBRTC_TURN_CREDENTIAL_OLD=1\n",
                "WEBRTC_TURN_CREDENTIAL",
                "v"
            ),
            "WEBRTC_TURN_CREDENTIAL_OLD=1\nWEBRTC_TURN_CREDENTIAL=v\n"
        );
    }

    #[test]
    fn log_levels_parse_leniently() {
        let args = |level: &str| TurnHealthArgs {
            log_level: level.into(),
            interval: 0.0,
            timeout: 1.0,
            turn_urls: vec![],
            json: false,
            insecure: false,
            ca_file: None,
        };
        assert_eq!(args("DEBUG").tracing_level(), tracing::Level::DEBUG);
        assert_eq!(args("warn").tracing_level(), tracing::Level::WARN);
        assert_eq!(args("loud").tracing_level(), tracing::Level::INFO);
    }

    #[test]
    fn negative_or_zero_timeouts_are_rejected() {
        let mut args = TurnHealthArgs {
            log_level: "info".into(),
            interval: 0.0,
            timeout: -1.0,
            turn_urls: vec![],
            json: false,
            insecure: false,
            ca_file: None,
        };
        assert!(args.probe_options().is_err());
        args.timeout = 0.0;
        assert!(args.probe_options().is_err());
        args.timeout = 0.5;
        assert_eq!(
            args.probe_options().unwrap().timeout,
            Duration::from_millis(500)
        );
    }
}

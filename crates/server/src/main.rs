//! The `charge` binary: parses the command line, loads settings, starts logging and hands over
//! to the library.
#![cfg_attr(not(test), warn(clippy::unwrap_used, clippy::expect_used))]

use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use charge_server::{Application, Settings, telemetry};
use clap::{Parser, Subcommand};

/// Charge: a self-hosted chat and voice server.
///
/// Configuration comes from the environment, `.env.local` and `.env` in the working
/// directory (in that order of precedence); see the README for every variable.
#[derive(Parser)]
#[command(name = "charge", version)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server (the default): apply migrations, then serve HTTP and WebSockets.
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Copy the SQLite database and the files of its data directory into a new directory,
    /// consistently, while the server keeps serving. MariaDB: use mariadb-dump (see the docs).
    Backup {
        /// The directory to create (or an empty one) for the copy.
        path: std::path::PathBuf,
    },
    /// Probe every configured TURN endpoint with a real Allocate (see the README's TURN section).
    TurnHealth(charge_turn::TurnHealthArgs),
    /// Generate a TURN secret, or write it into an env file with --update-env.
    TurnSecret(charge_turn::TurnSecretArgs),
    /// Exit 0 when GET /ready on the configured HOST:PORT answers 200: the server is up and its
    /// database (and broker, with several nodes) answer. For container health checks.
    Healthcheck {
        /// Seconds to wait for the answer.
        #[arg(long, default_value_t = 3.0)]
        timeout: f64,
    },
}

fn main() -> ExitCode {
    // The one TLS crypto provider of the process (ring), before any HTTP client exists.
    charge_store::install_crypto_provider();
    let cli = Cli::parse();
    if let Some(Command::TurnSecret(args)) = cli.command {
        return charge_turn::run_turn_secret(args);
    }
    let settings = match Settings::load(Path::new(".")) {
        Ok(settings) => settings,
        Err(e) => {
            eprintln!("charge: configuration error: {e}");
            return ExitCode::from(2);
        }
    };
    if let Some(Command::Healthcheck { timeout }) = cli.command {
        return healthcheck(&settings, Duration::from_secs_f64(timeout.max(0.1)));
    }
    if let Some(Command::TurnHealth(args)) = cli.command {
        telemetry::init_tracing_at(args.tracing_level());
        let config = charge_http::routes::config::turn_config(&settings);
        return match tokio::runtime::Runtime::new() {
            Ok(rt) => rt.block_on(charge_turn::run_turn_health(args, config)),
            Err(e) => {
                eprintln!("charge: cannot start the async runtime: {e}");
                ExitCode::FAILURE
            }
        };
    }
    telemetry::init_tracing(settings.debug);
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("charge: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Some(Command::Migrate) => migrate(settings).await,
            Some(Command::Backup { path }) => backup(settings, &path).await,

            _ => serve(settings).await,
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e:#}");
            eprintln!("charge: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(settings: Settings) -> anyhow::Result<()> {
    let app = Application::build(settings).await?;
    tracing::info!("Charge is serving on http://{}", app.local_addr());
    app.run_until_stopped(shutdown_signal())
        .await
        .context("server error")?;
    tracing::info!("Charge stopped");
    Ok(())
}

async fn migrate(settings: Settings) -> anyhow::Result<()> {
    let store = charge_store::Store::connect(settings.database_url.expose(), &Default::default())
        .await
        .context("cannot open the database")?;
    store.migrate().await.context("migration failed")?;
    tracing::info!("migrations applied");
    Ok(())
}

async fn backup(settings: Settings, path: &Path) -> anyhow::Result<()> {
    let report = charge_server::backup::run(&settings, path).await?;
    println!(
        "backup written to {}: database {} bytes, {} other files ({} bytes)",
        path.display(),
        report.database_bytes,
        report.files,
        report.file_bytes
    );
    Ok(())
}

/// Resolves on SIGINT or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutdown requested");
}

/// A minimal HTTP/1.1 GET of /ready; no client library needed for one request.
fn healthcheck(settings: &Settings, timeout: Duration) -> ExitCode {
    let host = match settings.host.as_str() {
        "0.0.0.0" => "127.0.0.1",
        "::" | "[::]" => "::1",
        other => other,
    };
    let result = (|| -> std::io::Result<bool> {
        let addr = (host, settings.port)
            .to_socket_addrs()?
            .next()
            .ok_or_else(|| std::io::Error::other("address did not resolve"))?;
        let mut stream = TcpStream::connect_timeout(&addr, timeout)?;
        stream.set_read_timeout(Some(timeout))?;
        stream.set_write_timeout(Some(timeout))?;
        write!(
            stream,
            "GET /ready HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
        )?;
        let mut head = [0u8; 12];
        stream.read_exact(&mut head)?;
        Ok(head.starts_with(b"HTTP/1.1 200") || head.starts_with(b"HTTP/1.0 200"))
    })();
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => {
            eprintln!(
                "charge healthcheck: /ready did not answer 200 (database or broker unavailable)"
            );
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("charge healthcheck: {host}:{}: {e}", settings.port);
            ExitCode::FAILURE
        }
    }
}

//! `charge-load`: drives a running Charge server and prints one JSON result per scenario.
//!
//! Scenarios: `fanout` (N sockets in one channel, S senders at a total rate), `ingest` (S
//! senders as fast as their echoes allow: persisted messages per second), `idle` (N idle
//! authenticated sockets; server memory per socket), `history` (HTTP history pages per second),
//! `auth` (concurrent registrations and sign-ins: server memory, and sign-in timing for known
//! and unknown logins), `search` (channel search latency over a filled channel),
//! `socket-fuzz` (random frames at every gateway; the server must survive with bounded memory).
//! Pass `--server-pid` to report the server's CPU time and memory alongside.

mod auth;
mod fanout;
mod history;
mod idle;
mod proc;
mod search;
mod setup;
mod sockfuzz;
mod stats;

use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

#[derive(Parser)]
#[command(name = "charge-load", version, about = "Load generator for Charge")]
struct Cli {
    #[command(flatten)]
    common: Common,
    #[command(subcommand)]
    scenario: Scenario,
}

#[derive(Args, Clone, Debug)]
pub struct Common {
    /// Base URL of the server.
    #[arg(long, global = true, default_value = "http://127.0.0.1:8000")]
    pub url: String,
    /// More nodes of the same installation; sockets are spread over all URLs (cross-node fan-out).
    #[arg(long = "also-url", global = true)]
    pub also_urls: Vec<String>,
    /// PID of the server process, to report its CPU time and resident memory.
    #[arg(long, global = true)]
    pub server_pid: Option<u32>,
    /// Prefix for the accounts the tool registers (the server needs AUTH_RATE_LIMIT_PER_MINUTE=0
    /// and AUTH_GLOBAL_RATE_LIMIT_PER_MINUTE=0).
    #[arg(long, global = true, default_value = "load")]
    pub prefix: String,
    /// Permission overwrites to put on every channel before a fan-out or ingest run (the member
    /// role's, then one per account), each allowing what members have anyway: every check
    /// reads them and none refuses.
    #[arg(long, global = true, default_value_t = 0)]
    pub overwrites: usize,
}

#[derive(Subcommand)]
enum Scenario {
    /// N sockets in one text channel; S of them send at a combined rate.
    Fanout(fanout::FanoutArgs),
    /// S senders, each sending as soon as its previous message echoes back (persist + broadcast).
    Ingest(fanout::IngestArgs),
    /// N idle authenticated sockets held open; reports server memory per socket.
    Idle(idle::IdleArgs),
    /// C concurrent HTTP clients fetching 50-message history pages.
    History(history::HistoryArgs),
    /// N concurrent registrations, then N concurrent sign-ins; server memory and sign-in timing.
    Auth(auth::AuthArgs),
    /// Random, malformed and oversized frames at all three gateways for a while; the server
    /// must keep serving with bounded memory.
    SocketFuzz(sockfuzz::SocketFuzzArgs),
    /// Search latency over a channel of `--messages` messages (100,000 by default).
    Search(search::SearchArgs),
}

fn main() -> ExitCode {
    // Built together with the server, reqwest has TLS without a provider of its own: install
    // ring before any client is made (a build of this crate alone needs none; it is harmless).
    let _ = rustls::crypto::ring::default_provider().install_default();
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("charge-load: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match cli.scenario {
            Scenario::Fanout(args) => fanout::run_fanout(&cli.common, args).await,
            Scenario::Ingest(args) => fanout::run_ingest(&cli.common, args).await,
            Scenario::Idle(args) => idle::run(&cli.common, args).await,
            Scenario::History(args) => history::run(&cli.common, args).await,
            Scenario::Auth(args) => auth::run(&cli.common, args).await,
            Scenario::SocketFuzz(args) => sockfuzz::run(&cli.common, args).await,
            Scenario::Search(args) => search::run(&cli.common, args).await,
        }
    });
    match result {
        Ok(report) => {
            println!("{report}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("charge-load: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Client sockets read in 4 KiB steps: the library zero-fills its whole read buffer before
/// every read, and with the 128 KiB default `memset` took a third of the load tool's time.
pub fn client_config() -> tokio_tungstenite::tungstenite::protocol::WebSocketConfig {
    tokio_tungstenite::tungstenite::protocol::WebSocketConfig::default().read_buffer_size(4 * 1024)
}

//! The TURN health probe: a real authenticated Allocate per endpoint, released right after.
//!
//! Each endpoint is resolved, connected (UDP, TCP or TLS), and driven through the sans-IO
//! `turn-client-proto` state machine: unauthenticated Allocate → 401 with REALM/NONCE →
//! Allocate with long-term credentials and MESSAGE-INTEGRITY (438 Stale Nonce retried) →
//! response integrity verified → Refresh with LIFETIME 0. A per-endpoint deadline bounds all
//! of it, and every failure lands in one [`Category`].

use std::future::ready;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use futures_util::future::Either;
use rustls::ClientConfig;
use rustls::pki_types::CertificateDer;
use serde::Serialize;
use tokio::net::{TcpStream, UdpSocket};
use tokio::time::{Instant, timeout_at};
use turn_client_proto::api::Transmit;
use turn_client_proto::api::{
    TurnClientApi, TurnConfig as TurnClientConfig, TurnEvent, TurnPollRet,
};
use turn_client_proto::tcp::TurnClientTcp;
use turn_client_proto::types::{Instant as SansIoInstant, TransportType, TurnCredentials};
use turn_client_proto::udp::TurnClientUdp;

use crate::config::TurnConfig;
use crate::credentials::rest_credentials;
use crate::endpoint::{Credentials, Endpoint, EndpointError, Origin, Transport, endpoints};
use crate::exchange::{Exchange, Step};
pub use crate::failure::{Category, Failure};
use crate::tls;
use crate::wire::{Datagrams, Stream, Wire, WireError};

/// How probes run.
#[derive(Clone, Debug)]
pub struct ProbeOptions {
    /// Deadline for each endpoint: resolution, connection, TLS, Allocate and release.
    pub timeout: Duration,
    /// Skip TLS certificate verification (`--insecure`).
    pub insecure: bool,
    /// Trusted roots in addition to the bundled web PKI roots (`--ca-file`, tests).
    pub extra_roots: Vec<CertificateDer<'static>>,
    /// User id put into TURN REST usernames in shared-secret mode.
    pub rest_user: String,
    /// Lifetime of the TURN REST credentials the probe derives.
    pub rest_ttl: Duration,
}

/// Default per-endpoint deadline.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

impl Default for ProbeOptions {
    fn default() -> Self {
        Self {
            timeout: DEFAULT_TIMEOUT,
            insecure: false,
            extra_roots: Vec::new(),
            rest_user: "charge-turn-health".into(),
            rest_ttl: Duration::from_secs(300),
        }
    }
}

/// The outcome for one endpoint.
#[derive(Clone, Debug, Serialize)]
pub struct EndpointResult {
    /// The URL as configured (the `server` metric label).
    pub server: String,
    pub origin: Origin,
    /// `None` when the URL could not be parsed.
    pub host: Option<String>,
    pub port: Option<u16>,
    pub transport: Option<Transport>,
    pub ok: bool,
    /// `None` on success.
    pub category: Option<Category>,
    /// Whether the listener answered (the `turn_port_availability` value).
    pub reachable: bool,
    /// What happened, in one line.
    pub detail: String,
    /// The relayed transport address the server allocated.
    pub relayed_address: Option<String>,
    /// Whether the allocation was confirmed released.
    pub released: bool,
    #[serde(serialize_with = "as_millis", rename = "elapsed_ms")]
    pub elapsed: Duration,
}

fn as_millis<S: serde::Serializer>(duration: &Duration, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_u64(u64::try_from(duration.as_millis()).unwrap_or(u64::MAX))
}

impl EndpointResult {
    fn unparsable(error: &EndpointError) -> Self {
        Self {
            server: error.label.clone(),
            origin: error.origin,
            host: None,
            port: None,
            transport: None,
            ok: false,
            category: Some(Category::Config),
            reachable: false,
            detail: format!("invalid TURN URL: {}", error.error),
            relayed_address: None,
            released: false,
            elapsed: Duration::ZERO,
        }
    }

    fn crashed(endpoint: &Endpoint, why: &str) -> Self {
        Self {
            server: endpoint.label.clone(),
            origin: endpoint.origin,
            host: Some(endpoint.url.host.clone()),
            port: Some(endpoint.url.port),
            transport: Some(endpoint.url.transport),
            ok: false,
            category: Some(Category::Unexpected),
            reachable: false,
            detail: format!("probe failed internally: {why}"),
            relayed_address: None,
            released: false,
            elapsed: Duration::ZERO,
        }
    }

    /// One human-readable line.
    pub fn line(&self) -> String {
        let target = match (&self.host, self.port, self.transport) {
            (Some(host), Some(port), Some(transport)) if host.contains(':') => {
                format!("[{host}]:{port} ({transport})")
            }
            (Some(host), Some(port), Some(transport)) => format!("{host}:{port} ({transport})"),
            _ => "-".to_string(),
        };
        match self.category {
            None => format!("ok   {target} {} {}", self.server, self.detail),
            Some(category) => format!("FAIL {target} {} [{category}] {}", self.server, self.detail),
        }
    }
}

/// The results of one probe run.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    /// Unix time (seconds) when the run finished.
    #[serde(serialize_with = "as_unix_seconds")]
    pub finished_at: SystemTime,
    #[serde(serialize_with = "as_seconds", rename = "duration_seconds")]
    pub duration: Duration,
    pub results: Vec<EndpointResult>,
}

fn as_unix_seconds<S: serde::Serializer>(
    time: &SystemTime,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.serialize_f64(unix_seconds(*time))
}

fn as_seconds<S: serde::Serializer>(duration: &Duration, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_f64(duration.as_secs_f64())
}

pub(crate) fn unix_seconds(time: SystemTime) -> f64 {
    time.duration_since(SystemTime::UNIX_EPOCH)
        .map(|since| since.as_secs_f64())
        .unwrap_or(0.0)
}

impl Report {
    /// Whether every endpoint succeeded (vacuously true when nothing was configured).
    pub fn all_ok(&self) -> bool {
        self.results.iter().all(|result| result.ok)
    }

    pub fn successes(&self) -> usize {
        self.results.iter().filter(|result| result.ok).count()
    }

    pub fn failures(&self) -> usize {
        self.results.len() - self.successes()
    }

    /// The summary line followed by one line per endpoint.
    pub fn render_text(&self) -> String {
        let mut text = format!(
            "TURN health run completed in {:.2}s ({} ok, {} failed)\n",
            self.duration.as_secs_f64(),
            self.successes(),
            self.failures()
        );
        for result in &self.results {
            text.push_str(&result.line());
            text.push('\n');
        }
        text
    }
}

/// Probes every configured endpoint concurrently (see [`endpoints`]); each one is bounded by
/// `opts.timeout`, so the run takes at most about that long.
pub async fn probe_all(config: &TurnConfig, extra_urls: &[String], opts: &ProbeOptions) -> Report {
    let started = Instant::now();
    let list = endpoints(config, extra_urls);
    let needs_tls = list
        .iter()
        .any(|entry| matches!(entry, Ok(endpoint) if endpoint.url.transport == Transport::Tls));
    let tls_config = if needs_tls {
        Some(tls::client_config(opts.insecure, &opts.extra_roots).map_err(|e| e.to_string()))
    } else {
        None
    };
    let opts = Arc::new(opts.clone());
    // Each probe runs as its own task so that a panic in one (a bug, never expected) becomes an
    // `unexpected` result for that endpoint instead of taking the run or the server down.
    let probes = list.into_iter().map(|entry| {
        let endpoint = match entry {
            Ok(endpoint) => endpoint,
            Err(error) => return Either::Left(ready(EndpointResult::unparsable(&error))),
        };
        let task = {
            let (endpoint, tls_config, opts) = (endpoint.clone(), tls_config.clone(), opts.clone());
            tokio::spawn(async move { probe_endpoint(&endpoint, tls_config, &opts).await })
        };
        Either::Right(async move {
            match task.await {
                Ok(result) => result,
                Err(error) => EndpointResult::crashed(&endpoint, &error.to_string()),
            }
        })
    });
    let results = futures_util::future::join_all(probes).await;
    Report {
        finished_at: SystemTime::now(),
        duration: started.elapsed(),
        results,
    }
}

/// Probes one endpoint. `tls_config` is required for TLS endpoints (an `Err` carries the reason
/// the configuration could not be built).
pub(crate) async fn probe_endpoint(
    endpoint: &Endpoint,
    tls_config: Option<Result<Arc<ClientConfig>, String>>,
    opts: &ProbeOptions,
) -> EndpointResult {
    let started = Instant::now();
    let deadline = started + opts.timeout;
    let mut result = EndpointResult {
        server: endpoint.label.clone(),
        origin: endpoint.origin,
        host: Some(endpoint.url.host.clone()),
        port: Some(endpoint.url.port),
        transport: Some(endpoint.url.transport),
        ok: false,
        category: None,
        reachable: false,
        detail: String::new(),
        relayed_address: None,
        released: false,
        elapsed: Duration::ZERO,
    };
    // The outer bound is a safety net: every step inside already honours the deadline.
    let attempt = attempt(endpoint, tls_config, opts, deadline);
    let outcome = match timeout_at(deadline + Duration::from_millis(250), attempt).await {
        Ok(outcome) => outcome,
        Err(_) => Outcome::failed(
            Failure::new(Category::Unexpected, "probe overran its deadline"),
            false,
        ),
    };
    result.elapsed = started.elapsed();
    result.reachable = outcome.reachable;
    match outcome.result {
        Ok(allocation) => {
            result.ok = true;
            result.relayed_address = Some(allocation.relayed.to_string());
            result.released = allocation.release.is_ok();
            result.detail = match allocation.release {
                Ok(()) => format!("allocated relay {} and released it", allocation.relayed),
                Err(why) => format!("allocated relay {} ({why})", allocation.relayed),
            };
            tracing::debug!(server = %result.server, detail = %result.detail, "TURN probe succeeded");
        }
        Err(failure) => {
            result.category = Some(failure.category);
            result.detail = failure.message;
        }
    }
    result
}

struct Allocation {
    relayed: SocketAddr,
    /// `Err` explains why the release was not confirmed.
    release: Result<(), String>,
}

struct Outcome {
    result: Result<Allocation, Failure>,
    reachable: bool,
}

impl Outcome {
    fn failed(failure: Failure, reachable: bool) -> Self {
        Self {
            result: Err(failure),
            reachable,
        }
    }
}

async fn attempt(
    endpoint: &Endpoint,
    tls_config: Option<Result<Arc<ClientConfig>, String>>,
    opts: &ProbeOptions,
    deadline: Instant,
) -> Outcome {
    let url = &endpoint.url;
    let authority = url.authority();
    let (credentials, missing) = match &endpoint.credentials {
        Ok(Credentials::Static { username, password }) => {
            (Some((username.clone(), password.clone())), String::new())
        }
        Ok(Credentials::SharedSecret { secret }) => (
            Some(rest_credentials(
                secret,
                &opts.rest_user,
                opts.rest_ttl,
                SystemTime::now(),
            )),
            String::new(),
        ),
        // Still contact the server: whether it is reachable is worth knowing either way.
        Err(error) => (None, error.to_string()),
    };

    let server = match resolve(&authority, deadline).await {
        Ok(server) => server,
        Err(failure) => return Outcome::failed(failure, false),
    };
    let exchange = Exchange::new(credentials.clone(), missing);
    let (username, password) = credentials.unwrap_or_default();
    let client_config = TurnClientConfig::new(TurnCredentials::new(&username, &password));

    match url.transport {
        Transport::Udp => {
            let bind: SocketAddr = if server.is_ipv4() {
                ([0, 0, 0, 0], 0).into()
            } else {
                (std::net::Ipv6Addr::UNSPECIFIED, 0).into()
            };
            let socket = match UdpSocket::bind(bind).await {
                Ok(socket) => socket,
                Err(e) => return local_error("cannot open a UDP socket", &e),
            };
            if let Err(e) = socket.connect(server).await {
                return Outcome::failed(
                    Failure::new(Category::Connect, format!("cannot reach {server}/udp: {e}")),
                    false,
                );
            }
            let local = match socket.local_addr() {
                Ok(local) => local,
                Err(e) => return local_error("UDP socket has no local address", &e),
            };
            let client = TurnClientUdp::allocate(local, server, client_config);
            drive(
                client,
                Datagrams::new(socket),
                exchange,
                TransportType::Udp,
                deadline,
            )
            .await
        }
        Transport::Tcp | Transport::Tls => {
            let tcp = match timeout_at(deadline, TcpStream::connect(server)).await {
                Ok(Ok(tcp)) => tcp,
                Ok(Err(e)) => {
                    return Outcome::failed(
                        Failure::new(
                            Category::Connect,
                            format!("TCP connection to {server} failed: {e}"),
                        ),
                        false,
                    );
                }
                Err(_) => {
                    return Outcome::failed(
                        Failure::new(
                            Category::Connect,
                            format!("TCP connection to {server} timed out"),
                        ),
                        false,
                    );
                }
            };
            let (local, remote) = match (tcp.local_addr(), tcp.peer_addr()) {
                (Ok(local), Ok(remote)) => (local, remote),
                (Err(e), _) | (_, Err(e)) => return local_error("TCP socket has no address", &e),
            };
            let client = TurnClientTcp::allocate(local, remote, client_config);
            if url.transport == Transport::Tcp {
                return drive(
                    client,
                    Stream::new(tcp),
                    exchange,
                    TransportType::Tcp,
                    deadline,
                )
                .await;
            }
            let tls_config = match tls_config {
                Some(Ok(config)) => config,
                Some(Err(why)) => {
                    return Outcome::failed(Failure::new(Category::Config, why), false);
                }
                None => {
                    return Outcome::failed(
                        Failure::new(
                            Category::Unexpected,
                            "no TLS configuration for a TLS endpoint",
                        ),
                        false,
                    );
                }
            };
            let Some(name) = tls::server_name(&url.host) else {
                return Outcome::failed(
                    Failure::new(
                        Category::Config,
                        format!("`{}` is not a valid TLS server name", url.host),
                    ),
                    false,
                );
            };
            let connector = tokio_rustls::TlsConnector::from(tls_config);
            let stream = match timeout_at(deadline, connector.connect(name, tcp)).await {
                Ok(Ok(stream)) => stream,
                Ok(Err(e)) => {
                    return Outcome::failed(
                        Failure::new(
                            Category::Connect,
                            format!("TLS handshake with {server} failed: {e}"),
                        ),
                        false,
                    );
                }
                Err(_) => {
                    return Outcome::failed(
                        Failure::new(
                            Category::Connect,
                            format!("TLS handshake with {server} timed out"),
                        ),
                        false,
                    );
                }
            };
            drive(
                client,
                Stream::new(stream),
                exchange,
                TransportType::Tcp,
                deadline,
            )
            .await
        }
    }
}

fn local_error(what: &str, error: &std::io::Error) -> Outcome {
    Outcome::failed(
        Failure::new(Category::Unexpected, format!("{what}: {error}")),
        false,
    )
}

/// Resolves `host:port`, preferring IPv4 like the allocation the probe requests.
async fn resolve(authority: &str, deadline: Instant) -> Result<SocketAddr, Failure> {
    let addresses = match timeout_at(deadline, tokio::net::lookup_host(authority)).await {
        Ok(Ok(addresses)) => addresses.collect::<Vec<_>>(),
        Ok(Err(e)) => {
            return Err(Failure::new(
                Category::Connect,
                format!("cannot resolve {authority}: {e}"),
            ));
        }
        Err(_) => {
            return Err(Failure::new(
                Category::Connect,
                format!("resolving {authority} timed out"),
            ));
        }
    };
    addresses
        .iter()
        .find(|address| address.is_ipv4())
        .or(addresses.first())
        .copied()
        .ok_or_else(|| {
            Failure::new(
                Category::Connect,
                format!("{authority} resolved to no address"),
            )
        })
}

/// The sans-IO client's clock: nanoseconds since the probe started.
struct Clock(Instant);

impl Clock {
    fn now(&self) -> SansIoInstant {
        SansIoInstant::from_nanos(i64::try_from(self.0.elapsed().as_nanos()).unwrap_or(i64::MAX))
    }
}

/// Runs the client over `wire` until the allocation is made and released, a failure is
/// known, or the deadline passes.
async fn drive<C: TurnClientApi, W: Wire>(
    mut client: C,
    mut wire: W,
    mut exchange: Exchange,
    transport: TransportType,
    deadline: Instant,
) -> Outcome {
    let clock = Clock(Instant::now());
    let (local, remote) = (client.local_addr(), client.remote_addr());
    let mut allocated: Option<SocketAddr> = None;
    let failed =
        |exchange: &Exchange, failure: Failure| Outcome::failed(failure, exchange.answered());

    loop {
        let now = clock.now();
        let wake = match client.poll(now) {
            TurnPollRet::WaitUntil(at) => Instant::now() + at.saturating_duration_since(now),
            TurnPollRet::Closed => {
                if let Some(relayed) = allocated {
                    return released(
                        relayed,
                        Err("the client closed before the release was confirmed".into()),
                        &exchange,
                    );
                }
                return failed(
                    &exchange,
                    Failure::new(
                        Category::Unexpected,
                        "the TURN client gave up without a reason",
                    ),
                );
            }
            // Only TCP allocations (RFC 6062) produce the other variants; the probe makes UDP ones.
            _ => Instant::now() + Duration::from_millis(50),
        };
        while let Some(transmit) = client.poll_transmit(now) {
            exchange.on_send(&transmit.data);
            match timeout_at(deadline, wire.send(&transmit.data)).await {
                Ok(Ok(())) => {}
                Ok(Err(e)) => return failed(&exchange, send_failure(&e, remote)),
                Err(_) => {
                    let failure = Failure::new(
                        Category::Connect,
                        format!("sending to {remote} did not complete before the deadline"),
                    );
                    return failed(&exchange, failure);
                }
            }
        }
        while let Some(event) = client.poll_event() {
            if let TurnEvent::AllocationCreateFailed(_) = event
                && allocated.is_none()
            {
                return failed(
                    &exchange,
                    Failure::new(
                        Category::Protocol,
                        "the TURN client rejected the server's Allocate answer",
                    ),
                );
            }
        }

        let until = wake.min(deadline);
        let message = match timeout_at(until, wire.recv()).await {
            Ok(Ok(message)) => message,
            Ok(Err(error)) => {
                return failed(&exchange, recv_failure(error, remote, exchange.answered()));
            }
            Err(_) if until < deadline => continue,
            Err(_) => {
                if let Some(relayed) = allocated {
                    return released(
                        relayed,
                        Err("no answer to the release before the deadline".into()),
                        &exchange,
                    );
                }
                let failure = if exchange.answered() {
                    Failure::new(
                        Category::Protocol,
                        "server stopped answering before the allocation completed",
                    )
                } else {
                    Failure::new(
                        Category::Connect,
                        format!("no answer from {remote} before the deadline"),
                    )
                };
                return failed(&exchange, failure);
            }
        };

        let step = match exchange.on_receive(&message) {
            Ok(step) => step,
            Err(failure) => return failed(&exchange, failure),
        };
        let now = clock.now();
        let _ = client.recv(
            Transmit::new(message.as_slice(), transport, remote, local),
            now,
        );
        match step {
            Step::Continue => {}
            Step::Allocated(relayed) => {
                allocated = Some(relayed);
                if let Err(e) = client.delete(now) {
                    return released(relayed, Err(format!("could not release: {e}")), &exchange);
                }
            }
            Step::Released => {
                if let Some(relayed) = allocated {
                    return released(relayed, Ok(()), &exchange);
                }
            }
            Step::ReleaseRefused(why) => {
                if let Some(relayed) = allocated {
                    return released(relayed, Err(format!("release refused: {why}")), &exchange);
                }
            }
        }
    }
}

fn released(relayed: SocketAddr, release: Result<(), String>, exchange: &Exchange) -> Outcome {
    Outcome {
        result: Ok(Allocation { relayed, release }),
        reachable: exchange.answered(),
    }
}

fn send_failure(error: &std::io::Error, remote: SocketAddr) -> Failure {
    Failure::new(
        Category::Connect,
        format!("sending to {remote} failed: {error}"),
    )
}

fn recv_failure(error: WireError, remote: SocketAddr, answered: bool) -> Failure {
    match error {
        WireError::NotStun(why) => Failure::new(Category::Protocol, why),
        WireError::ClosedMidMessage(_) => Failure::new(Category::Protocol, error.to_string()),
        WireError::Closed if answered => Failure::new(
            Category::Protocol,
            "server closed the connection before the allocation completed",
        ),
        WireError::Closed => Failure::new(
            Category::Connect,
            format!("{remote} closed the connection without answering"),
        ),
        WireError::Io(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => Failure::new(
            Category::Connect,
            format!("connection refused by {remote} (nothing listening?)"),
        ),
        WireError::Io(e) => Failure::new(
            Category::Connect,
            format!("receiving from {remote} failed: {e}"),
        ),
    }
}

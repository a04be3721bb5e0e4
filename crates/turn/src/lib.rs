//! Charge's TURN tooling: TURN REST credentials, a real STUN/TURN Allocate health probe over
//! UDP, TCP and TLS, its Prometheus metrics, and the `turn-health` / `turn-secret` commands.
//!
//! The server crate builds a [`TurnConfig`] from its settings and wires the commands
//! ([`TurnHealthArgs`] → [`run_turn_health`], [`TurnSecretArgs`] → [`run_turn_secret`]) and,
//! when `TURN_HEALTH_INTERVAL_SECONDS` > 0, spawns [`run_background`].

mod cli;
mod config;
mod credentials;
mod endpoint;
mod exchange;
mod failure;
mod metrics;
mod probe;
mod tls;
mod wire;

pub use cli::{
    DEFAULT_ENV_VARIABLE, EXIT_FAILURES, EXIT_USAGE, TurnHealthArgs, TurnSecretArgs,
    run_background, run_turn_health, run_turn_secret, update_env_file,
};
pub use config::{IceServer, TurnConfig};
pub use credentials::{
    DEFAULT_SECRET_LENGTH, MAX_SECRET_LENGTH, MIN_SECRET_LENGTH, generate_secret, rest_credentials,
};
pub use endpoint::{
    Credentials, CredentialsError, DEFAULT_TURN_PORT, DEFAULT_TURNS_PORT, Endpoint, EndpointError,
    Origin, Transport, TurnUrl, UrlError, endpoints,
};
pub use metrics::{
    AUTH_FAILURE_TOTAL, AUTH_SUCCESS_TOTAL, DURATION_SECONDS, LAST_RUN_TIMESTAMP,
    PORT_AVAILABILITY, describe_metrics, record_metrics,
};
pub use probe::{
    Category, DEFAULT_TIMEOUT, EndpointResult, Failure, ProbeOptions, Report, probe_all,
};
pub use tls::{TlsSetupError, load_pem_certificates};

//! Charge server: the wiring on top of the layers. `Application::build` connects the store,
//! starts the hub, the broker bus and the message writer, builds the domain and mounts the
//! HTTP routes (`charge-http`), the WebSocket gateways (`charge-realtime`), the service
//! routes (health, metrics), the OpenAPI document and the web client.
//!
//! The layers below, and the arrows that must never exist, are in `docs/ARCHITECTURE.md`.
#![cfg_attr(not(test), warn(clippy::unwrap_used, clippy::expect_used))]

pub mod app;
pub mod backup;
pub mod openapi;
pub mod security;
pub mod state;
pub mod system;
pub mod telemetry;
pub mod web_client;

pub use app::Application;
pub use charge_config as settings;
pub use charge_config::Settings;
/// Accounts and tokens, for tools and tests that mint tokens.
pub use charge_domain::accounts as auth;

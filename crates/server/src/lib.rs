//! Charge server library: everything `main` and the tests need.
//!
//! A request lands in `routes::<resource>`, which extracts and validates input, checks room
//! access (`access`), calls the `charge_store::Store`, and converts rows to wire types (`dto`).
#![cfg_attr(not(test), warn(clippy::unwrap_used, clippy::expect_used))]

pub mod access;
pub mod app;
pub mod auth;
pub mod cache;
pub mod dto;
pub mod error;
pub mod extract;
pub mod invitations;
pub mod openapi;
pub mod realtime;
pub mod routes;
pub use charge_config as settings;
pub mod slug;
pub mod state;
pub mod telemetry;
pub mod writer;

pub use app::Application;
pub use settings::Settings;

//! Charge wire types: the JSON bodies of the REST API and the WebSocket frames.
//!
//! Field names and shapes follow the predecessor's contract exactly, so existing clients keep
//! working. Timestamps are RFC 3339 strings in UTC (`2026-11-24T18:59:32.123Z`).
#![cfg_attr(not(test), warn(clippy::unwrap_used, clippy::expect_used))]

pub mod frames;
pub mod ice;
pub mod limits;
pub mod people;
pub mod rest;

pub use ice::IceServer;
pub use rest::*;

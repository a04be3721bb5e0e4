//! Charge's HTTP API: one router per resource (`routes`), the extractors that answer in the
//! contract's 422 shape (`extract`), the caller's identity (`auth`) and the single mapping of
//! a [`charge_domain::DomainError`] to a status and body (`error`). Handlers stay thin: extract,
//! call the domain, convert to the wire type. Nothing here knows about sockets; events go out
//! through the domain's `Realtime` trait.
#![cfg_attr(not(test), warn(clippy::unwrap_used, clippy::expect_used))]

pub mod auth;
pub mod error;
pub mod extract;
pub mod routes;

use axum::Router;
use charge_domain::Domain;

/// Every `/api` route except the service routes (health, metrics), which the app adds.
pub fn router() -> Router<Domain> {
    Router::new()
        .merge(routes::auth::router())
        .merge(routes::rooms::router())
        .merge(routes::invites::router())
        .merge(routes::channels::router())
        .merge(routes::messages::router())
        .merge(routes::pins::router())
        .merge(routes::permissions::router())
        .merge(routes::moderation::router())
        .merge(routes::categories::router())
        .merge(routes::layout::router())
        .merge(routes::profile::router())
        .merge(routes::friends::router())
        .merge(routes::conversations::router())
        .merge(routes::config::router())
        .merge(routes::readstate::router())
}

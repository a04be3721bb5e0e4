//! Shared application state handed to every handler.

use std::sync::Arc;

use charge_store::Store;

use crate::auth::{AuthLimiter, Tokens};
use crate::settings::Settings;

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub settings: Arc<Settings>,
    /// Behind an `Arc`: the keys are heap data, and the state is cloned for every request and session.
    pub tokens: Arc<Tokens>,
    pub limiter: AuthLimiter,
    pub metrics: Option<metrics_exporter_prometheus::PrometheusHandle>,
    pub hub: Arc<crate::realtime::Hub>,
    pub writer: crate::writer::MessageWriter,
}

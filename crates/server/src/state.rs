//! The application's state: what the socket sessions hold (the domain, hub and writer) plus
//! the metrics handle the service routes need.

use std::ops::Deref;

use metrics_exporter_prometheus::PrometheusHandle;

#[derive(Clone)]
pub struct AppState {
    pub sessions: charge_realtime::AppState,
    pub metrics: Option<PrometheusHandle>,
}

/// `state.hub`, `state.store`, `state.settings` read through to the parts they name.
impl Deref for AppState {
    type Target = charge_realtime::AppState;

    fn deref(&self) -> &charge_realtime::AppState {
        &self.sessions
    }
}

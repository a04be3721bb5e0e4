//! What every socket session holds: the domain (rules, store, settings, caches), the hub and
//! the message writer.

use std::ops::Deref;
use std::sync::Arc;

use charge_domain::Domain;

use crate::hub::Hub;
use crate::writer::MessageWriter;

#[derive(Clone)]
pub struct AppState {
    pub domain: Domain,
    pub hub: Arc<Hub>,
    pub writer: MessageWriter,
}

/// Sessions reach the domain's parts (`state.store`, `state.settings`) directly and pass
/// `&state` wherever a rule takes `&Domain`.
impl Deref for AppState {
    type Target = Domain;

    fn deref(&self) -> &Domain {
        &self.domain
    }
}

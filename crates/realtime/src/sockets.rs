//! Every open socket of this node by user and sign-in session, whatever its gateway, so that
//! ending a session closes its sockets (1008 "Session ended") wherever they are connected.
//! A socket registers when its connection is made and leaves when its session drops the
//! `Outbox`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, Weak};

use charge_domain::sessions::SessionsEnded;

use crate::conn::Kick;

/// The close a socket of an ended session gets.
pub const SESSION_ENDED: (u16, &str) = (1008, "Session ended");

#[derive(Default)]
pub struct Sockets {
    by_user: Mutex<HashMap<i64, Vec<Entry>>>,
}

struct Entry {
    conn_id: u64,
    session_id: Option<i64>,
    kick: Weak<Kick>,
}

/// A socket's place in the registry; dropping it takes the socket out.
pub struct Registration {
    sockets: Arc<Sockets>,
    user_id: i64,
    conn_id: u64,
}

impl Sockets {
    fn lock(&self) -> MutexGuard<'_, HashMap<i64, Vec<Entry>>> {
        self.by_user
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub fn register(
        self: &Arc<Self>,
        user_id: i64,
        conn_id: u64,
        session_id: Option<i64>,
        kick: &Arc<Kick>,
    ) -> Registration {
        self.lock().entry(user_id).or_default().push(Entry {
            conn_id,
            session_id,
            kick: Arc::downgrade(kick),
        });
        Registration {
            sockets: self.clone(),
            user_id,
            conn_id,
        }
    }

    /// Closes this node's sockets of the ended sessions; returns how many were asked to close.
    pub fn end(&self, ended: &SessionsEnded) -> usize {
        let sockets = self.lock();
        let Some(entries) = sockets.get(&ended.user_id) else {
            return 0;
        };
        let mut closed = 0;
        for entry in entries {
            let hit = match entry.session_id {
                Some(id) => ended.session_ids.contains(&id),
                None => ended.sessionless,
            };
            if hit && let Some(kick) = entry.kick.upgrade() {
                kick.request(SESSION_ENDED.0, SESSION_ENDED.1);
                closed += 1;
            }
        }
        closed
    }

    /// Sockets registered (for tests and metrics).
    pub fn len(&self) -> usize {
        self.lock().values().map(Vec::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        let mut sockets = self.sockets.lock();
        if let Some(entries) = sockets.get_mut(&self.user_id) {
            entries.retain(|e| e.conn_id != self.conn_id);
            if entries.is_empty() {
                sockets.remove(&self.user_id);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ended(session_ids: Vec<i64>, sessionless: bool) -> SessionsEnded {
        SessionsEnded {
            user_id: 1,
            session_ids,
            sessionless,
        }
    }

    #[test]
    fn ending_a_session_closes_its_sockets_only_and_dropping_a_registration_forgets_it() {
        let sockets = Arc::new(Sockets::default());
        let (a, b, c) = (
            Arc::new(Kick::default()),
            Arc::new(Kick::default()),
            Arc::new(Kick::default()),
        );
        let _ra = sockets.register(1, 1, Some(10), &a);
        let _rb = sockets.register(1, 2, Some(11), &b);
        let rc = sockets.register(1, 3, None, &c);
        assert_eq!(sockets.end(&ended(vec![10], false)), 1);
        assert_eq!(a.reason.get(), Some(&SESSION_ENDED));
        assert!(b.reason.get().is_none() && c.reason.get().is_none());
        assert_eq!(sockets.end(&ended(vec![11], true)), 2);
        assert_eq!(c.reason.get(), Some(&SESSION_ENDED));
        drop(rc);
        assert_eq!(sockets.len(), 2);
    }
}

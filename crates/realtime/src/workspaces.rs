//! The `/ws/rooms` sockets of each room on this node, and delivery of workspace events to
//! them (invitation codes to admins and owners only).

use std::collections::HashMap;

use crate::conn::{Conn, broadcast};
use crate::ws::Utf8Bytes;

/// One room's workspace sockets here.
#[derive(Default)]
pub struct Workspace {
    /// Connection and whether it may see invitation codes.
    conns: HashMap<u64, (Conn, bool)>,
}

impl Workspace {
    pub fn join(&mut self, conn: Conn, sees_invitations: bool) {
        self.conns.insert(conn.id, (conn, sees_invitations));
    }

    /// Removes a socket; `true` when none is left.
    pub fn leave(&mut self, conn_id: u64) -> bool {
        self.conns.remove(&conn_id);
        self.conns.is_empty()
    }

    /// Asks the sockets of `user_id` (every socket when `None`) to close.
    pub fn kick(&self, user_id: Option<i64>, code: u16, reason: &'static str) {
        for (conn, _) in self.conns.values() {
            if user_id.is_none_or(|u| u == conn.user_id) {
                conn.kick(code, reason);
            }
        }
    }

    /// Sends an event; `admins_only` ones skip plain members.
    pub fn send(&self, bytes: &Utf8Bytes, admins_only: bool) -> usize {
        broadcast(
            self.conns
                .values()
                .filter(|(_, admin)| !admins_only || *admin)
                .map(|(c, _)| c),
            bytes,
        )
    }

    /// Sends a frame to one user's sockets here.
    pub fn send_to_user(&self, user_id: i64, bytes: &Utf8Bytes) -> usize {
        broadcast(
            self.conns
                .values()
                .map(|(c, _)| c)
                .filter(|c| c.user_id == user_id),
            bytes,
        )
    }
}

//! Per-person streams and liveness: the `/ws/direct` and `/ws/presence` sockets of each user
//! on this node, and whether each user is connected (and active) anywhere. Every node reports
//! its own connected users with their idle flags (on change and with each heartbeat); a
//! user's liveness is the merge of this node's sockets and every live node's report, so a
//! user is online while any socket of theirs is open on any node, and idle only when all of
//! them are. A user whose liveness changes is marked for the presence feed (`people_feed`),
//! which sends one `status` per change window to the watchers.

use std::collections::{HashMap, HashSet};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use charge_domain::{Liveness, UserStream};
use tokio::sync::Notify;

use crate::conn::{Conn, broadcast};
use crate::ws::Utf8Bytes;

/// This node's sockets of one user.
struct Local {
    sockets: usize,
    last_active: Instant,
    idle: bool,
}

/// Another node's last report.
struct Remote {
    users: HashMap<i64, bool>,
    seen: Instant,
}

#[derive(Default)]
struct Inner {
    direct: HashMap<i64, Vec<Conn>>,
    presence: HashMap<i64, Vec<Conn>>,
    local: HashMap<i64, Local>,
    remote: HashMap<String, Remote>,
    /// Users whose status others may see differently now.
    dirty: HashSet<i64>,
    /// Users whose last socket on this node closed (their last-seen time is recorded).
    gone: Vec<i64>,
    /// This node's report is out of date.
    report_due: bool,
}

impl Inner {
    fn streams(&mut self, stream: UserStream) -> &mut HashMap<i64, Vec<Conn>> {
        match stream {
            UserStream::Direct => &mut self.direct,
            UserStream::Presence => &mut self.presence,
        }
    }

    fn liveness(&self, user: i64) -> Liveness {
        let mut live = match self.local.get(&user) {
            Some(local) => Liveness {
                connected: true,
                idle: local.idle,
            },
            None => Liveness::default(),
        };
        for remote in self.remote.values() {
            if let Some(&idle) = remote.users.get(&user) {
                live.idle = if live.connected {
                    live.idle && idle
                } else {
                    idle
                };
                live.connected = true;
            }
        }
        live
    }
}

/// The per-user registry of one node.
#[derive(Default)]
pub struct UserStreams {
    inner: Mutex<Inner>,
    /// Woken when a user is marked for the presence feed.
    pub(crate) changed: Notify,
}

impl UserStreams {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Runs `change` and marks `user` when their liveness differs afterwards.
    fn changing(&self, user: i64, change: impl FnOnce(&mut Inner)) {
        let mut inner = self.lock();
        let before = inner.liveness(user);
        change(&mut inner);
        if inner.liveness(user) != before {
            inner.dirty.insert(user);
            drop(inner);
            self.changed.notify_one();
        }
    }

    /// Registers a socket of `stream` for the user's events.
    pub fn join(&self, stream: UserStream, conn: Conn) {
        let user = conn.user_id;
        self.lock()
            .streams(stream)
            .entry(user)
            .or_default()
            .push(conn);
    }

    pub fn leave(&self, stream: UserStream, conn_id: u64, user: i64) {
        let mut inner = self.lock();
        let conns = inner.streams(stream);
        if let Some(list) = conns.get_mut(&user) {
            list.retain(|c| c.id != conn_id);
            if list.is_empty() {
                conns.remove(&user);
            }
        }
    }

    /// A socket of the user opened (any gateway): they are connected, and active, from now.
    pub fn connected(&self, user: i64) {
        self.changing(user, |inner| {
            let local = inner.local.entry(user).or_insert(Local {
                sockets: 0,
                last_active: Instant::now(),
                idle: false,
            });
            local.sockets += 1;
            local.last_active = Instant::now();
            if local.sockets == 1 || local.idle {
                local.idle = false;
                inner.report_due = true;
            }
        });
    }

    /// A socket of the user closed; with their last one here, this node no longer counts them.
    pub fn disconnected(&self, user: i64) {
        self.changing(user, |inner| {
            if let Some(local) = inner.local.get_mut(&user) {
                local.sockets = local.sockets.saturating_sub(1);
                if local.sockets == 0 {
                    inner.local.remove(&user);
                    inner.gone.push(user);
                    inner.report_due = true;
                }
            }
        });
    }

    /// The user did something: they are not idle.
    pub fn activity(&self, user: i64) {
        self.changing(user, |inner| {
            if let Some(local) = inner.local.get_mut(&user) {
                local.last_active = Instant::now();
                if local.idle {
                    local.idle = false;
                    inner.report_due = true;
                }
            }
        });
    }

    /// Sends `bytes` to this node's `stream` sockets of each of `users`.
    pub fn deliver_local(&self, stream: UserStream, users: &[i64], bytes: &Utf8Bytes) -> usize {
        let mut inner = self.lock();
        let conns = inner.streams(stream);
        let mut sent = 0;
        for user in users {
            if let Some(list) = conns.get(user) {
                sent += broadcast(list.iter(), bytes);
            }
        }
        sent
    }

    /// Which of `users` have a `/ws/presence` socket on this node.
    pub fn watching_here(&self, users: &[i64]) -> Vec<i64> {
        let inner = self.lock();
        users
            .iter()
            .copied()
            .filter(|u| inner.presence.contains_key(u))
            .collect()
    }

    pub fn liveness(&self, user: i64) -> Liveness {
        self.lock().liveness(user)
    }

    /// Marks a user for the presence feed (their profile or friendships changed).
    pub fn mark(&self, user: i64) {
        self.lock().dirty.insert(user);
        self.changed.notify_one();
    }

    /// The users marked since the last call, and those whose last local socket closed.
    pub fn take_marked(&self) -> (Vec<i64>, Vec<i64>) {
        let mut inner = self.lock();
        let dirty = inner.dirty.drain().collect();
        let gone = std::mem::take(&mut inner.gone);
        (dirty, gone)
    }

    /// Turns users without activity for `idle_after` idle; returns whether the node's report
    /// must be published (something changed since the last one).
    pub fn tick(&self, now: Instant, idle_after: Duration) -> bool {
        let mut inner = self.lock();
        let mut turned = Vec::new();
        for (user, local) in &mut inner.local {
            if !local.idle && now.duration_since(local.last_active) >= idle_after {
                local.idle = true;
                turned.push(*user);
            }
        }
        for user in turned {
            // Marked only if the merged liveness changed (another node may be active).
            let live = inner.liveness(user);
            if live.idle {
                inner.dirty.insert(user);
            }
            inner.report_due = true;
        }
        std::mem::take(&mut inner.report_due)
    }

    /// This node's connected users and whether each is idle.
    pub fn local_report(&self) -> Vec<(i64, bool)> {
        self.lock()
            .local
            .iter()
            .map(|(user, local)| (*user, local.idle))
            .collect()
    }

    /// Another node's report replaces its previous one.
    pub fn apply_report(&self, node: &str, users: Vec<(i64, bool)>, now: Instant) {
        let mut inner = self.lock();
        let fresh: HashMap<i64, bool> = users.into_iter().collect();
        let mut affected: HashSet<i64> = fresh.keys().copied().collect();
        if let Some(old) = inner.remote.get(node) {
            affected.extend(old.users.keys().copied());
        }
        let before: Vec<(i64, Liveness)> =
            affected.iter().map(|&u| (u, inner.liveness(u))).collect();
        inner.remote.insert(
            node.to_owned(),
            Remote {
                users: fresh,
                seen: now,
            },
        );
        self.mark_changed(inner, before);
    }

    /// Drops nodes not heard from within `ttl` (a crashed node's users go offline).
    pub fn expire(&self, now: Instant, ttl: Duration) {
        let inner = self.lock();
        let lapsed: Vec<String> = inner
            .remote
            .iter()
            .filter(|(_, r)| now.duration_since(r.seen) >= ttl)
            .map(|(node, _)| node.clone())
            .collect();
        drop(inner);
        for node in lapsed {
            self.forget_node(&node);
        }
    }

    pub fn forget_node(&self, node: &str) {
        let mut inner = self.lock();
        let Some(users) = inner
            .remote
            .get(node)
            .map(|r| r.users.keys().copied().collect::<Vec<_>>())
        else {
            return;
        };
        let before: Vec<(i64, Liveness)> = users.iter().map(|&u| (u, inner.liveness(u))).collect();
        inner.remote.remove(node);
        self.mark_changed(inner, before);
    }

    fn mark_changed(&self, mut inner: MutexGuard<'_, Inner>, before: Vec<(i64, Liveness)>) {
        let mut any = false;
        for (user, was) in before {
            if inner.liveness(user) != was {
                inner.dirty.insert(user);
                any = true;
            }
        }
        drop(inner);
        if any {
            self.changed.notify_one();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_user_is_online_while_any_socket_on_any_node_is_open() {
        let streams = UserStreams::default();
        streams.connected(7);
        streams.connected(7);
        assert!(streams.liveness(7).connected);
        streams.disconnected(7);
        assert!(streams.liveness(7).connected, "one socket is still open");
        streams.disconnected(7);
        assert!(!streams.liveness(7).connected);
        streams.apply_report("b", vec![(7, false)], Instant::now());
        assert!(streams.liveness(7).connected, "open on another node");
        streams.forget_node("b");
        assert!(!streams.liveness(7).connected);
        let (marked, gone) = streams.take_marked();
        assert_eq!(marked, vec![7]);
        assert_eq!(gone, vec![7]);
    }

    #[test]
    fn a_user_is_idle_only_when_every_node_says_so() {
        let streams = UserStreams::default();
        streams.connected(7);
        streams.take_marked();
        assert!(streams.tick(
            Instant::now() + Duration::from_secs(10),
            Duration::from_secs(5)
        ));
        assert!(streams.liveness(7).idle);
        streams.apply_report("b", vec![(7, false)], Instant::now());
        assert!(!streams.liveness(7).idle, "active on another node");
        streams.activity(7);
        streams.apply_report("b", vec![(7, true)], Instant::now());
        assert!(!streams.liveness(7).idle, "active here again");
    }
}

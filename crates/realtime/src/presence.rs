//! Who is online and who is typing in a text channel, merged over every node, and the
//! `presence`, `presence_delta` and `typing` frames that announce changes. Online lists are
//! coalesced: a join storm of N users costs about one list per channel per flush interval
//! instead of N lists to N sockets.

use std::borrow::Cow;
use std::collections::HashMap;
use std::time::{Duration, Instant};

use charge_domain::{OnlineUser, frame};
use charge_protocol::frames::TextServerFrame;
use charge_protocol::frames::text::Typist;
use serde::{Deserialize, Serialize};

use crate::channels::{RemoteChannel, TextChannel};
use crate::conn::broadcast;
use crate::ws::Utf8Bytes;

/// How often changed online lists are sent (presence broadcasts are coalesced).
pub const PRESENCE_FLUSH: Duration = Duration::from_millis(100);

/// Someone typing, as another node reports it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct TypingUser {
    pub id: i64,
    pub display_name: String,
    /// Seconds left when the report was sent.
    pub expires_in: f64,
}

impl TextChannel {
    /// Online users of every node, each user once, in display order.
    pub fn merged_online(&self) -> Vec<OnlineUser> {
        let mut by_id: HashMap<i64, OnlineUser> = HashMap::new();
        for remote in self.remote.values() {
            for u in &remote.online {
                by_id.insert(u.id, u.clone());
            }
        }
        for (_, u) in self.online.values() {
            by_id.insert(u.id, u.clone());
        }
        let mut list: Vec<OnlineUser> = by_id.into_values().collect();
        list.sort_by_cached_key(|u| (u.display_name.to_lowercase(), u.id));
        list
    }

    /// Typing users of every node whose entry has not lapsed, in display order.
    pub fn merged_typing(&self, now: Instant) -> Vec<Typist> {
        let mut by_id: HashMap<i64, String> = HashMap::new();
        for remote in self.remote.values() {
            for (id, name, until) in &remote.typing {
                if *until > now {
                    by_id.insert(*id, name.clone());
                }
            }
        }
        for (id, (name, until)) in &self.typing {
            if *until > now {
                by_id.insert(*id, name.clone());
            }
        }
        let mut list: Vec<Typist> = by_id
            .into_iter()
            .map(|(id, display_name)| Typist { id, display_name })
            .collect();
        list.sort_by_cached_key(|t| (t.display_name.to_lowercase(), t.id));
        list
    }

    /// This node's own online and typing users, as other nodes are told.
    pub fn local_state(&self, now: Instant) -> (Vec<OnlineUser>, Vec<TypingUser>) {
        let online = self.online.values().map(|(_, u)| u.clone()).collect();
        let typing = self
            .typing
            .iter()
            .filter(|(_, (_, until))| *until > now)
            .map(|(id, (name, until))| TypingUser {
                id: *id,
                display_name: name.clone(),
                expires_in: until.saturating_duration_since(now).as_secs_f64(),
            })
            .collect();
        (online, typing)
    }

    /// Records what another node said about this channel.
    pub fn apply_remote(
        &mut self,
        node: &str,
        online: Vec<OnlineUser>,
        typing: Vec<TypingUser>,
        now: Instant,
    ) {
        let typing = typing
            .into_iter()
            .map(|t| {
                (
                    t.id,
                    t.display_name,
                    now + Duration::from_secs_f64(t.expires_in.clamp(0.0, 3600.0)),
                )
            })
            .collect();
        self.remote.insert(
            node.to_owned(),
            RemoteChannel {
                online,
                typing,
                seen: now,
            },
        );
    }

    /// Sends the typing list to this node's sockets (but `except`) if it changed, and marks
    /// the online list for the next flush.
    pub fn announce(&mut self, channel_id: i64, typing_ttl: Duration, except: Option<u64>) {
        let typing = self.merged_typing(Instant::now());
        if typing != self.announced_typing {
            // Held-back messages first, so every socket sees events in the order they happened.
            self.send_pending();
            let bytes = typing_frame(channel_id, &typing, typing_ttl);
            broadcast(
                self.conns
                    .iter()
                    .filter(|(id, _)| Some(**id) != except)
                    .map(|(_, c)| c),
                &bytes,
            );
            self.announced_typing = typing;
        }
        self.presence_dirty = true;
    }

    /// Sends the online list if it changed since it was last sent: the whole list, or to
    /// sockets that asked for deltas, only who joined, changed or left.
    pub fn flush_presence(&mut self, channel_id: i64) {
        if !self.presence_dirty {
            return;
        }
        self.presence_dirty = false;
        let online = self.merged_online();
        if online == self.announced_online {
            return;
        }
        self.send_pending();
        let full = presence_frame(channel_id, &online);
        let delta = self.conns.values().any(|c| c.presence_delta).then(|| {
            let joined: Vec<OnlineUser> = online
                .iter()
                .filter(|u| !self.announced_online.contains(u))
                .cloned()
                .collect();
            let left: Vec<i64> = self
                .announced_online
                .iter()
                .filter(|u| !online.iter().any(|o| o.id == u.id))
                .map(|u| u.id)
                .collect();
            frame(&TextServerFrame::PresenceDelta {
                channel_id,
                joined: Cow::Owned(joined),
                left: Cow::Owned(left),
            })
        });
        broadcast(self.conns.values().filter(|c| !c.presence_delta), &full);
        if let Some(delta) = &delta {
            broadcast(self.conns.values().filter(|c| c.presence_delta), delta);
        }
        self.announced_online = online;
    }
}

/// The `presence` frame of a channel's whole online list.
pub fn presence_frame(channel_id: i64, online: &[OnlineUser]) -> Utf8Bytes {
    frame(&TextServerFrame::Presence {
        channel_id,
        online: Cow::Borrowed(online),
    })
}

/// The `typing` frame of a channel's typing list.
pub fn typing_frame(channel_id: i64, typing: &[Typist], ttl: Duration) -> Utf8Bytes {
    frame(&TextServerFrame::Typing {
        channel_id,
        users: Cow::Borrowed(typing),
        expires_in: ttl.as_secs_f64(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presence_and_typing_frames_are_the_contract_bytes() {
        let online = [OnlineUser {
            id: 1,
            display_name: "Ann".into(),
            status: "online".into(),
            avatar_url: None,
        }];
        assert_eq!(
            presence_frame(7, &online).as_str(),
            r#"{"type":"presence","channel_id":7,"online":[{"id":1,"display_name":"Ann","status":"online","avatar_url":null}]}"#
        );
        let typing = [Typist {
            id: 1,
            display_name: "Ann".into(),
        }];
        assert_eq!(
            typing_frame(7, &typing, Duration::from_secs(8)).as_str(),
            r#"{"type":"typing","channel_id":7,"users":[{"id":1,"display_name":"Ann"}],"expires_in":8.0}"#
        );
    }
}

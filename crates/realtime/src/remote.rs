//! The hub's side of the broker bridge: events other nodes published are applied here
//! (frames delivered to this node's sockets, other nodes' presence, typing and voice state
//! merged in), and timer work keeps that state fresh: this node's heartbeat and the expiry of
//! silent nodes.

use std::time::Instant;

use tokio::sync::watch;

use crate::bus::{Node, RemoteEvent};
use crate::hub::Hub;
use crate::ws::Utf8Bytes;

impl Node for Hub {
    fn apply_remote(&self, node: &str, event: RemoteEvent) {
        Hub::apply_remote(self, node, event);
    }

    fn shutdown_signal(&self) -> watch::Receiver<bool> {
        Hub::shutdown_signal(self)
    }
}

impl Hub {
    /// Timer work: lapsed typing entries and silent nodes are dropped, and the shorter lists
    /// are broadcast.
    pub fn expire(&self) {
        let now = Instant::now();
        let ttl = self.node_ttl();
        let mut state = self.lock();
        let mut empty = Vec::new();
        for (channel_id, channel) in &mut state.channels {
            let before = channel.typing.len();
            channel.typing.retain(|_, (_, until)| *until > now);
            if channel.typing.len() != before {
                self.publish_channel(*channel_id, channel);
            }
            channel
                .remote
                .retain(|_, r| now.duration_since(r.seen) < ttl);
            channel.announce(*channel_id, self.typing_ttl(), None);
            if channel.is_unused() {
                empty.push(*channel_id);
            }
        }
        for id in empty {
            state.channels.remove(&id);
        }
        drop(state);
        self.voice.expire(now, ttl);
        self.users.expire(now, ttl);
    }

    /// Re-sends this node's state of every channel so other nodes keep it alive.
    pub fn heartbeat(&self) {
        if !self.bus().is_distributed() {
            return;
        }
        let state = self.lock();
        for (channel_id, channel) in &state.channels {
            if !channel.online.is_empty() || !channel.typing.is_empty() {
                self.publish_channel(*channel_id, channel);
            }
        }
        drop(state);
        self.voice.heartbeat(self.bus());
        self.publish_users_state();
    }

    /// Publishes this node's connected users (for the other nodes' presence).
    pub fn publish_users_state(&self) {
        if self.bus().is_distributed() {
            self.bus().publish(RemoteEvent::UsersState {
                users: self.users.local_report(),
            });
        }
    }

    /// Applies an event another node published.
    pub fn apply_remote(&self, node: &str, event: RemoteEvent) {
        match event {
            RemoteEvent::ChannelChanged { channel_id } => self.cache.channel_changed(channel_id),
            RemoteEvent::UserChanged { user_id } => {
                self.cache.forget_user(user_id);
                self.users.mark(user_id);
            }
            RemoteEvent::PermissionsChanged { room_id } => self.recheck_room(room_id),
            RemoteEvent::PresenceChanged { user_id } => self.users.mark(user_id),
            RemoteEvent::StreamFrame {
                stream,
                users,
                frame,
            } => {
                self.users
                    .deliver_local(stream, &users, &Utf8Bytes::from(frame));
            }
            RemoteEvent::UsersState { users } => {
                self.users.apply_report(node, users, Instant::now());
            }
            RemoteEvent::ChannelFrame { channel_id, frame } => {
                self.to_local_channel(channel_id, &Utf8Bytes::from(frame));
            }
            RemoteEvent::RoomFrame {
                room_id,
                admins_only,
                frame,
            } => {
                self.to_local_room(room_id, &Utf8Bytes::from(frame), admins_only);
            }
            RemoteEvent::UserFrame { user_id, frame } => {
                self.to_local_user(user_id, &Utf8Bytes::from(frame));
            }
            RemoteEvent::ChannelState {
                channel_id,
                online,
                typing,
            } => {
                let mut state = self.lock();
                let channel = state.channels.entry(channel_id).or_default();
                channel.apply_remote(node, online, typing, Instant::now());
                channel.announce(channel_id, self.typing_ttl(), None);
            }
            RemoteEvent::VoiceState {
                room_id,
                participants,
            } => self.voice.apply_state(node, room_id, participants),
            RemoteEvent::VoiceFrame {
                room_id,
                target,
                except,
                frame,
            } => {
                self.voice
                    .deliver_local(room_id, target, except, &Utf8Bytes::from(frame));
            }
            RemoteEvent::Evict {
                room_id,
                channel_ids,
                user_id,
                why,
            } => self.evict_local(room_id, &channel_ids, user_id, why),
            RemoteEvent::TimedOut { room_id, user_id } => self.timed_out_local(room_id, user_id),
            RemoteEvent::NodeLeft => {
                let mut state = self.lock();
                for (channel_id, channel) in &mut state.channels {
                    if channel.remote.remove(node).is_some() {
                        channel.announce(*channel_id, self.typing_ttl(), None);
                    }
                }
                drop(state);
                self.voice.forget_node(node);
                self.users.forget_node(node);
            }
        }
    }
}

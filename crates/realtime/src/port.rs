//! The real-time side of the domain's [`Realtime`] trait: how a rule's event reaches sockets
//! (through the hub, on every node) and how a new message reaches the writer.

use std::sync::Arc;

use charge_domain::messages::Draft;
use charge_domain::{BoxFuture, Liveness, OnlineUser, Realtime, UserStream, Utf8Bytes};
use charge_store::{Message, StoreError};

use crate::hub::Hub;
use crate::writer::MessageWriter;

pub struct Port {
    pub hub: Arc<Hub>,
    pub writer: MessageWriter,
}

impl Realtime for Port {
    fn to_channel(&self, channel_id: i64, frame: Utf8Bytes) {
        self.hub.to_channel(channel_id, &frame);
    }

    fn to_room(&self, room_id: i64, frame: Utf8Bytes, admins_only: bool) {
        self.hub.to_room(room_id, frame, admins_only);
    }

    fn to_user(&self, user_id: i64, frame: Utf8Bytes) {
        self.hub.to_user(user_id, frame);
    }

    fn user_changed(&self, user: OnlineUser) {
        // Other nodes mark the user for their presence feed when they hear of the change.
        self.hub.users.mark(user.id);
        self.hub.user_changed(user);
    }

    fn channel_changed_silently(&self, channel_id: i64) {
        self.hub.channel_changed_silently(channel_id);
    }

    fn permissions_changed(&self, room_id: i64) {
        self.hub.permissions_changed(room_id);
    }

    fn evict(
        &self,
        room_id: i64,
        channel_ids: &[i64],
        user_id: Option<i64>,
        why: charge_domain::moderation::Eviction,
    ) {
        self.hub.evict(room_id, channel_ids, user_id, why);
    }

    fn timed_out(&self, room_id: i64, user_id: i64) {
        self.hub.timed_out(room_id, user_id);
    }

    fn create_message(&self, draft: Draft) -> BoxFuture<'_, Result<Message, StoreError>> {
        Box::pin(self.writer.create(draft))
    }

    fn to_users(&self, stream: UserStream, users: &[i64], frame: Utf8Bytes) {
        self.hub.to_users(stream, users, &frame);
    }

    fn liveness(&self, user_id: i64) -> Liveness {
        self.hub.users.liveness(user_id)
    }

    fn presence_changed(&self, user_id: i64) {
        self.hub.users.mark(user_id);
        self.hub
            .bus()
            .publish(crate::bus::RemoteEvent::PresenceChanged { user_id });
    }
}

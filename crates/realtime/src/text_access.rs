//! What a `/ws/text` socket may do (decision 24), from the cached permission inputs: posting,
//! reacting and typing need `send_messages`; when a change is announced the socket is closed
//! if its user lost `view` (or membership), and told its new permissions otherwise.

use std::borrow::Cow;

use charge_domain::channels::{self, TextChannelAccess};
use charge_domain::frame;
use charge_domain::permissions::{self, Permission, Perms};
use charge_protocol::frames::TextServerFrame;

use crate::frames::error_frame;
use crate::session::{CLOSE_POLICY, Recheck};
use crate::state::AppState;
use crate::ws::Utf8Bytes;

/// `send_messages` in the channel; no query while the room's inputs are cached.
pub async fn may_send(
    state: &AppState,
    channel_id: i64,
    user_id: i64,
) -> Result<(), Cow<'static, str>> {
    match permissions::channel_grant(state, channel_id, user_id).await {
        Ok(Ok(grant)) if grant.perms.has(Permission::SendMessages) => Ok(()),
        Ok(Ok(_)) => Err(Permission::SendMessages.missing().into()),
        Ok(Err(_)) => Err(Permission::View.missing().into()),
        Err(e) => {
            tracing::warn!(
                error = &e as &dyn std::error::Error,
                "permission check failed"
            );
            Err("Service temporarily unavailable".into())
        }
    }
}

/// The socket's answer to a change: closed (with an error frame saying why) when its user
/// may no longer view the channel, else a `permissions` frame if what they may do changed
/// since `last`.
pub async fn recheck(
    state: &AppState,
    channel_id: i64,
    user_id: i64,
    last: &mut Option<Perms>,
) -> Recheck {
    match channels::text_channel_access(state, channel_id, user_id).await {
        Ok(TextChannelAccess::Granted(_)) => {}
        Ok(TextChannelAccess::NotMember) => {
            return Recheck::Close(
                vec![error_frame("Not a room member")],
                CLOSE_POLICY,
                "Not a room member",
            );
        }
        Ok(_) => {
            let missing = Permission::View.missing();
            return Recheck::Close(vec![error_frame(missing)], CLOSE_POLICY, missing);
        }
        Err(e) => {
            tracing::warn!(
                error = &e as &dyn std::error::Error,
                "permissions not re-checked"
            );
            return Recheck::Keep(Vec::new());
        }
    }
    Recheck::Keep(changed(state, channel_id, user_id, last).await)
}

async fn changed(
    state: &AppState,
    channel_id: i64,
    user_id: i64,
    last: &mut Option<Perms>,
) -> Vec<Utf8Bytes> {
    let Ok(Ok(grant)) = permissions::channel_grant(state, channel_id, user_id).await else {
        return Vec::new();
    };
    if *last == Some(grant.perms) {
        return Vec::new();
    }
    *last = Some(grant.perms);
    vec![frame(&TextServerFrame::Permissions {
        channel_id,
        permissions: Cow::Owned(Perms::names(grant.perms.0)),
    })]
}

//! The presence feed: one task per node that turns marked users (connected, disconnected,
//! idle, profile or friendship changed, here or on another node) into `status` frames for
//! their watchers on this node — the user and each friend. Marks are collected for
//! [`PRESENCE_FLUSH`], so a burst of changes of one user costs one frame per watcher. The
//! task also turns quiet users idle, publishes this node's connected users when they change,
//! and records when a user's last socket here closed (their last-seen time).

use std::time::{Duration, Instant};

use charge_domain::{UserStream, frame, presence};
use charge_protocol::frames::PresenceServerFrame;
use charge_protocol::people::PEOPLE_LISTED_MAX;

use crate::hub::PRESENCE_FLUSH;
use crate::state::AppState;

/// How often idleness is checked when nothing else wakes the feed.
const IDLE_CHECK: Duration = Duration::from_secs(1);

/// Runs until shutdown.
pub async fn run(state: AppState) {
    let hub = state.hub.clone();
    let idle_after = state.settings.presence_idle;
    let mut shutdown = hub.shutdown_signal();
    loop {
        tokio::select! {
            () = hub.users.changed.notified() => {}
            () = tokio::time::sleep(IDLE_CHECK) => {}
            _ = shutdown.changed() => return,
        }
        // Let a burst gather: every mark in this window becomes one frame per watcher.
        tokio::time::sleep(PRESENCE_FLUSH).await;
        if hub.users.tick(Instant::now(), idle_after) {
            hub.publish_users_state();
        }
        let (marked, gone) = hub.users.take_marked();
        let now = charge_store::now_micros();
        for user in gone {
            if let Err(e) = state.store.set_last_seen(user, now).await {
                tracing::debug!(
                    user_id = user,
                    error = &e as &dyn std::error::Error,
                    "last seen not recorded"
                );
            }
        }
        for user in marked {
            if let Err(e) = announce(&state, user).await {
                tracing::debug!(
                    user_id = user,
                    error = &e as &dyn std::error::Error,
                    "status not sent"
                );
            }
        }
    }
}

/// Sends `user`'s status to their watchers connected to this node.
async fn announce(state: &AppState, user: i64) -> Result<(), charge_store::StoreError> {
    let mut watchers = state.store.friend_ids(user, PEOPLE_LISTED_MAX).await?;
    watchers.retain(|&w| w != user);
    let friends_here = state.hub.users.watching_here(&watchers);
    let self_here = !state.hub.users.watching_here(&[user]).is_empty();
    if friends_here.is_empty() && !self_here {
        return Ok(());
    }
    let Some(person) = state.store.person(user).await? else {
        return Ok(());
    };
    if !friends_here.is_empty() {
        let bytes = frame(&PresenceServerFrame::Status {
            user: presence::status_user_for(state, &person, -1),
        });
        state
            .hub
            .users
            .deliver_local(UserStream::Presence, &friends_here, &bytes);
    }
    if self_here {
        let bytes = frame(&PresenceServerFrame::Status {
            user: presence::status_user_for(state, &person, user),
        });
        state
            .hub
            .users
            .deliver_local(UserStream::Presence, &[user], &bytes);
    }
    Ok(())
}

//! What a `/ws/signal` participant may do (decision 24): `connect` and `speak` judged on the
//! voice channel they join (`?channel=<id>`) or, when they name none, on the room's voice
//! channels together; stage controls need `start_stage` for oneself and `manage_stage` for
//! others, on top of the reference's admin+ check.

use charge_domain::permissions::{self, Permission, Perms};
use charge_protocol::frames::signal::{StageAction, StateEvent, VoiceRole};

use crate::session::{CLOSE_POLICY, Refusal, UNAVAILABLE};
use crate::state::AppState;

/// The participant's permissions, or the refusal when no voice channel lets them connect.
pub async fn admission(
    state: &AppState,
    room_id: i64,
    user_id: i64,
    channel: Option<i64>,
) -> Result<Perms, Refusal> {
    let room = permissions::room_perms(state, room_id).await.map_err(|e| {
        tracing::warn!(
            room_id,
            error = &e as &dyn std::error::Error,
            "voice permissions not loaded"
        );
        UNAVAILABLE
    })?;
    match permissions::voice_perms(&room, user_id, channel) {
        Some(perms) if perms.has(Permission::Connect) => Ok(perms),
        _ => Err((CLOSE_POLICY, Permission::Connect.missing())),
    }
}

/// The permission a state change needs beyond the gateway's own rules, if it lacks it. The
/// gateway's moderator checks answer first, so changes only a moderator may make are judged
/// here for moderators only.
pub fn refusal(
    perms: Perms,
    is_self: bool,
    moderator: bool,
    muted_now: bool,
    event: &StateEvent,
) -> Option<&'static str> {
    let need = |p: Permission| (!perms.has(p)).then(|| p.missing());
    match event {
        StateEvent::Recording { .. } if !moderator => None,
        _ if !is_self && !moderator => None,
        StateEvent::SetRole {
            role: Ok(VoiceRole::Speaker),
        } if is_self => need(Permission::Speak),
        StateEvent::SetMuted { muted } if is_self => {
            let unmuting = !muted.unwrap_or(!muted_now);
            if unmuting {
                need(Permission::Speak)
            } else {
                None
            }
        }
        StateEvent::Stage(Ok(StageAction::SetStatus { .. })) if is_self => {
            need(Permission::StartStage)
        }
        StateEvent::Recording { .. } => need(Permission::ManageStage),
        StateEvent::SetRole { .. }
        | StateEvent::SetMuted { .. }
        | StateEvent::SetDeafened { .. }
        | StateEvent::Media { .. }
        | StateEvent::Stage(_)
            if !is_self =>
        {
            need(Permission::ManageStage)
        }
        _ => None,
    }
}

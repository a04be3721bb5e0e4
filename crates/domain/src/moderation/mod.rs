//! Removing and restraining people (decision 25): kick, leave, ban and unban, timeouts. Each
//! change is committed, then the affected sockets are closed or updated on every node (through
//! [`crate::Realtime::evict`] and the workspace events), then written to the audit log.
//! Room-wide changes (rename, delete, ownership, slow mode) are in `room`; what stops a
//! timed-out or slowed member from posting is in `gate`.

pub mod gate;
pub mod room;

use charge_protocol::limits::{BAN_REASON_MAX_LENGTH, BANS_LISTED_MAX, TIMEOUT_MAX_SECONDS};
use charge_protocol::{BanRead, RoomMemberSummary};
use charge_store::{Member, Role, now_micros};
use serde::{Deserialize, Serialize};

use crate::access::RoomAccess;
use crate::audit::{self, Target};
use crate::error::{DomainError, DomainResult};
use crate::rooms::{MembersChange, publish_members};
use crate::{Domain, dto};

pub use gate::Gate;

/// Why a user's sockets in a room are being closed; each has its own close reason (code 1008),
/// so a client can tell the person what happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Eviction {
    Kicked,
    Banned,
    Left,
    RoomDeleted,
}

impl Eviction {
    pub fn reason(self) -> &'static str {
        match self {
            Eviction::Kicked => "Removed from the room",
            Eviction::Banned => "Banned from the room",
            Eviction::Left => "Left the room",
            Eviction::RoomDeleted => "Room deleted",
        }
    }
}

/// The close code of an eviction (policy).
pub const EVICTION_CLOSE_CODE: u16 = 1008;

/// The target member of a moderation action: the caller must be admin+ and strictly outrank
/// them (the contract's 404 and 403 answers).
async fn outranked_member(
    state: &Domain,
    access: &RoomAccess,
    user_id: i64,
) -> DomainResult<Member> {
    access.require_admin()?;
    let target = state
        .store
        .membership(access.room.id, user_id)
        .await?
        .ok_or(DomainError::NotFound("Member not found"))?;
    require_outranks(access, &target.role)?;
    Ok(target)
}

fn require_outranks(access: &RoomAccess, role: &str) -> DomainResult<()> {
    if access.my_level()? <= access.level_of(role)? {
        return Err(DomainError::Forbidden(
            "Cannot manage members with equal or higher role",
        ));
    }
    Ok(())
}

/// Closes the user's sockets in the room on every node and tells the others who is left.
async fn removed(state: &Domain, access: &RoomAccess, user_id: i64, why: Eviction) {
    evict(state, access.room.id, Some(user_id), why).await;
    publish_members(
        state,
        access.room.id,
        &access.room.slug,
        MembersChange::Left,
    )
    .await;
}

/// Closes sockets of the room (one user's, or everyone's) on every node.
pub(crate) async fn evict(state: &Domain, room_id: i64, user_id: Option<i64>, why: Eviction) {
    let channels = match state.store.channels(room_id).await {
        Ok(channels) => channels.iter().map(|c| c.id).collect(),
        Err(e) => {
            // The workspace and voice sockets still close; text sockets find out on their next
            // access check.
            tracing::warn!(
                room_id,
                error = &e as &dyn std::error::Error,
                "channels of an eviction not read"
            );
            Vec::new()
        }
    };
    state.realtime.evict(room_id, &channels, user_id, why);
}

fn summary(member: &Member) -> Option<serde_json::Value> {
    audit::state(&dto::member(member))
}

/// `DELETE /api/rooms/{slug}/members/{user_id}`: ends someone else's membership.
pub async fn kick(state: &Domain, access: &RoomAccess, user_id: i64) -> DomainResult<()> {
    let target = outranked_member(state, access, user_id).await?;
    if !state.store.remove_member(access.room.id, user_id).await? {
        return Err(DomainError::NotFound("Member not found"));
    }
    removed(state, access, user_id, Eviction::Kicked).await;
    audit::log(
        state,
        access,
        "member.kick",
        Target::Member(user_id),
        summary(&target),
        None,
    )
    .await;
    Ok(())
}

/// `POST /api/rooms/{slug}/leave`: ends the caller's own membership. The last owner must hand
/// the room over (or delete it) first.
pub async fn leave(state: &Domain, access: &RoomAccess) -> DomainResult<()> {
    if access.member.role == Role::Owner.as_str() {
        let owners = state
            .store
            .members(access.room.id)
            .await?
            .iter()
            .filter(|m| m.role == Role::Owner.as_str())
            .count();
        if owners <= 1 {
            return Err(DomainError::BadRequest(
                "The owner must transfer ownership or delete the room before leaving",
            ));
        }
    }
    let me = access.member.user_id;
    state.store.remove_member(access.room.id, me).await?;
    removed(state, access, me, Eviction::Left).await;
    audit::log(
        state,
        access,
        "member.leave",
        Target::Member(me),
        summary(&access.member),
        None,
    )
    .await;
    Ok(())
}

/// `PUT /api/rooms/{slug}/bans/{user_id}`: bans a user (a member is removed at once; anyone
/// else is kept out). Invitations cannot bypass it (see `invitations::accept`).
pub async fn ban(
    state: &Domain,
    access: &RoomAccess,
    user_id: i64,
    reason: Option<&str>,
) -> DomainResult<BanRead> {
    access.require_admin()?;
    let reason = reason.map(str::trim).filter(|r| !r.is_empty());
    if reason.is_some_and(|r| r.chars().count() > BAN_REASON_MAX_LENGTH) {
        return Err(DomainError::validation(
            "string_too_long",
            &["body", "reason"],
            format!("String should have at most {BAN_REASON_MAX_LENGTH} characters"),
        ));
    }
    if user_id == access.member.user_id {
        return Err(DomainError::BadRequest("You cannot ban yourself"));
    }
    let member = state.store.membership(access.room.id, user_id).await?;
    if let Some(member) = &member {
        require_outranks(access, &member.role)?;
    } else if state.store.user_by_id(user_id).await?.is_none() {
        return Err(DomainError::NotFound("User not found"));
    }
    if !state
        .store
        .ban(access.room.id, user_id, access.member.user_id, reason)
        .await?
    {
        return Err(DomainError::Conflict("User is already banned"));
    }
    if member.is_some() {
        removed(state, access, user_id, Eviction::Banned).await;
    }
    let ban = state
        .store
        .bans(access.room.id, BANS_LISTED_MAX)
        .await?
        .iter()
        .find(|b| b.user_id == user_id)
        .map(ban_read)
        .ok_or(DomainError::NotFound("Ban not found"))?;
    audit::log(
        state,
        access,
        "member.ban",
        Target::Member(user_id),
        member.as_ref().and_then(summary),
        audit::state(&ban),
    )
    .await;
    Ok(ban)
}

/// `DELETE /api/rooms/{slug}/bans/{user_id}`.
pub async fn unban(state: &Domain, access: &RoomAccess, user_id: i64) -> DomainResult<()> {
    access.require_admin()?;
    let before = state
        .store
        .bans(access.room.id, BANS_LISTED_MAX)
        .await?
        .iter()
        .find(|b| b.user_id == user_id)
        .map(ban_read);
    if !state.store.unban(access.room.id, user_id).await? {
        return Err(DomainError::NotFound("Ban not found"));
    }
    audit::log(
        state,
        access,
        "member.unban",
        Target::Member(user_id),
        before.as_ref().and_then(audit::state),
        None,
    )
    .await;
    Ok(())
}

/// `GET /api/rooms/{slug}/bans`: newest first, at most [`BANS_LISTED_MAX`].
pub async fn bans(state: &Domain, access: &RoomAccess) -> DomainResult<Vec<BanRead>> {
    access.require_admin()?;
    let rows = state.store.bans(access.room.id, BANS_LISTED_MAX).await?;
    Ok(rows.iter().map(ban_read).collect())
}

fn ban_read(b: &charge_store::Ban) -> BanRead {
    BanRead {
        user_id: b.user_id,
        login: b.login.clone(),
        display_name: b.display_name.clone(),
        avatar_url: dto::avatar_url(b.user_id, b.avatar_path.as_deref(), b.avatar_updated_at),
        reason: b.reason.clone(),
        banned_by_id: b.banned_by_id,
        created_at: dto::timestamp(b.created_at),
    }
}

/// `PUT /api/rooms/{slug}/members/{user_id}/timeout`: `until` (RFC 3339, in the future, at most
/// [`TIMEOUT_MAX_SECONDS`] ahead) or `None` to lift it. Open sockets obey at once: the change
/// goes out as `member_updated`, which also refreshes every node's posting gate.
pub async fn timeout(
    state: &Domain,
    access: &RoomAccess,
    user_id: i64,
    until: Option<&str>,
) -> DomainResult<RoomMemberSummary> {
    let target = outranked_member(state, access, user_id).await?;
    let until = match until {
        None => None,
        Some(raw) => {
            let at = dto::parse_timestamp(raw).ok_or_else(|| {
                DomainError::validation(
                    "datetime_from_date_parsing",
                    &["body", "until"],
                    "Input should be a valid datetime",
                )
            })?;
            let now = now_micros();
            if at <= now {
                return Err(DomainError::BadRequest("A timeout must end in the future"));
            }
            if at - now > TIMEOUT_MAX_SECONDS * 1_000_000 {
                return Err(DomainError::BadRequest("A timeout lasts at most 28 days"));
            }
            Some(at)
        }
    };
    if !state
        .store
        .set_timeout(access.room.id, user_id, until)
        .await?
    {
        return Err(DomainError::NotFound("Member not found"));
    }
    if until.is_some() {
        state.realtime.timed_out(access.room.id, user_id);
    }
    publish_members(
        state,
        access.room.id,
        &access.room.slug,
        MembersChange::Updated,
    )
    .await;
    let after = state
        .store
        .membership(access.room.id, user_id)
        .await?
        .ok_or(DomainError::NotFound("Member not found"))?;
    let read = dto::member(&after);
    audit::log(
        state,
        access,
        if until.is_some() {
            "member.timeout"
        } else {
            "member.timeout_clear"
        },
        Target::Member(user_id),
        summary(&target),
        audit::state(&read),
    )
    .await;
    Ok(read)
}

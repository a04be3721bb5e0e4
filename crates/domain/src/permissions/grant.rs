//! The permission function's answers to a caller: a channel they may view and what else they
//! may do there, in the contract's order of checks and with its refusals; and what a voice
//! participant may do.

use std::sync::Arc;

use charge_store::{Channel, Role, StoreError};

use super::{Permission, Perms, RoomPerms, Standing, channel_room, effective};
use crate::Domain;
use crate::error::{DomainError, DomainResult};

/// A channel the caller may view, with what else they may do there.
#[derive(Debug, Clone)]
pub struct ChannelGrant {
    pub channel: Channel,
    pub perms: Perms,
    pub standing: Standing,
    pub room: Arc<RoomPerms>,
}

/// Why a channel is refused, before any permission beyond `view`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    Missing,
    NotMember,
    /// The channel exists but the caller may not view it: answered as if it did not.
    Hidden,
}

/// Existence, membership, then `view`; no query while the room's inputs are cached.
pub async fn channel_grant(
    state: &Domain,
    channel_id: i64,
    user_id: i64,
) -> Result<Result<ChannelGrant, Refused>, StoreError> {
    let Some(room) = channel_room(state, channel_id).await? else {
        return Ok(Err(Refused::Missing));
    };
    let (Some(channel), Some(role)) = (room.channels.get(&channel_id), room.role_of(user_id))
    else {
        return Ok(Err(Refused::NotMember));
    };
    let perms = room.effective(channel_id, user_id).unwrap_or_default();
    if !perms.has(Permission::View) {
        return Ok(Err(Refused::Hidden));
    }
    Ok(Ok(ChannelGrant {
        channel: channel.clone(),
        perms,
        standing: room.standing(role),
        room: room.clone(),
    }))
}

/// [`channel_grant`] with the contract's answers: 404 "Channel not found" (missing or not
/// viewable), 403 "Not a room member".
pub async fn viewable_channel(
    state: &Domain,
    channel_id: i64,
    user_id: i64,
) -> DomainResult<ChannelGrant> {
    match channel_grant(state, channel_id, user_id).await? {
        Ok(grant) => Ok(grant),
        Err(Refused::Missing | Refused::Hidden) => Err(DomainError::NotFound("Channel not found")),
        Err(Refused::NotMember) => Err(DomainError::Forbidden("Not a room member")),
    }
}

/// The checks of an admin+ action on a channel, in the contract's order: existence (404),
/// membership (403), admin+ (403 "Insufficient permissions"), `view` (404, so a hidden
/// channel's existence does not leak), then `need` (403 "Missing permission: …").
pub async fn managed_channel(
    state: &Domain,
    channel_id: i64,
    user_id: i64,
    need: Permission,
) -> DomainResult<ChannelGrant> {
    let grant = match channel_grant(state, channel_id, user_id).await? {
        Ok(grant) => grant,
        Err(Refused::Missing) => return Err(DomainError::NotFound("Channel not found")),
        Err(Refused::NotMember) => return Err(DomainError::Forbidden("Not a room member")),
        Err(Refused::Hidden) => {
            let room = channel_room(state, channel_id)
                .await?
                .ok_or(DomainError::NotFound("Channel not found"))?;
            let standing = room
                .role_of(user_id)
                .map(|role| room.standing(role))
                .ok_or(DomainError::Forbidden("Not a room member"))?;
            if standing == Standing::Member {
                return Err(DomainError::Forbidden("Insufficient permissions"));
            }
            return Err(DomainError::NotFound("Channel not found"));
        }
    };
    grant.require_admin()?;
    grant.require(need)?;
    Ok(grant)
}

impl ChannelGrant {
    /// 403 `Missing permission: <name>`.
    pub fn require(&self, permission: Permission) -> DomainResult<()> {
        if self.perms.has(permission) {
            Ok(())
        } else {
            Err(DomainError::Forbidden(permission.missing()))
        }
    }

    /// The reference's admin+ check, by level.
    pub fn require_admin(&self) -> DomainResult<()> {
        match self.standing {
            Standing::Owner | Standing::Admin => Ok(()),
            Standing::Member => Err(DomainError::Forbidden("Insufficient permissions")),
        }
    }

    /// 400 for voice and stage channels on text-only routes.
    pub fn require_text(&self) -> DomainResult<()> {
        if self.channel.is_text() {
            Ok(())
        } else {
            Err(DomainError::BadRequest(
                "History is only available for text channels",
            ))
        }
    }
}

/// Voice signalling is room-wide: what a user may do in the voice channel they join, or, when
/// they name none, in the room's best voice channel. `None` when the room has voice channels
/// and every one denies `connect`.
pub fn voice_perms(room: &RoomPerms, user_id: i64, channel_id: Option<i64>) -> Option<Perms> {
    let voice: Vec<&Channel> = room
        .channels
        .values()
        .filter(|c| !c.is_text() && channel_id.is_none_or(|id| c.id == id))
        .collect();
    if voice.is_empty() {
        // A room without voice channels keeps the predecessor's room-wide voice.
        return match channel_id {
            None => room.role_of(user_id).map(|role| {
                effective(
                    room.standing(role),
                    role == Role::Owner.as_str(),
                    None,
                    None,
                )
            }),
            Some(_) => None,
        };
    }
    let mut best: Option<Perms> = None;
    for channel in voice {
        let perms = room.effective(channel.id, user_id)?;
        if perms.has(Permission::Connect) {
            best = Some(Perms(best.map_or(0, |b| b.0) | perms.0));
        }
    }
    best
}

//! Room access rules: membership, role levels and the checks routes share.

use charge_store::{Member, Role, RoleLevel, Room};

use crate::Domain;
use crate::error::{DomainError, DomainResult};

/// A caller's standing in a room.
pub struct RoomAccess {
    pub room: Room,
    pub member: Member,
    pub levels: Vec<RoleLevel>,
}

impl RoomAccess {
    /// Room by slug (404) and the caller's membership (403).
    pub async fn load(state: &Domain, slug: &str, user_id: i64) -> DomainResult<Self> {
        let room = state
            .store
            .room_by_slug(slug)
            .await?
            .ok_or(DomainError::NotFound("Room not found"))?;
        Self::for_room(state, room, user_id).await
    }

    pub async fn for_room(state: &Domain, room: Room, user_id: i64) -> DomainResult<Self> {
        let member = state
            .store
            .membership(room.id, user_id)
            .await?
            .ok_or(DomainError::Forbidden("Not a room member"))?;
        let levels = state.store.role_levels(room.id).await?;
        Ok(Self {
            room,
            member,
            levels,
        })
    }

    pub fn level_of(&self, role: &str) -> DomainResult<i64> {
        self.levels
            .iter()
            .find(|l| l.role == role)
            .map(|l| l.level)
            .ok_or_else(|| {
                DomainError::Internal(format!(
                    "room {} has no level for role {role}",
                    self.room.id
                ))
            })
    }

    pub fn my_level(&self) -> DomainResult<i64> {
        self.level_of(&self.member.role)
    }

    /// Admin or stronger, by level.
    pub fn require_admin(&self) -> DomainResult<()> {
        let admin = self
            .level_of(Role::Admin.as_str())?
            .min(self.level_of(Role::Owner.as_str())?);
        if self.my_level()? >= admin {
            Ok(())
        } else {
            Err(DomainError::Forbidden("Insufficient permissions"))
        }
    }

    /// Whether invitation codes may be shown to the caller: admin-level members and above,
    /// by the room's hierarchy (decisions 19 and 24).
    pub fn sees_invitations(&self) -> bool {
        self.require_admin().is_ok()
    }
}

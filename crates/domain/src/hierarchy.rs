//! Role levels (§1.3 "Role hierarchy") and the bounded member list (decision 22). A level
//! change takes effect on the next check everywhere, open sockets included.

use charge_protocol::limits::{MEMBERS_EMBEDDED_MAX, MEMBERS_PAGE_MAX};
use charge_protocol::{RoomMemberPage, RoomMemberSummary, RoomRoleLevelRead};
use charge_store::Role;

use crate::access::RoomAccess;
use crate::error::{DomainError, DomainResult};
use crate::{Domain, audit, dto};

/// Members in a page when the client names no `limit`.
pub const MEMBERS_PAGE_DEFAULT: i64 = 50;
/// Characters in a member search.
pub const MEMBER_SEARCH_MAX_LENGTH: usize = 128;

/// The room's levels, highest first (admins and owners).
pub fn levels(access: &RoomAccess) -> DomainResult<Vec<RoomRoleLevelRead>> {
    access.require_admin()?;
    Ok(read(access))
}

fn read(access: &RoomAccess) -> Vec<RoomRoleLevelRead> {
    let mut levels: Vec<RoomRoleLevelRead> = access
        .levels
        .iter()
        .map(|l| RoomRoleLevelRead {
            role: l.role.clone(),
            level: l.level,
        })
        .collect();
    levels.sort_by(|a, b| b.level.cmp(&a.level).then_with(|| a.role.cmp(&b.role)));
    levels
}

/// Sets a role's level (owner-level members only); every node re-checks at once.
pub async fn set_level(
    state: &Domain,
    access: &RoomAccess,
    role: Role,
    level: i64,
) -> DomainResult<RoomRoleLevelRead> {
    if access.my_level()? < access.level_of(Role::Owner.as_str())? {
        return Err(DomainError::Forbidden("Insufficient permissions"));
    }
    let before = access
        .levels
        .iter()
        .find(|l| l.role == role.as_str())
        .map(|l| RoomRoleLevelRead {
            role: l.role.clone(),
            level: l.level,
        });
    if !state
        .store
        .set_role_level(access.room.id, role.as_str(), level)
        .await?
    {
        return Err(DomainError::NotFound("Role hierarchy entry not found"));
    }
    state.cache.permissions.forget_room(access.room.id);
    state.realtime.permissions_changed(access.room.id);
    let after = RoomRoleLevelRead {
        role: role.as_str().to_owned(),
        level,
    };
    audit::record(
        state,
        audit::Change {
            room_id: access.room.id,
            actor_id: Some(access.member.user_id),
            action: "role.level",
            target: audit::Target::Role,
            before: before.as_ref().and_then(audit::state),
            after: audit::state(&after),
        },
    )
    .await;
    Ok(after)
}

/// The members embedded in room detail and snapshots: at most [`MEMBERS_EMBEDDED_MAX`], in
/// the contract's order, and how many there are in all.
pub async fn embedded_members(
    state: &Domain,
    room_id: i64,
) -> Result<(Vec<RoomMemberSummary>, i64), charge_store::StoreError> {
    let (members, total) = state
        .store
        .members_page(room_id, None, MEMBERS_EMBEDDED_MAX as i64, 0)
        .await?;
    Ok((dto::members_sorted(&members), total))
}

/// `GET /api/rooms/{slug}/members`: a page of members by name, optionally searched.
pub async fn members_page(
    state: &Domain,
    access: &RoomAccess,
    search: Option<&str>,
    limit: Option<i64>,
    offset: Option<i64>,
) -> DomainResult<RoomMemberPage> {
    let limit = match limit {
        Some(l) if l < 1 => {
            return Err(DomainError::validation(
                "greater_than_equal",
                &["query", "limit"],
                "Input should be greater than or equal to 1",
            ));
        }
        Some(l) => l.min(MEMBERS_PAGE_MAX),
        None => MEMBERS_PAGE_DEFAULT,
    };
    let offset = match offset {
        Some(o) if o < 0 => {
            return Err(DomainError::validation(
                "greater_than_equal",
                &["query", "offset"],
                "Input should be greater than or equal to 0",
            ));
        }
        Some(o) => o,
        None => 0,
    };
    let search = search.map(str::trim).filter(|s| !s.is_empty());
    if search.is_some_and(|s| s.chars().count() > MEMBER_SEARCH_MAX_LENGTH) {
        return Err(DomainError::validation(
            "string_too_long",
            &["query", "query"],
            format!("String should have at most {MEMBER_SEARCH_MAX_LENGTH} characters"),
        ));
    }
    let (members, total) = state
        .store
        .members_page(access.room.id, search, limit, offset)
        .await?;
    let next = offset + members.len() as i64;
    Ok(RoomMemberPage {
        items: members.iter().map(dto::member).collect(),
        total,
        next_offset: (next < total && !members.is_empty()).then_some(next),
    })
}

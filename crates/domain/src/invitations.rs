//! Invitation rules shared by the room-scoped and `/api/invites` routes (decision 19:
//! never above the creator's own role; codes only for admins and owners; expired → 410).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use charge_protocol::{RoomInvitationRead, ValidationItem};
use charge_store::{Role, StoreError};

use crate::Domain;
use crate::access::RoomAccess;
use crate::audit::{self, Target};
use crate::dto;
use crate::error::{DomainError, DomainResult, item};

/// Upper bound of invitation lists.
pub const MAX_LISTED: i64 = 500;

pub fn check_role_and_expiry(
    problems: &mut Vec<ValidationItem>,
    role: Option<&str>,
    expires_at: Option<&str>,
) {
    if let Some(role) = role
        && Role::parse(role).is_none()
    {
        problems.push(item(
            "enum",
            &["body", "role"],
            "Input should be 'owner', 'admin', 'member' or 'guest'",
        ));
    }
    if let Some(at) = expires_at
        && dto::parse_timestamp(at).is_none()
    {
        problems.push(item(
            "datetime_from_date_parsing",
            &["body", "expires_at"],
            "Input should be a valid datetime",
        ));
    }
}

pub async fn list(state: &Domain, access: &RoomAccess) -> DomainResult<Vec<RoomInvitationRead>> {
    access.require_admin()?;
    let rows = state.store.invitations(access.room.id, MAX_LISTED).await?;
    Ok(rows.iter().map(dto::invitation).collect())
}

pub async fn create(
    state: &Domain,
    access: &RoomAccess,
    role: Option<&str>,
    expires_at: Option<&str>,
) -> DomainResult<RoomInvitationRead> {
    access.require_admin()?;
    let role = role.and_then(Role::parse).unwrap_or(Role::Member);
    if access.level_of(role.as_str())? > access.my_level()? {
        return Err(DomainError::Forbidden("Cannot grant a role above your own"));
    }
    let expires_at = expires_at.and_then(dto::parse_timestamp);
    for _ in 0..10 {
        let code = URL_SAFE_NO_PAD.encode(rand::random::<[u8; 8]>());
        match state
            .store
            .create_invitation(
                access.room.id,
                &code,
                role,
                access.member.user_id,
                expires_at,
            )
            .await
        {
            Ok(invitation) => {
                audit::log(
                    state,
                    access,
                    "invitation.create",
                    Target::Invitation(invitation.id),
                    None,
                    audit::state(&serde_json::json!({
                        "role": invitation.role,
                        "expires_at": invitation.expires_at.map(dto::timestamp),
                    })),
                )
                .await;
                return Ok(dto::invitation(&invitation));
            }
            Err(StoreError::Conflict(_)) => continue,
            Err(other) => return Err(other.into()),
        }
    }
    Err(DomainError::Internal(
        "Unable to generate unique invitation code".into(),
    ))
}

pub async fn delete(state: &Domain, access: &RoomAccess, invitation_id: i64) -> DomainResult<()> {
    access.require_admin()?;
    if state
        .store
        .delete_invitation(access.room.id, invitation_id)
        .await?
    {
        audit::log(
            state,
            access,
            "invitation.delete",
            Target::Invitation(invitation_id),
            None,
            None,
        )
        .await;
        Ok(())
    } else {
        Err(DomainError::NotFound("Invitation not found"))
    }
}

/// What accepting an invitation did to the caller's membership.
pub enum Joined {
    New,
    Upgraded,
    Unchanged,
}

/// Joins the caller to the invitation's room, or raises their role when the invitation's is
/// strictly higher. Returns the room access after the change.
pub async fn accept(
    state: &Domain,
    code: &str,
    user_id: i64,
) -> DomainResult<(RoomAccess, Joined)> {
    let invitation = state
        .store
        .invitation_by_code(code)
        .await?
        .ok_or(DomainError::NotFound("Invitation not found"))?;
    if invitation
        .expires_at
        .is_some_and(|at| at <= charge_store::now_micros())
    {
        return Err(DomainError::Gone("Invitation expired"));
    }
    let room = state
        .store
        .room_by_id(invitation.room_id)
        .await?
        .ok_or(DomainError::NotFound("Invitation not found"))?;
    // Decision 25: an invitation never lets a banned user back in.
    if state.store.is_banned(room.id, user_id).await? {
        return Err(DomainError::Forbidden("You are banned from this room"));
    }
    let role = Role::parse(&invitation.role).unwrap_or(Role::Member);
    let joined = match state.store.membership(room.id, user_id).await? {
        None => match state.store.add_member(room.id, user_id, role).await {
            Ok(()) | Err(StoreError::Conflict(_)) => Joined::New,
            Err(other) => return Err(other.into()),
        },
        Some(member) => {
            let levels = state.store.role_levels(room.id).await?;
            let level = |r: &str| levels.iter().find(|l| l.role == r).map_or(0, |l| l.level);
            if level(role.as_str()) > level(&member.role) {
                state.store.set_member_role(room.id, user_id, role).await?;
                Joined::Upgraded
            } else {
                Joined::Unchanged
            }
        }
    };
    let access = RoomAccess::for_room(state, room, user_id).await?;
    let action = match joined {
        Joined::New => Some("member.join"),
        Joined::Upgraded => Some("member.role"),
        Joined::Unchanged => None,
    };
    if let Some(action) = action {
        audit::log(
            state,
            &access,
            action,
            Target::Member(user_id),
            None,
            audit::state(&serde_json::json!({
                "role": access.member.role,
                "invitation_id": invitation.id,
            })),
        )
        .await;
    }
    Ok((access, joined))
}

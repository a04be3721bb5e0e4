//! Channel permission overwrites (§1.5): reading a channel's, and setting or removing a role's
//! or a user's. Each change reaches the permission function on every node at once.

use charge_protocol::{
    ChannelPermissionRoleRead, ChannelPermissionSummary, ChannelPermissionUserRead,
    PermissionOverwriteUpdate, ValidationItem,
};
use charge_store::{OverwriteTarget, Role, UserOverwrite};

use crate::error::{DomainError, DomainResult, item};
use crate::permissions::{self, ChannelGrant, Permission, Perms};
use crate::{Domain, audit, dto};

/// User overwrites one channel may hold (decision 22: every list is bounded).
pub const USER_OVERWRITES_PER_CHANNEL: i64 = charge_protocol::limits::USER_OVERWRITES_PER_CHANNEL;

/// Checks a payload: known names (422 `enum` per item) and no name both allowed and denied
/// (422 `value_error` on the body). Returns the (allow, deny) masks.
pub fn masks(body: &PermissionOverwriteUpdate) -> Result<(i64, i64), Vec<ValidationItem>> {
    let mut problems = Vec::new();
    let mut mask = |names: &[String], field: &str| {
        let mut bits = 0;
        for (i, name) in names.iter().enumerate() {
            match Permission::parse(name) {
                Some(p) => bits |= p.bit(),
                None => problems.push(item(
                    "enum",
                    &["body", field, &i.to_string()],
                    format!("Input should be {}", permission_list()),
                )),
            }
        }
        bits
    };
    let allow = mask(&body.allow, "allow");
    let deny = mask(&body.deny, "deny");
    if problems.is_empty() && allow & deny != 0 {
        problems.push(item(
            "value_error",
            &["body"],
            "Value error, Allow and deny permissions cannot overlap",
        ));
    }
    if problems.is_empty() {
        Ok((allow, deny))
    } else {
        Err(problems)
    }
}

/// `'view', 'send_messages', … or 'manage_events'`, as pydantic words an enum error.
fn permission_list() -> String {
    let names: Vec<String> = Permission::ALL
        .iter()
        .map(|p| format!("'{}'", p.name()))
        .collect();
    let (last, rest) = names
        .split_last()
        .map_or((String::new(), &[][..]), |(l, r)| (l.clone(), r));
    format!("{} or {last}", rest.join(", "))
}

/// `GET /api/channels/{id}/permissions`: members who may view the channel.
pub async fn summary(
    state: &Domain,
    channel_id: i64,
    user_id: i64,
) -> DomainResult<ChannelPermissionSummary> {
    let grant = permissions::viewable_channel(state, channel_id, user_id).await?;
    let (roles, users) = state.store.channel_overwrites(grant.channel.id).await?;
    Ok(ChannelPermissionSummary {
        channel_id: grant.channel.id,
        roles: roles
            .iter()
            .map(|o| role_read(&o.role, o.allow_mask, o.deny_mask))
            .collect(),
        users: users.iter().map(user_read).collect(),
    })
}

/// The checks of a write, in the contract's order (see [`permissions::managed_channel`]).
async fn manageable(state: &Domain, channel_id: i64, user_id: i64) -> DomainResult<ChannelGrant> {
    permissions::managed_channel(state, channel_id, user_id, Permission::ManagePermissions).await
}

/// `PUT …/permissions/roles/{role}`.
pub async fn put_role(
    state: &Domain,
    channel_id: i64,
    user_id: i64,
    role: Role,
    (allow, deny): (i64, i64),
) -> DomainResult<ChannelPermissionRoleRead> {
    let grant = manageable(state, channel_id, user_id).await?;
    let before = grant
        .room
        .role_overwrites
        .get(&(grant.channel.id, role.as_str().to_owned()))
        .map(|&(a, d)| role_read(role.as_str(), a, d));
    state
        .store
        .put_overwrite(
            grant.channel.id,
            OverwriteTarget::Role(role.as_str()),
            allow,
            deny,
        )
        .await?;
    changed(state, &grant);
    let read = role_read(role.as_str(), allow, deny);
    record(
        state,
        &grant,
        user_id,
        "permission.role_set",
        before,
        Some(&read),
    )
    .await;
    Ok(read)
}

/// `DELETE …/permissions/roles/{role}` (idempotent).
pub async fn delete_role(
    state: &Domain,
    channel_id: i64,
    user_id: i64,
    role: Role,
) -> DomainResult<()> {
    let grant = manageable(state, channel_id, user_id).await?;
    let before = grant
        .room
        .role_overwrites
        .get(&(grant.channel.id, role.as_str().to_owned()))
        .map(|&(a, d)| role_read(role.as_str(), a, d));
    if state
        .store
        .delete_overwrite(grant.channel.id, OverwriteTarget::Role(role.as_str()))
        .await?
    {
        changed(state, &grant);
        let after: Option<&ChannelPermissionRoleRead> = None;
        record(
            state,
            &grant,
            user_id,
            "permission.role_clear",
            before,
            after,
        )
        .await;
    }
    Ok(())
}

/// `PUT …/permissions/users/{user_id}`: the target must be a member of the room.
pub async fn put_user(
    state: &Domain,
    channel_id: i64,
    user_id: i64,
    target: i64,
    (allow, deny): (i64, i64),
) -> DomainResult<ChannelPermissionUserRead> {
    let grant = manageable(state, channel_id, user_id).await?;
    if grant.room.role_of(target).is_none() {
        return Err(DomainError::Forbidden("Not a room member"));
    }
    let target_key = OverwriteTarget::User(target);
    let existed = grant
        .room
        .user_overwrites
        .contains_key(&(grant.channel.id, target));
    if !existed
        && state.store.user_overwrite_count(grant.channel.id).await? >= USER_OVERWRITES_PER_CHANNEL
    {
        return Err(DomainError::BadRequest(
            "Too many user overwrites on this channel",
        ));
    }
    let before = grant
        .room
        .user_overwrites
        .get(&(grant.channel.id, target))
        .map(|&(a, d)| masks_read(target, a, d));
    state
        .store
        .put_overwrite(grant.channel.id, target_key, allow, deny)
        .await?;
    changed(state, &grant);
    let after = masks_read(target, allow, deny);
    record(
        state,
        &grant,
        user_id,
        "permission.user_set",
        before,
        Some(&after),
    )
    .await;
    let member = state
        .store
        .membership(grant.room.room_id, target)
        .await?
        .ok_or(DomainError::Forbidden("Not a room member"))?;
    Ok(ChannelPermissionUserRead {
        user_id: member.user_id,
        login: member.login.clone(),
        display_name: member.display_name.clone(),
        avatar_url: dto::avatar_url(
            member.user_id,
            member.avatar_path.as_deref(),
            member.avatar_updated_at,
        ),
        status: member.presence_status.clone(),
        allow: Perms::names(allow),
        deny: Perms::names(deny),
    })
}

/// `DELETE …/permissions/users/{user_id}` (idempotent).
pub async fn delete_user(
    state: &Domain,
    channel_id: i64,
    user_id: i64,
    target: i64,
) -> DomainResult<()> {
    let grant = manageable(state, channel_id, user_id).await?;
    let before = grant
        .room
        .user_overwrites
        .get(&(grant.channel.id, target))
        .map(|&(a, d)| masks_read(target, a, d));
    if state
        .store
        .delete_overwrite(grant.channel.id, OverwriteTarget::User(target))
        .await?
    {
        changed(state, &grant);
        let after: Option<&serde_json::Value> = None;
        record(
            state,
            &grant,
            user_id,
            "permission.user_clear",
            before,
            after,
        )
        .await;
    }
    Ok(())
}

/// Every node forgets the room's inputs and re-checks its sockets.
fn changed(state: &Domain, grant: &ChannelGrant) {
    state.cache.permissions.forget_room(grant.room.room_id);
    state.realtime.permissions_changed(grant.room.room_id);
}

/// A user overwrite as the audit log keeps it.
fn masks_read(user_id: i64, allow: i64, deny: i64) -> serde_json::Value {
    serde_json::json!({"user_id": user_id, "allow": Perms::names(allow), "deny": Perms::names(deny)})
}

/// Writes an overwrite change to the room's audit log (target: the channel's permissions).
async fn record(
    state: &Domain,
    grant: &ChannelGrant,
    actor: i64,
    action: &str,
    before: Option<impl serde::Serialize>,
    after: Option<&impl serde::Serialize>,
) {
    audit::record(
        state,
        audit::Change {
            room_id: grant.room.room_id,
            actor_id: Some(actor),
            action,
            target: audit::Target::Permission(grant.channel.id),
            before: before.as_ref().and_then(audit::state),
            after: after.and_then(audit::state),
        },
    )
    .await;
}

fn role_read(role: &str, allow: i64, deny: i64) -> ChannelPermissionRoleRead {
    ChannelPermissionRoleRead {
        role: role.to_owned(),
        allow: Perms::names(allow),
        deny: Perms::names(deny),
    }
}

fn user_read(o: &UserOverwrite) -> ChannelPermissionUserRead {
    ChannelPermissionUserRead {
        user_id: o.user_id,
        login: o.login.clone(),
        display_name: o.display_name.clone(),
        avatar_url: dto::avatar_url(o.user_id, o.avatar_path.as_deref(), o.avatar_updated_at),
        status: o.presence_status.clone(),
        allow: Perms::names(o.allow_mask),
        deny: Perms::names(o.deny_mask),
    }
}

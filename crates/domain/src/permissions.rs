//! Effective channel permissions (decision 24): the one function every HTTP route and socket
//! frame asks, computed from a room's cached inputs (role levels, members' roles, channels and
//! overwrites) so that a check costs no query while the room is unchanged. The cache itself is
//! in `permission_cache`; any change to these inputs empties the room's entry on every node.

use std::collections::HashMap;
use std::sync::Arc;

use charge_store::{Channel, Role, StoreError};

use crate::Domain;
use crate::error::{DomainError, DomainResult};

/// The permissions of the contract, in its canonical order (bit = 1 << position).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Permission {
    View,
    SendMessages,
    ManageMessages,
    Connect,
    Speak,
    ManageChannel,
    ManagePermissions,
    StartStage,
    ManageStage,
    PublishAnnouncements,
    CreateForumPosts,
    ModerateForumPosts,
    CreateEvents,
    ManageEvents,
}

impl Permission {
    pub const ALL: [Permission; 14] = [
        Self::View,
        Self::SendMessages,
        Self::ManageMessages,
        Self::Connect,
        Self::Speak,
        Self::ManageChannel,
        Self::ManagePermissions,
        Self::StartStage,
        Self::ManageStage,
        Self::PublishAnnouncements,
        Self::CreateForumPosts,
        Self::ModerateForumPosts,
        Self::CreateEvents,
        Self::ManageEvents,
    ];

    pub fn bit(self) -> i64 {
        1 << (self as u32)
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::View => "view",
            Self::SendMessages => "send_messages",
            Self::ManageMessages => "manage_messages",
            Self::Connect => "connect",
            Self::Speak => "speak",
            Self::ManageChannel => "manage_channel",
            Self::ManagePermissions => "manage_permissions",
            Self::StartStage => "start_stage",
            Self::ManageStage => "manage_stage",
            Self::PublishAnnouncements => "publish_announcements",
            Self::CreateForumPosts => "create_forum_posts",
            Self::ModerateForumPosts => "moderate_forum_posts",
            Self::CreateEvents => "create_events",
            Self::ManageEvents => "manage_events",
        }
    }

    /// The refusal's detail, `Missing permission: <name>`.
    pub fn missing(self) -> &'static str {
        match self {
            Self::View => "Missing permission: view",
            Self::SendMessages => "Missing permission: send_messages",
            Self::ManageMessages => "Missing permission: manage_messages",
            Self::Connect => "Missing permission: connect",
            Self::Speak => "Missing permission: speak",
            Self::ManageChannel => "Missing permission: manage_channel",
            Self::ManagePermissions => "Missing permission: manage_permissions",
            Self::StartStage => "Missing permission: start_stage",
            Self::ManageStage => "Missing permission: manage_stage",
            Self::PublishAnnouncements => "Missing permission: publish_announcements",
            Self::CreateForumPosts => "Missing permission: create_forum_posts",
            Self::ModerateForumPosts => "Missing permission: moderate_forum_posts",
            Self::CreateEvents => "Missing permission: create_events",
            Self::ManageEvents => "Missing permission: manage_events",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.name() == name)
    }
}

/// A set of permissions as the contract's bit mask.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Perms(pub i64);

/// Every permission there is.
pub const ALL: Perms = Perms((1 << Permission::ALL.len()) - 1);

/// What guests and members have before overwrites.
pub const MEMBER_BASE: Perms = Perms(
    (1 << Permission::View as u32)
        | (1 << Permission::SendMessages as u32)
        | (1 << Permission::Connect as u32)
        | (1 << Permission::Speak as u32)
        | (1 << Permission::CreateForumPosts as u32),
);

impl Perms {
    pub fn has(self, p: Permission) -> bool {
        self.0 & p.bit() != 0
    }

    /// Deny removes, then allow adds.
    pub fn overwrite(self, allow: i64, deny: i64) -> Perms {
        Perms(((self.0 & !deny) | allow) & ALL.0)
    }

    /// The names in canonical order.
    pub fn names(mask: i64) -> Vec<String> {
        Permission::ALL
            .into_iter()
            .filter(|p| mask & p.bit() != 0)
            .map(|p| p.name().to_owned())
            .collect()
    }
}

/// A member's standing by level (decision 24 and §0.5: levels, not role names).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    Owner,
    Admin,
    Member,
}

/// Everything the permission function reads for one room.
#[derive(Debug, Default)]
pub struct RoomPerms {
    pub room_id: i64,
    pub levels: HashMap<String, i64>,
    pub roles: HashMap<i64, String>,
    pub channels: HashMap<i64, Channel>,
    /// (channel, role) → (allow, deny).
    pub role_overwrites: HashMap<(i64, String), (i64, i64)>,
    /// (channel, user) → (allow, deny).
    pub user_overwrites: HashMap<(i64, i64), (i64, i64)>,
}

impl RoomPerms {
    pub fn role_of(&self, user_id: i64) -> Option<&str> {
        self.roles.get(&user_id).map(String::as_str)
    }

    fn level(&self, role: &str) -> Option<i64> {
        self.levels.get(role).copied()
    }

    /// A role's standing: owner-level, admin-level (at least the lower of the admin and owner
    /// levels, as the admin+ check) or neither.
    pub fn standing(&self, role: &str) -> Standing {
        let (Some(mine), Some(owner), Some(admin)) = (
            self.level(role),
            self.level(Role::Owner.as_str()),
            self.level(Role::Admin.as_str()),
        ) else {
            return Standing::Member;
        };
        if mine >= owner {
            Standing::Owner
        } else if mine >= admin.min(owner) {
            Standing::Admin
        } else {
            Standing::Member
        }
    }

    /// What `user_id` may do in `channel_id`; `None` when they are not a member.
    pub fn effective(&self, channel_id: i64, user_id: i64) -> Option<Perms> {
        let role = self.role_of(user_id)?;
        let role_overwrite = self
            .role_overwrites
            .get(&(channel_id, role.to_owned()))
            .copied();
        let user_overwrite = self.user_overwrites.get(&(channel_id, user_id)).copied();
        Some(effective(
            self.standing(role),
            role == Role::Owner.as_str(),
            role_overwrite,
            user_overwrite,
        ))
    }

    /// The channels `user_id` may view, of those given.
    pub fn viewable<'a>(
        &'a self,
        user_id: i64,
        channels: &'a [Channel],
    ) -> impl Iterator<Item = &'a Channel> + 'a {
        channels.iter().filter(move |c| {
            self.effective(c.id, user_id)
                .is_some_and(|p| p.has(Permission::View))
        })
    }

    /// Channel ids of the room that `user_id` may not view.
    pub fn hidden_from(&self, user_id: i64) -> Vec<i64> {
        let mut hidden: Vec<i64> = self
            .channels
            .keys()
            .copied()
            .filter(|id| {
                !self
                    .effective(*id, user_id)
                    .is_some_and(|p| p.has(Permission::View))
            })
            .collect();
        hidden.sort_unstable();
        hidden
    }
}

/// The permission function: owner-level members have everything; others start from their
/// standing's base set, then their role's overwrite applies, then their own (which wins).
/// Overwrites naming the owner role are stored but change nothing.
pub fn effective(
    standing: Standing,
    owner_role: bool,
    role_overwrite: Option<(i64, i64)>,
    user_overwrite: Option<(i64, i64)>,
) -> Perms {
    let mut perms = match standing {
        Standing::Owner => return ALL,
        Standing::Admin => ALL,
        Standing::Member => MEMBER_BASE,
    };
    if let Some((allow, deny)) = role_overwrite.filter(|_| !owner_role) {
        perms = perms.overwrite(allow, deny);
    }
    if let Some((allow, deny)) = user_overwrite {
        perms = perms.overwrite(allow, deny);
    }
    perms
}

/// A room's permission inputs, from the cache or (once per node and change) the database.
pub async fn room_perms(state: &Domain, room_id: i64) -> Result<Arc<RoomPerms>, StoreError> {
    let cache = &state.cache.permissions;
    if let Some(perms) = cache.get(room_id) {
        return Ok(perms);
    }
    let _loading = cache.loader(room_id).await;
    if let Some(perms) = cache.get(room_id) {
        return Ok(perms);
    }
    let ticket = cache.ticket(room_id);
    let store = &state.store;
    let levels = store.role_levels(room_id).await?;
    let roles = store.member_roles(room_id).await?;
    let channels = store.channels(room_id).await?;
    let (role_overwrites, user_overwrites) = store.room_overwrites(room_id).await?;
    let perms = Arc::new(RoomPerms {
        room_id,
        levels: levels.into_iter().map(|l| (l.role, l.level)).collect(),
        roles: roles.into_iter().collect(),
        channels: channels.into_iter().map(|c| (c.id, c)).collect(),
        role_overwrites: role_overwrites
            .into_iter()
            .map(|o| ((o.channel_id, o.role), (o.allow_mask, o.deny_mask)))
            .collect(),
        user_overwrites: user_overwrites
            .into_iter()
            .map(|o| ((o.channel_id, o.user_id), (o.allow_mask, o.deny_mask)))
            .collect(),
    });
    cache.put(ticket, perms.clone());
    Ok(perms)
}

/// The room holding `channel_id` and its permission inputs; `None` when the channel is gone.
pub async fn channel_room(
    state: &Domain,
    channel_id: i64,
) -> Result<Option<Arc<RoomPerms>>, StoreError> {
    if let Some(room_id) = state.cache.permissions.room_of(channel_id) {
        let perms = room_perms(state, room_id).await?;
        if perms.channels.contains_key(&channel_id) {
            return Ok(Some(perms));
        }
    }
    let Some(channel) = state.store.channel_by_id(channel_id).await? else {
        return Ok(None);
    };
    let mut perms = room_perms(state, channel.room_id).await?;
    if !perms.channels.contains_key(&channel_id) {
        // Created a moment ago and the news has not reached this node yet.
        state.cache.permissions.forget_room(channel.room_id);
        perms = room_perms(state, channel.room_id).await?;
    }
    Ok(perms.channels.contains_key(&channel_id).then_some(perms))
}

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

//! Conversions from stored rows to the wire types of `charge-protocol`.

use charge_protocol as wire;
use charge_store as store;
use chrono::{DateTime, SecondsFormat, Utc};

/// Stored microseconds → RFC 3339 UTC with millisecond precision and a `Z` offset.
pub fn timestamp(micros: i64) -> String {
    DateTime::<Utc>::from_timestamp_micros(micros)
        .unwrap_or_default()
        .to_rfc3339_opts(SecondsFormat::Millis, true)
}

pub fn parse_timestamp(s: &str) -> Option<i64> {
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.with_timezone(&Utc).timestamp_micros())
        .or_else(|| {
            // Accept a naive timestamp as UTC, as the predecessor's clients send them.
            chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f")
                .ok()
                .map(|t| t.and_utc().timestamp_micros())
        })
}

pub fn avatar_url(
    user_id: i64,
    avatar_path: Option<&str>,
    updated_at: Option<i64>,
) -> Option<String> {
    avatar_path.map(|_| {
        format!(
            "/api/profile/avatar/{user_id}?v={}",
            updated_at.unwrap_or(0) / 1_000_000
        )
    })
}

pub fn user(u: &store::User) -> wire::UserRead {
    wire::UserRead {
        id: u.id,
        login: u.login.clone(),
        display_name: u.display_name.clone(),
        status: if u.presence_invisible != 0 {
            wire::people::STATUS_INVISIBLE.to_owned()
        } else {
            u.presence_status.clone()
        },
        avatar_url: avatar_url(u.id, u.avatar_path.as_deref(), u.avatar_updated_at),
        created_at: timestamp(u.created_at),
        updated_at: timestamp(u.updated_at),
    }
}

pub fn room(r: &store::Room) -> wire::RoomRead {
    wire::RoomRead {
        id: r.id,
        title: r.title.clone(),
        slug: r.slug.clone(),
        created_at: timestamp(r.created_at),
        updated_at: timestamp(r.updated_at),
    }
}

pub fn channel(c: &store::Channel) -> wire::ChannelRead {
    wire::ChannelRead {
        id: c.id,
        name: c.name.clone(),
        kind: c.kind.clone(),
        category_id: c.category_id,
        letter: c.letter.clone(),
        position: c.position,
        created_at: timestamp(c.created_at),
        slow_mode_seconds: c.slow_mode_seconds,
    }
}

pub fn category(c: &store::Category) -> wire::ChannelCategoryRead {
    wire::ChannelCategoryRead {
        id: c.id,
        name: c.name.clone(),
        position: c.position,
        created_at: timestamp(c.created_at),
    }
}

pub fn invitation(i: &store::Invitation) -> wire::RoomInvitationRead {
    wire::RoomInvitationRead {
        id: i.id,
        code: i.code.clone(),
        role: i.role.clone(),
        expires_at: i.expires_at.map(timestamp),
        created_at: timestamp(i.created_at),
        created_by_id: i.created_by_id,
    }
}

pub fn member(m: &store::Member) -> wire::RoomMemberSummary {
    wire::RoomMemberSummary {
        id: m.id,
        user_id: m.user_id,
        role: m.role.clone(),
        login: m.login.clone(),
        display_name: m.display_name.clone(),
        avatar_url: avatar_url(m.user_id, m.avatar_path.as_deref(), m.avatar_updated_at),
        status: m.presence_status.clone(),
        // A lapsed timeout reads as none.
        timed_out_until: m
            .timed_out_until
            .filter(|until| *until > store::now_micros())
            .map(timestamp),
    }
}

/// Members in the contract's order: by lower-cased display name (or login).
pub fn members_sorted(members: &[store::Member]) -> Vec<wire::RoomMemberSummary> {
    let mut out: Vec<_> = members.iter().map(member).collect();
    out.sort_by_cached_key(|m| {
        (
            m.display_name.as_deref().unwrap_or(&m.login).to_lowercase(),
            m.id,
        )
    });
    out
}

/// Channels in the contract's order: category id (none first), position, lower-cased name.
pub fn channels_sorted(channels: &[store::Channel]) -> Vec<wire::ChannelRead> {
    let mut sorted: Vec<&store::Channel> = channels.iter().collect();
    sorted.sort_by_cached_key(|c| {
        (
            c.category_id.unwrap_or(-1),
            c.position,
            c.name.to_lowercase(),
            c.id,
        )
    });
    sorted.into_iter().map(channel).collect()
}

pub fn categories_sorted(categories: &[store::Category]) -> Vec<wire::ChannelCategoryRead> {
    let mut sorted: Vec<&store::Category> = categories.iter().collect();
    sorted.sort_by_cached_key(|c| (c.position, c.name.to_lowercase(), c.id));
    sorted.into_iter().map(category).collect()
}

/// A message as everyone sees it (real-time frames carry no viewer).
pub fn message(m: &store::Message) -> wire::MessageRead {
    message_for(m, None)
}

/// Reactions grouped by emoji (code-point order), user ids ascending, `reacted` for `viewer`.
fn reactions(m: &store::Message, viewer: Option<i64>) -> Vec<wire::MessageReactionSummary> {
    let mut groups: Vec<wire::MessageReactionSummary> = Vec::new();
    for r in &m.reactions {
        match groups.last_mut() {
            Some(g) if g.emoji == r.emoji => g.user_ids.push(r.user_id),
            _ => groups.push(wire::MessageReactionSummary {
                emoji: r.emoji.clone(),
                count: 0,
                reacted: false,
                user_ids: vec![r.user_id],
            }),
        }
    }
    groups.sort_by(|a, b| a.emoji.cmp(&b.emoji));
    for g in &mut groups {
        g.user_ids.sort_unstable();
        g.count = g.user_ids.len() as i64;
        g.reacted = viewer.is_some_and(|v| g.user_ids.contains(&v));
    }
    groups
}

/// A message as `viewer` sees it.
pub fn message_for(m: &store::Message, viewer: Option<i64>) -> wire::MessageRead {
    let author = person(
        m.author_id,
        &m.author_login,
        &m.author_display_name,
        &m.author_avatar_path,
        m.author_avatar_updated_at,
        &m.author_presence_status,
    );
    // Decision 21: deleted or moderated messages do not show their original text.
    let hidden = m.deleted_at.is_some() || m.moderated_at.is_some();
    wire::MessageRead {
        id: m.id,
        channel_id: m.channel_id,
        author_id: m.author_id,
        author,
        content: if hidden {
            String::new()
        } else {
            m.content.clone()
        },
        created_at: timestamp(m.created_at),
        updated_at: timestamp(m.updated_at),
        edited_at: m.edited_at.map(timestamp),
        deleted_at: m.deleted_at.map(timestamp),
        moderated_at: m.moderated_at.map(timestamp),
        moderation_note: m.moderation_note.clone(),
        moderated_by: person(
            m.moderated_by_id,
            &m.moderator_login,
            &m.moderator_display_name,
            &m.moderator_avatar_path,
            m.moderator_avatar_updated_at,
            &m.moderator_presence_status,
        ),
        parent_id: m.parent_id,
        thread_root_id: m.thread_root_id,
        reply_count: m.reply_count,
        thread_reply_count: m.thread_reply_count,
        attachments: Vec::new(),
        reactions: reactions(m, viewer),
        delivered_count: m.delivered_count,
        read_count: m.read_count,
        delivered_at: None,
        read_at: None,
        pinned_at: m.pinned_at.map(timestamp),
        pinned_by: pinner(m),
        mentions: if hidden {
            Vec::new()
        } else {
            m.mentioned_users()
        },
        mention_everyone: !hidden && m.mention_everyone != 0,
        nonce: m.nonce.clone(),
    }
}

fn pinner(m: &store::Message) -> Option<wire::MessageAuthor> {
    person(
        m.pinned_by_id,
        &m.pinner_login,
        &m.pinner_display_name,
        &m.pinner_avatar_path,
        m.pinner_avatar_updated_at,
        &m.pinner_presence_status,
    )
}

/// Someone a message names (author, moderator, pinner), when the account still exists.
fn person(
    id: Option<i64>,
    login: &Option<String>,
    display_name: &Option<String>,
    avatar_path: &Option<String>,
    avatar_updated_at: Option<i64>,
    status: &Option<String>,
) -> Option<wire::MessageAuthor> {
    let (id, login) = (id?, login.as_ref()?);
    Some(wire::MessageAuthor {
        id,
        login: login.clone(),
        display_name: display_name.clone(),
        avatar_url: avatar_url(id, avatar_path.as_deref(), avatar_updated_at),
        status: status.clone().unwrap_or_else(|| "online".into()),
    })
}

/// A pinned message as `viewer` sees it; `None` if `m` is not pinned.
pub fn pinned_message(m: &store::Message, viewer: i64) -> Option<wire::PinnedMessageRead> {
    Some(wire::PinnedMessageRead {
        id: m.pin_id?,
        channel_id: m.channel_id,
        message_id: m.id,
        pinned_at: timestamp(m.pinned_at?),
        pinned_by: pinner(m),
        note: m.pin_note.clone(),
        message: message_for(m, Some(viewer)),
    })
}

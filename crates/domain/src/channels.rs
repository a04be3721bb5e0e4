//! Text channels: who may read one (from the read cache when granted), history pages with
//! their cursors, and the newest page kept in memory for every reader.

use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE;
use bytes::Bytes;
use charge_protocol::MessageHistoryPage;
use charge_store::{Channel, HistoryPage, HistoryQuery, Message};

use crate::cache::CachedPage;
use crate::dto;
use crate::error::{DomainError, DomainResult};
use crate::permissions::{self, ChannelGrant, Refused};
use crate::{Domain, Utf8Bytes};

/// Whether a user may read a channel's messages.
pub enum TextChannelAccess {
    Granted(Channel),
    Missing,
    NotText,
    NotMember,
    /// The user may not `view` it (decision 24): refused as if it did not exist.
    Hidden,
}

/// The permission function's answer for reading: existence, membership, `view`, text.
/// No query while the room's permission inputs are cached (this runs on every history page
/// and socket connect).
pub async fn text_channel_access(
    state: &Domain,
    channel_id: i64,
    user_id: i64,
) -> Result<TextChannelAccess, charge_store::StoreError> {
    Ok(
        match permissions::channel_grant(state, channel_id, user_id).await? {
            Err(Refused::Missing) => TextChannelAccess::Missing,
            Err(Refused::NotMember) => TextChannelAccess::NotMember,
            Err(Refused::Hidden) => TextChannelAccess::Hidden,
            Ok(grant) if !grant.channel.is_text() => TextChannelAccess::NotText,
            Ok(grant) => TextChannelAccess::Granted(grant.channel),
        },
    )
}

/// A text channel the caller may read: 404 when missing or not viewable, 403 for
/// non-members, 400 for voice.
pub async fn readable_text_channel(
    state: &Domain,
    channel_id: i64,
    user_id: i64,
) -> DomainResult<Channel> {
    Ok(text_channel(state, channel_id, user_id).await?.channel)
}

/// [`readable_text_channel`] with the caller's other permissions there.
pub async fn text_channel(
    state: &Domain,
    channel_id: i64,
    user_id: i64,
) -> DomainResult<ChannelGrant> {
    let grant = permissions::viewable_channel(state, channel_id, user_id).await?;
    grant.require_text()?;
    Ok(grant)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Backward,
    Forward,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Backward => "backward",
            Direction::Forward => "forward",
        }
    }
}

/// Opaque cursor: URL-safe base64 of `v1|<created_at>|<message id>|<direction>`.
pub fn encode_cursor(message: &Message, direction: Direction) -> String {
    URL_SAFE.encode(format!(
        "v1|{}|{}|{}",
        dto::timestamp(message.created_at),
        message.id,
        direction.as_str()
    ))
}

pub fn decode_cursor(cursor: &str) -> DomainResult<(String, i64, Direction)> {
    let invalid = DomainError::BadRequest("Invalid cursor");
    let bytes = URL_SAFE
        .decode(cursor.trim())
        .map_err(|_| DomainError::BadRequest("Invalid cursor"))?;
    let text = String::from_utf8(bytes).map_err(|_| DomainError::BadRequest("Invalid cursor"))?;
    let parts: Vec<&str> = text.split('|').collect();
    let [version, created_at, id, direction] = parts.as_slice() else {
        return Err(invalid);
    };
    let id: i64 = id
        .parse()
        .map_err(|_| DomainError::BadRequest("Invalid cursor"))?;
    let direction = match *direction {
        "backward" => Direction::Backward,
        "forward" => Direction::Forward,
        _ => return Err(invalid),
    };
    if *version != "v1" {
        return Err(invalid);
    }
    Ok(((*created_at).to_owned(), id, direction))
}

/// The newest page of a channel. It is what clients load on every channel switch and socket
/// connect, so it is served from memory until the channel changes (see `cache`), with ready
/// JSON when it looks the same to everyone.
pub async fn newest_page(
    state: &Domain,
    channel_id: i64,
    limit: i64,
) -> Result<Arc<CachedPage>, charge_store::StoreError> {
    if let Some(cached) = state.cache.page(channel_id, limit) {
        return Ok(cached);
    }
    let _loading = state.cache.page_loader(channel_id).await;
    if let Some(cached) = state.cache.page(channel_id, limit) {
        return Ok(cached);
    }
    let ticket = state.cache.page_ticket(channel_id);
    let page = state
        .store
        .history(channel_id, HistoryQuery::Latest { limit })
        .await?;
    let body = page
        .items
        .iter()
        .all(|m| m.reactions.is_empty())
        .then(|| serde_json::to_vec(&history_page(&page, Direction::Backward, None)).ok())
        .flatten()
        .map(Bytes::from);
    let greeting = body.as_ref().and_then(|body| {
        let page = std::str::from_utf8(body).ok()?;
        Some(Utf8Bytes::from(format!(
            r#"{{"type":"history","page":{page}}}"#
        )))
    });
    let cached = Arc::new(CachedPage {
        page,
        body,
        greeting,
    });
    state
        .cache
        .put_page(ticket, channel_id, limit, cached.clone());
    Ok(cached)
}

/// Wire page with cursors: `next_cursor` continues in the requested direction.
pub fn history_page(
    page: &HistoryPage,
    direction: Direction,
    viewer: Option<i64>,
) -> MessageHistoryPage {
    let oldest = page.items.first();
    let newest = page.items.last();
    let backward = oldest
        .filter(|_| page.has_more_backward)
        .map(|m| encode_cursor(m, Direction::Backward));
    let forward = newest
        .filter(|_| page.has_more_forward)
        .map(|m| encode_cursor(m, Direction::Forward));
    let (next_cursor, prev_cursor) = match direction {
        Direction::Backward => (backward, forward),
        Direction::Forward => (forward, backward),
    };
    MessageHistoryPage {
        items: page
            .items
            .iter()
            .map(|m| dto::message_for(m, viewer))
            .collect(),
        next_cursor,
        prev_cursor,
        has_more_backward: page.has_more_backward,
        has_more_forward: page.has_more_forward,
    }
}

/// The newest page, as sent on WebSocket connect to `viewer`.
pub fn latest_page(page: &HistoryPage, viewer: i64) -> MessageHistoryPage {
    history_page(page, Direction::Backward, Some(viewer))
}

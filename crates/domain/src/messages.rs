//! Chat messages: what makes content and reactions acceptable, and the operations both the
//! HTTP routes and `/ws/text` offer. Each transport words its refusals as the contract has it;
//! the rule behind each refusal lives here once.

use std::borrow::Cow;

use charge_protocol::frames::TextServerFrame;
use std::num::NonZeroU32;
use std::sync::Arc;

use charge_store::Message;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::error::{DomainError, DomainResult};
use crate::{Domain, dto, frame};

/// How fast one user may post new messages (HTTP and sockets share the allowance, on this
/// node): a burst, then a steady rate. Cheap to clone.
#[derive(Clone)]
pub struct PostingLimiter {
    inner: Option<Arc<DefaultKeyedRateLimiter<i64>>>,
}

impl PostingLimiter {
    /// `per_second` 0 turns the limit off.
    pub fn new(per_second: u32, burst: u32) -> Self {
        let inner = NonZeroU32::new(per_second).map(|rate| {
            let burst = NonZeroU32::new(burst).unwrap_or(rate);
            Arc::new(RateLimiter::keyed(
                Quota::per_second(rate).allow_burst(burst),
            ))
        });
        Self { inner }
    }

    /// Counts one new message of `user_id`; over the limit, how many whole seconds to wait.
    pub fn admit(&self, user_id: i64) -> Result<(), u64> {
        let Some(limiter) = &self.inner else {
            return Ok(());
        };
        limiter.check_key(&user_id).map_err(|not_until| {
            not_until
                .wait_time_from(DefaultClock::default().now())
                .as_secs_f64()
                .ceil()
                .max(1.0) as u64
        })
    }

    /// Forgets users whose allowance is full again, so memory stays bounded.
    pub fn retain_recent(&self) {
        if let Some(limiter) = &self.inner {
            limiter.retain_recent();
        }
    }
}

/// Characters in a reaction emoji (after trimming).
pub const EMOJI_MAX_LENGTH: usize = 32;

/// A message to store, owned so it can cross to the writer task.
#[derive(Debug, Clone)]
pub struct Draft {
    pub channel_id: i64,
    pub author_id: i64,
    pub content: String,
    pub parent_id: Option<i64>,
    /// Who it mentions (see `mentions::resolve`).
    pub mentions: crate::mentions::Mentions,
    /// The client's nonce, for resends without duplicates.
    pub nonce: Option<String>,
}

/// Why content was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContentError {
    /// Nothing but whitespace.
    Empty,
    /// Longer than `CHAT_MESSAGE_MAX_LENGTH` characters (carried here).
    TooLong(usize),
}

/// Message content as stored: trailing whitespace removed (leading kept, for indented code),
/// not blank, and at most `max` characters.
pub fn content(raw: &str, max: usize) -> Result<&str, ContentError> {
    let content = raw.trim_end();
    if content.trim().is_empty() {
        return Err(ContentError::Empty);
    }
    if content.chars().count() > max {
        return Err(ContentError::TooLong(max));
    }
    Ok(content)
}

/// Why a reaction emoji was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmojiError {
    Empty,
    TooLong,
}

/// A reaction emoji as stored: trimmed, 1–[`EMOJI_MAX_LENGTH`] characters.
pub fn emoji(raw: &str) -> Result<&str, EmojiError> {
    let emoji = raw.trim();
    match emoji.chars().count() {
        0 => Err(EmojiError::Empty),
        n if n > EMOJI_MAX_LENGTH => Err(EmojiError::TooLong),
        _ => Ok(emoji),
    }
}

/// Adds (`add`) or removes a reaction on a message of `channel_id`, then tells the channel.
/// `None` when the reaction was already there (HTTP answers 409, the socket ignores it);
/// removing a missing reaction is 404.
pub async fn react(
    state: &Domain,
    channel_id: i64,
    message_id: i64,
    user_id: i64,
    emoji: &str,
    add: bool,
) -> DomainResult<Option<Message>> {
    // A timed-out member cannot react (decision 25).
    crate::moderation::gate::admit_interaction(state, channel_id, user_id)
        .await?
        .map_err(DomainError::from)?;
    match state.store.message_channel(message_id).await? {
        Some(c) if c == channel_id => {}
        _ => return Err(DomainError::NotFound("Message not found")),
    }
    if add {
        if !state.store.add_reaction(message_id, user_id, emoji).await? {
            return Ok(None);
        }
    } else if !state
        .store
        .remove_reaction(message_id, user_id, emoji)
        .await?
    {
        return Err(DomainError::NotFound("Reaction not found"));
    }
    let message = state
        .store
        .message_by_id(message_id)
        .await?
        .ok_or(DomainError::NotFound("Message not found"))?;
    let event = frame(&TextServerFrame::Reaction {
        message: Cow::Owned(dto::message(&message)),
    });
    state.realtime.to_channel(channel_id, event);
    Ok(Some(message))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_keeps_leading_space_drops_trailing_and_counts_characters() {
        assert_eq!(content("  code  \n", 10), Ok("  code"));
        assert_eq!(content(" \n\t", 10), Err(ContentError::Empty));
        assert_eq!(content("ééé", 3), Ok("ééé"));
        assert_eq!(content("éééé", 3), Err(ContentError::TooLong(3)));
    }

    #[test]
    fn an_emoji_is_trimmed_and_bounded() {
        assert_eq!(emoji(" 👍 "), Ok("👍"));
        assert_eq!(emoji("  "), Err(EmojiError::Empty));
        assert_eq!(emoji(&"x".repeat(33)), Err(EmojiError::TooLong));
    }
}

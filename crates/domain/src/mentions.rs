//! Mentions: `@login` names a member of the channel's room, `@everyone` and `@here` name
//! everyone in it when an admin or owner writes them. Resolved once, when a message is posted
//! (HTTP or socket); the result is stored with the message and counted in read states.

use charge_store::{Channel, Role};

use crate::Domain;
use crate::access::RoomAccess;
use crate::error::DomainResult;

/// Most `@names` one message can mention; further ones are left as text.
pub const MENTIONS_MAX: usize = 50;
/// Login lengths (registration's rule): shorter or longer words are not looked up.
const LOGIN_LENGTH: std::ops::RangeInclusive<usize> = 3..=64;

/// Who a message mentions.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Mentions {
    /// Member ids, ascending.
    pub users: Vec<i64>,
    pub everyone: bool,
}

/// What `content` could mention: the words after an `@` that starts a word (so an e-mail
/// address names no one), each with trailing punctuation also tried without it, and whether
/// `@everyone` or `@here` is among them.
pub fn candidates(content: &str) -> (Vec<String>, bool) {
    let mut names: Vec<String> = Vec::new();
    let mut everyone = false;
    let mut previous: Option<char> = None;
    for (at, c) in content.char_indices() {
        let starts_word = previous.is_none_or(|p| !(p.is_alphanumeric() || "_.-@".contains(p)));
        previous = Some(c);
        if c != '@' || !starts_word {
            continue;
        }
        let rest = &content[at + 1..];
        let word = rest.split(char::is_whitespace).next().unwrap_or_default();
        let mut name = word;
        loop {
            if name == "everyone" || name == "here" {
                everyone = true;
            } else if LOGIN_LENGTH.contains(&name.chars().count())
                && !names.iter().any(|n| n == name)
                && names.len() < MENTIONS_MAX * 2
            {
                names.push(name.to_owned());
            }
            match name.strip_suffix(|c: char| ",.;:!?)]}'\"".contains(c)) {
                Some(shorter) if !shorter.is_empty() => name = shorter,
                _ => break,
            }
        }
    }
    (names, everyone)
}

/// Resolves the mentions of a message `author_id` posts in `channel`: only members of the
/// room are mentioned, and `@everyone`/`@here` only from admins and owners.
pub async fn resolve(
    state: &Domain,
    channel: &Channel,
    author_id: i64,
    content: &str,
) -> DomainResult<Mentions> {
    if !content.contains('@') {
        return Ok(Mentions::default());
    }
    let (names, everyone_named) = candidates(content);
    let mut users: Vec<i64> = state
        .store
        .members_by_login(channel.room_id, &names)
        .await?
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    users.sort_unstable();
    users.dedup();
    users.truncate(MENTIONS_MAX);
    let everyone = everyone_named && is_admin(state, channel.room_id, author_id).await?;
    Ok(Mentions { users, everyone })
}

async fn is_admin(state: &Domain, room_id: i64, user_id: i64) -> DomainResult<bool> {
    let Some(room) = state.store.room_by_id(room_id).await? else {
        return Ok(false);
    };
    let access = RoomAccess::for_room(state, room, user_id).await?;
    let admin = access
        .level_of(Role::Admin.as_str())?
        .min(access.level_of(Role::Owner.as_str())?);
    Ok(access.my_level()? >= admin)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_an_at_that_starts_a_word() {
        let (names, everyone) = candidates("hi @bob, and @carol! mail me@example.com @x");
        assert_eq!(names, ["bob,", "bob", "carol!", "carol"]);
        assert!(!everyone);
    }

    #[test]
    fn everyone_and_here_are_recognised_with_punctuation() {
        assert!(candidates("@everyone!").1);
        assert!(candidates("(ping @here)").1);
        assert!(!candidates("no@everyone").1);
    }

    #[test]
    fn unicode_logins_are_candidates() {
        assert_eq!(candidates("привет @Алёна.").0, ["Алёна.", "Алёна"]);
    }
}

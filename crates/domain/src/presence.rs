//! Presence per person (decision 12): what status others see. A user's chosen status
//! (`online`, `idle`, `dnd`, or "appear offline") combines with their connections on every
//! node: without a socket they are `offline`, an invisible user is `offline` to everyone
//! else, and a connected user whose sockets have all been quiet for `PRESENCE_IDLE_SECONDS`
//! is `idle` (unless they chose `dnd`). Friends watch each other on `/ws/presence`.

use std::collections::HashMap;

use charge_protocol::people::PublicUser;
use charge_store::Person;

use crate::{Domain, DomainResult, Liveness, dto};

pub use charge_protocol::people::{STATUS_INVISIBLE as INVISIBLE, STATUS_OFFLINE as OFFLINE};

/// The status `person` shows to others, given their connections.
pub fn shown_status(person: &Person, live: Liveness) -> &str {
    if person.presence_invisible != 0 || !live.connected {
        return OFFLINE;
    }
    match person.presence_status.as_str() {
        "dnd" => "dnd",
        "idle" => "idle",
        _ if live.idle => "idle",
        other => other,
    }
}

/// `person` as others see them, with their live status.
pub fn public_user(state: &Domain, person: &Person) -> PublicUser {
    PublicUser {
        id: person.id,
        login: person.login.clone(),
        display_name: person.display_name.clone(),
        avatar_url: dto::avatar_url(
            person.id,
            person.avatar_path.as_deref(),
            person.avatar_updated_at,
        ),
        status: shown_status(person, state.realtime.liveness(person.id)).to_owned(),
    }
}

/// The public view of each of `ids` that exists.
pub async fn public_users(state: &Domain, ids: &[i64]) -> DomainResult<HashMap<i64, PublicUser>> {
    let mut unique = ids.to_vec();
    unique.sort_unstable();
    unique.dedup();
    Ok(state
        .store
        .people(&unique)
        .await?
        .iter()
        .map(|p| (p.id, public_user(state, p)))
        .collect())
}

/// A person's status as `/ws/presence` shows it to `viewer`: their own entry shows
/// `invisible` when they chose to appear offline, everyone else sees them `offline` then.
pub fn status_user_for(
    state: &Domain,
    person: &Person,
    viewer: i64,
) -> charge_protocol::frames::presence::StatusUser {
    let public = public_user(state, person);
    // A user's own entry shows their choice: they are connected (this is their socket), even
    // while the socket is still being admitted.
    let status = match (viewer == person.id, person.presence_invisible != 0) {
        (true, true) => INVISIBLE.to_owned(),
        (true, false) if public.status == OFFLINE => person.presence_status.clone(),
        _ => public.status,
    };
    charge_protocol::frames::presence::StatusUser {
        id: public.id,
        display_name: public.display_name.unwrap_or_else(|| public.login.clone()),
        login: public.login,
        avatar_url: public.avatar_url,
        status,
        last_seen_at: person.last_seen_at.map(dto::timestamp),
    }
}

/// Room members as others see them: offline without a socket on any node (an invisible
/// member's status is already `offline` from the store), idle when all their sockets are.
/// The `viewer`, who is asking, counts as connected.
pub fn live_members(
    state: &Domain,
    members: &mut [charge_protocol::RoomMemberSummary],
    viewer: Option<i64>,
) {
    for member in members {
        if Some(member.user_id) == viewer {
            continue;
        }
        let live = state.realtime.liveness(member.user_id);
        if !live.connected {
            OFFLINE.clone_into(&mut member.status);
        } else if live.idle && member.status == "online" {
            "idle".clone_into(&mut member.status);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(status: &str, invisible: bool) -> Person {
        Person {
            id: 1,
            login: "a".into(),
            display_name: None,
            avatar_path: None,
            avatar_updated_at: None,
            presence_status: status.into(),
            presence_invisible: i64::from(invisible),
            last_seen_at: None,
        }
    }

    #[test]
    fn the_shown_status_combines_the_choice_with_the_connections() {
        let on = Liveness {
            connected: true,
            idle: false,
        };
        let idle = Liveness {
            connected: true,
            idle: true,
        };
        assert_eq!(shown_status(&person("online", false), on), "online");
        assert_eq!(shown_status(&person("online", false), idle), "idle");
        assert_eq!(shown_status(&person("dnd", false), idle), "dnd");
        assert_eq!(shown_status(&person("idle", false), on), "idle");
        assert_eq!(shown_status(&person("dnd", true), on), OFFLINE);
        assert_eq!(
            shown_status(&person("online", false), Liveness::default()),
            OFFLINE
        );
    }
}

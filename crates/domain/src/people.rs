//! Friends and blocks (§1.8 and what users expect beyond it). A friend link is one row per
//! pair, requester → addressee, `pending`, `accepted` or `declined`. Beyond the contract: a
//! friend can be removed, an outgoing request cancelled, a declined request sent again once
//! `FRIEND_REQUEST_COOLDOWN_SECONDS` have passed (or at once by the one who declined), and a
//! user can be blocked: blocking ends any link between the two, and the blocked user can no
//! longer send the blocker requests or direct messages, nor see their status.

use std::time::Duration;

use charge_protocol::people::{
    FriendRequestList, FriendRequestRead, PEOPLE_LISTED_MAX, PublicUser,
};
use charge_store::FriendLink;

use crate::{Domain, DomainError, DomainResult, dto, logins, presence};

pub const PENDING: &str = "pending";
pub const ACCEPTED: &str = "accepted";
pub const DECLINED: &str = "declined";

const USER_NOT_FOUND: DomainError = DomainError::NotFound("User not found");
const REQUEST_NOT_FOUND: DomainError = DomainError::NotFound("Request not found");

/// The caller's friends, sorted by lower-cased display name (or login).
pub async fn friends(state: &Domain, me: i64) -> DomainResult<Vec<PublicUser>> {
    let ids = state.store.friend_ids(me, PEOPLE_LISTED_MAX).await?;
    let mut users: Vec<PublicUser> = presence::public_users(state, &ids)
        .await?
        .into_values()
        .collect();
    sort_people(&mut users);
    Ok(users)
}

pub fn sort_people(users: &mut [PublicUser]) {
    users.sort_by_cached_key(|u| {
        (
            u.display_name.as_deref().unwrap_or(&u.login).to_lowercase(),
            u.id,
        )
    });
}

/// Whether two users are accepted friends.
pub async fn are_friends(state: &Domain, a: i64, b: i64) -> DomainResult<bool> {
    Ok(state
        .store
        .friend_link_between(a, b)
        .await?
        .is_some_and(|l| l.status == ACCEPTED))
}

/// Whether either of two users blocks the other.
pub async fn blocked_either_way(state: &Domain, a: i64, b: i64) -> DomainResult<bool> {
    Ok(state.store.blocks(a, b).await? || state.store.blocks(b, a).await?)
}

/// Pending requests involving the caller, oldest first.
pub async fn requests(state: &Domain, me: i64) -> DomainResult<FriendRequestList> {
    let links = state.store.pending_links(me, PEOPLE_LISTED_MAX).await?;
    let ids: Vec<i64> = links
        .iter()
        .flat_map(|l| [l.requester_id, l.addressee_id])
        .collect();
    let people = presence::public_users(state, &ids).await?;
    let mut list = FriendRequestList {
        incoming: Vec::new(),
        outgoing: Vec::new(),
    };
    for link in &links {
        let (Some(requester), Some(addressee)) = (
            people.get(&link.requester_id),
            people.get(&link.addressee_id),
        ) else {
            continue;
        };
        let read = read_link(link, requester.clone(), addressee.clone());
        if link.addressee_id == me {
            list.incoming.push(read);
        } else {
            list.outgoing.push(read);
        }
    }
    Ok(list)
}

fn read_link(link: &FriendLink, requester: PublicUser, addressee: PublicUser) -> FriendRequestRead {
    FriendRequestRead {
        id: link.id,
        requester,
        addressee,
        status: link.status.clone(),
        created_at: dto::timestamp(link.created_at),
        responded_at: link.responded_at.map(dto::timestamp),
    }
}

async fn link_read(state: &Domain, link: &FriendLink) -> DomainResult<FriendRequestRead> {
    let people = presence::public_users(state, &[link.requester_id, link.addressee_id]).await?;
    match (
        people.get(&link.requester_id),
        people.get(&link.addressee_id),
    ) {
        (Some(r), Some(a)) => Ok(read_link(link, r.clone(), a.clone())),
        _ => Err(USER_NOT_FOUND),
    }
}

/// Sends a friend request to the account `login` names (matched case-insensitively).
pub async fn send_request(state: &Domain, me: i64, login: &str) -> DomainResult<FriendRequestRead> {
    let target = logins::find(&state.store, login)
        .await?
        .ok_or(USER_NOT_FOUND)?;
    if target.id == me {
        return Err(DomainError::BadRequest("You cannot add yourself"));
    }
    if state.store.blocks(target.id, me).await? {
        return Err(DomainError::Forbidden(
            "You cannot send a friend request to this user",
        ));
    }
    if state.store.blocks(me, target.id).await? {
        return Err(DomainError::BadRequest("Unblock this user first"));
    }
    let link = match state.store.friend_link_between(me, target.id).await? {
        None => match state.store.create_friend_link(me, target.id).await {
            Err(charge_store::StoreError::Conflict(_)) => {
                return Err(DomainError::BadRequest("Request already sent"));
            }
            other => other?,
        },
        Some(link) if link.status == ACCEPTED => {
            return Err(DomainError::BadRequest("Already friends"));
        }
        Some(link) if link.requester_id == me && link.status == PENDING => {
            return Err(DomainError::BadRequest("Request already sent"));
        }
        Some(link) if link.requester_id == me => {
            // Declined: asking again is allowed once the cool-down has passed.
            let cooldown = state.settings.friend_request_cooldown;
            let answered = link.responded_at.unwrap_or(link.updated_at);
            if !cooled_down(answered, cooldown) {
                return Err(DomainError::BadRequest(
                    "Your request was declined; try again later",
                ));
            }
            state
                .store
                .renew_friend_link(link.id, me, target.id)
                .await?
        }
        Some(link) if link.status == PENDING => {
            return Err(DomainError::BadRequest(
                "This user has already sent you a request",
            ));
        }
        // The caller declined the other's request earlier and now asks themselves.
        Some(link) => {
            state
                .store
                .renew_friend_link(link.id, me, target.id)
                .await?
        }
    };
    link_read(state, &link).await
}

fn cooled_down(answered_micros: i64, cooldown: Duration) -> bool {
    let cooldown = i64::try_from(cooldown.as_micros()).unwrap_or(i64::MAX);
    charge_store::now_micros().saturating_sub(answered_micros) >= cooldown
}

/// Accepts a request addressed to the caller; the pair's 1:1 conversation is created.
pub async fn accept(state: &Domain, me: i64, request_id: i64) -> DomainResult<FriendRequestRead> {
    let link = state
        .store
        .friend_link(request_id)
        .await?
        .ok_or(REQUEST_NOT_FOUND)?;
    if link.addressee_id != me {
        return Err(DomainError::Forbidden("Insufficient permissions"));
    }
    if link.status == ACCEPTED {
        return link_read(state, &link).await;
    }
    let link = state.store.answer_friend_link(link.id, ACCEPTED).await?;
    state
        .store
        .pair_conversation(link.requester_id, link.addressee_id, me)
        .await?;
    state.realtime.presence_changed(link.requester_id);
    state.realtime.presence_changed(link.addressee_id);
    link_read(state, &link).await
}

/// Declines a request (or, from either side, ends a friendship the contract's way).
pub async fn reject(state: &Domain, me: i64, request_id: i64) -> DomainResult<FriendRequestRead> {
    let link = state
        .store
        .friend_link(request_id)
        .await?
        .ok_or(REQUEST_NOT_FOUND)?;
    if link.addressee_id != me && link.requester_id != me {
        return Err(DomainError::Forbidden("Insufficient permissions"));
    }
    let was_friends = link.status == ACCEPTED;
    let link = state.store.answer_friend_link(link.id, DECLINED).await?;
    if was_friends {
        unfriended(state, link.requester_id, link.addressee_id);
    }
    link_read(state, &link).await
}

/// Withdraws the caller's own pending request.
pub async fn cancel(state: &Domain, me: i64, request_id: i64) -> DomainResult<()> {
    let link = state
        .store
        .friend_link(request_id)
        .await?
        .ok_or(REQUEST_NOT_FOUND)?;
    if link.requester_id != me {
        return Err(DomainError::Forbidden("Insufficient permissions"));
    }
    if link.status != PENDING {
        return Err(DomainError::BadRequest(
            "Only a pending request can be cancelled",
        ));
    }
    state.store.delete_friend_link(link.id).await?;
    Ok(())
}

/// Ends a friendship; either side may send a new request right away.
pub async fn remove_friend(state: &Domain, me: i64, user_id: i64) -> DomainResult<()> {
    match state.store.friend_link_between(me, user_id).await? {
        Some(link) if link.status == ACCEPTED => {
            state.store.delete_friend_link(link.id).await?;
            unfriended(state, me, user_id);
            Ok(())
        }
        _ => Err(DomainError::NotFound("Friend not found")),
    }
}

/// Tells both sides' presence streams that they no longer watch each other.
fn unfriended(state: &Domain, a: i64, b: i64) {
    use charge_protocol::frames::PresenceServerFrame;
    let to_a = crate::frame(&PresenceServerFrame::StatusRemoved { user_id: b });
    let to_b = crate::frame(&PresenceServerFrame::StatusRemoved { user_id: a });
    state
        .realtime
        .to_users(crate::UserStream::Presence, &[a], to_a);
    state
        .realtime
        .to_users(crate::UserStream::Presence, &[b], to_b);
}

/// Blocks a user: any link between the two ends.
pub async fn block(state: &Domain, me: i64, user_id: i64) -> DomainResult<()> {
    if user_id == me {
        return Err(DomainError::BadRequest("You cannot block yourself"));
    }
    if state.store.person(user_id).await?.is_none() {
        return Err(USER_NOT_FOUND);
    }
    state.store.block(me, user_id).await?;
    if let Some(link) = state.store.friend_link_between(me, user_id).await? {
        state.store.delete_friend_link(link.id).await?;
        if link.status == ACCEPTED {
            unfriended(state, me, user_id);
        }
    }
    Ok(())
}

pub async fn unblock(state: &Domain, me: i64, user_id: i64) -> DomainResult<()> {
    if state.store.unblock(me, user_id).await? {
        Ok(())
    } else {
        Err(DomainError::NotFound("User is not blocked"))
    }
}

/// Whom the caller blocks, most recent first.
pub async fn blocked(state: &Domain, me: i64) -> DomainResult<Vec<PublicUser>> {
    let ids = state.store.blocked_ids(me, PEOPLE_LISTED_MAX).await?;
    let people = presence::public_users(state, &ids).await?;
    Ok(ids
        .iter()
        .filter_map(|id| people.get(id).cloned())
        .collect())
}

//! Direct conversations (§1.8): 1:1 conversations between friends and groups of up to
//! [`GROUP_MAX_MEMBERS`], with private notes, rename, add and leave. Their messages are in
//! `direct_messages`. Events go to the participants' `/ws/direct` sockets on every node.

use std::collections::HashMap;

use charge_protocol::frames::DirectServerFrame;
use charge_protocol::people::{
    CONVERSATIONS_LISTED_MAX, DirectConversationParticipantRead, DirectConversationRead,
    GROUP_MAX_MEMBERS, PublicUser,
};
use charge_store::{Conversation, Participant};

use crate::{
    Domain, DomainError, DomainResult, UserStream, direct_messages, dto, people, presence,
};

pub const NOT_FOUND: DomainError = DomainError::NotFound("Conversation not found");
pub const NO_ACCESS: DomainError = DomainError::Forbidden("No access to the conversation");

/// A conversation the caller takes part in (404 when missing, 403 when not a participant).
pub async fn access(state: &Domain, me: i64, id: i64) -> DomainResult<(Conversation, Participant)> {
    let conversation = state.store.conversation(id).await?.ok_or(NOT_FOUND)?;
    let participant = state.store.participant(id, me).await?.ok_or(NO_ACCESS)?;
    Ok((conversation, participant))
}

/// Sends `frame` to the `/ws/direct` sockets of every participant of `conversation`.
pub async fn tell_participants(
    state: &Domain,
    conversation: i64,
    frame: &DirectServerFrame,
) -> DomainResult<Vec<i64>> {
    let ids: Vec<i64> = state
        .store
        .participants(&[conversation])
        .await?
        .iter()
        .map(|p| p.user_id)
        .collect();
    state
        .realtime
        .to_users(UserStream::Direct, &ids, crate::frame(frame));
    Ok(ids)
}

/// `conversation_refresh` to every participant (and to `also`, who just left).
async fn refresh(state: &Domain, conversation: i64, also: &[i64]) -> DomainResult<()> {
    let frame = DirectServerFrame::ConversationRefresh {
        conversation_id: conversation,
    };
    tell_participants(state, conversation, &frame).await?;
    if !also.is_empty() {
        state
            .realtime
            .to_users(UserStream::Direct, also, crate::frame(&frame));
    }
    Ok(())
}

/// The caller's conversations, latest activity first, at most [`CONVERSATIONS_LISTED_MAX`].
pub async fn list(state: &Domain, me: i64) -> DomainResult<Vec<DirectConversationRead>> {
    let conversations = state
        .store
        .conversations_of(me, CONVERSATIONS_LISTED_MAX)
        .await?;
    views(state, me, &conversations).await
}

/// One conversation from the caller's side.
pub async fn view(
    state: &Domain,
    me: i64,
    conversation: &Conversation,
) -> DomainResult<DirectConversationRead> {
    let mut one = views(state, me, std::slice::from_ref(conversation)).await?;
    one.pop().ok_or(NOT_FOUND)
}

async fn views(
    state: &Domain,
    me: i64,
    conversations: &[Conversation],
) -> DomainResult<Vec<DirectConversationRead>> {
    let ids: Vec<i64> = conversations.iter().map(|c| c.id).collect();
    let participants = state.store.participants(&ids).await?;
    let last = state.store.last_messages(&ids).await?;
    let unread: HashMap<i64, i64> = state
        .store
        .conversation_unread_counts(me, &ids)
        .await?
        .into_iter()
        .collect();
    let mut people_ids: Vec<i64> = participants.iter().map(|p| p.user_id).collect();
    people_ids.extend(last.iter().map(|m| m.sender_id));
    let people = presence::public_users(state, &people_ids).await?;
    let mut last = direct_messages::reads(state, me, &last, &people).await?;
    let mut by_conversation: HashMap<i64, Vec<DirectConversationParticipantRead>> = HashMap::new();
    for p in &participants {
        let Some(user) = people.get(&p.user_id) else {
            continue;
        };
        by_conversation
            .entry(p.conversation_id)
            .or_default()
            .push(participant_read(p, user.clone(), me));
    }
    Ok(conversations
        .iter()
        .map(|c| DirectConversationRead {
            id: c.id,
            title: c.title.clone(),
            is_group: c.is_group != 0,
            participants: by_conversation.remove(&c.id).unwrap_or_default(),
            last_message: last
                .iter()
                .position(|m| m.conversation_id == c.id)
                .map(|i| last.swap_remove(i)),
            unread_count: unread.get(&c.id).copied().unwrap_or(0),
        })
        .collect())
}

/// A participant as `viewer` sees them: notes are private to their owner.
pub fn participant_read(
    p: &Participant,
    user: PublicUser,
    viewer: i64,
) -> DirectConversationParticipantRead {
    DirectConversationParticipantRead {
        user,
        nickname: p.nickname.clone(),
        note: if p.user_id == viewer {
            p.note.clone()
        } else {
            None
        },
        joined_at: dto::timestamp(p.joined_at),
        last_read_at: p.last_read_at.map(dto::timestamp),
    }
}

/// Checks that every one of `ids` is an accepted friend of the caller and not blocked.
async fn friends_only(state: &Domain, me: i64, ids: &[i64]) -> DomainResult<()> {
    for &id in ids {
        if !people::are_friends(state, me, id).await?
            || people::blocked_either_way(state, me, id).await?
        {
            return Err(DomainError::Forbidden("Add the user as a friend first"));
        }
    }
    Ok(())
}

fn too_many() -> DomainError {
    DomainError::BadRequest("A group conversation holds at most 10 members")
}

/// Opens the 1:1 conversation with one friend, or creates a group with several.
pub async fn create(
    state: &Domain,
    me: i64,
    participant_ids: &[i64],
    title: Option<&str>,
) -> DomainResult<DirectConversationRead> {
    let mut others: Vec<i64> = participant_ids
        .iter()
        .copied()
        .filter(|&id| id != me)
        .collect();
    others.sort_unstable();
    others.dedup();
    if others.is_empty() {
        return Err(DomainError::BadRequest(
            "At least one participant is required",
        ));
    }
    if others.len() + 1 > GROUP_MAX_MEMBERS {
        return Err(too_many());
    }
    friends_only(state, me, &others).await?;
    let conversation = if let [other] = others[..] {
        state.store.pair_conversation(me, other, me).await?
    } else {
        let mut members = others.clone();
        members.push(me);
        members.sort_unstable();
        let conversation = state.store.create_group(me, title, &members).await?;
        refresh(state, conversation.id, &[]).await?;
        conversation
    };
    view(state, me, &conversation).await
}

/// Sets or clears the caller's private note; tells the caller's own sockets.
pub async fn set_note(
    state: &Domain,
    me: i64,
    id: i64,
    note: Option<&str>,
) -> DomainResult<DirectConversationParticipantRead> {
    access(state, me, id).await?;
    state.store.set_note(id, me, note).await?;
    let participant = state.store.participant(id, me).await?.ok_or(NO_ACCESS)?;
    let user = state.store.person(me).await?.ok_or(NO_ACCESS)?;
    let frame = DirectServerFrame::NoteUpdated {
        conversation_id: id,
        user_id: me,
        note: participant.note.clone(),
    };
    state
        .realtime
        .to_users(UserStream::Direct, &[me], crate::frame(&frame));
    Ok(participant_read(
        &participant,
        presence::public_user(state, &user),
        me,
    ))
}

fn group_only(conversation: &Conversation) -> DomainResult<()> {
    if conversation.is_group == 0 {
        return Err(DomainError::BadRequest(
            "Only group conversations can be changed this way",
        ));
    }
    Ok(())
}

/// Renames a group (any participant may).
pub async fn rename(
    state: &Domain,
    me: i64,
    id: i64,
    title: Option<&str>,
) -> DomainResult<DirectConversationRead> {
    let (conversation, _) = access(state, me, id).await?;
    group_only(&conversation)?;
    state.store.rename_conversation(id, title).await?;
    refresh(state, id, &[]).await?;
    let conversation = state.store.conversation(id).await?.ok_or(NOT_FOUND)?;
    view(state, me, &conversation).await
}

/// Adds friends of the caller to a group, up to [`GROUP_MAX_MEMBERS`].
pub async fn add(
    state: &Domain,
    me: i64,
    id: i64,
    user_ids: &[i64],
) -> DomainResult<DirectConversationRead> {
    let (conversation, _) = access(state, me, id).await?;
    group_only(&conversation)?;
    let current: Vec<i64> = state
        .store
        .participants(&[id])
        .await?
        .iter()
        .map(|p| p.user_id)
        .collect();
    let mut new: Vec<i64> = user_ids
        .iter()
        .copied()
        .filter(|u| !current.contains(u))
        .collect();
    new.sort_unstable();
    new.dedup();
    if new.is_empty() {
        return Err(DomainError::BadRequest(
            "At least one participant is required",
        ));
    }
    if current.len() + new.len() > GROUP_MAX_MEMBERS {
        return Err(too_many());
    }
    friends_only(state, me, &new).await?;
    state.store.add_participants(id, &new).await?;
    refresh(state, id, &[]).await?;
    view(state, me, &conversation).await
}

/// Leaves a group; the last one out deletes it.
pub async fn leave(state: &Domain, me: i64, id: i64) -> DomainResult<()> {
    let (conversation, _) = access(state, me, id).await?;
    group_only(&conversation)?;
    state.store.remove_participant(id, me).await?;
    if state.store.participants(&[id]).await?.is_empty() {
        state.store.delete_conversation(id).await?;
        let frame = DirectServerFrame::ConversationRefresh {
            conversation_id: id,
        };
        state
            .realtime
            .to_users(UserStream::Direct, &[me], crate::frame(&frame));
        return Ok(());
    }
    refresh(state, id, &[me]).await
}

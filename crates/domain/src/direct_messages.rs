//! Messages of direct conversations: pages like channel history (newest first page, at most
//! [`DIRECT_PAGE_MAX`], `before` cursor), replies, edits, deletions that erase the content
//! (decision 21), reactions and typing. In a 1:1 conversation, a block either way stops new
//! messages.

use std::collections::HashMap;

use charge_protocol::MessageReactionSummary;
use charge_protocol::frames::DirectServerFrame;
use charge_protocol::people::{
    DIRECT_PAGE_DEFAULT, DIRECT_PAGE_MAX, DirectMessageRead, PublicUser,
};
use charge_store::DirectMessage;

use crate::conversations::{access, tell_participants};
use crate::{Domain, DomainError, DomainResult, UserStream, dto, people, presence};

const MESSAGE_NOT_FOUND: DomainError = DomainError::NotFound("Message not found");

/// Wire messages for `rows` as `viewer` sees them; `people` must hold every sender.
pub async fn reads(
    state: &Domain,
    viewer: i64,
    rows: &[DirectMessage],
    people: &HashMap<i64, PublicUser>,
) -> DomainResult<Vec<DirectMessageRead>> {
    let ids: Vec<i64> = rows.iter().map(|m| m.id).collect();
    let mut reactions: HashMap<i64, Vec<MessageReactionSummary>> = HashMap::new();
    for r in state.store.direct_reactions(&ids).await? {
        let list = reactions.entry(r.message_id).or_default();
        match list.last_mut() {
            Some(last) if last.emoji == r.emoji => {
                last.count += 1;
                last.reacted |= r.user_id == viewer;
                last.user_ids.push(r.user_id);
            }
            _ => list.push(MessageReactionSummary {
                emoji: r.emoji,
                count: 1,
                reacted: r.user_id == viewer,
                user_ids: vec![r.user_id],
            }),
        }
    }
    Ok(rows
        .iter()
        .filter_map(|m| {
            let sender = people.get(&m.sender_id)?.clone();
            Some(read(m, sender, reactions.remove(&m.id).unwrap_or_default()))
        })
        .collect())
}

fn read(
    m: &DirectMessage,
    sender: PublicUser,
    reactions: Vec<MessageReactionSummary>,
) -> DirectMessageRead {
    let deleted = m.deleted_at.is_some();
    DirectMessageRead {
        id: m.id,
        conversation_id: m.conversation_id,
        sender_id: m.sender_id,
        recipient_id: m.recipient_id,
        // Erased in storage already; never sent even if a row kept it.
        content: if deleted {
            String::new()
        } else {
            m.content.clone()
        },
        created_at: dto::timestamp(m.created_at),
        read_at: m.read_at.map(dto::timestamp),
        sender,
        parent_id: m.parent_id,
        edited_at: m.edited_at.map(dto::timestamp),
        deleted_at: m.deleted_at.map(dto::timestamp),
        reactions,
    }
}

async fn read_one(
    state: &Domain,
    viewer: i64,
    m: &DirectMessage,
) -> DomainResult<DirectMessageRead> {
    let people = presence::public_users(state, &[m.sender_id]).await?;
    reads(state, viewer, std::slice::from_ref(m), &people)
        .await?
        .pop()
        .ok_or(MESSAGE_NOT_FOUND)
}

/// A page of a conversation, oldest first: the newest `limit` messages, or those before
/// `before`. Reading marks the conversation read for the caller.
pub async fn page(
    state: &Domain,
    me: i64,
    id: i64,
    before: Option<i64>,
    limit: Option<i64>,
) -> DomainResult<Vec<DirectMessageRead>> {
    access(state, me, id).await?;
    let limit = limit.unwrap_or(DIRECT_PAGE_DEFAULT);
    if !(1..=DIRECT_PAGE_MAX).contains(&limit) {
        return Err(DomainError::validation(
            "less_than_equal",
            &["query", "limit"],
            format!("Input should be between 1 and {DIRECT_PAGE_MAX}"),
        ));
    }
    let (rows, _) = state.store.direct_page(id, before, limit).await?;
    if before.is_none() {
        state.store.mark_conversation_read(id, me).await?;
    }
    let senders: Vec<i64> = rows.iter().map(|m| m.sender_id).collect();
    let people = presence::public_users(state, &senders).await?;
    reads(state, me, &rows, &people).await
}

/// Posts a message (content already validated); events `message`, then `conversation_refresh`.
pub async fn send(
    state: &Domain,
    me: i64,
    id: i64,
    content: &str,
    parent_id: Option<i64>,
) -> DomainResult<DirectMessageRead> {
    let (conversation, _) = access(state, me, id).await?;
    let recipient = if conversation.is_group == 0 {
        let other = state
            .store
            .participants(&[id])
            .await?
            .into_iter()
            .map(|p| p.user_id)
            .find(|&u| u != me)
            .ok_or(DomainError::BadRequest(
                "The conversation has no other participant",
            ))?;
        if people::blocked_either_way(state, me, other).await? {
            return Err(DomainError::Forbidden("You cannot message this user"));
        }
        Some(other)
    } else {
        None
    };
    if let Some(parent) = parent_id {
        match state.store.direct_message(parent).await? {
            Some(p) if p.conversation_id == id => {}
            _ => return Err(DomainError::BadRequest("Reply target not found")),
        }
    }
    let row = state
        .store
        .create_direct_message(id, me, recipient, parent_id, content)
        .await?;
    let message = read_one(state, me, &row).await?;
    // A new message has no reactions, so what every participant receives is the same.
    tell_participants(
        state,
        id,
        &DirectServerFrame::Message {
            conversation_id: id,
            message: message.clone(),
        },
    )
    .await?;
    tell_participants(
        state,
        id,
        &DirectServerFrame::ConversationRefresh {
            conversation_id: id,
        },
    )
    .await?;
    Ok(message)
}

/// A message of a conversation the caller takes part in.
async fn own_or_visible(state: &Domain, me: i64, message_id: i64) -> DomainResult<DirectMessage> {
    let message = state
        .store
        .direct_message(message_id)
        .await?
        .ok_or(MESSAGE_NOT_FOUND)?;
    if state
        .store
        .participant(message.conversation_id, me)
        .await?
        .is_none()
    {
        return Err(MESSAGE_NOT_FOUND);
    }
    Ok(message)
}

async fn updated(state: &Domain, me: i64, message_id: i64) -> DomainResult<DirectMessageRead> {
    let row = state
        .store
        .direct_message(message_id)
        .await?
        .ok_or(MESSAGE_NOT_FOUND)?;
    let message = read_one(state, me, &row).await?;
    let mut shared = message.clone();
    for r in &mut shared.reactions {
        r.reacted = false;
    }
    tell_participants(
        state,
        row.conversation_id,
        &DirectServerFrame::MessageUpdated {
            conversation_id: row.conversation_id,
            message: shared,
        },
    )
    .await?;
    Ok(message)
}

/// Edits the caller's own message.
pub async fn edit(
    state: &Domain,
    me: i64,
    message_id: i64,
    content: &str,
) -> DomainResult<DirectMessageRead> {
    let message = own_or_visible(state, me, message_id).await?;
    if message.sender_id != me {
        return Err(DomainError::Forbidden(
            "You can only edit your own messages",
        ));
    }
    if message.deleted_at.is_some() {
        return Err(DomainError::BadRequest(
            "A deleted message cannot be edited",
        ));
    }
    state.store.edit_direct_message(message_id, content).await?;
    updated(state, me, message_id).await
}

/// Deletes the caller's own message: its content is erased for everyone.
pub async fn delete(state: &Domain, me: i64, message_id: i64) -> DomainResult<DirectMessageRead> {
    let message = own_or_visible(state, me, message_id).await?;
    if message.sender_id != me {
        return Err(DomainError::Forbidden(
            "You can only delete your own messages",
        ));
    }
    if message.deleted_at.is_none() {
        state.store.delete_direct_message(message_id).await?;
    }
    updated(state, me, message_id).await
}

/// Adds or removes the caller's reaction. Adding one that exists is 409; removing a missing
/// one is 404.
pub async fn react(
    state: &Domain,
    me: i64,
    message_id: i64,
    emoji: &str,
    add: bool,
) -> DomainResult<DirectMessageRead> {
    let message = own_or_visible(state, me, message_id).await?;
    if message.deleted_at.is_some() {
        return Err(MESSAGE_NOT_FOUND);
    }
    if add {
        if !state
            .store
            .add_direct_reaction(message_id, me, emoji)
            .await?
        {
            return Err(DomainError::Conflict("Reaction already exists"));
        }
    } else if !state
        .store
        .remove_direct_reaction(message_id, me, emoji)
        .await?
    {
        return Err(DomainError::NotFound("Reaction not found"));
    }
    updated(state, me, message_id).await
}

/// Tells the other participants that the caller is typing.
pub async fn typing(state: &Domain, me: i64, id: i64) -> DomainResult<()> {
    access(state, me, id).await?;
    let others: Vec<i64> = state
        .store
        .participants(&[id])
        .await?
        .iter()
        .map(|p| p.user_id)
        .filter(|&u| u != me)
        .collect();
    let frame = DirectServerFrame::Typing {
        conversation_id: id,
        user_id: me,
    };
    state
        .realtime
        .to_users(UserStream::Direct, &others, crate::frame(&frame));
    Ok(())
}

//! `/api/dm` conversations (§1.8): list and open them, private notes, messages (newest page
//! with a `before` cursor, decision 22), and what Charge adds: replies, edits, deletions,
//! reactions, typing, and group rename, add and leave. The rules are in
//! `domain::conversations` and `domain::direct_messages`.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, patch, post};
use axum::{Json, Router};
use charge_protocol::people::{
    ConversationCreate, ConversationUpdate, DIRECT_MESSAGE_MAX_LENGTH,
    DirectConversationParticipantRead, DirectConversationRead, DirectMessageCreate,
    DirectMessageRead, GROUP_MAX_MEMBERS, NOTE_MAX_LENGTH, NoteUpdate, ParticipantsAdd,
};
use charge_protocol::{MessageEdit, ReactionCreate, ValidationItem};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult, item};
use crate::extract::{ApiJson, ApiQuery, Validate, check_len};
use crate::routes::rooms::parse_path_id;
use charge_domain::Domain as AppState;
use charge_domain::messages::{self, EMOJI_MAX_LENGTH};
use charge_domain::{conversations, direct_messages};

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/api/dm/conversations",
            get(list_conversations).post(create_conversation),
        )
        .route(
            "/api/dm/conversations/{conversation_id}",
            patch(rename_conversation),
        )
        .route(
            "/api/dm/conversations/{conversation_id}/note",
            patch(update_note),
        )
        .route(
            "/api/dm/conversations/{conversation_id}/messages",
            get(list_messages).post(send_message),
        )
        .route(
            "/api/dm/conversations/{conversation_id}/typing",
            post(send_typing),
        )
        .route(
            "/api/dm/conversations/{conversation_id}/participants",
            post(add_participants),
        )
        .route(
            "/api/dm/conversations/{conversation_id}/leave",
            post(leave_conversation),
        )
        .route(
            "/api/dm/messages/{message_id}",
            patch(edit_message).delete(delete_message),
        )
        .route(
            "/api/dm/messages/{message_id}/reactions",
            post(add_reaction).delete(remove_reaction),
        )
}

fn too_many(problems: &mut Vec<ValidationItem>, loc: &[&str], len: usize, max: usize) {
    if len > max {
        problems.push(item(
            "too_long",
            loc,
            format!("List should have at most {max} items"),
        ));
    }
}

/// A trimmed optional title: 1–128 characters, or absent.
fn check_title(problems: &mut Vec<ValidationItem>, title: &mut Option<String>) {
    if let Some(t) = title {
        *t = t.trim().to_owned();
        check_len(
            problems,
            &["body", "title"],
            t,
            1,
            charge_protocol::limits::NAME_MAX_LENGTH,
        );
    }
}

impl Validate for ConversationCreate {
    fn validate(&mut self) -> Vec<ValidationItem> {
        let mut problems = Vec::new();
        too_many(
            &mut problems,
            &["body", "participant_ids"],
            self.participant_ids.len(),
            GROUP_MAX_MEMBERS,
        );
        check_title(&mut problems, &mut self.title);
        problems
    }
}

impl Validate for ConversationUpdate {
    fn validate(&mut self) -> Vec<ValidationItem> {
        let mut problems = Vec::new();
        check_title(&mut problems, &mut self.title);
        problems
    }
}

impl Validate for ParticipantsAdd {
    fn validate(&mut self) -> Vec<ValidationItem> {
        let mut problems = Vec::new();
        too_many(
            &mut problems,
            &["body", "user_ids"],
            self.user_ids.len(),
            GROUP_MAX_MEMBERS,
        );
        problems
    }
}

impl Validate for NoteUpdate {
    fn validate(&mut self) -> Vec<ValidationItem> {
        let mut problems = Vec::new();
        if let Some(note) = &mut self.note {
            *note = note.trim().to_owned();
            check_len(&mut problems, &["body", "note"], note, 0, NOTE_MAX_LENGTH);
        }
        problems
    }
}

/// Content of a direct message: trimmed both sides, 1–2,000 characters.
fn check_content(problems: &mut Vec<ValidationItem>, content: &mut String) {
    *content = content.trim().to_owned();
    check_len(
        problems,
        &["body", "content"],
        content,
        1,
        DIRECT_MESSAGE_MAX_LENGTH,
    );
}

impl Validate for DirectMessageCreate {
    fn validate(&mut self) -> Vec<ValidationItem> {
        let mut problems = Vec::new();
        check_content(&mut problems, &mut self.content);
        problems
    }
}

/// A page of a conversation: at most `limit` (default 50, at most 100) messages before the
/// message `before` (or the newest), oldest first.
#[derive(Debug, Deserialize, IntoParams)]
pub struct PageQuery {
    #[serde(default)]
    pub limit: Option<i64>,
    #[serde(default)]
    pub before: Option<i64>,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct EmojiQuery {
    pub emoji: String,
}

/// The caller's conversations, latest activity first.
#[utoipa::path(get, path = "/api/dm/conversations", tag = "dm", security(("bearer" = [])),
    responses((status = 200, body = Vec<DirectConversationRead>, description = "At most 200, latest activity first")))]
pub async fn list_conversations(
    State(state): State<AppState>,
    me: CurrentUser,
) -> ApiResult<Json<Vec<DirectConversationRead>>> {
    Ok(Json(conversations::list(&state, me.user.id).await?))
}

/// Opens the 1:1 conversation with a friend (the same one every time), or creates a group of
/// friends (at most 10 members with the caller).
#[utoipa::path(post, path = "/api/dm/conversations", tag = "dm", security(("bearer" = [])),
    request_body = ConversationCreate,
    responses((status = 201, body = DirectConversationRead),
              (status = 400, description = "No participant, or more than 10 members"),
              (status = 403, description = "A participant is not an accepted friend (or is blocked)"),
              (status = 422, description = "Validation error")))]
pub async fn create_conversation(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiJson(body): ApiJson<ConversationCreate>,
) -> ApiResult<(StatusCode, Json<DirectConversationRead>)> {
    let read = conversations::create(
        &state,
        me.user.id,
        &body.participant_ids,
        body.title.as_deref(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(read)))
}

/// Renames a group conversation (`null` clears the title).
#[utoipa::path(patch, path = "/api/dm/conversations/{conversation_id}", tag = "dm", security(("bearer" = [])),
    params(("conversation_id" = i64, Path)), request_body = ConversationUpdate,
    responses((status = 200, body = DirectConversationRead), (status = 400, description = "Not a group"),
              (status = 403, description = "No access to the conversation"), (status = 404, description = "Conversation not found")))]
pub async fn rename_conversation(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(conversation_id): Path<String>,
    ApiJson(body): ApiJson<ConversationUpdate>,
) -> ApiResult<Json<DirectConversationRead>> {
    let id = parse_path_id(&conversation_id, "conversation_id")?;
    Ok(Json(
        conversations::rename(&state, me.user.id, id, body.title.as_deref()).await?,
    ))
}

/// Sets or clears the caller's private note on a conversation.
#[utoipa::path(patch, path = "/api/dm/conversations/{conversation_id}/note", tag = "dm", security(("bearer" = [])),
    params(("conversation_id" = i64, Path)), request_body = NoteUpdate,
    responses((status = 200, body = DirectConversationParticipantRead),
              (status = 403, description = "No access to the conversation"), (status = 404, description = "Conversation not found")))]
pub async fn update_note(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(conversation_id): Path<String>,
    ApiJson(body): ApiJson<NoteUpdate>,
) -> ApiResult<Json<DirectConversationParticipantRead>> {
    let id = parse_path_id(&conversation_id, "conversation_id")?;
    let note = body.note.as_deref().filter(|n| !n.is_empty());
    Ok(Json(
        conversations::set_note(&state, me.user.id, id, note).await?,
    ))
}

/// A page of messages, oldest first: the newest `limit` (default 50, at most 100), or those
/// before the message `before`. Reading the newest page marks the conversation read.
#[utoipa::path(get, path = "/api/dm/conversations/{conversation_id}/messages", tag = "dm", security(("bearer" = [])),
    params(("conversation_id" = i64, Path), PageQuery),
    responses((status = 200, body = Vec<DirectMessageRead>),
              (status = 403, description = "No access to the conversation"), (status = 404, description = "Conversation not found"),
              (status = 422, description = "limit outside 1–100")))]
pub async fn list_messages(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(conversation_id): Path<String>,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> ApiResult<Json<Vec<DirectMessageRead>>> {
    let id = parse_path_id(&conversation_id, "conversation_id")?;
    Ok(Json(
        direct_messages::page(&state, me.user.id, id, query.before, query.limit).await?,
    ))
}

/// Sends a message (optionally a reply to one of the conversation's messages).
#[utoipa::path(post, path = "/api/dm/conversations/{conversation_id}/messages", tag = "dm", security(("bearer" = [])),
    params(("conversation_id" = i64, Path)), request_body = DirectMessageCreate,
    responses((status = 201, body = DirectMessageRead),
              (status = 400, description = "No other participant, or the reply target is not in the conversation"),
              (status = 403, description = "No access to the conversation, or a block between the two"),
              (status = 404, description = "Conversation not found"), (status = 422, description = "Validation error"),
              (status = 429, description = "Posting too fast")))]
pub async fn send_message(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(conversation_id): Path<String>,
    ApiJson(body): ApiJson<DirectMessageCreate>,
) -> ApiResult<(StatusCode, Json<DirectMessageRead>)> {
    let id = parse_path_id(&conversation_id, "conversation_id")?;
    if let Err(retry_after_secs) = state.posting.admit(me.user.id) {
        return Err(ApiError::TooManyRequests { retry_after_secs }.into());
    }
    let read = direct_messages::send(&state, me.user.id, id, &body.content, body.parent_id).await?;
    Ok((StatusCode::CREATED, Json(read)))
}

/// Tells the other participants that the caller is typing.
#[utoipa::path(post, path = "/api/dm/conversations/{conversation_id}/typing", tag = "dm", security(("bearer" = [])),
    params(("conversation_id" = i64, Path)),
    responses((status = 204), (status = 403, description = "No access to the conversation"),
              (status = 404, description = "Conversation not found")))]
pub async fn send_typing(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(conversation_id): Path<String>,
) -> ApiResult<StatusCode> {
    let id = parse_path_id(&conversation_id, "conversation_id")?;
    direct_messages::typing(&state, me.user.id, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Adds friends of the caller to a group (at most 10 members in all).
#[utoipa::path(post, path = "/api/dm/conversations/{conversation_id}/participants", tag = "dm", security(("bearer" = [])),
    params(("conversation_id" = i64, Path)), request_body = ParticipantsAdd,
    responses((status = 200, body = DirectConversationRead),
              (status = 400, description = "Not a group, nobody new, or more than 10 members"),
              (status = 403, description = "No access, or someone is not the caller's friend"),
              (status = 404, description = "Conversation not found")))]
pub async fn add_participants(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(conversation_id): Path<String>,
    ApiJson(body): ApiJson<ParticipantsAdd>,
) -> ApiResult<Json<DirectConversationRead>> {
    let id = parse_path_id(&conversation_id, "conversation_id")?;
    Ok(Json(
        conversations::add(&state, me.user.id, id, &body.user_ids).await?,
    ))
}

/// Leaves a group conversation (the last one out deletes it).
#[utoipa::path(post, path = "/api/dm/conversations/{conversation_id}/leave", tag = "dm", security(("bearer" = [])),
    params(("conversation_id" = i64, Path)),
    responses((status = 204), (status = 400, description = "Not a group"),
              (status = 403, description = "No access to the conversation"), (status = 404, description = "Conversation not found")))]
pub async fn leave_conversation(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(conversation_id): Path<String>,
) -> ApiResult<StatusCode> {
    let id = parse_path_id(&conversation_id, "conversation_id")?;
    conversations::leave(&state, me.user.id, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Edits the caller's own message.
#[utoipa::path(patch, path = "/api/dm/messages/{message_id}", tag = "dm", security(("bearer" = [])),
    params(("message_id" = i64, Path)), request_body = MessageEdit,
    responses((status = 200, body = DirectMessageRead), (status = 400, description = "The message is deleted"),
              (status = 403, description = "Not the sender"), (status = 404, description = "Message not found")))]
pub async fn edit_message(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(message_id): Path<String>,
    ApiJson(body): ApiJson<DirectEdit>,
) -> ApiResult<Json<DirectMessageRead>> {
    let id = parse_path_id(&message_id, "message_id")?;
    Ok(Json(
        direct_messages::edit(&state, me.user.id, id, &body.0.content).await?,
    ))
}

/// The body of an edit, validated like a new message.
#[derive(Debug, Deserialize)]
#[serde(transparent)]
pub struct DirectEdit(MessageEdit);

impl Validate for DirectEdit {
    fn validate(&mut self) -> Vec<ValidationItem> {
        let mut problems = Vec::new();
        check_content(&mut problems, &mut self.0.content);
        problems
    }
}

/// Deletes the caller's own message: its content is erased for everyone.
#[utoipa::path(delete, path = "/api/dm/messages/{message_id}", tag = "dm", security(("bearer" = [])),
    params(("message_id" = i64, Path)),
    responses((status = 200, body = DirectMessageRead, description = "The message as it now reads (content empty, deleted_at set)"),
              (status = 403, description = "Not the sender"), (status = 404, description = "Message not found")))]
pub async fn delete_message(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(message_id): Path<String>,
) -> ApiResult<Json<DirectMessageRead>> {
    let id = parse_path_id(&message_id, "message_id")?;
    Ok(Json(direct_messages::delete(&state, me.user.id, id).await?))
}

/// Adds the caller's reaction.
#[utoipa::path(post, path = "/api/dm/messages/{message_id}/reactions", tag = "dm", security(("bearer" = [])),
    params(("message_id" = i64, Path)), request_body = ReactionCreate,
    responses((status = 200, body = DirectMessageRead), (status = 404, description = "Message not found"),
              (status = 409, description = "Reaction already exists")))]
pub async fn add_reaction(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(message_id): Path<String>,
    ApiJson(body): ApiJson<ReactionCreate>,
) -> ApiResult<Json<DirectMessageRead>> {
    let id = parse_path_id(&message_id, "message_id")?;
    Ok(Json(
        direct_messages::react(&state, me.user.id, id, &body.emoji, true).await?,
    ))
}

/// Removes the caller's reaction (`?emoji=`).
#[utoipa::path(delete, path = "/api/dm/messages/{message_id}/reactions", tag = "dm", security(("bearer" = [])),
    params(("message_id" = i64, Path), EmojiQuery),
    responses((status = 200, body = DirectMessageRead), (status = 404, description = "Message or reaction not found")))]
pub async fn remove_reaction(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(message_id): Path<String>,
    ApiQuery(query): ApiQuery<EmojiQuery>,
) -> ApiResult<Json<DirectMessageRead>> {
    let emoji = messages::emoji(&query.emoji).map_err(|_| {
        ApiError::validation(
            "string_too_long",
            &["query", "emoji"],
            format!("String should have 1 to {EMOJI_MAX_LENGTH} characters"),
        )
    })?;
    let id = parse_path_id(&message_id, "message_id")?;
    Ok(Json(
        direct_messages::react(&state, me.user.id, id, emoji, false).await?,
    ))
}

//! `/api/dm` friends and blocks (§1.8): the friend list, requests (send, accept, decline,
//! cancel), removing a friend, and blocking. The rules are in `domain::people`.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{delete, get, post, put};
use axum::{Json, Router};
use charge_protocol::ValidationItem;
use charge_protocol::people::{
    FriendRequestCreate, FriendRequestList, FriendRequestRead, PublicUser,
};

use crate::auth::CurrentUser;
use crate::error::ApiResult;
use crate::extract::{ApiJson, Validate, check_len};
use crate::routes::rooms::parse_path_id;
use charge_domain::Domain as AppState;
use charge_domain::people;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/dm/friends", get(list_friends))
        .route("/api/dm/friends/{user_id}", delete(remove_friend))
        .route("/api/dm/requests", get(list_requests).post(send_request))
        .route("/api/dm/requests/{request_id}", delete(cancel_request))
        .route("/api/dm/requests/{request_id}/accept", post(accept_request))
        .route("/api/dm/requests/{request_id}/reject", post(reject_request))
        .route("/api/dm/blocks", get(list_blocks))
        .route(
            "/api/dm/blocks/{user_id}",
            put(block_user).delete(unblock_user),
        )
}

impl Validate for FriendRequestCreate {
    fn validate(&mut self) -> Vec<ValidationItem> {
        let mut problems = Vec::new();
        check_len(&mut problems, &["body", "login"], &self.login, 3, 64);
        problems
    }
}

/// The caller's friends, by lower-cased display name (or login), with their live status.
#[utoipa::path(get, path = "/api/dm/friends", tag = "dm", security(("bearer" = [])),
    responses((status = 200, body = Vec<PublicUser>, description = "At most 1,000")))]
pub async fn list_friends(
    State(state): State<AppState>,
    me: CurrentUser,
) -> ApiResult<Json<Vec<PublicUser>>> {
    Ok(Json(people::friends(&state, me.user.id).await?))
}

/// Ends a friendship (either side may send a new request at once).
#[utoipa::path(delete, path = "/api/dm/friends/{user_id}", tag = "dm", security(("bearer" = [])),
    params(("user_id" = i64, Path)),
    responses((status = 204), (status = 404, description = "Friend not found")))]
pub async fn remove_friend(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(user_id): Path<String>,
) -> ApiResult<StatusCode> {
    let user_id = parse_path_id(&user_id, "user_id")?;
    people::remove_friend(&state, me.user.id, user_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Pending requests involving the caller, oldest first.
#[utoipa::path(get, path = "/api/dm/requests", tag = "dm", security(("bearer" = [])),
    responses((status = 200, body = FriendRequestList, description = "At most 1,000 in all")))]
pub async fn list_requests(
    State(state): State<AppState>,
    me: CurrentUser,
) -> ApiResult<Json<FriendRequestList>> {
    Ok(Json(people::requests(&state, me.user.id).await?))
}

/// Sends a friend request to a login (matched case-insensitively).
#[utoipa::path(post, path = "/api/dm/requests", tag = "dm", security(("bearer" = [])),
    request_body = FriendRequestCreate,
    responses((status = 201, body = FriendRequestRead),
              (status = 400, description = "Yourself, already friends, already sent, an incoming request waits, declined within the cool-down, or you block them"),
              (status = 403, description = "The user blocks you"),
              (status = 404, description = "User not found"),
              (status = 422, description = "Validation error")))]
pub async fn send_request(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiJson(body): ApiJson<FriendRequestCreate>,
) -> ApiResult<(StatusCode, Json<FriendRequestRead>)> {
    let read = people::send_request(&state, me.user.id, &body.login).await?;
    Ok((StatusCode::CREATED, Json(read)))
}

/// Withdraws the caller's own pending request.
#[utoipa::path(delete, path = "/api/dm/requests/{request_id}", tag = "dm", security(("bearer" = [])),
    params(("request_id" = i64, Path)),
    responses((status = 204), (status = 400, description = "Not pending"),
              (status = 403, description = "Not the caller's request"), (status = 404, description = "Request not found")))]
pub async fn cancel_request(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(request_id): Path<String>,
) -> ApiResult<StatusCode> {
    let id = parse_path_id(&request_id, "request_id")?;
    people::cancel(&state, me.user.id, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Accepts a request addressed to the caller; the pair's conversation is opened.
#[utoipa::path(post, path = "/api/dm/requests/{request_id}/accept", tag = "dm", security(("bearer" = [])),
    params(("request_id" = i64, Path)),
    responses((status = 200, body = FriendRequestRead),
              (status = 403, description = "Not addressed to the caller"), (status = 404, description = "Request not found")))]
pub async fn accept_request(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(request_id): Path<String>,
) -> ApiResult<Json<FriendRequestRead>> {
    let id = parse_path_id(&request_id, "request_id")?;
    Ok(Json(people::accept(&state, me.user.id, id).await?))
}

/// Declines a request (either side; on an accepted link it ends the friendship).
#[utoipa::path(post, path = "/api/dm/requests/{request_id}/reject", tag = "dm", security(("bearer" = [])),
    params(("request_id" = i64, Path)),
    responses((status = 200, body = FriendRequestRead),
              (status = 403, description = "Not one of the two"), (status = 404, description = "Request not found")))]
pub async fn reject_request(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(request_id): Path<String>,
) -> ApiResult<Json<FriendRequestRead>> {
    let id = parse_path_id(&request_id, "request_id")?;
    Ok(Json(people::reject(&state, me.user.id, id).await?))
}

/// The users the caller blocks, most recent first.
#[utoipa::path(get, path = "/api/dm/blocks", tag = "dm", security(("bearer" = [])),
    responses((status = 200, body = Vec<PublicUser>, description = "At most 1,000")))]
pub async fn list_blocks(
    State(state): State<AppState>,
    me: CurrentUser,
) -> ApiResult<Json<Vec<PublicUser>>> {
    Ok(Json(people::blocked(&state, me.user.id).await?))
}

/// Blocks a user: any friendship or request between the two ends; they can no longer send
/// the caller requests or direct messages, nor see the caller's status.
#[utoipa::path(put, path = "/api/dm/blocks/{user_id}", tag = "dm", security(("bearer" = [])),
    params(("user_id" = i64, Path)),
    responses((status = 204), (status = 400, description = "Yourself"), (status = 404, description = "User not found")))]
pub async fn block_user(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(user_id): Path<String>,
) -> ApiResult<StatusCode> {
    let user_id = parse_path_id(&user_id, "user_id")?;
    people::block(&state, me.user.id, user_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Unblocks a user.
#[utoipa::path(delete, path = "/api/dm/blocks/{user_id}", tag = "dm", security(("bearer" = [])),
    params(("user_id" = i64, Path)),
    responses((status = 204), (status = 404, description = "User is not blocked")))]
pub async fn unblock_user(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(user_id): Path<String>,
) -> ApiResult<StatusCode> {
    let user_id = parse_path_id(&user_id, "user_id")?;
    people::unblock(&state, me.user.id, user_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

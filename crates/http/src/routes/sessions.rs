//! `/api/auth` sign-in sessions: refreshing tokens, signing out of this session or of all,
//! and changing the password (which signs out every other session). The rules are in
//! `domain::sessions`.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, State};
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use charge_domain::Domain as AppState;
use charge_domain::sessions::{self, Issued};
use charge_protocol::{PasswordChangeRequest, RefreshRequest, TokenRead, ValidationItem};

use crate::auth::CurrentUser;
use crate::error::ApiResult;
use crate::extract::{ApiJson, Validate, check_len};

/// Longest refresh token accepted (the server issues 43 characters).
pub const REFRESH_TOKEN_MAX_LENGTH: usize = 256;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/auth/refresh", post(refresh_tokens))
        .route("/api/auth/logout", post(sign_out))
        .route("/api/auth/logout-all", post(sign_out_everywhere))
        .route("/api/auth/password", post(change_password))
}

/// The wire form of a new token pair.
pub fn token_read(issued: Issued) -> TokenRead {
    TokenRead {
        access_token: issued.access_token,
        token_type: "bearer".into(),
        refresh_token: issued.refresh_token,
        expires_in: issued.expires_in,
    }
}

impl Validate for RefreshRequest {
    fn validate(&mut self) -> Vec<ValidationItem> {
        let mut problems = Vec::new();
        check_len(
            &mut problems,
            &["body", "refresh_token"],
            &self.refresh_token,
            1,
            REFRESH_TOKEN_MAX_LENGTH,
        );
        problems
    }
}

impl Validate for PasswordChangeRequest {
    fn validate(&mut self) -> Vec<ValidationItem> {
        let mut problems = Vec::new();
        check_len(
            &mut problems,
            &["body", "current_password"],
            &self.current_password,
            8,
            128,
        );
        check_len(
            &mut problems,
            &["body", "new_password"],
            &self.new_password,
            8,
            128,
        );
        problems
    }
}

/// Exchange a refresh token for a new access token and refresh token. Each refresh token
/// works once; presenting one that was already exchanged ends its whole sign-in session.
#[utoipa::path(post, path = "/api/auth/refresh", tag = "auth", request_body = RefreshRequest,
    responses((status = 200, body = TokenRead),
              (status = 401, description = "Invalid refresh token (unknown, expired, already used or its session ended)"),
              (status = 422, description = "Validation error"),
              (status = 503, description = "Database unavailable")))]
pub async fn refresh_tokens(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<RefreshRequest>,
) -> ApiResult<Json<TokenRead>> {
    let issued = sessions::refresh(&state, &body.refresh_token).await?;
    Ok(Json(token_read(issued)))
}

/// Sign out: ends the caller's sign-in session. Its refresh token and access tokens stop
/// working and its sockets close (1008 "Session ended") on every node.
#[utoipa::path(post, path = "/api/auth/logout", tag = "auth", security(("bearer" = [])),
    responses((status = 204, description = "Signed out"),
              (status = 401, description = "Not authenticated, expired or ended token")))]
pub async fn sign_out(State(state): State<AppState>, me: CurrentUser) -> ApiResult<StatusCode> {
    sessions::sign_out(&state, me.user.id, me.session_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Sign out everywhere: ends every sign-in session of the caller, this one included, and
/// closes all their sockets on every node.
#[utoipa::path(post, path = "/api/auth/logout-all", tag = "auth", security(("bearer" = [])),
    responses((status = 204, description = "Every session ended"),
              (status = 401, description = "Not authenticated, expired or ended token")))]
pub async fn sign_out_everywhere(
    State(state): State<AppState>,
    me: CurrentUser,
) -> ApiResult<StatusCode> {
    sessions::sign_out_everywhere(&state, me.user.id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Change the password. The current password is required; every other sign-in session ends
/// (this one goes on). Counted against the sign-in rate limits, as it checks a password.
#[utoipa::path(post, path = "/api/auth/password", tag = "auth", security(("bearer" = [])),
    request_body = PasswordChangeRequest,
    responses((status = 204, description = "Password changed; other sessions ended"),
              (status = 400, description = "Current password is incorrect"),
              (status = 401, description = "Not authenticated, expired or ended token"),
              (status = 422, description = "Validation error"),
              (status = 429, description = "Rate limited"),
              (status = 503, description = "Password hashing is saturated; retry after `Retry-After` seconds")))]
pub async fn change_password(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    me: CurrentUser,
    ApiJson(body): ApiJson<PasswordChangeRequest>,
) -> ApiResult<StatusCode> {
    state.limiter.check(peer.ip(), &me.user.login)?;
    sessions::change_password(
        &state,
        me.user.id,
        me.session_id,
        body.current_password,
        body.new_password,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

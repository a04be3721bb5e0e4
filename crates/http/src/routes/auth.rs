//! `/api/auth`: registration and login. Both are rate-limited (`accounts::AuthLimiter`) and
//! hash on the bounded pool (`passwords`), which answers 503 when saturated. Logins are
//! matched case-insensitively (`logins`); a predecessor's password hash is upgraded to
//! Argon2id at the first good sign-in (`legacy_hash`).

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, State};
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use charge_protocol::{LoginRequest, RegisterRequest, TokenRead, UserRead, ValidationItem};
use charge_store::StoreError;

use crate::error::{ApiError, ApiResult, item};
use crate::extract::{ApiJson, Validate, check_len};
use charge_domain::Domain as AppState;
use charge_domain::{dto, legacy_hash, logins};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/auth/register", post(register_user))
        .route("/api/auth/login", post(login_user))
}

impl Validate for RegisterRequest {
    fn validate(&mut self) -> Vec<ValidationItem> {
        let mut problems = Vec::new();
        check_len(&mut problems, &["body", "login"], &self.login, 3, 64);
        check_len(&mut problems, &["body", "password"], &self.password, 8, 128);
        if let Some(name) = &mut self.display_name {
            *name = name.trim().to_owned();
            check_len(
                &mut problems,
                &["body", "display_name"],
                name,
                1,
                charge_protocol::limits::NAME_MAX_LENGTH,
            );
        }
        match self.status.as_deref() {
            None | Some("online" | "idle" | "dnd") => {}
            Some(_) => problems.push(item(
                "enum",
                &["body", "status"],
                "Input should be 'online', 'idle' or 'dnd'",
            )),
        }
        problems
    }
}

impl Validate for LoginRequest {
    fn validate(&mut self) -> Vec<ValidationItem> {
        let mut problems = Vec::new();
        check_len(&mut problems, &["body", "login"], &self.login, 3, 64);
        check_len(&mut problems, &["body", "password"], &self.password, 8, 128);
        problems
    }
}

/// Create an account.
#[utoipa::path(post, path = "/api/auth/register", tag = "auth", request_body = RegisterRequest,
    responses((status = 201, body = UserRead), (status = 400, description = "Login is already taken"),
              (status = 422, description = "Validation error"), (status = 429, description = "Rate limited"),
              (status = 503, description = "Password hashing is saturated; retry after `Retry-After` seconds")))]
pub async fn register_user(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    ApiJson(body): ApiJson<RegisterRequest>,
) -> ApiResult<(StatusCode, Json<UserRead>)> {
    state.limiter.check(peer.ip(), &body.login)?;
    if logins::is_taken(&state.store, &body.login).await? {
        return Err(ApiError::BadRequest("Login is already taken").into());
    }
    let hash = state.passwords.hash(body.password).await?;
    let status = body.status.as_deref().unwrap_or("online");
    let key = logins::login_key(&body.login);
    let user = match state
        .store
        .create_user(
            &body.login,
            &key,
            &hash,
            body.display_name.as_deref(),
            status,
        )
        .await
    {
        Err(StoreError::Conflict(_)) => {
            return Err(ApiError::BadRequest("Login is already taken").into());
        }
        other => other?,
    };
    Ok((StatusCode::CREATED, Json(dto::user(&user))))
}

/// Exchange a login and password for a bearer token.
#[utoipa::path(post, path = "/api/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = TokenRead), (status = 401, description = "Incorrect login or password"),
              (status = 422, description = "Validation error"), (status = 429, description = "Rate limited"),
              (status = 503, description = "Password hashing is saturated; retry after `Retry-After` seconds")))]
pub async fn login_user(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    ApiJson(body): ApiJson<LoginRequest>,
) -> ApiResult<Json<TokenRead>> {
    state.limiter.check(peer.ip(), &body.login)?;
    // An unknown login is checked against a dummy hash, so it takes as long as a known one
    // and the timing does not tell which logins exist.
    let user = logins::find(&state.store, &body.login).await?;
    let stored = user.as_ref().map(|u| u.hashed_password.clone());
    let matches = state
        .passwords
        .verify(body.password.clone(), stored)
        .await?;
    let Some(user) = user.filter(|_| matches) else {
        return Err(ApiError::Unauthorized {
            detail: "Incorrect login or password",
            challenge: false,
        }
        .into());
    };
    // A predecessor's hash is replaced by an Argon2id one now that the password is known.
    if legacy_hash::is_legacy(&user.hashed_password) {
        let upgraded = state.passwords.hash(body.password).await?;
        state.store.set_password_hash(user.id, &upgraded).await?;
    }
    let token = state.tokens.issue(user.id)?;
    Ok(Json(TokenRead {
        access_token: token,
        token_type: "bearer".into(),
    }))
}

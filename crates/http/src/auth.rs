//! `CurrentUser`: the authenticated caller of an HTTP route (bearer token → user, 401 otherwise).

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use charge_domain::Domain;
use charge_domain::accounts;

use crate::error::{ApiError, HttpError};

/// The authenticated caller of an HTTP route.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub user: charge_store::User,
    /// The sign-in session of the token (absent for tokens of no session).
    pub session_id: Option<i64>,
}

/// The bearer token of the request's `Authorization` header, if any.
pub fn bearer_token(parts: &Parts) -> Option<&str> {
    let value = parts
        .headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    accounts::bearer_token(value)
}

impl FromRequestParts<Domain> for CurrentUser {
    type Rejection = HttpError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Domain,
    ) -> Result<Self, Self::Rejection> {
        let token = bearer_token(parts).ok_or_else(ApiError::not_authenticated)?;
        let found = accounts::authenticate(state, token).await?;
        Ok(CurrentUser {
            user: found.user,
            session_id: found.session_id,
        })
    }
}

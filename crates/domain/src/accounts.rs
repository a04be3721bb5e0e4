//! Accounts' credentials: Argon2id password hashes, HS* JWTs with a required `exp`, bearer
//! tokens, the user behind a token, and the login/registration rate limiter.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier, phc::PasswordHash};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, errors::ErrorKind};
use serde::{Deserialize, Serialize};

use crate::Domain;
use crate::error::{DomainError, DomainResult};
use charge_config::{JwtAlgorithm, Settings};

/// Hashes a password with Argon2id on the blocking pool (it is deliberately slow).
pub async fn hash_password(password: String) -> Result<String, DomainError> {
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(password.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| DomainError::Internal(format!("password hashing failed: {e}")))
    })
    .await
    .map_err(|e| DomainError::Internal(format!("hashing task failed: {e}")))?
}

/// Checks a password against a stored hash, off the async runtime.
pub async fn verify_password(password: String, hash: String) -> bool {
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&hash)
            .map(|parsed| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false)
    })
    .await
    .unwrap_or(false)
}

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: String,
    iat: u64,
    exp: u64,
}

/// Why a token was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenError {
    Expired,
    Invalid,
}

/// Signs and checks access tokens.
#[derive(Clone)]
pub struct Tokens {
    encoding: EncodingKey,
    decoding: DecodingKey,
    algorithm: Algorithm,
    ttl: Duration,
}

impl Tokens {
    pub fn new(settings: &Settings) -> Self {
        let secret = settings.jwt_secret.expose().as_bytes();
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            algorithm: match settings.jwt_algorithm {
                JwtAlgorithm::Hs256 => Algorithm::HS256,
                JwtAlgorithm::Hs384 => Algorithm::HS384,
                JwtAlgorithm::Hs512 => Algorithm::HS512,
            },
            ttl: settings.access_token_ttl,
        }
    }

    pub fn issue(&self, user_id: i64) -> Result<String, DomainError> {
        self.issue_with_ttl(user_id, self.ttl)
    }

    /// A token that lives `ttl` (tools and tests; the API always uses the configured TTL).
    pub fn issue_with_ttl(&self, user_id: i64, ttl: Duration) -> Result<String, DomainError> {
        let now = unix_now();
        let claims = Claims {
            sub: user_id.to_string(),
            iat: now,
            exp: now + ttl.as_secs(),
        };
        jsonwebtoken::encode(&Header::new(self.algorithm), &claims, &self.encoding)
            .map_err(|e| DomainError::Internal(format!("token signing failed: {e}")))
    }

    /// Returns the user id and the token's expiry (Unix seconds).
    pub fn verify(&self, token: &str) -> Result<(i64, u64), TokenError> {
        let mut validation = Validation::new(self.algorithm);
        validation.leeway = 0;
        validation.set_required_spec_claims(&["exp", "sub"]);
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &validation).map_err(
            |e| match e.kind() {
                ErrorKind::ExpiredSignature => TokenError::Expired,
                _ => TokenError::Invalid,
            },
        )?;
        let id = data.claims.sub.parse().map_err(|_| TokenError::Invalid)?;
        Ok((id, data.claims.exp))
    }
}

pub fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// The bearer token of an `Authorization` header value. The scheme is matched
/// case-insensitively (RFC 9110); HTTP routes and socket upgrades both read tokens here.
pub fn bearer_token(header: &str) -> Option<&str> {
    let (scheme, token) = header.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

/// The user behind a token, or the 401 the contract gives for each way a token can fail.
pub async fn authenticate(state: &Domain, token: &str) -> DomainResult<charge_store::User> {
    let invalid = DomainError::Unauthorized {
        detail: "Could not validate credentials",
        challenge: false,
    };
    let (user_id, _) = state.tokens.verify(token).map_err(|e| match e {
        TokenError::Expired => DomainError::Unauthorized {
            detail: "Token has expired",
            challenge: false,
        },
        TokenError::Invalid => DomainError::Unauthorized {
            detail: "Could not validate credentials",
            challenge: false,
        },
    })?;
    token_user(state, user_id).await?.ok_or(invalid)
}

/// The user a verified token names: from the read cache (users are never changed once
/// created, so a cached row is current), else from the database.
pub async fn token_user(
    state: &Domain,
    user_id: i64,
) -> Result<Option<charge_store::User>, charge_store::StoreError> {
    if let Some(user) = state.cache.user(user_id) {
        return Ok(Some(user));
    }
    let user = state.store.user_by_id(user_id).await?;
    if let Some(user) = &user {
        state.cache.put_user(user);
    }
    Ok(user)
}

/// Per-address and per-login limits for the credential endpoints.
#[derive(Clone)]
pub struct AuthLimiter {
    inner: Option<Arc<Limiters>>,
}

struct Limiters {
    by_address: DefaultKeyedRateLimiter<IpAddr>,
    by_login: DefaultKeyedRateLimiter<String>,
}

impl AuthLimiter {
    pub fn new(per_minute: u32) -> Self {
        let inner = NonZeroU32::new(per_minute).map(|n| {
            let quota = Quota::per_minute(n);
            Arc::new(Limiters {
                by_address: RateLimiter::keyed(quota),
                by_login: RateLimiter::keyed(quota),
            })
        });
        Self { inner }
    }

    /// Counts one attempt; over the limit, the error carries how long to wait.
    pub fn check(&self, address: IpAddr, login: &str) -> Result<(), DomainError> {
        let Some(limits) = &self.inner else {
            return Ok(());
        };
        let clock = DefaultClock::default();
        let wait = |not_until: governor::NotUntil<_>| DomainError::TooManyRequests {
            retry_after_secs: not_until.wait_time_from(clock.now()).as_secs_f64().ceil() as u64,
        };
        limits.by_address.check_key(&address).map_err(wait)?;
        limits
            .by_login
            .check_key(&login.to_lowercase())
            .map_err(wait)?;
        Ok(())
    }

    /// Drops state for keys that have fully recovered, so memory stays bounded.
    pub fn retain_recent(&self) {
        if let Some(limits) = &self.inner {
            limits.by_address.retain_recent();
            limits.by_login.retain_recent();
        }
    }
}

//! Accounts' credentials: HS* JWTs with a required `exp`, bearer tokens, the user behind a
//! token, and the login/registration rate limiter. Password hashing lives in `passwords`.

use std::net::{IpAddr, Ipv6Addr};
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultDirectRateLimiter, DefaultKeyedRateLimiter, Quota, RateLimiter};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, errors::ErrorKind};
use serde::{Deserialize, Serialize};

use crate::Domain;
use crate::error::{DomainError, DomainResult};
use charge_config::{JwtAlgorithm, Settings};

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: String,
    iat: u64,
    exp: u64,
    /// The sign-in session the token belongs to (absent in tokens made by tools).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sid: Option<i64>,
}

/// What a valid access token says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verified {
    pub user_id: i64,
    /// Unix seconds.
    pub expires_at: u64,
    pub session_id: Option<i64>,
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

    /// How long an access token lives.
    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    /// An access token of the sign-in session `session_id`.
    pub fn issue(&self, user_id: i64, session_id: i64) -> Result<String, DomainError> {
        self.sign(user_id, self.ttl, Some(session_id))
    }

    /// A token of no session that lives `ttl` (tools and tests; the API always issues
    /// session tokens with the configured TTL). It cannot be revoked; it only expires.
    pub fn issue_with_ttl(&self, user_id: i64, ttl: Duration) -> Result<String, DomainError> {
        self.sign(user_id, ttl, None)
    }

    fn sign(&self, user_id: i64, ttl: Duration, sid: Option<i64>) -> Result<String, DomainError> {
        let now = unix_now();
        let claims = Claims {
            sub: user_id.to_string(),
            iat: now,
            exp: now + ttl.as_secs().max(1),
            sid,
        };
        jsonwebtoken::encode(&Header::new(self.algorithm), &claims, &self.encoding)
            .map_err(|e| DomainError::Internal(format!("token signing failed: {e}")))
    }

    /// What the token says, if its signature and expiry hold.
    pub fn verify(&self, token: &str) -> Result<Verified, TokenError> {
        let mut validation = Validation::new(self.algorithm);
        validation.leeway = 0;
        validation.set_required_spec_claims(&["exp", "sub"]);
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &validation).map_err(
            |e| match e.kind() {
                ErrorKind::ExpiredSignature => TokenError::Expired,
                _ => TokenError::Invalid,
            },
        )?;
        let user_id = data.claims.sub.parse().map_err(|_| TokenError::Invalid)?;
        Ok(Verified {
            user_id,
            expires_at: data.claims.exp,
            session_id: data.claims.sid,
        })
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

/// The caller a valid token names.
#[derive(Debug, Clone)]
pub struct Authenticated {
    pub user: charge_store::User,
    /// The sign-in session, for tokens the API issued.
    pub session_id: Option<i64>,
    /// The token's expiry (Unix seconds).
    pub expires_at: u64,
}

/// Why a token does not authenticate anyone.
#[derive(Debug)]
pub enum Refused {
    Expired,
    /// A bad signature or claims, or a user that does not exist.
    Invalid,
    /// The token's session was signed out or revoked.
    Ended,
    /// Storage failed while checking; not the token's fault.
    Store(charge_store::StoreError),
}

/// Checks a token: signature and expiry, then (for a session token) that the session is still
/// live, then the user. Both checks after the signature are answered from memory when they
/// can be (`cache`), so a busy client costs no query per request.
pub async fn caller(state: &Domain, token: &str) -> Result<Authenticated, Refused> {
    let verified = state.tokens.verify(token).map_err(|e| match e {
        TokenError::Expired => Refused::Expired,
        TokenError::Invalid => Refused::Invalid,
    })?;
    if let Some(session_id) = verified.session_id {
        let live = crate::sessions::is_live(state, session_id, verified.user_id)
            .await
            .map_err(Refused::Store)?;
        if !live {
            return Err(Refused::Ended);
        }
    }
    let user = token_user(state, verified.user_id)
        .await
        .map_err(Refused::Store)?
        .ok_or(Refused::Invalid)?;
    Ok(Authenticated {
        user,
        session_id: verified.session_id,
        expires_at: verified.expires_at,
    })
}

/// The caller behind a token, or the 401 the contract gives for each way a token can fail.
pub async fn authenticate(state: &Domain, token: &str) -> DomainResult<Authenticated> {
    let unauthorized = |detail| DomainError::Unauthorized {
        detail,
        challenge: false,
    };
    caller(state, token).await.map_err(|e| match e {
        Refused::Expired => unauthorized("Token has expired"),
        Refused::Invalid => unauthorized("Could not validate credentials"),
        Refused::Ended => unauthorized("Session has ended"),
        Refused::Store(e) => e.into(),
    })
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

/// Limits for the credential endpoints: per client address, per login, and for the whole
/// server. The first two stop one source guessing fast and one account being guessed from
/// many sources; the global one caps what a spread-out attack (many addresses, many logins)
/// can try in total, since every attempt costs a password hash.
#[derive(Clone)]
pub struct AuthLimiter {
    keyed: Option<Arc<Keyed>>,
    global: Option<Arc<DefaultDirectRateLimiter>>,
}

struct Keyed {
    by_address: DefaultKeyedRateLimiter<IpAddr>,
    by_login: DefaultKeyedRateLimiter<String>,
}

impl AuthLimiter {
    /// `per_minute` per address and per login, `global_per_minute` in all; 0 turns either off.
    pub fn new(per_minute: u32, global_per_minute: u32) -> Self {
        let keyed = NonZeroU32::new(per_minute).map(|n| {
            let quota = Quota::per_minute(n);
            Arc::new(Keyed {
                by_address: RateLimiter::keyed(quota),
                by_login: RateLimiter::keyed(quota),
            })
        });
        let global = NonZeroU32::new(global_per_minute)
            .map(|n| Arc::new(RateLimiter::direct(Quota::per_minute(n))));
        Self { keyed, global }
    }

    /// Counts one attempt; over a limit, the error carries how long to wait. The global limit
    /// is checked last, so attempts refused per address or per login do not use it up.
    pub fn check(&self, address: IpAddr, login: &str) -> Result<(), DomainError> {
        let clock = DefaultClock::default();
        let wait = |not_until: governor::NotUntil<_>| DomainError::TooManyRequests {
            retry_after_secs: not_until.wait_time_from(clock.now()).as_secs_f64().ceil() as u64,
        };
        if let Some(limits) = &self.keyed {
            limits
                .by_address
                .check_key(&address_key(address))
                .map_err(wait)?;
            limits
                .by_login
                .check_key(&login.to_lowercase())
                .map_err(wait)?;
        }
        if let Some(global) = &self.global {
            global.check().map_err(wait)?;
        }
        Ok(())
    }

    /// Drops state for keys that have fully recovered, so memory stays bounded.
    pub fn retain_recent(&self) {
        if let Some(limits) = &self.keyed {
            limits.by_address.retain_recent();
            limits.by_login.retain_recent();
        }
    }
}

/// The key an address is limited under. An IPv6 client usually holds a whole /64 and can
/// pick any address in it, so IPv6 addresses count per /64; IPv4-mapped ones as IPv4.
fn address_key(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V4(_) => address,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let prefix = u128::from(v6) & !((1u128 << 64) - 1);
                IpAddr::V6(Ipv6Addr::from(prefix))
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_addresses_of_one_64_share_a_key_and_ipv4_mapped_ones_count_as_ipv4() {
        let a: IpAddr = "2001:db8:1:2::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:ffff:1:2:3".parse().unwrap();
        let other: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(address_key(a), address_key(b));
        assert_ne!(address_key(a), address_key(other));
        let mapped: IpAddr = "::ffff:192.0.2.7".parse().unwrap();
        assert_eq!(address_key(mapped), "192.0.2.7".parse::<IpAddr>().unwrap());
    }

    #[test]
    fn the_global_limit_counts_attempts_from_every_address_and_login() {
        let limiter = AuthLimiter::new(0, 3);
        for i in 0..3u8 {
            let address = IpAddr::from([192, 0, 2, i]);
            assert!(limiter.check(address, &format!("user{i}")).is_ok());
        }
        let refused = limiter.check(IpAddr::from([198, 51, 100, 1]), "someone-else");
        assert!(
            matches!(refused, Err(DomainError::TooManyRequests { retry_after_secs }) if retry_after_secs >= 1),
            "{refused:?}"
        );
    }

    #[test]
    fn attempts_refused_per_address_leave_the_global_budget_alone() {
        let limiter = AuthLimiter::new(1, 2);
        let noisy = IpAddr::from([192, 0, 2, 1]);
        assert!(limiter.check(noisy, "a").is_ok());
        for _ in 0..5 {
            assert!(limiter.check(noisy, "b").is_err());
        }
        assert!(limiter.check(IpAddr::from([192, 0, 2, 2]), "c").is_ok());
    }
}

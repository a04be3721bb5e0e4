//! [`DomainError`]: the one error every rule returns. Each variant says what went wrong in the
//! contract's terms (not found, forbidden, invalid, …); the HTTP layer maps it to a status and
//! `{"detail": …}` and the socket layer to a close code or an `error` frame. Causes are kept
//! as sources, never turned into strings.

use charge_protocol::ValidationItem;
use charge_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum DomainError {
    #[error("{0}")]
    BadRequest(&'static str),
    /// 401; `challenge` adds `WWW-Authenticate: Bearer`.
    #[error("{detail}")]
    Unauthorized {
        detail: &'static str,
        challenge: bool,
    },
    #[error("{0}")]
    Forbidden(&'static str),
    #[error("{0}")]
    NotFound(&'static str),
    #[error("{0}")]
    Conflict(&'static str),
    #[error("{0}")]
    Gone(&'static str),
    /// The input came in a format this operation does not read (HTTP 415).
    #[error("{0}")]
    UnsupportedFormat(&'static str),
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("request validation failed")]
    Validation(Vec<ValidationItem>),
    #[error("rate limited")]
    TooManyRequests { retry_after_secs: u64 },
    /// 403: the member is timed out until this RFC 3339 time (decision 25).
    #[error("You are timed out until {0}")]
    TimedOut(String),
    /// 429 with `Retry-After`: the channel's slow mode asks the member to wait.
    #[error("Slow mode is on: wait {retry_after_secs} s before sending another message")]
    SlowMode { retry_after_secs: u64 },
    #[error("service unavailable")]
    Unavailable(#[source] StoreError),
    /// 503 with `Retry-After`: a bounded resource (the password hashing pool) is saturated.
    #[error("busy")]
    Busy { retry_after_secs: u64 },
    #[error("internal error: {0}")]
    Internal(String),
    #[error("storage failed")]
    Store(#[source] StoreError),
}

impl DomainError {
    pub fn not_authenticated() -> Self {
        DomainError::Unauthorized {
            detail: "Not authenticated",
            challenge: true,
        }
    }

    pub fn validation(kind: &str, loc: &[&str], msg: impl Into<String>) -> Self {
        DomainError::Validation(vec![item(kind, loc, msg)])
    }
}

/// Builds one 422 entry; `loc` parts that parse as integers become JSON numbers.
pub fn item(kind: &str, loc: &[&str], msg: impl Into<String>) -> ValidationItem {
    ValidationItem {
        kind: kind.to_owned(),
        loc: loc
            .iter()
            .map(|p| {
                p.parse::<i64>()
                    .map_or_else(|_| serde_json::Value::from(*p), serde_json::Value::from)
            })
            .collect(),
        msg: msg.into(),
    }
}

impl From<StoreError> for DomainError {
    fn from(err: StoreError) -> Self {
        if err.is_unavailable() {
            DomainError::Unavailable(err)
        } else {
            DomainError::Store(err)
        }
    }
}

pub type DomainResult<T> = Result<T, DomainError>;

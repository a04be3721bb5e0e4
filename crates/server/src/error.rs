//! The one error type handlers return, and its single mapping to status + `{"detail": …}`.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use charge_protocol::{ErrorBody, ValidationErrorBody, ValidationItem};
use charge_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
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
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("request validation failed")]
    Validation(Vec<ValidationItem>),
    #[error("rate limited")]
    TooManyRequests { retry_after_secs: u64 },
    #[error("service unavailable: {0}")]
    Unavailable(String),
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    pub fn not_authenticated() -> Self {
        ApiError::Unauthorized {
            detail: "Not authenticated",
            challenge: true,
        }
    }

    pub fn validation(kind: &str, loc: &[&str], msg: impl Into<String>) -> Self {
        ApiError::Validation(vec![item(kind, loc, msg)])
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

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::Unavailable(cause) => ApiError::Unavailable(cause),
            other => ApiError::Internal(other.to_string()),
        }
    }
}

fn detail(status: StatusCode, detail: &str) -> Response {
    (
        status,
        Json(ErrorBody {
            detail: detail.to_owned(),
        }),
    )
        .into_response()
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self {
            ApiError::BadRequest(d) => detail(StatusCode::BAD_REQUEST, d),
            ApiError::Unauthorized {
                detail: d,
                challenge,
            } => {
                let mut res = detail(StatusCode::UNAUTHORIZED, d);
                if challenge {
                    res.headers_mut()
                        .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
                }
                res
            }
            ApiError::Forbidden(d) => detail(StatusCode::FORBIDDEN, d),
            ApiError::NotFound(d) => detail(StatusCode::NOT_FOUND, d),
            ApiError::Conflict(d) => detail(StatusCode::CONFLICT, d),
            ApiError::Gone(d) => detail(StatusCode::GONE, d),
            ApiError::PayloadTooLarge(d) => detail(StatusCode::PAYLOAD_TOO_LARGE, &d),
            ApiError::Validation(items) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                Json(ValidationErrorBody { detail: items }),
            )
                .into_response(),
            ApiError::TooManyRequests { retry_after_secs } => {
                let mut res = detail(
                    StatusCode::TOO_MANY_REQUESTS,
                    "Too many requests, try again later",
                );
                res.headers_mut().insert(
                    header::RETRY_AFTER,
                    HeaderValue::from(retry_after_secs.max(1)),
                );
                res
            }
            ApiError::Unavailable(cause) => {
                tracing::warn!(%cause, "database unavailable");
                detail(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "Service temporarily unavailable",
                )
            }
            ApiError::Internal(cause) => {
                tracing::error!(%cause, "internal error");
                detail(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error")
            }
        }
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

//! The HTTP face of [`DomainError`]: its single mapping to a status and `{"detail": …}`.
//! Handlers name errors with the domain's variants (`ApiError::NotFound(…)`, an alias) and
//! return [`ApiResult`]; `?` converts.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use charge_domain::DomainError;
use charge_protocol::{ErrorBody, ValidationErrorBody};
use charge_store::StoreError;

pub use charge_domain::DomainError as ApiError;
pub use charge_domain::error::item;

/// A [`DomainError`] on its way out as an HTTP response.
#[derive(Debug)]
pub struct HttpError(pub DomainError);

impl From<DomainError> for HttpError {
    fn from(err: DomainError) -> Self {
        HttpError(err)
    }
}

impl From<StoreError> for HttpError {
    fn from(err: StoreError) -> Self {
        HttpError(err.into())
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

impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        match self.0 {
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
            ApiError::UnsupportedFormat(d) => detail(StatusCode::UNSUPPORTED_MEDIA_TYPE, d),
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
            ApiError::TimedOut(ref until) => detail(
                StatusCode::FORBIDDEN,
                &format!("You are timed out until {until}"),
            ),
            ApiError::SlowMode { retry_after_secs } => {
                let mut res = detail(
                    StatusCode::TOO_MANY_REQUESTS,
                    &format!(
                        "Slow mode is on: wait {retry_after_secs} s before sending another message"
                    ),
                );
                res.headers_mut().insert(
                    header::RETRY_AFTER,
                    HeaderValue::from(retry_after_secs.max(1)),
                );
                res
            }
            ApiError::Unavailable(cause) => {
                tracing::warn!(
                    error = &cause as &dyn std::error::Error,
                    "database unavailable"
                );
                detail(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "Service temporarily unavailable",
                )
            }
            ApiError::Busy { retry_after_secs } => {
                let mut res = detail(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "Server busy, try again later",
                );
                res.headers_mut().insert(
                    header::RETRY_AFTER,
                    HeaderValue::from(retry_after_secs.max(1)),
                );
                res
            }
            ApiError::Internal(cause) => {
                tracing::error!(%cause, "internal error");
                detail(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error")
            }
            ApiError::Store(cause) => {
                tracing::error!(error = &cause as &dyn std::error::Error, "storage error");
                detail(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error")
            }
        }
    }
}

pub type ApiResult<T> = Result<T, HttpError>;

//! Request extractors that answer in the contract's shapes: JSON bodies (422 list on any
//! problem, malformed JSON included; 413 past the body limit) and query strings.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use charge_domain::error::item;
pub use charge_domain::validate::{check_len, check_new_name};

use crate::error::{ApiError, HttpError};

/// Maximum JSON request body; larger bodies answer 413.
pub const MAX_JSON_BODY: usize = charge_protocol::limits::JSON_BODY_MAX_BYTES;

/// Field checks beyond the types (lengths, enumerations); returns every problem at once.
pub trait Validate {
    fn validate(&mut self) -> Vec<charge_protocol::ValidationItem>;
}

/// A JSON body deserialised into `T`, then checked with [`Validate`].
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    S: Send + Sync,
    T: DeserializeOwned + Validate,
{
    type Rejection = HttpError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        // A body declared as something else is refused rather than read as JSON (clients that
        // send no Content-Type at all are still read, as the predecessor did).
        if let Some(kind) = req.headers().get(axum::http::header::CONTENT_TYPE)
            && !is_json(kind.to_str().unwrap_or_default())
        {
            return Err(ApiError::UnsupportedFormat(
                "Unsupported Media Type: send the body as application/json",
            )
            .into());
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::PayloadTooLarge(format!("Request body exceeds {MAX_JSON_BODY} bytes"))
            } else {
                ApiError::validation(
                    "body_unreadable",
                    &["body"],
                    "Request body could not be read",
                )
            }
        })?;
        let mut value: serde_json::Value = serde_json::from_slice(&bytes).map_err(|e| {
            ApiError::validation(
                "json_invalid",
                &["body", &e.column().to_string()],
                format!("JSON decode error: {e}"),
            )
        })?;
        if !value.is_object() {
            return Err(ApiError::validation(
                "model_attributes_type",
                &["body"],
                "Input should be a valid dictionary or object",
            )
            .into());
        }
        integral_numbers(&mut value);
        let mut parsed: T = serde_path_to_error::deserialize(value).map_err(|e| {
            let path = e.path().to_string();
            let inner = e.into_inner().to_string();
            let mut loc = vec!["body".to_owned()];
            if let Some(field) = inner
                .strip_prefix("missing field `")
                .and_then(|r| r.split('`').next())
            {
                if path != "." {
                    loc.extend(path_segments(&path));
                }
                loc.push(field.to_owned());
                let loc: Vec<&str> = loc.iter().map(String::as_str).collect();
                return ApiError::Validation(vec![item("missing", &loc, "Field required")]);
            }
            loc.extend(path_segments(&path));
            let loc: Vec<&str> = loc.iter().map(String::as_str).collect();
            let (kind, msg) = describe_type_error(&inner);
            ApiError::Validation(vec![item(kind, &loc, msg)])
        })?;
        let problems = parsed.validate();
        if problems.is_empty() {
            Ok(ApiJson(parsed))
        } else {
            Err(ApiError::Validation(problems).into())
        }
    }
}

fn describe_type_error(inner: &str) -> (&'static str, String) {
    let expected = inner.split("expected ").nth(1).unwrap_or("");
    if expected.contains("i64") || expected.contains("integer") {
        ("int_type", "Input should be a valid integer".into())
    } else if expected.contains("string") {
        ("string_type", "Input should be a valid string".into())
    } else if expected.contains("bool") {
        ("bool_type", "Input should be a valid boolean".into())
    } else {
        ("value_error", format!("Invalid value: {inner}"))
    }
}

/// Writes every number with no fractional part (`5.0`, `1e3`) as the integer it is, so an
/// integer field accepts it as JSON Schema and the predecessor's validation did; `5.5` stays
/// a float and is refused where an integer is expected.
pub fn integral_numbers(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Number(n) if n.is_f64() => {
            if let Some(f) = n.as_f64()
                && f.fract() == 0.0
                && f >= i64::MIN as f64
                && f < i64::MAX as f64
            {
                *value = serde_json::Value::from(f as i64);
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(integral_numbers),
        serde_json::Value::Object(fields) => fields.values_mut().for_each(integral_numbers),
        _ => {}
    }
}

/// `application/json` or a `+json` type, parameters allowed.
fn is_json(content_type: &str) -> bool {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// Query parameters deserialised into `T`; problems answer 422 with `loc: ["query", name]`.
pub struct ApiQuery<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiQuery<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = HttpError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or_default();
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(de)
            .map(ApiQuery)
            .map_err(|e| {
                let path = e.path().to_string();
                let inner = e.into_inner().to_string();
                if let Some(field) = inner
                    .strip_prefix("missing field `")
                    .and_then(|r| r.split('`').next())
                {
                    return ApiError::validation("missing", &["query", field], "Field required");
                }
                let (kind, msg) = if inner.contains("invalid digit") || inner.contains("number") {
                    (
                        "int_parsing",
                        "Input should be a valid integer, unable to parse string as an integer"
                            .to_owned(),
                    )
                } else {
                    describe_type_error(&inner)
                };
                ApiError::validation(kind, &["query", &path], msg)
            })
            .map_err(HttpError::from)
    }
}

/// For `Option<Option<T>>` fields with `#[serde(default, deserialize_with = "present")]`: an
/// absent key stays `None`, `null` becomes `Some(None)`, a value `Some(Some(value))`, so a
/// PATCH can tell "leave it" from "clear it".
pub fn present<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    <Option<T> as serde::Deserialize>::deserialize(deserializer).map(Some)
}

/// A deserialisation path (`channels[0].category_id`) as the segments of a `loc`
/// (`channels`, `0`, `category_id`).
fn path_segments(path: &str) -> Vec<String> {
    path.split(['.', '[', ']'])
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn numbers_without_a_fraction_become_integers_and_others_stay() {
        let mut value = serde_json::json!({"a": 5.0, "b": [1e3, 2.5], "c": "7.0", "d": -0.0});
        super::integral_numbers(&mut value);
        assert_eq!(
            value,
            serde_json::json!({"a": 5, "b": [1000, 2.5], "c": "7.0", "d": 0})
        );
        let mut huge = serde_json::json!(1e300);
        super::integral_numbers(&mut huge);
        assert!(
            huge.is_f64(),
            "out of range stays a float (and is refused as an integer)"
        );
    }

    #[test]
    fn a_path_becomes_loc_segments() {
        assert_eq!(
            super::path_segments("channels[0].category_id"),
            ["channels", "0", "category_id"]
        );
        assert_eq!(super::path_segments("name"), ["name"]);
        assert!(super::path_segments(".").is_empty());
    }
}

//! Headers every answer carries so a browser treats Charge's pages and files safely: no MIME
//! sniffing, no framing, no referrer leaks, a Content-Security-Policy that allows only the
//! server's own scripts, the microphone for voice on this origin only, and HSTS when the
//! server is reached over HTTPS and `HSTS_MAX_AGE_SECONDS` is set.

use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

/// The web client's policy: scripts only from this origin (no inline script, no eval);
/// inline styles are allowed for the few computed ones; the API and sockets may live on
/// another origin (the sign-in page can point the client at another server).
pub const CLIENT_POLICY: &str = "default-src 'self'; script-src 'self'; \
    style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; media-src 'self' blob:; \
    connect-src 'self' http: https: ws: wss:; font-src 'self' data:; object-src 'none'; \
    base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// The API documentation page (Swagger UI) starts itself with an inline script.
pub const DOCS_POLICY: &str = "default-src 'self'; script-src 'self' 'unsafe-inline'; \
    style-src 'self' 'unsafe-inline'; img-src 'self' data:; object-src 'none'; \
    base-uri 'none'; frame-ancestors 'none'";

pub async fn headers(hsts_max_age: u64, req: Request, next: Next) -> Response {
    let docs = req.uri().path().starts_with("/docs");
    let https = req
        .headers()
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|proto| proto.eq_ignore_ascii_case("https"))
        || req.uri().scheme_str() == Some("https");
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(
        "permissions-policy",
        HeaderValue::from_static("microphone=(self), camera=(), geolocation=(), payment=()"),
    );
    h.entry(header::CONTENT_SECURITY_POLICY)
        .or_insert(HeaderValue::from_static(if docs {
            DOCS_POLICY
        } else {
            CLIENT_POLICY
        }));
    if https
        && hsts_max_age > 0
        && let Ok(value) = HeaderValue::from_str(&format!("max-age={hsts_max_age}"))
    {
        h.insert(header::STRICT_TRANSPORT_SECURITY, value);
    }
    res
}

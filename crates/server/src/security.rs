//! Headers every answer carries so a browser treats Charge's pages and files safely: no MIME
//! sniffing, no framing, no referrer leaks, a Content-Security-Policy that allows only the
//! server's own scripts, the microphone for voice on this origin only, and HSTS when the
//! server is reached over HTTPS and `HSTS_MAX_AGE_SECONDS` is set.

use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use tower_http::set_header::SetResponseHeaderLayer;

/// The web client's policy: scripts only from this origin (no inline script, no eval);
/// inline styles are allowed for the few computed ones; the API and sockets may live on
/// another origin (the sign-in page can point the client at another server).
pub const CLIENT_POLICY: &str = "default-src 'self'; script-src 'self'; \
    style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; media-src 'self' blob:; \
    connect-src 'self' http: https: ws: wss:; font-src 'self' data:; object-src 'none'; \
    base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Everything that is not a page: nothing in it may run or be framed.
pub const RESOURCE_POLICY: &str = "default-src 'none'; frame-ancestors 'none'";

/// Voice needs the microphone, on this origin only; nothing else is granted.
pub const PERMISSIONS_POLICY: &str = "microphone=(self), camera=(), geolocation=(), payment=()";

/// The API documentation page (Swagger UI) starts itself with an inline script.
pub const DOCS_POLICY: &str = "default-src 'self'; script-src 'self' 'unsafe-inline'; \
    style-src 'self' 'unsafe-inline'; img-src 'self' data:; object-src 'none'; \
    base-uri 'none'; frame-ancestors 'none'";

/// Adds the safety headers to every answer. Static headers are set by `tower-http` layers
/// (no per-request allocation); the API docs carry their own policy, set on their routes
/// before this runs; HSTS, which depends on the request, costs a middleware only when
/// configured.
pub fn layer<S>(router: axum::Router<S>, hsts_max_age: u64) -> axum::Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    // One pass over the response, no allocation: these run on every answer, history pages
    // included, where separate layers cost measurably (see docs/PERFORMANCE.md).
    let router = router.layer(tower::util::MapResponseLayer::new(add_headers));
    if hsts_max_age == 0 {
        return router;
    }
    router.layer(axum::middleware::from_fn(move |req, next| {
        hsts(hsts_max_age, req, next)
    }))
}

fn add_headers(mut res: Response) -> Response {
    let body = body_kind(&res);
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
    // Policies that govern documents go on pages; other answers (JSON, scripts, images) get
    // the short policy that forbids rendering them as anything active. An answer without a
    // body type (304 Not Modified, 204) gets none: a browser merges a 304's headers into the
    // page it revalidated, and must keep that page's own policy.
    let policy = match body {
        Body::Page => {
            h.insert(
                HeaderName::from_static("permissions-policy"),
                HeaderValue::from_static(PERMISSIONS_POLICY),
            );
            CLIENT_POLICY
        }
        Body::Other => RESOURCE_POLICY,
        Body::None => return res,
    };
    h.entry(header::CONTENT_SECURITY_POLICY)
        .or_insert(HeaderValue::from_static(policy));
    res
}

enum Body {
    Page,
    Other,
    None,
}

fn body_kind(res: &Response) -> Body {
    match res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    {
        Some(t) if t.starts_with("text/html") => Body::Page,
        Some(_) => Body::Other,
        None => Body::None,
    }
}

/// The docs' own policy, for their routes.
pub fn docs_policy() -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::overriding(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(DOCS_POLICY),
    )
}

async fn hsts(max_age: u64, req: Request, next: Next) -> Response {
    let https = req
        .headers()
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|proto| proto.eq_ignore_ascii_case("https"))
        || req.uri().scheme_str() == Some("https");
    let mut res = next.run(req).await;
    if https && let Ok(value) = HeaderValue::from_str(&format!("max-age={max_age}")) {
        res.headers_mut()
            .insert(header::STRICT_TRANSPORT_SECURITY, value);
    }
    res
}

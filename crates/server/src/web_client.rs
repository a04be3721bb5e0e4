//! The web client built into the binary, so an installed `charge` serves it from any working
//! directory. `frontend/app` is the client as it runs (plain ES modules, no build step needed).
//! In debug builds the files are read from the source tree at request time; release builds
//! carry them. `WEB_CLIENT_DIR` (or a checkout as the working directory) serves files from
//! disk instead.

use axum::http::{HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};

#[derive(rust_embed::Embed)]
#[folder = "../../frontend/app/"]
struct WebClient;

/// Answers `GET`/`HEAD` for a file of the built-in client (a directory path serves its
/// `index.html`); anything else is `None`, for the caller's 404.
pub fn serve(method: &Method, uri: &Uri) -> Option<Response> {
    if method != Method::GET && method != Method::HEAD {
        return None;
    }
    let path = uri.path().trim_start_matches('/');
    let path = if path.is_empty() || path.ends_with('/') {
        format!("{path}index.html")
    } else {
        path.to_owned()
    };
    let file = WebClient::get(&path)?;
    let content_type = HeaderValue::from_str(file.metadata.mimetype())
        .unwrap_or(HeaderValue::from_static("application/octet-stream"));
    let etag = HeaderValue::from_str(&format!(
        "\"{}\"",
        file.metadata
            .sha256_hash()
            .iter()
            .take(16)
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    ))
    .ok();
    let mut response = (StatusCode::OK, file.data.into_owned()).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, content_type);
    if let Some(etag) = etag {
        headers.insert(header::ETAG, etag);
    }
    // Module URLs do not change with a new build, so browsers revalidate every time.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    Some(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_client_has_its_pages_and_modules_with_their_types() {
        let get = |p: &str| serve(&Method::GET, &p.parse().unwrap());
        let page = get("/").expect("index.html");
        assert_eq!(page.headers()[header::CONTENT_TYPE], "text/html");
        let html = String::from_utf8(
            WebClient::get("index.html")
                .expect("index.html")
                .data
                .into_owned(),
        )
        .unwrap();
        let src = html
            .split("type=\"module\"")
            .nth(1)
            .and_then(|rest| rest.split("src=\"").nth(1))
            .and_then(|rest| rest.split('"').next())
            .expect("index.html loads a module script");
        let script = get(&format!(
            "/{}",
            src.trim_start_matches("./").trim_start_matches('/')
        ))
        .expect("the page's module");
        assert!(
            script.headers()[header::CONTENT_TYPE]
                .to_str()
                .unwrap()
                .contains("javascript")
        );
        assert!(get("/workspace.html").is_some());
        assert!(get("/no-such-file.js").is_none());
        assert!(serve(&Method::POST, &"/".parse().unwrap()).is_none());
    }
}

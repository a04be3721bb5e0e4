//! CORS from `CORS_ORIGINS` and `CORS_ALLOW_ORIGIN_REGEX`.

use reqwest::Method;

use crate::common::{Db, TestApp, both_backends};

async fn preflight(app: &TestApp, origin: &str) -> Option<String> {
    let res = app
        .client
        .request(Method::OPTIONS, app.url("/api/rooms"))
        .header("Origin", origin)
        .header("Access-Control-Request-Method", "POST")
        .header(
            "Access-Control-Request-Headers",
            "authorization,content-type",
        )
        .send()
        .await
        .unwrap();
    res.headers()
        .get("access-control-allow-origin")
        .map(|v| v.to_str().unwrap().to_owned())
}

both_backends!(listed_and_matching_origins_are_allowed_and_others_are_not);
async fn listed_and_matching_origins_are_allowed_and_others_are_not(db: Db) {
    let app = TestApp::spawn_with(
        db,
        &[
            (
                "CORS_ORIGINS",
                "https://chat.example.org, http://localhost:5173",
            ),
            (
                "CORS_ALLOW_ORIGIN_REGEX",
                r"https://([a-z0-9-]+\.)?example\.net",
            ),
        ],
    )
    .await;
    assert_eq!(
        preflight(&app, "https://chat.example.org").await.as_deref(),
        Some("https://chat.example.org")
    );
    assert_eq!(
        preflight(&app, "http://localhost:5173").await.as_deref(),
        Some("http://localhost:5173")
    );
    assert_eq!(
        preflight(&app, "https://eu.example.net").await.as_deref(),
        Some("https://eu.example.net")
    );
    assert_eq!(preflight(&app, "https://evil.example.com").await, None);
    assert_eq!(
        preflight(&app, "https://example.net.evil.com").await,
        None,
        "the regex must match the whole origin"
    );
    // A simple request carries the header too, with credentials allowed.
    let res = app
        .client
        .get(app.url("/health"))
        .header("Origin", "https://chat.example.org")
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.headers()["access-control-allow-origin"],
        "https://chat.example.org"
    );
    assert_eq!(res.headers()["access-control-allow-credentials"], "true");
    app.stop().await;
}

both_backends!(a_wildcard_admits_every_origin_but_never_with_credentials);
async fn a_wildcard_admits_every_origin_but_never_with_credentials(db: Db) {
    let app = TestApp::spawn_with(db, &[("CORS_ORIGINS", "*")]).await;
    let res = app
        .client
        .get(format!("{}/api/", app.base))
        .header("origin", "https://anywhere.example")
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["access-control-allow-origin"], "*");
    assert!(
        res.headers()
            .get("access-control-allow-credentials")
            .is_none(),
        "credentials are never allowed for *"
    );
    app.stop().await;
}

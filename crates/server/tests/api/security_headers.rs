//! Every answer carries the browser safety headers; HSTS only over HTTPS and when configured.

use crate::common::{Db, TestApp, both_backends};

both_backends!(pages_api_answers_and_errors_carry_the_safety_headers);
async fn pages_api_answers_and_errors_carry_the_safety_headers(db: Db) {
    let app = TestApp::spawn(db).await;
    for path in [
        "/",
        "/api/",
        "/health",
        "/api/rooms",
        "/no-such-file",
        "/openapi.json",
    ] {
        let res = app
            .client
            .get(format!("{}{path}", app.base))
            .send()
            .await
            .unwrap();
        let h = res.headers();
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["x-frame-options"], "DENY", "{path}");
        assert_eq!(h["referrer-policy"], "no-referrer", "{path}");
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        if h["content-type"].to_str().unwrap().starts_with("text/html") {
            // Pages: scripts from this origin only, the microphone for voice.
            assert!(
                csp.contains("script-src 'self';"),
                "{path}: no inline script: {csp}"
            );
            assert!(
                h["permissions-policy"]
                    .to_str()
                    .unwrap()
                    .contains("microphone=(self)")
            );
        } else if path != "/openapi.json" {
            // Data: nothing in it may run.
            assert_eq!(csp, "default-src 'none'; frame-ancestors 'none'", "{path}");
        }
        assert!(
            h.get("strict-transport-security").is_none(),
            "plain HTTP: no HSTS"
        );
    }
}

both_backends!(hsts_is_sent_over_https_only_when_configured);
async fn hsts_is_sent_over_https_only_when_configured(db: Db) {
    let app = TestApp::spawn_with(db, &[("HSTS_MAX_AGE_SECONDS", "600")]).await;
    let over = |proto: &'static str| {
        app.client
            .get(format!("{}/health", app.base))
            .header("x-forwarded-proto", proto)
            .send()
    };
    let res = over("https").await.unwrap();
    assert_eq!(res.headers()["strict-transport-security"], "max-age=600");
    let res = over("http").await.unwrap();
    assert!(res.headers().get("strict-transport-security").is_none());
    let off = TestApp::spawn(db).await;
    let res = off
        .client
        .get(format!("{}/health", off.base))
        .header("x-forwarded-proto", "https")
        .send()
        .await
        .unwrap();
    assert!(res.headers().get("strict-transport-security").is_none());
}

both_backends!(a_revalidated_page_keeps_its_own_policy);
async fn a_revalidated_page_keeps_its_own_policy(db: Db) {
    let web = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../frontend/app");
    let app = TestApp::spawn_with(db, &[("WEB_CLIENT_DIR", web.to_str().unwrap())]).await;
    let first = app
        .client
        .get(format!("{}/index.html", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(first.status(), 200);
    let csp = first.headers()["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("script-src 'self';"), "{csp}");
    let modified = first.headers()["last-modified"].clone();
    let again = app
        .client
        .get(format!("{}/index.html", app.base))
        .header("if-modified-since", modified)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
    // A browser merges a 304's headers into the cached page: a data policy here would
    // block the page's own scripts and styles.
    assert!(again.headers().get("content-security-policy").is_none());
    assert_eq!(again.headers()["x-content-type-options"], "nosniff");
    app.stop().await;
}

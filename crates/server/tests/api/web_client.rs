//! The web client built into the binary: served at `/` when no directory is configured and
//! the working directory is not a checkout (as for an installed binary; tests run in
//! `crates/server`, which has no `frontend/`).

use crate::common::{Db, TestApp, both_backends};
use reqwest::Method;

both_backends!(an_installed_binary_serves_the_built_in_client);
async fn an_installed_binary_serves_the_built_in_client(db: Db) {
    assert!(!std::path::Path::new("frontend/app/index.html").exists());
    let app = TestApp::spawn(db).await;
    let page = app
        .client
        .get(format!("{}/", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    assert_eq!(page.headers()["content-type"], "text/html");
    assert!(page.headers().contains_key("etag"));
    let html = page.text().await.unwrap();
    let on_disk = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../frontend/app/index.html"),
    )
    .unwrap();
    assert_eq!(html, on_disk, "the page is frontend/app/index.html");
    let workspace = app
        .client
        .get(format!("{}/workspace.html", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(workspace.status(), 200);
    // Unknown paths keep the contract's JSON 404, whatever the method.
    for method in [Method::GET, Method::POST] {
        let (status, body) = app.call(method, "/no-such-page.js", None, None).await;
        assert_eq!(status, 404);
        assert_eq!(body["detail"], "Not Found");
    }
}

both_backends!(an_invitation_link_opens_the_sign_in_page_with_its_code);
async fn an_invitation_link_opens_the_sign_in_page_with_its_code(db: Db) {
    let app = TestApp::spawn(db).await;
    let http = crate::common::http()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let res = http
        .get(format!("{}/invite/aB3_-x", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "../index.html?invite=aB3_-x");
    // Followed, it is the client's sign-in page.
    let page = crate::common::client()
        .get(format!("{}/invite/aB3_-x", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.url().as_str().ends_with("/index.html?invite=aB3_-x"));
    // Anything but code characters is not an invitation link.
    let res = http
        .get(format!("{}/invite/%3Cscript%3E", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    app.stop().await;
}

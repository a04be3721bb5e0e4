//! Avatars: raster pictures only, re-encoded and bounded, served publicly with `nosniff` and
//! cache headers, replaced and removed without leaving files behind.

use reqwest::{Method, StatusCode};
use serde_json::json;

use super::{Raw, dimensions, files_under, get, jpeg, part, png, raw};
use crate::common::{Db, TestApp, both_backends};

async fn set_avatar(app: &TestApp, token: &str, bytes: &[u8], name: &str, declared: &str) -> Raw {
    let form = reqwest::multipart::Form::new().part("avatar", part(bytes, name, declared));
    let res = app
        .client
        .post(app.url("/api/profile/avatar"))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .expect("avatar");
    raw(res).await
}

both_backends!(an_avatar_is_re_encoded_served_to_anyone_and_replaced);
async fn an_avatar_is_re_encoded_served_to_anyone_and_replaced(db: Db) {
    let app = TestApp::spawn(db).await;
    let (alice_id, alice) = app.user("alice").await;

    let reply = set_avatar(&app, &alice, &jpeg(900, 600), "me.jpg", "image/jpeg").await;
    assert_eq!(reply.status, StatusCode::OK, "{db:?}: {}", reply.json());
    let url = reply.json()["avatar_url"]
        .as_str()
        .expect("avatar_url")
        .to_owned();
    assert!(
        url.starts_with(&format!("/api/profile/avatar/{alice_id}?v=")),
        "{url}"
    );
    let (_, me) = app.get("/api/profile/me", &alice).await;
    assert_eq!(me["avatar_url"], url.as_str());

    let served = get(&app, &url, None, &[]).await;
    assert_eq!(served.status, StatusCode::OK, "no token needed");
    assert_eq!(served.header("content-type"), "image/png", "re-encoded");
    assert_eq!(
        dimensions(&served.bytes),
        (256, 171),
        "{db:?}: scaled to fit 256"
    );
    assert_eq!(served.header("x-content-type-options"), "nosniff");
    assert!(served.header("cache-control").starts_with("public"));
    assert!(served.header("content-disposition").is_empty());
    let etag = served.header("etag").to_owned();
    let again = get(&app, &url, None, &[("if-none-match", &etag)]).await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);

    // A new picture replaces the old file.
    let small = set_avatar(&app, &alice, &png(50, 40), "new.png", "image/png").await;
    assert_eq!(small.status, StatusCode::OK);
    let new_url = small.json()["avatar_url"].as_str().unwrap().to_owned();
    let served = get(&app, &new_url, None, &[]).await;
    assert_eq!(
        dimensions(&served.bytes),
        (50, 40),
        "small pictures keep their size"
    );
    assert_eq!(
        files_under(app.media.path()).len(),
        1,
        "{db:?}: the old file is gone"
    );

    let (status, removed) = app
        .call(Method::DELETE, "/api/profile/avatar", Some(&alice), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(removed["avatar_url"], json!(null));
    let none = get(&app, &format!("/api/profile/avatar/{alice_id}"), None, &[]).await;
    assert_eq!(none.json(), json!({"detail": "Avatar not found"}));
    assert!(files_under(app.media.path()).is_empty());
    app.stop().await;
}

both_backends!(only_raster_pictures_within_the_limit_become_avatars);
async fn only_raster_pictures_within_the_limit_become_avatars(db: Db) {
    let app = TestApp::spawn_with(db, &[("MAX_UPLOAD_SIZE", "50000")]).await;
    let (_, alice) = app.user("alice").await;
    let svg = b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>";
    let refusals: [(&[u8], &str, StatusCode, &str); 4] = [
        (
            svg,
            "image/svg+xml",
            StatusCode::BAD_REQUEST,
            "Avatar must be an image file",
        ),
        (
            b"plain text",
            "text/plain",
            StatusCode::BAD_REQUEST,
            "Avatar must be an image file",
        ),
        (
            b"<html>hi</html>",
            "image/png",
            StatusCode::BAD_REQUEST,
            "Avatar must be an image file",
        ),
        (
            &[0u8; 50_001],
            "image/png",
            StatusCode::PAYLOAD_TOO_LARGE,
            "Avatar exceeds allowed size",
        ),
    ];
    for (bytes, declared, status, detail) in refusals {
        let reply = set_avatar(&app, &alice, bytes, "x.png", declared).await;
        assert_eq!(reply.status, status, "{db:?}: {declared}");
        assert_eq!(reply.json(), json!({ "detail": detail }));
    }
    assert!(files_under(app.media.path()).is_empty());
    let unknown = get(&app, "/api/profile/avatar/999999", None, &[]).await;
    assert_eq!(unknown.json(), json!({"detail": "Avatar not found"}));
    app.stop().await;
}

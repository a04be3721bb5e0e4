//! Request bodies: malformed JSON, bodies that are not objects, wrong types and missing fields,
//! oversize bodies, and authentication checked before any of them.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::common::{Db, TestApp, assert_422, assert_detail, both_backends};

both_backends!(malformed_json_answers_422_json_invalid);
async fn malformed_json_answers_422_json_invalid(db: Db) {
    let app = TestApp::spawn(db).await;
    let (_, token) = app.user("ivy").await;
    for raw in ["{", "{\"title\": }", "not json at all", ""] {
        let reply = app
            .send_raw(
                Method::POST,
                "/api/rooms",
                Some(&token),
                "application/json",
                raw,
            )
            .await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{raw:?}: {}",
            reply.text
        );
        let item = &reply.body["detail"][0];
        assert_eq!(item["type"], "json_invalid", "{raw:?}: {}", reply.text);
        assert_eq!(item["loc"][0], "body");
        assert!(item["msg"].is_string());
    }
    let register = app
        .send_raw(
            Method::POST,
            "/api/auth/register",
            None,
            "application/json",
            "{\"login\":",
        )
        .await;
    assert_eq!(
        register.body["detail"][0]["type"], "json_invalid",
        "{}",
        register.text
    );
    app.stop().await;
}

both_backends!(a_json_body_that_is_not_an_object_answers_422);
async fn a_json_body_that_is_not_an_object_answers_422(db: Db) {
    let app = TestApp::spawn(db).await;
    let (_, token) = app.user("jay").await;
    for raw in ["[1, 2]", "\"a title\"", "42", "null", "true"] {
        let reply = app
            .send_raw(
                Method::POST,
                "/api/rooms",
                Some(&token),
                "application/json",
                raw,
            )
            .await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{raw}: {}",
            reply.text
        );
        let item = &reply.body["detail"][0];
        assert!(
            item["type"].is_string() && item["msg"].is_string(),
            "{raw}: {}",
            reply.text
        );
        assert_eq!(item["loc"][0], "body", "{raw}");
    }
    app.stop().await;
}

both_backends!(wrong_types_and_missing_fields_answer_422_at_their_location);
async fn wrong_types_and_missing_fields_answer_422_at_their_location(db: Db) {
    let app = TestApp::spawn(db).await;
    let (_, token) = app.user("kim").await;
    let slug = app.room(&token, "Types").await;
    let cases = [
        ("/api/rooms", json!({}), "missing", json!(["body", "title"])),
        (
            "/api/rooms",
            json!({"title": 5}),
            "string_type",
            json!(["body", "title"]),
        ),
        (
            "/api/rooms",
            json!({"title": ["a"]}),
            "string_type",
            json!(["body", "title"]),
        ),
        (
            &format!("/api/rooms/{slug}/channels") as &str,
            json!({"type": "text"}),
            "missing",
            json!(["body", "name"]),
        ),
        (
            &format!("/api/rooms/{slug}/channels"),
            json!({"name": "x", "category_id": "one"}),
            "int_type",
            json!(["body", "category_id"]),
        ),
        (
            &format!("/api/rooms/{slug}/invitations"),
            json!({"role": 3}),
            "string_type",
            json!(["body", "role"]),
        ),
        (
            "/api/invites",
            json!({"role": "member"}),
            "missing",
            json!(["body", "room_slug"]),
        ),
    ];
    for (path, body, kind, loc) in cases {
        let reply = app
            .send(Method::POST, path, Some(&token), Some(body.clone()))
            .await;
        assert_422(&reply, kind, loc, &format!("POST {path} {body}"));
    }
    let form = app
        .send_raw(
            Method::POST,
            "/api/auth/login",
            None,
            "application/x-www-form-urlencoded",
            "login=kim&password=password-kim",
        )
        .await;
    assert_eq!(
        form.status,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "login takes JSON only: {}",
        form.text
    );
    app.stop().await;
}

both_backends!(an_oversize_body_answers_413);
async fn an_oversize_body_answers_413(db: Db) {
    let app = TestApp::spawn(db).await;
    let (_, token) = app.user("lee").await;
    let huge = format!("{{\"title\": \"{}\"}}", "x".repeat(2 * 1024 * 1024));
    let reply = app
        .send_raw(
            Method::POST,
            "/api/rooms",
            Some(&token),
            "application/json",
            huge,
        )
        .await;
    assert_eq!(
        reply.status,
        StatusCode::PAYLOAD_TOO_LARGE,
        "{}",
        &reply.text[..reply.text.len().min(200)]
    );
    assert!(reply.body["detail"].is_string(), "{}", reply.text);
    let register = app
        .send_raw(
            Method::POST,
            "/api/auth/register",
            None,
            "application/json",
            format!("{{\"login\": \"{}\"}}", "y".repeat(1024 * 1024)),
        )
        .await;
    assert_eq!(register.status, StatusCode::PAYLOAD_TOO_LARGE);
    let (status, rooms) = app.get("/api/rooms", &token).await;
    assert_eq!(
        (status, rooms),
        (StatusCode::OK, json!([])),
        "nothing was created"
    );
    app.stop().await;
}

both_backends!(authentication_is_checked_before_the_body);
async fn authentication_is_checked_before_the_body(db: Db) {
    let app = TestApp::spawn(db).await;
    let reply = app
        .send_raw(Method::POST, "/api/rooms", None, "application/json", "{")
        .await;
    assert_detail(
        &reply,
        StatusCode::UNAUTHORIZED,
        "Not authenticated",
        "anonymous malformed body",
    );
    let garbage = app
        .send_raw(
            Method::POST,
            "/api/rooms",
            Some("garbage"),
            "application/json",
            "[]",
        )
        .await;
    assert_detail(
        &garbage,
        StatusCode::UNAUTHORIZED,
        "Could not validate credentials",
        "bad token, bad body",
    );
    app.stop().await;
}

both_backends!(a_body_declared_as_anything_but_json_answers_415);
async fn a_body_declared_as_anything_but_json_answers_415(db: Db) {
    let app = TestApp::spawn(db).await;
    let (_, token) = app.user("ulla").await;
    for kind in [
        "text/plain",
        "application/x-www-form-urlencoded",
        "application/xml",
    ] {
        let reply = app
            .send_raw(
                Method::POST,
                "/api/rooms",
                Some(&token),
                kind,
                r#"{"title": "Declared wrong"}"#,
            )
            .await;
        assert_eq!(
            reply.status,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "{kind}: {}",
            reply.text
        );
        assert_eq!(
            reply.body,
            json!({"detail": "Unsupported Media Type: send the body as application/json"})
        );
    }
    // JSON with parameters or a +json type is read.
    for kind in [
        "application/json; charset=utf-8",
        "application/merge-patch+json",
    ] {
        let reply = app
            .send_raw(
                Method::POST,
                "/api/rooms",
                Some(&token),
                kind,
                format!(r#"{{"title": "Declared {}"}}"#, kind.len()),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{kind}: {}", reply.text);
    }
    app.stop().await;
}

both_backends!(the_api_documentation_answers_at_docs_itself);
async fn the_api_documentation_answers_at_docs_itself(db: Db) {
    let app = TestApp::spawn(db).await;
    let page = app.client.get(app.url("/docs")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    // Every asset the page names is served.
    for asset in html.split("\"/docs/").skip(1) {
        let asset = asset.split('"').next().unwrap();
        let res = app
            .client
            .get(app.url(&format!("/docs/{asset}")))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "/docs/{asset}");
    }
    assert!(html.contains("/docs/swagger-initializer.js"));
    app.stop().await;
}

//! Every documented error path and validation limit of the HTTP API, on every backend: the
//! status, the `{"detail": …}` text or the 422 list, and never a 5xx for bad input.

mod common;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE;
use common::{Reply, TestApp, backends};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// The secret `TestApp` signs tokens with.
const TEST_SECRET: &str = "test-secret-key-that-is-long-enough-0123";

/// Asserts a 422 whose list has an item of `kind` at `loc`, every item having the contract's keys.
fn assert_422(reply: &Reply, kind: &str, loc: Value, context: &str) {
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{context}: {}",
        reply.text
    );
    let items = reply.body["detail"]
        .as_array()
        .unwrap_or_else(|| panic!("{context}: detail is a list: {}", reply.text));
    assert!(!items.is_empty(), "{context}");
    for i in items {
        assert!(
            i["type"].is_string() && i["loc"].is_array() && i["msg"].is_string(),
            "{context}: item shape {i}"
        );
    }
    assert!(
        items.iter().any(|i| i["type"] == kind && i["loc"] == loc),
        "{context}: expected {kind} at {loc}, got {}",
        reply.text
    );
}

fn assert_detail(reply: &Reply, status: StatusCode, detail: &str, context: &str) {
    assert_eq!(reply.status, status, "{context}: {}", reply.text);
    assert_eq!(reply.body, json!({ "detail": detail }), "{context}");
}

fn sign(claims: &Value, secret: &str) -> String {
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .expect("sign")
}

fn unix_now() -> i64 {
    chrono::Utc::now().timestamp()
}

fn rfc3339_from_now(seconds: i64) -> String {
    (chrono::Utc::now() + chrono::Duration::seconds(seconds)).to_rfc3339()
}

async fn register(app: &TestApp, body: Value) -> Reply {
    app.send(Method::POST, "/api/auth/register", None, Some(body))
        .await
}

// ---------------------------------------------------------------------------------------------
// Accounts and tokens
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn registration_enforces_the_login_password_display_name_and_status_limits() {
    for db in backends() {
        let app = TestApp::spawn(db).await;
        let ok_password = "password1";
        let refused = [
            (
                json!({"login": "ab", "password": ok_password}),
                "string_too_short",
                json!(["body", "login"]),
            ),
            (
                json!({"login": "a".repeat(65), "password": ok_password}),
                "string_too_long",
                json!(["body", "login"]),
            ),
            (
                json!({"login": "carol", "password": "short7!"}),
                "string_too_short",
                json!(["body", "password"]),
            ),
            (
                json!({"login": "carol", "password": "p".repeat(129)}),
                "string_too_long",
                json!(["body", "password"]),
            ),
            (
                json!({"login": "carol", "password": ok_password, "display_name": "   "}),
                "string_too_short",
                json!(["body", "display_name"]),
            ),
            (
                json!({"login": "carol", "password": ok_password, "display_name": "d".repeat(129)}),
                "string_too_long",
                json!(["body", "display_name"]),
            ),
            (
                json!({"login": "carol", "password": ok_password, "status": "away"}),
                "enum",
                json!(["body", "status"]),
            ),
            (
                json!({"password": ok_password}),
                "missing",
                json!(["body", "login"]),
            ),
            (
                json!({"login": "carol"}),
                "missing",
                json!(["body", "password"]),
            ),
            (
                json!({"login": 12345, "password": ok_password}),
                "string_type",
                json!(["body", "login"]),
            ),
        ];
        for (body, kind, loc) in refused {
            let reply = register(&app, body.clone()).await;
            assert_422(&reply, kind, loc, &body.to_string());
        }

        // The limits themselves are allowed; display_name is trimmed; status is one of three.
        let at_limits = register(
            &app,
            json!({"login": "l".repeat(64), "password": "p".repeat(128), "display_name": format!("  {}  ", "d".repeat(128)), "status": "dnd"}),
        )
        .await;
        assert_eq!(at_limits.status, StatusCode::CREATED, "{}", at_limits.text);
        assert_eq!(at_limits.body["display_name"], "d".repeat(128));
        let shortest = register(
            &app,
            json!({"login": "abc", "password": "12345678", "display_name": "  Ann  "}),
        )
        .await;
        assert_eq!(shortest.status, StatusCode::CREATED, "{}", shortest.text);
        assert_eq!(shortest.body["login"], "abc");
        assert_eq!(shortest.body["display_name"], "Ann");
        for key in [
            "id",
            "login",
            "display_name",
            "status",
            "avatar_url",
            "created_at",
            "updated_at",
        ] {
            assert!(
                shortest.body.get(key).is_some(),
                "UserRead has {key}: {}",
                shortest.text
            );
        }
        assert!(
            shortest.body.get("hashed_password").is_none() && !shortest.text.contains("argon2")
        );
        app.stop().await;
    }
}

#[tokio::test]
async fn registering_a_login_that_is_taken_answers_400() {
    for db in backends() {
        let app = TestApp::spawn(db).await;
        let first = register(&app, json!({"login": "dora", "password": "password1"})).await;
        assert_eq!(first.status, StatusCode::CREATED);
        let again = register(
            &app,
            json!({"login": "dora", "password": "password2", "display_name": "Other"}),
        )
        .await;
        assert_detail(
            &again,
            StatusCode::BAD_REQUEST,
            "Login is already taken",
            "duplicate login",
        );
        // The original password still works: the refused registration changed nothing.
        let login = app
            .send(
                Method::POST,
                "/api/auth/login",
                None,
                Some(json!({"login": "dora", "password": "password1"})),
            )
            .await;
        assert_eq!(login.status, StatusCode::OK);
        app.stop().await;
    }
}

#[tokio::test]
async fn login_refuses_unknown_logins_and_wrong_passwords_with_the_same_answer() {
    for db in backends() {
        let app = TestApp::spawn(db).await;
        app.user("erin").await;
        let wrong = app
            .send(
                Method::POST,
                "/api/auth/login",
                None,
                Some(json!({"login": "erin", "password": "not-her-password"})),
            )
            .await;
        assert_detail(
            &wrong,
            StatusCode::UNAUTHORIZED,
            "Incorrect login or password",
            "wrong password",
        );
        let unknown = app
            .send(
                Method::POST,
                "/api/auth/login",
                None,
                Some(json!({"login": "nobody", "password": "whatever1"})),
            )
            .await;
        assert_detail(
            &unknown,
            StatusCode::UNAUTHORIZED,
            "Incorrect login or password",
            "unknown login",
        );
        assert!(wrong.headers.get("www-authenticate").is_none());
        let short = app
            .send(
                Method::POST,
                "/api/auth/login",
                None,
                Some(json!({"login": "erin", "password": "short"})),
            )
            .await;
        assert_422(
            &short,
            "string_too_short",
            json!(["body", "password"]),
            "short password on login",
        );
        let ok = app
            .send(
                Method::POST,
                "/api/auth/login",
                None,
                Some(json!({"login": "erin", "password": "password-erin"})),
            )
            .await;
        assert_eq!(ok.status, StatusCode::OK);
        assert_eq!(ok.body["token_type"], "bearer");
        app.stop().await;
    }
}

#[tokio::test]
async fn garbage_forged_and_exp_less_tokens_cannot_validate_credentials() {
    for db in backends() {
        let app = TestApp::spawn(db).await;
        let (id, _) = app.user("fay").await;
        let exp = unix_now() + 600;
        let tokens = [
            ("garbage", "not-a-jwt".to_owned()),
            ("three garbage segments", "aaa.bbb.ccc".to_owned()),
            (
                "wrong secret",
                sign(
                    &json!({"sub": id.to_string(), "exp": exp}),
                    "some-other-secret-of-sufficient-length",
                ),
            ),
            (
                "sub not an integer",
                sign(&json!({"sub": "fay", "exp": exp}), TEST_SECRET),
            ),
            ("no sub", sign(&json!({"exp": exp}), TEST_SECRET)),
            (
                "unknown user",
                sign(&json!({"sub": "999999", "exp": exp}), TEST_SECRET),
            ),
            // Decision 6: `exp` is required (the predecessor accepted tokens without it).
            (
                "no exp",
                sign(
                    &json!({"sub": id.to_string(), "iat": unix_now()}),
                    TEST_SECRET,
                ),
            ),
        ];
        for (what, token) in tokens {
            let reply = app
                .send(Method::GET, "/api/rooms", Some(&token), None)
                .await;
            assert_detail(
                &reply,
                StatusCode::UNAUTHORIZED,
                "Could not validate credentials",
                what,
            );
            assert!(
                reply.headers.get("www-authenticate").is_none(),
                "{what}: no challenge header"
            );
        }
        // A token made the same way but valid is accepted, so the refusals above are about the claims.
        let good = sign(
            &json!({"sub": id.to_string(), "iat": unix_now(), "exp": exp}),
            TEST_SECRET,
        );
        assert_eq!(
            app.send(Method::GET, "/api/rooms", Some(&good), None)
                .await
                .status,
            StatusCode::OK
        );
        app.stop().await;
    }
}

#[tokio::test]
async fn an_expired_token_answers_token_has_expired() {
    for db in backends() {
        let app = TestApp::spawn(db).await;
        let (id, _) = app.user("gus").await;
        let expired = sign(
            &json!({"sub": id.to_string(), "iat": unix_now() - 3600, "exp": unix_now() - 60}),
            TEST_SECRET,
        );
        let reply = app
            .send(Method::GET, "/api/rooms", Some(&expired), None)
            .await;
        assert_detail(
            &reply,
            StatusCode::UNAUTHORIZED,
            "Token has expired",
            "expired token",
        );
        assert!(reply.headers.get("www-authenticate").is_none());
        app.stop().await;
    }
}

#[tokio::test]
async fn the_bearer_scheme_is_case_insensitive_and_other_schemes_are_not_authenticated() {
    for db in backends() {
        let app = TestApp::spawn(db).await;
        let (_, token) = app.user("hal").await;
        let lower = app
            .client
            .get(app.url("/api/rooms"))
            .header("Authorization", format!("bearer {token}"))
            .send()
            .await
            .expect("send");
        assert_eq!(lower.status(), StatusCode::OK);
        for header in [
            format!("Basic {token}"),
            token.clone(),
            "Bearer".to_owned(),
            "Bearer ".to_owned(),
        ] {
            let res = app
                .client
                .get(app.url("/api/rooms"))
                .header("Authorization", header.clone())
                .send()
                .await
                .expect("send");
            assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{header:?}");
            assert_eq!(
                res.headers()
                    .get("www-authenticate")
                    .and_then(|v| v.to_str().ok()),
                Some("Bearer"),
                "{header:?}"
            );
            assert_eq!(
                res.json::<Value>().await.expect("json"),
                json!({"detail": "Not authenticated"})
            );
        }
        app.stop().await;
    }
}

// ---------------------------------------------------------------------------------------------
// Request bodies
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn malformed_json_answers_422_json_invalid() {
    for db in backends() {
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
}

#[tokio::test]
async fn a_json_body_that_is_not_an_object_answers_422() {
    for db in backends() {
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
}

#[tokio::test]
async fn wrong_types_and_missing_fields_answer_422_at_their_location() {
    for db in backends() {
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
            StatusCode::UNPROCESSABLE_ENTITY,
            "login takes JSON only: {}",
            form.text
        );
        app.stop().await;
    }
}

#[tokio::test]
async fn an_oversize_body_answers_413() {
    for db in backends() {
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
}

#[tokio::test]
async fn authentication_is_checked_before_the_body() {
    for db in backends() {
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
}

// ---------------------------------------------------------------------------------------------
// Rooms and channels
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn room_titles_are_trimmed_and_between_1_and_128_characters() {
    for db in backends() {
        let app = TestApp::spawn(db).await;
        let (_, token) = app.user("max").await;
        for title in ["".to_owned(), "    ".to_owned()] {
            let reply = app
                .send(
                    Method::POST,
                    "/api/rooms",
                    Some(&token),
                    Some(json!({ "title": title })),
                )
                .await;
            assert_422(
                &reply,
                "string_too_short",
                json!(["body", "title"]),
                &format!("title {title:?}"),
            );
        }
        let long = app
            .send(
                Method::POST,
                "/api/rooms",
                Some(&token),
                Some(json!({"title": "t".repeat(129)})),
            )
            .await;
        assert_422(
            &long,
            "string_too_long",
            json!(["body", "title"]),
            "129 characters",
        );
        // 128 characters of four-byte emoji fit (characters, not bytes, are counted).
        let emoji = "🔥".repeat(128);
        let (status, room) = app
            .post(
                "/api/rooms",
                &token,
                json!({ "title": format!("  {emoji}  ") }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{room}");
        assert_eq!(room["title"], emoji.as_str());
        let (status, padded) = app
            .post("/api/rooms", &token, json!({"title": "  Padded  "}))
            .await;
        assert_eq!(status, StatusCode::CREATED);
        assert_eq!(
            (padded["title"].as_str(), padded["slug"].as_str()),
            (Some("Padded"), Some("padded"))
        );
        app.stop().await;
    }
}

#[tokio::test]
async fn channel_names_and_types_are_validated() {
    for db in backends() {
        let app = TestApp::spawn(db).await;
        let (_, token) = app.user("nia").await;
        let slug = app.room(&token, "Channels").await;
        let path = format!("/api/rooms/{slug}/channels");
        let cases = [
            (
                json!({"name": "", "type": "text"}),
                "string_too_short",
                json!(["body", "name"]),
            ),
            (
                json!({"name": "   ", "type": "text"}),
                "string_too_short",
                json!(["body", "name"]),
            ),
            (
                json!({"name": "n".repeat(129), "type": "text"}),
                "string_too_long",
                json!(["body", "name"]),
            ),
            (
                json!({"name": "video", "type": "video"}),
                "enum",
                json!(["body", "type"]),
            ),
            (
                json!({"name": "caps", "type": "TEXT"}),
                "enum",
                json!(["body", "type"]),
            ),
        ];
        for (body, kind, loc) in cases {
            let reply = app
                .send(Method::POST, &path, Some(&token), Some(body.clone()))
                .await;
            assert_422(&reply, kind, loc, &body.to_string());
        }
        for kind in [
            "text",
            "voice",
            "stage",
            "announcements",
            "forums",
            "events",
        ] {
            let channel = app
                .channel(&token, &slug, &format!("  {kind} room  "), kind)
                .await;
            assert_eq!(channel["type"], kind);
            assert_eq!(channel["name"], format!("{kind} room"));
        }
        let unknown_category = app
            .send(
                Method::POST,
                &path,
                Some(&token),
                Some(json!({"name": "x", "type": "text", "category_id": 999999})),
            )
            .await;
        assert_detail(
            &unknown_category,
            StatusCode::NOT_FOUND,
            "Category not found",
            "unknown category",
        );
        app.stop().await;
    }
}

#[tokio::test]
async fn a_room_holds_at_most_26_channels_and_a_deleted_letter_is_reused() {
    for db in backends() {
        let app = TestApp::spawn(db).await;
        let (_, token) = app.user("oli").await;
        let slug = app.room(&token, "Full").await;
        let mut letters = String::new();
        for i in 0..26 {
            let kind = if i % 2 == 0 { "text" } else { "voice" };
            letters.push_str(
                app.channel(&token, &slug, &format!("c{i}"), kind).await["letter"]
                    .as_str()
                    .expect("letter"),
            );
        }
        assert_eq!(letters, "ABCDEFGHIJKLMNOPQRSTUVWXYZ");
        let full = app
            .send(
                Method::POST,
                &format!("/api/rooms/{slug}/channels"),
                Some(&token),
                Some(json!({"name": "one too many", "type": "text"})),
            )
            .await;
        assert_detail(
            &full,
            StatusCode::BAD_REQUEST,
            "No available channel slots left",
            "27th channel",
        );
        let deleted = app
            .send(
                Method::DELETE,
                &format!("/api/rooms/{slug}/channels/m"),
                Some(&token),
                None,
            )
            .await;
        assert_eq!(deleted.status, StatusCode::NO_CONTENT);
        assert_eq!(
            app.channel(&token, &slug, "again", "text").await["letter"],
            "M"
        );
        app.stop().await;
    }
}

#[tokio::test]
async fn deleting_a_channel_needs_a_single_letter_that_exists() {
    for db in backends() {
        let app = TestApp::spawn(db).await;
        let (_, token) = app.user("pat").await;
        let slug = app.room(&token, "Letters").await;
        app.channel(&token, &slug, "only", "text").await;
        for letter in ["AB", "1", "%C3%A9", "%C3%9F", "-", "%20"] {
            let reply = app
                .send(
                    Method::DELETE,
                    &format!("/api/rooms/{slug}/channels/{letter}"),
                    Some(&token),
                    None,
                )
                .await;
            assert_detail(
                &reply,
                StatusCode::BAD_REQUEST,
                "Invalid channel letter",
                letter,
            );
        }
        let unknown = app
            .send(
                Method::DELETE,
                &format!("/api/rooms/{slug}/channels/Z"),
                Some(&token),
                None,
            )
            .await;
        assert_detail(
            &unknown,
            StatusCode::NOT_FOUND,
            "Channel not found",
            "unused letter",
        );
        let (_, detail) = app.get(&format!("/api/rooms/{slug}"), &token).await;
        assert_eq!(
            detail["channels"].as_array().map(Vec::len),
            Some(1),
            "nothing was deleted"
        );
        app.stop().await;
    }
}

// ---------------------------------------------------------------------------------------------
// History
// ---------------------------------------------------------------------------------------------

/// A room with a text channel of `count` messages ("m0"…), a second text channel with one
/// message and a voice channel. Returns (token, text id, message ids, other id, other message id, voice id).
async fn history_fixture(app: &TestApp, count: usize) -> (String, i64, Vec<i64>, i64, i64, i64) {
    let (_, token) = app.user("quinn").await;
    let slug = app.room(&token, "History").await;
    let text = app.channel(&token, &slug, "text", "text").await["id"]
        .as_i64()
        .expect("id");
    let other = app.channel(&token, &slug, "other", "text").await["id"]
        .as_i64()
        .expect("id");
    let voice = app.channel(&token, &slug, "voice", "voice").await["id"]
        .as_i64()
        .expect("id");
    let mut ids = Vec::new();
    for i in 0..count {
        ids.push(
            app.message(&token, text, &format!("m{i}")).await["id"]
                .as_i64()
                .expect("id"),
        );
    }
    let other_message = app.message(&token, other, "elsewhere").await["id"]
        .as_i64()
        .expect("id");
    (token, text, ids, other, other_message, voice)
}

fn page_ids(page: &Value) -> Vec<i64> {
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|m| m["id"].as_i64().expect("id"))
        .collect()
}

#[tokio::test]
async fn history_limits_are_validated_and_capped_at_100() {
    for db in backends() {
        let app = TestApp::spawn(db).await;
        let (token, text, ids, ..) = history_fixture(&app, 105).await;
        let path = format!("/api/channels/{text}/history");
        for limit in ["0", "-5"] {
            let reply = app
                .send(
                    Method::GET,
                    &format!("{path}?limit={limit}"),
                    Some(&token),
                    None,
                )
                .await;
            assert_422(
                &reply,
                "greater_than_equal",
                json!(["query", "limit"]),
                &format!("limit={limit}"),
            );
        }
        let not_a_number = app
            .send(
                Method::GET,
                &format!("{path}?limit=abc"),
                Some(&token),
                None,
            )
            .await;
        assert_422(
            &not_a_number,
            "int_parsing",
            json!(["query", "limit"]),
            "limit=abc",
        );
        let direction = app
            .send(
                Method::GET,
                &format!("{path}?direction=sideways"),
                Some(&token),
                None,
            )
            .await;
        assert_422(
            &direction,
            "enum",
            json!(["query", "direction"]),
            "direction=sideways",
        );

        let (_, capped) = app.get(&format!("{path}?limit=500"), &token).await;
        assert_eq!(
            page_ids(&capped),
            ids[5..].to_vec(),
            "limit is silently capped at 100"
        );
        assert_eq!(capped["has_more_backward"], true);
        let (_, default) = app.get(&path, &token).await;
        assert_eq!(
            page_ids(&default),
            ids[55..].to_vec(),
            "default limit is 50, newest last"
        );
        let (_, one) = app.get(&format!("{path}?limit=1"), &token).await;
        assert_eq!(page_ids(&one), vec![ids[104]]);
        let (_, forward) = app
            .get(&format!("{path}?direction=forward&limit=3"), &token)
            .await;
        assert_eq!(
            page_ids(&forward),
            ids[..3].to_vec(),
            "forward without a pivot starts at the oldest"
        );
        assert_eq!(
            (
                forward["has_more_forward"].as_bool(),
                forward["has_more_backward"].as_bool()
            ),
            (Some(true), Some(false))
        );
        assert!(
            forward["next_cursor"].is_string() && forward["prev_cursor"].is_null(),
            "{forward}"
        );
        app.stop().await;
    }
}

#[tokio::test]
async fn history_pivots_must_be_single_and_in_the_channel() {
    for db in backends() {
        let app = TestApp::spawn(db).await;
        let (token, text, ids, _other, other_message, voice) = history_fixture(&app, 5).await;
        let path = format!("/api/channels/{text}/history");
        let only_one = "Provide only one of cursor, before, after, or around";
        for query in [
            format!("before={}&after={}", ids[1], ids[3]),
            format!("around={}&before={}", ids[1], ids[3]),
            format!("cursor=abc&after={}", ids[1]),
        ] {
            let reply = app
                .send(Method::GET, &format!("{path}?{query}"), Some(&token), None)
                .await;
            assert_detail(&reply, StatusCode::BAD_REQUEST, only_one, &query);
        }
        for pivot in ["before", "after", "around"] {
            for id in [other_message, 999_999] {
                let reply = app
                    .send(
                        Method::GET,
                        &format!("{path}?{pivot}={id}"),
                        Some(&token),
                        None,
                    )
                    .await;
                assert_detail(
                    &reply,
                    StatusCode::NOT_FOUND,
                    "Message not found",
                    &format!("{pivot}={id}"),
                );
            }
        }
        let voice_history = app
            .send(
                Method::GET,
                &format!("/api/channels/{voice}/history"),
                Some(&token),
                None,
            )
            .await;
        assert_detail(
            &voice_history,
            StatusCode::BAD_REQUEST,
            "History is only available for text channels",
            "voice channel",
        );
        let bad_id = app
            .send(Method::GET, "/api/channels/abc/history", Some(&token), None)
            .await;
        assert_422(
            &bad_id,
            "int_parsing",
            json!(["path", "channel_id"]),
            "channel id abc",
        );

        let (_, before) = app.get(&format!("{path}?before={}", ids[3]), &token).await;
        assert_eq!(page_ids(&before), ids[..3].to_vec());
        assert_eq!(
            (
                before["has_more_backward"].as_bool(),
                before["has_more_forward"].as_bool()
            ),
            (Some(false), Some(true))
        );
        let (_, after) = app
            .get(&format!("{path}?after={}&limit=2", ids[0]), &token)
            .await;
        assert_eq!(page_ids(&after), ids[1..3].to_vec());
        assert_eq!(
            (
                after["has_more_backward"].as_bool(),
                after["has_more_forward"].as_bool()
            ),
            (Some(true), Some(true))
        );
        let (_, newest) = app.get(&format!("{path}?after={}", ids[4]), &token).await;
        assert_eq!(page_ids(&newest), Vec::<i64>::new());
        assert_eq!(newest["has_more_forward"], false);
        assert!(
            newest["next_cursor"].is_null() && newest["prev_cursor"].is_null(),
            "cursors are null on an empty page"
        );
        app.stop().await;
    }
}

#[tokio::test]
async fn history_cursors_are_checked() {
    for db in backends() {
        let app = TestApp::spawn(db).await;
        let (token, text, ids, _other, other_message, _voice) = history_fixture(&app, 6).await;
        let path = format!("/api/channels/{text}/history");
        let encode = |s: &str| URL_SAFE.encode(s);
        for (what, cursor) in [
            ("not base64", "!!!".to_owned()),
            ("not utf-8", URL_SAFE.encode([0xff, 0xfe, 0xfd])),
            ("too few parts", encode("v1|3|backward")),
            (
                "wrong version",
                encode(&format!("v2|2026-01-01T00:00:00Z|{}|backward", ids[2])),
            ),
            (
                "bad direction",
                encode(&format!("v1|2026-01-01T00:00:00Z|{}|sideways", ids[2])),
            ),
            (
                "id not a number",
                encode("v1|2026-01-01T00:00:00Z|three|backward"),
            ),
        ] {
            let reply = app
                .send(
                    Method::GET,
                    &format!("{path}?cursor={cursor}"),
                    Some(&token),
                    None,
                )
                .await;
            assert_detail(&reply, StatusCode::BAD_REQUEST, "Invalid cursor", what);
        }
        let elsewhere = encode(&format!("v1|2026-01-01T00:00:00Z|{other_message}|backward"));
        let reply = app
            .send(
                Method::GET,
                &format!("{path}?cursor={elsewhere}"),
                Some(&token),
                None,
            )
            .await;
        assert_detail(
            &reply,
            StatusCode::NOT_FOUND,
            "Message not found",
            "cursor into another channel",
        );
        let stale = encode(&format!("v1|2000-01-01T00:00:00Z|{}|backward", ids[2]));
        let reply = app
            .send(
                Method::GET,
                &format!("{path}?cursor={stale}"),
                Some(&token),
                None,
            )
            .await;
        assert_detail(
            &reply,
            StatusCode::BAD_REQUEST,
            "Cursor is no longer valid",
            "timestamp mismatch",
        );

        // A real cursor continues, and the `direction` query is ignored in favour of the cursor's.
        let (_, first) = app.get(&format!("{path}?limit=2"), &token).await;
        assert_eq!(page_ids(&first), ids[4..].to_vec());
        let next = first["next_cursor"]
            .as_str()
            .expect("next cursor")
            .to_owned();
        let (status, second) = app
            .get(
                &format!("{path}?limit=2&direction=forward&cursor={next}"),
                &token,
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(page_ids(&second), ids[2..4].to_vec());
        let back = second["prev_cursor"]
            .as_str()
            .expect("prev cursor")
            .to_owned();
        let (_, third) = app
            .get(&format!("{path}?limit=2&cursor={back}"), &token)
            .await;
        assert_eq!(
            page_ids(&third),
            ids[4..].to_vec(),
            "prev_cursor goes the other way"
        );
        app.stop().await;
    }
}

#[tokio::test]
async fn history_around_a_message_splits_the_limit_before_and_after_it() {
    for db in backends() {
        let app = TestApp::spawn(db).await;
        let (token, text, ids, ..) = history_fixture(&app, 10).await;
        let path = format!("/api/channels/{text}/history");
        // limit 5: floor(4/2) = 2 older, the pivot, 2 newer.
        let (status, page) = app
            .get(&format!("{path}?around={}&limit=5", ids[5]), &token)
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(page_ids(&page), ids[3..8].to_vec());
        assert_eq!(
            (
                page["has_more_backward"].as_bool(),
                page["has_more_forward"].as_bool()
            ),
            (Some(true), Some(true))
        );
        assert!(page["next_cursor"].is_string() && page["prev_cursor"].is_string());
        // limit 4: floor(3/2) = 1 older, the pivot, 2 newer.
        let (_, page) = app
            .get(&format!("{path}?around={}&limit=4", ids[5]), &token)
            .await;
        assert_eq!(page_ids(&page), ids[4..8].to_vec());
        // At the start there is nothing older; the newer side is not enlarged.
        let (_, page) = app
            .get(&format!("{path}?around={}&limit=5", ids[0]), &token)
            .await;
        assert_eq!(page_ids(&page), ids[..3].to_vec());
        assert_eq!(
            (
                page["has_more_backward"].as_bool(),
                page["has_more_forward"].as_bool()
            ),
            (Some(false), Some(true))
        );
        assert!(page["next_cursor"].is_null());
        // At the end there is nothing newer.
        let (_, page) = app
            .get(&format!("{path}?around={}&limit=5", ids[9]), &token)
            .await;
        assert_eq!(page_ids(&page), ids[7..].to_vec());
        assert_eq!(
            (
                page["has_more_backward"].as_bool(),
                page["has_more_forward"].as_bool()
            ),
            (Some(true), Some(false))
        );
        assert!(page["prev_cursor"].is_null());
        // limit 1 is the pivot alone.
        let (_, page) = app
            .get(&format!("{path}?around={}&limit=1", ids[4]), &token)
            .await;
        assert_eq!(page_ids(&page), vec![ids[4]]);
        app.stop().await;
    }
}

// ---------------------------------------------------------------------------------------------
// Messages
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn message_content_must_be_present_and_at_most_2000_characters() {
    for db in backends() {
        let app = TestApp::spawn(db).await;
        let (token, text, _ids, _other, _om, voice) = history_fixture(&app, 0).await;
        let channel = text.to_string();
        let post = |content: String| {
            let (app, token, channel) = (&app, token.clone(), channel.clone());
            async move {
                app.post_message(
                    Some(&token),
                    &[("channel_id", &channel), ("content", &content)],
                )
                .await
            }
        };
        for blank in ["", "   ", "\n\t "] {
            assert_detail(
                &post(blank.to_owned()).await,
                StatusCode::BAD_REQUEST,
                "Message content is required",
                &format!("{blank:?}"),
            );
        }
        let no_content = app
            .post_message(Some(&token), &[("channel_id", &channel)])
            .await;
        assert_detail(
            &no_content,
            StatusCode::BAD_REQUEST,
            "Message content is required",
            "no content field",
        );
        let too_long = post("x".repeat(2001)).await;
        assert_detail(
            &too_long,
            StatusCode::PAYLOAD_TOO_LARGE,
            "Message exceeds maximum length of 2000 characters",
            "2001 characters",
        );
        let emoji_too_long = post("🔥".repeat(2001)).await;
        assert_eq!(
            emoji_too_long.status,
            StatusCode::PAYLOAD_TOO_LARGE,
            "characters, not bytes"
        );

        let exactly = post("🔥".repeat(2000)).await;
        assert_eq!(
            exactly.status,
            StatusCode::CREATED,
            "2000 characters fit: {}",
            exactly.text
        );
        assert_eq!(exactly.body["content"], "🔥".repeat(2000));
        // Trailing whitespace is trimmed before the length check; leading whitespace is kept.
        let trimmed = post(format!("  {}   \n", "y".repeat(1998))).await;
        assert_eq!(trimmed.status, StatusCode::CREATED, "{}", trimmed.text);
        assert_eq!(trimmed.body["content"], format!("  {}", "y".repeat(1998)));

        let missing_channel = app.post_message(Some(&token), &[("content", "hi")]).await;
        assert_422(
            &missing_channel,
            "missing",
            json!(["body", "channel_id"]),
            "no channel_id",
        );
        let bad_channel = app
            .post_message(Some(&token), &[("channel_id", "abc"), ("content", "hi")])
            .await;
        assert_422(
            &bad_channel,
            "int_parsing",
            json!(["body", "channel_id"]),
            "channel_id abc",
        );
        let to_voice = app
            .post_message(
                Some(&token),
                &[("channel_id", &voice.to_string()), ("content", "hi")],
            )
            .await;
        assert_detail(
            &to_voice,
            StatusCode::BAD_REQUEST,
            "History is only available for text channels",
            "voice channel",
        );
        app.stop().await;
    }
}

#[tokio::test]
async fn a_reply_needs_a_parent_in_the_same_channel() {
    for db in backends() {
        let app = TestApp::spawn(db).await;
        let (token, text, ids, _other, other_message, _voice) = history_fixture(&app, 2).await;
        let channel = text.to_string();
        let mismatch = app
            .post_message(
                Some(&token),
                &[
                    ("channel_id", &channel),
                    ("content", "re"),
                    ("parent_id", &other_message.to_string()),
                ],
            )
            .await;
        assert_detail(
            &mismatch,
            StatusCode::BAD_REQUEST,
            "Parent message mismatch",
            "parent in another channel",
        );
        let missing = app
            .post_message(
                Some(&token),
                &[
                    ("channel_id", &channel),
                    ("content", "re"),
                    ("parent_id", "999999"),
                ],
            )
            .await;
        assert_detail(
            &missing,
            StatusCode::NOT_FOUND,
            "Message not found",
            "missing parent",
        );

        let reply = app
            .post_message(
                Some(&token),
                &[
                    ("channel_id", &channel),
                    ("content", "re"),
                    ("parent_id", &ids[0].to_string()),
                ],
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
        assert_eq!(
            (
                reply.body["parent_id"].as_i64(),
                reply.body["thread_root_id"].as_i64()
            ),
            (Some(ids[0]), Some(ids[0]))
        );
        let nested = reply.body["id"].as_i64().expect("id").to_string();
        let deeper = app
            .post_message(
                Some(&token),
                &[
                    ("channel_id", &channel),
                    ("content", "re re"),
                    ("parent_id", &nested),
                ],
            )
            .await;
        assert_eq!(
            deeper.body["thread_root_id"].as_i64(),
            Some(ids[0]),
            "replies stay in the root's thread"
        );
        let (_, page) = app
            .get(&format!("/api/channels/{text}/history"), &token)
            .await;
        let root = page["items"]
            .as_array()
            .expect("items")
            .iter()
            .find(|m| m["id"] == ids[0])
            .expect("root")
            .clone();
        assert_eq!(
            (
                root["reply_count"].as_i64(),
                root["thread_reply_count"].as_i64()
            ),
            (Some(1), Some(2)),
            "{root}"
        );
        app.stop().await;
    }
}

// ---------------------------------------------------------------------------------------------
// Invitations and member roles (decision 19)
// ---------------------------------------------------------------------------------------------

/// A room with an owner, an admin and a member. Returns (slug, owner, admin, member, member id).
async fn room_with_roles(app: &TestApp) -> (String, String, String, String, i64) {
    let (_, owner) = app.user("rhea").await;
    let (_, admin) = app.user("sam").await;
    let (member_id, member) = app.user("tess").await;
    let slug = app.room(&owner, "Roles").await;
    app.join(&owner, &slug, &admin, "admin").await;
    app.join(&owner, &slug, &member, "member").await;
    (slug, owner, admin, member, member_id)
}

#[tokio::test]
async fn an_admin_cannot_create_an_invitation_above_their_own_role() {
    for db in backends() {
        let app = TestApp::spawn(db).await;
        let (slug, owner, admin, ..) = room_with_roles(&app).await;
        let scoped = format!("/api/rooms/{slug}/invitations");
        let refused = app
            .send(
                Method::POST,
                &scoped,
                Some(&admin),
                Some(json!({"role": "owner"})),
            )
            .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.text);
        assert!(refused.body["detail"].is_string());
        let refused = app
            .send(
                Method::POST,
                "/api/invites",
                Some(&admin),
                Some(json!({"room_slug": slug, "role": "owner"})),
            )
            .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.text);
        for role in ["admin", "member", "guest"] {
            let ok = app
                .send(
                    Method::POST,
                    &scoped,
                    Some(&admin),
                    Some(json!({ "role": role })),
                )
                .await;
            assert_eq!(
                (ok.status, ok.body["role"].as_str()),
                (StatusCode::CREATED, Some(role)),
                "{}",
                ok.text
            );
        }
        let owner_invite = app
            .send(
                Method::POST,
                &scoped,
                Some(&owner),
                Some(json!({"role": "owner"})),
            )
            .await;
        assert_eq!(
            owner_invite.status,
            StatusCode::CREATED,
            "an owner may invite owners"
        );
        let (_, default_role) = app.post(&scoped, &owner, json!({})).await;
        assert_eq!(default_role["role"], "member", "the default role is member");
        let (_, list) = app.get(&scoped, &owner).await;
        let roles: Vec<&str> = list
            .as_array()
            .expect("list")
            .iter()
            .filter_map(|i| i["role"].as_str())
            .collect();
        assert!(
            !roles.is_empty() && roles.iter().filter(|r| **r == "owner").count() == 1,
            "no owner invitation was stored for the admin: {roles:?}"
        );
        app.stop().await;
    }
}

#[tokio::test]
async fn invitation_codes_are_shown_only_to_admins_and_owners() {
    for db in backends() {
        let app = TestApp::spawn(db).await;
        let (slug, owner, admin, member, _) = room_with_roles(&app).await;
        let (_, invitation) = app
            .post(
                &format!("/api/rooms/{slug}/invitations"),
                &owner,
                json!({"role": "guest"}),
            )
            .await;
        let code = invitation["code"].as_str().expect("code");
        for (who, token, sees) in [
            ("owner", &owner, true),
            ("admin", &admin, true),
            ("member", &member, false),
        ] {
            let (_, detail) = app.get(&format!("/api/rooms/{slug}"), token).await;
            let text = detail.to_string();
            assert_eq!(text.contains(code), sees, "{who} sees codes: {text}");
            assert_eq!(
                detail["invitations"]
                    .as_array()
                    .is_some_and(|a| !a.is_empty()),
                sees,
                "{who}"
            );
        }
        // The accept response is a RoomDetail too: a guest joining never sees the codes.
        let (_, newcomer) = app.user("uma").await;
        let joined = app
            .send(
                Method::POST,
                &format!("/api/invites/{code}"),
                Some(&newcomer),
                None,
            )
            .await;
        assert_eq!(joined.status, StatusCode::OK);
        assert_eq!(joined.body["current_role"], "guest");
        assert_eq!(joined.body["invitations"], json!([]));
        assert!(!joined.text.contains(code));
        app.stop().await;
    }
}

#[tokio::test]
async fn an_expired_invitation_answers_410_and_a_future_one_still_works() {
    for db in backends() {
        let app = TestApp::spawn(db).await;
        let (slug, owner, ..) = room_with_roles(&app).await;
        let (_, joiner) = app.user("vic").await;
        let (status, past) = app
            .post(
                &format!("/api/rooms/{slug}/invitations"),
                &owner,
                json!({"expires_at": rfc3339_from_now(-60)}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{past}");
        let expired = app
            .send(
                Method::POST,
                &format!("/api/invites/{}", past["code"].as_str().expect("code")),
                Some(&joiner),
                None,
            )
            .await;
        assert_detail(
            &expired,
            StatusCode::GONE,
            "Invitation expired",
            "expired invitation",
        );
        let (status, _) = app.get(&format!("/api/rooms/{slug}"), &joiner).await;
        assert_eq!(
            status,
            StatusCode::FORBIDDEN,
            "an expired invitation did not let them in"
        );

        let (status, future) = app
            .post(
                "/api/invites",
                &owner,
                json!({"room_slug": slug, "expires_at": rfc3339_from_now(3600)}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{future}");
        assert!(future["expires_at"].is_string());
        let accepted = app
            .send(
                Method::POST,
                &format!("/api/invites/{}", future["code"].as_str().expect("code")),
                Some(&joiner),
                None,
            )
            .await;
        assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.text);
        assert_eq!(accepted.body["current_role"], "member");

        let unknown = app
            .send(
                Method::POST,
                "/api/invites/AAAAAAAAAAA",
                Some(&joiner),
                None,
            )
            .await;
        assert_detail(
            &unknown,
            StatusCode::NOT_FOUND,
            "Invitation not found",
            "unknown code",
        );
        let bad_date = app
            .send(
                Method::POST,
                &format!("/api/rooms/{slug}/invitations"),
                Some(&owner),
                Some(json!({"expires_at": "tomorrow"})),
            )
            .await;
        assert_eq!(bad_date.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            bad_date.body["detail"][0]["loc"],
            json!(["body", "expires_at"])
        );
        let bad_role = app
            .send(
                Method::POST,
                &format!("/api/rooms/{slug}/invitations"),
                Some(&owner),
                Some(json!({"role": "king"})),
            )
            .await;
        assert_422(&bad_role, "enum", json!(["body", "role"]), "role king");
        app.stop().await;
    }
}

#[tokio::test]
async fn accepting_a_lower_invitation_never_downgrades_and_a_higher_one_upgrades() {
    for db in backends() {
        let app = TestApp::spawn(db).await;
        let (slug, owner, admin, member, _) = room_with_roles(&app).await;
        let code = |role: &'static str| {
            let (app, owner, slug) = (&app, owner.clone(), slug.clone());
            async move {
                let (_, inv) = app
                    .post(
                        &format!("/api/rooms/{slug}/invitations"),
                        &owner,
                        json!({ "role": role }),
                    )
                    .await;
                inv["code"].as_str().expect("code").to_owned()
            }
        };
        let guest_code = code("guest").await;
        for (who, token, role) in [
            ("admin", &admin, "admin"),
            ("member", &member, "member"),
            ("owner", &owner, "owner"),
        ] {
            let reply = app
                .send(
                    Method::POST,
                    &format!("/api/invites/{guest_code}"),
                    Some(token),
                    None,
                )
                .await;
            assert_eq!(
                (reply.status, reply.body["current_role"].as_str()),
                (StatusCode::OK, Some(role)),
                "{who}: {}",
                reply.text
            );
        }
        let admin_code = code("admin").await;
        let upgraded = app
            .send(
                Method::POST,
                &format!("/api/invites/{admin_code}"),
                Some(&member),
                None,
            )
            .await;
        assert_eq!(upgraded.body["current_role"], "admin", "{}", upgraded.text);
        let (_, detail) = app.get(&format!("/api/rooms/{slug}"), &member).await;
        assert_eq!(detail["current_role"], "admin");
        let again = app
            .send(
                Method::POST,
                &format!("/api/invites/{admin_code}"),
                Some(&member),
                None,
            )
            .await;
        assert_eq!(
            again.body["current_role"], "admin",
            "invitations are reusable and idempotent"
        );
        assert_eq!(
            detail["members"].as_array().map(Vec::len),
            Some(3),
            "no duplicate membership"
        );
        app.stop().await;
    }
}

#[tokio::test]
async fn deleting_or_listing_invitations_checks_the_room_and_the_id() {
    for db in backends() {
        let app = TestApp::spawn(db).await;
        let (slug, owner, ..) = room_with_roles(&app).await;
        let other_slug = app.room(&owner, "Other").await;
        let (_, foreign) = app
            .post(
                &format!("/api/rooms/{other_slug}/invitations"),
                &owner,
                json!({}),
            )
            .await;
        let foreign_id = foreign["id"].as_i64().expect("id");
        for path in [
            format!("/api/rooms/{slug}/invitations/{foreign_id}"),
            format!("/api/rooms/{slug}/invitations/999999"),
            format!("/api/invites/{foreign_id}?room={slug}"),
            format!("/api/invites/999999?room={slug}"),
        ] {
            let reply = app.send(Method::DELETE, &path, Some(&owner), None).await;
            assert_detail(&reply, StatusCode::NOT_FOUND, "Invitation not found", &path);
        }
        let (_, still) = app
            .get(&format!("/api/invites?room={other_slug}"), &owner)
            .await;
        assert_eq!(
            still.as_array().map(Vec::len),
            Some(1),
            "the other room's invitation survived"
        );
        let no_room = app
            .send(Method::GET, "/api/invites", Some(&owner), None)
            .await;
        assert_422(
            &no_room,
            "missing",
            json!(["query", "room"]),
            "GET /api/invites without room",
        );
        let no_room = app
            .send(
                Method::DELETE,
                &format!("/api/invites/{foreign_id}"),
                Some(&owner),
                None,
            )
            .await;
        assert_422(
            &no_room,
            "missing",
            json!(["query", "room"]),
            "DELETE /api/invites/{id} without room",
        );
        let bad_id = app
            .send(
                Method::DELETE,
                &format!("/api/rooms/{slug}/invitations/abc"),
                Some(&owner),
                None,
            )
            .await;
        assert_422(
            &bad_id,
            "int_parsing",
            json!(["path", "invitation_id"]),
            "invitation id abc",
        );
        let ok = app
            .send(
                Method::DELETE,
                &format!("/api/invites/{foreign_id}?room={other_slug}"),
                Some(&owner),
                None,
            )
            .await;
        assert_eq!(ok.status, StatusCode::NO_CONTENT);
        let gone = app
            .send(
                Method::POST,
                &format!("/api/invites/{}", foreign["code"].as_str().expect("code")),
                Some(&owner),
                None,
            )
            .await;
        assert_detail(
            &gone,
            StatusCode::NOT_FOUND,
            "Invitation not found",
            "a deleted code",
        );
        app.stop().await;
    }
}

#[tokio::test]
async fn member_role_changes_follow_the_outrank_rules() {
    for db in backends() {
        let app = TestApp::spawn(db).await;
        let (slug, owner, admin, _member, member_id) = room_with_roles(&app).await;
        let (other_admin_id, other_admin) = app.user("walt").await;
        app.join(&owner, &slug, &other_admin, "admin").await;
        let (co_owner_id, co_owner) = app.user("xena").await;
        let (outsider_id, _) = app.user("yuri").await;
        let (_, owner_detail) = app.get(&format!("/api/rooms/{slug}"), &owner).await;
        let owner_id = owner_detail["members"]
            .as_array()
            .expect("members")
            .iter()
            .find(|m| m["role"] == "owner")
            .expect("owner")["user_id"]
            .as_i64()
            .expect("id");
        let patch = |token: String, user: i64, role: &'static str| {
            let (app, slug) = (&app, slug.clone());
            async move {
                app.send(
                    Method::PATCH,
                    &format!("/api/rooms/{slug}/members/{user}"),
                    Some(&token),
                    Some(json!({ "role": role })),
                )
                .await
            }
        };
        let outranked = "Cannot manage members with equal or higher role";
        assert_detail(
            &patch(admin.clone(), other_admin_id, "member").await,
            StatusCode::FORBIDDEN,
            outranked,
            "admin on admin",
        );
        assert_detail(
            &patch(admin.clone(), owner_id, "member").await,
            StatusCode::FORBIDDEN,
            outranked,
            "admin on owner",
        );
        assert_detail(
            &patch(admin.clone(), member_id, "admin").await,
            StatusCode::FORBIDDEN,
            outranked,
            "admin promotes to admin",
        );
        assert_detail(
            &patch(admin.clone(), member_id, "owner").await,
            StatusCode::FORBIDDEN,
            outranked,
            "admin promotes to owner",
        );
        assert_detail(
            &patch(owner.clone(), owner_id, "member").await,
            StatusCode::FORBIDDEN,
            outranked,
            "owner on self",
        );
        assert_detail(
            &patch(admin.clone(), outsider_id, "guest").await,
            StatusCode::NOT_FOUND,
            "Member not found",
            "not a member",
        );
        assert_detail(
            &patch(admin.clone(), 999_999, "guest").await,
            StatusCode::NOT_FOUND,
            "Member not found",
            "no such user",
        );
        assert_422(
            &patch(owner.clone(), member_id, "king").await,
            "enum",
            json!(["body", "role"]),
            "role king",
        );
        let bad_id = app
            .send(
                Method::PATCH,
                &format!("/api/rooms/{slug}/members/abc"),
                Some(&owner),
                Some(json!({"role": "guest"})),
            )
            .await;
        assert_422(
            &bad_id,
            "int_parsing",
            json!(["path", "user_id"]),
            "user id abc",
        );

        let demoted = patch(admin.clone(), member_id, "guest").await;
        assert_eq!(
            (demoted.status, demoted.body.clone()),
            (StatusCode::OK, json!({"role": "guest"})),
            "admin demotes a member"
        );
        app.join(&owner, &slug, &co_owner, "member").await;
        let made_owner = patch(owner.clone(), co_owner_id, "owner").await;
        assert_eq!(
            made_owner.body,
            json!({"role": "owner"}),
            "an owner may promote to owner: {}",
            made_owner.text
        );
        assert_detail(
            &patch(owner.clone(), co_owner_id, "member").await,
            StatusCode::FORBIDDEN,
            outranked,
            "owner on another owner",
        );
        let (_, detail) = app.get(&format!("/api/rooms/{slug}"), &co_owner).await;
        assert_eq!(detail["current_role"], "owner");
        assert!(detail["invitations"].is_array());
        let (_, members) = app.get(&format!("/api/rooms/{slug}"), &owner).await;
        let role_of = |id: i64| {
            members["members"]
                .as_array()
                .expect("members")
                .iter()
                .find(|m| m["user_id"] == id)
                .expect("member")["role"]
                .clone()
        };
        assert_eq!(role_of(member_id), "guest");
        assert_eq!(
            role_of(other_admin_id),
            "admin",
            "refused changes changed nothing"
        );
        app.stop().await;
    }
}

// ---------------------------------------------------------------------------------------------
// Routing and internals
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn unknown_paths_wrong_methods_and_trailing_slashes_answer_like_the_reference() {
    for db in backends() {
        let app = TestApp::spawn(db).await;
        let (_, token) = app.user("zed").await;
        for (method, path) in [
            (Method::GET, "/api/nope"),
            (Method::POST, "/api/nope"),
            (Method::GET, "/api/rooms/x/unknown"),
            (Method::DELETE, "/nothing/here"),
        ] {
            let reply = app.send(method.clone(), path, Some(&token), None).await;
            assert_detail(
                &reply,
                StatusCode::NOT_FOUND,
                "Not Found",
                &format!("{method} {path}"),
            );
        }
        for (method, path) in [
            (Method::DELETE, "/api/rooms"),
            (Method::PUT, "/api/rooms/x"),
            (Method::GET, "/api/messages"),
            (Method::GET, "/api/auth/login"),
        ] {
            let reply = app.send(method.clone(), path, Some(&token), None).await;
            assert_detail(
                &reply,
                StatusCode::METHOD_NOT_ALLOWED,
                "Method Not Allowed",
                &format!("{method} {path}"),
            );
        }
        let slash = app
            .send(
                Method::POST,
                "/api/rooms/",
                Some(&token),
                Some(json!({"title": "Slash"})),
            )
            .await;
        assert_eq!(slash.status, StatusCode::TEMPORARY_REDIRECT);
        assert_eq!(
            slash.headers.get("location").and_then(|v| v.to_str().ok()),
            Some("/api/rooms")
        );
        let slash = app
            .send(Method::GET, "/api/invites/?room=abc", Some(&token), None)
            .await;
        assert_eq!(slash.status, StatusCode::TEMPORARY_REDIRECT);
        assert_eq!(
            slash.headers.get("location").and_then(|v| v.to_str().ok()),
            Some("/api/invites?room=abc")
        );
        let (status, rooms) = app.get("/api/rooms", &token).await;
        assert_eq!(
            (status, rooms),
            (StatusCode::OK, json!([])),
            "the redirected POST created nothing"
        );
        app.stop().await;
    }
}

/// Markers of internals that must never reach a client.
const INTERNALS: &[&str] = &[
    "SELECT",
    "INSERT",
    "sqlx",
    "sqlite",
    "mysql",
    "MariaDB",
    "/work/",
    "src/",
    ".rs:",
    "panicked",
    "stack backtrace",
    "Error {",
];

#[tokio::test]
async fn odd_input_never_produces_a_server_error_or_leaks_internals() {
    for db in backends() {
        let app = TestApp::spawn(db).await;
        let (_, token) = app.user("odd-one").await;
        let slug = app.room(&token, "Odd").await;
        let channel = app.channel(&token, &slug, "text", "text").await["id"]
            .as_i64()
            .expect("id");
        let t = Some(token.as_str());
        let huge = "9223372036854775807";
        let overflow = "92233720368547758070";
        let mut replies: Vec<(String, Reply)> = Vec::new();
        let requests: Vec<(Method, String, Option<Value>)> = vec![
            (
                Method::GET,
                format!("/api/rooms/{slug}%27%20OR%201=1--"),
                None,
            ),
            (Method::GET, "/api/rooms/%00".to_owned(), None),
            (
                Method::GET,
                format!("/api/rooms/{}", "z".repeat(5000)),
                None,
            ),
            (Method::GET, format!("/api/channels/{huge}/history"), None),
            (
                Method::GET,
                format!("/api/channels/{overflow}/history"),
                None,
            ),
            (Method::GET, "/api/channels/-1/history".to_owned(), None),
            (
                Method::GET,
                format!("/api/channels/{channel}/history?before={huge}"),
                None,
            ),
            (
                Method::GET,
                format!("/api/channels/{channel}/history?after={overflow}"),
                None,
            ),
            (
                Method::GET,
                format!("/api/channels/{channel}/history?limit={huge}"),
                None,
            ),
            (
                Method::GET,
                format!("/api/channels/{channel}/history?around=-1"),
                None,
            ),
            (
                Method::GET,
                format!("/api/channels/{channel}/history?cursor="),
                None,
            ),
            (
                Method::DELETE,
                format!("/api/rooms/{slug}/invitations/{overflow}"),
                None,
            ),
            (
                Method::PATCH,
                format!("/api/rooms/{slug}/members/{huge}"),
                Some(json!({"role": "guest"})),
            ),
            (
                Method::POST,
                format!("/api/rooms/{slug}/channels"),
                Some(
                    json!({"name": "x", "type": "text", "category_id": huge.parse::<i64>().expect("i64")}),
                ),
            ),
            (
                Method::POST,
                format!("/api/rooms/{slug}/channels"),
                Some(json!({"name": "x", "type": "text", "category_id": 1.5})),
            ),
            (
                Method::POST,
                "/api/rooms".to_owned(),
                Some(json!({"title": "nul \u{0000} byte"})),
            ),
            (
                Method::POST,
                "/api/rooms".to_owned(),
                Some(json!({"title": "ß".repeat(128)})),
            ),
            (
                Method::POST,
                "/api/rooms".to_owned(),
                Some(json!({"title": "Ж".repeat(128)})),
            ),
            (
                Method::POST,
                "/api/rooms".to_owned(),
                Some(json!({"title": "🔥🔥"})),
            ),
            (
                Method::POST,
                "/api/invites".to_owned(),
                Some(json!({"room_slug": "x".repeat(10_000)})),
            ),
            (
                Method::POST,
                format!("/api/invites/{}", "c".repeat(2000)),
                None,
            ),
            (Method::POST, "/api/invites/%F0%9F%94%A5".to_owned(), None),
            (
                Method::POST,
                format!("/api/rooms/{slug}/invitations"),
                Some(json!({"expires_at": "9999-12-31T23:59:59Z"})),
            ),
            (
                Method::POST,
                format!("/api/rooms/{slug}/invitations"),
                Some(json!({"expires_at": "0001-01-01T00:00:00Z"})),
            ),
            (
                Method::POST,
                "/api/auth/register".to_owned(),
                Some(
                    json!({"login": "🔥🔥🔥", "password": "password1", "display_name": "🔥".repeat(128)}),
                ),
            ),
            (
                Method::POST,
                "/api/auth/login".to_owned(),
                Some(json!({"login": "x'; DROP TABLE users; --", "password": "password1"})),
            ),
        ];
        for (method, path, body) in requests {
            let reply = app.send(method.clone(), &path, t, body).await;
            replies.push((format!("{method} {}", &path[..path.len().min(80)]), reply));
        }
        for (fields, what) in [
            (
                vec![
                    ("channel_id", overflow.to_owned()),
                    ("content", "x".to_owned()),
                ],
                "channel id overflow",
            ),
            (
                vec![
                    ("channel_id", channel.to_string()),
                    ("content", "x".to_owned()),
                    ("parent_id", huge.to_owned()),
                ],
                "parent huge",
            ),
            (
                vec![
                    ("channel_id", channel.to_string()),
                    ("content", "nul \u{0000} byte".to_owned()),
                ],
                "nul in content",
            ),
        ] {
            let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            replies.push((what.to_owned(), app.post_message(t, &fields).await));
        }
        let garbage = app
            .send_raw(
                Method::POST,
                "/api/messages",
                t,
                "multipart/form-data; boundary=zzz",
                "--zzz\r\nnot a part",
            )
            .await;
        replies.push(("broken multipart".to_owned(), garbage));
        let no_boundary = app
            .send_raw(Method::POST, "/api/messages", t, "multipart/form-data", "x")
            .await;
        replies.push(("multipart without boundary".to_owned(), no_boundary));
        let bad_json_message = app
            .send_raw(Method::POST, "/api/messages", t, "application/json", "{")
            .await;
        replies.push(("malformed JSON message".to_owned(), bad_json_message));

        for (what, reply) in &replies {
            assert!(
                reply.status.as_u16() < 500,
                "{what}: {} {}",
                reply.status,
                reply.text
            );
            for marker in INTERNALS {
                assert!(
                    !reply.text.contains(marker),
                    "{what}: body leaks {marker:?}: {}",
                    reply.text
                );
            }
        }
        // The server still works after all of that.
        let (status, rooms) = app.get("/api/rooms", &token).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            rooms
                .as_array()
                .is_some_and(|r| r.iter().any(|room| room["slug"] == slug.as_str()))
        );
        app.stop().await;
    }
}

// ---------------------------------------------------------------------------------------------
// Races the predecessor answered with 500
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rooms_with_the_same_title_created_at_once_all_get_distinct_slugs() {
    for db in backends() {
        let app = TestApp::spawn(db).await;
        let (_, token) = app.user("race").await;
        let replies = futures_util::future::join_all((0..12).map(|_| {
            app.send(
                Method::POST,
                "/api/rooms",
                Some(&token),
                Some(json!({"title": "Same Title"})),
            )
        }))
        .await;
        let mut slugs: Vec<String> = Vec::new();
        for reply in &replies {
            assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
            slugs.push(reply.body["slug"].as_str().expect("slug").to_owned());
        }
        slugs.sort();
        slugs.dedup();
        assert_eq!(slugs.len(), 12, "every room has its own slug: {slugs:?}");
        assert!(
            slugs.contains(&"same-title".to_owned()) && slugs.contains(&"same-title-12".to_owned()),
            "{slugs:?}"
        );
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_login_registered_at_once_is_taken_exactly_once() {
    for db in backends() {
        let app = TestApp::spawn(db).await;
        let replies = futures_util::future::join_all((0..6).map(|_| {
            app.send(
                Method::POST,
                "/api/auth/register",
                None,
                Some(json!({"login": "twin", "password": "password1"})),
            )
        }))
        .await;
        let created = replies
            .iter()
            .filter(|r| r.status == StatusCode::CREATED)
            .count();
        assert_eq!(
            created,
            1,
            "{:?}",
            replies.iter().map(|r| &r.text).collect::<Vec<_>>()
        );
        for reply in replies.iter().filter(|r| r.status != StatusCode::CREATED) {
            assert_detail(
                reply,
                StatusCode::BAD_REQUEST,
                "Login is already taken",
                "concurrent duplicate",
            );
        }
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn channels_created_at_once_never_share_a_letter_or_exceed_26() {
    for db in backends() {
        let app = TestApp::spawn(db).await;
        let (_, token) = app.user("rush").await;
        let slug = app.room(&token, "Rush").await;
        let path = format!("/api/rooms/{slug}/channels");
        let replies = futures_util::future::join_all((0..30).map(|i| {
            app.send(
                Method::POST,
                &path,
                Some(&token),
                Some(json!({"name": format!("c{i}"), "type": "text"})),
            )
        }))
        .await;
        let mut letters: Vec<String> = Vec::new();
        for reply in &replies {
            if reply.status == StatusCode::CREATED {
                letters.push(reply.body["letter"].as_str().expect("letter").to_owned());
            } else {
                assert_detail(
                    reply,
                    StatusCode::BAD_REQUEST,
                    "No available channel slots left",
                    "over the limit",
                );
            }
        }
        letters.sort();
        let all: Vec<String> = ('A'..='Z').map(String::from).collect();
        assert_eq!(letters, all, "exactly the 26 letters, each once");
        app.stop().await;
    }
}

//! Accounts and tokens: registration limits, taken logins, login failures that all look the
//! same, and every way a bearer token can be refused. Part of the HTTP API's error paths: the
//! status, the `{"detail": …}` text or the 422 list, and never a 5xx for bad input.

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::{Db, Reply, TEST_SECRET, TestApp, assert_422, assert_detail, both_backends};

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

async fn register(app: &TestApp, body: Value) -> Reply {
    app.send(Method::POST, "/api/auth/register", None, Some(body))
        .await
}

both_backends!(registration_enforces_the_login_password_display_name_and_status_limits);
async fn registration_enforces_the_login_password_display_name_and_status_limits(db: Db) {
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
    assert!(shortest.body.get("hashed_password").is_none() && !shortest.text.contains("argon2"));
    app.stop().await;
}

both_backends!(registering_a_login_that_is_taken_answers_400);
async fn registering_a_login_that_is_taken_answers_400(db: Db) {
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

both_backends!(login_refuses_unknown_logins_and_wrong_passwords_with_the_same_answer);
async fn login_refuses_unknown_logins_and_wrong_passwords_with_the_same_answer(db: Db) {
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

both_backends!(garbage_forged_and_exp_less_tokens_cannot_validate_credentials);
async fn garbage_forged_and_exp_less_tokens_cannot_validate_credentials(db: Db) {
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

both_backends!(an_expired_token_answers_token_has_expired);
async fn an_expired_token_answers_token_has_expired(db: Db) {
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

both_backends!(the_bearer_scheme_is_case_insensitive_and_other_schemes_are_not_authenticated);
async fn the_bearer_scheme_is_case_insensitive_and_other_schemes_are_not_authenticated(db: Db) {
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

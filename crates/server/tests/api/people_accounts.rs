//! Accounts across letter case and from the predecessor: logins are unique and matched
//! case-insensitively, accounts that already collided keep working, and a predecessor's
//! passlib `pbkdf2_sha256` hash signs in once and is replaced by an Argon2id hash.

use charge_store::Store;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::{Db, TestApp, TestDatabase, assert_detail, both_backends};

/// `hashlib.pbkdf2_hmac("sha256", b"predecessor-pass", b"\xfb\xef\xbelegacy-salt-0", 29000)`
/// in passlib's modular-crypt form (its adapted base64 writes `.` for `+`, as in the salt).
const LEGACY_HASH: &str =
    "$pbkdf2-sha256$29000$....bGVnYWN5LXNhbHQtMA$dDnEpk8N7RWoyshplBMVofvcc3XI/4C5bxQzZYCthlQ";
const LEGACY_PASSWORD: &str = "predecessor-pass";

/// A migrated database holding accounts written as the predecessor left them: no login key.
async fn predecessor_database(db: Db, logins: &[&str]) -> (TestDatabase, Store) {
    let database = TestDatabase::create(db).await;
    let store = Store::connect(&database.url, &Default::default())
        .await
        .expect("connect");
    store.migrate().await.expect("migrate");
    for login in logins {
        store
            .execute_admin(&format!(
                "INSERT INTO users (login, hashed_password, presence_status, created_at, updated_at) \
                 VALUES ('{login}', '{LEGACY_HASH}', 'online', 1, 1)"
            ))
            .await
            .expect("insert a predecessor account");
    }
    (database, store)
}

async fn sign_in(app: &TestApp, login: &str, password: &str) -> (StatusCode, Value) {
    app.call(
        Method::POST,
        "/api/auth/login",
        None,
        Some(json!({"login": login, "password": password})),
    )
    .await
}

/// The login of the account a sign-in lands on.
async fn signed_in_as(app: &TestApp, login: &str, password: &str) -> String {
    let (status, body) = sign_in(app, login, password).await;
    assert_eq!(status, StatusCode::OK, "sign in as {login}: {body}");
    let token = body["access_token"].as_str().expect("token");
    let (status, me) = app.get("/api/profile/me", token).await;
    assert_eq!(status, StatusCode::OK, "{me}");
    me["login"].as_str().expect("login").to_owned()
}

both_backends!(a_login_differing_only_in_case_is_taken_and_signs_in_to_the_same_account);
async fn a_login_differing_only_in_case_is_taken_and_signs_in_to_the_same_account(db: Db) {
    let app = TestApp::spawn(db).await;
    app.user("Bob").await;
    for taken in ["bob", "BOB", "ｂｏｂ"] {
        let reply = app
            .send(
                Method::POST,
                "/api/auth/register",
                None,
                Some(json!({"login": taken, "password": "password-x"})),
            )
            .await;
        assert_detail(
            &reply,
            StatusCode::BAD_REQUEST,
            "Login is already taken",
            taken,
        );
    }
    assert_eq!(signed_in_as(&app, "bOB", "password-Bob").await, "Bob");
    let (status, _) = sign_in(&app, "bob", "password-wrong").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    app.stop().await;
}

both_backends!(accounts_that_already_collided_keep_signing_in_and_are_reported);
async fn accounts_that_already_collided_keep_signing_in_and_are_reported(db: Db) {
    let (database, store) = predecessor_database(db, &["Carol", "carol", "dave"]).await;
    let app = TestApp::spawn_on(database, db, &[]).await;
    // Each keeps its exact spelling; any other spelling finds the older account.
    assert_eq!(signed_in_as(&app, "Carol", LEGACY_PASSWORD).await, "Carol");
    assert_eq!(signed_in_as(&app, "carol", LEGACY_PASSWORD).await, "carol");
    assert_eq!(signed_in_as(&app, "CAROL", LEGACY_PASSWORD).await, "Carol");
    assert_eq!(signed_in_as(&app, "DAVE", LEGACY_PASSWORD).await, "dave");
    let reply = app
        .send(
            Method::POST,
            "/api/auth/register",
            None,
            Some(json!({"login": "cArOl", "password": "password-x"})),
        )
        .await;
    assert_detail(
        &reply,
        StatusCode::BAD_REQUEST,
        "Login is already taken",
        "cArOl",
    );
    // What start-up reports: the newer of the two, and the login it collides with.
    let collisions = charge_domain::logins::assign_missing_keys(&store)
        .await
        .expect("keys");
    assert_eq!(collisions.len(), 1, "{collisions:?}");
    assert_eq!(collisions[0].login, "carol");
    assert_eq!(collisions[0].other_login, "Carol");
    store.close().await;
    app.stop().await;
}

both_backends!(a_predecessor_password_hash_signs_in_once_and_is_replaced_by_argon2id);
async fn a_predecessor_password_hash_signs_in_once_and_is_replaced_by_argon2id(db: Db) {
    let (database, store) = predecessor_database(db, &["legacy"]).await;
    let app = TestApp::spawn_on(database, db, &[]).await;
    let (status, _) = sign_in(&app, "legacy", "predecessor-pasS").await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "a wrong password is refused"
    );
    let stored = store.user_by_login("legacy").await.unwrap().unwrap();
    assert_eq!(
        stored.hashed_password, LEGACY_HASH,
        "a failed sign-in changes nothing"
    );

    assert_eq!(
        signed_in_as(&app, "legacy", LEGACY_PASSWORD).await,
        "legacy"
    );
    let stored = store.user_by_login("legacy").await.unwrap().unwrap();
    assert!(
        stored.hashed_password.starts_with("$argon2id$"),
        "the hash is upgraded: {}",
        stored.hashed_password
    );
    assert_eq!(
        signed_in_as(&app, "Legacy", LEGACY_PASSWORD).await,
        "legacy"
    );
    let (status, _) = sign_in(&app, "legacy", "predecessor-pasS").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    store.close().await;
    app.stop().await;
}

//! Password hashing is bounded (issue 20): a fixed number of hashes run at once, a request that
//! cannot start one in time gets 503 with `Retry-After`, unknown logins cost the same hash as
//! known ones, and a server-wide limit caps attempts from every address and login together.

use std::net::SocketAddr;

use charge_domain::passwords::Passwords;
use charge_server::{Application, Settings};
use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};

use crate::common::{Db, Reply, TEST_SECRET, TestApp, TestDatabase, assert_detail, both_backends};

/// A server whose password pool the test can observe (the test hook: the pool's counters).
struct Observed {
    base: String,
    client: Client,
    passwords: Passwords,
    shutdown: tokio::sync::oneshot::Sender<()>,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
    _database: TestDatabase,
}

impl Observed {
    async fn spawn(db: Db, overrides: &[(&str, &str)]) -> Self {
        let database = TestDatabase::create(db).await;
        let mut vars: Vec<(&str, &str)> = vec![
            ("HOST", "127.0.0.1"),
            ("PORT", "0"),
            ("DATABASE_URL", &database.url),
            ("JWT_SECRET_KEY", TEST_SECRET),
            ("AUTH_RATE_LIMIT_PER_MINUTE", "0"),
            ("AUTH_GLOBAL_RATE_LIMIT_PER_MINUTE", "0"),
            ("DB_STARTUP_TIMEOUT_SECONDS", "5"),
        ];
        vars.extend_from_slice(overrides);
        let settings = Settings::for_tests(&vars).expect("test settings");
        let app = Application::build(settings).await.expect("build app");
        let addr: SocketAddr = app.local_addr();
        let passwords = app.state().passwords.clone();
        let (shutdown, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(app.run_until_stopped(async move {
            let _ = stopped.await;
        }));
        Observed {
            base: format!("http://{addr}"),
            client: crate::common::client(),
            passwords,
            shutdown,
            server,
            _database: database,
        }
    }

    async fn post(&self, path: &str, body: Value) -> Reply {
        let res = self
            .client
            .request(Method::POST, format!("{}{path}", self.base))
            .json(&body)
            .send()
            .await
            .expect("request");
        let status = res.status();
        let headers = res.headers().clone();
        let text = res.text().await.unwrap_or_default();
        Reply {
            status,
            headers,
            body: serde_json::from_str(&text).unwrap_or(Value::Null),
            text,
        }
    }

    async fn stop(self) {
        let _ = self.shutdown.send(());
        let _ = tokio::time::timeout(std::time::Duration::from_secs(10), self.server).await;
    }
}

fn credentials(login: &str) -> Value {
    json!({"login": login, "password": format!("password-{login}")})
}

fn retry_after(reply: &Reply) -> u64 {
    reply
        .headers
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("a numeric Retry-After: {:?}", reply.headers))
}

both_backends!(a_saturated_hashing_pool_answers_503_with_retry_after);
async fn a_saturated_hashing_pool_answers_503_with_retry_after(db: Db) {
    // One slot and a 1 ms deadline: while one registration hashes (an Argon2id hash takes
    // milliseconds by design), the others cannot start in time.
    let app = Observed::spawn(
        db,
        &[
            ("PASSWORD_HASH_CONCURRENCY", "1"),
            ("PASSWORD_HASH_WAIT_SECONDS", "0.001"),
        ],
    )
    .await;
    let attempts: Vec<_> = (0..16)
        .map(|i| app.post("/api/auth/register", credentials(&format!("rush{i}"))))
        .collect();
    let replies = futures_util::future::join_all(attempts).await;
    let busy: Vec<&Reply> = replies
        .iter()
        .filter(|r| r.status == StatusCode::SERVICE_UNAVAILABLE)
        .collect();
    assert!(
        !busy.is_empty(),
        "some registrations are refused: {:?}",
        replies.iter().map(|r| r.status).collect::<Vec<_>>()
    );
    for reply in &busy {
        assert_detail(
            reply,
            StatusCode::SERVICE_UNAVAILABLE,
            "Server busy, try again later",
            "a refused registration",
        );
        assert_eq!(retry_after(reply), 1, "the deadline rounded up to a second");
    }
    assert!(
        replies
            .iter()
            .all(|r| r.status == StatusCode::CREATED || r.status == StatusCode::SERVICE_UNAVAILABLE),
        "every other registration succeeds"
    );
    assert_eq!(app.passwords.stats().refused, busy.len() as u64);
    // A refused registration created nothing: the same login can register afterwards.
    let refused_login = replies
        .iter()
        .position(|r| r.status == StatusCode::SERVICE_UNAVAILABLE)
        .map(|i| format!("rush{i}"))
        .expect("one was refused");
    let mut again = app
        .post("/api/auth/register", credentials(&refused_login))
        .await;
    // The pool is idle now, but the deadline is 1 ms: retry the way a client honouring
    // Retry-After would, a bounded number of times.
    for _ in 0..20 {
        if again.status != StatusCode::SERVICE_UNAVAILABLE {
            break;
        }
        again = app
            .post("/api/auth/register", credentials(&refused_login))
            .await;
    }
    assert_eq!(again.status, StatusCode::CREATED, "{}", again.text);
    app.stop().await;
}

both_backends!(concurrent_sign_ins_never_hash_more_at_once_than_the_configured_slots);
async fn concurrent_sign_ins_never_hash_more_at_once_than_the_configured_slots(db: Db) {
    let app = Observed::spawn(
        db,
        &[
            ("PASSWORD_HASH_CONCURRENCY", "2"),
            ("PASSWORD_HASH_WAIT_SECONDS", "60"),
        ],
    )
    .await;
    let registered = app.post("/api/auth/register", credentials("crowd")).await;
    assert_eq!(
        registered.status,
        StatusCode::CREATED,
        "{}",
        registered.text
    );
    let before = app.passwords.stats();
    let sign_ins: Vec<_> = (0..24)
        .map(|i| {
            // Known and unknown logins alike take a slot.
            let login = if i % 2 == 0 { "crowd" } else { "nobody-here" };
            app.post("/api/auth/login", credentials(login))
        })
        .collect();
    let replies = futures_util::future::join_all(sign_ins).await;
    for (i, reply) in replies.iter().enumerate() {
        let expected = if i % 2 == 0 {
            StatusCode::OK
        } else {
            StatusCode::UNAUTHORIZED
        };
        assert_eq!(reply.status, expected, "sign-in {i}: {}", reply.text);
    }
    let after = app.passwords.stats();
    assert_eq!(after.completed - before.completed, 24, "{after:?}");
    assert!(
        (1..=2).contains(&after.peak),
        "at most two hashes ran at once: {after:?}"
    );
    assert_eq!(after.active, 0);
    assert_eq!(after.refused, 0);
    app.stop().await;
}

both_backends!(an_unknown_login_gets_the_same_401_as_a_wrong_password_after_the_same_hash);
async fn an_unknown_login_gets_the_same_401_as_a_wrong_password_after_the_same_hash(db: Db) {
    let app = Observed::spawn(db, &[]).await;
    let registered = app.post("/api/auth/register", credentials("alice")).await;
    assert_eq!(
        registered.status,
        StatusCode::CREATED,
        "{}",
        registered.text
    );

    let start = app.passwords.stats().completed;
    let wrong_password = app
        .post(
            "/api/auth/login",
            json!({"login": "alice", "password": "not-her-password"}),
        )
        .await;
    let after_known = app.passwords.stats().completed;
    let unknown_login = app
        .post(
            "/api/auth/login",
            json!({"login": "nobody-at-all", "password": "not-her-password"}),
        )
        .await;
    let after_unknown = app.passwords.stats().completed;

    for (reply, what) in [
        (&wrong_password, "a wrong password"),
        (&unknown_login, "an unknown login"),
    ] {
        assert_detail(
            reply,
            StatusCode::UNAUTHORIZED,
            "Incorrect login or password",
            what,
        );
        assert!(reply.headers.get("www-authenticate").is_none(), "{what}");
    }
    assert_eq!(wrong_password.text, unknown_login.text, "identical bodies");
    assert_eq!(after_known - start, 1, "a known login costs one hash");
    assert_eq!(
        after_unknown - after_known,
        1,
        "an unknown login costs one hash too"
    );
    app.stop().await;
}

both_backends!(the_global_limit_refuses_attempts_from_any_address_and_any_login);
async fn the_global_limit_refuses_attempts_from_any_address_and_any_login(db: Db) {
    // No per-address or per-login limit: only the server-wide one applies.
    let app = TestApp::spawn_with(
        db,
        &[
            ("AUTH_RATE_LIMIT_PER_MINUTE", "0"),
            ("AUTH_GLOBAL_RATE_LIMIT_PER_MINUTE", "3"),
        ],
    )
    .await;
    let register = app
        .send(
            Method::POST,
            "/api/auth/register",
            None,
            Some(credentials("first")),
        )
        .await;
    assert_eq!(register.status, StatusCode::CREATED, "{}", register.text);
    for login in ["second", "third"] {
        let reply = app
            .send(
                Method::POST,
                "/api/auth/login",
                None,
                Some(credentials(login)),
            )
            .await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{login}");
    }
    for (path, login) in [
        ("/api/auth/login", "first"),
        ("/api/auth/login", "fourth"),
        ("/api/auth/register", "fifth"),
    ] {
        let limited = app
            .send(Method::POST, path, None, Some(credentials(login)))
            .await;
        assert_detail(
            &limited,
            StatusCode::TOO_MANY_REQUESTS,
            "Too many requests, try again later",
            &format!("{path} as {login}"),
        );
        let wait = retry_after(&limited);
        assert!((1..=60).contains(&wait), "Retry-After {wait}");
    }
    app.stop().await;
}

both_backends!(sign_in_and_registration_still_work_through_the_pool);
async fn sign_in_and_registration_still_work_through_the_pool(db: Db) {
    let app = TestApp::spawn(db).await;
    let (id, token) = app.user("pooled").await;
    let (status, me) = app.get("/api/profile/me", &token).await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(me["id"], id);
    app.stop().await;
}

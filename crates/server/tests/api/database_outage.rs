//! A database that goes away (decision 8): requests answer 503 quickly instead of hanging or
//! leaking the cause, and the server recovers by itself when the database returns. Start-up
//! against an unreachable database waits a bounded time and fails with a clear message.
//!
//! The outage is real: a TCP proxy in this file sits between the server and MariaDB and can
//! cut every connection and refuse new ones. SQLite is embedded and cannot go away, so the
//! outage scenarios run on MariaDB only; like every MariaDB test they fail when
//! `CHARGE_TEST_MYSQL_URL` is unset, unless `CHARGE_TEST_SKIP_MYSQL=1` skips them.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::time::{Duration, Instant};

use charge_server::{Application, Settings};
use reqwest::{Method, StatusCode, Url};
use serde_json::json;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, watch};

use crate::common::{Db, Reply, TEST_SECRET, TestApp, TestDatabase, mariadb_url};

/// How long a request may take to answer 503 (the pool's acquire timeout is 3 s).
const ANSWER_WITHIN: Duration = Duration::from_secs(10);

/// A TCP proxy that can drop every connection and refuse new ones, and come back.
struct Proxy {
    addr: SocketAddr,
    up: Arc<AtomicBool>,
    cut: watch::Sender<u64>,
    refused: Arc<AtomicU32>,
    refusal: Arc<Notify>,
    task: tokio::task::JoinHandle<()>,
}

impl Proxy {
    async fn start(upstream: SocketAddr, up: bool) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind proxy");
        let addr = listener.local_addr().expect("proxy addr");
        let up = Arc::new(AtomicBool::new(up));
        let (cut, _) = watch::channel(0u64);
        let refused = Arc::new(AtomicU32::new(0));
        let refusal = Arc::new(Notify::new());
        let task = tokio::spawn({
            let (up, cut, refused, refusal) =
                (up.clone(), cut.clone(), refused.clone(), refusal.clone());
            async move {
                loop {
                    let Ok((mut client, _)) = listener.accept().await else {
                        continue;
                    };
                    if !up.load(Ordering::SeqCst) {
                        // Refused: closed before the server's greeting.
                        drop(client);
                        refused.fetch_add(1, Ordering::SeqCst);
                        refusal.notify_one();
                        continue;
                    }
                    let mut cut_rx = cut.subscribe();
                    tokio::spawn(async move {
                        let Ok(mut server) = TcpStream::connect(upstream).await else {
                            return;
                        };
                        tokio::select! {
                            _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {}
                            _ = cut_rx.changed() => {}
                        }
                    });
                }
            }
        });
        Proxy {
            addr,
            up,
            cut,
            refused,
            refusal,
            task,
        }
    }

    /// Drops every open connection and refuses new ones.
    fn go_down(&self) {
        self.up.store(false, Ordering::SeqCst);
        self.cut.send_modify(|generation| *generation += 1);
    }

    fn come_back(&self) {
        self.up.store(true, Ordering::SeqCst);
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.task.abort();
        self.cut.send_modify(|generation| *generation += 1);
    }
}

/// MariaDB's address from `CHARGE_TEST_MYSQL_URL`; None only when `CHARGE_TEST_SKIP_MYSQL=1`
/// (without either, the test fails saying what to set).
fn mariadb(test: &str) -> Option<Url> {
    if !Db::mariadb_runs(test) {
        return None;
    }
    let raw = mariadb_url()?;
    Some(Url::parse(&raw).expect("CHARGE_TEST_MYSQL_URL is a URL"))
}

fn socket_addr(url: &Url) -> SocketAddr {
    let host = url.host_str().expect("host");
    let port = url.port().unwrap_or(3306);
    std::net::ToSocketAddrs::to_socket_addrs(&(host, port))
        .expect("resolve")
        .next()
        .expect("an address")
}

/// A fresh MariaDB database (dropped with the returned guard), and its URL rewritten to go
/// through `proxy`.
async fn database_behind(proxy: &Proxy) -> (TestDatabase, String) {
    let database = TestDatabase::create(Db::MariaDb).await;
    let mut url = Url::parse(&database.url).expect("database URL");
    url.set_ip_host(proxy.addr.ip()).expect("set host");
    url.set_port(Some(proxy.addr.port())).expect("set port");
    (database, url.to_string())
}

/// Sends `method path` and returns the reply and how long it took.
async fn timed(
    app: &TestApp,
    method: Method,
    path: &str,
    token: Option<&str>,
) -> (Reply, Duration) {
    let started = Instant::now();
    let reply = app.send(method, path, token, None).await;
    (reply, started.elapsed())
}

#[tokio::test]
async fn requests_answer_503_while_the_database_is_away_and_succeed_again_when_it_returns() {
    let test = "requests_answer_503_while_the_database_is_away_and_succeed_again_when_it_returns";
    let Some(base) = mariadb(test) else {
        return;
    };
    let proxy = Proxy::start(socket_addr(&base), true).await;
    let (_database, proxied) = database_behind(&proxy).await;
    let app = TestApp::spawn_with(Db::MariaDb, &[("DATABASE_URL", &proxied)]).await;

    // Everything works through the proxy.
    let (_, token) = app.user("ora").await;
    // A second account whose token has never been used, so nothing of it is cached.
    let (_, fresh_token) = app.user("pim").await;
    let slug = app.room(&token, "Outage").await;
    let channel = app.channel(&token, &slug, "general", "text").await["id"]
        .as_i64()
        .expect("id");
    let before = app.message(&token, channel, "before the outage").await["id"]
        .as_i64()
        .expect("id");
    let reads = [
        (Method::GET, "/api/rooms".to_owned()),
        (Method::GET, format!("/api/rooms/{slug}")),
        (Method::GET, format!("/api/channels/{channel}/history")),
    ];

    proxy.go_down();
    for (method, path) in &reads {
        let (reply, took) = timed(&app, method.clone(), path, Some(&token)).await;
        assert_eq!(
            reply.status,
            StatusCode::SERVICE_UNAVAILABLE,
            "{method} {path}: {}",
            reply.text
        );
        assert_eq!(
            reply.body,
            json!({"detail": "Service temporarily unavailable"}),
            "{method} {path}"
        );
        assert!(
            took < ANSWER_WITHIN,
            "{method} {path} answered in {took:?}, not hanging"
        );
    }
    let posted = app
        .post_message(
            Some(&token),
            &[("channel_id", &channel.to_string()), ("content", "during")],
        )
        .await;
    assert_eq!(
        posted.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        posted.text
    );
    let login = app
        .send(
            Method::POST,
            "/api/auth/login",
            None,
            Some(json!({"login": "ora", "password": "password-ora"})),
        )
        .await;
    assert_eq!(
        login.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        login.text
    );
    assert_eq!(
        login.body,
        json!({"detail": "Service temporarily unavailable"})
    );
    assert!(
        proxy.refused.load(Ordering::SeqCst) > 0,
        "the server really tried to reconnect"
    );
    let health = app.send(Method::GET, "/health", None, None).await;
    assert_eq!(
        health.status,
        StatusCode::OK,
        "the process itself stays alive"
    );
    let ready = app.send(Method::GET, "/ready", None, None).await;
    assert_eq!(
        ready.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        ready.text
    );
    assert_eq!(
        ready.body,
        json!({"status": "unavailable", "database": "unavailable", "broker": "not used"})
    );
    // A socket that cannot be admitted for want of the database is told to come back later
    // (1011), never that its token is invalid, which would send the client to sign-in.
    let mut ws = crate::common::ws::connect(
        &app.base,
        &format!("/ws/text/{channel}?token={fresh_token}"),
    )
    .await;
    let (code, reason) = crate::common::ws::close_of(&mut ws).await;
    assert_eq!(code, 1011, "{reason}");
    assert_ne!(reason, "Invalid token");

    proxy.come_back();
    // The pool reconnects on demand; allow it the same bound as the failure.
    let deadline = Instant::now() + ANSWER_WITHIN;
    let mut recovered = app
        .send(Method::GET, "/api/rooms", Some(&token), None)
        .await;
    while recovered.status != StatusCode::OK && Instant::now() < deadline {
        recovered = app
            .send(Method::GET, "/api/rooms", Some(&token), None)
            .await;
    }
    assert_eq!(
        recovered.status,
        StatusCode::OK,
        "recovered without a restart: {}",
        recovered.text
    );
    for (method, path) in &reads {
        let reply = app.send(method.clone(), path, Some(&token), None).await;
        assert_eq!(
            reply.status,
            StatusCode::OK,
            "{method} {path} after recovery: {}",
            reply.text
        );
    }
    let ready = app.send(Method::GET, "/ready", None, None).await;
    assert_eq!(ready.status, StatusCode::OK, "{}", ready.text);
    assert_eq!(ready.body["database"], "ok");
    let after = app.message(&token, channel, "after the outage").await["id"]
        .as_i64()
        .expect("id");
    let (_, page) = app
        .get(&format!("/api/channels/{channel}/history"), &token)
        .await;
    let ids: Vec<i64> = page["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|m| m["id"].as_i64())
        .collect();
    assert_eq!(
        ids,
        vec![before, after],
        "nothing from before was lost and nothing half-written appeared"
    );
    app.stop().await;
}

#[tokio::test]
async fn start_up_waits_for_a_database_that_comes_up_within_the_timeout() {
    let Some(base) = mariadb("start_up_waits_for_a_database_that_comes_up_within_the_timeout")
    else {
        return;
    };
    let proxy = Proxy::start(socket_addr(&base), false).await;
    let (_database, proxied) = database_behind(&proxy).await;
    let settings = Settings::for_tests(&[
        ("HOST", "127.0.0.1"),
        ("PORT", "0"),
        ("DATABASE_URL", &proxied),
        ("JWT_SECRET_KEY", TEST_SECRET),
        ("DB_STARTUP_TIMEOUT_SECONDS", "30"),
    ])
    .expect("settings");
    let refused = proxy.refusal.notified();
    let build = tokio::spawn(Application::build(settings));
    // Bring the database back only once start-up has been turned away at least once.
    tokio::time::timeout(ANSWER_WITHIN, refused)
        .await
        .expect("start-up tried the database");
    assert!(
        !build.is_finished(),
        "start-up keeps waiting instead of failing at once"
    );
    proxy.come_back();
    let app = tokio::time::timeout(Duration::from_secs(30), build)
        .await
        .expect("start-up finished within its timeout")
        .expect("task")
        .unwrap_or_else(|e| panic!("start-up succeeded once the database was back: {e:#}"));
    assert_ne!(app.local_addr().port(), 0);
}

#[tokio::test]
async fn start_up_against_an_unreachable_database_fails_with_a_clear_message_and_no_password() {
    let free_port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let url = format!("mysql://charge:hunter2-secret-password@127.0.0.1:{free_port}/charge");
    let settings = Settings::for_tests(&[
        ("HOST", "127.0.0.1"),
        ("PORT", "0"),
        ("DATABASE_URL", &url),
        ("JWT_SECRET_KEY", TEST_SECRET),
        ("DB_STARTUP_TIMEOUT_SECONDS", "1"),
    ])
    .expect("settings");
    let started = Instant::now();
    let Err(err) = Application::build(settings).await else {
        panic!("nothing listens on port {free_port}, start-up must fail");
    };
    let took = started.elapsed();
    let message = format!("{err:#}");
    assert!(
        message.contains("database"),
        "the message says what failed: {message}"
    );
    assert!(
        message.contains(&format!("127.0.0.1:{free_port}")),
        "…and where: {message}"
    );
    assert!(
        !message.contains("hunter2-secret-password"),
        "the password is redacted: {message}"
    );
    assert!(
        took < ANSWER_WITHIN,
        "the 1 s start-up timeout bounds the wait, took {took:?}"
    );
}

#[tokio::test]
async fn start_up_with_an_unusable_sqlite_path_fails_with_a_clear_message() {
    let dir = tempfile::tempdir().expect("tempdir");
    // A regular file where the database's directory should be.
    let blocker = dir.path().join("not-a-directory");
    std::fs::write(&blocker, b"").expect("write");
    let url = format!("sqlite://{}/charge.db", blocker.display());
    let settings = Settings::for_tests(&[
        ("HOST", "127.0.0.1"),
        ("PORT", "0"),
        ("DATABASE_URL", &url),
        ("JWT_SECRET_KEY", TEST_SECRET),
        ("DB_STARTUP_TIMEOUT_SECONDS", "1"),
    ])
    .expect("settings");
    let started = Instant::now();
    let Err(err) = Application::build(settings).await else {
        panic!("a database under a regular file cannot open");
    };
    let message = format!("{err:#}");
    assert!(message.contains("database"), "{message}");
    assert!(started.elapsed() < ANSWER_WITHIN);
}

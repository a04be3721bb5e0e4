//! Test harness: starts the real server on 127.0.0.1:0 with a fresh database per test (a temp
//! SQLite file, or a MariaDB database of its own that is dropped afterwards) and offers small
//! HTTP helpers and the assertions on the contract's error shapes.
#![allow(dead_code)]

#[path = "../../../store/tests/support/backends.rs"]
mod backends;
pub mod ws;

use std::net::SocketAddr;

use charge_server::{Application, Settings};
use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};

pub(crate) use backends::both_backends;
#[allow(unused_imports)] // each binary uses some of these
pub use backends::{Db, TestDatabase, mariadb_url};

/// The secret `TestApp` signs tokens with.
pub const TEST_SECRET: &str = "test-secret-key-that-is-long-enough-0123";

/// Asserts a 422 whose list has an item of `kind` at `loc`, every item having the contract's keys.
pub fn assert_422(reply: &Reply, kind: &str, loc: Value, context: &str) {
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

/// Asserts `status` with exactly `{"detail": detail}` as the body.
pub fn assert_detail(reply: &Reply, status: StatusCode, detail: &str, context: &str) {
    assert_eq!(reply.status, status, "{context}: {}", reply.text);
    assert_eq!(reply.body, json!({ "detail": detail }), "{context}");
}

pub struct TestApp {
    pub addr: SocketAddr,
    pub base: String,
    pub client: Client,
    pub db: Db,
    pub database_url: String,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
    /// Last, so a MariaDB database is dropped only after everything else of the app.
    _database: TestDatabase,
}

impl TestApp {
    pub async fn spawn(db: Db) -> Self {
        Self::spawn_with(db, &[]).await
    }

    /// Starts an app with extra settings (name, value) on top of test defaults.
    pub async fn spawn_with(db: Db, overrides: &[(&str, &str)]) -> Self {
        Self::spawn_on(TestDatabase::create(db).await, db, overrides).await
    }

    /// Starts an app on a database the test prepared (rows written before the server starts).
    pub async fn spawn_on(database: TestDatabase, db: Db, overrides: &[(&str, &str)]) -> Self {
        let database_url = database.url.clone();
        let mut vars: Vec<(&str, &str)> = vec![
            ("HOST", "127.0.0.1"),
            ("PORT", "0"),
            ("DATABASE_URL", &database_url),
            ("JWT_SECRET_KEY", TEST_SECRET),
            ("AUTH_RATE_LIMIT_PER_MINUTE", "0"),
            // Tests send bursts on purpose; the posting limit has its own tests.
            ("CHAT_RATE_LIMIT_PER_SECOND", "0"),
            ("DB_STARTUP_TIMEOUT_SECONDS", "5"),
        ];
        vars.extend_from_slice(overrides);
        let settings = Settings::for_tests(&vars).expect("test settings");
        let app = Application::build(settings).await.expect("build app");
        let addr = app.local_addr();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(app.run_until_stopped(async move {
            let _ = rx.await;
        }));
        TestApp {
            addr,
            base: format!("http://{addr}"),
            client: Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
            db,
            database_url,
            shutdown: Some(tx),
            server: Some(server),
            _database: database,
        }
    }

    /// Stops the server and waits for it to finish.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(server) = self.server.take() {
            let _ = tokio::time::timeout(std::time::Duration::from_secs(10), server).await;
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Sends a JSON request; returns status and parsed body (Null when empty or not JSON).
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = self.client.request(method, self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.expect("request");
        let status = res.status();
        let text = res.text().await.unwrap_or_default();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    pub async fn get(&self, path: &str, token: &str) -> (StatusCode, Value) {
        self.call(Method::GET, path, Some(token), None).await
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::POST, path, Some(token), Some(body)).await
    }

    /// Registers `login` (password `password-<login>`) and returns (user id, token).
    pub async fn user(&self, login: &str) -> (i64, String) {
        let (status, body) = self
            .call(Method::POST, "/api/auth/register", None, Some(json!({"login": login, "password": format!("password-{login}"), "display_name": login})))
            .await;
        assert_eq!(status, StatusCode::CREATED, "register {login}: {body}");
        let id = body["id"].as_i64().expect("id");
        let (status, body) = self
            .call(
                Method::POST,
                "/api/auth/login",
                None,
                Some(json!({"login": login, "password": format!("password-{login}")})),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "login {login}: {body}");
        (id, body["access_token"].as_str().expect("token").to_owned())
    }

    /// Creates a room owned by `token`'s user; returns its slug.
    pub async fn room(&self, token: &str, title: &str) -> String {
        let (status, body) = self
            .post("/api/rooms", token, json!({"title": title}))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body["slug"].as_str().expect("slug").to_owned()
    }

    /// Creates a channel; returns the ChannelRead body.
    pub async fn channel(&self, token: &str, slug: &str, name: &str, kind: &str) -> Value {
        let (status, body) = self
            .post(
                &format!("/api/rooms/{slug}/channels"),
                token,
                json!({"name": name, "type": kind}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body
    }

    /// Invites and joins `joiner` into `slug` with `role`, using the owner's token.
    pub async fn join(&self, owner: &str, slug: &str, joiner: &str, role: &str) {
        let (status, inv) = self
            .post(
                &format!("/api/rooms/{slug}/invitations"),
                owner,
                json!({"role": role}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{inv}");
        let code = inv["code"].as_str().expect("code");
        let (status, body) = self
            .call(
                Method::POST,
                &format!("/api/invites/{code}"),
                Some(joiner),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }

    /// Posts a message over HTTP (multipart, as the contract has it); returns the MessageRead.
    pub async fn message(&self, token: &str, channel_id: i64, content: &str) -> Value {
        let form = reqwest::multipart::Form::new()
            .text("channel_id", channel_id.to_string())
            .text("content", content.to_owned());
        let res = self
            .client
            .post(self.url("/api/messages"))
            .bearer_auth(token)
            .multipart(form)
            .send()
            .await
            .expect("send");
        let status = res.status();
        let body: Value = res.json().await.expect("json");
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body
    }
}

/// A response as the tests inspect it: status, headers and the JSON body (Null when empty or
/// not JSON), plus the raw text for checks on what a body must never contain.
pub struct Reply {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
    pub text: String,
}

impl Reply {
    async fn from_response(res: reqwest::Response) -> Self {
        let status = res.status();
        let headers = res.headers().clone();
        let text = res.text().await.unwrap_or_default();
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Reply {
            status,
            headers,
            body,
            text,
        }
    }

    /// The `detail` string of an error body ("" when absent).
    pub fn detail(&self) -> &str {
        self.body["detail"].as_str().unwrap_or_default()
    }
}

impl TestApp {
    /// Sends a request with an optional bearer token and JSON body; keeps headers.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        let mut req = self.client.request(method, self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        Reply::from_response(req.send().await.expect("request")).await
    }

    /// Sends a raw body with the given content type (for malformed and oversize payloads).
    pub async fn send_raw(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        content_type: &str,
        body: impl Into<reqwest::Body>,
    ) -> Reply {
        let mut req = self
            .client
            .request(method, self.url(path))
            .header(reqwest::header::CONTENT_TYPE, content_type)
            .body(body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        Reply::from_response(req.send().await.expect("request")).await
    }

    /// Posts a multipart form to `POST /api/messages` without asserting the outcome.
    pub async fn post_message(&self, token: Option<&str>, fields: &[(&str, &str)]) -> Reply {
        let mut form = reqwest::multipart::Form::new();
        for (name, value) in fields {
            form = form.text((*name).to_owned(), (*value).to_owned());
        }
        let mut req = self.client.post(self.url("/api/messages")).multipart(form);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        Reply::from_response(req.send().await.expect("request")).await
    }
}

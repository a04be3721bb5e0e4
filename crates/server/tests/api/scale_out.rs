//! Several `charge` processes behind one database and one broker behave like one node:
//! messages, typing, presence, workspace events and voice signalling cross nodes; a crashed
//! node's users leave presence within the TTL; a broker restart is survived. The same
//! scenario runs on Redis and on NATS, each a private server started by the test, and on
//! each storage backend (all nodes share one database: a SQLite file or a MariaDB database).

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

use crate::common::ws::{Ws, connect, next_json, send};
use crate::common::{Db, TestDatabase, both_backends};

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn wait_for_port(port: u16) {
    let give_up = Instant::now() + Duration::from_secs(15);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < give_up, "nothing listening on {port}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A private Redis or NATS server on a fixed port, so the test can stop and restart it.
pub(crate) struct Broker {
    kind: &'static str,
    port: u16,
    child: Option<Child>,
}

impl Broker {
    pub(crate) fn start(kind: &'static str) -> Self {
        let mut broker = Broker {
            kind,
            port: free_port(),
            child: None,
        };
        broker.restart();
        broker
    }

    fn restart(&mut self) {
        let port = self.port.to_string();
        let mut cmd = match self.kind {
            "redis" => {
                let mut c = Command::new("redis-server");
                c.args([
                    "--port",
                    &port,
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                ]);
                c
            }
            _ => {
                let mut c = Command::new("nats-server");
                c.args(["-a", "127.0.0.1", "-p", &port]);
                c
            }
        };
        let child = cmd
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("{} must be installed: {e}", self.kind));
        self.child = Some(child);
        wait_for_port(self.port);
    }

    fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    fn url(&self) -> String {
        match self.kind {
            "redis" => format!("redis://127.0.0.1:{}/0", self.port),
            _ => format!("nats://127.0.0.1:{}", self.port),
        }
    }
}

impl Drop for Broker {
    fn drop(&mut self) {
        self.stop();
    }
}

/// One `charge` process.
pub(crate) struct Node {
    child: Child,
    pub(crate) base: String,
    _dir: tempfile::TempDir,
}

impl Node {
    pub(crate) async fn start(
        database_url: &str,
        broker: &Broker,
        namespace: &str,
        name: &str,
    ) -> Node {
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let child = Command::new(env!("CARGO_BIN_EXE_charge"))
            .current_dir(dir.path())
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .envs([
                ("HOST", "127.0.0.1".to_owned()),
                ("PORT", port.to_string()),
                ("DATABASE_URL", database_url.to_owned()),
                (
                    "JWT_SECRET_KEY",
                    "scale-out-test-secret-0123456789abcdef".to_owned(),
                ),
                ("AUTH_RATE_LIMIT_PER_MINUTE", "0".to_owned()),
                ("CHAT_RATE_LIMIT_PER_SECOND", "0".to_owned()),
                ("REALTIME_BACKEND", broker.kind.to_owned()),
                (
                    if broker.kind == "redis" {
                        "REALTIME_REDIS_URL"
                    } else {
                        "REALTIME_NATS_URL"
                    },
                    broker.url(),
                ),
                ("REALTIME_NAMESPACE", namespace.to_owned()),
                ("REALTIME_NODE_ID", name.to_owned()),
                ("REALTIME_HEARTBEAT_SECONDS", "0.3".to_owned()),
                (
                    "RUST_LOG",
                    std::env::var("NODE_LOG").unwrap_or_else(|_| "warn".to_owned()),
                ),
            ])
            .stdout(if std::env::var("NODE_LOG").is_ok() {
                Stdio::inherit()
            } else {
                Stdio::null()
            })
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start charge");
        let base = format!("http://127.0.0.1:{port}");
        let client = reqwest::Client::new();
        let give_up = Instant::now() + Duration::from_secs(30);
        loop {
            if client
                .get(format!("{base}/health"))
                .send()
                .await
                .is_ok_and(|r| r.status() == StatusCode::OK)
            {
                break;
            }
            assert!(Instant::now() < give_up, "node {name} did not start");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Node {
            child,
            base,
            _dir: dir,
        }
    }

    /// Ends the process at once (SIGKILL): no goodbye to the other nodes.
    pub(crate) fn crash(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    pub(crate) async fn metrics(&self) -> String {
        reqwest::get(format!("{}/metrics", self.base))
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        self.crash();
    }
}

/// Polls `GET /ready` until its answer has `broker` = `want` (bounded), and returns the status.
async fn ready_until(base: &str, want: &str) -> u16 {
    let give_up = Instant::now() + Duration::from_secs(20);
    loop {
        let res = reqwest::get(format!("{base}/ready"))
            .await
            .expect("GET /ready");
        let status = res.status().as_u16();
        let body: Value = res.json().await.expect("readiness body");
        if body["broker"] == want {
            assert_eq!(body["database"], "ok", "{body}");
            return status;
        }
        assert!(
            Instant::now() < give_up,
            "readiness never said broker {want}: {status} {body}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

pub(crate) async fn post(base: &str, path: &str, token: Option<&str>, body: Value) -> Value {
    let mut req = reqwest::Client::new()
        .post(format!("{base}{path}"))
        .json(&body);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let res = req.send().await.unwrap();
    assert!(res.status().is_success(), "{path}: {}", res.status());
    res.json().await.unwrap_or(Value::Null)
}

pub(crate) async fn account(base: &str, login: &str) -> (i64, String) {
    let user = post(
        base,
        "/api/auth/register",
        None,
        json!({"login": login, "password": "password-123"}),
    )
    .await;
    let token = post(
        base,
        "/api/auth/login",
        None,
        json!({"login": login, "password": "password-123"}),
    )
    .await;
    (
        user["id"].as_i64().unwrap(),
        token["access_token"].as_str().unwrap().to_owned(),
    )
}

/// Reads frames until `pred` holds for one (bounded); returns it.
pub(crate) async fn until(ws: &mut Ws, what: &str, pred: impl Fn(&Value) -> bool) -> Value {
    let give_up = Instant::now() + Duration::from_secs(15);
    loop {
        assert!(Instant::now() < give_up, "gave up waiting for {what}");
        let frame = next_json(ws).await;
        if pred(&frame) {
            return frame;
        }
    }
}

fn online_ids(frame: &Value) -> Vec<i64> {
    let mut ids: Vec<i64> = frame["online"]
        .as_array()
        .map(|a| a.iter().filter_map(|u| u["id"].as_i64()).collect())
        .unwrap_or_default();
    ids.sort_unstable();
    ids
}

async fn scenario(kind: &'static str, backend: Db) {
    // One database shared by every node; declared first, so it is dropped after the nodes.
    let database = TestDatabase::create(backend).await;
    let db = database.url.clone();
    let mut broker = Broker::start(kind);
    let backend_name = match backend {
        Db::Sqlite => "sqlite",
        Db::MariaDb => "mariadb",
    };
    let namespace = format!("charge.test.{kind}.{backend_name}.{}", std::process::id());
    let a = Node::start(&db, &broker, &namespace, "node-a").await;
    let mut b = Node::start(&db, &broker, &namespace, "node-b").await;
    let c = Node::start(&db, &broker, &namespace, "node-c").await;

    let (alice_id, alice) = account(&a.base, "alice").await;
    let (bob_id, bob) = account(&b.base, "bob").await;
    let room = post(
        &a.base,
        "/api/rooms",
        Some(&alice),
        json!({"title": "Cluster"}),
    )
    .await;
    let slug = room["slug"].as_str().unwrap().to_owned();
    let channel = post(
        &a.base,
        &format!("/api/rooms/{slug}/channels"),
        Some(&alice),
        json!({"name": "general", "type": "text"}),
    )
    .await;
    let channel_id = channel["id"].as_i64().unwrap();
    let invite = post(
        &a.base,
        &format!("/api/rooms/{slug}/invitations"),
        Some(&alice),
        json!({}),
    )
    .await;
    post(
        &b.base,
        &format!("/api/invites/{}", invite["code"].as_str().unwrap()),
        Some(&bob),
        json!({}),
    )
    .await;

    // One broker subscription per node (each node subscribes in the background at start-up,
    // so a loaded machine may need a moment).
    for node in [&a, &b, &c] {
        let mut line = None;
        for _ in 0..50 {
            let metrics = node.metrics().await;
            line = metrics
                .lines()
                .find(|l| l.starts_with("realtime_pubsub_subscriptions{") && l.contains(kind))
                .map(str::to_owned);
            if line.as_deref().is_some_and(|l| l.ends_with(" 1")) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let line = line.expect("subscription gauge");
        assert!(line.ends_with(" 1"), "{line}");
    }
    if kind == "redis" {
        let out = Command::new("redis-cli")
            .args([
                "-p",
                &broker.port.to_string(),
                "PUBSUB",
                "NUMSUB",
                &namespace,
            ])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert_eq!(
            text.lines().nth(1).map(str::trim),
            Some("3"),
            "three nodes, three subscriptions: {text}"
        );
    }

    // Presence is merged: alice on A sees bob on B.
    let mut wa = connect(&a.base, &format!("/ws/text/{channel_id}?token={alice}")).await;
    let mut wb = connect(&b.base, &format!("/ws/text/{channel_id}?token={bob}")).await;
    until(&mut wa, "bob in alice's presence", |f| {
        f["type"] == "presence" && online_ids(f) == vec![alice_id, bob_id]
    })
    .await;
    until(&mut wb, "alice in bob's presence", |f| {
        f["type"] == "presence" && online_ids(f) == vec![alice_id, bob_id]
    })
    .await;

    // Messages both ways, and an HTTP message posted through a third node.
    send(&mut wa, json!({"type": "message", "content": "from A"})).await;
    until(&mut wb, "A's message on B", |f| {
        f["type"] == "message" && f["message"]["content"] == "from A"
    })
    .await;
    send(&mut wb, json!({"type": "message", "content": "from B"})).await;
    until(&mut wa, "B's message on A", |f| {
        f["type"] == "message" && f["message"]["content"] == "from B"
    })
    .await;
    post(
        &c.base,
        "/api/messages",
        Some(&bob),
        json!({"channel_id": channel_id, "content": "via C"}),
    )
    .await;
    until(&mut wa, "C's message on A", |f| {
        f["type"] == "message" && f["message"]["content"] == "via C"
    })
    .await;

    // Typing crosses nodes.
    send(&mut wb, json!({"type": "typing", "is_typing": true})).await;
    until(&mut wa, "bob typing", |f| {
        f["type"] == "typing" && f["users"][0]["id"] == bob_id
    })
    .await;

    // Workspace events from any node.
    let mut rooms_a = connect(&a.base, &format!("/ws/rooms/{slug}?token={alice}")).await;
    until(&mut rooms_a, "snapshot", |f| {
        f["type"] == "workspace_snapshot"
    })
    .await;
    post(
        &c.base,
        &format!("/api/rooms/{slug}/channels"),
        Some(&alice),
        json!({"name": "more", "type": "voice"}),
    )
    .await;
    until(&mut rooms_a, "channel_created from C", |f| {
        f["type"] == "channel_created" && f["channel"]["name"] == "more"
    })
    .await;

    // Voice: the participant list is merged and a targeted offer finds bob on B.
    let mut va = connect(&a.base, &format!("/ws/signal/{slug}?token={alice}")).await;
    let mut vb = connect(&b.base, &format!("/ws/signal/{slug}?token={bob}")).await;
    until(&mut va, "bob in alice's voice list", |f| {
        f["event"] == "participants" && f["participants"].as_array().is_some_and(|p| p.len() == 2)
    })
    .await;
    send(
        &mut va,
        json!({"type": "offer", "target": bob_id, "description": {"type": "offer", "sdp": "x"}}),
    )
    .await;
    let offer = until(&mut vb, "alice's offer on B", |f| f["type"] == "signal").await;
    assert_eq!(
        (
            offer["signal"]["kind"].as_str(),
            offer["from"]["id"].as_i64()
        ),
        (Some("offer"), Some(alice_id))
    );
    send(
        &mut vb,
        json!({"type": "state", "event": "set-muted", "muted": true}),
    )
    .await;
    until(&mut va, "bob muted, seen on A", |f| {
        f["event"] == "participants"
            && f["participants"]
                .as_array()
                .is_some_and(|p| p.iter().any(|x| x["id"] == bob_id && x["muted"] == true))
    })
    .await;

    // Bob also opens a socket on C, then node B crashes: he stays online (through C), and
    // his voice participation (only on B) disappears within the TTL.
    let mut wc = connect(&c.base, &format!("/ws/text/{channel_id}?token={bob}")).await;
    until(&mut wc, "presence on C", |f| f["type"] == "presence").await;
    drop(vb);
    b.crash();
    until(&mut va, "bob gone from voice", |f| {
        f["event"] == "participants" && f["participants"].as_array().is_some_and(|p| p.len() == 1)
    })
    .await;
    drop(wb);
    // Now bob leaves C too: alice's list shrinks to herself.
    wc.close(None).await.ok();
    until(&mut wa, "bob offline", |f| {
        f["type"] == "presence" && online_ids(f) == vec![alice_id]
    })
    .await;

    // Broker outage: local delivery continues; cross-node delivery resumes by itself.
    let mut wc = connect(&c.base, &format!("/ws/text/{channel_id}?token={bob}")).await;
    until(&mut wc, "presence on C", |f| f["type"] == "presence").await;
    assert_eq!(ready_until(&a.base, "ok").await, 200);
    broker.stop();
    send(
        &mut wa,
        json!({"type": "message", "content": "during outage"}),
    )
    .await;
    until(&mut wa, "local echo during the outage", |f| {
        f["type"] == "message" && f["message"]["content"] == "during outage"
    })
    .await;
    // Readiness says so while the broker is away (the node keeps serving its own sockets).
    assert_eq!(ready_until(&a.base, "unavailable").await, 503);
    broker.restart();
    let give_up = Instant::now() + Duration::from_secs(30);
    let mut attempt = 0;
    'resumed: loop {
        assert!(
            Instant::now() < give_up,
            "cross-node delivery did not resume after the broker restart"
        );
        attempt += 1;
        send(
            &mut wa,
            json!({"type": "message", "content": format!("after restart {attempt}")}),
        )
        .await;
        let deadline = tokio::time::Instant::now() + Duration::from_millis(700);
        while let Ok(Some(Ok(Message::Text(t)))) =
            tokio::time::timeout_at(deadline, wc.next()).await
        {
            if t.as_str().contains("after restart") {
                break 'resumed;
            }
        }
    }
    assert_eq!(ready_until(&a.base, "ok").await, 200, "ready again");
    let metrics = a.metrics().await;
    let errors = metrics
        .lines()
        .find(|l| l.starts_with("realtime_broker_errors_total{"))
        .unwrap_or_else(|| {
            panic!(
                "outage not counted:\n{}",
                metrics
                    .lines()
                    .filter(|l| l.contains("broker"))
                    .collect::<Vec<_>>()
                    .join("\n")
            )
        });
    assert!(!errors.ends_with(" 0"), "{errors}");
    // The message sent during the outage is in history for everyone.
    let history: Value = reqwest::Client::new()
        .get(format!(
            "{}/api/channels/{channel_id}/history?limit=100",
            c.base
        ))
        .bearer_auth(&bob)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        history["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["content"] == "during outage")
    );
}

both_backends!(three_nodes_on_redis_behave_like_one);
async fn three_nodes_on_redis_behave_like_one(db: Db) {
    scenario("redis", db).await;
}

both_backends!(three_nodes_on_nats_behave_like_one);
async fn three_nodes_on_nats_behave_like_one(db: Db) {
    scenario("nats", db).await;
}

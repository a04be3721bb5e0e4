//! People: friends, blocks, direct and group conversations, and the `/ws/direct` and
//! `/ws/presence` streams, on both backends (§1.8, §2.4, §2.5). Shared helpers here; each area
//! in its own file.

mod access;
mod blocks;
mod conversations;
mod friends;
mod groups;
mod nodes;
mod sockets;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::{Reply, TestApp};

/// A registered user: id, token and login.
#[derive(Clone)]
pub struct Person {
    pub id: i64,
    pub token: String,
    pub login: String,
}

pub async fn person(app: &TestApp, login: &str) -> Person {
    let (id, token) = app.user(login).await;
    Person {
        id,
        token,
        login: login.to_owned(),
    }
}

pub async fn call(
    app: &TestApp,
    method: Method,
    path: &str,
    who: &Person,
    body: Option<Value>,
) -> Reply {
    app.send(method, path, Some(&who.token), body).await
}

/// `from` asks `to`; returns the request body.
pub async fn request(app: &TestApp, from: &Person, to: &Person) -> Value {
    let reply = call(
        app,
        Method::POST,
        "/api/dm/requests",
        from,
        Some(json!({"login": to.login})),
    )
    .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    reply.body
}

/// Makes two users friends (request and accept).
pub async fn befriend(app: &TestApp, a: &Person, b: &Person) {
    let asked = request(app, a, b).await;
    let id = asked["id"].as_i64().expect("request id");
    let reply = call(
        app,
        Method::POST,
        &format!("/api/dm/requests/{id}/accept"),
        b,
        None,
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
}

/// Opens the conversation of `who` with `others`; returns its id.
pub async fn conversation(
    app: &TestApp,
    who: &Person,
    others: &[&Person],
    title: Option<&str>,
) -> i64 {
    let ids: Vec<i64> = others.iter().map(|p| p.id).collect();
    let reply = call(
        app,
        Method::POST,
        "/api/dm/conversations",
        who,
        Some(json!({"participant_ids": ids, "title": title})),
    )
    .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    reply.body["id"].as_i64().expect("conversation id")
}

/// Posts a message; returns its body.
pub async fn say(app: &TestApp, who: &Person, conversation: i64, content: &str) -> Value {
    let reply = call(
        app,
        Method::POST,
        &format!("/api/dm/conversations/{conversation}/messages"),
        who,
        Some(json!({"content": content})),
    )
    .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    reply.body
}

/// The ids of a list of objects (by `key`).
pub fn ids(list: &Value, key: &str) -> Vec<i64> {
    list.as_array()
        .expect("a list")
        .iter()
        .map(|v| v[key].as_i64().expect("id"))
        .collect()
}

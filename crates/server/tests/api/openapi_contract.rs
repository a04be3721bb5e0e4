//! The OpenAPI document against the server: every operation the router serves is in the
//! document (and nothing else is), and every status that probes provoke from an operation
//! (no token, missing things, a body of the wrong type, malformed, oversized, a bad path
//! value) is one of the answers the document lists for it.

use std::collections::BTreeSet;
use std::path::Path;

use reqwest::Method;
use serde_json::Value;

use crate::common::{Db, TestApp, both_backends};

/// Where routers are declared, relative to `crates/`.
const ROUTE_SOURCES: &[&str] = &[
    "http/src/routes",
    "server/src/system.rs",
    "realtime/src/lib.rs",
];

/// Routed but outside the HTTP API document: WebSocket upgrades (their frames are the
/// contract's section 2 and `protocol/src/frames`) and the browser's invitation link.
const OUTSIDE_THE_DOCUMENT: &[&str] = &[
    "/ws/text/{channel_id}",
    "/ws/rooms/{room_slug}",
    "/ws/signal/{room_slug}",
    "/ws/presence",
    "/ws/direct",
    "/invite/{code}",
];

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

/// (method, path) of every `.route("…", get(…).post(…))` in the router sources.
fn routed_operations() -> BTreeSet<(String, String)> {
    let crates = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("crates/");
    let mut files = Vec::new();
    for source in ROUTE_SOURCES {
        let path = crates.join(source);
        if path.is_dir() {
            for entry in std::fs::read_dir(&path).expect("read routes") {
                files.push(entry.expect("entry").path());
            }
        } else {
            files.push(path);
        }
    }
    let mut found = BTreeSet::new();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("read source");
        let mut rest = text.as_str();
        while let Some(at) = rest.find(".route(") {
            rest = &rest[at + ".route(".len()..];
            let Some(open) = rest.find('"') else { break };
            let Some(len) = rest[open + 1..].find('"') else {
                break;
            };
            let path = rest[open + 1..open + 1 + len].to_owned();
            // The method chain runs to the parenthesis that closes `.route(`.
            let mut depth = 1;
            let mut end = 0;
            for (i, c) in rest.char_indices() {
                match c {
                    '(' => depth += 1,
                    ')' => depth -= 1,
                    _ => {}
                }
                if depth == 0 {
                    end = i;
                    break;
                }
            }
            let chain = &rest[open + 1 + len + 1..end];
            for word in chain.split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '(')) {
                for method in METHODS.iter().chain(&["any"]) {
                    if word
                        .strip_prefix(method)
                        .is_some_and(|r| r.starts_with('('))
                    {
                        found.insert(((*method).to_owned(), path.clone()));
                    }
                }
            }
        }
    }
    found
}

fn documented_operations(doc: &Value) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in METHODS {
            if item.get(method).is_some() {
                out.insert((method.to_owned(), path.clone()));
            }
        }
    }
    out
}

#[tokio::test]
async fn every_routed_operation_is_in_the_openapi_document_and_nothing_else_is() {
    let app = TestApp::spawn(Db::Sqlite).await;
    let (_, doc) = app.call(Method::GET, "/openapi.json", None, None).await;
    let routed: BTreeSet<_> = routed_operations()
        .into_iter()
        .filter(|(_, path)| !OUTSIDE_THE_DOCUMENT.contains(&path.as_str()))
        .collect();
    assert!(
        routed.len() > 30,
        "the router sources were read: {routed:?}"
    );
    let documented = documented_operations(&doc);
    let undocumented: Vec<_> = routed.difference(&documented).collect();
    let unrouted: Vec<_> = documented.difference(&routed).collect();
    assert!(
        undocumented.is_empty(),
        "routed but not documented: {undocumented:?}"
    );
    assert!(
        unrouted.is_empty(),
        "documented but not routed: {unrouted:?}"
    );
    app.stop().await;
}

/// The path with every parameter filled: integers with an id nobody has, strings with a
/// value nothing has (a letter no channel uses).
fn fill(path: &str, op: &Value, int_value: &str) -> String {
    let mut filled = path.to_owned();
    for param in op["parameters"].as_array().into_iter().flatten() {
        if param["in"] != "path" {
            continue;
        }
        let name = param["name"].as_str().expect("name");
        let value = match (param["schema"]["type"].as_str(), name) {
            (Some("integer"), _) => int_value,
            (_, "letter") => "Z",
            _ => "nothing-here",
        };
        filled = filled.replace(&format!("{{{name}}}"), value);
    }
    filled
}

fn has_integer_path_parameter(op: &Value) -> bool {
    op["parameters"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|p| p["in"] == "path" && p["schema"]["type"] == "integer")
}

both_backends!(every_status_a_probe_provokes_is_documented_for_its_operation);
async fn every_status_a_probe_provokes_is_documented_for_its_operation(db: Db) {
    let app = TestApp::spawn(db).await;
    let (_, token) = app.user("prober").await;
    let (_, doc) = app.call(Method::GET, "/openapi.json", None, None).await;
    let mut problems = Vec::new();
    let mut probes = 0;
    let mut fresh = 0;
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in METHODS {
            let Some(op) = item.get(method) else { continue };
            let documented: BTreeSet<u16> = op["responses"]
                .as_object()
                .expect("responses")
                .keys()
                .filter_map(|s| s.parse().ok())
                .collect();
            let secured = op["security"].as_array().is_some_and(|s| !s.is_empty());
            let has_body = op.get("requestBody").is_some();
            // Upload routes take only multipart forms: the JSON body probes are not theirs.
            let takes_json = op["requestBody"]["content"]
                .get("application/json")
                .is_some();
            let verb: Method = method.to_uppercase().parse().expect("method");
            let target = fill(path, op, "987654321");
            // Sign-out and password changes end the caller's session: they get a session of
            // their own, so that the probes after them still carry a live token.
            let token = if path.starts_with("/api/auth/") {
                fresh += 1;
                app.user(&format!("prober{fresh}")).await.1
            } else {
                token.clone()
            };
            let mut check = |what: &str, status: u16, must_be: Option<u16>| {
                probes += 1;
                if !documented.contains(&status) {
                    problems.push(format!(
                        "{method} {path} {what}: {status} is not documented"
                    ));
                }
                if let Some(expected) = must_be
                    && status != expected
                {
                    problems.push(format!(
                        "{method} {path} {what}: {status}, expected {expected}"
                    ));
                }
            };
            if secured {
                let reply = app.send(verb.clone(), &target, None, None).await;
                check("without a token", reply.status.as_u16(), Some(401));
            }
            let body = has_body.then(|| serde_json::json!({}));
            let reply = app.send(verb.clone(), &target, Some(&token), body).await;
            check("for things nobody has", reply.status.as_u16(), None);
            if has_body && takes_json {
                let reply = app
                    .send_raw(verb.clone(), &target, Some(&token), "text/plain", "{}")
                    .await;
                check("with a text/plain body", reply.status.as_u16(), Some(415));
                let reply = app
                    .send_raw(verb.clone(), &target, Some(&token), "application/json", "{")
                    .await;
                check("with malformed JSON", reply.status.as_u16(), Some(422));
                let big = format!("{{\"x\": \"{}\"}}", "a".repeat(70 * 1024));
                let reply = app
                    .send_raw(verb.clone(), &target, Some(&token), "application/json", big)
                    .await;
                check("with an oversized body", reply.status.as_u16(), Some(413));
            }
            if has_integer_path_parameter(op) {
                let reply = app
                    .send(verb.clone(), &fill(path, op, "abc"), Some(&token), None)
                    .await;
                check("with a non-integer id", reply.status.as_u16(), Some(422));
            }
        }
    }
    assert!(
        probes > 100,
        "the document's operations were probed ({probes})"
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    app.stop().await;
}

/// Answers whose error body is not the contract's `{"detail"}`: readiness reports its parts.
const OWN_ERROR_BODIES: &[(&str, &str, &str)] = &[("get", "/ready", "ReadinessRead")];

#[tokio::test]
async fn every_error_answer_in_the_document_carries_the_error_body_schema() {
    let app = TestApp::spawn(Db::Sqlite).await;
    let (_, doc) = app.call(Method::GET, "/openapi.json", None, None).await;
    let mut bare = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in METHODS {
            let Some(op) = item.get(method) else { continue };
            for (status, answer) in op["responses"].as_object().expect("responses") {
                if status.starts_with('4') || status.starts_with('5') {
                    let schema = &answer["content"]["application/json"]["schema"]["$ref"];
                    let expected = OWN_ERROR_BODIES
                        .iter()
                        .find(|(m, p, _)| *m == method && p == path)
                        .map_or("ErrorBody", |(_, _, body)| body);
                    if schema.as_str().is_none_or(|s| !s.ends_with(expected)) {
                        bare.push(format!("{method} {path} {status}"));
                    }
                }
            }
        }
    }
    assert!(
        bare.is_empty(),
        "error answers without a body schema: {bare:?}"
    );
    app.stop().await;
}

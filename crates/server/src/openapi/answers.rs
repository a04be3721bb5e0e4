//! The answers every operation shares, added to the document from what the operation reads:
//! a bearer token can be refused (401), a JSON body can be too large (413), of the wrong type
//! (415) or invalid (422), a parameter can be invalid (422), and storage can be away (503).
//! Every error answer then gets the contract's body schema. Route annotations list only what
//! is particular to them (400, 403, 404, 409, 410, 429 and their wording).

use serde_json::{Map, Value, json};

/// Operations that never touch storage, so never answer 503 for it.
const WITHOUT_STORAGE: &[(&str, &str)] = &[
    ("get", "/health"),
    ("get", "/api/"),
    ("get", "/api"),
    ("get", "/metrics"),
    ("get", "/api/config/limits"),
];

pub const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

/// Adds the shared answers and error bodies to every operation of `doc`.
pub fn complete(doc: &mut Value) {
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for (path, item) in paths.iter_mut() {
        for method in METHODS {
            let Some(op) = item.get_mut(method).and_then(Value::as_object_mut) else {
                continue;
            };
            let storage = !WITHOUT_STORAGE.contains(&(method, path.as_str()));
            complete_operation(op, storage);
        }
    }
}

fn complete_operation(op: &mut Map<String, Value>, storage: bool) {
    let secured = op
        .get("security")
        .and_then(Value::as_array)
        .is_some_and(|s| !s.is_empty());
    let body_types: Vec<String> = op
        .get("requestBody")
        .and_then(|b| b.get("content"))
        .and_then(Value::as_object)
        .map(|c| c.keys().cloned().collect())
        .unwrap_or_default();
    let has_params = op
        .get("parameters")
        .and_then(Value::as_array)
        .is_some_and(|p| !p.is_empty());
    let Some(responses) = op
        .entry("responses")
        .or_insert_with(|| json!({}))
        .as_object_mut()
    else {
        return;
    };
    let mut add = |status: &str, description: &str| {
        responses
            .entry(status)
            .or_insert_with(|| json!({ "description": description }));
    };
    if secured {
        add(
            "401",
            "Not authenticated, or the token is invalid or expired",
        );
    }
    if !body_types.is_empty() {
        add("413", "The body is larger than the server accepts");
        add(
            "415",
            "The body is not sent as one of the documented media types",
        );
    }
    if has_params || !body_types.is_empty() {
        add("422", "A parameter or a field of the body is invalid");
    }
    if storage {
        add("503", "The database is unavailable; retry later");
    }
    for (status, response) in responses.iter_mut() {
        // OpenAPI requires a description on every answer.
        if let Some(response) = response.as_object_mut()
            && response.get("description").is_none_or(|d| d == "")
        {
            let text = match status.as_str() {
                "200" => "OK",
                "201" => "Created",
                "204" => "Done; no content",
                _ => "See the contract",
            };
            response.insert("description".into(), text.into());
        }
        if !status.starts_with('4') && !status.starts_with('5') {
            continue;
        }
        let schema = if status == "422" {
            "#/components/schemas/ValidationErrorBody"
        } else {
            "#/components/schemas/ErrorBody"
        };
        if let Some(response) = response.as_object_mut() {
            response
                .entry("content")
                .or_insert_with(|| json!({ "application/json": { "schema": { "$ref": schema } } }));
        }
    }
}

//! Channel categories: `GET|POST /api/rooms/{slug}/categories`,
//! `PATCH|DELETE /api/rooms/{slug}/categories/{id}` and their workspace events, on SQLite
//! and MariaDB.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::ws::{connect, next_of};
use crate::common::{Db, TestApp, both_backends};

both_backends!(admins_manage_categories_and_the_room_hears_of_each_change);
async fn admins_manage_categories_and_the_room_hears_of_each_change(db: Db) {
    let app = TestApp::spawn(db).await;
    let (_, owner) = app.user("owner").await;
    let (_, member) = app.user("member").await;
    let slug = app.room(&owner, "Sorted").await;
    app.join(&owner, &slug, &member, "member").await;
    let mut events = connect(&app.base, &format!("/ws/rooms/{slug}?token={member}")).await;
    next_of(&mut events, "workspace_snapshot").await;
    let path = format!("/api/rooms/{slug}/categories");

    let (status, voice) = app
        .post(&path, &owner, json!({"name": "  Voice  ", "position": 2}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{db:?}: {voice}");
    assert_eq!(voice["name"], "Voice", "trimmed");
    assert_eq!(voice["position"], 2);
    assert!(voice["created_at"].is_string());
    let event = next_of(&mut events, "category_created").await;
    assert_eq!(event["room"], slug.as_str());
    assert_eq!(event["categories"][0]["id"], voice["id"]);
    let (status, text) = app.post(&path, &owner, json!({"name": "Text"})).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(text["position"], 0, "default position");
    let event = next_of(&mut events, "category_created").await;
    let names: Vec<&str> = event["categories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Text", "Voice"], "{db:?}: by position");

    // Members list them, by position then name.
    let (status, listed) = app.get(&path, &member).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(listed, event["categories"]);

    // Only the keys given change; a taken name is a conflict, not a crash.
    let voice_id = voice["id"].as_i64().unwrap();
    let (status, moved) = app
        .call(
            Method::PATCH,
            &format!("{path}/{voice_id}"),
            Some(&owner),
            Some(json!({"position": 0})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{moved}");
    assert_eq!(
        (moved["name"].as_str(), moved["position"].as_i64()),
        (Some("Voice"), Some(0))
    );
    next_of(&mut events, "category_updated").await;
    let (status, renamed) = app
        .call(
            Method::PATCH,
            &format!("{path}/{voice_id}"),
            Some(&owner),
            Some(json!({"name": "Calls"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (renamed["name"].as_str(), renamed["position"].as_i64()),
        (Some("Calls"), Some(0))
    );
    let event = next_of(&mut events, "category_updated").await;
    assert_eq!(event["categories"][0]["name"], "Calls", "{db:?}: {event}");
    let (status, body) = app
        .call(
            Method::PATCH,
            &format!("{path}/{voice_id}"),
            Some(&owner),
            Some(json!({"name": "Text"})),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{db:?}: {body}");
    let (status, body) = app.post(&path, &owner, json!({"name": "Text"})).await;
    assert_eq!(status, StatusCode::CONFLICT, "{db:?}: {body}");
    assert_eq!(
        body["detail"],
        "A category with this name already exists in this room"
    );

    // Deleting one leaves its channels, outside any category.
    let channel = app
        .post(
            &format!("/api/rooms/{slug}/channels"),
            &owner,
            json!({"name": "standup", "type": "voice", "category_id": voice_id}),
        )
        .await
        .1;
    assert_eq!(channel["category_id"], voice_id);
    let (status, body) = app
        .call(
            Method::DELETE,
            &format!("{path}/{voice_id}"),
            Some(&owner),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let event = next_of(&mut events, "category_deleted").await;
    assert_eq!(event["categories"].as_array().unwrap().len(), 1, "{event}");
    let moved_out = event["channels"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == channel["id"])
        .unwrap();
    assert!(moved_out["category_id"].is_null(), "{event}");
    let (_, room) = app.get(&format!("/api/rooms/{slug}"), &member).await;
    assert_eq!(room["categories"].as_array().unwrap().len(), 1);
    let (status, body) = app
        .call(
            Method::DELETE,
            &format!("{path}/{voice_id}"),
            Some(&owner),
            None,
        )
        .await;
    assert_eq!(
        (status, body["detail"].as_str()),
        (StatusCode::NOT_FOUND, Some("Category not found"))
    );
    app.stop().await;
}

both_backends!(bad_category_requests_get_clear_errors);
async fn bad_category_requests_get_clear_errors(db: Db) {
    let app = TestApp::spawn(db).await;
    let (_, owner) = app.user("owner").await;
    let (_, member) = app.user("member").await;
    let slug = app.room(&owner, "Sorted").await;
    let other = app.room(&owner, "Other").await;
    app.join(&owner, &slug, &member, "member").await;
    let path = format!("/api/rooms/{slug}/categories");
    let (_, category) = app.post(&path, &owner, json!({"name": "Lobby"})).await;
    let id = category["id"].as_i64().unwrap();
    let (_, foreign) = app
        .post(
            &format!("/api/rooms/{other}/categories"),
            &owner,
            json!({"name": "Away"}),
        )
        .await;
    let foreign = foreign["id"].as_i64().unwrap();

    let invalid: [(Method, String, Value, &str); 6] = [
        (Method::POST, path.clone(), json!({"name": "   "}), "name"),
        (
            Method::POST,
            path.clone(),
            json!({"name": "x".repeat(129)}),
            "name",
        ),
        (
            Method::POST,
            path.clone(),
            json!({"name": "ok", "position": -1}),
            "position",
        ),
        (Method::POST, path.clone(), json!({"position": 1}), "name"),
        (
            Method::PATCH,
            format!("{path}/{id}"),
            json!({"name": null}),
            "name",
        ),
        (
            Method::PATCH,
            format!("{path}/{id}"),
            json!({"position": null}),
            "position",
        ),
    ];
    for (method, url, body, field) in invalid {
        let (status, answer) = app
            .call(method, &url, Some(&owner), Some(body.clone()))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {answer}");
        assert_eq!(
            answer["detail"][0]["loc"],
            json!(["body", field]),
            "{body}: {answer}"
        );
    }
    let (status, body) = app
        .call(
            Method::PATCH,
            &format!("{path}/{foreign}"),
            Some(&owner),
            Some(json!({"name": "Mine"})),
        )
        .await;
    assert_eq!(
        (status, body["detail"].as_str()),
        (StatusCode::NOT_FOUND, Some("Category not found"))
    );
    let (status, body) = app.post(&path, &member, json!({"name": "Nope"})).await;
    assert_eq!(
        (status, body["detail"].as_str()),
        (StatusCode::FORBIDDEN, Some("Insufficient permissions"))
    );
    let (status, body) = app.get("/api/rooms/missing-room/categories", &owner).await;
    assert_eq!(
        (status, body["detail"].as_str()),
        (StatusCode::NOT_FOUND, Some("Room not found"))
    );

    // A room holds at most 50 categories.
    for i in 1..50 {
        let (status, body) = app
            .post(&path, &owner, json!({"name": format!("c{i}")}))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let (status, body) = app
        .post(&path, &owner, json!({"name": "one too many"}))
        .await;
    assert_eq!(
        (status, body["detail"].as_str()),
        (
            StatusCode::BAD_REQUEST,
            Some("A room can have at most 50 categories")
        )
    );
    let (_, listed) = app.get(&path, &member).await;
    assert_eq!(listed.as_array().unwrap().len(), 50);
    app.stop().await;
}

//! Arranging a room: `PATCH /api/channels/{id}`, `POST /api/rooms/{slug}/channels/reorder`
//! and `POST /api/rooms/{slug}/categories/reorder`, with their workspace events, on SQLite
//! and MariaDB.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::ws::{connect, next_of};
use crate::common::{Db, TestApp, both_backends};

fn id(v: &Value) -> i64 {
    v["id"].as_i64().unwrap()
}

both_backends!(admins_rename_move_and_reorder_and_the_room_hears_of_it);
async fn admins_rename_move_and_reorder_and_the_room_hears_of_it(db: Db) {
    let app = TestApp::spawn(db).await;
    let (_, owner) = app.user("owner").await;
    let (_, member) = app.user("member").await;
    let slug = app.room(&owner, "Layout").await;
    let other = app.room(&owner, "Other").await;
    app.join(&owner, &slug, &member, "member").await;
    let cats = format!("/api/rooms/{slug}/categories");
    let talk = app.post(&cats, &owner, json!({"name": "Talk"})).await.1;
    let play = app
        .post(&cats, &owner, json!({"name": "Play", "position": 1}))
        .await
        .1;
    let foreign = app
        .post(
            &format!("/api/rooms/{other}/categories"),
            &owner,
            json!({"name": "Away"}),
        )
        .await
        .1;
    let general = app.channel(&owner, &slug, "general", "text").await;
    let lounge = app.channel(&owner, &slug, "lounge", "voice").await;
    let mut events = connect(&app.base, &format!("/ws/rooms/{slug}?token={member}")).await;
    next_of(&mut events, "workspace_snapshot").await;

    // PATCH: only the keys given; category_id null takes the channel out.
    let path = format!("/api/channels/{}", id(&general));
    let (status, renamed) = app
        .call(
            Method::PATCH,
            &path,
            Some(&owner),
            Some(json!({"name": " chat "})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{db:?}: {renamed}");
    assert_eq!(
        (renamed["name"].as_str(), renamed["type"].as_str()),
        (Some("chat"), Some("text"))
    );
    assert!(renamed["category_id"].is_null());
    let event = next_of(&mut events, "channel_updated").await;
    assert_eq!(event["channel"], renamed, "{db:?}");
    let (status, moved) = app
        .call(
            Method::PATCH,
            &path,
            Some(&owner),
            Some(json!({"category_id": id(&talk)})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (moved["name"].as_str(), moved["category_id"].as_i64()),
        (Some("chat"), Some(id(&talk)))
    );
    next_of(&mut events, "channel_updated").await;
    let (_, out) = app
        .call(
            Method::PATCH,
            &path,
            Some(&owner),
            Some(json!({"category_id": null})),
        )
        .await;
    assert!(out["category_id"].is_null(), "{out}");
    next_of(&mut events, "channel_updated").await;
    let (status, body) = app
        .call(
            Method::PATCH,
            &path,
            Some(&owner),
            Some(json!({"category_id": id(&foreign)})),
        )
        .await;
    assert_eq!(
        (status, body["detail"].as_str()),
        (StatusCode::NOT_FOUND, Some("Category not found"))
    );

    // Channel order: exactly as given, and only those channels are announced.
    let reorder = format!("/api/rooms/{slug}/channels/reorder");
    let (status, body) = app
        .call(
            Method::POST,
            &reorder,
            Some(&owner),
            Some(json!({"channels": [
                {"id": id(&lounge), "category_id": id(&play), "position": 5},
            ]})),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{db:?}: {body}");
    let event = next_of(&mut events, "channel_reordered").await;
    assert_eq!(event["channels"].as_array().unwrap().len(), 1, "{event}");
    assert_eq!(
        (
            event["channels"][0]["category_id"].as_i64(),
            event["channels"][0]["position"].as_i64()
        ),
        (Some(id(&play)), Some(5))
    );
    let (_, room) = app.get(&format!("/api/rooms/{slug}"), &member).await;
    let shown = room["channels"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == lounge["id"])
        .unwrap()
        .clone();
    assert_eq!(shown["position"], 5, "{db:?}");

    // Category order.
    let (status, _) = app
        .call(
            Method::POST,
            &format!("{cats}/reorder"),
            Some(&owner),
            Some(json!({"categories": [
                {"id": id(&play), "position": 0}, {"id": id(&talk), "position": 3},
            ]})),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let event = next_of(&mut events, "categories_reordered").await;
    let names: Vec<&str> = event["categories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Play", "Talk"], "{db:?}");

    // Empty lists change nothing; bad lists are refused whole.
    for url in [reorder.clone(), format!("{cats}/reorder")] {
        let key = if url.ends_with("channels/reorder") {
            "channels"
        } else {
            "categories"
        };
        let (status, _) = app
            .call(Method::POST, &url, Some(&owner), Some(json!({ key: [] })))
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT);
    }
    let refused = [
        (
            reorder.clone(),
            json!({"channels": [{"id": id(&general), "category_id": null, "position": 0}, {"id": id(&general), "category_id": null, "position": 1}]}),
            "Invalid channel list",
        ),
        (
            reorder.clone(),
            json!({"channels": [{"id": 999_999, "category_id": null, "position": 0}]}),
            "Invalid channel list",
        ),
        (
            reorder.clone(),
            json!({"channels": [{"id": id(&general), "category_id": id(&foreign), "position": 0}]}),
            "Category not found for channel reordering",
        ),
        (
            format!("{cats}/reorder"),
            json!({"categories": [{"id": id(&foreign), "position": 0}]}),
            "Invalid category list",
        ),
    ];
    for (url, body, detail) in refused {
        let (status, answer) = app.call(Method::POST, &url, Some(&owner), Some(body)).await;
        assert_eq!(
            (status, answer["detail"].as_str()),
            (StatusCode::BAD_REQUEST, Some(detail)),
            "{db:?}"
        );
    }
    let (_, room) = app.get(&format!("/api/rooms/{slug}"), &member).await;
    let general_now = room["channels"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == general["id"])
        .unwrap()
        .clone();
    assert_eq!(
        general_now["position"], general["position"],
        "{db:?}: a refused list changed nothing"
    );
    app.stop().await;
}

both_backends!(bad_layout_requests_get_clear_errors);
async fn bad_layout_requests_get_clear_errors(db: Db) {
    let app = TestApp::spawn(db).await;
    let (_, owner) = app.user("owner").await;
    let (_, member) = app.user("member").await;
    let slug = app.room(&owner, "Layout").await;
    app.join(&owner, &slug, &member, "member").await;
    let general = app.channel(&owner, &slug, "general", "text").await;
    let path = format!("/api/channels/{}", id(&general));
    let reorder = format!("/api/rooms/{slug}/channels/reorder");
    let invalid: [(Method, &str, Value, Value); 6] = [
        (
            Method::PATCH,
            &path,
            json!({"name": null}),
            json!(["body", "name"]),
        ),
        (
            Method::PATCH,
            &path,
            json!({"name": ""}),
            json!(["body", "name"]),
        ),
        (
            Method::PATCH,
            &path,
            json!({"name": "x".repeat(129)}),
            json!(["body", "name"]),
        ),
        (
            Method::POST,
            &reorder,
            json!({"channels": [{"id": id(&general), "position": 0}]}),
            json!(["body", "channels", 0, "category_id"]),
        ),
        (
            Method::POST,
            &reorder,
            json!({"channels": [{"id": id(&general), "category_id": null, "position": -1}]}),
            json!(["body", "channels", 0, "position"]),
        ),
        (
            Method::POST,
            &reorder,
            json!({"channels": (0..65).map(|i| json!({"id": i, "category_id": null, "position": 0})).collect::<Vec<_>>()}),
            json!(["body", "channels"]),
        ),
    ];
    for (method, url, body, loc) in invalid {
        let (status, answer) = app
            .call(method, url, Some(&owner), Some(body.clone()))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {answer}");
        assert_eq!(answer["detail"][0]["loc"], loc, "{body}: {answer}");
    }
    let (status, body) = app
        .call(
            Method::PATCH,
            &path,
            Some(&member),
            Some(json!({"name": "mine"})),
        )
        .await;
    assert_eq!(
        (status, body["detail"].as_str()),
        (StatusCode::FORBIDDEN, Some("Insufficient permissions"))
    );
    let (status, body) = app
        .call(
            Method::PATCH,
            "/api/channels/999999",
            Some(&owner),
            Some(json!({"name": "x"})),
        )
        .await;
    assert_eq!(
        (status, body["detail"].as_str()),
        (StatusCode::NOT_FOUND, Some("Channel not found"))
    );
    app.stop().await;
}

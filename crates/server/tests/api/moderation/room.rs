//! Room-wide changes: renaming (the slug stays), deleting with the room's name as confirmation
//! (owner only, every socket closes) and handing ownership over.

use reqwest::{Method, StatusCode};
use serde_json::json;

use super::{Cast, frame_where, room_status};
use crate::common::ws::{close_of, connect, next_of};
use crate::common::{Db, TestApp, assert_422, assert_detail, both_backends};

both_backends!(renaming_a_room_keeps_its_slug_and_tells_every_workspace_stream);
async fn renaming_a_room_keeps_its_slug_and_tells_every_workspace_stream(db: Db) {
    let app = TestApp::spawn(db).await;
    let cast = Cast::new(&app).await;
    let mut member_ws = connect(
        &app.base,
        &format!("/ws/rooms/{}?token={}", cast.slug, cast.member),
    )
    .await;
    next_of(&mut member_ws, "workspace_snapshot").await;
    let path = format!("/api/rooms/{}", cast.slug);
    assert_detail(
        &app.send(
            Method::PATCH,
            &path,
            Some(&cast.member),
            Some(json!({"title": "Mine"})),
        )
        .await,
        StatusCode::FORBIDDEN,
        "Insufficient permissions",
        "a member renaming",
    );
    assert_422(
        &app.send(
            Method::PATCH,
            &path,
            Some(&cast.admin),
            Some(json!({"title": "   "})),
        )
        .await,
        "string_too_short",
        json!(["body", "title"]),
        "a blank title",
    );
    let renamed = app
        .send(
            Method::PATCH,
            &path,
            Some(&cast.admin),
            Some(json!({"title": "  New Guild "})),
        )
        .await;
    assert_eq!(renamed.status, StatusCode::OK, "{}", renamed.text);
    assert_eq!(renamed.body["title"], "New Guild");
    assert_eq!(renamed.body["slug"], cast.slug.as_str());
    let event = frame_where(&mut member_ws, "room_updated", |f| {
        f["type"] == "room_updated"
    })
    .await;
    assert_eq!(
        event,
        json!({"type": "room_updated", "room": cast.slug, "title": "New Guild"})
    );
    let (_, detail) = app.get(&path, &cast.member).await;
    assert_eq!(detail["title"], "New Guild");
    app.stop().await;
}

both_backends!(only_the_owner_deletes_a_room_by_typing_its_name_and_every_socket_closes);
async fn only_the_owner_deletes_a_room_by_typing_its_name_and_every_socket_closes(db: Db) {
    let app = TestApp::spawn(db).await;
    let cast = Cast::new(&app).await;
    app.message(&cast.member, cast.channel_id, "soon gone")
        .await;
    let mut member_ws = connect(
        &app.base,
        &format!("/ws/rooms/{}?token={}", cast.slug, cast.member),
    )
    .await;
    next_of(&mut member_ws, "workspace_snapshot").await;
    let mut owner_text = connect(
        &app.base,
        &format!("/ws/text/{}?token={}", cast.channel_id, cast.owner),
    )
    .await;
    next_of(&mut owner_text, "presence").await;
    let path = format!("/api/rooms/{}", cast.slug);
    assert_detail(
        &app.send(
            Method::DELETE,
            &path,
            Some(&cast.admin),
            Some(json!({"confirm": "Guild"})),
        )
        .await,
        StatusCode::FORBIDDEN,
        "Insufficient permissions",
        "an admin deleting",
    );
    assert_detail(
        &app.send(
            Method::DELETE,
            &path,
            Some(&cast.owner),
            Some(json!({"confirm": "guild"})),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "Type the room's name exactly to confirm its deletion",
        "a wrong confirmation",
    );
    assert_422(
        &app.send(Method::DELETE, &path, Some(&cast.owner), Some(json!({})))
            .await,
        "missing",
        json!(["body", "confirm"]),
        "no confirmation",
    );
    let deleted = app
        .send(
            Method::DELETE,
            &path,
            Some(&cast.owner),
            Some(json!({"confirm": "Guild"})),
        )
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{}", deleted.text);
    assert_eq!(
        close_of(&mut member_ws).await,
        (1008, "Room deleted".to_owned())
    );
    assert_eq!(
        close_of(&mut owner_text).await,
        (1008, "Room deleted".to_owned())
    );
    assert_eq!(
        room_status(&app, &cast.slug, &cast.owner).await,
        StatusCode::NOT_FOUND
    );
    let (status, rooms) = app.get("/api/rooms", &cast.member).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(rooms, json!([]));
    let (status, _) = app
        .get(
            &format!("/api/channels/{}/history", cast.channel_id),
            &cast.owner,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    app.stop().await;
}

both_backends!(handing_over_a_room_makes_the_member_owner_and_the_old_owner_an_admin);
async fn handing_over_a_room_makes_the_member_owner_and_the_old_owner_an_admin(db: Db) {
    let app = TestApp::spawn(db).await;
    let cast = Cast::new(&app).await;
    let mut admin_ws = connect(
        &app.base,
        &format!("/ws/rooms/{}?token={}", cast.slug, cast.admin),
    )
    .await;
    next_of(&mut admin_ws, "workspace_snapshot").await;
    let path = format!("/api/rooms/{}/transfer-ownership", cast.slug);
    assert_detail(
        &app.send(
            Method::POST,
            &path,
            Some(&cast.admin),
            Some(json!({"user_id": cast.admin_id})),
        )
        .await,
        StatusCode::FORBIDDEN,
        "Insufficient permissions",
        "an admin handing over",
    );
    assert_detail(
        &app.send(
            Method::POST,
            &path,
            Some(&cast.owner),
            Some(json!({"user_id": 999_999})),
        )
        .await,
        StatusCode::NOT_FOUND,
        "Member not found",
        "to a stranger",
    );
    assert_detail(
        &app.send(
            Method::POST,
            &path,
            Some(&cast.owner),
            Some(json!({"user_id": cast.owner_id})),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "You already own this room",
        "to oneself",
    );
    let moved = app
        .send(
            Method::POST,
            &path,
            Some(&cast.owner),
            Some(json!({"user_id": cast.member_id})),
        )
        .await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.text);
    assert_eq!(moved.body["current_role"], "admin");
    let updated = frame_where(&mut admin_ws, "member_updated", |f| {
        f["type"] == "member_updated"
    })
    .await;
    let role_of = |id: i64| {
        updated["members"]
            .as_array()
            .and_then(|m| m.iter().find(|m| m["user_id"] == id))
            .map(|m| m["role"].clone())
    };
    assert_eq!(role_of(cast.member_id), Some(json!("owner")));
    assert_eq!(role_of(cast.owner_id), Some(json!("admin")));
    // The new owner may now leave only after handing it back; the old one may leave freely.
    let leave = format!("/api/rooms/{}/leave", cast.slug);
    assert_eq!(
        app.send(Method::POST, &leave, Some(&cast.member), None)
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        app.send(Method::POST, &leave, Some(&cast.owner), None)
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    app.stop().await;
}

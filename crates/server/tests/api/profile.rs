//! `GET /api/profile/me` and `PATCH /api/profile`, and the change as online lists and new
//! messages show it, on SQLite and MariaDB.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::ws::{connect, next_of};
use crate::common::{Db, TestApp, both_backends};

async fn patch(app: &TestApp, token: &str, body: Value) -> (StatusCode, Value) {
    app.call(Method::PATCH, "/api/profile", Some(token), Some(body))
        .await
}

both_backends!(a_profile_change_shows_everywhere_the_user_appears);
async fn a_profile_change_shows_everywhere_the_user_appears(db: Db) {
    let app = TestApp::spawn(db).await;
    let (alice_id, alice) = app.user("alice").await;
    let (_, bob) = app.user("bob").await;
    let slug = app.room(&alice, "Profiles").await;
    app.join(&alice, &slug, &bob, "member").await;
    let text = app.channel(&alice, &slug, "general", "text").await["id"]
        .as_i64()
        .unwrap();

    let (status, me) = app.get("/api/profile/me", &alice).await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(
        (me["id"].as_i64(), me["login"].as_str()),
        (Some(alice_id), Some("alice"))
    );
    assert_eq!(me["status"], "online");

    let mut a = connect(&app.base, &format!("/ws/text/{text}?token={alice}")).await;
    next_of(&mut a, "presence").await;
    let mut b = connect(&app.base, &format!("/ws/text/{text}?token={bob}")).await;
    next_of(&mut b, "presence").await;

    let (status, changed) = patch(
        &app,
        &alice,
        json!({"display_name": "  Alice A.  ", "status": "dnd"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{db:?}: {changed}");
    assert_eq!(
        (changed["display_name"].as_str(), changed["status"].as_str()),
        (Some("Alice A."), Some("dnd"))
    );
    let (_, me) = app.get("/api/profile/me", &alice).await;
    assert_eq!(me, changed, "{db:?}");

    // Bob's online list shows the new name and status (bounded: next presence flushes).
    let mut shown = Value::Null;
    for _ in 0..5 {
        let presence = next_of(&mut b, "presence").await;
        shown = presence["online"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["id"] == alice_id)
            .cloned()
            .unwrap_or(Value::Null);
        if shown["display_name"] == "Alice A." {
            break;
        }
    }
    assert_eq!(
        (shown["display_name"].as_str(), shown["status"].as_str()),
        (Some("Alice A."), Some("dnd")),
        "{db:?}"
    );
    // A message sent now carries the new name.
    let message = app.message(&alice, text, "new name, who dis").await;
    assert_eq!(
        message["author"]["display_name"], "Alice A.",
        "{db:?}: {message}"
    );
    assert_eq!(message["author"]["status"], "dnd");

    // null and absent keys leave fields as they are.
    let (status, same) = patch(&app, &alice, json!({"display_name": null})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(same["display_name"], "Alice A.");
    let (_, same) = patch(&app, &alice, json!({})).await;
    assert_eq!(
        (same["display_name"].as_str(), same["status"].as_str()),
        (Some("Alice A."), Some("dnd"))
    );
    let (_, back) = patch(&app, &alice, json!({"status": "online"})).await;
    assert_eq!(
        (back["display_name"].as_str(), back["status"].as_str()),
        (Some("Alice A."), Some("online"))
    );
    app.stop().await;
}

both_backends!(bad_profile_changes_are_refused);
async fn bad_profile_changes_are_refused(db: Db) {
    let app = TestApp::spawn(db).await;
    let (_, alice) = app.user("alice").await;
    let cases = [
        (json!({"display_name": ""}), "display_name"),
        (json!({"display_name": "   "}), "display_name"),
        (json!({"display_name": "x".repeat(129)}), "display_name"),
        (json!({"status": "away"}), "status"),
        (json!({"status": 3}), "status"),
    ];
    for (body, field) in cases {
        let (status, answer) = patch(&app, &alice, body.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {answer}");
        assert_eq!(
            answer["detail"][0]["loc"],
            json!(["body", field]),
            "{body}: {answer}"
        );
    }
    let (_, me) = app.get("/api/profile/me", &alice).await;
    assert_eq!(me["display_name"], "alice", "nothing was saved: {me}");
    assert_eq!(
        me["updated_at"], me["created_at"],
        "nothing was saved: {me}"
    );
    let (status, _) = app
        .call(
            Method::PATCH,
            "/api/profile",
            None,
            Some(json!({"status": "idle"})),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    app.stop().await;
}

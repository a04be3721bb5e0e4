//! `POST /api/channels/{channel_id}/messages/{message_id}/receipts` (§1.5).

use reqwest::{Method, StatusCode};
use serde_json::json;

use super::room;
use crate::common::{Db, TestApp, assert_422, assert_detail, both_backends};

both_backends!(receipts_set_each_time_once_and_count_it_once);
async fn receipts_set_each_time_once_and_count_it_once(db: Db) {
    let r = room(TestApp::spawn(db).await).await;
    let id = r.say(&r.alice, r.general, "read me").await["id"]
        .as_i64()
        .unwrap();
    let path = format!("/api/channels/{}/messages/{id}/receipts", r.general);

    let (status, delivered) = r.app.post(&path, &r.bob, json!({"delivered": true})).await;
    assert_eq!(status, StatusCode::OK, "{delivered}");
    assert_eq!(delivered["id"], id);
    assert_eq!(
        (
            delivered["delivered_count"].as_i64(),
            delivered["read_count"].as_i64()
        ),
        (Some(1), Some(0))
    );
    assert!(delivered["delivered_at"].is_string(), "{db:?}: {delivered}");
    assert!(delivered["read_at"].is_null());

    let (status, read) = r
        .app
        .post(&path, &r.bob, json!({"read": true, "delivered": null}))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (
            read["delivered_count"].as_i64(),
            read["read_count"].as_i64()
        ),
        (Some(1), Some(1))
    );
    assert_eq!(
        read["delivered_at"], delivered["delivered_at"],
        "delivery time kept"
    );
    assert!(read["read_at"].is_string());

    // Repeats change nothing; a read alone also delivers; the author may send receipts.
    let (_, again) = r
        .app
        .post(&path, &r.bob, json!({"read": true, "delivered": true}))
        .await;
    assert_eq!(
        (
            again["delivered_count"].as_i64(),
            again["read_count"].as_i64()
        ),
        (Some(1), Some(1))
    );
    assert_eq!(again["read_at"], read["read_at"]);
    let (status, own) = r.app.post(&path, &r.alice, json!({"read": true})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (own["delivered_count"].as_i64(), own["read_count"].as_i64()),
        (Some(2), Some(2)),
        "{db:?}"
    );
    r.app.stop().await;
}

both_backends!(receipts_refuse_empty_bodies_and_foreign_messages);
async fn receipts_refuse_empty_bodies_and_foreign_messages(db: Db) {
    let r = room(TestApp::spawn(db).await).await;
    let id = r.say(&r.alice, r.general, "here").await["id"]
        .as_i64()
        .unwrap();
    let path = |channel: i64| format!("/api/channels/{channel}/messages/{id}/receipts");
    for body in [json!({}), json!({"delivered": false, "read": null})] {
        let reply = r
            .app
            .send(Method::POST, &path(r.general), Some(&r.bob), Some(body))
            .await;
        assert_422(
            &reply,
            "value_error",
            json!(["body"]),
            "no receipt asked for",
        );
        assert_eq!(
            reply.body["detail"][0]["msg"],
            "Value error, At least one of delivered or read must be provided"
        );
    }
    let reply = r
        .app
        .send(
            Method::POST,
            &path(r.random),
            Some(&r.bob),
            Some(json!({"read": true})),
        )
        .await;
    assert_detail(
        &reply,
        StatusCode::NOT_FOUND,
        "Message not found",
        "message of another channel",
    );
    let (_, outsider) = r.app.user("outsider").await;
    let reply = r
        .app
        .send(
            Method::POST,
            &path(r.general),
            Some(&outsider),
            Some(json!({"read": true})),
        )
        .await;
    assert_detail(
        &reply,
        StatusCode::FORBIDDEN,
        "Not a room member",
        "outsider",
    );
    r.app.stop().await;
}

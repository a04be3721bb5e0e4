//! How files end: with their message, with their channel, or, never posted, by the sweep.

use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::json;

use super::{files_under, get, png, two_people, uploaded};
use crate::common::ws::{connect, next_of, send};
use crate::common::{Db, TestApp, both_backends};

/// Posts `ids` in a socket message and returns the stored message.
async fn post(
    app: &TestApp,
    token: &str,
    channel: i64,
    ids: serde_json::Value,
) -> serde_json::Value {
    let mut ws = connect(&app.base, &format!("/ws/text/{channel}?token={token}")).await;
    next_of(&mut ws, "presence").await;
    send(
        &mut ws,
        json!({"type": "message", "content": "files", "attachments": ids}),
    )
    .await;
    next_of(&mut ws, "message").await["message"].clone()
}

both_backends!(deleting_a_message_deletes_its_files);
async fn deleting_a_message_deletes_its_files(db: Db) {
    let app = TestApp::spawn(db).await;
    let (alice, bob, channel) = two_people(&app).await;
    let a = uploaded(&app, &alice, channel, &png(64, 64), "a.png").await;
    let kept = uploaded(&app, &alice, channel, b"kept", "kept.txt").await;
    let message = post(&app, &alice, channel, json!([a["id"]])).await;
    post(&app, &alice, channel, json!([kept["id"]])).await;
    assert_eq!(
        files_under(app.media.path()).len(),
        3,
        "two files and a thumbnail"
    );

    let (status, deleted) = app
        .call(
            Method::DELETE,
            &format!("/api/messages/{}", message["id"]),
            Some(&alice),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{deleted}");
    assert_eq!(deleted["attachments"], json!([]));
    let gone = get(&app, a["download_url"].as_str().unwrap(), Some(&bob), &[]).await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND, "{db:?}");
    assert_eq!(
        files_under(app.media.path()).len(),
        1,
        "{db:?}: only the other message's file"
    );
    app.stop().await;
}

both_backends!(deleting_a_channel_deletes_its_files);
async fn deleting_a_channel_deletes_its_files(db: Db) {
    let app = TestApp::spawn(db).await;
    let (alice, _, _) = two_people(&app).await;
    let slug = app.room(&alice, "Doomed").await;
    let doomed = app.channel(&alice, &slug, "doomed", "text").await;
    let channel = doomed["id"].as_i64().unwrap();
    let posted = uploaded(&app, &alice, channel, &png(32, 32), "p.png").await;
    post(&app, &alice, channel, json!([posted["id"]])).await;
    uploaded(&app, &alice, channel, b"unposted", "u.txt").await;
    assert_eq!(files_under(app.media.path()).len(), 3);

    let (status, _) = app
        .call(
            Method::DELETE,
            &format!(
                "/api/rooms/{slug}/channels/{}",
                doomed["letter"].as_str().unwrap()
            ),
            Some(&alice),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert!(
        files_under(app.media.path()).is_empty(),
        "{db:?}: {:?}",
        files_under(app.media.path())
    );
    app.stop().await;
}

both_backends!(an_upload_no_message_takes_expires);
async fn an_upload_no_message_takes_expires(db: Db) {
    let app = TestApp::spawn_with(db, &[("UNBOUND_UPLOAD_TTL_SECONDS", "1")]).await;
    let (alice, _, channel) = two_people(&app).await;
    let posted = uploaded(&app, &alice, channel, b"posted", "posted.txt").await;
    post(&app, &alice, channel, json!([posted["id"]])).await;
    let idle = uploaded(&app, &alice, channel, b"idle", "idle.txt").await;
    let url = idle["download_url"].as_str().unwrap().to_owned();

    // The sweep runs every second; the upload outlives its allowance by at most that.
    let give_up = Instant::now() + Duration::from_secs(15);
    loop {
        let reply = get(&app, &url, Some(&alice), &[]).await;
        if reply.status == StatusCode::NOT_FOUND {
            assert_eq!(reply.json(), json!({"detail": "Attachment not found"}));
            break;
        }
        assert!(Instant::now() < give_up, "{db:?}: the upload never expired");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(
        files_under(app.media.path()).len(),
        1,
        "{db:?}: the posted file stays"
    );
    let still = get(
        &app,
        posted["download_url"].as_str().unwrap(),
        Some(&alice),
        &[],
    )
    .await;
    assert_eq!(still.status, StatusCode::OK);
    app.stop().await;
}

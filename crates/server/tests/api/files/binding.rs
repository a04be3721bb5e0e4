//! Posting files with a message: `attachments` ids on `/ws/text`, file parts in
//! `POST /api/messages`, and the refusals of both.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{get, part, png, raw, two_people, uploaded};
use crate::common::ws::{connect, next_of, send};
use crate::common::{Db, TestApp, both_backends};

both_backends!(a_socket_message_takes_its_senders_uploads_and_members_can_then_read_them);
async fn a_socket_message_takes_its_senders_uploads_and_members_can_then_read_them(db: Db) {
    let app = TestApp::spawn(db).await;
    let (alice, bob, channel) = two_people(&app).await;
    let picture = png(40, 30);
    let image = uploaded(&app, &alice, channel, &picture, "a.png").await;
    let notes = uploaded(&app, &alice, channel, b"some notes", "notes.txt").await;
    let bobs = uploaded(&app, &bob, channel, b"bob's", "bob.txt").await;
    let (image_id, notes_id) = (image["id"].as_i64().unwrap(), notes["id"].as_i64().unwrap());

    let mut a = connect(&app.base, &format!("/ws/text/{channel}?token={alice}")).await;
    next_of(&mut a, "presence").await;
    let mut b = connect(&app.base, &format!("/ws/text/{channel}?token={bob}")).await;
    next_of(&mut b, "presence").await;

    let refusals: [(Value, &str); 3] = [
        (
            json!([image_id + 1000]),
            "One or more attachments were not found",
        ),
        (json!([bobs["id"]]), "Attachment is not available for use"),
        (
            json!(["x"]),
            "Attachments must be provided as a list of integers",
        ),
    ];
    for (ids, detail) in refusals {
        send(
            &mut a,
            json!({"type": "message", "content": "x", "attachments": ids}),
        )
        .await;
        let error = next_of(&mut a, "error").await;
        assert_eq!(error["detail"], detail, "{db:?}");
    }

    // Files alone are a message (no text needed).
    send(
        &mut a,
        json!({"type": "message", "content": "", "attachments": [image_id, notes_id]}),
    )
    .await;
    let seen = next_of(&mut b, "message").await["message"].clone();
    let files = seen["attachments"].as_array().expect("attachments");
    let ids: Vec<i64> = files.iter().map(|f| f["id"].as_i64().unwrap()).collect();
    assert_eq!(ids, [image_id, notes_id], "{db:?}: in upload order");
    assert_eq!(files[0]["message_id"], seen["id"]);
    assert_eq!(
        (files[0]["width"].as_i64(), files[0]["height"].as_i64()),
        (Some(40), Some(30))
    );

    let read = get(
        &app,
        files[0]["download_url"].as_str().unwrap(),
        Some(&bob),
        &[],
    )
    .await;
    assert_eq!(read.status, StatusCode::OK, "a member reads a posted file");
    assert_eq!(read.bytes, picture);

    // Bound once: a second message cannot take it.
    send(
        &mut a,
        json!({"type": "message", "content": "again", "attachments": [image_id]}),
    )
    .await;
    let error = next_of(&mut a, "error").await;
    assert_eq!(error["detail"], "Attachment is not available for use");

    let (_, history) = app
        .get(&format!("/api/channels/{channel}/history"), &bob)
        .await;
    let last = history["items"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["attachments"].as_array().unwrap().len(), 2, "{db:?}");
    let (_, found) = app
        .get(
            &format!("/api/channels/{channel}/search?has_attachments=true"),
            &bob,
        )
        .await;
    assert_eq!(found.as_array().unwrap().len(), 1);
    app.stop().await;
}

both_backends!(a_socket_message_may_carry_only_so_many_files);
async fn a_socket_message_may_carry_only_so_many_files(db: Db) {
    let app = TestApp::spawn_with(db, &[("MAX_ATTACHMENTS_PER_MESSAGE", "2")]).await;
    let (alice, _, channel) = two_people(&app).await;
    let mut ids = Vec::new();
    for i in 0..3 {
        ids.push(uploaded(&app, &alice, channel, b"x", &format!("{i}.txt")).await["id"].clone());
    }
    let mut a = connect(&app.base, &format!("/ws/text/{channel}?token={alice}")).await;
    next_of(&mut a, "presence").await;
    send(
        &mut a,
        json!({"type": "message", "content": "", "attachments": ids}),
    )
    .await;
    let error = next_of(&mut a, "error").await;
    assert_eq!(
        error["detail"], "A message may carry at most 2 attachments",
        "{db:?}"
    );
    app.stop().await;
}

async fn post_files(app: &TestApp, token: &str, form: reqwest::multipart::Form) -> super::Raw {
    let res = app
        .client
        .post(app.url("/api/messages"))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .expect("post");
    raw(res).await
}

both_backends!(files_posted_with_an_http_message_are_bound_to_it);
async fn files_posted_with_an_http_message_are_bound_to_it(db: Db) {
    let app = TestApp::spawn(db).await;
    let (alice, bob, channel) = two_people(&app).await;
    let mut b = connect(&app.base, &format!("/ws/text/{channel}?token={bob}")).await;
    next_of(&mut b, "presence").await;
    let form = reqwest::multipart::Form::new()
        .text("channel_id", channel.to_string())
        .text("content", "look")
        .part("files", part(&png(8, 8), "dot.png", "image/png"))
        .part(
            "files",
            part(b"%PDF-1.4 not much", "doc.pdf", "application/pdf"),
        );
    let reply = post_files(&app, &alice, form).await;
    assert_eq!(
        reply.status,
        StatusCode::CREATED,
        "{db:?}: {}",
        reply.json()
    );
    let message = reply.json();
    let files = message["attachments"].as_array().unwrap();
    assert_eq!(files.len(), 2);
    assert_eq!(files[0]["file_name"], "dot.png");
    assert_eq!(files[0]["preview_url"], files[0]["download_url"]);
    assert_eq!(files[1]["content_type"], "application/pdf");
    assert_eq!(files[1]["preview_url"], json!(null));
    let pushed = next_of(&mut b, "message").await;
    assert_eq!(pushed["message"]["attachments"], message["attachments"]);
    app.stop().await;
}

both_backends!(a_refused_http_message_keeps_none_of_its_files);
async fn a_refused_http_message_keeps_none_of_its_files(db: Db) {
    let app = TestApp::spawn_with(
        db,
        &[
            ("MAX_ATTACHMENTS_PER_MESSAGE", "2"),
            ("MAX_UPLOAD_SIZE", "1000"),
        ],
    )
    .await;
    let (alice, _, channel) = two_people(&app).await;
    let form = |files: &[&[u8]]| {
        let mut form = reqwest::multipart::Form::new().text("channel_id", channel.to_string());
        for (i, bytes) in files.iter().enumerate() {
            form = form.part(
                "files",
                part(bytes, &format!("{i}.bin"), "application/octet-stream"),
            );
        }
        form
    };
    let too_many = post_files(&app, &alice, form(&[b"a", b"b", b"c"])).await;
    assert_eq!(too_many.status, StatusCode::PAYLOAD_TOO_LARGE, "{db:?}");
    let too_big = post_files(&app, &alice, form(&[b"a", &[0u8; 1001]])).await;
    assert_eq!(
        too_big.json(),
        json!({"detail": "Attachment exceeds allowed size"})
    );
    let bad_parent = post_files(&app, &alice, form(&[b"a"]).text("parent_id", "999999")).await;
    assert_eq!(bad_parent.json(), json!({"detail": "Message not found"}));
    let files_first = reqwest::multipart::Form::new()
        .part("files", part(b"a", "a.bin", "application/octet-stream"))
        .text("channel_id", channel.to_string());
    let refused = post_files(&app, &alice, files_first).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(
        super::files_under(app.media.path()).is_empty(),
        "{db:?}: {:?}",
        super::files_under(app.media.path())
    );
    let (_, history) = app
        .get(&format!("/api/channels/{channel}/history"), &alice)
        .await;
    assert_eq!(history["items"], json!([]));
    app.stop().await;
}

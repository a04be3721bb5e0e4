//! Uploading to a channel and reading back: the contract's shape with the real download route,
//! the type sniffed from the bytes, the size limit, ranges, revalidation and who may read.

use reqwest::StatusCode;
use serde_json::json;

use super::{dimensions, get, png, two_people, upload, uploaded};
use crate::common::{Db, TestApp, both_backends};

both_backends!(an_image_upload_is_read_back_with_its_size_thumbnail_and_cache_headers);
async fn an_image_upload_is_read_back_with_its_size_thumbnail_and_cache_headers(db: Db) {
    let app = TestApp::spawn(db).await;
    let (alice, _, channel) = two_people(&app).await;
    let picture = png(640, 480);

    let reply = upload(&app, &alice, channel, &picture, "cat.png", "image/png").await;
    assert_eq!(
        reply.status,
        StatusCode::CREATED,
        "{db:?}: {}",
        reply.json()
    );
    let a = reply.json();
    let id = a["id"].as_i64().expect("id");
    let download = format!("/api/channels/{channel}/attachments/{id}/download");
    assert_eq!(a["channel_id"], channel);
    assert_eq!(a["message_id"], json!(null));
    assert_eq!(a["file_name"], "cat.png");
    assert_eq!(a["content_type"], "image/png");
    assert_eq!(a["file_size"], picture.len());
    assert_eq!(
        a["download_url"], download,
        "the real route (reference §10)"
    );
    assert_eq!(a["preview_url"], download);
    assert_eq!(
        (a["width"].as_i64(), a["height"].as_i64()),
        (Some(640), Some(480))
    );
    assert!(
        a["uploaded_by"].is_i64() && a["created_at"].is_string(),
        "{a}"
    );

    let whole = get(&app, &download, Some(&alice), &[]).await;
    assert_eq!(whole.status, StatusCode::OK);
    assert_eq!(whole.bytes, picture, "{db:?}: the exact bytes");
    assert_eq!(whole.header("content-type"), "image/png");
    assert!(whole.header("content-disposition").starts_with("inline"));
    assert_eq!(whole.header("x-content-type-options"), "nosniff");
    assert_eq!(whole.header("accept-ranges"), "bytes");
    assert!(whole.header("cache-control").starts_with("private"));
    assert!(!whole.header("last-modified").is_empty());
    let etag = whole.header("etag").to_owned();
    assert!(etag.starts_with('"'), "{etag}");

    let again = get(&app, &download, Some(&alice), &[("if-none-match", &etag)]).await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    assert!(again.bytes.is_empty());

    let part = get(&app, &download, Some(&alice), &[("range", "bytes=10-19")]).await;
    assert_eq!(part.status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(part.bytes, picture[10..20]);
    assert_eq!(
        part.header("content-range"),
        format!("bytes 10-19/{}", picture.len())
    );
    let tail = get(&app, &download, Some(&alice), &[("range", "bytes=-5")]).await;
    assert_eq!(tail.bytes, picture[picture.len() - 5..]);
    let past = format!("bytes={}-", picture.len());
    let beyond = get(&app, &download, Some(&alice), &[("range", &past)]).await;
    assert_eq!(beyond.status, StatusCode::RANGE_NOT_SATISFIABLE);
    assert_eq!(
        beyond.header("content-range"),
        format!("bytes */{}", picture.len())
    );

    let thumb_url = a["thumbnail_url"].as_str().expect("a thumbnail");
    let thumb = get(&app, thumb_url, Some(&alice), &[]).await;
    assert_eq!(thumb.status, StatusCode::OK);
    assert_eq!(thumb.header("content-type"), "image/jpeg");
    assert_eq!(dimensions(&thumb.bytes), (320, 240), "{db:?}");
    app.stop().await;
}

both_backends!(a_file_at_the_limit_is_kept_and_one_byte_more_is_refused_without_a_trace);
async fn a_file_at_the_limit_is_kept_and_one_byte_more_is_refused_without_a_trace(db: Db) {
    let app = TestApp::spawn_with(db, &[("MAX_UPLOAD_SIZE", "20000")]).await;
    let (alice, _, channel) = two_people(&app).await;
    let at_limit = vec![7u8; 20_000];
    let kept = uploaded(&app, &alice, channel, &at_limit, "exact.bin").await;
    assert_eq!(kept["file_size"], 20_000);
    assert_eq!(kept["content_type"], "application/octet-stream");
    assert_eq!(kept["preview_url"], json!(null));

    let over = upload(
        &app,
        &alice,
        channel,
        &[7u8; 20_001],
        "over.bin",
        "text/plain",
    )
    .await;
    assert_eq!(over.status, StatusCode::PAYLOAD_TOO_LARGE, "{db:?}");
    assert_eq!(
        over.json(),
        json!({"detail": "Attachment exceeds allowed size"})
    );
    assert_eq!(
        super::files_under(app.media.path()).len(),
        1,
        "{db:?}: only the kept file is stored"
    );
    app.stop().await;
}

both_backends!(html_or_svg_named_like_an_image_is_text_and_never_shown_inline);
async fn html_or_svg_named_like_an_image_is_text_and_never_shown_inline(db: Db) {
    let app = TestApp::spawn(db).await;
    let (alice, _, channel) = two_people(&app).await;
    let pages: [(&[u8], &str); 3] = [
        (
            b"<html><body><script>alert(document.cookie)</script></body></html>",
            "evil.png",
        ),
        (
            b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>",
            "evil.svg",
        ),
        (
            b"\x89PNG but not really an image, just text after a signature",
            "fake.png",
        ),
    ];
    for (bytes, name) in pages {
        let reply = upload(&app, &alice, channel, bytes, name, "image/png").await;
        assert_eq!(reply.status, StatusCode::CREATED, "{name}");
        let a = reply.json();
        let content_type = a["content_type"].as_str().unwrap_or_default().to_owned();
        assert!(
            !content_type.starts_with("image/") && !content_type.contains("html"),
            "{db:?}: {name} is stored as {content_type}"
        );
        assert_eq!(a["preview_url"], json!(null), "{name}");
        assert_eq!(a["thumbnail_url"], json!(null), "{name}");
        let file = get(&app, a["download_url"].as_str().unwrap(), Some(&alice), &[]).await;
        assert_eq!(file.bytes, bytes, "{name}");
        assert!(
            file.header("content-disposition").starts_with("attachment"),
            "{name}: {}",
            file.header("content-disposition")
        );
        assert!(!file.header("content-type").contains("html"));
        assert!(!file.header("content-type").contains("svg"));
        assert_eq!(file.header("x-content-type-options"), "nosniff");
    }
    app.stop().await;
}

both_backends!(an_unposted_upload_is_its_uploaders_alone_and_strangers_get_nothing);
async fn an_unposted_upload_is_its_uploaders_alone_and_strangers_get_nothing(db: Db) {
    let app = TestApp::spawn(db).await;
    let (alice, bob, channel) = two_people(&app).await;
    let (_, carol) = app.user("carol").await;
    let a = uploaded(&app, &alice, channel, b"notes", "notes.txt").await;
    let id = a["id"].as_i64().unwrap();
    let download = a["download_url"].as_str().unwrap().to_owned();

    let text = get(&app, &download, Some(&alice), &[]).await;
    assert_eq!(text.header("content-type"), "text/plain; charset=utf-8");
    assert!(
        text.header("content-disposition")
            .starts_with("attachment; filename=\"notes.txt\"")
    );

    let member = get(&app, &download, Some(&bob), &[]).await;
    assert_eq!(member.status, StatusCode::NOT_FOUND);
    assert_eq!(
        member.json(),
        json!({"detail": "Attachment not accessible"})
    );
    let stranger = get(&app, &download, Some(&carol), &[]).await;
    assert_eq!(stranger.status, StatusCode::FORBIDDEN, "{db:?}");
    assert_eq!(stranger.json(), json!({"detail": "Not a room member"}));
    let anonymous = get(&app, &download, None, &[]).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    let refused = upload(&app, &carol, channel, b"x", "x.txt", "text/plain").await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    let missing = get(
        &app,
        &format!("/api/channels/{channel}/attachments/{}/download", id + 100),
        Some(&alice),
        &[],
    )
    .await;
    assert_eq!(missing.json(), json!({"detail": "Attachment not found"}));
    let slug = app.room(&alice, "Elsewhere").await;
    let other = app.channel(&alice, &slug, "other", "text").await["id"]
        .as_i64()
        .unwrap();
    let elsewhere = get(
        &app,
        &format!("/api/channels/{other}/attachments/{id}/download"),
        Some(&alice),
        &[],
    )
    .await;
    assert_eq!(elsewhere.json(), json!({"detail": "Attachment not found"}));
    let voice = app.channel(&alice, &slug, "talk", "voice").await["id"]
        .as_i64()
        .unwrap();
    let to_voice = upload(&app, &alice, voice, b"x", "x.txt", "text/plain").await;
    assert_eq!(to_voice.status, StatusCode::BAD_REQUEST);
    let no_channel = upload(&app, &alice, 999_999, b"x", "x.txt", "text/plain").await;
    assert_eq!(no_channel.json(), json!({"detail": "Channel not found"}));
    app.stop().await;
}

both_backends!(an_upload_without_a_file_part_is_a_validation_error);
async fn an_upload_without_a_file_part_is_a_validation_error(db: Db) {
    let app = TestApp::spawn(db).await;
    let (alice, _, channel) = two_people(&app).await;
    let form = reqwest::multipart::Form::new().text("other", "x");
    let res = app
        .client
        .post(app.url(&format!("/api/channels/{channel}/attachments")))
        .bearer_auth(&alice)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let reply = super::raw(res).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reply.json()["detail"][0]["loc"], json!(["body", "file"]));
    app.stop().await;
}

both_backends!(the_hourly_quota_refuses_what_goes_beyond_it);
async fn the_hourly_quota_refuses_what_goes_beyond_it(db: Db) {
    let app = TestApp::spawn_with(db, &[("UPLOAD_QUOTA_BYTES_PER_HOUR", "15000")]).await;
    let (alice, bob, channel) = two_people(&app).await;
    uploaded(&app, &alice, channel, &[1u8; 10_000], "one.bin").await;
    let second = upload(&app, &alice, channel, &[1u8; 10_000], "two.bin", "x/y").await;
    assert_eq!(second.status, StatusCode::TOO_MANY_REQUESTS, "{db:?}");
    assert!(!second.header("retry-after").is_empty());
    // Someone else's allowance is their own.
    uploaded(&app, &bob, channel, &[1u8; 10_000], "bob.bin").await;
    app.stop().await;
}

//! Files on S3-compatible storage (`STORAGE_BACKEND=s3`), against a real S3 server started
//! here: moto's server (Python, `pip install 'moto[server]'`; `scripts/test.sh` installs it).

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::json;

use super::{get, png, two_people, upload, uploaded};
use crate::common::ws::{connect, next_of, send};
use crate::common::{Db, TestApp, both_backends};

/// A moto S3 server on a free port, stopped when dropped.
struct S3Server {
    child: Child,
    endpoint: String,
}

impl S3Server {
    async fn start() -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let child = Command::new("python3")
            .args([
                "-m",
                "moto.server",
                "-H",
                "127.0.0.1",
                "-p",
                &port.to_string(),
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3 with moto[server] must be installed");
        let server = S3Server {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
        };
        // Ready once it answers; then the bucket (moto accepts unsigned requests).
        let client = crate::common::client();
        let give_up = Instant::now() + Duration::from_secs(30);
        loop {
            let made = client
                .put(format!("{}/charge-test", server.endpoint))
                .send()
                .await;
            if made.is_ok_and(|r| r.status().is_success()) {
                break;
            }
            assert!(Instant::now() < give_up, "moto did not start on {port}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        server
    }

    fn settings(&self) -> Vec<(&'static str, String)> {
        vec![
            ("STORAGE_BACKEND", "s3".into()),
            ("S3_ENDPOINT", self.endpoint.clone()),
            ("S3_BUCKET", "charge-test".into()),
            ("S3_ACCESS_KEY_ID", "testing".into()),
            ("S3_SECRET_ACCESS_KEY", "testing".into()),
            ("MAX_UPLOAD_SIZE", "12000000".into()),
        ]
    }

    /// Keys in the bucket (moto answers unsigned listings).
    async fn keys(&self) -> Vec<String> {
        let listing = crate::common::client()
            .get(format!("{}/charge-test?list-type=2", self.endpoint))
            .send()
            .await
            .expect("list")
            .text()
            .await
            .expect("listing");
        listing
            .split("<Key>")
            .skip(1)
            .filter_map(|s| s.split("</Key>").next())
            .map(str::to_owned)
            .collect()
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

both_backends!(files_live_in_an_s3_bucket_when_so_configured);
async fn files_live_in_an_s3_bucket_when_so_configured(db: Db) {
    let s3 = S3Server::start().await;
    let settings = s3.settings();
    let pairs: Vec<(&str, &str)> = settings.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let app = TestApp::spawn_with(db, &pairs).await;
    let (alice, bob, channel) = two_people(&app).await;

    // Larger than one multipart part (5 MiB), so the upload really streams in parts.
    let big: Vec<u8> = (0..11_000_000u32).map(|i| (i % 251) as u8).collect();
    let file = uploaded(&app, &alice, channel, &big, "big.bin").await;
    let picture = png(400, 200);
    let image = uploaded(&app, &alice, channel, &picture, "p.png").await;
    assert_eq!(
        (image["width"].as_i64(), image["height"].as_i64()),
        (Some(400), Some(200))
    );
    assert_eq!(
        s3.keys().await.len(),
        3,
        "{db:?}: two files and a thumbnail in the bucket"
    );
    assert!(
        super::files_under(app.media.path()).is_empty(),
        "nothing on the local disk"
    );

    let url = file["download_url"].as_str().unwrap().to_owned();
    let whole = get(&app, &url, Some(&alice), &[]).await;
    assert_eq!(whole.status, StatusCode::OK);
    assert!(whole.bytes == big, "{db:?}: the same bytes back");
    let part = get(
        &app,
        &url,
        Some(&alice),
        &[("range", "bytes=5242870-5242889")],
    )
    .await;
    assert_eq!(part.status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(part.bytes, big[5_242_870..5_242_890]);
    let thumb = get(
        &app,
        image["thumbnail_url"].as_str().unwrap(),
        Some(&alice),
        &[],
    )
    .await;
    assert_eq!(super::dimensions(&thumb.bytes), (320, 160));

    let too_big = upload(&app, &alice, channel, &vec![0u8; 12_000_001], "x", "x/y").await;
    assert_eq!(too_big.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(
        s3.keys().await.len(),
        3,
        "{db:?}: the refused upload left nothing"
    );

    let mut ws = connect(&app.base, &format!("/ws/text/{channel}?token={alice}")).await;
    next_of(&mut ws, "presence").await;
    send(
        &mut ws,
        json!({"type": "message", "content": "", "attachments": [image["id"]]}),
    )
    .await;
    let message = next_of(&mut ws, "message").await["message"].clone();
    let read = get(
        &app,
        image["download_url"].as_str().unwrap(),
        Some(&bob),
        &[],
    )
    .await;
    assert_eq!(read.bytes, picture);
    let (status, _) = app
        .call(
            Method::DELETE,
            &format!("/api/messages/{}", message["id"]),
            Some(&alice),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        s3.keys().await.len(),
        1,
        "{db:?}: the message's file and thumbnail went"
    );
    app.stop().await;
}

//! Files: attachment uploads and downloads, binding them to messages, their expiry and
//! deletion, avatars, and the same on a real S3 server. Helpers shared by those modules.
#![allow(dead_code)]

mod attachments;
mod avatars;
mod binding;
mod lifecycle;
mod object_storage;

use std::io::Cursor;
use std::path::Path;

use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde_json::Value;

use crate::common::TestApp;

/// A PNG of `width`×`height` (opaque, a gradient so it does not compress to nothing).
pub fn png(width: u32, height: u32) -> Vec<u8> {
    encode(width, height, image::ImageFormat::Png)
}

pub fn jpeg(width: u32, height: u32) -> Vec<u8> {
    encode(width, height, image::ImageFormat::Jpeg)
}

fn encode(width: u32, height: u32, format: image::ImageFormat) -> Vec<u8> {
    let img = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, ((x * y) % 256) as u8])
    });
    let mut out = Vec::new();
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut Cursor::new(&mut out), format)
        .expect("encode");
    out
}

/// The pixel size of an image.
pub fn dimensions(bytes: &[u8]) -> (u32, u32) {
    let img = image::load_from_memory(bytes).expect("an image");
    (img.width(), img.height())
}

/// A reply with its raw bytes.
pub struct Raw {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub bytes: Vec<u8>,
}

impl Raw {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.bytes).unwrap_or(Value::Null)
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }
}

/// A multipart file part.
pub fn part(bytes: &[u8], name: &str, declared: &str) -> reqwest::multipart::Part {
    reqwest::multipart::Part::bytes(bytes.to_vec())
        .file_name(name.to_owned())
        .mime_str(declared)
        .expect("mime")
}

/// `POST /api/channels/{channel}/attachments` with one `file` part.
pub async fn upload(
    app: &TestApp,
    token: &str,
    channel: i64,
    bytes: &[u8],
    name: &str,
    declared: &str,
) -> Raw {
    let form = reqwest::multipart::Form::new().part("file", part(bytes, name, declared));
    let res = app
        .client
        .post(app.url(&format!("/api/channels/{channel}/attachments")))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .expect("upload");
    raw(res).await
}

/// Uploads and asserts 201; the MessageAttachmentRead.
pub async fn uploaded(app: &TestApp, token: &str, channel: i64, bytes: &[u8], name: &str) -> Value {
    let reply = upload(app, token, channel, bytes, name, "application/octet-stream").await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.json());
    reply.json()
}

/// `GET path` with optional bearer token and extra headers.
pub async fn get(app: &TestApp, path: &str, token: Option<&str>, headers: &[(&str, &str)]) -> Raw {
    let mut req = app.client.get(app.url(path));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    for (name, value) in headers {
        req = req.header(*name, *value);
    }
    raw(req.send().await.expect("get")).await
}

pub async fn raw(res: reqwest::Response) -> Raw {
    Raw {
        status: res.status(),
        headers: res.headers().clone(),
        bytes: res.bytes().await.expect("body").to_vec(),
    }
}

/// Every file under `dir` (uploads, thumbnails, avatars).
pub fn files_under(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(
                    path.strip_prefix(dir)
                        .unwrap_or(&path)
                        .display()
                        .to_string(),
                );
            }
        }
    }
    out.sort();
    out
}

/// A room with alice (owner) and bob (member), and its text channel: (alice, bob, channel).
pub async fn two_people(app: &TestApp) -> (String, String, i64) {
    let (_, alice) = app.user("alice").await;
    let (_, bob) = app.user("bob").await;
    let slug = app.room(&alice, "Files").await;
    app.join(&alice, &slug, &bob, "member").await;
    let channel = app.channel(&alice, &slug, "general", "text").await["id"]
        .as_i64()
        .expect("id");
    (alice, bob, channel)
}

//! Moderation (decision 25) and the audit log: kick, leave, bans, timeouts, slow mode, room
//! rename, delete and ownership transfer, each acting at once on open sockets, on one node and
//! across nodes, and each written to the room's audit log.

mod audit;
mod cluster;
mod people;
mod restraints;
mod room;

use reqwest::StatusCode;
use serde_json::Value;

use crate::common::TestApp;
use crate::common::ws::{Ws, next_json};

/// A room with an owner, two admins, a member and a text channel.
pub(crate) struct Cast {
    pub slug: String,
    pub owner: String,
    pub owner_id: i64,
    pub admin: String,
    pub admin_id: i64,
    pub admin2_id: i64,
    pub member: String,
    pub member_id: i64,
    pub channel_id: i64,
}

impl Cast {
    pub async fn new(app: &TestApp) -> Cast {
        let (owner_id, owner) = app.user("olga").await;
        let (admin_id, admin) = app.user("adam").await;
        let (admin2_id, admin2) = app.user("abby").await;
        let (member_id, member) = app.user("mia").await;
        let slug = app.room(&owner, "Guild").await;
        app.join(&owner, &slug, &admin, "admin").await;
        app.join(&owner, &slug, &admin2, "admin").await;
        app.join(&owner, &slug, &member, "member").await;
        let channel = app.channel(&owner, &slug, "general", "text").await;
        Cast {
            slug,
            owner,
            owner_id,
            admin,
            admin_id,
            admin2_id,
            member,
            member_id,
            channel_id: channel["id"].as_i64().expect("channel id"),
        }
    }
}

/// Reads frames until one satisfies `pred` (each read is bounded by the harness's wait).
pub(crate) async fn frame_where(ws: &mut Ws, what: &str, pred: impl Fn(&Value) -> bool) -> Value {
    for _ in 0..200 {
        let frame = next_json(ws).await;
        if pred(&frame) {
            return frame;
        }
    }
    panic!("no frame for {what}");
}

/// The user ids in a `members` list.
pub(crate) fn member_ids(frame: &Value) -> Vec<i64> {
    let mut ids: Vec<i64> = frame["members"]
        .as_array()
        .map(|a| a.iter().filter_map(|m| m["user_id"].as_i64()).collect())
        .unwrap_or_default();
    ids.sort_unstable();
    ids
}

/// GET a room's detail as `token`; the status alone.
pub(crate) async fn room_status(app: &TestApp, slug: &str, token: &str) -> StatusCode {
    app.get(&format!("/api/rooms/{slug}"), token).await.0
}

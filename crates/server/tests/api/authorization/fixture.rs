//! The matrix's fixture: one room with a caller of every kind, and each route sent as one of
//! them after creating whatever that cell consumes (a channel to delete, an invitation to
//! revoke…).

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::{Route, Who};
use crate::common::{Reply, TestApp};

/// One room with a member of every role, an outsider, a text channel with a message and a
/// guest whose role the PATCH cells change.
pub(super) struct Fixture {
    pub(super) slug: String,
    pub(super) owner: String,
    pub(super) admin: String,
    pub(super) member: String,
    pub(super) guest: String,
    pub(super) outsider: String,
    pub(super) target_id: i64,
    pub(super) target: String,
    pub(super) channel_id: i64,
    pub(super) strangers: u32,
    pub(super) categories: u32,
    /// People made for the cells that use someone up (kicked, banned, timed out).
    pub(super) extras: u32,
}

impl Fixture {
    pub(super) async fn new(app: &TestApp) -> Self {
        let (_, owner) = app.user("owner").await;
        let (_, admin) = app.user("admin").await;
        let (_, member) = app.user("member").await;
        let (_, guest) = app.user("guest").await;
        let (_, outsider) = app.user("outsider").await;
        let (target_id, target) = app.user("target").await;
        let slug = app.room(&owner, "Matrix").await;
        app.join(&owner, &slug, &admin, "admin").await;
        app.join(&owner, &slug, &member, "member").await;
        app.join(&owner, &slug, &guest, "guest").await;
        app.join(&owner, &slug, &target, "guest").await;
        let channel = app.channel(&owner, &slug, "general", "text").await;
        let channel_id = channel["id"].as_i64().expect("channel id");
        app.message(&owner, channel_id, "hello").await;
        Fixture {
            slug,
            owner,
            admin,
            member,
            guest,
            outsider,
            target_id,
            target,
            channel_id,
            strangers: 0,
            categories: 0,
            extras: 0,
        }
    }

    fn token(&self, who: Who) -> Option<String> {
        match who {
            Who::Anonymous => None,
            Who::NonMember => Some(self.outsider.clone()),
            Who::Guest => Some(self.guest.clone()),
            Who::Member => Some(self.member.clone()),
            Who::Admin => Some(self.admin.clone()),
            Who::Owner => Some(self.owner.clone()),
        }
    }

    /// An invitation of the fixture room made by the owner; returns (id, code).
    async fn invitation(&self, app: &TestApp, role: &str) -> (i64, String) {
        let reply = app
            .send(
                Method::POST,
                &format!("/api/rooms/{}/invitations", self.slug),
                Some(&self.owner),
                Some(json!({ "role": role })),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
        (
            reply.body["id"].as_i64().expect("invitation id"),
            reply.body["code"].as_str().expect("code").to_owned(),
        )
    }

    /// A fresh user; with `joined`, a guest of the fixture room. Returns their id.
    async fn extra(&mut self, app: &TestApp, joined: bool) -> i64 {
        self.extras += 1;
        let (id, token) = app.user(&format!("extra{}", self.extras)).await;
        if joined {
            app.join(&self.owner, &self.slug, &token, "guest").await;
        }
        id
    }

    /// A room of its own for a cell that would use the fixture room up (leaving, deleting,
    /// handing over): a fresh owner's room where the caller holds the same role as in the
    /// fixture room (an owner is a second owner). Returns (slug, title, the owner's id).
    async fn side_room(&mut self, app: &TestApp, who: Who) -> (String, String, i64) {
        self.extras += 1;
        let (landlord_id, landlord) = app.user(&format!("landlord{}", self.extras)).await;
        let title = format!("Side {}", self.extras);
        let slug = app.room(&landlord, &title).await;
        let role = match who {
            Who::Guest => Some("guest"),
            Who::Member => Some("member"),
            Who::Admin => Some("admin"),
            Who::Owner => Some("owner"),
            Who::Anonymous | Who::NonMember => None,
        };
        if let (Some(role), Some(token)) = (role, self.token(who)) {
            app.join(&landlord, &slug, &token, role).await;
        }
        (slug, title, landlord_id)
    }

    /// Sends `route` as `who`, creating whatever the cell consumes first.
    pub(super) async fn call(&mut self, app: &TestApp, route: Route, who: Who) -> Reply {
        let mut token = self.token(who);
        let slug = self.slug.clone();
        let (method, path, body): (Method, String, Option<Value>) = match route {
            Route::ListRooms => (Method::GET, "/api/rooms".into(), None),
            Route::CreateRoom => (
                Method::POST,
                "/api/rooms".into(),
                Some(json!({"title": "Elsewhere"})),
            ),
            Route::GetRoom => (Method::GET, format!("/api/rooms/{slug}"), None),
            Route::CreateChannel => (
                Method::POST,
                format!("/api/rooms/{slug}/channels"),
                Some(json!({"name": "new", "type": "text"})),
            ),
            Route::DeleteChannel => {
                let channel = app.channel(&self.owner, &slug, "doomed", "voice").await;
                let letter = channel["letter"].as_str().expect("letter").to_owned();
                (
                    Method::DELETE,
                    format!("/api/rooms/{slug}/channels/{letter}"),
                    None,
                )
            }
            Route::ListRoomInvitations => {
                (Method::GET, format!("/api/rooms/{slug}/invitations"), None)
            }
            Route::CreateRoomInvitation => (
                Method::POST,
                format!("/api/rooms/{slug}/invitations"),
                Some(json!({"role": "guest"})),
            ),
            Route::DeleteRoomInvitation => {
                let (id, _) = self.invitation(app, "guest").await;
                (
                    Method::DELETE,
                    format!("/api/rooms/{slug}/invitations/{id}"),
                    None,
                )
            }
            Route::UpdateMember => (
                Method::PATCH,
                format!("/api/rooms/{slug}/members/{}", self.target_id),
                Some(json!({"role": "member"})),
            ),
            Route::ListInvites => (Method::GET, format!("/api/invites?room={slug}"), None),
            Route::CreateInvite => (
                Method::POST,
                "/api/invites".into(),
                Some(json!({"room_slug": slug, "role": "guest"})),
            ),
            Route::DeleteInvite => {
                let (id, _) = self.invitation(app, "guest").await;
                (
                    Method::DELETE,
                    format!("/api/invites/{id}?room={slug}"),
                    None,
                )
            }
            Route::AcceptInvite => {
                // Accepting makes a non-member a member, so that cell uses a fresh person.
                if who == Who::NonMember {
                    self.strangers += 1;
                    token = Some(app.user(&format!("stranger{}", self.strangers)).await.1);
                }
                let (_, code) = self.invitation(app, "guest").await;
                (Method::POST, format!("/api/invites/{code}"), None)
            }
            Route::EditMessage | Route::DeleteMessage | Route::ModerateMessage => {
                let message = app
                    .message(&self.target, self.channel_id, "by the target")
                    .await;
                let id = message["id"].as_i64().expect("message id");
                match route {
                    Route::EditMessage => (
                        Method::PATCH,
                        format!("/api/messages/{id}"),
                        Some(json!({"content": "edited"})),
                    ),
                    Route::DeleteMessage => (Method::DELETE, format!("/api/messages/{id}"), None),
                    _ => (
                        Method::POST,
                        format!("/api/messages/{id}/moderate"),
                        Some(json!({"action": "suppress", "note": "off topic"})),
                    ),
                }
            }
            Route::AddReaction | Route::RemoveReaction => {
                let message = app
                    .message(&self.owner, self.channel_id, "react to me")
                    .await;
                let id = message["id"].as_i64().expect("message id");
                let path = format!("/api/channels/{}/messages/{id}/reactions", self.channel_id);
                if route == Route::AddReaction {
                    (Method::POST, path, Some(json!({"emoji": "🔥"})))
                } else {
                    // The caller's own reaction, added first (by the owner for cells that
                    // cannot add one themselves, which then fail before looking for it).
                    let adder = token.clone().unwrap_or_else(|| self.owner.clone());
                    let added = app
                        .send(
                            Method::POST,
                            &path,
                            Some(&adder),
                            Some(json!({"emoji": "🔥"})),
                        )
                        .await;
                    let _ = added;
                    (Method::DELETE, format!("{path}?emoji=%F0%9F%94%A5"), None)
                }
            }
            Route::History => (
                Method::GET,
                format!("/api/channels/{}/history", self.channel_id),
                None,
            ),
            Route::ListCategories
            | Route::CreateCategory
            | Route::UpdateCategory
            | Route::DeleteCategory => {
                self.categories += 1;
                let path = format!("/api/rooms/{slug}/categories");
                let name = format!("category {}", self.categories);
                if route == Route::CreateCategory {
                    (Method::POST, path, Some(json!({ "name": name })))
                } else {
                    let made = app
                        .send(
                            Method::POST,
                            &path,
                            Some(&self.owner),
                            Some(json!({ "name": name })),
                        )
                        .await;
                    assert_eq!(made.status, StatusCode::CREATED, "{}", made.text);
                    let id = made.body["id"].as_i64().expect("category id");
                    match route {
                        Route::ListCategories => (Method::GET, path, None),
                        Route::UpdateCategory => (
                            Method::PATCH,
                            format!("{path}/{id}"),
                            Some(json!({"name": format!("{name} renamed")})),
                        ),
                        _ => (Method::DELETE, format!("{path}/{id}"), None),
                    }
                }
            }
            Route::GetProfile => (Method::GET, "/api/profile/me".into(), None),
            Route::GetChannelPermissions => (
                Method::GET,
                format!("/api/channels/{}/permissions", self.channel_id),
                None,
            ),
            Route::PutRoleOverwrite | Route::DeleteRoleOverwrite => {
                // The owner role's overwrite changes nothing (decision 24).
                let path = format!("/api/channels/{}/permissions/roles/owner", self.channel_id);
                if route == Route::PutRoleOverwrite {
                    (Method::PUT, path, Some(json!({"allow": [], "deny": []})))
                } else {
                    (Method::DELETE, path, None)
                }
            }
            Route::PutUserOverwrite | Route::DeleteUserOverwrite => {
                let path = format!(
                    "/api/channels/{}/permissions/users/{}",
                    self.channel_id, self.target_id
                );
                if route == Route::PutUserOverwrite {
                    (Method::PUT, path, Some(json!({})))
                } else {
                    (Method::DELETE, path, None)
                }
            }
            Route::GetRoleHierarchy => (
                Method::GET,
                format!("/api/rooms/{slug}/roles/hierarchy"),
                None,
            ),
            Route::UpdateRoleLevel => (
                Method::PATCH,
                format!("/api/rooms/{slug}/roles/hierarchy/guest"),
                Some(json!({"level": 100})),
            ),
            Route::ListMembers => (Method::GET, format!("/api/rooms/{slug}/members"), None),
            Route::UpdateProfile => (
                Method::PATCH,
                "/api/profile".into(),
                Some(json!({"status": "idle"})),
            ),
            Route::UpdateChannel => (
                Method::PATCH,
                format!("/api/channels/{}", self.channel_id),
                Some(json!({"name": "general"})),
            ),
            Route::ReorderChannels => (
                Method::POST,
                format!("/api/rooms/{slug}/channels/reorder"),
                Some(
                    json!({"channels": [{"id": self.channel_id, "category_id": null, "position": 0}]}),
                ),
            ),
            Route::ReorderCategories => {
                self.categories += 1;
                let path = format!("/api/rooms/{slug}/categories");
                let made = app
                    .send(
                        Method::POST,
                        &path,
                        Some(&self.owner),
                        Some(json!({ "name": format!("category {}", self.categories) })),
                    )
                    .await;
                assert_eq!(made.status, StatusCode::CREATED, "{}", made.text);
                let id = made.body["id"].as_i64().expect("category id");
                (
                    Method::POST,
                    format!("{path}/reorder"),
                    Some(json!({"categories": [{"id": id, "position": 7}]})),
                )
            }
            Route::Search => (
                Method::GET,
                format!("/api/channels/{}/search?query=hello", self.channel_id),
                None,
            ),
            Route::Thread | Route::ListPins | Route::Pin | Route::Unpin => {
                let message = app.message(&self.owner, self.channel_id, "pin me").await;
                let id = message["id"].as_i64().expect("message id");
                let pins = format!("/api/channels/{}/pins", self.channel_id);
                if matches!(route, Route::ListPins | Route::Unpin) {
                    let pinned = app
                        .send(
                            Method::POST,
                            &format!("{pins}/{id}"),
                            Some(&self.owner),
                            Some(json!({})),
                        )
                        .await;
                    assert_eq!(pinned.status, StatusCode::CREATED, "{}", pinned.text);
                }
                match route {
                    Route::Thread => (
                        Method::GET,
                        format!("/api/channels/{}/threads/{id}", self.channel_id),
                        None,
                    ),
                    Route::ListPins => (Method::GET, pins, None),
                    Route::Pin => (
                        Method::POST,
                        format!("{pins}/{id}"),
                        Some(json!({"note": "keep"})),
                    ),
                    _ => (Method::DELETE, format!("{pins}/{id}"), None),
                }
            }
            Route::KickMember => {
                let id = self.extra(app, true).await;
                (
                    Method::DELETE,
                    format!("/api/rooms/{slug}/members/{id}"),
                    None,
                )
            }
            Route::LeaveRoom => {
                let (side, _, _) = self.side_room(app, who).await;
                (Method::POST, format!("/api/rooms/{side}/leave"), None)
            }
            Route::ListBans => (Method::GET, format!("/api/rooms/{slug}/bans"), None),
            Route::BanUser => {
                let id = self.extra(app, false).await;
                (
                    Method::PUT,
                    format!("/api/rooms/{slug}/bans/{id}"),
                    Some(json!({})),
                )
            }
            Route::UnbanUser => {
                let id = self.extra(app, false).await;
                let path = format!("/api/rooms/{slug}/bans/{id}");
                let banned = app
                    .send(Method::PUT, &path, Some(&self.owner), Some(json!({})))
                    .await;
                assert_eq!(banned.status, StatusCode::CREATED, "{}", banned.text);
                (Method::DELETE, path, None)
            }
            Route::TimeoutMember => {
                let id = self.extra(app, true).await;
                let until = (chrono::Utc::now() + chrono::Duration::minutes(5)).to_rfc3339();
                (
                    Method::PUT,
                    format!("/api/rooms/{slug}/members/{id}/timeout"),
                    Some(json!({ "until": until })),
                )
            }
            Route::RenameRoom => (
                Method::PATCH,
                format!("/api/rooms/{slug}"),
                Some(json!({"title": "Matrix"})),
            ),
            Route::DeleteRoom => {
                let (side, title, _) = self.side_room(app, who).await;
                (
                    Method::DELETE,
                    format!("/api/rooms/{side}"),
                    Some(json!({ "confirm": title })),
                )
            }
            Route::TransferOwnership => {
                let (side, _, landlord) = self.side_room(app, who).await;
                (
                    Method::POST,
                    format!("/api/rooms/{side}/transfer-ownership"),
                    Some(json!({ "user_id": landlord })),
                )
            }
            Route::SetSlowMode => (
                Method::PUT,
                format!("/api/channels/{}/slow-mode", self.channel_id),
                Some(json!({"seconds": 0})),
            ),
            Route::AuditLog => (Method::GET, format!("/api/rooms/{slug}/audit-log"), None),
            Route::ReadStates => (Method::GET, "/api/read-states".into(), None),
            Route::MarkRead => (
                Method::POST,
                format!("/api/channels/{}/read", self.channel_id),
                Some(json!({})),
            ),
            Route::Receipt => {
                let message = app
                    .message(&self.owner, self.channel_id, "receipt me")
                    .await;
                let id = message["id"].as_i64().expect("message id");
                (
                    Method::POST,
                    format!("/api/channels/{}/messages/{id}/receipts", self.channel_id),
                    Some(json!({"read": true})),
                )
            }
            Route::PostMessage => {
                let channel = self.channel_id.to_string();
                return app
                    .post_message(
                        token.as_deref(),
                        &[("channel_id", &channel), ("content", "hi")],
                    )
                    .await;
            }
        };
        app.send(method, &path, token.as_deref(), body).await
    }
}

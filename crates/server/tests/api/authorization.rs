//! Who may call what: every room-related route × {anonymous, non-member, guest, member, admin,
//! owner}, with the status and `detail` the contract gives for each cell. Each cell gets its
//! own resources (a channel to delete, an invitation to revoke…) so cells never depend on the
//! order they run in.

mod common;

use common::{Reply, TestApp, backends};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Anonymous,
    NonMember,
    Guest,
    Member,
    Admin,
    Owner,
}

const EVERYONE: [Who; 6] = [
    Who::Anonymous,
    Who::NonMember,
    Who::Guest,
    Who::Member,
    Who::Admin,
    Who::Owner,
];

/// What a cell must answer.
#[derive(Debug, Clone, Copy)]
enum Expect {
    /// The given success status.
    Ok(u16),
    /// 401 "Not authenticated" with `WWW-Authenticate: Bearer`.
    Anon,
    /// 403 "Not a room member".
    NotMember,
    /// 403 "Insufficient permissions".
    Insufficient,
}

use Expect::{Anon, Insufficient, NotMember, Ok};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Route {
    ListRooms,
    CreateRoom,
    GetRoom,
    CreateChannel,
    DeleteChannel,
    ListRoomInvitations,
    CreateRoomInvitation,
    DeleteRoomInvitation,
    UpdateMember,
    ListInvites,
    CreateInvite,
    DeleteInvite,
    AcceptInvite,
    History,
    PostMessage,
    EditMessage,
    DeleteMessage,
    ModerateMessage,
    AddReaction,
    RemoveReaction,
    Thread,
    Search,
    ListPins,
    Pin,
    Unpin,
    ListCategories,
    CreateCategory,
    UpdateCategory,
    DeleteCategory,
    UpdateChannel,
    ReorderChannels,
    ReorderCategories,
    GetProfile,
    UpdateProfile,
}

/// The matrix. Columns: anonymous, non-member, guest, member, admin, owner.
#[rustfmt::skip]
const MATRIX: &[(Route, [Expect; 6])] = &[
    (Route::ListRooms,            [Anon, Ok(200),   Ok(200),      Ok(200),      Ok(200), Ok(200)]),
    (Route::CreateRoom,           [Anon, Ok(201),   Ok(201),      Ok(201),      Ok(201), Ok(201)]),
    (Route::GetRoom,              [Anon, NotMember, Ok(200),      Ok(200),      Ok(200), Ok(200)]),
    (Route::CreateChannel,        [Anon, NotMember, Insufficient, Insufficient, Ok(201), Ok(201)]),
    (Route::DeleteChannel,        [Anon, NotMember, Insufficient, Insufficient, Ok(204), Ok(204)]),
    (Route::ListRoomInvitations,  [Anon, NotMember, Insufficient, Insufficient, Ok(200), Ok(200)]),
    (Route::CreateRoomInvitation, [Anon, NotMember, Insufficient, Insufficient, Ok(201), Ok(201)]),
    (Route::DeleteRoomInvitation, [Anon, NotMember, Insufficient, Insufficient, Ok(204), Ok(204)]),
    (Route::UpdateMember,         [Anon, NotMember, Insufficient, Insufficient, Ok(200), Ok(200)]),
    (Route::ListInvites,          [Anon, NotMember, Insufficient, Insufficient, Ok(200), Ok(200)]),
    (Route::CreateInvite,         [Anon, NotMember, Insufficient, Insufficient, Ok(201), Ok(201)]),
    (Route::DeleteInvite,         [Anon, NotMember, Insufficient, Insufficient, Ok(204), Ok(204)]),
    (Route::AcceptInvite,         [Anon, Ok(200),   Ok(200),      Ok(200),      Ok(200), Ok(200)]),
    (Route::History,              [Anon, NotMember, Ok(200),      Ok(200),      Ok(200), Ok(200)]),
    (Route::PostMessage,          [Anon, NotMember, Ok(201),      Ok(201),      Ok(201), Ok(201)]),
    // Another person's message: only admins and owners may edit, delete or moderate it.
    (Route::EditMessage,          [Anon, NotMember, Insufficient, Insufficient, Ok(200), Ok(200)]),
    (Route::DeleteMessage,        [Anon, NotMember, Insufficient, Insufficient, Ok(200), Ok(200)]),
    (Route::ModerateMessage,      [Anon, NotMember, Insufficient, Insufficient, Ok(200), Ok(200)]),
    // Any member may react and remove their own reaction.
    (Route::AddReaction,          [Anon, NotMember, Ok(201),      Ok(201),      Ok(201), Ok(201)]),
    (Route::RemoveReaction,       [Anon, NotMember, Ok(200),      Ok(200),      Ok(200), Ok(200)]),
    (Route::Thread,               [Anon, NotMember, Ok(200),      Ok(200),      Ok(200), Ok(200)]),
    (Route::Search,               [Anon, NotMember, Ok(200),      Ok(200),      Ok(200), Ok(200)]),
    // Every member sees the pins; only admins and owners change them.
    (Route::ListPins,             [Anon, NotMember, Ok(200),      Ok(200),      Ok(200), Ok(200)]),
    (Route::Pin,                  [Anon, NotMember, Insufficient, Insufficient, Ok(201), Ok(201)]),
    (Route::Unpin,                [Anon, NotMember, Insufficient, Insufficient, Ok(204), Ok(204)]),
    (Route::ListCategories,       [Anon, NotMember, Ok(200),      Ok(200),      Ok(200), Ok(200)]),
    (Route::CreateCategory,       [Anon, NotMember, Insufficient, Insufficient, Ok(201), Ok(201)]),
    (Route::UpdateCategory,       [Anon, NotMember, Insufficient, Insufficient, Ok(200), Ok(200)]),
    (Route::DeleteCategory,       [Anon, NotMember, Insufficient, Insufficient, Ok(204), Ok(204)]),
    (Route::UpdateChannel,        [Anon, NotMember, Insufficient, Insufficient, Ok(200), Ok(200)]),
    (Route::ReorderChannels,      [Anon, NotMember, Insufficient, Insufficient, Ok(204), Ok(204)]),
    (Route::ReorderCategories,    [Anon, NotMember, Insufficient, Insufficient, Ok(204), Ok(204)]),
    // Everyone signed in has a profile of their own.
    (Route::GetProfile,           [Anon, Ok(200),   Ok(200),      Ok(200),      Ok(200), Ok(200)]),
    (Route::UpdateProfile,        [Anon, Ok(200),   Ok(200),      Ok(200),      Ok(200), Ok(200)]),
];

/// One room with a member of every role, an outsider, a text channel with a message and a
/// guest whose role the PATCH cells change.
struct Fixture {
    slug: String,
    owner: String,
    admin: String,
    member: String,
    guest: String,
    outsider: String,
    target_id: i64,
    target: String,
    channel_id: i64,
    strangers: u32,
    categories: u32,
}

impl Fixture {
    async fn new(app: &TestApp) -> Self {
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

    /// Sends `route` as `who`, creating whatever the cell consumes first.
    async fn call(&mut self, app: &TestApp, route: Route, who: Who) -> Reply {
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

/// Checks that a successful answer carries what the route promises to that caller.
fn check_success(route: Route, who: Who, fx: &Fixture, reply: &Reply) {
    let body = &reply.body;
    let in_list = |v: &Value| {
        v.as_array()
            .is_some_and(|a| a.iter().any(|r| r["slug"] == fx.slug.as_str()))
    };
    match route {
        Route::ListRooms => {
            assert_eq!(
                in_list(body),
                who != Who::NonMember,
                "room listed for {who:?}: {body}"
            );
        }
        Route::CreateRoom => assert_eq!(body["title"], "Elsewhere"),
        Route::GetRoom => {
            assert_eq!(body["slug"], fx.slug.as_str());
            let sees_codes = matches!(who, Who::Admin | Who::Owner);
            let invitations = body["invitations"].as_array().expect("invitations");
            assert_eq!(
                !invitations.is_empty(),
                sees_codes,
                "invitation codes shown to {who:?}"
            );
        }
        Route::CreateChannel => assert_eq!(body["name"], "new"),
        Route::DeleteChannel | Route::DeleteRoomInvitation | Route::DeleteInvite => {
            assert!(reply.text.is_empty(), "204 has no body: {:?}", reply.text);
        }
        Route::ListRoomInvitations | Route::ListInvites => {
            assert!(body.as_array().is_some_and(|a| !a.is_empty()), "{body}");
        }
        Route::CreateRoomInvitation | Route::CreateInvite => {
            assert_eq!(body["role"], "guest");
            assert_eq!(body["code"].as_str().map(str::len), Some(11), "{body}");
        }
        Route::UpdateMember => assert_eq!(body, &json!({"role": "member"})),
        Route::AcceptInvite => {
            let expected = match who {
                Who::NonMember | Who::Guest => "guest",
                Who::Member => "member",
                Who::Admin => "admin",
                Who::Owner => "owner",
                Who::Anonymous => unreachable!("anonymous cells never succeed"),
            };
            assert_eq!(
                body["current_role"], expected,
                "a guest invitation never downgrades"
            );
        }
        Route::History => {
            assert!(
                body["items"].as_array().is_some_and(|a| !a.is_empty()),
                "{body}"
            );
        }
        Route::PostMessage => assert_eq!(body["content"], "hi"),
        Route::EditMessage => {
            assert_eq!(body["content"], "edited");
            assert!(body["edited_at"].is_string(), "{body}");
        }
        Route::DeleteMessage => assert!(body["deleted_at"].is_string(), "{body}"),
        Route::ModerateMessage => {
            assert!(body["moderated_at"].is_string(), "{body}");
            assert_eq!(body["moderation_note"], "off topic");
        }
        Route::AddReaction => {
            assert_eq!(body["reactions"][0]["emoji"], "🔥", "{body}");
            assert_eq!(body["reactions"][0]["reacted"], true, "{body}");
        }
        Route::RemoveReaction => assert_eq!(body["reactions"], json!([]), "{body}"),
        Route::Thread => assert_eq!(body[0]["content"], "pin me", "{body}"),
        Route::Search => assert_eq!(body[0]["content"], "hello", "{body}"),
        Route::ListPins => {
            assert_eq!(body[0]["message"]["content"], "pin me", "{body}");
            assert!(body[0]["message"]["pinned_at"].is_string(), "{body}");
        }
        Route::Pin => {
            assert_eq!(body["note"], "keep", "{body}");
            assert_eq!(body["message"]["content"], "pin me", "{body}");
            assert_eq!(body["pinned_at"], body["message"]["pinned_at"], "{body}");
        }
        Route::UpdateChannel => assert_eq!(body["name"], "general", "{body}"),
        Route::GetProfile => assert!(body["login"].is_string(), "{body}"),
        Route::UpdateProfile => assert_eq!(body["status"], "idle", "{body}"),
        Route::Unpin
        | Route::DeleteCategory
        | Route::ReorderChannels
        | Route::ReorderCategories => {
            assert!(reply.text.is_empty(), "204 has no body: {:?}", reply.text);
        }
        Route::ListCategories => assert!(body.as_array().is_some_and(|a| !a.is_empty()), "{body}"),
        Route::CreateCategory => {
            assert!(
                body["name"]
                    .as_str()
                    .is_some_and(|n| n.starts_with("category ")),
                "{body}"
            );
        }
        Route::UpdateCategory => {
            assert!(
                body["name"]
                    .as_str()
                    .is_some_and(|n| n.ends_with(" renamed")),
                "{body}"
            );
        }
    }
}

fn check_cell(route: Route, who: Who, expect: Expect, fx: &Fixture, reply: &Reply) {
    let cell = format!("{route:?} as {who:?}");
    match expect {
        Ok(status) => {
            assert_eq!(reply.status.as_u16(), status, "{cell}: {}", reply.text);
            check_success(route, who, fx, reply);
        }
        Anon => {
            assert_eq!(
                reply.status,
                StatusCode::UNAUTHORIZED,
                "{cell}: {}",
                reply.text
            );
            assert_eq!(reply.body, json!({"detail": "Not authenticated"}), "{cell}");
            assert_eq!(
                reply
                    .headers
                    .get("www-authenticate")
                    .and_then(|v| v.to_str().ok()),
                Some("Bearer"),
                "{cell}"
            );
        }
        NotMember => {
            assert_eq!(
                reply.status,
                StatusCode::FORBIDDEN,
                "{cell}: {}",
                reply.text
            );
            assert_eq!(reply.body, json!({"detail": "Not a room member"}), "{cell}");
        }
        Insufficient => {
            assert_eq!(
                reply.status,
                StatusCode::FORBIDDEN,
                "{cell}: {}",
                reply.text
            );
            assert_eq!(
                reply.body,
                json!({"detail": "Insufficient permissions"}),
                "{cell}"
            );
        }
    }
}

#[tokio::test]
async fn every_route_answers_each_kind_of_caller_as_the_contract_says() {
    for db in backends() {
        let app = TestApp::spawn(db).await;
        let mut fx = Fixture::new(&app).await;
        for (route, row) in MATRIX {
            for (who, expect) in EVERYONE.iter().zip(row) {
                let reply = fx.call(&app, *route, *who).await;
                check_cell(*route, *who, *expect, &fx, &reply);
            }
        }
        app.stop().await;
    }
}

impl Route {
    /// The route as the OpenAPI document names it.
    fn template(self) -> (&'static str, &'static str) {
        match self {
            Route::ListRooms => ("get", "/api/rooms"),
            Route::CreateRoom => ("post", "/api/rooms"),
            Route::GetRoom => ("get", "/api/rooms/{slug}"),
            Route::CreateChannel => ("post", "/api/rooms/{slug}/channels"),
            Route::DeleteChannel => ("delete", "/api/rooms/{slug}/channels/{letter}"),
            Route::ListRoomInvitations => ("get", "/api/rooms/{slug}/invitations"),
            Route::CreateRoomInvitation => ("post", "/api/rooms/{slug}/invitations"),
            Route::DeleteRoomInvitation => {
                ("delete", "/api/rooms/{slug}/invitations/{invitation_id}")
            }
            Route::UpdateMember => ("patch", "/api/rooms/{slug}/members/{user_id}"),
            Route::ListInvites => ("get", "/api/invites"),
            Route::CreateInvite => ("post", "/api/invites"),
            Route::DeleteInvite => ("delete", "/api/invites/{invitation_id}"),
            Route::AcceptInvite => ("post", "/api/invites/{code}"),
            Route::History => ("get", "/api/channels/{channel_id}/history"),
            Route::PostMessage => ("post", "/api/messages"),
            Route::EditMessage => ("patch", "/api/messages/{message_id}"),
            Route::DeleteMessage => ("delete", "/api/messages/{message_id}"),
            Route::ModerateMessage => ("post", "/api/messages/{message_id}/moderate"),
            Route::AddReaction => (
                "post",
                "/api/channels/{channel_id}/messages/{message_id}/reactions",
            ),
            Route::RemoveReaction => (
                "delete",
                "/api/channels/{channel_id}/messages/{message_id}/reactions",
            ),
            Route::Thread => ("get", "/api/channels/{channel_id}/threads/{message_id}"),
            Route::Search => ("get", "/api/channels/{channel_id}/search"),
            Route::ListPins => ("get", "/api/channels/{channel_id}/pins"),
            Route::Pin => ("post", "/api/channels/{channel_id}/pins/{message_id}"),
            Route::Unpin => ("delete", "/api/channels/{channel_id}/pins/{message_id}"),
            Route::ListCategories => ("get", "/api/rooms/{slug}/categories"),
            Route::CreateCategory => ("post", "/api/rooms/{slug}/categories"),
            Route::UpdateCategory => ("patch", "/api/rooms/{slug}/categories/{category_id}"),
            Route::DeleteCategory => ("delete", "/api/rooms/{slug}/categories/{category_id}"),
            Route::UpdateChannel => ("patch", "/api/channels/{channel_id}"),
            Route::GetProfile => ("get", "/api/profile/me"),
            Route::UpdateProfile => ("patch", "/api/profile"),
            Route::ReorderChannels => ("post", "/api/rooms/{slug}/channels/reorder"),
            Route::ReorderCategories => ("post", "/api/rooms/{slug}/categories/reorder"),
        }
    }
}

#[tokio::test]
async fn the_matrix_has_a_row_for_every_authenticated_route_the_server_documents() {
    let app = TestApp::spawn(common::Db::Sqlite).await;
    let reply = app.send(Method::GET, "/openapi.json", None, None).await;
    assert_eq!(reply.status, StatusCode::OK);
    let mut documented: Vec<(String, String)> = Vec::new();
    for (path, item) in reply.body["paths"].as_object().expect("paths") {
        let public = path == "/api/"
            || path == "/api"
            || path.starts_with("/api/auth/")
            || path.starts_with("/api/config/");
        if !path.starts_with("/api") || public {
            continue;
        }
        for method in item.as_object().expect("path item").keys() {
            documented.push((method.clone(), path.clone()));
        }
    }
    documented.sort();
    let mut covered: Vec<(String, String)> = MATRIX
        .iter()
        .map(|(r, _)| r.template())
        .map(|(m, p)| (m.to_owned(), p.to_owned()))
        .collect();
    covered.sort();
    covered.dedup();
    assert_eq!(
        covered.len(),
        MATRIX.len(),
        "a route appears twice in the matrix"
    );
    // Routes added later (profile, friends…) need rows of their own; fail until they have them.
    let missing: Vec<_> = documented.iter().filter(|d| !covered.contains(d)).collect();
    assert!(
        missing.is_empty(),
        "routes without a matrix row: {missing:?}"
    );
    let undocumented: Vec<_> = covered.iter().filter(|c| !documented.contains(c)).collect();
    assert!(
        undocumented.is_empty(),
        "matrix rows the server does not document: {undocumented:?}"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_non_member_gets_not_found_before_forbidden_for_a_room_that_does_not_exist() {
    for db in backends() {
        let app = TestApp::spawn(db).await;
        let (_, someone) = app.user("someone").await;
        for (method, path, body) in [
            (Method::GET, "/api/rooms/nowhere", None),
            (
                Method::POST,
                "/api/rooms/nowhere/channels",
                Some(json!({"name": "x", "type": "text"})),
            ),
            (Method::DELETE, "/api/rooms/nowhere/channels/A", None),
            (Method::GET, "/api/rooms/nowhere/invitations", None),
            (
                Method::POST,
                "/api/rooms/nowhere/invitations",
                Some(json!({})),
            ),
            (Method::DELETE, "/api/rooms/nowhere/invitations/1", None),
            (
                Method::PATCH,
                "/api/rooms/nowhere/members/1",
                Some(json!({"role": "guest"})),
            ),
            (Method::GET, "/api/invites?room=nowhere", None),
            (
                Method::POST,
                "/api/invites",
                Some(json!({"room_slug": "nowhere"})),
            ),
            (Method::DELETE, "/api/invites/1?room=nowhere", None),
        ] {
            let reply = app.send(method.clone(), path, Some(&someone), body).await;
            assert_eq!(
                reply.status,
                StatusCode::NOT_FOUND,
                "{method} {path}: {}",
                reply.text
            );
            assert_eq!(
                reply.body,
                json!({"detail": "Room not found"}),
                "{method} {path}"
            );
        }
        let channel_missing = app
            .send(
                Method::GET,
                "/api/channels/999999/history",
                Some(&someone),
                None,
            )
            .await;
        assert_eq!(channel_missing.status, StatusCode::NOT_FOUND);
        assert_eq!(channel_missing.body, json!({"detail": "Channel not found"}));
        let post_missing = app
            .post_message(
                Some(&someone),
                &[("channel_id", "999999"), ("content", "x")],
            )
            .await;
        assert_eq!(post_missing.status, StatusCode::NOT_FOUND);
        assert_eq!(post_missing.body, json!({"detail": "Channel not found"}));
        let accept_missing = app
            .send(
                Method::POST,
                "/api/invites/no-such-code",
                Some(&someone),
                None,
            )
            .await;
        assert_eq!(accept_missing.status, StatusCode::NOT_FOUND);
        assert_eq!(
            accept_missing.body,
            json!({"detail": "Invitation not found"})
        );
        app.stop().await;
    }
}

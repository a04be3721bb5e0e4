//! The generated matrix of decision 24: every channel route and socket frame × {guest, member,
//! admin, owner, non-member} × an overwrite {none, role allow, role deny, user allow, user
//! deny} on the permission that route needs. The expected answer comes from [`expected`],
//! which reads this file's own tables ([`BASE`], [`NEEDS`]), never the server's function.

use futures_util::StreamExt;
use reqwest::Method;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

use crate::common::ws::{WAIT, Ws, connect, send};
use crate::common::{Db, TestApp, both_backends};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Guest,
    Member,
    Admin,
    Owner,
    NonMember,
}

const EVERYONE: [Who; 5] = [
    Who::Guest,
    Who::Member,
    Who::Admin,
    Who::Owner,
    Who::NonMember,
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Overwrite {
    None,
    RoleAllow,
    RoleDeny,
    UserAllow,
    UserDeny,
}

const OVERWRITES: [Overwrite; 5] = [
    Overwrite::None,
    Overwrite::RoleAllow,
    Overwrite::RoleDeny,
    Overwrite::UserAllow,
    Overwrite::UserDeny,
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Route {
    /// `GET /api/rooms/{slug}`: is the channel listed?
    RoomDetail,
    /// `/ws/rooms` snapshot: is the channel listed?
    WorkspaceSnapshot,
    History,
    Search,
    Thread,
    ListPins,
    GetPermissions,
    PostMessage,
    AddReaction,
    /// `POST …/messages/{id}/receipts`.
    Receipt,
    Pin,
    UpdateChannel,
    PutOverwrite,
    /// `/ws/text` connect.
    TextConnect,
    TextMessage,
    TextReaction,
    TextTyping,
    /// `/ws/signal?channel=<voice>` connect.
    VoiceConnect,
    /// Unmuting oneself on `/ws/signal`.
    VoiceSpeak,
}

/// How a route checks: a read of the channel, an action of any member, or an admin+ action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Read,
    Act,
    AdminAct,
}

/// Each route, how it checks and the one permission its overwrite names in the matrix.
#[rustfmt::skip]
const NEEDS: &[(Route, Kind, &str)] = &[
    (Route::RoomDetail,        Kind::Read,     "view"),
    (Route::WorkspaceSnapshot, Kind::Read,     "view"),
    (Route::History,           Kind::Read,     "view"),
    (Route::Search,            Kind::Read,     "view"),
    (Route::Thread,            Kind::Read,     "view"),
    (Route::ListPins,          Kind::Read,     "view"),
    (Route::GetPermissions,    Kind::Read,     "view"),
    (Route::TextConnect,       Kind::Read,     "view"),
    (Route::PostMessage,       Kind::Act,      "send_messages"),
    (Route::AddReaction,       Kind::Act,      "send_messages"),
    (Route::Receipt,           Kind::Act,      "send_messages"),
    (Route::TextMessage,       Kind::Act,      "send_messages"),
    (Route::TextReaction,      Kind::Act,      "send_messages"),
    (Route::TextTyping,        Kind::Act,      "send_messages"),
    (Route::VoiceConnect,      Kind::Act,      "connect"),
    (Route::VoiceSpeak,        Kind::Act,      "speak"),
    (Route::Pin,               Kind::AdminAct, "manage_messages"),
    (Route::UpdateChannel,     Kind::AdminAct, "manage_channel"),
    (Route::PutOverwrite,      Kind::AdminAct, "manage_permissions"),
];

/// Decision 24's base sets: guests and members start from these five; admins and owners have
/// every permission (and owners keep them whatever the overwrites say).
const BASE: [&str; 5] = [
    "view",
    "send_messages",
    "connect",
    "speak",
    "create_forum_posts",
];

/// What a cell answers, whatever the transport.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Outcome {
    Ok,
    /// 403 "Not a room member" (HTTP) or close 1008 "Not a room member".
    NotMember,
    /// 403 "Insufficient permissions".
    Insufficient,
    /// 404 "Channel not found", close 1003 "Invalid channel", or the channel not listed.
    Hidden,
    /// 403 / error frame / close 1008 "Missing permission: <name>".
    Missing(String),
}

fn expected(route: Route, who: Who, overwrite: Overwrite) -> Outcome {
    let &(_, kind, permission) = NEEDS
        .iter()
        .find(|(r, _, _)| *r == route)
        .expect("every route has a row");
    if who == Who::NonMember {
        return Outcome::NotMember;
    }
    let base = match who {
        Who::Guest | Who::Member | Who::NonMember => BASE.contains(&permission),
        Who::Admin | Who::Owner => true,
    };
    let has = match (who, overwrite) {
        (Who::Owner, _) | (_, Overwrite::None) => base,
        (_, Overwrite::RoleAllow | Overwrite::UserAllow) => true,
        (_, Overwrite::RoleDeny | Overwrite::UserDeny) => false,
    };
    let admin = matches!(who, Who::Admin | Who::Owner);
    match kind {
        Kind::AdminAct if !admin => Outcome::Insufficient,
        _ if has => Outcome::Ok,
        Kind::Read => Outcome::Hidden,
        Kind::Act | Kind::AdminAct => Outcome::Missing(format!("Missing permission: {permission}")),
    }
}

struct Fixture {
    slug: String,
    text: i64,
    voice: i64,
    message: i64,
    owner: String,
    users: Vec<(Who, i64, String)>,
    counter: u32,
}

impl Fixture {
    async fn new(app: &TestApp) -> Self {
        let (owner_id, owner) = app.user("owner").await;
        let slug = app.room(&owner, "Matrix").await;
        let mut users = vec![(Who::Owner, owner_id, owner.clone())];
        for (who, login, role) in [
            (Who::Guest, "guest", Some("guest")),
            (Who::Member, "member", Some("member")),
            (Who::Admin, "admin", Some("admin")),
            (Who::NonMember, "stranger", None),
        ] {
            let (id, token) = app.user(login).await;
            if let Some(role) = role {
                app.join(&owner, &slug, &token, role).await;
            }
            users.push((who, id, token));
        }
        let text = app.channel(&owner, &slug, "general", "text").await["id"]
            .as_i64()
            .unwrap();
        let voice = app.channel(&owner, &slug, "lounge", "voice").await["id"]
            .as_i64()
            .unwrap();
        let message = app.message(&owner, text, "hello").await["id"]
            .as_i64()
            .unwrap();
        Self {
            slug,
            text,
            voice,
            message,
            owner,
            users,
            counter: 0,
        }
    }

    fn user(&self, who: Who) -> (i64, &str) {
        let (_, id, token) = self.users.iter().find(|(w, _, _)| *w == who).unwrap();
        (*id, token)
    }

    fn channel_of(&self, route: Route) -> i64 {
        match route {
            Route::VoiceConnect | Route::VoiceSpeak => self.voice,
            _ => self.text,
        }
    }

    /// The overwrite's path on `channel` for `who`, and whether it can be set at all (a
    /// non-member has no role and cannot be named).
    fn overwrite_path(&self, channel: i64, who: Who, overwrite: Overwrite) -> Option<String> {
        let role = match who {
            Who::Guest => "guest",
            Who::Member => "member",
            Who::Admin => "admin",
            Who::Owner => "owner",
            Who::NonMember => return None,
        };
        match overwrite {
            Overwrite::None => None,
            Overwrite::RoleAllow | Overwrite::RoleDeny => {
                Some(format!("/api/channels/{channel}/permissions/roles/{role}"))
            }
            Overwrite::UserAllow | Overwrite::UserDeny => Some(format!(
                "/api/channels/{channel}/permissions/users/{}",
                self.user(who).0
            )),
        }
    }

    async fn set(&self, app: &TestApp, route: Route, who: Who, overwrite: Overwrite) {
        let permission = NEEDS.iter().find(|(r, _, _)| *r == route).unwrap().2;
        let Some(path) = self.overwrite_path(self.channel_of(route), who, overwrite) else {
            return;
        };
        let body = match overwrite {
            Overwrite::RoleAllow | Overwrite::UserAllow => json!({"allow": [permission]}),
            _ => json!({"deny": [permission]}),
        };
        let reply = app
            .send(Method::PUT, &path, Some(&self.owner), Some(body))
            .await;
        assert_eq!(reply.status, 200, "{path}: {}", reply.text);
    }

    async fn clear(&self, app: &TestApp, route: Route, who: Who, overwrite: Overwrite) {
        if let Some(path) = self.overwrite_path(self.channel_of(route), who, overwrite) {
            let reply = app
                .send(Method::DELETE, &path, Some(&self.owner), None)
                .await;
            assert_eq!(reply.status, 204, "{path}: {}", reply.text);
        }
    }

    async fn observe(&mut self, app: &TestApp, route: Route, who: Who) -> Outcome {
        self.counter += 1;
        let (_, token) = self.user(who);
        let token = token.to_owned();
        let (text, message, slug) = (self.text, self.message, self.slug.clone());
        let http = |method: Method, path: String, body: Option<Value>| {
            let token = token.clone();
            async move { http_outcome(&app.send(method, &path, Some(&token), body).await) }
        };
        match route {
            Route::RoomDetail => {
                let reply = app
                    .send(
                        Method::GET,
                        &format!("/api/rooms/{slug}"),
                        Some(&token),
                        None,
                    )
                    .await;
                if reply.status != 200 {
                    return http_outcome(&reply);
                }
                listed(&reply.body["channels"], text)
            }
            Route::WorkspaceSnapshot => {
                let mut ws = connect(&app.base, &format!("/ws/rooms/{slug}?token={token}")).await;
                match first(&mut ws).await {
                    Ok(frame) => listed(&frame["channels"], text),
                    Err(close) => close_outcome(close),
                }
            }
            Route::History => {
                http(Method::GET, format!("/api/channels/{text}/history"), None).await
            }
            Route::Search => {
                http(
                    Method::GET,
                    format!("/api/channels/{text}/search?query=hello"),
                    None,
                )
                .await
            }
            Route::Thread => {
                http(
                    Method::GET,
                    format!("/api/channels/{text}/threads/{message}"),
                    None,
                )
                .await
            }
            Route::ListPins => http(Method::GET, format!("/api/channels/{text}/pins"), None).await,
            Route::GetPermissions => {
                http(
                    Method::GET,
                    format!("/api/channels/{text}/permissions"),
                    None,
                )
                .await
            }
            Route::PostMessage => http_outcome(
                &app.post_message(
                    Some(&token),
                    &[("channel_id", &text.to_string()), ("content", "hi")],
                )
                .await,
            ),
            Route::AddReaction => {
                let emoji = format!("r{}", self.counter);
                http(
                    Method::POST,
                    format!("/api/channels/{text}/messages/{message}/reactions"),
                    Some(json!({"emoji": emoji})),
                )
                .await
            }
            Route::Receipt => {
                http(
                    Method::POST,
                    format!("/api/channels/{text}/messages/{message}/receipts"),
                    Some(json!({"read": true})),
                )
                .await
            }
            Route::Pin => {
                http(
                    Method::POST,
                    format!("/api/channels/{text}/pins/{message}"),
                    Some(json!({})),
                )
                .await
            }
            Route::UpdateChannel => {
                http(
                    Method::PATCH,
                    format!("/api/channels/{text}"),
                    Some(json!({"name": "general"})),
                )
                .await
            }
            Route::PutOverwrite => {
                // The owner role's overwrite changes nothing (decision 24), so the cell's own
                // overwrite stays the only one that matters.
                http(
                    Method::PUT,
                    format!("/api/channels/{text}/permissions/roles/owner"),
                    Some(json!({"allow": [], "deny": []})),
                )
                .await
            }
            Route::TextConnect => {
                let mut ws = connect(&app.base, &format!("/ws/text/{text}?token={token}")).await;
                match first(&mut ws).await {
                    Ok(frame) => {
                        assert_eq!(frame["type"], "history", "{frame}");
                        Outcome::Ok
                    }
                    Err(close) => close_outcome(close),
                }
            }
            Route::TextMessage | Route::TextReaction | Route::TextTyping => {
                let mut ws = connect(&app.base, &format!("/ws/text/{text}?token={token}")).await;
                if let Err(close) = first(&mut ws).await {
                    return close_outcome(close);
                }
                let frame = match route {
                    Route::TextMessage => json!({"type": "message", "content": "over the socket"}),
                    Route::TextReaction => json!({"type": "reaction", "message_id": message,
                                                  "emoji": format!("s{}", self.counter)}),
                    _ => json!({"type": "typing", "is_typing": true}),
                };
                send(&mut ws, frame).await;
                send(&mut ws, json!({"type": "ping"})).await;
                frame_outcome(&mut ws).await
            }
            Route::VoiceConnect | Route::VoiceSpeak => {
                let voice = self.voice;
                let mut ws = connect(
                    &app.base,
                    &format!("/ws/signal/{slug}?channel={voice}&token={token}"),
                )
                .await;
                match first(&mut ws).await {
                    Ok(frame) => assert_eq!(frame["event"], "welcome", "{frame}"),
                    Err(close) => return close_outcome(close),
                }
                if route == Route::VoiceConnect {
                    return Outcome::Ok;
                }
                send(
                    &mut ws,
                    json!({"type": "state", "event": "set-muted", "muted": true}),
                )
                .await;
                send(
                    &mut ws,
                    json!({"type": "state", "event": "set-muted", "muted": false}),
                )
                .await;
                send(&mut ws, json!({"type": "ping"})).await;
                frame_outcome(&mut ws).await
            }
        }
    }
}

fn http_outcome(reply: &crate::common::Reply) -> Outcome {
    match (reply.status.as_u16(), reply.detail()) {
        (200..=299, _) => Outcome::Ok,
        (403, "Not a room member") => Outcome::NotMember,
        (403, "Insufficient permissions") => Outcome::Insufficient,
        (403, detail) if detail.starts_with("Missing permission: ") => {
            Outcome::Missing(detail.to_owned())
        }
        (404, "Channel not found") => Outcome::Hidden,
        (status, _) => panic!("unexpected answer {status}: {}", reply.text),
    }
}

fn listed(channels: &Value, channel: i64) -> Outcome {
    let channels = channels.as_array().expect("a channel list");
    if channels.iter().any(|c| c["id"] == channel) {
        Outcome::Ok
    } else {
        Outcome::Hidden
    }
}

fn close_outcome((code, reason): (u16, String)) -> Outcome {
    match (code, reason.as_str()) {
        (1008, "Not a room member") => Outcome::NotMember,
        (1003, "Invalid channel") => Outcome::Hidden,
        (1008, reason) if reason.starts_with("Missing permission: ") => {
            Outcome::Missing(reason.to_owned())
        }
        other => panic!("unexpected close {other:?}"),
    }
}

/// The first frame, or the close that came instead.
async fn first(ws: &mut Ws) -> Result<Value, (u16, String)> {
    loop {
        let msg = tokio::time::timeout(WAIT, ws.next())
            .await
            .expect("timed out waiting for the first frame");
        match msg {
            Some(Ok(Message::Text(t))) => {
                crate::common::ws::conforms(t.as_str());
                return Ok(serde_json::from_str(t.as_str()).unwrap());
            }
            Some(Ok(Message::Close(Some(frame)))) => {
                return Err((frame.code.into(), frame.reason.to_string()));
            }
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
            other => panic!("expected a frame or a close, got {other:?}"),
        }
    }
}

/// Frames up to the `pong` that answers the ping sent after the frame under test: an error
/// frame naming a permission is a refusal; any other error fails the test.
async fn frame_outcome(ws: &mut Ws) -> Outcome {
    let mut outcome = Outcome::Ok;
    loop {
        let frame = first(ws).await.expect("the socket stays open");
        match frame["type"].as_str() {
            Some("pong") => return outcome,
            Some("error") => {
                let detail = frame["detail"].as_str().unwrap_or_default();
                assert!(
                    detail.starts_with("Missing permission: "),
                    "unexpected error frame {frame}"
                );
                outcome = Outcome::Missing(detail.to_owned());
            }
            _ => {}
        }
    }
}

both_backends!(every_channel_route_and_frame_answers_each_caller_and_overwrite_as_decision_24_says);
async fn every_channel_route_and_frame_answers_each_caller_and_overwrite_as_decision_24_says(
    db: Db,
) {
    let app = TestApp::spawn(db).await;
    let mut fx = Fixture::new(&app).await;
    let mut cells = 0;
    for &(route, _, _) in NEEDS {
        for who in EVERYONE {
            for overwrite in OVERWRITES {
                fx.set(&app, route, who, overwrite).await;
                let got = fx.observe(&app, route, who).await;
                let want = expected(route, who, overwrite);
                assert_eq!(got, want, "{route:?} as {who:?} with {overwrite:?}");
                fx.clear(&app, route, who, overwrite).await;
                cells += 1;
            }
        }
    }
    assert_eq!(cells, NEEDS.len() * 25);
    app.stop().await;
}

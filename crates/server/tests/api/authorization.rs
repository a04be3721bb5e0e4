//! Who may call what: every room-related route × {anonymous, non-member, guest, member, admin,
//! owner}, with the status and `detail` the contract gives for each cell. Each cell gets its
//! own resources (a channel to delete, an invitation to revoke…) so cells never depend on the
//! order they run in.

mod fixture;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::{Db, Reply, TestApp, both_backends};
use fixture::Fixture;

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
    KickMember,
    LeaveRoom,
    ListBans,
    BanUser,
    UnbanUser,
    TimeoutMember,
    RenameRoom,
    DeleteRoom,
    TransferOwnership,
    SetSlowMode,
    AuditLog,
    ReadStates,
    MarkRead,
    Receipt,
    GetChannelPermissions,
    PutRoleOverwrite,
    DeleteRoleOverwrite,
    PutUserOverwrite,
    DeleteUserOverwrite,
    GetRoleHierarchy,
    UpdateRoleLevel,
    ListMembers,
    UploadAttachment,
    DownloadAttachment,
    AttachmentThumbnail,
    SetAvatar,
    RemoveAvatar,
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
    // Moderation (decision 25): admins and owners, except that anyone may leave and only
    // owners delete or hand over a room.
    (Route::KickMember,           [Anon, NotMember, Insufficient, Insufficient, Ok(204), Ok(204)]),
    (Route::LeaveRoom,            [Anon, NotMember, Ok(204),      Ok(204),      Ok(204), Ok(204)]),
    (Route::ListBans,             [Anon, NotMember, Insufficient, Insufficient, Ok(200), Ok(200)]),
    (Route::BanUser,              [Anon, NotMember, Insufficient, Insufficient, Ok(201), Ok(201)]),
    (Route::UnbanUser,            [Anon, NotMember, Insufficient, Insufficient, Ok(204), Ok(204)]),
    (Route::TimeoutMember,        [Anon, NotMember, Insufficient, Insufficient, Ok(200), Ok(200)]),
    (Route::RenameRoom,           [Anon, NotMember, Insufficient, Insufficient, Ok(200), Ok(200)]),
    (Route::DeleteRoom,           [Anon, NotMember, Insufficient, Insufficient, Insufficient, Ok(204)]),
    (Route::TransferOwnership,    [Anon, NotMember, Insufficient, Insufficient, Insufficient, Ok(200)]),
    (Route::SetSlowMode,          [Anon, NotMember, Insufficient, Insufficient, Ok(200), Ok(200)]),
    (Route::AuditLog,             [Anon, NotMember, Insufficient, Insufficient, Ok(200), Ok(200)]),
    // Read state: one's own counts anywhere; read marks and receipts in rooms one is in.
    (Route::ReadStates,           [Anon, Ok(200),   Ok(200),      Ok(200),      Ok(200), Ok(200)]),
    (Route::MarkRead,             [Anon, NotMember, Ok(200),      Ok(200),      Ok(200), Ok(200)]),
    (Route::Receipt,              [Anon, NotMember, Ok(200),      Ok(200),      Ok(200), Ok(200)]),
    // Every member reads a channel's overwrites and the member list; admins change overwrites
    // and read the levels; only owners change them.
    (Route::GetChannelPermissions, [Anon, NotMember, Ok(200),     Ok(200),      Ok(200), Ok(200)]),
    (Route::PutRoleOverwrite,     [Anon, NotMember, Insufficient, Insufficient, Ok(200), Ok(200)]),
    (Route::DeleteRoleOverwrite,  [Anon, NotMember, Insufficient, Insufficient, Ok(204), Ok(204)]),
    (Route::PutUserOverwrite,     [Anon, NotMember, Insufficient, Insufficient, Ok(200), Ok(200)]),
    (Route::DeleteUserOverwrite,  [Anon, NotMember, Insufficient, Insufficient, Ok(204), Ok(204)]),
    (Route::GetRoleHierarchy,     [Anon, NotMember, Insufficient, Insufficient, Ok(200), Ok(200)]),
    (Route::UpdateRoleLevel,      [Anon, NotMember, Insufficient, Insufficient, Insufficient, Ok(200)]),
    (Route::ListMembers,          [Anon, NotMember, Ok(200),      Ok(200),      Ok(200), Ok(200)]),
    // Files: every member uploads and reads a channel's posted files; avatars are one's own.
    (Route::UploadAttachment,     [Anon, NotMember, Ok(201),      Ok(201),      Ok(201), Ok(201)]),
    (Route::DownloadAttachment,   [Anon, NotMember, Ok(200),      Ok(200),      Ok(200), Ok(200)]),
    (Route::AttachmentThumbnail,  [Anon, NotMember, Ok(200),      Ok(200),      Ok(200), Ok(200)]),
    (Route::SetAvatar,            [Anon, Ok(200),   Ok(200),      Ok(200),      Ok(200), Ok(200)]),
    (Route::RemoveAvatar,         [Anon, Ok(200),   Ok(200),      Ok(200),      Ok(200), Ok(200)]),
];

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
        Route::UploadAttachment => assert_eq!(body["file_name"], "m.png", "{body}"),
        Route::DownloadAttachment | Route::AttachmentThumbnail => {
            let kind = reply
                .headers
                .get("content-type")
                .and_then(|v| v.to_str().ok());
            assert!(kind.is_some_and(|k| k.starts_with("image/")), "{kind:?}");
        }
        Route::SetAvatar => assert!(body["avatar_url"].is_string(), "{body}"),
        Route::RemoveAvatar => assert_eq!(body["avatar_url"], json!(null), "{body}"),
        Route::UpdateProfile => assert_eq!(body["status"], "idle", "{body}"),
        Route::ListBans | Route::ReadStates => assert!(body.is_array(), "{body}"),
        Route::MarkRead => assert_eq!(body["channel_id"], fx.channel_id, "{body}"),
        Route::Receipt => assert!(body["read_at"].is_string(), "{body}"),
        Route::BanUser => assert!(body["user_id"].is_i64(), "{body}"),
        Route::TimeoutMember => assert!(body["timed_out_until"].is_string(), "{body}"),
        Route::RenameRoom => assert_eq!(body["title"], "Matrix", "{body}"),
        Route::TransferOwnership => assert_eq!(body["current_role"], "admin", "{body}"),
        Route::SetSlowMode => assert_eq!(body["slow_mode_seconds"], 0, "{body}"),
        Route::AuditLog => {
            assert!(
                body["items"].as_array().is_some_and(|a| !a.is_empty()),
                "{body}"
            );
        }
        Route::KickMember | Route::LeaveRoom | Route::UnbanUser | Route::DeleteRoom => {
            assert!(reply.text.is_empty(), "204 has no body: {:?}", reply.text);
        }
        Route::Unpin
        | Route::DeleteCategory
        | Route::ReorderChannels
        | Route::ReorderCategories => {
            assert!(reply.text.is_empty(), "204 has no body: {:?}", reply.text);
        }
        Route::ListCategories => assert!(body.as_array().is_some_and(|a| !a.is_empty()), "{body}"),
        Route::GetChannelPermissions => assert_eq!(body["channel_id"], fx.channel_id, "{body}"),
        Route::PutRoleOverwrite => {
            assert_eq!(body, &json!({"role": "owner", "allow": [], "deny": []}))
        }
        Route::PutUserOverwrite => assert_eq!(body["user_id"], fx.target_id, "{body}"),
        Route::DeleteRoleOverwrite | Route::DeleteUserOverwrite => {
            assert!(reply.text.is_empty(), "204 has no body: {:?}", reply.text);
        }
        Route::GetRoleHierarchy => assert_eq!(body[0], json!({"role": "owner", "level": 400})),
        Route::UpdateRoleLevel => assert_eq!(body, &json!({"role": "guest", "level": 100})),
        Route::ListMembers => {
            let listed = body["items"].as_array().map_or(0, Vec::len);
            assert!(listed >= 5 && body["total"] == listed, "{body}");
        }
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

both_backends!(every_route_answers_each_kind_of_caller_as_the_contract_says);
async fn every_route_answers_each_kind_of_caller_as_the_contract_says(db: Db) {
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
            Route::DeleteInvite => ("delete", "/api/invites/{code}"),
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
            Route::UploadAttachment => ("post", "/api/channels/{channel_id}/attachments"),
            Route::DownloadAttachment => (
                "get",
                "/api/channels/{channel_id}/attachments/{attachment_id}/download",
            ),
            Route::AttachmentThumbnail => (
                "get",
                "/api/channels/{channel_id}/attachments/{attachment_id}/thumbnail",
            ),
            Route::SetAvatar => ("post", "/api/profile/avatar"),
            Route::RemoveAvatar => ("delete", "/api/profile/avatar"),
            Route::ReorderChannels => ("post", "/api/rooms/{slug}/channels/reorder"),
            Route::ReorderCategories => ("post", "/api/rooms/{slug}/categories/reorder"),
            Route::KickMember => ("delete", "/api/rooms/{slug}/members/{user_id}"),
            Route::LeaveRoom => ("post", "/api/rooms/{slug}/leave"),
            Route::ListBans => ("get", "/api/rooms/{slug}/bans"),
            Route::BanUser => ("put", "/api/rooms/{slug}/bans/{user_id}"),
            Route::UnbanUser => ("delete", "/api/rooms/{slug}/bans/{user_id}"),
            Route::TimeoutMember => ("put", "/api/rooms/{slug}/members/{user_id}/timeout"),
            Route::RenameRoom => ("patch", "/api/rooms/{slug}"),
            Route::DeleteRoom => ("delete", "/api/rooms/{slug}"),
            Route::TransferOwnership => ("post", "/api/rooms/{slug}/transfer-ownership"),
            Route::SetSlowMode => ("put", "/api/channels/{channel_id}/slow-mode"),
            Route::AuditLog => ("get", "/api/rooms/{slug}/audit-log"),
            Route::ReadStates => ("get", "/api/read-states"),
            Route::MarkRead => ("post", "/api/channels/{channel_id}/read"),
            Route::Receipt => (
                "post",
                "/api/channels/{channel_id}/messages/{message_id}/receipts",
            ),
            Route::GetChannelPermissions => ("get", "/api/channels/{channel_id}/permissions"),
            Route::PutRoleOverwrite => {
                ("put", "/api/channels/{channel_id}/permissions/roles/{role}")
            }
            Route::DeleteRoleOverwrite => (
                "delete",
                "/api/channels/{channel_id}/permissions/roles/{role}",
            ),
            Route::PutUserOverwrite => (
                "put",
                "/api/channels/{channel_id}/permissions/users/{user_id}",
            ),
            Route::DeleteUserOverwrite => (
                "delete",
                "/api/channels/{channel_id}/permissions/users/{user_id}",
            ),
            Route::GetRoleHierarchy => ("get", "/api/rooms/{slug}/roles/hierarchy"),
            Route::UpdateRoleLevel => ("patch", "/api/rooms/{slug}/roles/hierarchy/{role_name}"),
            Route::ListMembers => ("get", "/api/rooms/{slug}/members"),
        }
    }
}

both_backends!(the_matrix_has_a_row_for_every_authenticated_route_the_server_documents);
async fn the_matrix_has_a_row_for_every_authenticated_route_the_server_documents(db: Db) {
    let app = TestApp::spawn(db).await;
    let reply = app.send(Method::GET, "/openapi.json", None, None).await;
    assert_eq!(reply.status, StatusCode::OK);
    let mut documented: Vec<(String, String)> = Vec::new();
    for (path, item) in reply.body["paths"].as_object().expect("paths") {
        let public = path == "/api/"
            || path == "/api"
            || path.starts_with("/api/auth/")
            || path.starts_with("/api/config/")
            // Friends and direct messages have no room roles: `people::access` has their matrix.
            || path.starts_with("/api/dm/")
            || path == "/api/profile/avatar/{user_id}";
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

both_backends!(a_non_member_gets_not_found_before_forbidden_for_a_room_that_does_not_exist);
async fn a_non_member_gets_not_found_before_forbidden_for_a_room_that_does_not_exist(db: Db) {
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

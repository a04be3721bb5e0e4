//! Kick, leave, ban and unban: who may, what the refusals say, and what happens to the removed
//! user's open sockets and to everyone else's workspace stream.

use reqwest::{Method, StatusCode};
use serde_json::json;

use super::{Cast, frame_where, member_ids, room_status};
use crate::common::ws::{close_of, connect, next_of};
use crate::common::{Db, Reply, TestApp, assert_detail, both_backends};

async fn kick(app: &TestApp, who: &str, target: i64, slug: &str) -> Reply {
    let path = format!("/api/rooms/{slug}/members/{target}");
    app.send(Method::DELETE, &path, Some(who), None).await
}

async fn leave(app: &TestApp, slug: &str, who: &str) -> Reply {
    let path = format!("/api/rooms/{slug}/leave");
    app.send(Method::POST, &path, Some(who), None).await
}

async fn ban(app: &TestApp, slug: &str, who: &str, target: i64) -> Reply {
    let path = format!("/api/rooms/{slug}/bans/{target}");
    app.send(Method::PUT, &path, Some(who), Some(json!({})))
        .await
}

both_backends!(a_kicked_member_loses_the_room_and_their_sockets_close_at_once);
async fn a_kicked_member_loses_the_room_and_their_sockets_close_at_once(db: Db) {
    let app = TestApp::spawn(db).await;
    let cast = Cast::new(&app).await;
    let mut owner_ws = connect(
        &app.base,
        &format!("/ws/rooms/{}?token={}", cast.slug, cast.owner),
    )
    .await;
    next_of(&mut owner_ws, "workspace_snapshot").await;
    let mut member_ws = connect(
        &app.base,
        &format!("/ws/rooms/{}?token={}", cast.slug, cast.member),
    )
    .await;
    next_of(&mut member_ws, "workspace_snapshot").await;
    let mut member_text = connect(
        &app.base,
        &format!("/ws/text/{}?token={}", cast.channel_id, cast.member),
    )
    .await;
    next_of(&mut member_text, "presence").await;
    let mut member_voice = connect(
        &app.base,
        &format!("/ws/signal/{}?token={}", cast.slug, cast.member),
    )
    .await;
    next_of(&mut member_voice, "state").await;

    let kicked = app
        .send(
            Method::DELETE,
            &format!("/api/rooms/{}/members/{}", cast.slug, cast.member_id),
            Some(&cast.admin),
            None,
        )
        .await;
    assert_eq!(kicked.status, StatusCode::NO_CONTENT, "{}", kicked.text);

    assert_eq!(
        close_of(&mut member_ws).await,
        (1008, "Removed from the room".to_owned())
    );
    assert_eq!(
        close_of(&mut member_text).await,
        (1008, "Removed from the room".to_owned())
    );
    assert_eq!(
        close_of(&mut member_voice).await,
        (1008, "Removed from the room".to_owned())
    );
    let left = frame_where(&mut owner_ws, "member_left", |f| f["type"] == "member_left").await;
    assert!(!member_ids(&left).contains(&cast.member_id), "{left}");
    assert!(member_ids(&left).contains(&cast.owner_id), "{left}");

    assert_eq!(
        room_status(&app, &cast.slug, &cast.member).await,
        StatusCode::FORBIDDEN
    );
    let history = app
        .get(
            &format!("/api/channels/{}/history", cast.channel_id),
            &cast.member,
        )
        .await;
    assert_eq!(history.0, StatusCode::FORBIDDEN, "{}", history.1);
    // A kick is not a ban: a new invitation lets them back.
    app.join(&cast.owner, &cast.slug, &cast.member, "member")
        .await;
    assert_eq!(
        room_status(&app, &cast.slug, &cast.member).await,
        StatusCode::OK
    );
    app.stop().await;
}

both_backends!(only_an_admin_who_outranks_the_target_may_kick);
async fn only_an_admin_who_outranks_the_target_may_kick(db: Db) {
    let app = TestApp::spawn(db).await;
    let cast = Cast::new(&app).await;
    let (_, stranger) = app.user("stan").await;
    assert_detail(
        &kick(&app, &cast.member, cast.admin_id, &cast.slug).await,
        StatusCode::FORBIDDEN,
        "Insufficient permissions",
        "a member kicking",
    );
    assert_detail(
        &kick(&app, &cast.admin, cast.admin2_id, &cast.slug).await,
        StatusCode::FORBIDDEN,
        "Cannot manage members with equal or higher role",
        "an admin kicking an admin",
    );
    assert_detail(
        &kick(&app, &cast.admin, cast.owner_id, &cast.slug).await,
        StatusCode::FORBIDDEN,
        "Cannot manage members with equal or higher role",
        "an admin kicking the owner",
    );
    assert_detail(
        &kick(&app, &cast.admin, 999_999, &cast.slug).await,
        StatusCode::NOT_FOUND,
        "Member not found",
        "an unknown user",
    );
    assert_detail(
        &kick(&app, &stranger, cast.member_id, &cast.slug).await,
        StatusCode::FORBIDDEN,
        "Not a room member",
        "a non-member",
    );
    assert_detail(
        &kick(&app, &cast.owner, cast.member_id, "no-such-room").await,
        StatusCode::NOT_FOUND,
        "Room not found",
        "an unknown room",
    );
    let bad = app
        .send(
            Method::DELETE,
            &format!("/api/rooms/{}/members/abc", cast.slug),
            Some(&cast.owner),
            None,
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    // The owner outranks an admin.
    assert_eq!(
        kick(&app, &cast.owner, cast.admin_id, &cast.slug)
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    app.stop().await;
}

both_backends!(a_member_may_leave_but_the_last_owner_must_hand_the_room_over_first);
async fn a_member_may_leave_but_the_last_owner_must_hand_the_room_over_first(db: Db) {
    let app = TestApp::spawn(db).await;
    let cast = Cast::new(&app).await;
    let mut member_ws = connect(
        &app.base,
        &format!("/ws/rooms/{}?token={}", cast.slug, cast.member),
    )
    .await;
    next_of(&mut member_ws, "workspace_snapshot").await;
    assert_eq!(
        leave(&app, &cast.slug, &cast.member).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        close_of(&mut member_ws).await,
        (1008, "Left the room".to_owned())
    );
    assert_eq!(
        room_status(&app, &cast.slug, &cast.member).await,
        StatusCode::FORBIDDEN
    );
    assert_detail(
        &leave(&app, &cast.slug, &cast.member).await,
        StatusCode::FORBIDDEN,
        "Not a room member",
        "leaving twice",
    );
    assert_detail(
        &leave(&app, &cast.slug, &cast.owner).await,
        StatusCode::BAD_REQUEST,
        "The owner must transfer ownership or delete the room before leaving",
        "the last owner",
    );
    app.stop().await;
}

both_backends!(a_banned_user_is_removed_and_no_invitation_lets_them_back_until_unbanned);
async fn a_banned_user_is_removed_and_no_invitation_lets_them_back_until_unbanned(db: Db) {
    let app = TestApp::spawn(db).await;
    let cast = Cast::new(&app).await;
    let mut member_text = connect(
        &app.base,
        &format!("/ws/text/{}?token={}", cast.channel_id, cast.member),
    )
    .await;
    next_of(&mut member_text, "presence").await;
    let bans = format!("/api/rooms/{}/bans", cast.slug);
    let ban_path = format!("{bans}/{}", cast.member_id);

    let banned = app
        .send(
            Method::PUT,
            &ban_path,
            Some(&cast.admin),
            Some(json!({"reason": "  spam  "})),
        )
        .await;
    assert_eq!(banned.status, StatusCode::CREATED, "{}", banned.text);
    assert_eq!(banned.body["user_id"], cast.member_id);
    assert_eq!(banned.body["reason"], "spam");
    assert_eq!(banned.body["banned_by_id"], cast.admin_id);
    assert_eq!(
        close_of(&mut member_text).await,
        (1008, "Banned from the room".to_owned())
    );
    assert_detail(
        &app.send(Method::PUT, &ban_path, Some(&cast.admin), Some(json!({})))
            .await,
        StatusCode::CONFLICT,
        "User is already banned",
        "a second ban",
    );

    let (status, list) = app.get(&bans, &cast.admin).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list.as_array().map(Vec::len), Some(1), "{list}");
    assert_eq!(list[0]["login"], "mia");
    assert_detail(
        &app.send(Method::GET, &bans, Some(&cast.member), None).await,
        StatusCode::FORBIDDEN,
        "Not a room member",
        "the banned user's own look",
    );

    // Invitations, even fresh ones, do not open the door.
    let (_, invitation) = app
        .post(
            &format!("/api/rooms/{}/invitations", cast.slug),
            &cast.owner,
            json!({"role": "member"}),
        )
        .await;
    let accept = format!(
        "/api/invites/{}",
        invitation["code"].as_str().expect("code")
    );
    assert_detail(
        &app.send(Method::POST, &accept, Some(&cast.member), None)
            .await,
        StatusCode::FORBIDDEN,
        "You are banned from this room",
        "accepting an invitation while banned",
    );

    assert_eq!(
        app.send(Method::DELETE, &ban_path, Some(&cast.admin), None)
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    assert_detail(
        &app.send(Method::DELETE, &ban_path, Some(&cast.admin), None)
            .await,
        StatusCode::NOT_FOUND,
        "Ban not found",
        "lifting a ban twice",
    );
    let back = app
        .send(Method::POST, &accept, Some(&cast.member), None)
        .await;
    assert_eq!(back.status, StatusCode::OK, "{}", back.text);
    app.stop().await;
}

both_backends!(bans_follow_the_outrank_rule_and_may_keep_out_someone_not_yet_in_the_room);
async fn bans_follow_the_outrank_rule_and_may_keep_out_someone_not_yet_in_the_room(db: Db) {
    let app = TestApp::spawn(db).await;
    let cast = Cast::new(&app).await;
    let (stranger_id, stranger) = app.user("stan").await;
    assert_detail(
        &ban(&app, &cast.slug, &cast.member, stranger_id).await,
        StatusCode::FORBIDDEN,
        "Insufficient permissions",
        "a member banning",
    );
    assert_detail(
        &ban(&app, &cast.slug, &cast.admin, cast.admin2_id).await,
        StatusCode::FORBIDDEN,
        "Cannot manage members with equal or higher role",
        "an admin banning an admin",
    );
    assert_detail(
        &ban(&app, &cast.slug, &cast.admin, cast.admin_id).await,
        StatusCode::BAD_REQUEST,
        "You cannot ban yourself",
        "banning oneself",
    );
    assert_detail(
        &ban(&app, &cast.slug, &cast.admin, 999_999).await,
        StatusCode::NOT_FOUND,
        "User not found",
        "an unknown user",
    );
    let long = app
        .send(
            Method::PUT,
            &format!("/api/rooms/{}/bans/{stranger_id}", cast.slug),
            Some(&cast.admin),
            Some(json!({"reason": "x".repeat(513)})),
        )
        .await;
    assert_eq!(
        long.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        long.text
    );
    assert_eq!(
        ban(&app, &cast.slug, &cast.admin, stranger_id).await.status,
        StatusCode::CREATED
    );
    let (_, invitation) = app
        .post(
            &format!("/api/rooms/{}/invitations", cast.slug),
            &cast.owner,
            json!({}),
        )
        .await;
    let accepted = app
        .send(
            Method::POST,
            &format!(
                "/api/invites/{}",
                invitation["code"].as_str().expect("code")
            ),
            Some(&stranger),
            None,
        )
        .await;
    assert_eq!(accepted.status, StatusCode::FORBIDDEN, "{}", accepted.text);
    app.stop().await;
}

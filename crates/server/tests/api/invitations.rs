//! Invitations and member roles (decision 19): who may invite to which role, who sees codes,
//! expiry, accepting never downgrades, and role changes that follow the outrank rules.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::common::{Db, TestApp, assert_422, assert_detail, both_backends};

fn rfc3339_from_now(seconds: i64) -> String {
    (chrono::Utc::now() + chrono::Duration::seconds(seconds)).to_rfc3339()
}

/// A room with an owner, an admin and a member. Returns (slug, owner, admin, member, member id).
async fn room_with_roles(app: &TestApp) -> (String, String, String, String, i64) {
    let (_, owner) = app.user("rhea").await;
    let (_, admin) = app.user("sam").await;
    let (member_id, member) = app.user("tess").await;
    let slug = app.room(&owner, "Roles").await;
    app.join(&owner, &slug, &admin, "admin").await;
    app.join(&owner, &slug, &member, "member").await;
    (slug, owner, admin, member, member_id)
}

both_backends!(an_admin_cannot_create_an_invitation_above_their_own_role);
async fn an_admin_cannot_create_an_invitation_above_their_own_role(db: Db) {
    let app = TestApp::spawn(db).await;
    let (slug, owner, admin, ..) = room_with_roles(&app).await;
    let scoped = format!("/api/rooms/{slug}/invitations");
    let refused = app
        .send(
            Method::POST,
            &scoped,
            Some(&admin),
            Some(json!({"role": "owner"})),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.text);
    assert!(refused.body["detail"].is_string());
    let refused = app
        .send(
            Method::POST,
            "/api/invites",
            Some(&admin),
            Some(json!({"room_slug": slug, "role": "owner"})),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.text);
    for role in ["admin", "member", "guest"] {
        let ok = app
            .send(
                Method::POST,
                &scoped,
                Some(&admin),
                Some(json!({ "role": role })),
            )
            .await;
        assert_eq!(
            (ok.status, ok.body["role"].as_str()),
            (StatusCode::CREATED, Some(role)),
            "{}",
            ok.text
        );
    }
    let owner_invite = app
        .send(
            Method::POST,
            &scoped,
            Some(&owner),
            Some(json!({"role": "owner"})),
        )
        .await;
    assert_eq!(
        owner_invite.status,
        StatusCode::CREATED,
        "an owner may invite owners"
    );
    let (_, default_role) = app.post(&scoped, &owner, json!({})).await;
    assert_eq!(default_role["role"], "member", "the default role is member");
    let (_, list) = app.get(&scoped, &owner).await;
    let roles: Vec<&str> = list
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|i| i["role"].as_str())
        .collect();
    assert!(
        !roles.is_empty() && roles.iter().filter(|r| **r == "owner").count() == 1,
        "no owner invitation was stored for the admin: {roles:?}"
    );
    app.stop().await;
}

both_backends!(invitation_codes_are_shown_only_to_admins_and_owners);
async fn invitation_codes_are_shown_only_to_admins_and_owners(db: Db) {
    let app = TestApp::spawn(db).await;
    let (slug, owner, admin, member, _) = room_with_roles(&app).await;
    let (_, invitation) = app
        .post(
            &format!("/api/rooms/{slug}/invitations"),
            &owner,
            json!({"role": "guest"}),
        )
        .await;
    let code = invitation["code"].as_str().expect("code");
    for (who, token, sees) in [
        ("owner", &owner, true),
        ("admin", &admin, true),
        ("member", &member, false),
    ] {
        let (_, detail) = app.get(&format!("/api/rooms/{slug}"), token).await;
        let text = detail.to_string();
        assert_eq!(text.contains(code), sees, "{who} sees codes: {text}");
        assert_eq!(
            detail["invitations"]
                .as_array()
                .is_some_and(|a| !a.is_empty()),
            sees,
            "{who}"
        );
    }
    // The accept response is a RoomDetail too: a guest joining never sees the codes.
    let (_, newcomer) = app.user("uma").await;
    let joined = app
        .send(
            Method::POST,
            &format!("/api/invites/{code}"),
            Some(&newcomer),
            None,
        )
        .await;
    assert_eq!(joined.status, StatusCode::OK);
    assert_eq!(joined.body["current_role"], "guest");
    assert_eq!(joined.body["invitations"], json!([]));
    assert!(!joined.text.contains(code));
    app.stop().await;
}

both_backends!(an_expired_invitation_answers_410_and_a_future_one_still_works);
async fn an_expired_invitation_answers_410_and_a_future_one_still_works(db: Db) {
    let app = TestApp::spawn(db).await;
    let (slug, owner, ..) = room_with_roles(&app).await;
    let (_, joiner) = app.user("vic").await;
    let (status, past) = app
        .post(
            &format!("/api/rooms/{slug}/invitations"),
            &owner,
            json!({"expires_at": rfc3339_from_now(-60)}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{past}");
    let expired = app
        .send(
            Method::POST,
            &format!("/api/invites/{}", past["code"].as_str().expect("code")),
            Some(&joiner),
            None,
        )
        .await;
    assert_detail(
        &expired,
        StatusCode::GONE,
        "Invitation expired",
        "expired invitation",
    );
    let (status, _) = app.get(&format!("/api/rooms/{slug}"), &joiner).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "an expired invitation did not let them in"
    );

    let (status, future) = app
        .post(
            "/api/invites",
            &owner,
            json!({"room_slug": slug, "expires_at": rfc3339_from_now(3600)}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{future}");
    assert!(future["expires_at"].is_string());
    let accepted = app
        .send(
            Method::POST,
            &format!("/api/invites/{}", future["code"].as_str().expect("code")),
            Some(&joiner),
            None,
        )
        .await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.text);
    assert_eq!(accepted.body["current_role"], "member");

    let unknown = app
        .send(
            Method::POST,
            "/api/invites/AAAAAAAAAAA",
            Some(&joiner),
            None,
        )
        .await;
    assert_detail(
        &unknown,
        StatusCode::NOT_FOUND,
        "Invitation not found",
        "unknown code",
    );
    let bad_date = app
        .send(
            Method::POST,
            &format!("/api/rooms/{slug}/invitations"),
            Some(&owner),
            Some(json!({"expires_at": "tomorrow"})),
        )
        .await;
    assert_eq!(bad_date.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        bad_date.body["detail"][0]["loc"],
        json!(["body", "expires_at"])
    );
    let bad_role = app
        .send(
            Method::POST,
            &format!("/api/rooms/{slug}/invitations"),
            Some(&owner),
            Some(json!({"role": "king"})),
        )
        .await;
    assert_422(&bad_role, "enum", json!(["body", "role"]), "role king");
    app.stop().await;
}

both_backends!(accepting_a_lower_invitation_never_downgrades_and_a_higher_one_upgrades);
async fn accepting_a_lower_invitation_never_downgrades_and_a_higher_one_upgrades(db: Db) {
    let app = TestApp::spawn(db).await;
    let (slug, owner, admin, member, _) = room_with_roles(&app).await;
    let code = |role: &'static str| {
        let (app, owner, slug) = (&app, owner.clone(), slug.clone());
        async move {
            let (_, inv) = app
                .post(
                    &format!("/api/rooms/{slug}/invitations"),
                    &owner,
                    json!({ "role": role }),
                )
                .await;
            inv["code"].as_str().expect("code").to_owned()
        }
    };
    let guest_code = code("guest").await;
    for (who, token, role) in [
        ("admin", &admin, "admin"),
        ("member", &member, "member"),
        ("owner", &owner, "owner"),
    ] {
        let reply = app
            .send(
                Method::POST,
                &format!("/api/invites/{guest_code}"),
                Some(token),
                None,
            )
            .await;
        assert_eq!(
            (reply.status, reply.body["current_role"].as_str()),
            (StatusCode::OK, Some(role)),
            "{who}: {}",
            reply.text
        );
    }
    let admin_code = code("admin").await;
    let upgraded = app
        .send(
            Method::POST,
            &format!("/api/invites/{admin_code}"),
            Some(&member),
            None,
        )
        .await;
    assert_eq!(upgraded.body["current_role"], "admin", "{}", upgraded.text);
    let (_, detail) = app.get(&format!("/api/rooms/{slug}"), &member).await;
    assert_eq!(detail["current_role"], "admin");
    let again = app
        .send(
            Method::POST,
            &format!("/api/invites/{admin_code}"),
            Some(&member),
            None,
        )
        .await;
    assert_eq!(
        again.body["current_role"], "admin",
        "invitations are reusable and idempotent"
    );
    assert_eq!(
        detail["members"].as_array().map(Vec::len),
        Some(3),
        "no duplicate membership"
    );
    app.stop().await;
}

both_backends!(deleting_or_listing_invitations_checks_the_room_and_the_id);
async fn deleting_or_listing_invitations_checks_the_room_and_the_id(db: Db) {
    let app = TestApp::spawn(db).await;
    let (slug, owner, ..) = room_with_roles(&app).await;
    let other_slug = app.room(&owner, "Other").await;
    let (_, foreign) = app
        .post(
            &format!("/api/rooms/{other_slug}/invitations"),
            &owner,
            json!({}),
        )
        .await;
    let foreign_id = foreign["id"].as_i64().expect("id");
    for path in [
        format!("/api/rooms/{slug}/invitations/{foreign_id}"),
        format!("/api/rooms/{slug}/invitations/999999"),
        format!("/api/invites/{foreign_id}?room={slug}"),
        format!("/api/invites/999999?room={slug}"),
    ] {
        let reply = app.send(Method::DELETE, &path, Some(&owner), None).await;
        assert_detail(&reply, StatusCode::NOT_FOUND, "Invitation not found", &path);
    }
    let (_, still) = app
        .get(&format!("/api/invites?room={other_slug}"), &owner)
        .await;
    assert_eq!(
        still.as_array().map(Vec::len),
        Some(1),
        "the other room's invitation survived"
    );
    let no_room = app
        .send(Method::GET, "/api/invites", Some(&owner), None)
        .await;
    assert_422(
        &no_room,
        "missing",
        json!(["query", "room"]),
        "GET /api/invites without room",
    );
    let no_room = app
        .send(
            Method::DELETE,
            &format!("/api/invites/{foreign_id}"),
            Some(&owner),
            None,
        )
        .await;
    assert_422(
        &no_room,
        "missing",
        json!(["query", "room"]),
        "DELETE /api/invites/{id} without room",
    );
    let bad_id = app
        .send(
            Method::DELETE,
            &format!("/api/rooms/{slug}/invitations/abc"),
            Some(&owner),
            None,
        )
        .await;
    assert_422(
        &bad_id,
        "int_parsing",
        json!(["path", "invitation_id"]),
        "invitation id abc",
    );
    let ok = app
        .send(
            Method::DELETE,
            &format!("/api/invites/{foreign_id}?room={other_slug}"),
            Some(&owner),
            None,
        )
        .await;
    assert_eq!(ok.status, StatusCode::NO_CONTENT);
    let gone = app
        .send(
            Method::POST,
            &format!("/api/invites/{}", foreign["code"].as_str().expect("code")),
            Some(&owner),
            None,
        )
        .await;
    assert_detail(
        &gone,
        StatusCode::NOT_FOUND,
        "Invitation not found",
        "a deleted code",
    );
    app.stop().await;
}

both_backends!(member_role_changes_follow_the_outrank_rules);
async fn member_role_changes_follow_the_outrank_rules(db: Db) {
    let app = TestApp::spawn(db).await;
    let (slug, owner, admin, _member, member_id) = room_with_roles(&app).await;
    let (other_admin_id, other_admin) = app.user("walt").await;
    app.join(&owner, &slug, &other_admin, "admin").await;
    let (co_owner_id, co_owner) = app.user("xena").await;
    let (outsider_id, _) = app.user("yuri").await;
    let (_, owner_detail) = app.get(&format!("/api/rooms/{slug}"), &owner).await;
    let owner_id = owner_detail["members"]
        .as_array()
        .expect("members")
        .iter()
        .find(|m| m["role"] == "owner")
        .expect("owner")["user_id"]
        .as_i64()
        .expect("id");
    let patch = |token: String, user: i64, role: &'static str| {
        let (app, slug) = (&app, slug.clone());
        async move {
            app.send(
                Method::PATCH,
                &format!("/api/rooms/{slug}/members/{user}"),
                Some(&token),
                Some(json!({ "role": role })),
            )
            .await
        }
    };
    let outranked = "Cannot manage members with equal or higher role";
    assert_detail(
        &patch(admin.clone(), other_admin_id, "member").await,
        StatusCode::FORBIDDEN,
        outranked,
        "admin on admin",
    );
    assert_detail(
        &patch(admin.clone(), owner_id, "member").await,
        StatusCode::FORBIDDEN,
        outranked,
        "admin on owner",
    );
    assert_detail(
        &patch(admin.clone(), member_id, "admin").await,
        StatusCode::FORBIDDEN,
        outranked,
        "admin promotes to admin",
    );
    assert_detail(
        &patch(admin.clone(), member_id, "owner").await,
        StatusCode::FORBIDDEN,
        outranked,
        "admin promotes to owner",
    );
    assert_detail(
        &patch(owner.clone(), owner_id, "member").await,
        StatusCode::FORBIDDEN,
        outranked,
        "owner on self",
    );
    assert_detail(
        &patch(admin.clone(), outsider_id, "guest").await,
        StatusCode::NOT_FOUND,
        "Member not found",
        "not a member",
    );
    assert_detail(
        &patch(admin.clone(), 999_999, "guest").await,
        StatusCode::NOT_FOUND,
        "Member not found",
        "no such user",
    );
    assert_422(
        &patch(owner.clone(), member_id, "king").await,
        "enum",
        json!(["body", "role"]),
        "role king",
    );
    let bad_id = app
        .send(
            Method::PATCH,
            &format!("/api/rooms/{slug}/members/abc"),
            Some(&owner),
            Some(json!({"role": "guest"})),
        )
        .await;
    assert_422(
        &bad_id,
        "int_parsing",
        json!(["path", "user_id"]),
        "user id abc",
    );

    let demoted = patch(admin.clone(), member_id, "guest").await;
    assert_eq!(
        (demoted.status, demoted.body.clone()),
        (StatusCode::OK, json!({"role": "guest"})),
        "admin demotes a member"
    );
    app.join(&owner, &slug, &co_owner, "member").await;
    let made_owner = patch(owner.clone(), co_owner_id, "owner").await;
    assert_eq!(
        made_owner.body,
        json!({"role": "owner"}),
        "an owner may promote to owner: {}",
        made_owner.text
    );
    assert_detail(
        &patch(owner.clone(), co_owner_id, "member").await,
        StatusCode::FORBIDDEN,
        outranked,
        "owner on another owner",
    );
    let (_, detail) = app.get(&format!("/api/rooms/{slug}"), &co_owner).await;
    assert_eq!(detail["current_role"], "owner");
    assert!(detail["invitations"].is_array());
    let (_, members) = app.get(&format!("/api/rooms/{slug}"), &owner).await;
    let role_of = |id: i64| {
        members["members"]
            .as_array()
            .expect("members")
            .iter()
            .find(|m| m["user_id"] == id)
            .expect("member")["role"]
            .clone()
    };
    assert_eq!(role_of(member_id), "guest");
    assert_eq!(
        role_of(other_admin_id),
        "admin",
        "refused changes changed nothing"
    );
    app.stop().await;
}

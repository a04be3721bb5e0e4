//! Channel permission overwrites, role levels and the bounded member list: the routes' exact
//! shapes and 422s (§1.3, §1.5, decision 22). The generated matrix of decision 24 is in
//! `matrix`, changes acting on open sockets (one node and two) in `live`.

mod live;
mod matrix;

use reqwest::Method;
use serde_json::{Value, json};

use crate::common::{Db, TestApp, assert_422, assert_detail, both_backends};

struct Room {
    slug: String,
    channel: i64,
    owner: String,
    admin: String,
    member_id: i64,
    member: String,
}

async fn room(app: &TestApp) -> Room {
    let (_, owner) = app.user("owner").await;
    let (_, admin) = app.user("admin").await;
    let (member_id, member) = app.user("member").await;
    let slug = app.room(&owner, "Shapes").await;
    app.join(&owner, &slug, &admin, "admin").await;
    app.join(&owner, &slug, &member, "member").await;
    let channel = app.channel(&owner, &slug, "general", "text").await["id"]
        .as_i64()
        .unwrap();
    Room {
        slug,
        channel,
        owner,
        admin,
        member_id,
        member,
    }
}

both_backends!(overwrites_answer_in_the_contracts_shapes);
async fn overwrites_answer_in_the_contracts_shapes(db: Db) {
    let app = TestApp::spawn(db).await;
    let r = room(&app).await;
    let base = format!("/api/channels/{}/permissions", r.channel);

    let (status, fresh) = app.get(&base, &r.member).await;
    assert_eq!(status, 200);
    assert_eq!(
        fresh,
        json!({"channel_id": r.channel, "roles": [], "users": []})
    );

    // Canonical order, duplicates once, whatever order they were sent in.
    let reply = app
        .send(
            Method::PUT,
            &format!("{base}/roles/member"),
            Some(&r.admin),
            Some(json!({"allow": ["speak", "view", "speak"], "deny": ["manage_events", "send_messages"]})),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(
        reply.body,
        json!({"role": "member", "allow": ["view", "speak"], "deny": ["send_messages", "manage_events"]})
    );
    let reply = app
        .send(
            Method::PUT,
            &format!("{base}/roles/guest"),
            Some(&r.admin),
            Some(json!({})),
        )
        .await;
    assert_eq!(
        reply.body,
        json!({"role": "guest", "allow": [], "deny": []})
    );
    let reply = app
        .send(
            Method::PUT,
            &format!("{base}/users/{}", r.member_id),
            Some(&r.owner),
            Some(json!({"deny": ["view"]})),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(
        reply.body,
        json!({"user_id": r.member_id, "login": "member", "display_name": "member",
               "avatar_url": null, "status": reply.body["status"], "allow": [], "deny": ["view"]})
    );

    let (status, summary) = app.get(&base, &r.admin).await;
    assert_eq!(status, 200);
    assert_eq!(
        summary["roles"][0]["role"], "guest",
        "roles by name: {summary}"
    );
    assert_eq!(summary["roles"][1]["role"], "member");
    assert_eq!(summary["users"][0]["user_id"], r.member_id);
    assert_eq!(summary["users"][0]["deny"], json!(["view"]));
    // The member denied `view` no longer finds the channel, nor its overwrites.
    let reply = app.send(Method::GET, &base, Some(&r.member), None).await;
    assert_detail(
        &reply,
        reqwest::StatusCode::NOT_FOUND,
        "Channel not found",
        "hidden",
    );

    // Deleting is idempotent.
    for _ in 0..2 {
        let reply = app
            .send(
                Method::DELETE,
                &format!("{base}/users/{}", r.member_id),
                Some(&r.owner),
                None,
            )
            .await;
        assert_eq!(reply.status, 204, "{}", reply.text);
        assert!(reply.text.is_empty());
        let reply = app
            .send(
                Method::DELETE,
                &format!("{base}/roles/member"),
                Some(&r.owner),
                None,
            )
            .await;
        assert_eq!(reply.status, 204);
    }
    let (_, summary) = app.get(&base, &r.member).await;
    assert_eq!(summary["users"], json!([]));
    assert_eq!(
        summary["roles"],
        json!([{"role": "guest", "allow": [], "deny": []}])
    );
    app.stop().await;
}

both_backends!(overwrite_payloads_and_paths_that_break_the_rules_answer_422);
async fn overwrite_payloads_and_paths_that_break_the_rules_answer_422(db: Db) {
    let app = TestApp::spawn(db).await;
    let r = room(&app).await;
    let base = format!("/api/channels/{}/permissions", r.channel);
    let put = |path: String, body: Value| {
        let admin = r.admin.clone();
        let app = &app;
        async move { app.send(Method::PUT, &path, Some(&admin), Some(body)).await }
    };
    let reply = put(
        format!("{base}/roles/member"),
        json!({"allow": ["view", "fly"]}),
    )
    .await;
    assert_422(
        &reply,
        "enum",
        json!(["body", "allow", 1]),
        "unknown permission",
    );
    let reply = put(
        format!("{base}/users/{}", r.member_id),
        json!({"deny": ["teleport"]}),
    )
    .await;
    assert_422(
        &reply,
        "enum",
        json!(["body", "deny", 0]),
        "unknown permission",
    );
    let reply = put(
        format!("{base}/roles/member"),
        json!({"allow": ["view", "speak"], "deny": ["speak"]}),
    )
    .await;
    assert_422(&reply, "value_error", json!(["body"]), "overlap");
    assert_eq!(
        reply.body["detail"][0]["msg"],
        "Value error, Allow and deny permissions cannot overlap"
    );
    let reply = put(format!("{base}/roles/moderator"), json!({})).await;
    assert_422(&reply, "enum", json!(["path", "role"]), "unknown role");
    let reply = app
        .send(
            Method::DELETE,
            &format!("{base}/roles/moderator"),
            Some(&r.admin),
            None,
        )
        .await;
    assert_422(
        &reply,
        "enum",
        json!(["path", "role"]),
        "unknown role on delete",
    );
    let reply = put(format!("{base}/roles/member"), json!({"allow": "view"})).await;
    assert_eq!(reply.status, 422, "{}", reply.text);

    // Writes need admin+ (answered first) and `manage_permissions`; the target must belong.
    let reply = app
        .send(
            Method::PUT,
            &format!("{base}/roles/guest"),
            Some(&r.member),
            Some(json!({})),
        )
        .await;
    assert_detail(
        &reply,
        reqwest::StatusCode::FORBIDDEN,
        "Insufficient permissions",
        "member",
    );
    let (stranger_id, _) = app.user("stranger").await;
    let reply = put(format!("{base}/users/{stranger_id}"), json!({})).await;
    assert_detail(
        &reply,
        reqwest::StatusCode::FORBIDDEN,
        "Not a room member",
        "target",
    );
    let reply = app
        .send(
            Method::PUT,
            &format!("{base}/roles/admin"),
            Some(&r.owner),
            Some(json!({"deny": ["manage_permissions"]})),
        )
        .await;
    assert_eq!(reply.status, 200);
    let reply = put(format!("{base}/roles/guest"), json!({})).await;
    assert_detail(
        &reply,
        reqwest::StatusCode::FORBIDDEN,
        "Missing permission: manage_permissions",
        "admin denied",
    );
    let reply = app
        .send(
            Method::GET,
            "/api/channels/999999/permissions",
            Some(&r.admin),
            None,
        )
        .await;
    assert_detail(
        &reply,
        reqwest::StatusCode::NOT_FOUND,
        "Channel not found",
        "missing",
    );
    app.stop().await;
}

both_backends!(role_levels_are_listed_to_admins_and_changed_by_owners_only);
async fn role_levels_are_listed_to_admins_and_changed_by_owners_only(db: Db) {
    let app = TestApp::spawn(db).await;
    let r = room(&app).await;
    let path = format!("/api/rooms/{}/roles/hierarchy", r.slug);
    let (status, levels) = app.get(&path, &r.admin).await;
    assert_eq!(status, 200);
    assert_eq!(
        levels,
        json!([{"role": "owner", "level": 400}, {"role": "admin", "level": 300},
               {"role": "member", "level": 200}, {"role": "guest", "level": 100}])
    );
    let reply = app.send(Method::GET, &path, Some(&r.member), None).await;
    assert_detail(
        &reply,
        reqwest::StatusCode::FORBIDDEN,
        "Insufficient permissions",
        "member",
    );

    let patch = |who: String, role: &'static str, body: Value| {
        let path = format!("{path}/{role}");
        let app = &app;
        async move { app.send(Method::PATCH, &path, Some(&who), Some(body)).await }
    };
    let reply = patch(r.admin.clone(), "guest", json!({"level": 50})).await;
    assert_detail(
        &reply,
        reqwest::StatusCode::FORBIDDEN,
        "Insufficient permissions",
        "admin",
    );
    let reply = patch(r.owner.clone(), "wizard", json!({"level": 50})).await;
    assert_detail(
        &reply,
        reqwest::StatusCode::NOT_FOUND,
        "Role not found",
        "unknown role",
    );
    let reply = app
        .send(
            Method::PATCH,
            "/api/rooms/no-such-room/roles/hierarchy/wizard",
            Some(&r.owner),
            Some(json!({"level": 1})),
        )
        .await;
    assert_detail(
        &reply,
        reqwest::StatusCode::NOT_FOUND,
        "Role not found",
        "role before room",
    );
    let reply = patch(r.owner.clone(), "guest", json!({"level": -1})).await;
    assert_422(
        &reply,
        "greater_than_equal",
        json!(["body", "level"]),
        "negative",
    );
    let reply = patch(r.owner.clone(), "guest", json!({})).await;
    assert_eq!(reply.status, 422, "{}", reply.text);

    let reply = patch(r.owner.clone(), "guest", json!({"level": 250})).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.body, json!({"role": "guest", "level": 250}));
    let (_, levels) = app.get(&path, &r.owner).await;
    assert_eq!(
        levels[2],
        json!({"role": "guest", "level": 250}),
        "level descending: {levels}"
    );
    let (_, detail) = app.get(&format!("/api/rooms/{}", r.slug), &r.member).await;
    assert_eq!(
        detail["role_hierarchy"][2],
        json!({"role": "guest", "level": 250})
    );
    app.stop().await;
}

both_backends!(members_are_listed_page_by_page_and_found_by_name);
async fn members_are_listed_page_by_page_and_found_by_name(db: Db) {
    let app = TestApp::spawn(db).await;
    let r = room(&app).await;
    for login in ["zed_one", "zed%two", "amber"] {
        let (_, token) = app.user(login).await;
        app.join(&r.owner, &r.slug, &token, "guest").await;
    }
    let path = format!("/api/rooms/{}/members", r.slug);
    let (status, page) = app.get(&format!("{path}?limit=2"), &r.member).await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["total"], 6);
    assert_eq!(page["next_offset"], 2);
    let names = |page: &Value| -> Vec<String> {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["login"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(names(&page), ["admin", "amber"]);
    let (_, last) = app
        .get(&format!("{path}?limit=2&offset=4"), &r.member)
        .await;
    assert_eq!(names(&last), ["zed%two", "zed_one"]);
    assert_eq!(last["next_offset"], Value::Null);

    // A search matches logins and display names, `%` and `_` literally.
    let (_, found) = app.get(&format!("{path}?query=ZED"), &r.member).await;
    assert_eq!((found["total"].as_i64(), names(&found).len()), (Some(2), 2));
    let (_, found) = app.get(&format!("{path}?query=%25"), &r.member).await;
    assert_eq!(names(&found), ["zed%two"]);
    let (_, found) = app.get(&format!("{path}?query=d_"), &r.member).await;
    assert_eq!(names(&found), ["zed_one"]);

    let reply = app
        .send(
            Method::GET,
            &format!("{path}?limit=0"),
            Some(&r.member),
            None,
        )
        .await;
    assert_422(
        &reply,
        "greater_than_equal",
        json!(["query", "limit"]),
        "limit",
    );
    let reply = app
        .send(
            Method::GET,
            &format!("{path}?offset=-1"),
            Some(&r.member),
            None,
        )
        .await;
    assert_422(
        &reply,
        "greater_than_equal",
        json!(["query", "offset"]),
        "offset",
    );
    let long = "x".repeat(129);
    let reply = app
        .send(
            Method::GET,
            &format!("{path}?query={long}"),
            Some(&r.member),
            None,
        )
        .await;
    assert_422(
        &reply,
        "string_too_long",
        json!(["query", "query"]),
        "query",
    );
    let (stranger_id, stranger) = app.user("stranger").await;
    let _ = stranger_id;
    let reply = app.send(Method::GET, &path, Some(&stranger), None).await;
    assert_detail(
        &reply,
        reqwest::StatusCode::FORBIDDEN,
        "Not a room member",
        "stranger",
    );

    let (_, detail) = app.get(&format!("/api/rooms/{}", r.slug), &r.member).await;
    assert_eq!(detail["members_total"], 6);
    assert_eq!(detail["members"].as_array().map(Vec::len), Some(6));
    app.stop().await;
}

both_backends!(member_lists_stop_at_their_documented_maximum);
async fn member_lists_stop_at_their_documented_maximum(db: Db) {
    use charge_protocol::limits::{MEMBERS_EMBEDDED_MAX, MEMBERS_PAGE_MAX};
    let app = TestApp::spawn(db).await;
    let r = room(&app).await;
    // Many members at once straight into storage (registering each would hash a password).
    let store = charge_store::Store::connect(&app.database_url, &Default::default())
        .await
        .unwrap();
    let room_id = store.room_by_slug(&r.slug).await.unwrap().unwrap().id;
    let extra = MEMBERS_EMBEDDED_MAX.max(MEMBERS_PAGE_MAX as usize) + 5;
    for n in 0..extra {
        let user = store
            .create_user(
                &format!("crowd{n:04}"),
                &format!("crowd{n:04}"),
                "not-a-hash",
                None,
                "idle",
            )
            .await
            .unwrap();
        store
            .add_member(room_id, user.id, charge_store::Role::Guest)
            .await
            .unwrap();
    }
    let total = extra + 3;
    let (_, detail) = app.get(&format!("/api/rooms/{}", r.slug), &r.member).await;
    assert_eq!(detail["members_total"], total);
    assert_eq!(
        detail["members"].as_array().map(Vec::len),
        Some(MEMBERS_EMBEDDED_MAX)
    );
    let (_, page) = app
        .get(
            &format!("/api/rooms/{}/members?limit=100000", r.slug),
            &r.member,
        )
        .await;
    assert_eq!(
        page["items"].as_array().map(Vec::len),
        Some(MEMBERS_PAGE_MAX as usize)
    );
    assert_eq!(page["total"], total);

    let mut ws = crate::common::ws::connect(
        &app.base,
        &format!("/ws/rooms/{}?token={}", r.slug, r.member),
    )
    .await;
    let snapshot = crate::common::ws::next_of(&mut ws, "workspace_snapshot").await;
    assert_eq!(snapshot["members_total"], total);
    assert_eq!(
        snapshot["members"].as_array().map(Vec::len),
        Some(MEMBERS_EMBEDDED_MAX)
    );
    store.close().await;
    app.stop().await;
}

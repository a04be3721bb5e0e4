//! The room audit log: every kind of change is there with its actor, target and the state
//! before and after, newest first, paged with a cursor, for admins and owners only.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::Cast;
use crate::common::{Db, TestApp, assert_422, assert_detail, both_backends};

fn actions(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|i| i["action"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn entry<'a>(page: &'a Value, action: &str) -> &'a Value {
    page["items"]
        .as_array()
        .and_then(|items| items.iter().find(|i| i["action"] == action))
        .unwrap_or_else(|| panic!("no {action} in {page}"))
}

both_backends!(every_kind_of_change_is_in_the_audit_log_with_its_actor_and_states);
async fn every_kind_of_change_is_in_the_audit_log_with_its_actor_and_states(db: Db) {
    let app = TestApp::spawn(db).await;
    let cast = Cast::new(&app).await;
    let slug = &cast.slug;
    let (_, category) = app
        .post(
            &format!("/api/rooms/{slug}/categories"),
            &cast.admin,
            json!({"name": "Talk"}),
        )
        .await;
    let category_id = category["id"].as_i64().expect("category");
    app.send(
        Method::PATCH,
        &format!("/api/rooms/{slug}/categories/{category_id}"),
        Some(&cast.admin),
        Some(json!({"name": "Chat"})),
    )
    .await;
    app.send(
        Method::PATCH,
        &format!("/api/channels/{}", cast.channel_id),
        Some(&cast.admin),
        Some(json!({"name": "lobby"})),
    )
    .await;
    app.send(
        Method::PUT,
        &format!("/api/channels/{}/slow-mode", cast.channel_id),
        Some(&cast.admin),
        Some(json!({"seconds": 10})),
    )
    .await;
    let (_, invitation) = app
        .post(
            &format!("/api/rooms/{slug}/invitations"),
            &cast.admin,
            json!({"role": "guest"}),
        )
        .await;
    app.send(
        Method::DELETE,
        &format!("/api/rooms/{slug}/invitations/{}", invitation["id"]),
        Some(&cast.admin),
        None,
    )
    .await;
    app.send(
        Method::PATCH,
        &format!("/api/rooms/{slug}/members/{}", cast.member_id),
        Some(&cast.owner),
        Some(json!({"role": "guest"})),
    )
    .await;
    let until = (chrono::Utc::now() + chrono::Duration::seconds(300)).to_rfc3339();
    app.send(
        Method::PUT,
        &format!("/api/rooms/{slug}/members/{}/timeout", cast.member_id),
        Some(&cast.admin),
        Some(json!({ "until": until })),
    )
    .await;
    app.send(
        Method::DELETE,
        &format!("/api/rooms/{slug}/categories/{category_id}"),
        Some(&cast.admin),
        None,
    )
    .await;
    app.send(
        Method::PATCH,
        &format!("/api/rooms/{slug}"),
        Some(&cast.owner),
        Some(json!({"title": "Renamed"})),
    )
    .await;
    app.send(
        Method::PUT,
        &format!("/api/rooms/{slug}/bans/{}", cast.member_id),
        Some(&cast.admin),
        Some(json!({"reason": "rude"})),
    )
    .await;
    app.send(
        Method::DELETE,
        &format!("/api/rooms/{slug}/members/{}", cast.admin2_id),
        Some(&cast.owner),
        None,
    )
    .await;

    let (status, page) = app
        .get(
            &format!("/api/rooms/{slug}/audit-log?limit=100"),
            &cast.admin,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let seen = actions(&page);
    for wanted in [
        "member.kick",
        "member.ban",
        "room.rename",
        "category.delete",
        "member.timeout",
        "member.role",
        "invitation.delete",
        "invitation.create",
        "channel.slow_mode",
        "channel.update",
        "category.update",
        "category.create",
        "channel.create",
        "member.join",
        "room.create",
    ] {
        assert!(
            seen.contains(&wanted.to_owned()),
            "{wanted} missing from {seen:?}"
        );
    }
    assert_eq!(
        seen.first().map(String::as_str),
        Some("member.kick"),
        "newest first"
    );
    assert_eq!(
        seen.last().map(String::as_str),
        Some("room.create"),
        "oldest last"
    );
    let ids: Vec<i64> = page["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|i| i["id"].as_i64())
        .collect();
    assert!(ids.windows(2).all(|w| w[0] > w[1]), "{ids:?}");

    let kick = entry(&page, "member.kick");
    assert_eq!(kick["actor"]["id"], cast.owner_id);
    assert_eq!(kick["actor"]["login"], "olga");
    assert_eq!(kick["target_type"], "member");
    assert_eq!(kick["target_id"], cast.admin2_id);
    assert_eq!(kick["before"]["role"], "admin");
    assert!(kick["after"].is_null());
    assert!(
        kick["created_at"]
            .as_str()
            .is_some_and(|t| t.ends_with('Z'))
    );
    let role = entry(&page, "member.role");
    assert_eq!(
        (
            role["before"]["role"].clone(),
            role["after"]["role"].clone()
        ),
        (json!("member"), json!("guest"))
    );
    let rename = entry(&page, "channel.update");
    assert_eq!(rename["before"]["name"], "general");
    assert_eq!(rename["after"]["name"], "lobby");
    let slow = entry(&page, "channel.slow_mode");
    assert_eq!(
        (
            slow["before"]["slow_mode_seconds"].clone(),
            slow["after"]["slow_mode_seconds"].clone()
        ),
        (json!(0), json!(10))
    );
    let ban = entry(&page, "member.ban");
    assert_eq!(ban["actor"]["id"], cast.admin_id);
    assert_eq!(ban["after"]["reason"], "rude");
    let room = entry(&page, "room.rename");
    assert_eq!(
        (
            room["before"]["title"].clone(),
            room["after"]["title"].clone()
        ),
        (json!("Guild"), json!("Renamed"))
    );
    assert_eq!(room["target_type"], "room");
    let timeout = entry(&page, "member.timeout");
    assert!(timeout["after"]["timed_out_until"].is_string(), "{timeout}");
    let invite = entry(&page, "invitation.create");
    assert_eq!(invite["after"]["role"], "guest");
    assert!(
        invite["after"].get("code").is_none(),
        "codes stay out of the log"
    );
    app.stop().await;
}

both_backends!(the_audit_log_pages_with_a_cursor_and_only_admins_may_read_it);
async fn the_audit_log_pages_with_a_cursor_and_only_admins_may_read_it(db: Db) {
    let app = TestApp::spawn(db).await;
    let cast = Cast::new(&app).await;
    let slug = &cast.slug;
    for n in 0..5 {
        app.channel(&cast.owner, slug, &format!("extra-{n}"), "text")
            .await;
    }
    let log = format!("/api/rooms/{slug}/audit-log");
    let (_, everything) = app.get(&format!("{log}?limit=100"), &cast.owner).await;
    let all = actions(&everything);
    assert!(all.len() >= 10, "{all:?}");

    let mut walked = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..20 {
        let url = match &cursor {
            Some(c) => format!("{log}?limit=3&cursor={c}"),
            None => format!("{log}?limit=3"),
        };
        let (status, page) = app.get(&url, &cast.admin).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        let items = actions(&page);
        assert!(items.len() <= 3);
        walked.extend(items);
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    assert_eq!(walked, all, "pages add up to the whole log, in order");

    let (_, default) = app.get(&log, &cast.owner).await;
    assert_eq!(actions(&default).len(), all.len().min(50));
    assert_detail(
        &app.send(Method::GET, &log, Some(&cast.member), None).await,
        StatusCode::FORBIDDEN,
        "Insufficient permissions",
        "a member reading the log",
    );
    let (_, stranger) = app.user("stan").await;
    assert_detail(
        &app.send(Method::GET, &log, Some(&stranger), None).await,
        StatusCode::FORBIDDEN,
        "Not a room member",
        "a stranger reading the log",
    );
    for (limit, kind) in [("0", "greater_than_equal"), ("101", "less_than_equal")] {
        assert_422(
            &app.send(
                Method::GET,
                &format!("{log}?limit={limit}"),
                Some(&cast.owner),
                None,
            )
            .await,
            kind,
            json!(["query", "limit"]),
            limit,
        );
    }
    assert_detail(
        &app.send(
            Method::GET,
            &format!("{log}?cursor=abc"),
            Some(&cast.owner),
            None,
        )
        .await,
        StatusCode::BAD_REQUEST,
        "Invalid cursor",
        "a bad cursor",
    );
    app.stop().await;
}

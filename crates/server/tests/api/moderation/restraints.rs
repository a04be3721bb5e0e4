//! Timeouts and slow mode: the same refusal over HTTP and on an already open socket, the
//! limits of each setting, and who may set them.

use reqwest::{Method, StatusCode};
use serde_json::json;

use super::{Cast, frame_where};
use crate::common::ws::{connect, next_of, send};
use crate::common::{Db, TestApp, assert_detail, both_backends};

fn from_now(seconds: i64) -> String {
    (chrono::Utc::now() + chrono::Duration::seconds(seconds)).to_rfc3339()
}

both_backends!(a_timed_out_member_cannot_post_react_or_type_on_an_open_socket_or_over_http);
async fn a_timed_out_member_cannot_post_react_or_type_on_an_open_socket_or_over_http(db: Db) {
    let app = TestApp::spawn(db).await;
    let cast = Cast::new(&app).await;
    let message = app.message(&cast.owner, cast.channel_id, "hello").await;
    let message_id = message["id"].as_i64().expect("id");
    let mut owner_ws = connect(
        &app.base,
        &format!("/ws/rooms/{}?token={}", cast.slug, cast.owner),
    )
    .await;
    next_of(&mut owner_ws, "workspace_snapshot").await;
    let mut ws = connect(
        &app.base,
        &format!("/ws/text/{}?token={}", cast.channel_id, cast.member),
    )
    .await;
    next_of(&mut ws, "presence").await;

    let timeout = format!(
        "/api/rooms/{}/members/{}/timeout",
        cast.slug, cast.member_id
    );
    let set = app
        .send(
            Method::PUT,
            &timeout,
            Some(&cast.admin),
            Some(json!({"until": from_now(600)})),
        )
        .await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.text);
    let until = set.body["timed_out_until"]
        .as_str()
        .expect("until")
        .to_owned();
    let detail = format!("You are timed out until {until}");
    let updated = frame_where(&mut owner_ws, "member_updated", |f| {
        f["type"] == "member_updated"
    })
    .await;
    let shown = updated["members"]
        .as_array()
        .and_then(|m| m.iter().find(|m| m["user_id"] == cast.member_id))
        .expect("member in the list");
    assert_eq!(shown["timed_out_until"], until.as_str());

    // The socket opened before the timeout obeys it at once.
    send(
        &mut ws,
        json!({"type": "message", "content": "let me talk"}),
    )
    .await;
    assert_eq!(next_of(&mut ws, "error").await["detail"], detail.as_str());
    send(
        &mut ws,
        json!({"type": "reaction", "message_id": message_id, "emoji": "👍"}),
    )
    .await;
    assert_eq!(next_of(&mut ws, "error").await["detail"], detail.as_str());
    send(&mut ws, json!({"type": "typing", "is_typing": true})).await;
    assert_eq!(next_of(&mut ws, "error").await["detail"], detail.as_str());
    // And HTTP says the same.
    let posted = app
        .post_message(
            Some(&cast.member),
            &[
                ("channel_id", &cast.channel_id.to_string()),
                ("content", "hi"),
            ],
        )
        .await;
    assert_detail(&posted, StatusCode::FORBIDDEN, &detail, "posting over HTTP");
    let reacted = app
        .send(
            Method::POST,
            &format!(
                "/api/channels/{}/messages/{message_id}/reactions",
                cast.channel_id
            ),
            Some(&cast.member),
            Some(json!({"emoji": "👍"})),
        )
        .await;
    assert_detail(
        &reacted,
        StatusCode::FORBIDDEN,
        &detail,
        "reacting over HTTP",
    );
    // Reading still works.
    let (status, _) = app
        .get(
            &format!("/api/channels/{}/history", cast.channel_id),
            &cast.member,
        )
        .await;
    assert_eq!(status, StatusCode::OK);

    let lifted = app
        .send(
            Method::PUT,
            &timeout,
            Some(&cast.admin),
            Some(json!({"until": null})),
        )
        .await;
    assert_eq!(lifted.status, StatusCode::OK, "{}", lifted.text);
    assert!(lifted.body["timed_out_until"].is_null());
    send(&mut ws, json!({"type": "message", "content": "thanks"})).await;
    let echo = next_of(&mut ws, "message").await;
    assert_eq!(echo["message"]["content"], "thanks");
    app.stop().await;
}

both_backends!(a_timeout_must_end_in_the_future_within_28_days_and_outrank_its_target);
async fn a_timeout_must_end_in_the_future_within_28_days_and_outrank_its_target(db: Db) {
    let app = TestApp::spawn(db).await;
    let cast = Cast::new(&app).await;
    let path = |user: i64| format!("/api/rooms/{}/members/{user}/timeout", cast.slug);
    let cases = [
        (
            &cast.admin,
            cast.member_id,
            from_now(-60),
            StatusCode::BAD_REQUEST,
            "A timeout must end in the future",
        ),
        (
            &cast.admin,
            cast.member_id,
            from_now(29 * 24 * 3600),
            StatusCode::BAD_REQUEST,
            "A timeout lasts at most 28 days",
        ),
        (
            &cast.member,
            cast.admin_id,
            from_now(60),
            StatusCode::FORBIDDEN,
            "Insufficient permissions",
        ),
        (
            &cast.admin,
            cast.admin2_id,
            from_now(60),
            StatusCode::FORBIDDEN,
            "Cannot manage members with equal or higher role",
        ),
        (
            &cast.admin,
            999_999,
            from_now(60),
            StatusCode::NOT_FOUND,
            "Member not found",
        ),
    ];
    for (token, user, until, status, detail) in cases {
        let reply = app
            .send(
                Method::PUT,
                &path(user),
                Some(token),
                Some(json!({ "until": until })),
            )
            .await;
        assert_detail(&reply, status, detail, &path(user));
    }
    let bad = app
        .send(
            Method::PUT,
            &path(cast.member_id),
            Some(&cast.admin),
            Some(json!({"until": "tomorrow"})),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.text);
    app.stop().await;
}

both_backends!(slow_mode_makes_members_wait_with_the_retry_time_on_both_ways_in_and_spares_admins);
async fn slow_mode_makes_members_wait_with_the_retry_time_on_both_ways_in_and_spares_admins(
    db: Db,
) {
    let app = TestApp::spawn(db).await;
    let cast = Cast::new(&app).await;
    let mut owner_ws = connect(
        &app.base,
        &format!("/ws/rooms/{}?token={}", cast.slug, cast.owner),
    )
    .await;
    next_of(&mut owner_ws, "workspace_snapshot").await;
    let slow = format!("/api/channels/{}/slow-mode", cast.channel_id);
    let set = app
        .send(
            Method::PUT,
            &slow,
            Some(&cast.admin),
            Some(json!({"seconds": 120})),
        )
        .await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.text);
    assert_eq!(set.body["slow_mode_seconds"], 120);
    let updated = frame_where(&mut owner_ws, "channel_updated", |f| {
        f["type"] == "channel_updated"
    })
    .await;
    assert_eq!(updated["channel"]["slow_mode_seconds"], 120);
    let (_, room) = app
        .get(&format!("/api/rooms/{}", cast.slug), &cast.member)
        .await;
    assert_eq!(room["channels"][0]["slow_mode_seconds"], 120, "{room}");

    let mut ws = connect(
        &app.base,
        &format!("/ws/text/{}?token={}", cast.channel_id, cast.member),
    )
    .await;
    next_of(&mut ws, "presence").await;
    send(&mut ws, json!({"type": "message", "content": "first"})).await;
    assert_eq!(
        next_of(&mut ws, "message").await["message"]["content"],
        "first"
    );
    send(&mut ws, json!({"type": "message", "content": "second"})).await;
    let refused = next_of(&mut ws, "error").await;
    let detail = refused["detail"].as_str().expect("detail");
    assert!(
        detail.starts_with("Slow mode is on: wait ")
            && detail.ends_with(" s before sending another message"),
        "{detail}"
    );
    let wait: u64 = detail
        .trim_start_matches("Slow mode is on: wait ")
        .split(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .expect("seconds in the refusal");
    assert!((1..=120).contains(&wait), "{wait}");

    let over_http = app
        .post_message(
            Some(&cast.member),
            &[
                ("channel_id", &cast.channel_id.to_string()),
                ("content", "third"),
            ],
        )
        .await;
    assert_eq!(
        over_http.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        over_http.text
    );
    let retry: u64 = over_http.headers["retry-after"]
        .to_str()
        .ok()
        .and_then(|v| v.parse().ok())
        .expect("Retry-After");
    assert!((1..=120).contains(&retry), "{retry}");
    assert_eq!(
        over_http.detail(),
        format!("Slow mode is on: wait {retry} s before sending another message")
    );

    // Admins and owners are exempt.
    for token in [&cast.admin, &cast.owner] {
        app.message(token, cast.channel_id, "one").await;
        app.message(token, cast.channel_id, "two").await;
    }
    // Turning it off lets the member post again at once.
    let off = app
        .send(
            Method::PUT,
            &slow,
            Some(&cast.owner),
            Some(json!({"seconds": 0})),
        )
        .await;
    assert_eq!(off.status, StatusCode::OK);
    app.message(&cast.member, cast.channel_id, "free again")
        .await;
    app.stop().await;
}

both_backends!(slow_mode_is_for_admins_to_set_on_text_channels_within_its_limit);
async fn slow_mode_is_for_admins_to_set_on_text_channels_within_its_limit(db: Db) {
    let app = TestApp::spawn(db).await;
    let cast = Cast::new(&app).await;
    let voice = app
        .channel(&cast.owner, &cast.slug, "lounge", "voice")
        .await;
    let slow = |id: i64| format!("/api/channels/{id}/slow-mode");
    assert_detail(
        &app.send(
            Method::PUT,
            &slow(cast.channel_id),
            Some(&cast.member),
            Some(json!({"seconds": 5})),
        )
        .await,
        StatusCode::FORBIDDEN,
        "Insufficient permissions",
        "a member",
    );
    assert_detail(
        &app.send(
            Method::PUT,
            &slow(voice["id"].as_i64().expect("id")),
            Some(&cast.admin),
            Some(json!({"seconds": 5})),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "Slow mode is only available for text channels",
        "a voice channel",
    );
    assert_detail(
        &app.send(
            Method::PUT,
            &slow(999_999),
            Some(&cast.admin),
            Some(json!({"seconds": 5})),
        )
        .await,
        StatusCode::NOT_FOUND,
        "Channel not found",
        "an unknown channel",
    );
    for seconds in [-1, 21_601] {
        let reply = app
            .send(
                Method::PUT,
                &slow(cast.channel_id),
                Some(&cast.admin),
                Some(json!({"seconds": seconds})),
            )
            .await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{seconds}: {}",
            reply.text
        );
    }
    let max = app
        .send(
            Method::PUT,
            &slow(cast.channel_id),
            Some(&cast.admin),
            Some(json!({"seconds": 21_600})),
        )
        .await;
    assert_eq!(max.status, StatusCode::OK);
    app.stop().await;
}

both_backends!(a_timeout_mutes_an_open_voice_participant_at_once_and_refuses_unmuting);
async fn a_timeout_mutes_an_open_voice_participant_at_once_and_refuses_unmuting(db: Db) {
    let app = TestApp::spawn(db).await;
    let cast = Cast::new(&app).await;
    app.channel(&cast.owner, &cast.slug, "lounge", "voice")
        .await;
    let mut owner = connect(
        &app.base,
        &format!("/ws/signal/{}?token={}", cast.slug, cast.owner),
    )
    .await;
    next_of(&mut owner, "state").await;
    let mut member = connect(
        &app.base,
        &format!("/ws/signal/{}?token={}", cast.slug, cast.member),
    )
    .await;
    next_of(&mut member, "state").await;
    send(
        &mut member,
        json!({"type": "state", "event": "set-role", "role": "speaker"}),
    )
    .await;
    frame_where(&mut owner, "the member on stage", |f| {
        f["event"] == "participant-updated"
            && f["participant"]["id"] == cast.member_id
            && f["participant"]["role"] == "speaker"
    })
    .await;

    let set = app
        .send(
            Method::PUT,
            &format!(
                "/api/rooms/{}/members/{}/timeout",
                cast.slug, cast.member_id
            ),
            Some(&cast.admin),
            Some(json!({"until": from_now(600)})),
        )
        .await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.text);
    let muted = frame_where(&mut owner, "the member muted", |f| {
        f["event"] == "participant-updated" && f["participant"]["id"] == cast.member_id
    })
    .await;
    assert_eq!(muted["participant"]["muted"], true, "{muted}");

    send(
        &mut member,
        json!({"type": "state", "event": "set-muted", "muted": false}),
    )
    .await;
    let refused = next_of(&mut member, "error").await;
    assert!(
        refused["detail"]
            .as_str()
            .is_some_and(|d| d.starts_with("You are timed out until")),
        "{refused}"
    );
    // Muting oneself, or anything else but speaking, still works.
    send(
        &mut member,
        json!({"type": "state", "event": "set-deafened", "deafened": true}),
    )
    .await;
    let deafened = frame_where(&mut member, "deafened", |f| {
        f["event"] == "participant-updated" && f["participant"]["id"] == cast.member_id
    })
    .await;
    assert_eq!(deafened["participant"]["deafened"], true);
    assert_eq!(deafened["participant"]["muted"], true);
    app.stop().await;
}

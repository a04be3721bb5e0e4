//! `GET /api/config/webrtc` and the in-server TURN probe's metrics.

use std::time::Duration;

use reqwest::Method;

use crate::common::{Db, TestApp, both_backends};

both_backends!(credentials_go_only_to_authenticated_callers);
async fn credentials_go_only_to_authenticated_callers(db: Db) {
    let app = TestApp::spawn_with(
        db,
        &[
            (
                "WEBRTC_TURN_SERVERS",
                "turn:turn.example.org:3478?transport=udp, turns:turn.example.org:5349",
            ),
            ("WEBRTC_TURN_USERNAME", "charge"),
            ("WEBRTC_TURN_CREDENTIAL", "s3cret"),
            ("WEBRTC_TURN_REALM", "example.org"),
            ("WEBRTC_STUN_SERVERS", r#"["stun:stun.example.org:3478"]"#),
        ],
    )
    .await;
    let (_, body) = app
        .call(Method::GET, "/api/config/webrtc", None, None)
        .await;
    assert_eq!(
        body["turn"]["urls"].as_array().unwrap().len(),
        2,
        "CSV list parsed: {body}"
    );
    assert_eq!(body["turn"]["realm"], "example.org");
    assert!(body["turn"].get("credential").is_none());
    let turn_entry = &body["iceServers"][1];
    assert_eq!(
        turn_entry["credential"],
        serde_json::Value::Null,
        "anonymous callers get no credential"
    );
    assert_eq!(
        body["iceServers"][0]["urls"][0],
        "stun:stun.example.org:3478"
    );
    assert_eq!(body["defaults"]["maxSpeakers"], 16);

    let (_, token) = app.user("alice").await;
    let (_, body) = app.get("/api/config/webrtc", &token).await;
    assert_eq!(body["iceServers"][1]["username"], "charge");
    assert_eq!(body["iceServers"][1]["credential"], "s3cret");
    // A signed-out session's token is an anonymous caller here too.
    let (status, _) = app
        .call(Method::POST, "/api/auth/logout", Some(&token), None)
        .await;
    assert_eq!(status, reqwest::StatusCode::NO_CONTENT);
    let (_, body) = app.get("/api/config/webrtc", &token).await;
    assert_eq!(
        body["iceServers"][1]["credential"],
        serde_json::Value::Null,
        "an ended session gets no credential"
    );
    app.stop().await;
}

both_backends!(a_shared_secret_gives_time_limited_rest_credentials);
async fn a_shared_secret_gives_time_limited_rest_credentials(db: Db) {
    let app = TestApp::spawn_with(
        db,
        &[
            ("WEBRTC_TURN_SERVERS", "turn:127.0.0.1:3478"),
            ("WEBRTC_TURN_SHARED_SECRET", "north-wind"),
            ("WEBRTC_TURN_CREDENTIAL_TTL_SECONDS", "600"),
        ],
    )
    .await;
    let (user_id, token) = app.user("alice").await;
    let (_, body) = app.get("/api/config/webrtc", &token).await;
    let username = body["iceServers"][0]["username"]
        .as_str()
        .unwrap()
        .to_owned();
    let (expiry, who) = username.split_once(':').unwrap();
    assert_eq!(who, user_id.to_string());
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let expiry: u64 = expiry.parse().unwrap();
    assert!((now + 590..=now + 610).contains(&expiry));
    let (_, expected) = charge_turn::rest_credentials(
        "north-wind",
        &user_id.to_string(),
        Duration::from_secs(600),
        std::time::UNIX_EPOCH + Duration::from_secs(expiry - 600),
    );
    assert_eq!(body["iceServers"][0]["credential"], expected.as_str());
    app.stop().await;
}

both_backends!(the_background_probe_reports_into_the_servers_own_metrics);
async fn the_background_probe_reports_into_the_servers_own_metrics(db: Db) {
    // Nothing listens on this port, so the probe records the endpoint as unreachable.
    let free = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("turn:127.0.0.1:{free}?transport=tcp");
    let app = TestApp::spawn_with(
        db,
        &[
            ("WEBRTC_TURN_SERVERS", &url),
            ("WEBRTC_TURN_USERNAME", "u"),
            ("WEBRTC_TURN_CREDENTIAL", "p"),
            ("TURN_HEALTH_INTERVAL_SECONDS", "1"),
        ],
    )
    .await;
    let mut text = String::new();
    for _ in 0..100 {
        text = app
            .client
            .get(app.url("/metrics"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        if text.contains("turn_port_availability{") && text.contains(&format!("port=\"{free}\"")) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let line = text
        .lines()
        .find(|l| {
            l.starts_with("turn_port_availability{") && l.contains(&format!("port=\"{free}\""))
        })
        .expect("availability series");
    assert!(line.ends_with(" 0"), "{line}");
    assert!(
        text.contains("turn_auth_failure_total{"),
        "failure counter present"
    );
    assert!(text.contains("turn_health_last_run_timestamp"));
    app.stop().await;
}

both_backends!(limits_come_from_the_settings_and_the_contract);
async fn limits_come_from_the_settings_and_the_contract(db: Db) {
    let app = TestApp::spawn_with(db, &[("CHAT_MESSAGE_MAX_LENGTH", "500")]).await;
    let (status, body) = app
        .call(Method::GET, "/api/config/limits", None, None)
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["message_max_length"], 500, "{body}");
    assert_eq!(body["history_max_limit"], 100);
    assert_eq!(body["name_max_length"], 128);
    assert_eq!(body["pins_per_channel"], 250);
    // The advertised limit is the enforced one: 501 characters are refused.
    let (_, token) = app.user("limits").await;
    let slug = app.room(&token, "Limits").await;
    let channel = app.channel(&token, &slug, "general", "text").await["id"]
        .as_i64()
        .unwrap();
    let (status, _) = app
        .call(
            Method::POST,
            "/api/messages",
            Some(&token),
            Some(serde_json::json!({"channel_id": channel, "content": "x".repeat(501)})),
        )
        .await;
    assert_eq!(status, 413, "over the advertised limit");
    let (status, _) = app
        .call(
            Method::POST,
            "/api/messages",
            Some(&token),
            Some(serde_json::json!({"channel_id": channel, "content": "x".repeat(500)})),
        )
        .await;
    assert_eq!(status, 201);
}

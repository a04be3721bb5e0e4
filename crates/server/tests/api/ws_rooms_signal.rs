//! `/ws/rooms` workspace events and `/ws/signal` voice signalling.

use reqwest::Method;
use serde_json::json;

use crate::common::ws::{connect, next_json, next_of, send};
use crate::common::{Db, TestApp, both_backends};

both_backends!(workspace_sockets_see_structure_changes_and_only_admins_see_codes);
async fn workspace_sockets_see_structure_changes_and_only_admins_see_codes(db: Db) {
    let app = TestApp::spawn(db).await;
    let (_, alice) = app.user("alice").await;
    let (_, bob) = app.user("bob").await;
    let (_, carol) = app.user("carol").await;
    let slug = app.room(&alice, "Place").await;
    app.join(&alice, &slug, &bob, "member").await;
    let mut a = connect(&app.base, &format!("/ws/rooms/{slug}?token={alice}")).await;
    let snap = next_json(&mut a).await;
    assert_eq!(snap["type"], "workspace_snapshot");
    assert_eq!(snap["members"].as_array().unwrap().len(), 2);
    let mut b = connect(&app.base, &format!("/ws/rooms/{slug}?token={bob}")).await;
    next_of(&mut b, "workspace_snapshot").await;

    let channel = app.channel(&alice, &slug, "news", "text").await;
    for s in [&mut a, &mut b] {
        let ev = next_of(s, "channel_created").await;
        assert_eq!(ev["channel"]["id"], channel["id"]);
        assert_eq!(ev["room"], slug.as_str());
    }
    let (_, inv) = app
        .post(
            "/api/invites",
            &alice,
            json!({"room_slug": slug, "role": "guest"}),
        )
        .await;
    let ev = next_of(&mut a, "invite_created").await;
    assert_eq!(ev["invitation"]["code"], inv["code"]);
    let code = inv["code"].as_str().unwrap();
    app.call(
        Method::POST,
        &format!("/api/invites/{code}"),
        Some(&carol),
        None,
    )
    .await;
    // Bob's next event is the join, proving he never got the invitation frame.
    let next = next_json(&mut b).await;
    assert_eq!(next["type"], "member_joined");
    assert_eq!(next["members"].as_array().unwrap().len(), 3);
    app.call(
        Method::DELETE,
        &format!("/api/rooms/{slug}/channels/A"),
        Some(&alice),
        None,
    )
    .await;
    assert_eq!(
        next_of(&mut b, "channel_deleted").await["channel_id"],
        channel["id"]
    );
    send(&mut b, json!({"type": "ping"})).await;
    next_of(&mut b, "pong").await;
    app.stop().await;
}

both_backends!(voice_signalling_honours_targets_and_permissions);
async fn voice_signalling_honours_targets_and_permissions(db: Db) {
    let app = TestApp::spawn(db).await;
    let (alice_id, alice) = app.user("alice").await;
    let (bob_id, bob) = app.user("bob").await;
    let (carol_id, carol) = app.user("carol").await;
    let slug = app.room(&alice, "Voice").await;
    app.join(&alice, &slug, &bob, "member").await;
    app.join(&alice, &slug, &carol, "guest").await;

    let mut a = connect(&app.base, &format!("/ws/signal/{slug}?token={alice}")).await;
    let welcome = next_json(&mut a).await;
    assert_eq!(
        (welcome["event"].as_str(), welcome["role"].as_str()),
        (Some("welcome"), Some("owner"))
    );
    assert_eq!(
        welcome["user"]["role"], "speaker",
        "the first joiner is promoted"
    );
    assert_eq!(next_json(&mut a).await["event"], "participants");
    let mut b = connect(&app.base, &format!("/ws/signal/{slug}?token={bob}")).await;
    next_json(&mut b).await;
    next_json(&mut b).await;
    let joined = next_json(&mut a).await;
    assert_eq!(
        (joined["event"].as_str(), joined["user"]["id"].as_i64()),
        (Some("peer-joined"), Some(bob_id))
    );
    let mut c = connect(&app.base, &format!("/ws/signal/{slug}?token={carol}")).await;
    next_json(&mut c).await;
    let participants = next_json(&mut c).await;
    assert_eq!(participants["participants"].as_array().unwrap().len(), 3);
    assert_eq!(participants["stats"]["speakers"], 1);

    // Targeted offer: only bob gets it.
    send(
        &mut a,
        json!({"type": "offer", "target": bob_id, "description": {"type": "offer", "sdp": "v=0"}}),
    )
    .await;
    let got = next_of(&mut b, "signal").await;
    assert_eq!(got["signal"]["kind"], "offer");
    assert_eq!(got["signal"]["description"]["sdp"], "v=0");
    assert_eq!(got["signal"]["track"], "audio");
    assert_eq!(got["from"]["id"], alice_id);
    // Untargeted candidate: everyone but the sender; carol's first signal is this one.
    send(
        &mut a,
        json!({"type": "candidate", "candidate": {"candidate": "c1"}}),
    )
    .await;
    let at_carol = next_of(&mut c, "signal").await;
    assert_eq!(at_carol["signal"]["kind"], "candidate");
    assert_eq!(
        next_of(&mut b, "signal").await["signal"]["kind"],
        "candidate"
    );

    // A guest cannot promote themselves; a member cannot mute someone else.
    send(
        &mut c,
        json!({"type": "state", "event": "set-role", "role": "speaker"}),
    )
    .await;
    assert_eq!(
        next_of(&mut c, "error").await["detail"],
        "Guests cannot promote themselves to speaker"
    );
    send(
        &mut b,
        json!({"type": "state", "event": "set-muted", "target": alice_id, "muted": true}),
    )
    .await;
    assert_eq!(
        next_of(&mut b, "error").await["detail"],
        "Insufficient permissions to change another participant"
    );
    // The owner can.
    send(
        &mut a,
        json!({"type": "state", "event": "set-muted", "target": carol_id, "muted": true}),
    )
    .await;
    let upd = next_of(&mut c, "state").await;
    assert_eq!(
        (upd["event"].as_str(), upd["participant"]["muted"].as_bool()),
        (Some("participant-updated"), Some(true))
    );
    send(&mut b, json!({"type": "state", "event": "fly"})).await;
    assert_eq!(
        next_of(&mut b, "error").await["detail"],
        "Unsupported state event"
    );
    send(&mut b, json!({"type": "offer", "target": "nobody"})).await;
    assert_eq!(
        next_of(&mut b, "error").await["detail"],
        "target must be a valid identifier"
    );

    // Bob's second connection replaces the first cleanly.
    let mut b2 = connect(&app.base, &format!("/ws/signal/{slug}?token={bob}")).await;
    assert_eq!(next_json(&mut b2).await["event"], "welcome");
    assert_eq!(crate::common::ws::close_of(&mut b).await.0, 1000);
    drop(c);
    let left = loop {
        let frame = next_of(&mut a, "system").await;
        if frame["event"] == "peer-left" {
            break frame;
        }
    };
    assert_eq!(
        (left["event"].as_str(), left["user"]["id"].as_i64()),
        (Some("peer-left"), Some(carol_id))
    );
    app.stop().await;
}

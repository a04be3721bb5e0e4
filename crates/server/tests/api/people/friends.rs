//! Friend requests from asking to accepting, declining with a cool-down, cancelling and
//! removing friends.

use reqwest::{Method, StatusCode};
use serde_json::json;

use super::{befriend, call, ids, person, request};
use crate::common::{Db, TestApp, assert_detail, both_backends};

both_backends!(a_request_by_login_in_any_case_is_accepted_into_a_friendship_and_a_conversation);
async fn a_request_by_login_in_any_case_is_accepted_into_a_friendship_and_a_conversation(db: Db) {
    let app = TestApp::spawn(db).await;
    let alice = person(&app, "alice").await;
    let bob = person(&app, "Bob").await;

    let reply = call(
        &app,
        Method::POST,
        "/api/dm/requests",
        &alice,
        Some(json!({"login": "bOB"})),
    )
    .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    let asked = reply.body;
    assert_eq!(asked["status"], "pending");
    assert_eq!(asked["requester"]["id"], alice.id);
    assert_eq!(asked["addressee"]["id"], bob.id);
    assert_eq!(asked["addressee"]["login"], "Bob");
    assert!(asked["responded_at"].is_null());
    for key in ["id", "login", "display_name", "avatar_url", "status"] {
        assert!(
            asked["requester"].get(key).is_some(),
            "PublicUser has {key}: {asked}"
        );
    }
    let request_id = asked["id"].as_i64().unwrap();

    let lists = call(&app, Method::GET, "/api/dm/requests", &bob, None).await;
    assert_eq!(ids(&lists.body["incoming"], "id"), vec![request_id]);
    assert_eq!(lists.body["outgoing"], json!([]));
    let lists = call(&app, Method::GET, "/api/dm/requests", &alice, None).await;
    assert_eq!(ids(&lists.body["outgoing"], "id"), vec![request_id]);

    let refusals = [
        (
            &alice,
            json!({"login": "ALICE"}),
            StatusCode::BAD_REQUEST,
            "You cannot add yourself",
        ),
        (
            &alice,
            json!({"login": "nobody"}),
            StatusCode::NOT_FOUND,
            "User not found",
        ),
        (
            &alice,
            json!({"login": "bob"}),
            StatusCode::BAD_REQUEST,
            "Request already sent",
        ),
        (
            &bob,
            json!({"login": "alice"}),
            StatusCode::BAD_REQUEST,
            "This user has already sent you a request",
        ),
    ];
    for (who, body, status, detail) in refusals {
        let reply = call(
            &app,
            Method::POST,
            "/api/dm/requests",
            who,
            Some(body.clone()),
        )
        .await;
        assert_detail(&reply, status, detail, &body.to_string());
    }
    let short = call(
        &app,
        Method::POST,
        "/api/dm/requests",
        &alice,
        Some(json!({"login": "ab"})),
    )
    .await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);

    let accept = format!("/api/dm/requests/{request_id}/accept");
    let reply = call(&app, Method::POST, &accept, &alice, None).await;
    assert_detail(
        &reply,
        StatusCode::FORBIDDEN,
        "Insufficient permissions",
        "requester accepts",
    );
    let reply = call(
        &app,
        Method::POST,
        "/api/dm/requests/999999/accept",
        &bob,
        None,
    )
    .await;
    assert_detail(
        &reply,
        StatusCode::NOT_FOUND,
        "Request not found",
        "unknown request",
    );
    let reply = call(&app, Method::POST, &accept, &bob, None).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(reply.body["status"], "accepted");
    assert!(reply.body["responded_at"].is_string());
    let again = call(&app, Method::POST, &accept, &bob, None).await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(
        again.body["responded_at"], reply.body["responded_at"],
        "unchanged"
    );

    let friends = call(&app, Method::GET, "/api/dm/friends", &alice, None).await;
    assert_eq!(ids(&friends.body, "id"), vec![bob.id]);
    let friends = call(&app, Method::GET, "/api/dm/friends", &bob, None).await;
    assert_eq!(ids(&friends.body, "id"), vec![alice.id]);
    let requests = call(&app, Method::GET, "/api/dm/requests", &bob, None).await;
    assert_eq!(requests.body, json!({"incoming": [], "outgoing": []}));
    let conversations = call(&app, Method::GET, "/api/dm/conversations", &alice, None).await;
    let list = conversations.body.as_array().unwrap();
    assert_eq!(list.len(), 1, "accepting opens the pair's conversation");
    assert_eq!(list[0]["is_group"], false);
    assert_eq!(list[0]["unread_count"], 0);
    assert!(list[0]["last_message"].is_null());

    let reply = call(
        &app,
        Method::POST,
        "/api/dm/requests",
        &alice,
        Some(json!({"login": "bob"})),
    )
    .await;
    assert_detail(
        &reply,
        StatusCode::BAD_REQUEST,
        "Already friends",
        "friends ask again",
    );
    app.stop().await;
}

both_backends!(a_declined_request_can_be_sent_again_only_after_the_cool_down);
async fn a_declined_request_can_be_sent_again_only_after_the_cool_down(db: Db) {
    let app = TestApp::spawn_with(db, &[("FRIEND_REQUEST_COOLDOWN_SECONDS", "3600")]).await;
    let alice = person(&app, "alice").await;
    let bob = person(&app, "bob").await;
    let asked = request(&app, &alice, &bob).await;
    let id = asked["id"].as_i64().unwrap();
    let reply = call(
        &app,
        Method::POST,
        &format!("/api/dm/requests/{id}/reject"),
        &bob,
        None,
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body["status"], "declined");
    assert!(reply.body["responded_at"].is_string());
    let reply = call(
        &app,
        Method::POST,
        "/api/dm/requests",
        &alice,
        Some(json!({"login": "bob"})),
    )
    .await;
    assert_detail(
        &reply,
        StatusCode::BAD_REQUEST,
        "Your request was declined; try again later",
        "within the cool-down",
    );
    // The one who declined may change their mind at once.
    let turned = request(&app, &bob, &alice).await;
    assert_eq!(turned["requester"]["id"], bob.id);
    assert_eq!(turned["status"], "pending");
    app.stop().await;

    let app = TestApp::spawn_with(db, &[("FRIEND_REQUEST_COOLDOWN_SECONDS", "0")]).await;
    let alice = person(&app, "alice").await;
    let bob = person(&app, "bob").await;
    let id = request(&app, &alice, &bob).await["id"].as_i64().unwrap();
    call(
        &app,
        Method::POST,
        &format!("/api/dm/requests/{id}/reject"),
        &bob,
        None,
    )
    .await;
    let again = request(&app, &alice, &bob).await;
    assert_eq!(again["id"], id, "the same link, pending again");
    assert_eq!(again["status"], "pending");
    assert!(again["responded_at"].is_null());
    app.stop().await;
}

both_backends!(an_outgoing_request_can_be_cancelled_and_a_friend_removed);
async fn an_outgoing_request_can_be_cancelled_and_a_friend_removed(db: Db) {
    let app = TestApp::spawn(db).await;
    let alice = person(&app, "alice").await;
    let bob = person(&app, "bob").await;
    let id = request(&app, &alice, &bob).await["id"].as_i64().unwrap();
    let path = format!("/api/dm/requests/{id}");
    let reply = call(&app, Method::DELETE, &path, &bob, None).await;
    assert_detail(
        &reply,
        StatusCode::FORBIDDEN,
        "Insufficient permissions",
        "addressee cancels",
    );
    let reply = call(&app, Method::DELETE, &path, &alice, None).await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT);
    let reply = call(&app, Method::DELETE, &path, &alice, None).await;
    assert_detail(
        &reply,
        StatusCode::NOT_FOUND,
        "Request not found",
        "cancelled twice",
    );
    let lists = call(&app, Method::GET, "/api/dm/requests", &bob, None).await;
    assert_eq!(lists.body["incoming"], json!([]));

    befriend(&app, &alice, &bob).await;
    let path = format!("/api/dm/friends/{}", bob.id);
    let reply = call(&app, Method::DELETE, &path, &alice, None).await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT);
    for who in [&alice, &bob] {
        let friends = call(&app, Method::GET, "/api/dm/friends", who, None).await;
        assert_eq!(friends.body, json!([]));
    }
    let reply = call(&app, Method::DELETE, &path, &alice, None).await;
    assert_detail(
        &reply,
        StatusCode::NOT_FOUND,
        "Friend not found",
        "removed twice",
    );
    // Either side may ask again at once.
    request(&app, &bob, &alice).await;
    app.stop().await;
}

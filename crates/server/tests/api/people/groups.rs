//! Group conversations: created among friends, capped at ten members, renamed, grown and
//! left.

use reqwest::{Method, StatusCode};
use serde_json::json;

use super::{Person, befriend, call, conversation, ids, person, say};
use crate::common::{Db, TestApp, assert_detail, both_backends};

both_backends!(a_group_of_friends_is_capped_at_ten_and_can_be_renamed_grown_and_left);
async fn a_group_of_friends_is_capped_at_ten_and_can_be_renamed_grown_and_left(db: Db) {
    let app = TestApp::spawn(db).await;
    let host = person(&app, "host").await;
    let mut friends: Vec<Person> = Vec::new();
    for i in 0..10 {
        let friend = person(&app, &format!("friend{i}")).await;
        befriend(&app, &host, &friend).await;
        friends.push(friend);
    }
    let everyone: Vec<i64> = friends.iter().map(|f| f.id).collect();
    let reply = call(
        &app,
        Method::POST,
        "/api/dm/conversations",
        &host,
        Some(json!({"participant_ids": everyone, "title": "too many"})),
    )
    .await;
    assert_detail(
        &reply,
        StatusCode::BAD_REQUEST,
        "A group conversation holds at most 10 members",
        "eleven with the host",
    );

    let group = conversation(&app, &host, &[&friends[0], &friends[1]], Some("  Trip  ")).await;
    let list = call(
        &app,
        Method::GET,
        "/api/dm/conversations",
        &friends[0],
        None,
    )
    .await;
    let read = list
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == group)
        .unwrap()
        .clone();
    assert_eq!(read["is_group"], true);
    assert_eq!(read["title"], "Trip");
    assert_eq!(read["participants"].as_array().unwrap().len(), 3);
    say(&app, &friends[1], group, "hi all").await;
    let list = call(
        &app,
        Method::GET,
        "/api/dm/conversations",
        &friends[0],
        None,
    )
    .await;
    assert_eq!(list.body[0]["id"], group, "latest activity first");
    assert_eq!(list.body[0]["unread_count"], 1);
    assert!(
        list.body[0]["last_message"]["recipient_id"].is_null(),
        "groups have no recipient"
    );

    let path = format!("/api/dm/conversations/{group}");
    let reply = call(
        &app,
        Method::PATCH,
        &path,
        &friends[1],
        Some(json!({"title": "Trip 2027"})),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(reply.body["title"], "Trip 2027");

    let stranger = person(&app, "stranger").await;
    let add = format!("{path}/participants");
    let reply = call(
        &app,
        Method::POST,
        &add,
        &host,
        Some(json!({"user_ids": [stranger.id]})),
    )
    .await;
    assert_detail(
        &reply,
        StatusCode::FORBIDDEN,
        "Add the user as a friend first",
        "not a friend",
    );
    let seven: Vec<i64> = friends[2..9].iter().map(|f| f.id).collect();
    let reply = call(
        &app,
        Method::POST,
        &add,
        &host,
        Some(json!({"user_ids": seven})),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(reply.body["participants"].as_array().unwrap().len(), 10);
    let reply = call(
        &app,
        Method::POST,
        &add,
        &host,
        Some(json!({"user_ids": [friends[9].id]})),
    )
    .await;
    assert_detail(
        &reply,
        StatusCode::BAD_REQUEST,
        "A group conversation holds at most 10 members",
        "the eleventh",
    );

    let reply = call(
        &app,
        Method::POST,
        &format!("{path}/leave"),
        &friends[0],
        None,
    )
    .await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT);
    let reply = call(
        &app,
        Method::GET,
        &format!("{path}/messages"),
        &friends[0],
        None,
    )
    .await;
    assert_detail(
        &reply,
        StatusCode::FORBIDDEN,
        "No access to the conversation",
        "after leaving",
    );
    let list = call(&app, Method::GET, "/api/dm/conversations", &host, None).await;
    let read = list
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == group)
        .unwrap()
        .clone();
    let members: Vec<i64> = read["participants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["user"]["id"].as_i64().unwrap())
        .collect();
    assert!(!members.contains(&friends[0].id));
    assert_eq!(members.len(), 9);

    let pair = conversation(&app, &host, &[&friends[0]], None).await;
    let reply = call(
        &app,
        Method::POST,
        &format!("/api/dm/conversations/{pair}/leave"),
        &host,
        None,
    )
    .await;
    assert_detail(
        &reply,
        StatusCode::BAD_REQUEST,
        "Only group conversations can be changed this way",
        "leave a 1:1",
    );
    let _ = ids(&list.body, "id");
    app.stop().await;
}

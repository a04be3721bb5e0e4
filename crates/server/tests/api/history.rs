//! `GET /api/channels/{id}/history`: limits, pivots, cursors and pages around a message.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::{Db, TestApp, assert_422, assert_detail, both_backends};

/// A room with a text channel of `count` messages ("m0"…), a second text channel with one
/// message and a voice channel. Returns (token, text id, message ids, other id, other message id, voice id).
pub(super) async fn history_fixture(
    app: &TestApp,
    count: usize,
) -> (String, i64, Vec<i64>, i64, i64, i64) {
    let (_, token) = app.user("quinn").await;
    let slug = app.room(&token, "History").await;
    let text = app.channel(&token, &slug, "text", "text").await["id"]
        .as_i64()
        .expect("id");
    let other = app.channel(&token, &slug, "other", "text").await["id"]
        .as_i64()
        .expect("id");
    let voice = app.channel(&token, &slug, "voice", "voice").await["id"]
        .as_i64()
        .expect("id");
    let mut ids = Vec::new();
    for i in 0..count {
        ids.push(
            app.message(&token, text, &format!("m{i}")).await["id"]
                .as_i64()
                .expect("id"),
        );
    }
    let other_message = app.message(&token, other, "elsewhere").await["id"]
        .as_i64()
        .expect("id");
    (token, text, ids, other, other_message, voice)
}

fn page_ids(page: &Value) -> Vec<i64> {
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|m| m["id"].as_i64().expect("id"))
        .collect()
}

both_backends!(history_limits_are_validated_and_capped_at_100);
async fn history_limits_are_validated_and_capped_at_100(db: Db) {
    let app = TestApp::spawn(db).await;
    let (token, text, ids, ..) = history_fixture(&app, 105).await;
    let path = format!("/api/channels/{text}/history");
    for limit in ["0", "-5"] {
        let reply = app
            .send(
                Method::GET,
                &format!("{path}?limit={limit}"),
                Some(&token),
                None,
            )
            .await;
        assert_422(
            &reply,
            "greater_than_equal",
            json!(["query", "limit"]),
            &format!("limit={limit}"),
        );
    }
    let not_a_number = app
        .send(
            Method::GET,
            &format!("{path}?limit=abc"),
            Some(&token),
            None,
        )
        .await;
    assert_422(
        &not_a_number,
        "int_parsing",
        json!(["query", "limit"]),
        "limit=abc",
    );
    let direction = app
        .send(
            Method::GET,
            &format!("{path}?direction=sideways"),
            Some(&token),
            None,
        )
        .await;
    assert_422(
        &direction,
        "enum",
        json!(["query", "direction"]),
        "direction=sideways",
    );

    let (_, capped) = app.get(&format!("{path}?limit=500"), &token).await;
    assert_eq!(
        page_ids(&capped),
        ids[5..].to_vec(),
        "limit is silently capped at 100"
    );
    assert_eq!(capped["has_more_backward"], true);
    let (_, default) = app.get(&path, &token).await;
    assert_eq!(
        page_ids(&default),
        ids[55..].to_vec(),
        "default limit is 50, newest last"
    );
    let (_, one) = app.get(&format!("{path}?limit=1"), &token).await;
    assert_eq!(page_ids(&one), vec![ids[104]]);
    let (_, forward) = app
        .get(&format!("{path}?direction=forward&limit=3"), &token)
        .await;
    assert_eq!(
        page_ids(&forward),
        ids[..3].to_vec(),
        "forward without a pivot starts at the oldest"
    );
    assert_eq!(
        (
            forward["has_more_forward"].as_bool(),
            forward["has_more_backward"].as_bool()
        ),
        (Some(true), Some(false))
    );
    assert!(
        forward["next_cursor"].is_string() && forward["prev_cursor"].is_null(),
        "{forward}"
    );
    app.stop().await;
}

both_backends!(history_pivots_must_be_single_and_in_the_channel);
async fn history_pivots_must_be_single_and_in_the_channel(db: Db) {
    let app = TestApp::spawn(db).await;
    let (token, text, ids, _other, other_message, voice) = history_fixture(&app, 5).await;
    let path = format!("/api/channels/{text}/history");
    let only_one = "Provide only one of cursor, before, after, or around";
    for query in [
        format!("before={}&after={}", ids[1], ids[3]),
        format!("around={}&before={}", ids[1], ids[3]),
        format!("cursor=abc&after={}", ids[1]),
    ] {
        let reply = app
            .send(Method::GET, &format!("{path}?{query}"), Some(&token), None)
            .await;
        assert_detail(&reply, StatusCode::BAD_REQUEST, only_one, &query);
    }
    for pivot in ["before", "after", "around"] {
        for id in [other_message, 999_999] {
            let reply = app
                .send(
                    Method::GET,
                    &format!("{path}?{pivot}={id}"),
                    Some(&token),
                    None,
                )
                .await;
            assert_detail(
                &reply,
                StatusCode::NOT_FOUND,
                "Message not found",
                &format!("{pivot}={id}"),
            );
        }
    }
    let voice_history = app
        .send(
            Method::GET,
            &format!("/api/channels/{voice}/history"),
            Some(&token),
            None,
        )
        .await;
    assert_detail(
        &voice_history,
        StatusCode::BAD_REQUEST,
        "History is only available for text channels",
        "voice channel",
    );
    let bad_id = app
        .send(Method::GET, "/api/channels/abc/history", Some(&token), None)
        .await;
    assert_422(
        &bad_id,
        "int_parsing",
        json!(["path", "channel_id"]),
        "channel id abc",
    );

    let (_, before) = app.get(&format!("{path}?before={}", ids[3]), &token).await;
    assert_eq!(page_ids(&before), ids[..3].to_vec());
    assert_eq!(
        (
            before["has_more_backward"].as_bool(),
            before["has_more_forward"].as_bool()
        ),
        (Some(false), Some(true))
    );
    let (_, after) = app
        .get(&format!("{path}?after={}&limit=2", ids[0]), &token)
        .await;
    assert_eq!(page_ids(&after), ids[1..3].to_vec());
    assert_eq!(
        (
            after["has_more_backward"].as_bool(),
            after["has_more_forward"].as_bool()
        ),
        (Some(true), Some(true))
    );
    let (_, newest) = app.get(&format!("{path}?after={}", ids[4]), &token).await;
    assert_eq!(page_ids(&newest), Vec::<i64>::new());
    assert_eq!(newest["has_more_forward"], false);
    assert!(
        newest["next_cursor"].is_null() && newest["prev_cursor"].is_null(),
        "cursors are null on an empty page"
    );
    app.stop().await;
}

both_backends!(history_cursors_are_checked);
async fn history_cursors_are_checked(db: Db) {
    let app = TestApp::spawn(db).await;
    let (token, text, ids, _other, other_message, _voice) = history_fixture(&app, 6).await;
    let path = format!("/api/channels/{text}/history");
    let encode = |s: &str| URL_SAFE.encode(s);
    for (what, cursor) in [
        ("not base64", "!!!".to_owned()),
        ("not utf-8", URL_SAFE.encode([0xff, 0xfe, 0xfd])),
        ("too few parts", encode("v1|3|backward")),
        (
            "wrong version",
            encode(&format!("v2|2026-01-01T00:00:00Z|{}|backward", ids[2])),
        ),
        (
            "bad direction",
            encode(&format!("v1|2026-01-01T00:00:00Z|{}|sideways", ids[2])),
        ),
        (
            "id not a number",
            encode("v1|2026-01-01T00:00:00Z|three|backward"),
        ),
    ] {
        let reply = app
            .send(
                Method::GET,
                &format!("{path}?cursor={cursor}"),
                Some(&token),
                None,
            )
            .await;
        assert_detail(&reply, StatusCode::BAD_REQUEST, "Invalid cursor", what);
    }
    let elsewhere = encode(&format!("v1|2026-01-01T00:00:00Z|{other_message}|backward"));
    let reply = app
        .send(
            Method::GET,
            &format!("{path}?cursor={elsewhere}"),
            Some(&token),
            None,
        )
        .await;
    assert_detail(
        &reply,
        StatusCode::NOT_FOUND,
        "Message not found",
        "cursor into another channel",
    );
    let stale = encode(&format!("v1|2000-01-01T00:00:00Z|{}|backward", ids[2]));
    let reply = app
        .send(
            Method::GET,
            &format!("{path}?cursor={stale}"),
            Some(&token),
            None,
        )
        .await;
    assert_detail(
        &reply,
        StatusCode::BAD_REQUEST,
        "Cursor is no longer valid",
        "timestamp mismatch",
    );

    // A real cursor continues, and the `direction` query is ignored in favour of the cursor's.
    let (_, first) = app.get(&format!("{path}?limit=2"), &token).await;
    assert_eq!(page_ids(&first), ids[4..].to_vec());
    let next = first["next_cursor"]
        .as_str()
        .expect("next cursor")
        .to_owned();
    let (status, second) = app
        .get(
            &format!("{path}?limit=2&direction=forward&cursor={next}"),
            &token,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page_ids(&second), ids[2..4].to_vec());
    let back = second["prev_cursor"]
        .as_str()
        .expect("prev cursor")
        .to_owned();
    let (_, third) = app
        .get(&format!("{path}?limit=2&cursor={back}"), &token)
        .await;
    assert_eq!(
        page_ids(&third),
        ids[4..].to_vec(),
        "prev_cursor goes the other way"
    );
    app.stop().await;
}

both_backends!(history_around_a_message_splits_the_limit_before_and_after_it);
async fn history_around_a_message_splits_the_limit_before_and_after_it(db: Db) {
    let app = TestApp::spawn(db).await;
    let (token, text, ids, ..) = history_fixture(&app, 10).await;
    let path = format!("/api/channels/{text}/history");
    // limit 5: floor(4/2) = 2 older, the pivot, 2 newer.
    let (status, page) = app
        .get(&format!("{path}?around={}&limit=5", ids[5]), &token)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page_ids(&page), ids[3..8].to_vec());
    assert_eq!(
        (
            page["has_more_backward"].as_bool(),
            page["has_more_forward"].as_bool()
        ),
        (Some(true), Some(true))
    );
    assert!(page["next_cursor"].is_string() && page["prev_cursor"].is_string());
    // limit 4: floor(3/2) = 1 older, the pivot, 2 newer.
    let (_, page) = app
        .get(&format!("{path}?around={}&limit=4", ids[5]), &token)
        .await;
    assert_eq!(page_ids(&page), ids[4..8].to_vec());
    // At the start there is nothing older; the newer side is not enlarged.
    let (_, page) = app
        .get(&format!("{path}?around={}&limit=5", ids[0]), &token)
        .await;
    assert_eq!(page_ids(&page), ids[..3].to_vec());
    assert_eq!(
        (
            page["has_more_backward"].as_bool(),
            page["has_more_forward"].as_bool()
        ),
        (Some(false), Some(true))
    );
    assert!(page["next_cursor"].is_null());
    // At the end there is nothing newer.
    let (_, page) = app
        .get(&format!("{path}?around={}&limit=5", ids[9]), &token)
        .await;
    assert_eq!(page_ids(&page), ids[7..].to_vec());
    assert_eq!(
        (
            page["has_more_backward"].as_bool(),
            page["has_more_forward"].as_bool()
        ),
        (Some(true), Some(false))
    );
    assert!(page["prev_cursor"].is_null());
    // limit 1 is the pivot alone.
    let (_, page) = app
        .get(&format!("{path}?around={}&limit=1", ids[4]), &token)
        .await;
    assert_eq!(page_ids(&page), vec![ids[4]]);
    app.stop().await;
}

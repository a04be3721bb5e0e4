//! Channel search on the full-text indexes (SQLite FTS5, MariaDB FULLTEXT) with input that
//! could be read as syntax: quotes, `LIKE` wildcards, search operators, SQL, and Unicode. Each
//! finds exactly the messages that contain it, on both backends.

use reqwest::StatusCode;
use serde_json::Value;

use crate::common::{Db, TestApp, both_backends};

both_backends!(search_matches_tricky_text_literally);
async fn search_matches_tricky_text_literally(db: Db) {
    let app = TestApp::spawn(db).await;
    let (_, alice) = app.user("alice").await;
    let slug = app.room(&alice, "Search").await;
    let channel = app.channel(&alice, &slug, "general", "text").await["id"]
        .as_i64()
        .unwrap();
    let mut ids = std::collections::HashMap::new();
    let texts = [
        ("quoted", r#"She said "hello there" to me"#),
        ("percent", "50% off_sale today"),
        ("lookalike", "500 offXsale today"),
        ("operators", "+alpha -beta gamma*"),
        ("words", "alpha beta gamma"),
        ("cyrillic", "Привет, мир"),
        ("accents", "naïve café ☕ time"),
        ("keywords", "AND OR NOT NEAR(x y)"),
        ("apostrophe", "it's done"),
        ("backslash", r"C:\temp\x"),
    ];
    for (name, text) in texts {
        ids.insert(
            name,
            app.message(&alice, channel, text).await["id"]
                .as_i64()
                .unwrap(),
        );
    }
    let search = |query: &'static str| {
        let app = &app;
        let alice = &alice;
        async move {
            let reply = app
                .client
                .get(
                    reqwest::Url::parse_with_params(
                        &app.url(&format!("/api/channels/{channel}/search")),
                        [("query", query)],
                    )
                    .unwrap(),
                )
                .bearer_auth(alice)
                .send()
                .await
                .unwrap();
            assert_eq!(reply.status(), StatusCode::OK, "{query}");
            let body: Value = reply.json().await.unwrap();
            body.as_array()
                .unwrap()
                .iter()
                .map(|m| m["id"].as_i64().unwrap())
                .collect::<Vec<i64>>()
        }
    };
    let expect = |names: &[&str]| names.iter().map(|n| ids[n]).collect::<Vec<i64>>();
    let cases: [(&str, &[&str]); 18] = [
        (r#""hello there""#, &["quoted"]),
        ("hello there", &["quoted"]),
        (r#"said ""#, &["quoted"]),
        ("50%", &["percent"]),
        ("%", &["percent"]),
        ("off_sale", &["percent"]),
        ("_", &["percent"]),
        ("+alpha -beta", &["operators"]),
        ("gamma*", &["operators"]),
        ("alpha", &["words", "operators"]),
        ("ПРИВЕТ", &["cyrillic"]),
        ("CAFÉ", &["accents"]),
        ("☕", &["accents"]),
        ("NEAR(x", &["keywords"]),
        ("it's", &["apostrophe"]),
        (r"\temp", &["backslash"]),
        ("'); DROP TABLE messages; --", &[]),
        ("nothing like this", &[]),
    ];
    for (query, names) in cases {
        let mut want = expect(names);
        want.sort_unstable_by(|a, b| b.cmp(a));
        assert_eq!(search(query).await, want, "{db:?}: {query:?}");
    }
    // Edits are searched by their new text.
    let (status, _) = app
        .call(
            reqwest::Method::PATCH,
            &format!("/api/messages/{}", ids["keywords"]),
            Some(&alice),
            Some(serde_json::json!({"content": "renamed entirely"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(search("NEAR(x").await, Vec::<i64>::new(), "{db:?}");
    assert_eq!(search("renamed").await, [ids["keywords"]], "{db:?}");
    app.stop().await;
}

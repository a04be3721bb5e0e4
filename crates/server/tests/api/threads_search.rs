//! `GET /api/channels/{id}/threads/{message_id}` and `GET /api/channels/{id}/search`, on SQLite
//! and MariaDB.

use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::common::{Db, TestApp, both_backends};

struct Chat {
    app: TestApp,
    alice: String,
    bob: String,
    bob_id: i64,
    outsider: String,
    text: i64,
    voice: i64,
    other_text: i64,
}

async fn chat(app: TestApp) -> Chat {
    let (_, alice) = app.user("alice").await;
    let (bob_id, bob) = app.user("bob").await;
    let (_, outsider) = app.user("outsider").await;
    let slug = app.room(&alice, "Chat").await;
    let id = |v: Value| v["id"].as_i64().unwrap();
    let text = id(app.channel(&alice, &slug, "general", "text").await);
    let voice = id(app.channel(&alice, &slug, "lounge", "voice").await);
    let other_text = id(app.channel(&alice, &slug, "random", "text").await);
    app.join(&alice, &slug, &bob, "member").await;
    Chat {
        app,
        alice,
        bob,
        bob_id,
        outsider,
        text,
        voice,
        other_text,
    }
}

impl Chat {
    /// Posts `content` (a reply when `parent` is given) and returns its id.
    async fn say(&self, token: &str, content: &str, parent: Option<i64>) -> i64 {
        let channel = self.text.to_string();
        let parent = parent.map(|p| p.to_string());
        let mut fields = vec![("channel_id", channel.as_str()), ("content", content)];
        if let Some(p) = &parent {
            fields.push(("parent_id", p.as_str()));
        }
        let reply = self.app.post_message(Some(token), &fields).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
        reply.body["id"].as_i64().unwrap()
    }

    async fn get(&self, path: &str, token: &str) -> (StatusCode, Value) {
        self.app.get(path, token).await
    }

    /// The ids a search answers, in its order.
    async fn search(&self, query: &str) -> Vec<i64> {
        let (status, body) = self
            .get(
                &format!("/api/channels/{}/search?{query}", self.text),
                &self.bob,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{query}: {body}");
        ids(&body)
    }
}

fn ids(body: &Value) -> Vec<i64> {
    body.as_array()
        .unwrap_or_else(|| panic!("a list, got {body}"))
        .iter()
        .map(|m| m["id"].as_i64().unwrap())
        .collect()
}

fn detail(body: &Value) -> &str {
    body["detail"].as_str().unwrap_or_default()
}

both_backends!(a_thread_is_its_root_then_every_reply_in_order);
async fn a_thread_is_its_root_then_every_reply_in_order(db: Db) {
    let c = chat(TestApp::spawn(db).await).await;
    let root = c.say(&c.alice, "root", None).await;
    let unrelated = c.say(&c.alice, "unrelated", None).await;
    let first = c.say(&c.bob, "first reply", Some(root)).await;
    let nested = c.say(&c.alice, "reply to the reply", Some(first)).await;
    let second = c.say(&c.bob, "second reply", Some(root)).await;

    let (status, body) = c
        .get(&format!("/api/channels/{}/threads/{root}", c.text), &c.bob)
        .await;
    assert_eq!(status, StatusCode::OK, "{db:?}: {body}");
    assert_eq!(ids(&body), [root, first, nested, second], "{db:?}");
    assert!(!ids(&body).contains(&unrelated));
    assert!(
        body.as_array()
            .unwrap()
            .iter()
            .all(|m| m["thread_root_id"] == root)
    );
    assert_eq!(
        body[0]["reply_count"], 2,
        "{db:?}: direct replies to the root"
    );
    assert_eq!(body[0]["thread_reply_count"], 3, "{db:?}");
    assert_eq!(body[1]["author"]["login"], "bob");

    // A reply's own thread: itself and the replies to it.
    let (_, body) = c
        .get(
            &format!("/api/channels/{}/threads/{first}", c.text),
            &c.alice,
        )
        .await;
    assert_eq!(ids(&body), [first, nested], "{db:?}");
    // A message nobody answered is a thread of one.
    let (_, body) = c
        .get(
            &format!("/api/channels/{}/threads/{unrelated}", c.text),
            &c.alice,
        )
        .await;
    assert_eq!(ids(&body), [unrelated], "{db:?}");

    let refusals = [
        (
            format!("/api/channels/{}/threads/{root}", c.other_text),
            &c.bob,
            StatusCode::NOT_FOUND,
            "Message not found",
        ),
        (
            format!("/api/channels/{}/threads/999999", c.text),
            &c.bob,
            StatusCode::NOT_FOUND,
            "Message not found",
        ),
        (
            format!("/api/channels/999999/threads/{root}"),
            &c.bob,
            StatusCode::NOT_FOUND,
            "Channel not found",
        ),
        (
            format!("/api/channels/{}/threads/{root}", c.voice),
            &c.bob,
            StatusCode::BAD_REQUEST,
            "History is only available for text channels",
        ),
        (
            format!("/api/channels/{}/threads/{root}", c.text),
            &c.outsider,
            StatusCode::FORBIDDEN,
            "Not a room member",
        ),
    ];
    for (path, token, status, expected) in refusals {
        let (got, body) = c.get(&path, token).await;
        assert_eq!((got, detail(&body)), (status, expected), "{db:?} {path}");
    }
    let (status, body) = c
        .get(&format!("/api/channels/{}/threads/abc", c.text), &c.bob)
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["detail"][0]["loc"][1], "message_id", "{body}");
    let (status, _) = c
        .app
        .call(
            Method::GET,
            &format!("/api/channels/{}/threads/{root}", c.text),
            None,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    c.app.stop().await;
}

both_backends!(search_matches_every_filter_given_newest_first);
async fn search_matches_every_filter_given_newest_first(db: Db) {
    let c = chat(TestApp::spawn(db).await).await;
    let hello = c.say(&c.alice, "Hello World", None).await;
    let again = c.say(&c.alice, "hello again", Some(hello)).await;
    let percent = c.say(&c.alice, "100% sure", None).await;
    let plain = c.say(&c.alice, "100 percent", None).await;
    let snake = c.say(&c.alice, "a snake_case name", None).await;
    let camel = c.say(&c.alice, "a snakeXcase name", None).await;
    let bobs = c.say(&c.bob, "bob says HELLO", None).await;
    let secret = c.say(&c.alice, "secret hello", None).await;
    let (status, _) = c
        .app
        .call(
            Method::DELETE,
            &format!("/api/messages/{secret}"),
            Some(&c.alice),
            None,
        )
        .await;
    assert!(status.is_success(), "{status}");

    // Case-insensitive substring; a deleted message's text is not searchable.
    assert_eq!(
        c.search("query=hello").await,
        [bobs, again, hello],
        "{db:?}"
    );
    assert_eq!(c.search("query=secret").await, Vec::<i64>::new(), "{db:?}");
    // LIKE wildcards are matched literally.
    assert_eq!(c.search("query=100%25").await, [percent], "{db:?}");
    assert_eq!(c.search("query=e_c").await, [snake], "{db:?}");
    assert!(!c.search("query=e_c").await.contains(&camel));
    assert_eq!(
        c.search("query=!").await,
        Vec::<i64>::new(),
        "{db:?}: the escape character itself"
    );
    // Filters combine.
    assert_eq!(
        c.search(&format!("author_id={}", c.bob_id)).await,
        [bobs],
        "{db:?}"
    );
    assert_eq!(
        c.search(&format!("query=hello&author_id={}", c.bob_id))
            .await,
        [bobs]
    );
    assert_eq!(
        c.search(&format!("thread_root_id={hello}")).await,
        [again, hello],
        "{db:?}"
    );
    assert_eq!(
        c.search("has_attachments=true").await,
        Vec::<i64>::new(),
        "{db:?}"
    );
    assert_eq!(
        c.search("has_attachments=false&limit=3").await,
        [secret, bobs, camel],
        "{db:?}"
    );
    assert_eq!(c.search("limit=2").await, [secret, bobs], "{db:?}");
    // Time bounds are inclusive: from the third message's own timestamp on.
    let (_, all) = c
        .get(
            &format!("/api/channels/{}/history?limit=100", c.text),
            &c.bob,
        )
        .await;
    let items = all["items"].as_array().unwrap();
    let third = items.iter().find(|m| m["id"] == percent).unwrap();
    let at = third["created_at"].as_str().unwrap();
    let from_third = c.search(&format!("start={at}&limit=100")).await;
    assert_eq!(from_third.last(), Some(&percent), "{db:?}: {from_third:?}");
    assert!(!from_third.contains(&again));
    let up_to_third = c.search(&format!("end={at}&limit=100")).await;
    assert_eq!(
        up_to_third.first(),
        Some(&percent),
        "{db:?}: {up_to_third:?}"
    );
    assert!(!up_to_third.contains(&plain));
    assert_eq!(
        c.search("start=2000-01-01T00:00:00&end=2000-01-02T00:00:00")
            .await,
        Vec::<i64>::new()
    );

    let invalid = [
        ("limit=0", "limit"),
        ("limit=x", "limit"),
        ("query=", "query"),
        ("has_attachments=maybe", "has_attachments"),
        ("start=yesterday", "start"),
        ("author_id=bob", "author_id"),
    ];
    for (query, field) in invalid {
        let (status, body) = c
            .get(&format!("/api/channels/{}/search?{query}", c.text), &c.bob)
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{query}: {body}");
        assert_eq!(body["detail"][0]["loc"][1], field, "{query}: {body}");
    }
    let refusals = [
        (
            c.voice,
            &c.bob,
            StatusCode::BAD_REQUEST,
            "History is only available for text channels",
        ),
        (
            c.text,
            &c.outsider,
            StatusCode::FORBIDDEN,
            "Not a room member",
        ),
        (999_999, &c.bob, StatusCode::NOT_FOUND, "Channel not found"),
    ];
    for (channel, token, status, expected) in refusals {
        let (got, body) = c
            .get(
                &format!("/api/channels/{channel}/search?query=hello"),
                token,
            )
            .await;
        assert_eq!((got, detail(&body)), (status, expected), "{db:?}");
    }
    c.app.stop().await;
}

both_backends!(search_is_bounded_by_the_history_limit);
/// A search answers at most `CHAT_HISTORY_MAX_LIMIT` messages, whatever `limit` asks for.
async fn search_is_bounded_by_the_history_limit(db: Db) {
    let app = TestApp::spawn_with(db, &[("CHAT_HISTORY_MAX_LIMIT", "3")]).await;
    let c = chat(app).await;
    let mut sent = Vec::new();
    for i in 0..5 {
        sent.push(c.say(&c.alice, &format!("line {i}"), None).await);
    }
    assert_eq!(c.search("limit=100").await, [sent[4], sent[3], sent[2]]);
    assert_eq!(c.search("query=line").await, [sent[4], sent[3], sent[2]]);
    c.app.stop().await;
}

both_backends!(a_thread_answer_is_bounded);
/// A thread answer carries at most 1,000 messages: the root and the oldest replies.
async fn a_thread_answer_is_bounded(db: Db) {
    let c = chat(TestApp::spawn(db).await).await;
    let root = c.say(&c.alice, "root", None).await;
    let replies = futures_util::future::join_all((0..1_000).map(|i| {
        let c = &c;
        async move { c.say(&c.bob, &format!("reply {i}"), Some(root)).await }
    }))
    .await;
    let (status, body) = c
        .get(
            &format!("/api/channels/{}/threads/{root}", c.text),
            &c.alice,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let got = ids(&body);
    assert_eq!(got.len(), 1_000);
    assert_eq!(got[0], root);
    let mut oldest = replies.clone();
    oldest.sort_unstable();
    assert_eq!(got[1..], oldest[..999], "the root, then the oldest replies");
    assert!(!got.contains(&oldest[999]), "the newest reply is left out");
    c.app.stop().await;
}

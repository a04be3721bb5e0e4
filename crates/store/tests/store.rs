//! Store round trips, each on SQLite and on MariaDB (see `support/backends.rs`).

#[path = "support/backends.rs"]
mod backends;

use backends::{Db, TestDatabase, both_backends};
use charge_store::{HistoryQuery, NewMessage, Role, Store, StoreOptions};

/// A migrated store on a fresh database of `db`; keep the database alive as long as the store.
async fn store(db: Db) -> (Store, TestDatabase) {
    let database = TestDatabase::create(db).await;
    let store = Store::connect(&database.url, &StoreOptions::default())
        .await
        .unwrap();
    store.migrate().await.unwrap();
    (store, database)
}

both_backends!(users_rooms_channels_and_messages_round_trip_on_every_backend);
async fn users_rooms_channels_and_messages_round_trip_on_every_backend(db: Db) {
    let (store, _database) = store(db).await;
    let alice = store
        .create_user("alice", "alice", "h", Some("Alice ✓"), "online")
        .await
        .unwrap();
    assert!(
        store
            .create_user("alice", "alice", "h", None, "online")
            .await
            .is_err()
    );
    let room = store
        .create_room("Room", alice.id, |n| {
            if n == 1 {
                "room".into()
            } else {
                format!("room-{n}")
            }
        })
        .await
        .unwrap();
    let again = store
        .create_room("Room", alice.id, |n| {
            if n == 1 {
                "room".into()
            } else {
                format!("room-{n}")
            }
        })
        .await
        .unwrap();
    assert_eq!(again.slug, "room-2");
    let member = store.membership(room.id, alice.id).await.unwrap().unwrap();
    assert_eq!(member.role, "owner");
    let chan = store
        .create_channel(room.id, "general", "text", None)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(chan.letter, "A");
    let long = "ж".repeat(2000);
    let first = store
        .create_message(NewMessage {
            channel_id: chan.id,
            author_id: alice.id,
            content: &long,
            parent_id: None,
            mentions: &[],
            mention_everyone: false,
            nonce: None,
        })
        .await
        .unwrap();
    assert_eq!(first.content, long);
    assert_eq!(first.thread_root_id, Some(first.id));
    let reply = store
        .create_message(NewMessage {
            channel_id: chan.id,
            author_id: alice.id,
            content: "r",
            parent_id: Some(first.id),
            mentions: &[],
            mention_everyone: false,
            nonce: None,
        })
        .await
        .unwrap();
    assert_eq!(reply.thread_root_id, Some(first.id));
    let page = store
        .history(chan.id, HistoryQuery::Latest { limit: 1 })
        .await
        .unwrap();
    assert_eq!(page.items.len(), 1);
    assert!(page.has_more_backward);
    let root = store.message_by_id(first.id).await.unwrap().unwrap();
    assert_eq!(root.reply_count, 1);
    assert_eq!(root.thread_reply_count, 1);
    store
        .add_member(room.id, alice.id, Role::Guest)
        .await
        .unwrap_err();
    assert_eq!(
        store.delete_channel(room.id, "A").await.unwrap(),
        Some(chan.id)
    );
    store.close().await;
}

both_backends!(a_batch_of_messages_commits_together_in_order_with_thread_links);
async fn a_batch_of_messages_commits_together_in_order_with_thread_links(db: Db) {
    let (store, _database) = store(db).await;
    let user = store
        .create_user("batcher", "batcher", "h", None, "online")
        .await
        .unwrap();
    let room = store
        .create_room("Batch", user.id, |n| format!("batch-{n}"))
        .await
        .unwrap();
    let chan = store
        .create_channel(room.id, "general", "text", None)
        .await
        .unwrap()
        .unwrap();
    let root = store
        .create_message(NewMessage {
            channel_id: chan.id,
            author_id: user.id,
            content: "root",
            parent_id: None,
            mentions: &[],
            mention_everyone: false,
            nonce: None,
        })
        .await
        .unwrap();
    let texts: Vec<String> = (0..50).map(|i| format!("batched {i}")).collect();
    let batch: Vec<NewMessage<'_>> = texts
        .iter()
        .enumerate()
        .map(|(i, t)| NewMessage {
            channel_id: chan.id,
            author_id: user.id,
            content: t,
            parent_id: (i % 2 == 0).then_some(root.id),
            mentions: &[],
            mention_everyone: false,
            nonce: None,
        })
        .collect();
    let stored = store.create_messages(&batch).await.unwrap();
    assert_eq!(
        stored
            .iter()
            .map(|m| m.content.as_str())
            .collect::<Vec<_>>(),
        texts.iter().map(String::as_str).collect::<Vec<_>>()
    );
    assert!(
        stored.windows(2).all(|w| w[0].id < w[1].id),
        "ids follow the batch order"
    );
    assert!(
        stored
            .iter()
            .step_by(2)
            .all(|m| m.thread_root_id == Some(root.id))
    );
    // A batch with one bad row stores nothing.
    let bad = [
        NewMessage {
            channel_id: chan.id,
            author_id: user.id,
            content: "fine",
            parent_id: None,
            mentions: &[],
            mention_everyone: false,
            nonce: None,
        },
        NewMessage {
            channel_id: chan.id,
            author_id: user.id,
            content: "orphan",
            parent_id: Some(987_654),
            mentions: &[],
            mention_everyone: false,
            nonce: None,
        },
    ];
    assert!(store.create_messages(&bad).await.is_err());
    let page = store
        .history(chan.id, HistoryQuery::Latest { limit: 1 })
        .await
        .unwrap();
    assert_eq!(page.items[0].content, "batched 49");
    store.close().await;
}

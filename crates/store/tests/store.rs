//! Store round trips on SQLite and, when `CHARGE_TEST_MYSQL_URL` is set, on MariaDB.

use charge_store::{HistoryQuery, NewMessage, Role, Store, StoreOptions};

async fn stores() -> Vec<(Store, Option<tempfile::TempDir>)> {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/t.db", dir.path().display());
    let sqlite = Store::connect(&url, &StoreOptions::default())
        .await
        .unwrap();
    sqlite.migrate().await.unwrap();
    let mut out = vec![(sqlite, Some(dir))];
    if let Ok(base) = std::env::var("CHARGE_TEST_MYSQL_URL") {
        let name = format!("charge_store_{}", std::process::id());
        let admin = Store::connect(&base, &StoreOptions::default())
            .await
            .unwrap();
        admin
            .execute_admin(&format!("DROP DATABASE IF EXISTS {name}"))
            .await
            .unwrap();
        admin
            .execute_admin(&format!("CREATE DATABASE {name}"))
            .await
            .unwrap();
        let store = Store::connect(
            &format!("{}/{name}", base.trim_end_matches('/')),
            &StoreOptions::default(),
        )
        .await
        .unwrap();
        store.migrate().await.unwrap();
        out.push((store, None));
    }
    out
}

#[tokio::test]
async fn users_rooms_channels_and_messages_round_trip_on_every_backend() {
    for (store, _dir) in stores().await {
        let alice = store
            .create_user("alice", "h", Some("Alice ✓"), "online")
            .await
            .unwrap();
        assert!(
            store
                .create_user("alice", "h", None, "online")
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
}

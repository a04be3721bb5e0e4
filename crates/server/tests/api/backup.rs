//! Backups: `charge backup`, an online copy of a SQLite server taken while messages are being
//! written, which a new server then serves; and the documented MariaDB procedure
//! (`mariadb-dump --single-transaction` of a serving database, restored with the `mariadb`
//! client into a new database that a new server then serves).

use std::path::Path;
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use reqwest::StatusCode;
use tokio::sync::mpsc;

use crate::common::{Db, TestApp, TestDatabase};

/// Writers posting at once while the copy is taken.
const WRITERS: usize = 4;
/// Messages acknowledged before the backup starts, and again after it ends, at least.
const AROUND: usize = 100;

/// Every message id of a channel, oldest first, read through the history API.
async fn channel_ids(app: &TestApp, token: &str, channel: i64) -> Vec<i64> {
    let mut ids = Vec::new();
    let mut query = "direction=forward&limit=100".to_owned();
    loop {
        let (status, page) = app
            .get(&format!("/api/channels/{channel}/history?{query}"), token)
            .await;
        assert_eq!(status, StatusCode::OK, "{page}");
        let items = page["items"].as_array().expect("items").clone();
        ids.extend(items.iter().map(|m| m["id"].as_i64().expect("id")));
        if !page["has_more_forward"].as_bool().unwrap_or(false) || items.is_empty() {
            return ids;
        }
        query = format!("after={}&limit=100", ids.last().expect("an id"));
    }
}

fn sqlite_path(url: &str) -> &Path {
    Path::new(
        url.trim_start_matches("sqlite:")
            .trim_start_matches("//")
            .split('?')
            .next()
            .expect("path"),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_taken_while_messages_are_written_holds_every_acknowledged_message_and_file() {
    let app = Arc::new(TestApp::spawn(Db::Sqlite).await);
    let (_, token) = app.user("keeper").await;
    let slug = app.room(&token, "Archive").await;
    let channel = app.channel(&token, &slug, "log", "text").await["id"]
        .as_i64()
        .expect("id");
    // A file kept beside the database, as uploads are.
    let data_dir = sqlite_path(&app.database_url)
        .parent()
        .expect("data dir")
        .to_path_buf();
    std::fs::create_dir_all(data_dir.join("attachments/7f")).expect("mkdir");
    std::fs::write(data_dir.join("attachments/7f/upload.bin"), b"kept bytes").expect("write");

    // Writers post one message after another and report each acknowledgement in order.
    let stop = Arc::new(AtomicBool::new(false));
    let (acks, mut acked) = mpsc::unbounded_channel::<(usize, i64)>();
    let mut writers = Vec::new();
    for w in 0..WRITERS {
        let (app, token, stop, acks) = (app.clone(), token.clone(), stop.clone(), acks.clone());
        writers.push(tokio::spawn(async move {
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                let body = app.message(&token, channel, &format!("w{w} #{n}")).await;
                let _ = acks.send((w, body["id"].as_i64().expect("id")));
                n += 1;
            }
        }));
    }
    drop(acks);
    let mut per_writer: Vec<Vec<i64>> = vec![Vec::new(); WRITERS];
    for _ in 0..AROUND {
        let (w, id) = acked.recv().await.expect("an acknowledgement");
        per_writer[w].push(id);
    }
    let before_backup: Vec<i64> = per_writer.iter().flatten().copied().collect();

    let dest = tempfile::tempdir().expect("tempdir");
    let target = dest.path().join("copy");
    let backup = tokio::process::Command::new(env!("CARGO_BIN_EXE_charge"))
        .args(["backup", target.to_str().expect("utf-8")])
        .env_clear()
        .env("DATABASE_URL", &app.database_url)
        .stdin(Stdio::null())
        .output();
    tokio::pin!(backup);
    // Keep taking acknowledgements while the copy runs, so the writers never wait on us.
    let output = loop {
        tokio::select! {
            out = &mut backup => break out.expect("run charge backup"),
            Some((w, id)) = acked.recv() => per_writer[w].push(id),
        }
    };
    assert!(
        output.status.success(),
        "charge backup failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let during: usize = per_writer.iter().map(Vec::len).sum();
    for _ in 0..AROUND {
        let (w, id) = acked.recv().await.expect("an acknowledgement");
        per_writer[w].push(id);
    }
    stop.store(true, Ordering::Relaxed);
    for writer in writers {
        writer.await.expect("writer");
    }
    while let Ok((w, id)) = acked.try_recv() {
        per_writer[w].push(id);
    }

    // A second server on the copy serves what was committed when the copy was taken.
    let copy_url = format!(
        "sqlite://{}",
        target
            .join(sqlite_path(&app.database_url).file_name().expect("name"))
            .display()
    );
    let restored = TestApp::spawn_with(Db::Sqlite, &[("DATABASE_URL", &copy_url)]).await;
    let in_copy = channel_ids(&restored, &token, channel).await;
    for id in &before_backup {
        assert!(
            in_copy.contains(id),
            "message {id}, acknowledged before the backup, is in it"
        );
    }
    // Each writer's messages in the copy are exactly its first ones: nothing torn, no gaps.
    let all: Vec<i64> = per_writer.iter().flatten().copied().collect();
    for (w, ids) in per_writer.iter().enumerate() {
        let kept = ids.iter().filter(|id| in_copy.contains(id)).count();
        assert_eq!(
            &ids[..kept],
            &in_copy
                .iter()
                .copied()
                .filter(|id| ids.contains(id))
                .collect::<Vec<_>>()[..],
            "writer {w}: the copy holds a prefix of its messages"
        );
    }
    assert!(
        in_copy.iter().all(|id| all.contains(id)),
        "the copy holds nothing that was never acknowledged"
    );
    assert!(
        in_copy.len() < all.len(),
        "messages written after the copy are not in it ({} of {}, {during} by the end of the backup)",
        in_copy.len(),
        all.len()
    );
    let copied = std::fs::read(target.join("attachments/7f/upload.bin")).expect("file copied");
    assert_eq!(copied, b"kept bytes");
    restored.stop().await;
}

#[tokio::test]
async fn a_backup_refuses_a_directory_that_is_not_empty_and_points_mariadb_to_mariadb_dump() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("something"), b"x").expect("write");
    let app = TestApp::spawn(Db::Sqlite).await;
    let run = |args: Vec<String>, url: String| async move {
        tokio::process::Command::new(env!("CARGO_BIN_EXE_charge"))
            .args(args)
            .env_clear()
            .env("DATABASE_URL", url)
            .stdin(Stdio::null())
            .output()
            .await
            .expect("run charge")
    };
    let target = dir.path().to_str().expect("utf-8").to_owned();
    let out = run(
        vec!["backup".into(), target.clone()],
        app.database_url.clone(),
    )
    .await;
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not empty"));
    let out = run(
        vec!["backup".into(), format!("{target}/new")],
        "mysql://root@127.0.0.1:1/none".into(),
    )
    .await;
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("mariadb-dump"));
    app.stop().await;
}

/// `mysql://user:password@host:port/database` as the MariaDB clients' options.
fn client_options(url: &str) -> (Vec<String>, String) {
    let rest = url
        .trim_start_matches("mysql://")
        .trim_start_matches("mariadb://");
    let (credentials, rest) = rest.rsplit_once('@').unwrap_or(("root", rest));
    let (user, password) = credentials.split_once(':').unwrap_or((credentials, ""));
    let (address, database) = rest.split_once('/').expect("a database in the URL");
    let (host, port) = address.split_once(':').unwrap_or((address, "3306"));
    let mut options = vec![
        format!("--host={host}"),
        format!("--port={port}"),
        format!("--user={user}"),
        "--protocol=TCP".to_owned(),
    ];
    if !password.is_empty() {
        options.push(format!("--password={password}"));
    }
    (
        options,
        database.split('?').next().unwrap_or(database).to_owned(),
    )
}

#[tokio::test]
async fn a_mariadb_dump_of_a_serving_database_restores_into_a_new_database_that_serves_it() {
    if !Db::mariadb_runs(module_path!()) {
        return;
    }
    let app = TestApp::spawn(Db::MariaDb).await;
    let (_, token) = app.user("dumper").await;
    let slug = app.room(&token, "Dumped").await;
    let channel = app.channel(&token, &slug, "log", "text").await["id"]
        .as_i64()
        .expect("id");
    let mut posted = Vec::new();
    for n in 0..30 {
        posted.push(
            app.message(&token, channel, &format!("kept #{n}")).await["id"]
                .as_i64()
                .expect("id"),
        );
    }
    // The documented command, while the server keeps serving.
    let (options, source) = client_options(&app.database_url);
    let dump = tokio::process::Command::new("mariadb-dump")
        .args(&options)
        .args(["--single-transaction", "--routines", "--triggers", &source])
        .stdin(Stdio::null())
        .output()
        .await
        .expect("run mariadb-dump (apt-get install mariadb-client)");
    assert!(
        dump.status.success(),
        "mariadb-dump: {}",
        String::from_utf8_lossy(&dump.stderr)
    );
    let restored_db = TestDatabase::create(Db::MariaDb).await;
    let (options, target) = client_options(&restored_db.url);
    let mut restore = tokio::process::Command::new("mariadb")
        .args(&options)
        .arg(&target)
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run mariadb");
    {
        use tokio::io::AsyncWriteExt;
        let mut stdin = restore.stdin.take().expect("stdin");
        stdin.write_all(&dump.stdout).await.expect("feed the dump");
    }
    let restored = restore.wait_with_output().await.expect("mariadb");
    assert!(
        restored.status.success(),
        "mariadb: {}",
        String::from_utf8_lossy(&restored.stderr)
    );

    let second = TestApp::spawn_with(Db::MariaDb, &[("DATABASE_URL", &restored_db.url)]).await;
    assert_eq!(channel_ids(&second, &token, channel).await, posted);
    let (status, _) = second
        .call(
            reqwest::Method::POST,
            "/api/auth/login",
            None,
            Some(serde_json::json!({"login": "dumper", "password": "password-dumper"})),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the account and its password hash came back"
    );
    second.stop().await;
    app.stop().await;
}

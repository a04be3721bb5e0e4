//! Changes act on sockets that are already open (decision 24): losing `view` closes
//! `/ws/text` and hides the channel from the workspace stream, invitation codes follow role
//! changes, role levels take effect on the next check. The same scenarios run across two nodes
//! with Redis and with NATS.

use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};

use crate::common::ws::{Ws, close_of, connect, next_json, next_of, send};
use crate::common::{Db, TestApp, TestDatabase, both_backends};
use crate::scale_out::{Broker, Node, account, post, until};

/// Two addresses a test talks to: where the admin acts and where the member is connected
/// (the same node, or two nodes sharing a database and a broker).
struct Cluster {
    acting: String,
    watching: String,
}

/// Room "Live" owned by `owner` with a text channel, and `member` joined as a member.
struct Scene {
    slug: String,
    channel: i64,
    owner: String,
    member_id: i64,
    member: String,
}

async fn call(
    base: &str,
    method: Method,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut req = reqwest::Client::new()
        .request(method, format!("{base}{path}"))
        .bearer_auth(token);
    if let Some(body) = body {
        req = req.json(&body);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn scene(cluster: &Cluster) -> Scene {
    let (_, owner) = account(&cluster.acting, "owner").await;
    let (member_id, member) = account(&cluster.watching, "member").await;
    let room = post(
        &cluster.acting,
        "/api/rooms",
        Some(&owner),
        json!({"title": "Live"}),
    )
    .await;
    let slug = room["slug"].as_str().unwrap().to_owned();
    let channel = post(
        &cluster.acting,
        &format!("/api/rooms/{slug}/channels"),
        Some(&owner),
        json!({"name": "general", "type": "text"}),
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let invite = post(
        &cluster.acting,
        &format!("/api/rooms/{slug}/invitations"),
        Some(&owner),
        json!({"role": "member"}),
    )
    .await;
    post(
        &cluster.watching,
        &format!("/api/invites/{}", invite["code"].as_str().unwrap()),
        Some(&member),
        json!({}),
    )
    .await;
    Scene {
        slug,
        channel,
        owner,
        member_id,
        member,
    }
}

/// A category created now: a visible event that later frames must come after.
async fn marker(cluster: &Cluster, scene: &Scene, name: &str) {
    post(
        &cluster.acting,
        &format!("/api/rooms/{}/categories", scene.slug),
        Some(&scene.owner),
        json!({"name": name}),
    )
    .await;
}

/// The next workspace event that is not a member-list update.
async fn next_event(ws: &mut Ws) -> Value {
    loop {
        let frame = next_json(ws).await;
        if !frame["type"]
            .as_str()
            .is_some_and(|t| t.starts_with("member_"))
        {
            return frame;
        }
    }
}

async fn losing_view(cluster: &Cluster) {
    let scene = scene(cluster).await;
    let (slug, channel) = (&scene.slug, scene.channel);
    let mut text = connect(
        &cluster.watching,
        &format!("/ws/text/{channel}?token={}", scene.member),
    )
    .await;
    next_of(&mut text, "history").await;
    let mut rooms = connect(
        &cluster.watching,
        &format!("/ws/rooms/{slug}?token={}", scene.member),
    )
    .await;
    let snapshot = next_of(&mut rooms, "workspace_snapshot").await;
    assert_eq!(snapshot["channels"][0]["id"], channel, "{snapshot}");

    let path = format!(
        "/api/channels/{channel}/permissions/users/{}",
        scene.member_id
    );
    let (status, body) = call(
        &cluster.acting,
        Method::PUT,
        &path,
        &scene.owner,
        Some(json!({"deny": ["view"]})),
    )
    .await;
    assert_eq!(status, 200, "{body}");

    let error = next_of(&mut text, "error").await;
    assert_eq!(error["detail"], "Missing permission: view");
    assert_eq!(
        close_of(&mut text).await,
        (1008, "Missing permission: view".to_owned())
    );
    let deleted = next_event(&mut rooms).await;
    assert_eq!(
        (deleted["type"].as_str(), deleted["channel_id"].as_i64()),
        (Some("channel_deleted"), Some(channel)),
        "{deleted}"
    );

    // No later event about the channel reaches the member; a visible one still does.
    let (status, _) = call(
        &cluster.acting,
        Method::PATCH,
        &format!("/api/channels/{channel}"),
        &scene.owner,
        Some(json!({"name": "secret"})),
    )
    .await;
    assert_eq!(status, 200);
    marker(cluster, &scene, "after the rename").await;
    let next = next_event(&mut rooms).await;
    assert_eq!(
        next["type"], "category_created",
        "the rename stays hidden: {next}"
    );

    // Reconnecting is refused like a missing channel.
    let mut again = connect(
        &cluster.watching,
        &format!("/ws/text/{channel}?token={}", scene.member),
    )
    .await;
    assert_eq!(
        close_of(&mut again).await,
        (1003, "Invalid channel".to_owned())
    );

    // Given back, the channel reappears on the open stream.
    let (status, _) = call(&cluster.acting, Method::DELETE, &path, &scene.owner, None).await;
    assert_eq!(status, 204);
    let created = next_event(&mut rooms).await;
    assert_eq!(
        (
            created["type"].as_str(),
            created["channel"]["id"].as_i64(),
            created["channel"]["name"].as_str()
        ),
        (Some("channel_created"), Some(channel), Some("secret")),
        "{created}"
    );
}

async fn codes_follow_roles(cluster: &Cluster) {
    let scene = scene(cluster).await;
    let slug = &scene.slug;
    let mut rooms = connect(
        &cluster.watching,
        &format!("/ws/rooms/{slug}?token={}", scene.member),
    )
    .await;
    next_of(&mut rooms, "workspace_snapshot").await;
    let invite = |role: &'static str| {
        let (base, owner, slug) = (cluster.acting.clone(), scene.owner.clone(), slug.clone());
        async move {
            post(
                &base,
                "/api/invites",
                Some(&owner),
                json!({"room_slug": slug, "role": role}),
            )
            .await
        }
    };
    invite("guest").await;
    marker(cluster, &scene, "before").await;
    assert_eq!(
        next_event(&mut rooms).await["type"],
        "category_created",
        "a member gets no code"
    );

    let member_path = format!("/api/rooms/{slug}/members/{}", scene.member_id);
    let (status, _) = call(
        &cluster.acting,
        Method::PATCH,
        &member_path,
        &scene.owner,
        Some(json!({"role": "admin"})),
    )
    .await;
    assert_eq!(status, 200);
    next_of(&mut rooms, "member_updated").await;
    let created = invite("guest").await;
    let got = next_event(&mut rooms).await;
    assert_eq!(
        (got["type"].as_str(), &got["invitation"]["code"]),
        (Some("invite_created"), &created["code"]),
        "a promoted admin gets codes on the same socket: {got}"
    );

    let (status, _) = call(
        &cluster.acting,
        Method::PATCH,
        &member_path,
        &scene.owner,
        Some(json!({"role": "member"})),
    )
    .await;
    assert_eq!(status, 200);
    next_of(&mut rooms, "member_updated").await;
    invite("guest").await;
    marker(cluster, &scene, "after").await;
    assert_eq!(
        next_event(&mut rooms).await["type"],
        "category_created",
        "a demoted one stops"
    );
}

async fn levels_apply_at_once(cluster: &Cluster) {
    let scene = scene(cluster).await;
    let slug = &scene.slug;
    let mut rooms = connect(
        &cluster.watching,
        &format!("/ws/rooms/{slug}?token={}", scene.member),
    )
    .await;
    next_of(&mut rooms, "workspace_snapshot").await;
    let create = format!("/api/rooms/{slug}/channels");
    let body = json!({"name": "by member", "type": "text"});
    let (status, _) = call(
        &cluster.watching,
        Method::POST,
        &create,
        &scene.member,
        Some(body.clone()),
    )
    .await;
    assert_eq!(status, 403);

    // Members raised above admins pass admin+ checks and see codes, sockets included.
    let level = format!("/api/rooms/{slug}/roles/hierarchy/member");
    let (status, read) = call(
        &cluster.acting,
        Method::PATCH,
        &level,
        &scene.owner,
        Some(json!({"level": 350})),
    )
    .await;
    assert_eq!(
        (status, read),
        (200, json!({"role": "member", "level": 350}))
    );
    let (status, _) = call(
        &cluster.watching,
        Method::POST,
        &create,
        &scene.member,
        Some(body),
    )
    .await;
    assert_eq!(status, 201, "the next check reads the new level");
    next_of(&mut rooms, "channel_created").await;
    let created = post(
        &cluster.acting,
        "/api/invites",
        Some(&scene.owner),
        json!({"room_slug": slug}),
    )
    .await;
    let got = next_event(&mut rooms).await;
    assert_eq!(got["invitation"]["code"], created["code"], "{got}");

    // A member denied send_messages on an open socket is refused on the next frame.
    let mut text = connect(
        &cluster.watching,
        &format!("/ws/text/{}?token={}", scene.channel, scene.member),
    )
    .await;
    next_of(&mut text, "history").await;
    let (status, _) = call(
        &cluster.acting,
        Method::PATCH,
        &level,
        &scene.owner,
        Some(json!({"level": 200})),
    )
    .await;
    assert_eq!(status, 200);
    let (status, _) = call(
        &cluster.acting,
        Method::PUT,
        &format!("/api/channels/{}/permissions/roles/member", scene.channel),
        &scene.owner,
        Some(json!({"deny": ["send_messages"]})),
    )
    .await;
    assert_eq!(status, 200);
    // The socket is told what its user may do now (on every node).
    let told = until(&mut text, "permissions without send_messages", |f| {
        f["type"] == "permissions"
            && f["permissions"]
                .as_array()
                .is_some_and(|p| !p.contains(&json!("send_messages")))
    })
    .await;
    assert_eq!(
        told["permissions"],
        json!(["view", "connect", "speak", "create_forum_posts"])
    );
    // The change reaches another node through the broker: retry until it has.
    let refused = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            send(&mut text, json!({"type": "typing", "is_typing": true})).await;
            send(&mut text, json!({"type": "ping"})).await;
            let frame = until(&mut text, "an answer", |f| {
                f["type"] == "pong" || f["type"] == "error"
            })
            .await;
            if frame["type"] == "error" {
                return frame;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await
    .expect("refused within five seconds");
    assert_eq!(refused["detail"], "Missing permission: send_messages");
}

both_backends!(losing_view_closes_the_text_socket_and_hides_the_channel_from_the_workspace_stream);
async fn losing_view_closes_the_text_socket_and_hides_the_channel_from_the_workspace_stream(
    db: Db,
) {
    let app = TestApp::spawn(db).await;
    losing_view(&Cluster {
        acting: app.base.clone(),
        watching: app.base.clone(),
    })
    .await;
    app.stop().await;
}

both_backends!(invitation_codes_follow_role_changes_on_an_open_workspace_socket);
async fn invitation_codes_follow_role_changes_on_an_open_workspace_socket(db: Db) {
    let app = TestApp::spawn(db).await;
    codes_follow_roles(&Cluster {
        acting: app.base.clone(),
        watching: app.base.clone(),
    })
    .await;
    app.stop().await;
}

both_backends!(role_levels_and_overwrites_take_effect_on_the_next_check_and_on_open_sockets);
async fn role_levels_and_overwrites_take_effect_on_the_next_check_and_on_open_sockets(db: Db) {
    let app = TestApp::spawn(db).await;
    levels_apply_at_once(&Cluster {
        acting: app.base.clone(),
        watching: app.base.clone(),
    })
    .await;
    app.stop().await;
}

/// Waits (bounded) until every node has its broker subscription.
async fn subscribed(nodes: &[&Node], kind: &str) {
    for node in nodes {
        let ready = async {
            loop {
                if node.metrics().await.lines().any(|l| {
                    l.starts_with("realtime_pubsub_subscriptions{")
                        && l.contains(kind)
                        && l.ends_with(" 1")
                }) {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        };
        tokio::time::timeout(Duration::from_secs(15), ready)
            .await
            .expect("subscribed");
    }
}

/// Two nodes on one database and one broker; the admin acts on the first, the member watches
/// on the second.
async fn across_nodes(kind: &'static str, backend: Db) {
    let database = TestDatabase::create(backend).await;
    let broker = Broker::start(kind);
    let namespace = format!(
        "charge.test.permissions.{kind}.{backend:?}.{}",
        std::process::id()
    );
    let a = Node::start(&database.url, &broker, &namespace, "node-a").await;
    let b = Node::start(&database.url, &broker, &namespace, "node-b").await;
    subscribed(&[&a, &b], kind).await;
    let cluster = Cluster {
        acting: a.base.clone(),
        watching: b.base.clone(),
    };
    losing_view(&cluster).await;
    drop((a, b));
    // Fresh nodes and accounts for the second scenario (logins are unique per database).
    let database = TestDatabase::create(backend).await;
    let a = Node::start(&database.url, &broker, &format!("{namespace}.2"), "node-a").await;
    let b = Node::start(&database.url, &broker, &format!("{namespace}.2"), "node-b").await;
    subscribed(&[&a, &b], kind).await;
    let cluster = Cluster {
        acting: a.base.clone(),
        watching: b.base.clone(),
    };
    codes_follow_roles(&cluster).await;
}

both_backends!(permission_changes_reach_open_sockets_on_another_node_through_redis);
async fn permission_changes_reach_open_sockets_on_another_node_through_redis(db: Db) {
    across_nodes("redis", db).await;
}

both_backends!(permission_changes_reach_open_sockets_on_another_node_through_nats);
async fn permission_changes_reach_open_sockets_on_another_node_through_nats(db: Db) {
    across_nodes("nats", db).await;
}

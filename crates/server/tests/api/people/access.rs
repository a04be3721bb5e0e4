//! Who may call what under `/api/dm`: every documented route × {anonymous, outsider,
//! participant}, with the status and `detail` of each cell. There are no room roles here: the
//! participant is the one the resource belongs to (addressee of a request, member of a
//! conversation, sender of a message), the outsider a signed-in stranger to it. Every cell gets
//! fresh resources, so cells never depend on the order they run in.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::{Person, befriend, call, conversation, person, request, say};
use crate::common::{Db, Reply, TestApp, both_backends};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Anonymous,
    Outsider,
    Participant,
}

/// The route templates, as the OpenAPI document names them.
const ROUTES: [(&str, &str); 23] = [
    ("get", "/api/dm/friends"),
    ("delete", "/api/dm/friends/{user_id}"),
    ("get", "/api/dm/requests"),
    ("post", "/api/dm/requests"),
    ("delete", "/api/dm/requests/{request_id}"),
    ("post", "/api/dm/requests/{request_id}/accept"),
    ("post", "/api/dm/requests/{request_id}/reject"),
    ("get", "/api/dm/blocks"),
    ("put", "/api/dm/blocks/{user_id}"),
    ("delete", "/api/dm/blocks/{user_id}"),
    ("get", "/api/dm/conversations"),
    ("post", "/api/dm/conversations"),
    ("patch", "/api/dm/conversations/{conversation_id}"),
    ("patch", "/api/dm/conversations/{conversation_id}/note"),
    ("get", "/api/dm/conversations/{conversation_id}/messages"),
    ("post", "/api/dm/conversations/{conversation_id}/messages"),
    ("post", "/api/dm/conversations/{conversation_id}/typing"),
    (
        "post",
        "/api/dm/conversations/{conversation_id}/participants",
    ),
    ("post", "/api/dm/conversations/{conversation_id}/leave"),
    ("patch", "/api/dm/messages/{message_id}"),
    ("delete", "/api/dm/messages/{message_id}"),
    ("post", "/api/dm/messages/{message_id}/reactions"),
    ("delete", "/api/dm/messages/{message_id}/reactions"),
];

/// What the outsider and the participant get (the anonymous caller always gets 401).
fn expected(route: usize) -> [(u16, Option<&'static str>); 2] {
    const NO_ACCESS: Option<&str> = Some("No access to the conversation");
    const NO_MESSAGE: Option<&str> = Some("Message not found");
    const INSUFFICIENT: Option<&str> = Some("Insufficient permissions");
    match route {
        0 | 2 | 7 | 10 => [(200, None), (200, None)],
        1 => [(404, Some("Friend not found")), (204, None)],
        3 => [(201, None), (201, None)],
        4 => [(403, INSUFFICIENT), (204, None)],
        5 | 6 => [(403, INSUFFICIENT), (200, None)],
        8 => [(204, None), (204, None)],
        9 => [(404, Some("User is not blocked")), (204, None)],
        11 => [(403, Some("Add the user as a friend first")), (201, None)],
        12 | 13 | 15 | 17 => [
            (403, NO_ACCESS),
            (if route == 15 { 201 } else { 200 }, None),
        ],
        14 => [(403, NO_ACCESS), (200, None)],
        16 | 18 => [(403, NO_ACCESS), (204, None)],
        19..=22 => [(404, NO_MESSAGE), (200, None)],
        _ => unreachable!("{route}"),
    }
}

/// A group of the participant with two friends, and a message of the participant's in it.
struct Scene {
    participant: Person,
    outsider: Person,
    friend: Person,
    spare: Person,
    group: i64,
    message: i64,
}

async fn scene(app: &TestApp, n: usize) -> Scene {
    let participant = person(app, &format!("part{n}")).await;
    let outsider = person(app, &format!("out{n}")).await;
    let friend = person(app, &format!("friend{n}")).await;
    let spare = person(app, &format!("spare{n}")).await;
    befriend(app, &participant, &friend).await;
    befriend(app, &participant, &spare).await;
    let third = person(app, &format!("third{n}")).await;
    befriend(app, &participant, &third).await;
    let group = conversation(app, &participant, &[&friend, &third], Some("g")).await;
    let message = say(app, &participant, group, "hello").await["id"]
        .as_i64()
        .unwrap();
    call(
        app,
        Method::POST,
        &format!("/api/dm/messages/{message}/reactions"),
        &participant,
        Some(json!({"emoji": "🔥"})),
    )
    .await;
    Scene {
        participant,
        outsider,
        friend,
        spare,
        group,
        message,
    }
}

async fn cell(app: &TestApp, s: &Scene, route: usize, who: Who) -> Reply {
    let caller = if who == Who::Outsider {
        &s.outsider
    } else {
        &s.participant
    };
    let (g, m) = (s.group, s.message);
    let (method, path, body): (Method, String, Option<Value>) = match route {
        0 => (Method::GET, "/api/dm/friends".into(), None),
        1 => (
            Method::DELETE,
            format!("/api/dm/friends/{}", s.friend.id),
            None,
        ),
        2 => (Method::GET, "/api/dm/requests".into(), None),
        3 => {
            let to = if who == Who::Participant {
                &s.outsider
            } else {
                &s.spare
            };
            (
                Method::POST,
                "/api/dm/requests".into(),
                Some(json!({"login": to.login})),
            )
        }
        4..=6 => {
            // A request the participant sent (cancel) or received (accept, reject).
            let asker = person(
                app,
                &format!("asker{route}{}_{}", who as u8, s.participant.id),
            )
            .await;
            let id = if route == 4 {
                request(app, &s.participant, &asker).await["id"]
                    .as_i64()
                    .unwrap()
            } else {
                request(app, &asker, &s.participant).await["id"]
                    .as_i64()
                    .unwrap()
            };
            let path = match route {
                4 => format!("/api/dm/requests/{id}"),
                5 => format!("/api/dm/requests/{id}/accept"),
                _ => format!("/api/dm/requests/{id}/reject"),
            };
            (
                if route == 4 {
                    Method::DELETE
                } else {
                    Method::POST
                },
                path,
                None,
            )
        }
        7 => (Method::GET, "/api/dm/blocks".into(), None),
        8 => (Method::PUT, format!("/api/dm/blocks/{}", s.spare.id), None),
        9 => {
            // The participant unblocks someone they blocked; the outsider someone they never did.
            if who == Who::Participant {
                let block = format!("/api/dm/blocks/{}", s.spare.id);
                call(app, Method::PUT, &block, &s.participant, None).await;
                (Method::DELETE, block, None)
            } else {
                (
                    Method::DELETE,
                    format!("/api/dm/blocks/{}", s.friend.id),
                    None,
                )
            }
        }
        10 => (Method::GET, "/api/dm/conversations".into(), None),
        11 => (
            Method::POST,
            "/api/dm/conversations".into(),
            Some(json!({"participant_ids": [s.friend.id]})),
        ),
        12 => (
            Method::PATCH,
            format!("/api/dm/conversations/{g}"),
            Some(json!({"title": "renamed"})),
        ),
        13 => (
            Method::PATCH,
            format!("/api/dm/conversations/{g}/note"),
            Some(json!({"note": "n"})),
        ),
        14 => (
            Method::GET,
            format!("/api/dm/conversations/{g}/messages"),
            None,
        ),
        15 => (
            Method::POST,
            format!("/api/dm/conversations/{g}/messages"),
            Some(json!({"content": "hi"})),
        ),
        16 => (
            Method::POST,
            format!("/api/dm/conversations/{g}/typing"),
            None,
        ),
        17 => (
            Method::POST,
            format!("/api/dm/conversations/{g}/participants"),
            Some(json!({"user_ids": [s.spare.id]})),
        ),
        18 => (
            Method::POST,
            format!("/api/dm/conversations/{g}/leave"),
            None,
        ),
        19 => (
            Method::PATCH,
            format!("/api/dm/messages/{m}"),
            Some(json!({"content": "edited"})),
        ),
        20 => (Method::DELETE, format!("/api/dm/messages/{m}"), None),
        21 => (
            Method::POST,
            format!("/api/dm/messages/{m}/reactions"),
            Some(json!({"emoji": "👍"})),
        ),
        22 => (
            Method::DELETE,
            format!("/api/dm/messages/{m}/reactions?emoji=🔥"),
            None,
        ),
        _ => unreachable!("{route}"),
    };
    let token = (who != Who::Anonymous).then(|| caller.token.clone());
    app.send(method, &path, token.as_deref(), body).await
}

both_backends!(every_dm_route_answers_strangers_and_participants_as_documented);
async fn every_dm_route_answers_strangers_and_participants_as_documented(db: Db) {
    let app = TestApp::spawn(db).await;
    // The outsider is refused nearly everything, so one scene serves all their cells (and
    // the anonymous caller's, refused before anything is read); each participant cell gets a
    // scene of its own, since it consumes what it acts on.
    let shared = scene(&app, 0).await;
    for (route, (method, template)) in ROUTES.iter().enumerate() {
        let [outsider, participant] = expected(route);
        for (who, expect) in [
            (Who::Anonymous, (401, Some("Not authenticated"))),
            (Who::Outsider, outsider),
            (Who::Participant, participant),
        ] {
            let own;
            let s = if who == Who::Participant {
                own = scene(&app, route + 1).await;
                &own
            } else {
                &shared
            };
            let reply = cell(&app, s, route, who).await;
            let name = format!("{method} {template} as {who:?}");
            assert_eq!(reply.status.as_u16(), expect.0, "{name}: {}", reply.text);
            if let Some(detail) = expect.1 {
                assert_eq!(reply.body, json!({"detail": detail}), "{name}");
            }
        }
    }

    // Every documented /api/dm route has a row here.
    let doc = app.send(Method::GET, "/openapi.json", None, None).await;
    assert_eq!(doc.status, StatusCode::OK);
    let mut documented: Vec<(String, String)> = Vec::new();
    for (path, item) in doc.body["paths"].as_object().unwrap() {
        if path.starts_with("/api/dm") {
            for method in item.as_object().unwrap().keys() {
                documented.push((method.clone(), path.clone()));
            }
        }
    }
    documented.sort();
    let mut covered: Vec<(String, String)> = ROUTES
        .iter()
        .map(|(m, p)| ((*m).to_owned(), (*p).to_owned()))
        .collect();
    covered.sort();
    assert_eq!(
        documented, covered,
        "the matrix and the OpenAPI document list the same routes"
    );
    app.stop().await;
}

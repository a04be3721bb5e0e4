//! Accounts, a room and a channel for a run, created over the HTTP API.

use anyhow::{Context, bail};
use reqwest::Client;
use serde_json::{Value, json};

pub struct World {
    pub http: Client,
    pub base: String,
    /// WebSocket bases of every node, the first one included.
    pub ws_bases: Vec<String>,
    pub channel_ids: Vec<i64>,
    /// The run's room.
    pub room_slug: String,
    /// Tokens of the accounts, owner first.
    pub tokens: Vec<String>,
    /// Ids of the same accounts.
    pub user_ids: Vec<i64>,
}

async fn post(
    http: &Client,
    url: String,
    token: Option<&str>,
    body: Value,
) -> anyhow::Result<Value> {
    let mut req = http.post(&url).json(&body);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let res = req.send().await.with_context(|| format!("POST {url}"))?;
    let status = res.status();
    let body: Value = res.json().await.unwrap_or(Value::Null);
    if !status.is_success() {
        bail!("POST {url}: {status} {body}");
    }
    Ok(body)
}

/// Registers `users` accounts (or logs in when they exist) and puts them all in one room with
/// one text channel.
pub async fn world(
    base: &str,
    prefix: &str,
    users: usize,
    channels: usize,
) -> anyhow::Result<World> {
    world_on(base, &[], prefix, users, channels).await
}

/// Like [`world`], with sockets to be spread over `base` and `others`.
pub async fn world_on(
    base: &str,
    others: &[String],
    prefix: &str,
    users: usize,
    channels: usize,
) -> anyhow::Result<World> {
    let http = Client::builder().pool_max_idle_per_host(256).build()?;
    let base = base.trim_end_matches('/').to_owned();
    let run = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_millis()
        % 100_000_000;
    let mut tokens = Vec::with_capacity(users);
    let mut user_ids = Vec::with_capacity(users);
    for i in 0..users.max(1) {
        let login = format!("{prefix}{run}u{i}");
        let password = "load-test-password";
        let user = post(
            &http,
            format!("{base}/api/auth/register"),
            None,
            json!({"login": login, "password": password}),
        )
        .await?;
        user_ids.push(user["id"].as_i64().context("user id")?);
        let token = post(
            &http,
            format!("{base}/api/auth/login"),
            None,
            json!({"login": login, "password": password}),
        )
        .await?;
        tokens.push(token["access_token"].as_str().context("token")?.to_owned());
    }
    let owner = tokens[0].clone();
    let room = post(
        &http,
        format!("{base}/api/rooms"),
        Some(&owner),
        json!({"title": format!("load {run}")}),
    )
    .await?;
    let slug = room["slug"].as_str().context("slug")?.to_owned();
    let mut channel_ids = Vec::new();
    for i in 0..channels.clamp(1, 26) {
        let channel = post(
            &http,
            format!("{base}/api/rooms/{slug}/channels"),
            Some(&owner),
            json!({"name": format!("load-{i}"), "type": "text"}),
        )
        .await?;
        channel_ids.push(channel["id"].as_i64().context("channel id")?);
    }
    if tokens.len() > 1 {
        let inv = post(
            &http,
            format!("{base}/api/rooms/{slug}/invitations"),
            Some(&owner),
            json!({"role": "member"}),
        )
        .await?;
        let code = inv["code"].as_str().context("code")?.to_owned();
        for t in &tokens[1..] {
            post(
                &http,
                format!("{base}/api/invites/{code}"),
                Some(t),
                json!({}),
            )
            .await?;
        }
    }
    let to_ws = |b: &str| {
        b.trim_end_matches('/')
            .replacen("http://", "ws://", 1)
            .replacen("https://", "wss://", 1)
    };
    let ws_bases = std::iter::once(to_ws(&base))
        .chain(others.iter().map(|o| to_ws(o)))
        .collect();
    Ok(World {
        http,
        base,
        ws_bases,
        channel_ids,
        room_slug: slug,
        tokens,
        user_ids,
    })
}

impl World {
    /// Puts `n` overwrites on every channel: the member role's, then one per account after the
    /// owner, each allowing `view` and `send_messages` (what members have anyway), so that every
    /// permission check reads them and none refuses.
    pub async fn overwrite_channels(&self, n: usize) -> anyhow::Result<()> {
        let owner = &self.tokens[0];
        let body = json!({"allow": ["view", "send_messages"]});
        for channel in &self.channel_ids {
            let base = format!("{}/api/channels/{channel}/permissions", self.base);
            let targets = std::iter::once(format!("{base}/roles/member")).chain(
                self.user_ids
                    .iter()
                    .skip(1)
                    .map(|id| format!("{base}/users/{id}")),
            );
            for url in targets.take(n) {
                let res = self
                    .http
                    .put(&url)
                    .bearer_auth(owner)
                    .json(&body)
                    .send()
                    .await
                    .with_context(|| format!("PUT {url}"))?;
                if !res.status().is_success() {
                    bail!("PUT {url}: {}", res.status());
                }
            }
        }
        Ok(())
    }
}

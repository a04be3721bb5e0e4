//! WebRTC settings: ICE server definitions and how a variable's value becomes a list of them.

use serde::Deserialize;

pub use charge_protocol::IceServer;

use crate::SettingsError;
use crate::source::parse_string_list;

/// ICE server definitions: a JSON array of objects (or of URL strings / URL arrays), or
/// comma-separated URLs (one server per URL).
pub fn parse_ice_servers(name: &'static str, raw: &str) -> Result<Vec<IceServer>, SettingsError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(Vec::new());
    }
    let err = |problem: String| SettingsError {
        variable: name,
        problem,
        example: r#"[{"urls":["turn:backup.example.net:3478"],"username":"u","credential":"p"}]"#,
    };
    if !raw.starts_with('[') {
        return Ok(parse_string_list(name, raw)?
            .into_iter()
            .map(|url| IceServer {
                urls: vec![url],
                username: None,
                credential: None,
            })
            .collect());
    }
    // URL arrays first: serde would also read `["turn:a", "turn:b"]` as a positional
    // `IceServer` (urls, username, credential).
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Entry {
        Url(String),
        Urls(Vec<String>),
        Server(IceServer),
    }
    let entries: Vec<Entry> = serde_json::from_str(raw).map_err(|e| {
        err(format!(
            "not a JSON array of ICE server objects or URLs ({e})"
        ))
    })?;
    let servers: Vec<IceServer> = entries
        .into_iter()
        .map(|e| match e {
            Entry::Server(s) => s,
            Entry::Url(url) => IceServer {
                urls: vec![url],
                username: None,
                credential: None,
            },
            Entry::Urls(urls) => IceServer {
                urls,
                username: None,
                credential: None,
            },
        })
        .collect();
    if let Some(bad) = servers
        .iter()
        .find(|s| s.urls.is_empty() || s.urls.iter().any(|u| u.trim().is_empty()))
    {
        return Err(err(format!("an entry has no URLs: {bad:?}")));
    }
    Ok(servers)
}

//! [`IceServer`]: one WebRTC `iceServers` entry, as clients receive it and as the
//! `WEBRTC_ICE_SERVERS` / `WEBRTC_TURN_FALLBACK_SERVERS` settings and the TURN probe read it.

use std::fmt;

use serde::{Deserialize, Serialize};

/// One WebRTC `iceServers` entry; the shape of a `WEBRTC_TURN_FALLBACK_SERVERS` item.
///
/// `urls` accepts a single string as well as an array when deserialising, like browsers do.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IceServer {
    #[serde(deserialize_with = "one_or_many")]
    pub urls: Vec<String>,
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub credential: Option<String>,
}

impl fmt::Debug for IceServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IceServer")
            .field("urls", &self.urls)
            .field("username", &self.username)
            .field(
                "credential",
                &self.credential.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

fn one_or_many<'de, D>(deserializer: D) -> Result<Vec<String>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    Ok(match OneOrMany::deserialize(deserializer)? {
        OneOrMany::One(url) => vec![url],
        OneOrMany::Many(urls) => urls,
    })
}

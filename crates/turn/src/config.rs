//! TURN settings as the server hands them to this crate, with secrets redacted from `Debug`.

use std::fmt;

pub use charge_protocol::IceServer;

/// The TURN part of the server settings.
///
/// Credential precedence for the primary URLs (and `--turn-url` extras): a shared secret, when
/// set, wins over the static pair (decision 17). Fallback servers use their own pair when they
/// carry one and otherwise the same base credentials as the primary URLs.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct TurnConfig {
    /// `WEBRTC_TURN_SERVERS`: `turn:`/`turns:` URLs of the primary TURN deployment.
    pub turn_servers: Vec<String>,
    /// `WEBRTC_TURN_USERNAME`.
    pub username: Option<String>,
    /// `WEBRTC_TURN_CREDENTIAL`.
    pub credential: Option<String>,
    /// `WEBRTC_TURN_SHARED_SECRET`: coturn `static-auth-secret` for TURN REST credentials.
    pub shared_secret: Option<String>,
    /// `WEBRTC_TURN_FALLBACK_SERVERS`.
    pub fallback_servers: Vec<IceServer>,
}

impl fmt::Debug for TurnConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let redacted = |value: &Option<String>| value.as_ref().map(|_| "<redacted>");
        f.debug_struct("TurnConfig")
            .field("turn_servers", &self.turn_servers)
            .field("username", &self.username)
            .field("credential", &redacted(&self.credential))
            .field("shared_secret", &redacted(&self.shared_secret))
            .field("fallback_servers", &self.fallback_servers)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ice_server_accepts_a_single_url_string() {
        let server: IceServer =
            serde_json::from_str(r#"{"urls":"turn:a.example:3478","username":"u"}"#).unwrap();
        assert_eq!(server.urls, vec!["turn:a.example:3478"]);
        assert_eq!(server.username.as_deref(), Some("u"));
        assert_eq!(server.credential, None);
    }

    #[test]
    fn debug_output_never_contains_secrets() {
        let config = TurnConfig {
            turn_servers: vec!["turn:a.example".into()],
            username: Some("charge".into()),
            credential: Some("hunter2".into()),
            shared_secret: Some("s3cr3t".into()),
            fallback_servers: vec![IceServer {
                urls: vec!["turn:b.example".into()],
                username: Some("b".into()),
                credential: Some("backup-pass".into()),
            }],
        };
        let printed = format!("{config:?}");
        assert!(!printed.contains("hunter2"));
        assert!(!printed.contains("s3cr3t"));
        assert!(!printed.contains("backup-pass"));
        assert!(printed.contains("charge"));
    }
}

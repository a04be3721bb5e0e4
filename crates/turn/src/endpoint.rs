//! `turn:`/`turns:` URL parsing (RFC 7065) and the list of endpoints a probe run checks.

use std::fmt;
use std::net::Ipv6Addr;
use std::str::FromStr;

use serde::Serialize;

use crate::config::TurnConfig;

/// Default port of `turn:` URLs (RFC 7065).
pub const DEFAULT_TURN_PORT: u16 = 3478;
/// Default port of `turns:` URLs (RFC 7065).
pub const DEFAULT_TURNS_PORT: u16 = 5349;

/// How the probe talks to a TURN listener.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Transport {
    Udp,
    Tcp,
    /// TLS over TCP (`turns:`).
    Tls,
}

impl Transport {
    pub fn as_str(self) -> &'static str {
        match self {
            Transport::Udp => "udp",
            Transport::Tcp => "tcp",
            Transport::Tls => "tls",
        }
    }
}

impl fmt::Display for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A parsed `turn:`/`turns:` URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TurnUrl {
    /// Host name or IP literal, without IPv6 brackets.
    pub host: String,
    pub port: u16,
    pub transport: Transport,
}

/// Why a TURN URL cannot be probed. Always reported in the `config` category.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum UrlError {
    #[error("empty TURN URL")]
    Empty,
    #[error("missing scheme: expected `turn:` or `turns:` in front of the host")]
    MissingScheme,
    #[error("unsupported scheme `{0}`: expected `turn:` or `turns:`")]
    UnsupportedScheme(String),
    #[error("`{0}:` is a STUN URL, not a TURN URL; list it with the STUN servers instead")]
    StunUrl(String),
    #[error("missing host")]
    MissingHost,
    #[error("invalid host `{0}`")]
    InvalidHost(String),
    #[error(
        "credentials in the URL are not supported; configure username and credential separately"
    )]
    UserInfo,
    #[error("invalid port `{0}`: expected a number from 1 to 65535")]
    InvalidPort(String),
    #[error("unknown transport `{0}`: expected udp, tcp or tls")]
    UnknownTransport(String),
    #[error("unknown query parameter `{0}`: only `transport` is defined for TURN URLs")]
    UnknownParameter(String),
    #[error("`turns:` with transport=udp means DTLS, which the probe does not support")]
    Dtls,
}

impl FromStr for TurnUrl {
    type Err = UrlError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let input = input.trim();
        if input.is_empty() {
            return Err(UrlError::Empty);
        }
        let (scheme, rest) = input.split_once(':').ok_or(UrlError::MissingScheme)?;
        let secure = match scheme.to_ascii_lowercase().as_str() {
            "turn" => false,
            "turns" => true,
            "stun" | "stuns" => return Err(UrlError::StunUrl(scheme.to_ascii_lowercase())),
            _ if is_port_like(rest) => return Err(UrlError::MissingScheme),
            _ => return Err(UrlError::UnsupportedScheme(scheme.to_string())),
        };
        let rest = rest.strip_prefix("//").unwrap_or(rest);
        let (authority, query) = match rest.split_once('?') {
            Some((authority, query)) => (authority, Some(query)),
            None => (rest, None),
        };
        let (host, port) = parse_authority(authority)?;
        let requested = match query {
            Some(query) => parse_transport(query)?,
            None => None,
        };
        let transport = match (secure, requested) {
            (true, Some(Transport::Udp)) => return Err(UrlError::Dtls),
            (true, _) => Transport::Tls,
            (false, requested) => requested.unwrap_or(Transport::Udp),
        };
        let port = port.unwrap_or(if secure {
            DEFAULT_TURNS_PORT
        } else {
            DEFAULT_TURN_PORT
        });
        Ok(TurnUrl {
            host,
            port,
            transport,
        })
    }
}

impl TurnUrl {
    /// `host:port` with IPv6 literals bracketed, for display and resolution.
    pub fn authority(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }
}

fn is_port_like(rest: &str) -> bool {
    let port = rest.split(['?', '/']).next().unwrap_or("");
    !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit())
}

fn parse_authority(authority: &str) -> Result<(String, Option<u16>), UrlError> {
    if authority.contains('@') {
        return Err(UrlError::UserInfo);
    }
    let authority = authority.strip_suffix('/').unwrap_or(authority);
    if authority.is_empty() {
        return Err(UrlError::MissingHost);
    }
    let (host, port) = if let Some(bracketed) = authority.strip_prefix('[') {
        let (host, after) = bracketed
            .split_once(']')
            .ok_or_else(|| UrlError::InvalidHost(authority.to_string()))?;
        if host.parse::<Ipv6Addr>().is_err() {
            return Err(UrlError::InvalidHost(host.to_string()));
        }
        let port = match after {
            "" => None,
            _ => Some(
                after
                    .strip_prefix(':')
                    .ok_or_else(|| UrlError::InvalidHost(authority.to_string()))?,
            ),
        };
        (host.to_string(), port)
    } else {
        match authority.split_once(':') {
            Some((_, port)) if port.contains(':') => {
                return Err(UrlError::InvalidHost(format!(
                    "{authority} (IPv6 addresses need brackets)"
                )));
            }
            Some((host, port)) => (host.to_string(), Some(port)),
            None => (authority.to_string(), None),
        }
    };
    if host.is_empty() {
        return Err(UrlError::MissingHost);
    }
    let valid_name = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ':');
    if !host.chars().all(valid_name) || host.starts_with(['.', '-']) {
        return Err(UrlError::InvalidHost(host));
    }
    let port = match port {
        None => None,
        Some(text) => match text.parse::<u16>() {
            Ok(0) | Err(_) => return Err(UrlError::InvalidPort(text.to_string())),
            Ok(port) => Some(port),
        },
    };
    Ok((host, port))
}

fn parse_transport(query: &str) -> Result<Option<Transport>, UrlError> {
    let mut transport = None;
    for pair in query.split('&').filter(|pair| !pair.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        if !key.eq_ignore_ascii_case("transport") {
            return Err(UrlError::UnknownParameter(key.to_string()));
        }
        transport = Some(match value.to_ascii_lowercase().as_str() {
            "udp" => Transport::Udp,
            "tcp" => Transport::Tcp,
            "tls" => Transport::Tls,
            _ => return Err(UrlError::UnknownTransport(value.to_string())),
        });
    }
    Ok(transport)
}

/// Where an endpoint came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Origin {
    /// `WEBRTC_TURN_SERVERS`.
    Primary,
    /// `WEBRTC_TURN_FALLBACK_SERVERS`.
    Fallback,
    /// `--turn-url`.
    Extra,
}

/// Credentials an endpoint is probed with.
#[derive(Clone, PartialEq, Eq)]
pub enum Credentials {
    /// A static long-term username/password pair.
    Static { username: String, password: String },
    /// A coturn `static-auth-secret`; the probe derives TURN REST credentials from it.
    SharedSecret { secret: String },
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credentials::Static { username, .. } => f
                .debug_struct("Static")
                .field("username", username)
                .field("password", &"<redacted>")
                .finish(),
            Credentials::SharedSecret { .. } => f
                .debug_struct("SharedSecret")
                .field("secret", &"<redacted>")
                .finish(),
        }
    }
}

/// Why an endpoint has no usable credentials. Reported in the `config` category.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CredentialsError {
    #[error(
        "no TURN credentials configured (set WEBRTC_TURN_USERNAME and WEBRTC_TURN_CREDENTIAL, \
         or WEBRTC_TURN_SHARED_SECRET)"
    )]
    Missing,
    #[error("a TURN username is configured but its credential is missing")]
    MissingCredential,
    #[error("a TURN credential is configured but its username is missing")]
    MissingUsername,
}

/// One listener to probe: a URL as configured plus the credentials it is probed with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    /// The URL exactly as configured; used as the `server` metric label.
    pub label: String,
    pub origin: Origin,
    pub url: TurnUrl,
    pub credentials: Result<Credentials, CredentialsError>,
}

/// A configured URL that cannot be probed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{label}: {error}")]
pub struct EndpointError {
    pub label: String,
    pub origin: Origin,
    pub error: UrlError,
}

/// Every endpoint a probe run checks: the primary URLs, each fallback server's URLs and
/// `extra_urls` (from `--turn-url`), in that order, without repeating a URL.
///
/// Only the URLs as configured are probed: a URL stands for exactly the listener browsers will
/// use, so no implicit 3478/udp or 5349/tls endpoints are added. `stun:` URLs inside fallback
/// `iceServers` entries are legitimate there and skipped; anywhere else they are reported.
pub fn endpoints(
    config: &TurnConfig,
    extra_urls: &[String],
) -> Vec<Result<Endpoint, EndpointError>> {
    let base = base_credentials(config);
    let mut seen = Vec::<String>::new();
    let mut out = Vec::new();
    let mut push =
        |url: &str, origin: Origin, credentials: &Result<Credentials, CredentialsError>| {
            let label = url.trim().to_string();
            if seen.contains(&label) {
                return;
            }
            seen.push(label.clone());
            out.push(match label.parse::<TurnUrl>() {
                Ok(url) => Ok(Endpoint {
                    label,
                    origin,
                    url,
                    credentials: credentials.clone(),
                }),
                Err(error) => Err(EndpointError {
                    label,
                    origin,
                    error,
                }),
            });
        };
    for url in &config.turn_servers {
        push(url, Origin::Primary, &base);
    }
    for server in &config.fallback_servers {
        let own = match (&server.username, &server.credential) {
            (None, None) => base.clone(),
            (Some(username), Some(password)) => Ok(Credentials::Static {
                username: username.clone(),
                password: password.clone(),
            }),
            (Some(_), None) => Err(CredentialsError::MissingCredential),
            (None, Some(_)) => Err(CredentialsError::MissingUsername),
        };
        for url in &server.urls {
            let scheme = url.trim().split(':').next().unwrap_or("");
            if scheme.eq_ignore_ascii_case("stun") || scheme.eq_ignore_ascii_case("stuns") {
                continue;
            }
            push(url, Origin::Fallback, &own);
        }
    }
    for url in extra_urls {
        push(url, Origin::Extra, &base);
    }
    out
}

fn base_credentials(config: &TurnConfig) -> Result<Credentials, CredentialsError> {
    let non_empty = |value: &Option<String>| {
        value
            .as_deref()
            .filter(|v| !v.is_empty())
            .map(str::to_string)
    };
    if let Some(secret) = non_empty(&config.shared_secret) {
        return Ok(Credentials::SharedSecret { secret });
    }
    match (non_empty(&config.username), non_empty(&config.credential)) {
        (Some(username), Some(password)) => Ok(Credentials::Static { username, password }),
        (None, None) => Err(CredentialsError::Missing),
        (Some(_), None) => Err(CredentialsError::MissingCredential),
        (None, Some(_)) => Err(CredentialsError::MissingUsername),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::IceServer;

    fn parse(url: &str) -> Result<TurnUrl, UrlError> {
        url.parse()
    }

    fn url(host: &str, port: u16, transport: Transport) -> TurnUrl {
        TurnUrl {
            host: host.into(),
            port,
            transport,
        }
    }

    #[test]
    fn turn_urls_default_to_udp_on_3478() {
        assert_eq!(
            parse("turn:example.com"),
            Ok(url("example.com", 3478, Transport::Udp))
        );
        assert_eq!(
            parse("turn:example.com:3479?transport=udp"),
            Ok(url("example.com", 3479, Transport::Udp))
        );
        assert_eq!(
            parse("TURN:example.com:80?transport=TCP"),
            Ok(url("example.com", 80, Transport::Tcp))
        );
    }

    #[test]
    fn turns_urls_mean_tls_on_5349() {
        assert_eq!(
            parse("turns:example.com"),
            Ok(url("example.com", 5349, Transport::Tls))
        );
        assert_eq!(
            parse("turns:charvi.ru:5349?transport=tcp"),
            Ok(url("charvi.ru", 5349, Transport::Tls))
        );
        assert_eq!(
            parse("turn:example.com:443?transport=tls"),
            Ok(url("example.com", 443, Transport::Tls))
        );
        assert_eq!(
            parse("turns:example.com?transport=udp"),
            Err(UrlError::Dtls)
        );
    }

    #[test]
    fn ipv6_literals_need_brackets() {
        assert_eq!(
            parse("turn:[::1]:3478"),
            Ok(url("::1", 3478, Transport::Udp))
        );
        assert_eq!(
            parse("turns:[2001:db8::1]"),
            Ok(url("2001:db8::1", 5349, Transport::Tls))
        );
        assert!(matches!(
            parse("turn:::1:3478"),
            Err(UrlError::InvalidHost(_))
        ));
        assert!(matches!(
            parse("turn:[not-v6]:3478"),
            Err(UrlError::InvalidHost(_))
        ));
        assert_eq!(url("::1", 3478, Transport::Udp).authority(), "[::1]:3478");
    }

    #[test]
    fn double_slash_and_whitespace_are_tolerated() {
        assert_eq!(
            parse("  turn://127.0.0.1:3478?transport=tcp "),
            Ok(url("127.0.0.1", 3478, Transport::Tcp))
        );
    }

    #[test]
    fn malformed_urls_are_rejected_with_a_reason() {
        assert_eq!(parse(""), Err(UrlError::Empty));
        assert_eq!(parse("example.com"), Err(UrlError::MissingScheme));
        assert_eq!(parse("example.com:3478"), Err(UrlError::MissingScheme));
        assert_eq!(
            parse("http://example.com"),
            Err(UrlError::UnsupportedScheme("http".into()))
        );
        assert_eq!(
            parse("stun:example.com"),
            Err(UrlError::StunUrl("stun".into()))
        );
        assert_eq!(parse("turn:"), Err(UrlError::MissingHost));
        assert_eq!(parse("turn::3478"), Err(UrlError::MissingHost));
        assert_eq!(
            parse("turn:example.com:0"),
            Err(UrlError::InvalidPort("0".into()))
        );
        assert_eq!(
            parse("turn:example.com:99999"),
            Err(UrlError::InvalidPort("99999".into()))
        );
        assert_eq!(
            parse("turn:example.com:abc"),
            Err(UrlError::InvalidPort("abc".into()))
        );
        assert_eq!(
            parse("turn:example.com?transport=sctp"),
            Err(UrlError::UnknownTransport("sctp".into()))
        );
        assert_eq!(
            parse("turn:example.com?proto=udp"),
            Err(UrlError::UnknownParameter("proto".into()))
        );
        assert_eq!(parse("turn:user:pw@example.com"), Err(UrlError::UserInfo));
        assert!(matches!(
            parse("turn:exa mple.com"),
            Err(UrlError::InvalidHost(_))
        ));
    }

    #[test]
    fn endpoints_cover_primary_fallback_and_extra_urls_once() {
        let config = TurnConfig {
            turn_servers: vec![
                "turn:a.example:3478?transport=udp".into(),
                "turns:a.example:5349?transport=tcp".into(),
            ],
            username: Some("charge".into()),
            credential: Some("pw".into()),
            shared_secret: None,
            fallback_servers: vec![
                IceServer {
                    urls: vec!["turn:b.example".into(), "stun:b.example".into()],
                    username: Some("backup".into()),
                    credential: Some("backup-pw".into()),
                },
                IceServer {
                    urls: vec!["turn:c.example".into()],
                    username: None,
                    credential: None,
                },
            ],
        };
        let extra = vec!["turn:a.example:3478?transport=udp".into(), "bogus".into()];
        let list = endpoints(&config, &extra);
        assert_eq!(list.len(), 5, "{list:#?}");
        let ok: Vec<&Endpoint> = list.iter().filter_map(|e| e.as_ref().ok()).collect();
        assert_eq!(ok[0].origin, Origin::Primary);
        assert_eq!(ok[1].url.transport, Transport::Tls);
        assert_eq!(ok[2].label, "turn:b.example");
        assert_eq!(
            ok[2].credentials,
            Ok(Credentials::Static {
                username: "backup".into(),
                password: "backup-pw".into()
            })
        );
        assert_eq!(
            ok[3].credentials,
            Ok(Credentials::Static {
                username: "charge".into(),
                password: "pw".into()
            })
        );
        let bad = list[4].as_ref().unwrap_err();
        assert_eq!(bad.origin, Origin::Extra);
        assert_eq!(bad.error, UrlError::MissingScheme);
    }

    #[test]
    fn shared_secret_wins_over_the_static_pair() {
        let config = TurnConfig {
            turn_servers: vec!["turn:a.example".into()],
            username: Some("charge".into()),
            credential: Some("pw".into()),
            shared_secret: Some("secret".into()),
            fallback_servers: vec![],
        };
        let list = endpoints(&config, &[]);
        assert_eq!(
            list[0].as_ref().unwrap().credentials,
            Ok(Credentials::SharedSecret {
                secret: "secret".into()
            })
        );
    }

    #[test]
    fn missing_or_partial_credentials_are_reported_per_endpoint() {
        let mut config = TurnConfig {
            turn_servers: vec!["turn:a.example".into()],
            ..TurnConfig::default()
        };
        assert_eq!(
            endpoints(&config, &[])[0].as_ref().unwrap().credentials,
            Err(CredentialsError::Missing)
        );
        config.username = Some("charge".into());
        config.credential = Some(String::new());
        assert_eq!(
            endpoints(&config, &[])[0].as_ref().unwrap().credentials,
            Err(CredentialsError::MissingCredential)
        );
    }
}

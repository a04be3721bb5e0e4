//! Settings: one typed struct, loaded once at start-up from the process environment,
//! `.env.local` and `.env` (highest precedence first), then built-in defaults.
//!
//! [`VARIABLES`] is the single list of names the loader reads; the README's table is checked
//! against it by a test, so nothing is documented but ignored or read but undocumented.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use regex::Regex;
use serde::{Deserialize, Serialize};

/// One configuration variable: its name, built-in default and meaning.
#[derive(Debug, Clone, Copy)]
pub struct Variable {
    pub name: &'static str,
    pub default: &'static str,
    pub description: &'static str,
}

const fn var(name: &'static str, default: &'static str, description: &'static str) -> Variable {
    Variable {
        name,
        default,
        description,
    }
}

/// Every variable the loader reads, with its default.
pub const VARIABLES: &[Variable] = &[
    var(
        "APP_NAME",
        "Charge API",
        "Human-readable service name (OpenAPI title).",
    ),
    var(
        "ENVIRONMENT",
        "development",
        "Deployment label, echoed by /health; `production` enables the secret checks.",
    ),
    var(
        "DEBUG",
        "true",
        "Verbose (debug-level) logging. Responses never carry internals either way.",
    ),
    var("HOST", "127.0.0.1", "Address the server listens on."),
    var("PORT", "8000", "Port the server listens on."),
    var(
        "DATABASE_URL",
        "",
        "`sqlite://path` or `mysql://user:pass@host:port/db`; wins over DB_*.",
    ),
    var(
        "DB_HOST",
        "",
        "MariaDB/MySQL host; when set (and DATABASE_URL is not), MariaDB is used. Alias DATABASE_HOST.",
    ),
    var("DB_PORT", "3306", "Database port. Alias DATABASE_PORT."),
    var(
        "DB_USER",
        "charge",
        "Database username. Alias DATABASE_USER.",
    ),
    var(
        "DB_PASSWORD",
        "charge",
        "Database password. Alias DATABASE_PASSWORD.",
    ),
    var("DB_NAME", "charge", "Database schema. Alias DATABASE_NAME."),
    var(
        "SQLITE_PATH",
        "data/charge.db",
        "Embedded SQLite file used when neither DATABASE_URL nor DB_HOST is set.",
    ),
    var(
        "DB_STARTUP_TIMEOUT_SECONDS",
        "60",
        "How long start-up keeps retrying an unreachable database before giving up.",
    ),
    var("DB_MAX_CONNECTIONS", "16", "Database connection pool size."),
    var(
        "JWT_SECRET_KEY",
        "super-secret-key",
        "Secret for signing tokens; production refuses defaults and keys under 32 bytes.",
    ),
    var(
        "JWT_ALGORITHM",
        "HS256",
        "Token signing algorithm: HS256, HS384 or HS512.",
    ),
    var(
        "ACCESS_TOKEN_EXPIRE_MINUTES",
        "30",
        "Access token lifetime in minutes.",
    ),
    var(
        "AUTH_RATE_LIMIT_PER_MINUTE",
        "20",
        "Login/registration attempts allowed per client address and per login each minute (0 disables).",
    ),
    var(
        "CHAT_HISTORY_DEFAULT_LIMIT",
        "50",
        "Default number of chat messages returned for history endpoints.",
    ),
    var(
        "CHAT_HISTORY_MAX_LIMIT",
        "100",
        "Upper bound for chat history queries.",
    ),
    var(
        "CHAT_MESSAGE_MAX_LENGTH",
        "2000",
        "Maximum text length of a chat message (characters).",
    ),
    var(
        "WEBSOCKET_RECEIVE_TIMEOUT_SECONDS",
        "30",
        "Idle timeout for WebSocket consumers.",
    ),
    var(
        "CORS_ORIGINS",
        "http://localhost,http://localhost:3000,http://localhost:5173,http://localhost:8080,http://127.0.0.1,http://127.0.0.1:8080",
        "Origins allowed by CORS (JSON array or comma-separated).",
    ),
    var(
        "CORS_ALLOW_ORIGIN_REGEX",
        "",
        "Additional origins allowed by CORS, as a full-match regular expression.",
    ),
    var(
        "WEB_CLIENT_DIR",
        "",
        "Directory of the web client served at `/`; default `frontend/dist` when built, else `frontend/app`.",
    ),
    var(
        "WEBRTC_ICE_SERVERS",
        "[]",
        "Extra ICE servers: JSON array of `{urls, username, credential}`.",
    ),
    var(
        "WEBRTC_STUN_SERVERS",
        "[]",
        "STUN URLs (JSON array or comma-separated).",
    ),
    var(
        "WEBRTC_TURN_SERVERS",
        "[]",
        "Comma-separated or JSON list of primary TURN URLs exposed to clients.",
    ),
    var("WEBRTC_TURN_REALM", "", "TURN realm announced to clients."),
    var(
        "WEBRTC_TURN_USERNAME",
        "",
        "Shared TURN username distributed to clients.",
    ),
    var(
        "WEBRTC_TURN_CREDENTIAL",
        "",
        "Shared TURN password distributed to clients. Keep the real value in `.env.local` or a secret manager.",
    ),
    var(
        "WEBRTC_TURN_SHARED_SECRET",
        "",
        "coturn `static-auth-secret`; when set, clients get time-limited TURN credentials instead of the shared pair.",
    ),
    var(
        "WEBRTC_TURN_CREDENTIAL_TTL_SECONDS",
        "86400",
        "Lifetime of time-limited TURN credentials.",
    ),
    var(
        "WEBRTC_TURN_FALLBACK_SERVERS",
        "[]",
        "JSON/CSV list of fallback TURN server definitions.",
    ),
    var(
        "WEBRTC_DEFAULT_ROLE",
        "listener",
        "Voice role of a joiner: `speaker` or `listener`.",
    ),
    var(
        "WEBRTC_AUTO_PROMOTE_FIRST_SPEAKER",
        "true",
        "Make the first joiner of an empty voice room a speaker.",
    ),
    var(
        "WEBRTC_MAX_SPEAKERS",
        "16",
        "Maximum number of speakers per voice room.",
    ),
    var(
        "VOICE_RECORDING_ENABLED",
        "false",
        "Advertise and allow the recording state event.",
    ),
    var(
        "VOICE_RECORDING_SERVICE_URL",
        "",
        "URL notified when recording starts or stops.",
    ),
    var(
        "VOICE_QUALITY_MONITORING_ENABLED",
        "false",
        "Advertise voice quality reporting.",
    ),
    var(
        "VOICE_QUALITY_MONITORING_ENDPOINT",
        "",
        "URL receiving voice quality reports.",
    ),
    var(
        "VOICE_QUALITY_POLL_INTERVAL_SECONDS",
        "15",
        "Quality report interval suggested to clients.",
    ),
    var(
        "REALTIME_TYPING_TTL_SECONDS",
        "8",
        "How long a typing indicator lasts without a refresh (sent to clients as `expires_in`).",
    ),
    var(
        "REALTIME_BACKEND",
        "memory",
        "Cross-node fan-out: `memory` (one process), `redis` or `nats`. Alias REALTIME_BACKEND_PREFERENCE.",
    ),
    var(
        "REALTIME_REDIS_URL",
        "redis://127.0.0.1:6379/0",
        "Redis server for REALTIME_BACKEND=redis.",
    ),
    var(
        "REALTIME_NATS_URL",
        "nats://127.0.0.1:4222",
        "NATS server for REALTIME_BACKEND=nats.",
    ),
    var(
        "REALTIME_NAMESPACE",
        "charge.realtime",
        "Redis channel / NATS subject prefix shared by the nodes of one installation.",
    ),
    var(
        "REALTIME_NODE_ID",
        "",
        "This node's id on the broker; random when empty.",
    ),
    var(
        "REALTIME_HEARTBEAT_SECONDS",
        "2",
        "How often a node re-announces its presence, typing and voice state; others forget it after three missed beats.",
    ),
    var(
        "REALTIME_COALESCE_MS",
        "30",
        "A busy text channel with 32 or more sockets sends its messages together at most this often (one write per socket instead of one per message); quiet and small channels send at once. 0 = never hold back.",
    ),
    var(
        "TURN_HEALTH_INTERVAL_SECONDS",
        "0",
        "Run the TURN health probe inside the server every N seconds (0 = off).",
    ),
];

/// A secret string whose `Debug` output is redacted.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn expose(&self) -> &str {
        &self.0
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            f.write_str("\"\"")
        } else {
            f.write_str("\"***\"")
        }
    }
}

/// An ICE server definition as exposed to WebRTC clients.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IceServer {
    #[serde(deserialize_with = "one_or_many")]
    pub urls: Vec<String>,
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub credential: Option<String>,
}

fn one_or_many<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    Ok(match OneOrMany::deserialize(d)? {
        OneOrMany::One(s) => vec![s],
        OneOrMany::Many(v) => v,
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JwtAlgorithm {
    Hs256,
    Hs384,
    Hs512,
}

#[derive(Debug, Clone)]
pub struct Settings {
    pub app_name: String,
    pub environment: String,
    pub debug: bool,
    pub host: String,
    pub port: u16,
    pub database_url: Secret,
    pub db_startup_timeout: Duration,
    pub db_max_connections: u32,
    pub jwt_secret: Secret,
    pub jwt_algorithm: JwtAlgorithm,
    pub access_token_ttl: Duration,
    pub auth_rate_limit_per_minute: u32,
    pub history_default_limit: i64,
    pub history_max_limit: i64,
    pub message_max_length: usize,
    pub websocket_receive_timeout: Duration,
    pub cors_origins: Vec<String>,
    pub cors_origin_regex: Option<Regex>,
    pub web_client_dir: PathBuf,
    pub ice_servers: Vec<IceServer>,
    pub stun_servers: Vec<String>,
    pub turn_servers: Vec<String>,
    pub turn_realm: Option<String>,
    pub turn_username: Option<String>,
    pub turn_credential: Option<Secret>,
    pub turn_shared_secret: Option<Secret>,
    pub turn_credential_ttl: Duration,
    pub turn_fallback_servers: Vec<IceServer>,
    pub voice_default_role: String,
    pub voice_auto_promote_first_speaker: bool,
    pub voice_max_speakers: usize,
    pub voice_recording_enabled: bool,
    pub voice_recording_service_url: Option<String>,
    pub voice_quality_monitoring_enabled: bool,
    pub voice_quality_monitoring_endpoint: Option<String>,
    pub voice_quality_poll_interval: u64,
    pub turn_health_interval: Duration,
    pub typing_ttl: Duration,
    pub realtime_backend: crate::realtime::bus::Backend,
    pub realtime_redis_url: String,
    pub realtime_nats_url: String,
    pub realtime_namespace: String,
    pub realtime_node_id: String,
    pub realtime_heartbeat: Duration,
    pub realtime_coalesce: Duration,
}

/// A configuration problem: which variable, what is wrong, and an example of a good value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingsError {
    pub variable: &'static str,
    pub problem: String,
    pub example: &'static str,
}

impl fmt::Display for SettingsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid {}: {}", self.variable, self.problem)?;
        if !self.example.is_empty() {
            write!(f, " (for example {}={})", self.variable, self.example)?;
        }
        Ok(())
    }
}

impl std::error::Error for SettingsError {}

const KNOWN_DEFAULT_SECRETS: &[&str] = &[
    "super-secret-key",
    // The committed `.env`'s value: public, so never acceptable in production.
    "local-development-only-secret-change-me",
    "changeme",
    "change-me-in-prod",
    "secret",
];

/// Old names accepted for README variables.
const ALIASES: &[(&str, &str)] = &[
    ("DB_HOST", "DATABASE_HOST"),
    ("DB_PORT", "DATABASE_PORT"),
    ("DB_USER", "DATABASE_USER"),
    ("DB_PASSWORD", "DATABASE_PASSWORD"),
    ("DB_NAME", "DATABASE_NAME"),
    ("REALTIME_BACKEND", "REALTIME_BACKEND_PREFERENCE"),
];

/// Renames aliases to their README names within one source, so that precedence between
/// sources holds whichever of the two names each source uses.
fn canonical_names(mut values: HashMap<String, String>) -> HashMap<String, String> {
    for (name, alias) in ALIASES {
        if !values.contains_key(*name)
            && let Some(v) = values.remove(*alias)
        {
            values.insert((*name).to_owned(), v);
        }
    }
    values
}

/// Raw values after applying the precedence order.
struct Source {
    values: HashMap<String, String>,
}

impl Source {
    fn raw(&self, name: &'static str) -> String {
        let spec = VARIABLES
            .iter()
            .find(|v| v.name == name)
            .unwrap_or_else(|| panic!("{name} is read but missing from settings::VARIABLES"));
        if let Some(v) = self.values.get(name) {
            return v.trim().to_owned();
        }
        if let Some((_, alias)) = ALIASES.iter().find(|(n, _)| *n == name)
            && let Some(v) = self.values.get(*alias)
        {
            return v.trim().to_owned();
        }
        spec.default.to_owned()
    }

    fn string(&self, name: &'static str) -> String {
        self.raw(name)
    }

    fn optional(&self, name: &'static str) -> Option<String> {
        Some(self.raw(name)).filter(|v| !v.is_empty())
    }

    fn parse<T: std::str::FromStr>(
        &self,
        name: &'static str,
        example: &'static str,
    ) -> Result<T, SettingsError>
    where
        T::Err: fmt::Display,
    {
        let raw = self.raw(name);
        raw.parse().map_err(|e| SettingsError {
            variable: name,
            problem: format!("{raw:?} is not valid ({e})"),
            example,
        })
    }

    fn bool(&self, name: &'static str) -> Result<bool, SettingsError> {
        let raw = self.raw(name);
        match raw.to_ascii_lowercase().as_str() {
            "1" | "true" | "yes" | "on" => Ok(true),
            "0" | "false" | "no" | "off" | "" => Ok(false),
            _ => Err(SettingsError {
                variable: name,
                problem: format!("{raw:?} is not a boolean"),
                example: "true",
            }),
        }
    }

    fn url_list(&self, name: &'static str) -> Result<Vec<String>, SettingsError> {
        parse_string_list(name, &self.raw(name))
    }
}

/// A list given as a JSON array of strings or as comma-separated values.
pub fn parse_string_list(name: &'static str, raw: &str) -> Result<Vec<String>, SettingsError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(Vec::new());
    }
    if raw.starts_with('[') {
        return serde_json::from_str::<Vec<String>>(raw).map_err(|e| SettingsError {
            variable: name,
            problem: format!("not a JSON array of strings ({e})"),
            example: r#"["turn:turn.example.org:3478?transport=udp"]"#,
        });
    }
    Ok(raw
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect())
}

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

fn positive<T: PartialOrd + Default + fmt::Display>(
    name: &'static str,
    value: T,
    example: &'static str,
) -> Result<T, SettingsError> {
    if value > T::default() {
        Ok(value)
    } else {
        Err(SettingsError {
            variable: name,
            problem: format!("must be greater than 0, got {value}"),
            example,
        })
    }
}

impl Settings {
    /// Loads settings from the process environment and the dotenv files in `dir`.
    pub fn load(dir: &Path) -> Result<Self, SettingsError> {
        Self::from_sources(std::env::vars().collect(), dir)
    }

    /// Loads settings with `env` as the process environment (tests pass their own).
    pub fn from_sources(env: HashMap<String, String>, dir: &Path) -> Result<Self, SettingsError> {
        let mut values = HashMap::new();
        // Lowest precedence first; later sources overwrite earlier ones.
        for file in [".env", ".env.local"] {
            let path = dir.join(file);
            if !path.exists() {
                continue;
            }
            let iter = dotenvy::from_path_iter(&path).map_err(|e| SettingsError {
                variable: "DOTENV",
                problem: format!("cannot read {}: {e}", path.display()),
                example: "",
            })?;
            let mut file_values = HashMap::new();
            for item in iter {
                let (k, v) = item.map_err(|e| SettingsError {
                    variable: "DOTENV",
                    problem: format!("cannot parse {}: {e}", path.display()),
                    example: "",
                })?;
                file_values.insert(k, v);
            }
            values.extend(canonical_names(file_values));
        }
        values.extend(canonical_names(env));
        Self::from_values(Source { values })
    }

    fn from_values(src: Source) -> Result<Self, SettingsError> {
        let environment = src.string("ENVIRONMENT");
        let jwt_secret = src.string("JWT_SECRET_KEY");
        if environment.eq_ignore_ascii_case("production") {
            if KNOWN_DEFAULT_SECRETS.contains(&jwt_secret.as_str()) {
                return Err(SettingsError {
                    variable: "JWT_SECRET_KEY",
                    problem: "is a published default; production needs a private secret".into(),
                    example: "<output of `openssl rand -base64 48`>",
                });
            }
            if jwt_secret.len() < 32 {
                return Err(SettingsError {
                    variable: "JWT_SECRET_KEY",
                    problem: format!(
                        "is {} bytes; production needs at least 32",
                        jwt_secret.len()
                    ),
                    example: "<output of `openssl rand -base64 48`>",
                });
            }
        }
        if jwt_secret.is_empty() {
            return Err(SettingsError {
                variable: "JWT_SECRET_KEY",
                problem: "must not be empty".into(),
                example: "a-long-random-string",
            });
        }
        let jwt_algorithm = match src.string("JWT_ALGORITHM").to_ascii_uppercase().as_str() {
            "HS256" => JwtAlgorithm::Hs256,
            "HS384" => JwtAlgorithm::Hs384,
            "HS512" => JwtAlgorithm::Hs512,
            other => {
                return Err(SettingsError {
                    variable: "JWT_ALGORITHM",
                    problem: format!("{other:?} is not supported (HS256, HS384 or HS512)"),
                    example: "HS256",
                });
            }
        };
        let database_url = match (src.optional("DATABASE_URL"), src.optional("DB_HOST")) {
            (Some(url), _) => {
                if charge_store::Backend::from_url(&url).is_none() {
                    return Err(SettingsError {
                        variable: "DATABASE_URL",
                        problem: "must start with sqlite:// or mysql://".into(),
                        example: "mysql://charge:charge@127.0.0.1:3306/charge",
                    });
                }
                url
            }
            (None, Some(host)) => {
                let port: u16 = src.parse("DB_PORT", "3306")?;
                format!(
                    "mysql://{}:{}@{}:{}/{}",
                    url_escape(&src.string("DB_USER")),
                    url_escape(&src.string("DB_PASSWORD")),
                    host,
                    port,
                    url_escape(&src.string("DB_NAME"))
                )
            }
            (None, None) => format!("sqlite://{}", src.string("SQLITE_PATH")),
        };
        let history_default_limit: i64 = positive(
            "CHAT_HISTORY_DEFAULT_LIMIT",
            src.parse("CHAT_HISTORY_DEFAULT_LIMIT", "50")?,
            "50",
        )?;
        let history_max_limit: i64 = positive(
            "CHAT_HISTORY_MAX_LIMIT",
            src.parse("CHAT_HISTORY_MAX_LIMIT", "100")?,
            "100",
        )?;
        let cors_origin_regex = match src.optional("CORS_ALLOW_ORIGIN_REGEX") {
            None => None,
            Some(raw) => Some(
                Regex::new(&format!("^(?:{raw})$")).map_err(|e| SettingsError {
                    variable: "CORS_ALLOW_ORIGIN_REGEX",
                    problem: format!("not a valid regular expression ({e})"),
                    example: r"^https://([a-z0-9-]+\.)?example\.org$",
                })?,
            ),
        };
        let cors_origins = src.url_list("CORS_ORIGINS")?;
        if let Some(bad) = cors_origins
            .iter()
            .find(|o| !(o.starts_with("http://") || o.starts_with("https://")) && o.as_str() != "*")
        {
            return Err(SettingsError {
                variable: "CORS_ORIGINS",
                problem: format!("{bad:?} is not an http(s) origin"),
                example: "https://chat.example.org,http://localhost:5173",
            });
        }
        let web_client_dir = match src.optional("WEB_CLIENT_DIR") {
            Some(dir) => PathBuf::from(dir),
            None if Path::new("frontend/dist/index.html").exists() => {
                PathBuf::from("frontend/dist")
            }
            None => PathBuf::from("frontend/app"),
        };
        let voice_default_role = match src
            .string("WEBRTC_DEFAULT_ROLE")
            .to_ascii_lowercase()
            .as_str()
        {
            "speaker" => "speaker".to_owned(),
            "listener" => "listener".to_owned(),
            other => {
                return Err(SettingsError {
                    variable: "WEBRTC_DEFAULT_ROLE",
                    problem: format!("{other:?} is neither speaker nor listener"),
                    example: "listener",
                });
            }
        };
        let optional_url = |name: &'static str| -> Result<Option<String>, SettingsError> {
            match src.optional(name) {
                Some(u) if !(u.starts_with("http://") || u.starts_with("https://")) => {
                    Err(SettingsError {
                        variable: name,
                        problem: format!("{u:?} is not an http(s) URL"),
                        example: "https://hooks.example.org/charge",
                    })
                }
                other => Ok(other),
            }
        };
        Ok(Settings {
            app_name: src.string("APP_NAME"),
            environment,
            debug: src.bool("DEBUG")?,
            host: src.string("HOST"),
            port: src.parse("PORT", "8000")?,
            database_url: Secret(database_url),
            db_startup_timeout: Duration::from_secs(src.parse("DB_STARTUP_TIMEOUT_SECONDS", "60")?),
            db_max_connections: positive(
                "DB_MAX_CONNECTIONS",
                src.parse("DB_MAX_CONNECTIONS", "16")?,
                "16",
            )?,
            jwt_secret: Secret(jwt_secret),
            jwt_algorithm,
            access_token_ttl: Duration::from_secs(
                60 * positive(
                    "ACCESS_TOKEN_EXPIRE_MINUTES",
                    src.parse::<u64>("ACCESS_TOKEN_EXPIRE_MINUTES", "30")?,
                    "30",
                )?,
            ),
            auth_rate_limit_per_minute: src.parse("AUTH_RATE_LIMIT_PER_MINUTE", "20")?,
            history_default_limit: history_default_limit.min(history_max_limit),
            history_max_limit,
            message_max_length: positive(
                "CHAT_MESSAGE_MAX_LENGTH",
                src.parse("CHAT_MESSAGE_MAX_LENGTH", "2000")?,
                "2000",
            )?,
            websocket_receive_timeout: Duration::from_secs_f64(positive(
                "WEBSOCKET_RECEIVE_TIMEOUT_SECONDS",
                src.parse::<f64>("WEBSOCKET_RECEIVE_TIMEOUT_SECONDS", "30")?,
                "30",
            )?),
            cors_origins,
            cors_origin_regex,
            web_client_dir,
            ice_servers: parse_ice_servers("WEBRTC_ICE_SERVERS", &src.raw("WEBRTC_ICE_SERVERS"))?,
            stun_servers: src.url_list("WEBRTC_STUN_SERVERS")?,
            turn_servers: src.url_list("WEBRTC_TURN_SERVERS")?,
            turn_realm: src.optional("WEBRTC_TURN_REALM"),
            turn_username: src.optional("WEBRTC_TURN_USERNAME"),
            turn_credential: src.optional("WEBRTC_TURN_CREDENTIAL").map(Secret),
            turn_shared_secret: src.optional("WEBRTC_TURN_SHARED_SECRET").map(Secret),
            turn_credential_ttl: Duration::from_secs(positive(
                "WEBRTC_TURN_CREDENTIAL_TTL_SECONDS",
                src.parse::<u64>("WEBRTC_TURN_CREDENTIAL_TTL_SECONDS", "86400")?,
                "86400",
            )?),
            turn_fallback_servers: parse_ice_servers(
                "WEBRTC_TURN_FALLBACK_SERVERS",
                &src.raw("WEBRTC_TURN_FALLBACK_SERVERS"),
            )?,
            voice_default_role,
            voice_auto_promote_first_speaker: src.bool("WEBRTC_AUTO_PROMOTE_FIRST_SPEAKER")?,
            voice_max_speakers: src.parse("WEBRTC_MAX_SPEAKERS", "16")?,
            voice_recording_enabled: src.bool("VOICE_RECORDING_ENABLED")?,
            voice_recording_service_url: optional_url("VOICE_RECORDING_SERVICE_URL")?,
            voice_quality_monitoring_enabled: src.bool("VOICE_QUALITY_MONITORING_ENABLED")?,
            voice_quality_monitoring_endpoint: optional_url("VOICE_QUALITY_MONITORING_ENDPOINT")?,
            voice_quality_poll_interval: src.parse("VOICE_QUALITY_POLL_INTERVAL_SECONDS", "15")?,
            turn_health_interval: Duration::from_secs(
                src.parse("TURN_HEALTH_INTERVAL_SECONDS", "0")?,
            ),
            realtime_backend: match src.string("REALTIME_BACKEND").to_ascii_lowercase().as_str() {
                "memory" | "" => crate::realtime::bus::Backend::Memory,
                "redis" => crate::realtime::bus::Backend::Redis,
                "nats" => crate::realtime::bus::Backend::Nats,
                other => {
                    return Err(SettingsError {
                        variable: "REALTIME_BACKEND",
                        problem: format!("{other:?} is not one of memory, redis, nats"),
                        example: "redis",
                    });
                }
            },
            realtime_redis_url: src.string("REALTIME_REDIS_URL"),
            realtime_nats_url: src.string("REALTIME_NATS_URL"),
            realtime_namespace: src.string("REALTIME_NAMESPACE"),
            realtime_node_id: src
                .optional("REALTIME_NODE_ID")
                .unwrap_or_else(|| format!("{:016x}", rand::random::<u64>())),
            realtime_heartbeat: Duration::from_secs_f64(positive(
                "REALTIME_HEARTBEAT_SECONDS",
                src.parse::<f64>("REALTIME_HEARTBEAT_SECONDS", "2")?,
                "2",
            )?),
            realtime_coalesce: Duration::from_millis(
                match src.parse::<u64>("REALTIME_COALESCE_MS", "30")? {
                    ms @ 0..=1000 => ms,
                    ms => {
                        return Err(SettingsError {
                            variable: "REALTIME_COALESCE_MS",
                            problem: format!("{ms} is more than 1000 milliseconds"),
                            example: "30",
                        });
                    }
                },
            ),
            typing_ttl: Duration::from_secs_f64(positive(
                "REALTIME_TYPING_TTL_SECONDS",
                src.parse::<f64>("REALTIME_TYPING_TTL_SECONDS", "8")?,
                "8",
            )?),
        })
    }

    /// Settings for tests: defaults only, plus the given overrides; no files, no environment.
    pub fn for_tests(overrides: &[(&str, &str)]) -> Result<Self, SettingsError> {
        let values = overrides
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Self::from_values(Source { values })
    }

    pub fn is_production(&self) -> bool {
        self.environment.eq_ignore_ascii_case("production")
    }
}

/// Percent-encodes the characters that would break a URL's user, password or path part.
fn url_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

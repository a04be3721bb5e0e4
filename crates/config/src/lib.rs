//! Settings: one typed struct of pure data, loaded once at start-up from the process
//! environment, `.env.local` and `.env` (highest precedence first), then built-in defaults,
//! validated, and passed down. Nothing here starts anything or reads the environment later.
//!
//! One file per concern: [`variables`] (the list of names), [`source`] (precedence and
//! parsing), [`secret`], [`webrtc`] (ICE servers) and [`realtime`] (the fan-out backend).

pub mod realtime;
pub mod secret;
pub mod source;
pub mod variables;
pub mod webrtc;

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use regex::Regex;

pub use realtime::Backend;
pub use secret::Secret;
pub use source::parse_string_list;
pub use variables::{VARIABLES, Variable};
pub use webrtc::{IceServer, parse_ice_servers};

use source::{Source, canonical_names, positive};

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
    pub auth_global_rate_limit_per_minute: u32,
    /// Password hashes that may run at once (one worker thread and one buffer each).
    pub password_hash_concurrency: usize,
    pub password_hash_queue_length: usize,
    pub password_hash_wait: Duration,
    pub history_default_limit: i64,
    pub history_max_limit: i64,
    pub message_max_length: usize,
    /// New messages per user per second once the burst is spent; 0 = unlimited.
    pub chat_rate_per_second: u32,
    pub chat_rate_burst: u32,
    pub websocket_receive_timeout: Duration,
    /// How long a declined friend request's sender waits before asking again.
    pub friend_request_cooldown: Duration,
    /// No activity for this long on any of a user's sockets shows them as `idle`.
    pub presence_idle: Duration,
    pub cors_origins: Vec<String>,
    pub cors_origin_regex: Option<Regex>,
    /// Where the web client is served from; `None` serves the copy built into the binary.
    pub web_client_dir: Option<PathBuf>,
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
    /// `Strict-Transport-Security` max-age in seconds; 0 sends none.
    pub hsts_max_age: u64,
    pub typing_ttl: Duration,
    pub realtime_backend: Backend,
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
                if !is_database_url(&url) {
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
        // Started from a checkout, the client on disk is served (edits show without a
        // rebuild); anywhere else, the copy built into the binary.
        let web_client_dir = match src.optional("WEB_CLIENT_DIR") {
            Some(dir) => Some(PathBuf::from(dir)),
            None if Path::new("frontend/dist/index.html").exists() => {
                Some(PathBuf::from("frontend/dist"))
            }
            None if Path::new("frontend/app/index.html").exists() => {
                Some(PathBuf::from("frontend/app"))
            }
            None => None,
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
            auth_global_rate_limit_per_minute: src
                .parse("AUTH_GLOBAL_RATE_LIMIT_PER_MINUTE", "600")?,
            password_hash_concurrency: match src.optional("PASSWORD_HASH_CONCURRENCY") {
                None => std::thread::available_parallelism().map_or(1, |n| n.get()),
                Some(_) => match src.parse::<usize>("PASSWORD_HASH_CONCURRENCY", "2")? {
                    n @ 1..=256 => n,
                    n => {
                        return Err(SettingsError {
                            variable: "PASSWORD_HASH_CONCURRENCY",
                            problem: format!("{n} is not between 1 and 256"),
                            example: "2",
                        });
                    }
                },
            },
            password_hash_queue_length: positive(
                "PASSWORD_HASH_QUEUE_LENGTH",
                src.parse("PASSWORD_HASH_QUEUE_LENGTH", "256")?,
                "256",
            )?,
            password_hash_wait: Duration::from_secs_f64(positive(
                "PASSWORD_HASH_WAIT_SECONDS",
                src.parse::<f64>("PASSWORD_HASH_WAIT_SECONDS", "5")?,
                "5",
            )?),
            history_default_limit: history_default_limit.min(history_max_limit),
            history_max_limit,
            chat_rate_per_second: src.parse("CHAT_RATE_LIMIT_PER_SECOND", "5")?,
            chat_rate_burst: positive(
                "CHAT_RATE_LIMIT_BURST",
                src.parse("CHAT_RATE_LIMIT_BURST", "20")?,
                "20",
            )?,
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
            friend_request_cooldown: Duration::from_secs_f64(
                src.parse::<f64>("FRIEND_REQUEST_COOLDOWN_SECONDS", "86400")?
                    .max(0.0),
            ),
            presence_idle: Duration::from_secs_f64(positive(
                "PRESENCE_IDLE_SECONDS",
                src.parse::<f64>("PRESENCE_IDLE_SECONDS", "300")?,
                "300",
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
            hsts_max_age: src.parse("HSTS_MAX_AGE_SECONDS", "31536000")?,
            turn_health_interval: Duration::from_secs(
                src.parse("TURN_HEALTH_INTERVAL_SECONDS", "0")?,
            ),
            realtime_backend: match src.string("REALTIME_BACKEND").to_ascii_lowercase().as_str() {
                "memory" | "" => Backend::Memory,
                "redis" => Backend::Redis,
                "nats" => Backend::Nats,
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

/// Whether `url` names a backend the store can open (the same schemes `charge_store::Backend`
/// accepts), checked here so a typo stops start-up with the variable's name.
fn is_database_url(url: &str) -> bool {
    ["sqlite:", "mysql:", "mariadb:"]
        .iter()
        .any(|scheme| url.starts_with(scheme))
}

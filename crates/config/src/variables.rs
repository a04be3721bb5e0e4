//! [`VARIABLES`]: every configuration variable the loader reads, with its default and meaning.
//! The README's table is checked against it by a test, so nothing is documented but ignored or
//! read but undocumented.

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
        "AUTH_GLOBAL_RATE_LIMIT_PER_MINUTE",
        "600",
        "Login/registration attempts allowed each minute for the whole server, from all addresses together (0 disables).",
    ),
    var(
        "PASSWORD_HASH_CONCURRENCY",
        "",
        "Password hashes (19 MiB of memory each) that may run at once; empty means one per CPU core.",
    ),
    var(
        "PASSWORD_HASH_QUEUE_LENGTH",
        "256",
        "Sign-ins and registrations that may wait for a hashing slot; beyond that they get 503 with Retry-After.",
    ),
    var(
        "PASSWORD_HASH_WAIT_SECONDS",
        "5",
        "How long a sign-in or registration may wait for a hashing slot before it gets 503 with Retry-After.",
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
        "CHAT_RATE_LIMIT_PER_SECOND",
        "5",
        "Messages a user may post each second, over HTTP and sockets together, once their burst is spent (0 disables). Over it: 429 with Retry-After, or an `error` frame.",
    ),
    var(
        "CHAT_RATE_LIMIT_BURST",
        "20",
        "Messages a user may post at once before the per-second rate applies.",
    ),
    var(
        "FRIEND_REQUEST_COOLDOWN_SECONDS",
        "86400",
        "How long after a declined friend request its sender must wait before asking again (0 = at once).",
    ),
    var(
        "PRESENCE_IDLE_SECONDS",
        "300",
        "A connected user with no activity on any socket for this long shows as `idle` to friends and co-members.",
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
        "HSTS_MAX_AGE_SECONDS",
        "0",
        "Send `Strict-Transport-Security` with this max-age when the server is reached over HTTPS (behind a TLS proxy); 0 = never.",
    ),
    var(
        "WEB_CLIENT_DIR",
        "",
        "Directory of the web client served at `/`; by default `frontend/dist` (when built) or `frontend/app` under the working directory, else the client built into the binary.",
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

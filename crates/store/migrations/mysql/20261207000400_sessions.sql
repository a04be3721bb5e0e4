-- Sign-in sessions and their rotating refresh tokens. A session is one sign-in (the family of
-- every refresh token it was given); tokens are stored as SHA-256 hex, never in clear. A used
-- token stays (with `used_at`) so that presenting it again is recognised as theft and ends
-- the session.

CREATE TABLE auth_sessions (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    refreshed_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked_at BIGINT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE INDEX ix_auth_sessions_user ON auth_sessions (user_id);

CREATE TABLE auth_refresh_tokens (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    session_id BIGINT NOT NULL REFERENCES auth_sessions (id) ON DELETE CASCADE,
    token_hash CHAR(64) COLLATE ascii_bin NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE INDEX ix_auth_refresh_tokens_session ON auth_refresh_tokens (session_id);

-- Moderation (decision 25): slow mode per channel, timeouts per membership, room bans and the
-- room audit log. Timestamps are BIGINT microseconds since the Unix epoch (UTC).

ALTER TABLE channels ADD COLUMN slow_mode_seconds BIGINT NOT NULL DEFAULT 0;

ALTER TABLE room_members ADD COLUMN timed_out_until BIGINT NULL;

CREATE TABLE room_bans (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    room_id BIGINT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    banned_by_id BIGINT NULL REFERENCES users (id) ON DELETE SET NULL,
    reason VARCHAR(512) NULL,
    created_at BIGINT NOT NULL,
    CONSTRAINT uq_room_ban UNIQUE (room_id, user_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE room_audit_log (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    room_id BIGINT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    actor_id BIGINT NULL REFERENCES users (id) ON DELETE SET NULL,
    action VARCHAR(64) NOT NULL,
    target_type VARCHAR(32) NOT NULL,
    target_id BIGINT NULL,
    before_json MEDIUMTEXT NULL,
    after_json MEDIUMTEXT NULL,
    created_at BIGINT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE INDEX ix_room_audit_log_room ON room_audit_log (room_id, id);

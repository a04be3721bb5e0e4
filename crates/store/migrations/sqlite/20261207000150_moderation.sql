-- Moderation (decision 25): slow mode per channel, timeouts per membership, room bans and the
-- room audit log. Timestamps are INTEGER microseconds since the Unix epoch (UTC).

ALTER TABLE channels ADD COLUMN slow_mode_seconds INTEGER NOT NULL DEFAULT 0;

ALTER TABLE room_members ADD COLUMN timed_out_until INTEGER NULL;

CREATE TABLE room_bans (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    room_id INTEGER NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    banned_by_id INTEGER NULL REFERENCES users (id) ON DELETE SET NULL,
    reason TEXT NULL,
    created_at INTEGER NOT NULL,
    CONSTRAINT uq_room_ban UNIQUE (room_id, user_id)
);

CREATE TABLE room_audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    room_id INTEGER NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    actor_id INTEGER NULL REFERENCES users (id) ON DELETE SET NULL,
    action TEXT NOT NULL,
    target_type TEXT NOT NULL,
    target_id INTEGER NULL,
    before_json TEXT NULL,
    after_json TEXT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX ix_room_audit_log_room ON room_audit_log (room_id, id);

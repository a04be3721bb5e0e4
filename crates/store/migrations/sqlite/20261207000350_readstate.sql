-- Read state, mentions, client nonces and full-text search.

-- What a message mentions, kept on the row for every read: user ids (comma-separated) and
-- whether it mentions everyone. `message_mentions` below indexes the same for counting.
ALTER TABLE messages ADD COLUMN mention_ids TEXT NULL;
ALTER TABLE messages ADD COLUMN mention_everyone INTEGER NOT NULL DEFAULT 0;

-- Each user's last read message per channel; no row means nothing read yet.
CREATE TABLE channel_read_states (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    channel_id INTEGER NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    last_read_message_id INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, channel_id)
);
CREATE INDEX ix_read_states_channel ON channel_read_states (channel_id);

-- Who a message mentions, resolved once when it is stored. `user_id` NULL is @everyone/@here.
-- Counting a user's unread mentions is a range of (channel_id, user_id, message_id).
CREATE TABLE message_mentions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    message_id INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    channel_id INTEGER NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    user_id INTEGER NULL REFERENCES users (id) ON DELETE CASCADE
);
CREATE INDEX ix_mentions_channel_user ON message_mentions (channel_id, user_id, message_id);
CREATE INDEX ix_mentions_message ON message_mentions (message_id);

-- A client's nonce for a message it sent: a resend with the same nonce finds the original.
CREATE TABLE message_nonces (
    author_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    nonce VARCHAR(64) NOT NULL,
    message_id INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    CONSTRAINT uq_message_nonce UNIQUE (author_id, nonce)
);
CREATE INDEX ix_nonces_created ON message_nonces (created_at);

-- Channel search: an external-content FTS5 index over messages.content. The trigram tokenizer
-- matches any substring of three characters or more, case-insensitively, as the contract's
-- substring search does.
CREATE VIRTUAL TABLE messages_fts USING fts5 (
    content,
    content = 'messages',
    content_rowid = 'id',
    tokenize = 'trigram'
);
CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
    INSERT INTO messages_fts (rowid, content) VALUES (new.id, new.content);
END;
CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, content) VALUES ('delete', old.id, old.content);
END;
CREATE TRIGGER messages_fts_update AFTER UPDATE OF content ON messages BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, content) VALUES ('delete', old.id, old.content);
    INSERT INTO messages_fts (rowid, content) VALUES (new.id, new.content);
END;
INSERT INTO messages_fts (messages_fts) VALUES ('rebuild');

-- Read state, mentions, client nonces and full-text search.

-- What a message mentions, kept on the row for every read: user ids (comma-separated) and
-- whether it mentions everyone. `message_mentions` below indexes the same for counting.
ALTER TABLE messages ADD COLUMN mention_ids TEXT NULL;
ALTER TABLE messages ADD COLUMN mention_everyone BIGINT NOT NULL DEFAULT 0;

-- Each user's last read message per channel; no row means nothing read yet.
CREATE TABLE channel_read_states (
    user_id BIGINT NOT NULL,
    channel_id BIGINT NOT NULL,
    last_read_message_id BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, channel_id),
    CONSTRAINT fk_read_states_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT fk_read_states_channel FOREIGN KEY (channel_id) REFERENCES channels (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Who a message mentions, resolved once when it is stored. `user_id` NULL is @everyone/@here.
CREATE TABLE message_mentions (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    message_id BIGINT NOT NULL,
    channel_id BIGINT NOT NULL,
    user_id BIGINT NULL,
    CONSTRAINT fk_mentions_message FOREIGN KEY (message_id) REFERENCES messages (id) ON DELETE CASCADE,
    CONSTRAINT fk_mentions_channel FOREIGN KEY (channel_id) REFERENCES channels (id) ON DELETE CASCADE,
    CONSTRAINT fk_mentions_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE INDEX ix_mentions_channel_user ON message_mentions (channel_id, user_id, message_id);

-- A client's nonce for a message it sent: a resend with the same nonce finds the original.
CREATE TABLE message_nonces (
    author_id BIGINT NOT NULL,
    nonce VARCHAR(64) NOT NULL,
    message_id BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    CONSTRAINT uq_message_nonce UNIQUE (author_id, nonce),
    CONSTRAINT fk_nonces_author FOREIGN KEY (author_id) REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT fk_nonces_message FOREIGN KEY (message_id) REFERENCES messages (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE INDEX ix_nonces_created ON message_nonces (created_at);

-- Channel search: a FULLTEXT index over the content. Stopwords are off for this index (the
-- setting is read when the index is built), so every word of three characters or more is found.
SET SESSION innodb_ft_enable_stopword = OFF;
CREATE FULLTEXT INDEX ft_messages_content ON messages (content);

-- People: case-insensitive logins, last seen and invisibility, friends, blocks, direct and
-- group conversations with their messages and reactions.

-- The case-folded login. Unique, so "Bob" and "bob" cannot both register from now on. It is
-- filled in by the server at start-up (the fold is Unicode-aware and must match the one new
-- registrations use); accounts whose folded login collides with an older one keep NULL here,
-- keep signing in with their exact spelling, and are reported in the log at every start-up.
ALTER TABLE users ADD COLUMN login_key VARCHAR(255) COLLATE utf8mb4_bin NULL;
CREATE UNIQUE INDEX uq_users_login_key ON users (login_key);
ALTER TABLE users ADD COLUMN last_seen_at BIGINT NULL;
-- 1 when the user chose to appear offline; `presence_status` keeps their other choice.
ALTER TABLE users ADD COLUMN presence_invisible BIGINT NOT NULL DEFAULT 0;

CREATE TABLE friend_links (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    requester_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    addressee_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    status VARCHAR(16) NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'accepted', 'declined')),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    responded_at BIGINT NULL,
    CONSTRAINT uq_friend_link_pair UNIQUE (requester_id, addressee_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE INDEX ix_friend_links_addressee ON friend_links (addressee_id);

CREATE TABLE user_blocks (
    blocker_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    blocked_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (blocker_id, blocked_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE INDEX ix_user_blocks_blocked ON user_blocks (blocked_id);

CREATE TABLE direct_conversations (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    user_a_id BIGINT NULL REFERENCES users (id) ON DELETE CASCADE,
    user_b_id BIGINT NULL REFERENCES users (id) ON DELETE CASCADE,
    creator_id BIGINT NULL REFERENCES users (id) ON DELETE SET NULL,
    title VARCHAR(128) NULL,
    is_group BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    last_message_at BIGINT NULL,
    -- One 1:1 conversation per pair (a < b); groups have NULLs, which never collide.
    CONSTRAINT uq_direct_conversation_pair UNIQUE (user_a_id, user_b_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE direct_conversation_participants (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    conversation_id BIGINT NOT NULL REFERENCES direct_conversations (id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    nickname VARCHAR(128) NULL,
    note TEXT NULL,
    joined_at BIGINT NOT NULL,
    last_read_at BIGINT NULL,
    CONSTRAINT uq_direct_participant UNIQUE (conversation_id, user_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE INDEX ix_direct_participants_user ON direct_conversation_participants (user_id);

CREATE TABLE direct_messages (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    conversation_id BIGINT NOT NULL REFERENCES direct_conversations (id) ON DELETE CASCADE,
    sender_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    recipient_id BIGINT NULL REFERENCES users (id) ON DELETE CASCADE,
    parent_id BIGINT NULL REFERENCES direct_messages (id) ON DELETE SET NULL,
    content TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    edited_at BIGINT NULL,
    deleted_at BIGINT NULL,
    read_at BIGINT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
-- Pages walk a conversation in id order, like channel history.
CREATE INDEX ix_direct_messages_conversation ON direct_messages (conversation_id, id);
CREATE INDEX ix_direct_messages_recipient ON direct_messages (recipient_id, read_at);

CREATE TABLE direct_message_reactions (
    message_id BIGINT NOT NULL REFERENCES direct_messages (id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    emoji VARCHAR(32) COLLATE utf8mb4_bin NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (message_id, user_id, emoji)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- People: case-insensitive logins, last seen and invisibility, friends, blocks, direct and
-- group conversations with their messages and reactions.

-- The case-folded login. Unique, so "Bob" and "bob" cannot both register from now on. It is
-- filled in by the server at start-up (the fold is Unicode-aware, which SQL's LOWER is not);
-- accounts whose folded login collides with an older one keep NULL here, keep signing in with
-- their exact spelling, and are reported in the log at every start-up.
ALTER TABLE users ADD COLUMN login_key TEXT NULL;
CREATE UNIQUE INDEX uq_users_login_key ON users (login_key);
ALTER TABLE users ADD COLUMN last_seen_at INTEGER NULL;
-- 1 when the user chose to appear offline; `presence_status` keeps their other choice.
ALTER TABLE users ADD COLUMN presence_invisible INTEGER NOT NULL DEFAULT 0;

CREATE TABLE friend_links (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    requester_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    addressee_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'accepted', 'declined')),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    responded_at INTEGER NULL,
    CONSTRAINT uq_friend_link_pair UNIQUE (requester_id, addressee_id)
);
CREATE INDEX ix_friend_links_addressee ON friend_links (addressee_id);

CREATE TABLE user_blocks (
    blocker_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    blocked_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (blocker_id, blocked_id)
);
CREATE INDEX ix_user_blocks_blocked ON user_blocks (blocked_id);

CREATE TABLE direct_conversations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_a_id INTEGER NULL REFERENCES users (id) ON DELETE CASCADE,
    user_b_id INTEGER NULL REFERENCES users (id) ON DELETE CASCADE,
    creator_id INTEGER NULL REFERENCES users (id) ON DELETE SET NULL,
    title TEXT NULL,
    is_group INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    last_message_at INTEGER NULL,
    -- One 1:1 conversation per pair (a < b); groups have NULLs, which never collide.
    CONSTRAINT uq_direct_conversation_pair UNIQUE (user_a_id, user_b_id)
);

CREATE TABLE direct_conversation_participants (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation_id INTEGER NOT NULL REFERENCES direct_conversations (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    nickname TEXT NULL,
    note TEXT NULL,
    joined_at INTEGER NOT NULL,
    last_read_at INTEGER NULL,
    CONSTRAINT uq_direct_participant UNIQUE (conversation_id, user_id)
);
CREATE INDEX ix_direct_participants_user ON direct_conversation_participants (user_id);

CREATE TABLE direct_messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation_id INTEGER NOT NULL REFERENCES direct_conversations (id) ON DELETE CASCADE,
    sender_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    recipient_id INTEGER NULL REFERENCES users (id) ON DELETE CASCADE,
    parent_id INTEGER NULL REFERENCES direct_messages (id) ON DELETE SET NULL,
    content TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    edited_at INTEGER NULL,
    deleted_at INTEGER NULL,
    read_at INTEGER NULL
);
-- Pages walk a conversation in id order, like channel history.
CREATE INDEX ix_direct_messages_conversation ON direct_messages (conversation_id, id);
CREATE INDEX ix_direct_messages_recipient ON direct_messages (recipient_id, read_at);

CREATE TABLE direct_message_reactions (
    message_id INTEGER NOT NULL REFERENCES direct_messages (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    emoji TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (message_id, user_id, emoji)
);

-- Charge schema, SQLite dialect. Timestamps are INTEGER microseconds since the Unix epoch (UTC).
-- Enumerations are stored as their wire strings and checked here.

CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    login TEXT NOT NULL UNIQUE,
    hashed_password TEXT NOT NULL,
    display_name TEXT NULL,
    avatar_path TEXT NULL,
    avatar_content_type TEXT NULL,
    avatar_updated_at INTEGER NULL,
    presence_status TEXT NOT NULL DEFAULT 'online' CHECK (presence_status IN ('online', 'idle', 'dnd')),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE rooms (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    title TEXT NOT NULL,
    slug TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    CONSTRAINT uq_rooms_slug UNIQUE (slug)
);

CREATE TABLE room_members (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    room_id INTEGER NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role TEXT NOT NULL DEFAULT 'member' CHECK (role IN ('owner', 'admin', 'member', 'guest')),
    joined_at INTEGER NOT NULL,
    CONSTRAINT uq_room_member UNIQUE (room_id, user_id)
);
CREATE INDEX ix_room_members_user ON room_members (user_id);

CREATE TABLE room_role_hierarchy (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    room_id INTEGER NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'member', 'guest')),
    level INTEGER NOT NULL,
    CONSTRAINT uq_room_role_level UNIQUE (room_id, role)
);

CREATE TABLE channel_categories (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    room_id INTEGER NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    position INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    CONSTRAINT uq_category_room_name UNIQUE (room_id, name)
);

CREATE TABLE channels (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    room_id INTEGER NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    letter TEXT NOT NULL,
    type TEXT NOT NULL CHECK (type IN ('text', 'voice', 'stage', 'announcements', 'forums', 'events')),
    category_id INTEGER NULL REFERENCES channel_categories (id) ON DELETE SET NULL,
    position INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    CONSTRAINT uq_channel_room_letter UNIQUE (room_id, letter)
);

CREATE TABLE channel_role_overwrites (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    channel_id INTEGER NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'member', 'guest')),
    allow_mask INTEGER NOT NULL DEFAULT 0,
    deny_mask INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    CONSTRAINT uq_channel_role_overwrite UNIQUE (channel_id, role)
);

CREATE TABLE channel_user_overwrites (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    channel_id INTEGER NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    allow_mask INTEGER NOT NULL DEFAULT 0,
    deny_mask INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    CONSTRAINT uq_channel_user_overwrite UNIQUE (channel_id, user_id)
);

CREATE TABLE room_invitations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    room_id INTEGER NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    code TEXT NOT NULL,
    role TEXT NOT NULL DEFAULT 'member' CHECK (role IN ('owner', 'admin', 'member', 'guest')),
    created_by_id INTEGER NULL REFERENCES users (id) ON DELETE SET NULL,
    expires_at INTEGER NULL,
    created_at INTEGER NOT NULL,
    CONSTRAINT uq_room_invitation_code UNIQUE (code)
);
CREATE INDEX ix_room_invitations_room ON room_invitations (room_id, created_at);

CREATE TABLE messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    channel_id INTEGER NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    author_id INTEGER NULL REFERENCES users (id) ON DELETE SET NULL,
    parent_id INTEGER NULL REFERENCES messages (id) ON DELETE CASCADE,
    thread_root_id INTEGER NULL REFERENCES messages (id) ON DELETE CASCADE,
    content TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    edited_at INTEGER NULL,
    deleted_at INTEGER NULL,
    moderated_at INTEGER NULL,
    moderation_note TEXT NULL,
    moderated_by_id INTEGER NULL REFERENCES users (id) ON DELETE SET NULL,
    delivered_count INTEGER NOT NULL DEFAULT 0,
    read_count INTEGER NOT NULL DEFAULT 0
);
-- History pages walk a channel in id order (ids grow with commit order per channel).
CREATE INDEX ix_messages_channel_id ON messages (channel_id, id);
CREATE INDEX ix_messages_parent ON messages (parent_id);
CREATE INDEX ix_messages_thread_root ON messages (thread_root_id, id);

CREATE TABLE message_attachments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    channel_id INTEGER NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    message_id INTEGER NULL REFERENCES messages (id) ON DELETE CASCADE,
    uploader_id INTEGER NULL REFERENCES users (id) ON DELETE SET NULL,
    file_name TEXT NOT NULL,
    content_type TEXT NULL,
    file_size INTEGER NOT NULL,
    storage_path TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX ix_attachments_channel ON message_attachments (channel_id, created_at);
CREATE INDEX ix_attachments_message ON message_attachments (message_id);

CREATE TABLE message_reactions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    message_id INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    emoji TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    CONSTRAINT uq_message_reaction UNIQUE (message_id, user_id, emoji)
);

CREATE TABLE message_receipts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    message_id INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    delivered_at INTEGER NULL,
    read_at INTEGER NULL,
    CONSTRAINT uq_message_receipt UNIQUE (message_id, user_id)
);
CREATE INDEX ix_receipts_user ON message_receipts (user_id);

CREATE TABLE pinned_messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    channel_id INTEGER NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    message_id INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    pinned_by_id INTEGER NULL REFERENCES users (id) ON DELETE SET NULL,
    pinned_at INTEGER NOT NULL,
    note TEXT NULL,
    CONSTRAINT uq_channel_pinned_message UNIQUE (channel_id, message_id)
);

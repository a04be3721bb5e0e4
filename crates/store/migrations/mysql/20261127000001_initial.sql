-- Charge schema, MariaDB/MySQL dialect (InnoDB, utf8mb4). Timestamps are BIGINT microseconds since the Unix epoch (UTC).
-- Enumerations are stored as their wire strings and checked here.

CREATE TABLE users (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    login VARCHAR(64) COLLATE utf8mb4_bin NOT NULL UNIQUE,
    hashed_password VARCHAR(255) NOT NULL,
    display_name VARCHAR(128) NULL,
    avatar_path VARCHAR(512) NULL,
    avatar_content_type VARCHAR(128) NULL,
    avatar_updated_at BIGINT NULL,
    presence_status VARCHAR(16) NOT NULL DEFAULT 'online' CHECK (presence_status IN ('online', 'idle', 'dnd')),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE rooms (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    title VARCHAR(128) NOT NULL,
    slug VARCHAR(64) COLLATE utf8mb4_bin NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    CONSTRAINT uq_rooms_slug UNIQUE (slug)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE room_members (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    room_id BIGINT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role VARCHAR(16) NOT NULL DEFAULT 'member' CHECK (role IN ('owner', 'admin', 'member', 'guest')),
    joined_at BIGINT NOT NULL,
    CONSTRAINT uq_room_member UNIQUE (room_id, user_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE INDEX ix_room_members_user ON room_members (user_id);

CREATE TABLE room_role_hierarchy (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    room_id BIGINT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    role VARCHAR(16) NOT NULL CHECK (role IN ('owner', 'admin', 'member', 'guest')),
    level BIGINT NOT NULL,
    CONSTRAINT uq_room_role_level UNIQUE (room_id, role)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE channel_categories (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    room_id BIGINT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    name VARCHAR(128) NOT NULL,
    position BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    CONSTRAINT uq_category_room_name UNIQUE (room_id, name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE channels (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    room_id BIGINT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    name VARCHAR(128) NOT NULL,
    letter CHAR(1) COLLATE utf8mb4_bin NOT NULL,
    type VARCHAR(16) NOT NULL CHECK (type IN ('text', 'voice', 'stage', 'announcements', 'forums', 'events')),
    category_id BIGINT NULL REFERENCES channel_categories (id) ON DELETE SET NULL,
    position BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    CONSTRAINT uq_channel_room_letter UNIQUE (room_id, letter)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE channel_role_overwrites (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    channel_id BIGINT NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    role VARCHAR(16) NOT NULL CHECK (role IN ('owner', 'admin', 'member', 'guest')),
    allow_mask BIGINT NOT NULL DEFAULT 0,
    deny_mask BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    CONSTRAINT uq_channel_role_overwrite UNIQUE (channel_id, role)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE channel_user_overwrites (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    channel_id BIGINT NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    allow_mask BIGINT NOT NULL DEFAULT 0,
    deny_mask BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    CONSTRAINT uq_channel_user_overwrite UNIQUE (channel_id, user_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE room_invitations (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    room_id BIGINT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    code VARCHAR(64) COLLATE utf8mb4_bin NOT NULL,
    role VARCHAR(16) NOT NULL DEFAULT 'member' CHECK (role IN ('owner', 'admin', 'member', 'guest')),
    created_by_id BIGINT NULL REFERENCES users (id) ON DELETE SET NULL,
    expires_at BIGINT NULL,
    created_at BIGINT NOT NULL,
    CONSTRAINT uq_room_invitation_code UNIQUE (code)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE INDEX ix_room_invitations_room ON room_invitations (room_id, created_at);

CREATE TABLE messages (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    channel_id BIGINT NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    author_id BIGINT NULL REFERENCES users (id) ON DELETE SET NULL,
    parent_id BIGINT NULL REFERENCES messages (id) ON DELETE CASCADE,
    thread_root_id BIGINT NULL REFERENCES messages (id) ON DELETE CASCADE,
    content TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    edited_at BIGINT NULL,
    deleted_at BIGINT NULL,
    moderated_at BIGINT NULL,
    moderation_note VARCHAR(255) NULL,
    moderated_by_id BIGINT NULL REFERENCES users (id) ON DELETE SET NULL,
    delivered_count BIGINT NOT NULL DEFAULT 0,
    read_count BIGINT NOT NULL DEFAULT 0
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
-- History pages walk a channel in id order (ids grow with commit order per channel).
CREATE INDEX ix_messages_channel_id ON messages (channel_id, id);
CREATE INDEX ix_messages_parent ON messages (parent_id);
CREATE INDEX ix_messages_thread_root ON messages (thread_root_id, id);

CREATE TABLE message_attachments (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    channel_id BIGINT NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    message_id BIGINT NULL REFERENCES messages (id) ON DELETE CASCADE,
    uploader_id BIGINT NULL REFERENCES users (id) ON DELETE SET NULL,
    file_name VARCHAR(255) NOT NULL,
    content_type VARCHAR(128) NULL,
    file_size BIGINT NOT NULL,
    storage_path VARCHAR(512) NOT NULL,
    created_at BIGINT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE INDEX ix_attachments_channel ON message_attachments (channel_id, created_at);
CREATE INDEX ix_attachments_message ON message_attachments (message_id);

CREATE TABLE message_reactions (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    message_id BIGINT NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    emoji VARCHAR(32) COLLATE utf8mb4_bin NOT NULL,
    created_at BIGINT NOT NULL,
    CONSTRAINT uq_message_reaction UNIQUE (message_id, user_id, emoji)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE message_receipts (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    message_id BIGINT NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    delivered_at BIGINT NULL,
    read_at BIGINT NULL,
    CONSTRAINT uq_message_receipt UNIQUE (message_id, user_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE INDEX ix_receipts_user ON message_receipts (user_id);

CREATE TABLE pinned_messages (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    channel_id BIGINT NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    message_id BIGINT NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    pinned_by_id BIGINT NULL REFERENCES users (id) ON DELETE SET NULL,
    pinned_at BIGINT NOT NULL,
    note VARCHAR(255) NULL,
    CONSTRAINT uq_channel_pinned_message UNIQUE (channel_id, message_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Files: image sizes and thumbnails of attachments, the per-user upload quota, the sweep of
-- attachments never bound to a message, and room icons.
ALTER TABLE message_attachments
    ADD COLUMN width BIGINT NULL,
    ADD COLUMN height BIGINT NULL,
    ADD COLUMN thumbnail_path VARCHAR(512) NULL;
CREATE INDEX ix_attachments_uploader ON message_attachments (uploader_id, created_at);
CREATE INDEX ix_attachments_unbound ON message_attachments (message_id, created_at);
ALTER TABLE rooms
    ADD COLUMN icon_path VARCHAR(512) NULL,
    ADD COLUMN icon_updated_at BIGINT NULL;

-- Files: image sizes and thumbnails of attachments, the per-user upload quota, the sweep of
-- attachments never bound to a message, and room icons.
ALTER TABLE message_attachments ADD COLUMN width INTEGER NULL;
ALTER TABLE message_attachments ADD COLUMN height INTEGER NULL;
ALTER TABLE message_attachments ADD COLUMN thumbnail_path TEXT NULL;
CREATE INDEX ix_attachments_uploader ON message_attachments (uploader_id, created_at);
CREATE INDEX ix_attachments_unbound ON message_attachments (message_id, created_at);
ALTER TABLE rooms ADD COLUMN icon_path TEXT NULL;
ALTER TABLE rooms ADD COLUMN icon_updated_at INTEGER NULL;

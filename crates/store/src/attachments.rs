//! Attachment rows: uploads to a channel, bound to a message when it is posted, and the files
//! they name, gathered for deletion when their message, channel or the expiry sweep ends them.

use crate::{Attachment, Message, Result, Store, StoreError, insert_returning_id, now_micros};

const SELECT_ATTACHMENT: &str = "SELECT id, channel_id, message_id, uploader_id, file_name, \
     content_type, file_size, storage_path, thumbnail_path, width, height, created_at \
     FROM message_attachments";

/// What to store for a finished upload.
#[derive(Debug, Clone)]
pub struct NewAttachment<'a> {
    pub channel_id: i64,
    pub uploader_id: i64,
    pub file_name: &'a str,
    pub content_type: &'a str,
    pub file_size: i64,
    pub storage_path: &'a str,
    pub thumbnail_path: Option<&'a str>,
    pub width: Option<i64>,
    pub height: Option<i64>,
}

/// An upload that was never bound to a message, with the files it names.
#[derive(Debug, Clone)]
pub struct UnboundAttachment {
    pub id: i64,
    pub keys: Vec<String>,
}

/// The files an attachment row names (the upload and its thumbnail).
pub fn file_keys(attachment: &Attachment) -> impl Iterator<Item = String> + '_ {
    std::iter::once(attachment.storage_path.clone()).chain(attachment.thumbnail_path.clone())
}

impl Store {
    pub async fn create_attachment(&self, new: NewAttachment<'_>) -> Result<Attachment> {
        let mut conn = self.pool.acquire().await?;
        let query = sqlx::query(
            "INSERT INTO message_attachments (channel_id, message_id, uploader_id, file_name, \
             content_type, file_size, storage_path, thumbnail_path, width, height, created_at) \
             VALUES (?, NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(new.channel_id)
        .bind(new.uploader_id)
        .bind(new.file_name)
        .bind(new.content_type)
        .bind(new.file_size)
        .bind(new.storage_path)
        .bind(new.thumbnail_path)
        .bind(new.width)
        .bind(new.height)
        .bind(now_micros());
        let id = insert_returning_id(&mut conn, self.backend, query).await?;
        drop(conn);
        self.attachment(id).await?.ok_or(StoreError::NotFound)
    }

    pub async fn attachment(&self, id: i64) -> Result<Option<Attachment>> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{SELECT_ATTACHMENT} WHERE id = ?"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// The attachments with these ids (in any order; missing ids are left out).
    pub async fn attachments_by_ids(&self, ids: &[i64]) -> Result<Vec<Attachment>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        // Integers only, so the list is safe to embed.
        let list: Vec<String> = ids.iter().map(i64::to_string).collect();
        self.fetch_listed(format!(
            "{SELECT_ATTACHMENT} WHERE id IN ({})",
            list.join(",")
        ))
        .await
    }

    /// Bytes `user_id` uploaded since `since` (microseconds), for the hourly quota.
    pub async fn uploaded_bytes_since(&self, user_id: i64, since: i64) -> Result<i64> {
        let total: Option<i64> = sqlx::query_scalar(
            "SELECT CAST(COALESCE(SUM(file_size), 0) AS SIGNED) FROM message_attachments \
             WHERE uploader_id = ? AND created_at >= ?",
        )
        .bind(user_id)
        .bind(since)
        .fetch_one(&self.pool)
        .await?;
        Ok(total.unwrap_or(0))
    }

    /// Loads the attachments of `items` in one query, oldest first per message.
    pub(crate) async fn attach_files(&self, items: &mut [Message]) -> Result<()> {
        if items.is_empty() {
            return Ok(());
        }
        let list: Vec<String> = items.iter().map(|m| m.id.to_string()).collect();
        let rows: Vec<Attachment> = self
            .fetch_listed(format!(
                "{SELECT_ATTACHMENT} WHERE message_id IN ({}) ORDER BY created_at, id",
                list.join(",")
            ))
            .await?;
        if rows.is_empty() {
            return Ok(());
        }
        for item in items.iter_mut() {
            item.attachments = rows
                .iter()
                .filter(|a| a.message_id == Some(item.id))
                .cloned()
                .collect();
        }
        Ok(())
    }

    /// Removes a message's attachment rows and returns the files they named.
    pub async fn take_message_files(&self, message_id: i64) -> Result<Vec<String>> {
        let rows: Vec<Attachment> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{SELECT_ATTACHMENT} WHERE message_id = ?"
        )))
        .bind(message_id)
        .fetch_all(&self.pool)
        .await?;
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        sqlx::query("DELETE FROM message_attachments WHERE message_id = ?")
            .bind(message_id)
            .execute(&self.pool)
            .await?;
        Ok(rows.iter().flat_map(file_keys).collect())
    }

    /// Every file of a room's attachments (read before the room is deleted; the rows go with
    /// it by cascade).
    pub async fn room_files(&self, room_id: i64) -> Result<Vec<String>> {
        let rows: Vec<(String, Option<String>)> = sqlx::query_as(
            "SELECT a.storage_path, a.thumbnail_path FROM message_attachments a \
             JOIN channels c ON c.id = a.channel_id WHERE c.room_id = ?",
        )
        .bind(room_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .flat_map(|(file, thumbnail)| std::iter::once(file).chain(thumbnail))
            .collect())
    }

    /// Up to `limit` uploads created before `before` and never bound to a message.
    pub async fn unbound_attachments_before(
        &self,
        before: i64,
        limit: i64,
    ) -> Result<Vec<UnboundAttachment>> {
        let rows: Vec<Attachment> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{SELECT_ATTACHMENT} WHERE message_id IS NULL AND created_at < ? ORDER BY id LIMIT ?"
        )))
        .bind(before)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|a| UnboundAttachment {
                id: a.id,
                keys: file_keys(a).collect(),
            })
            .collect())
    }

    /// Deletes an upload's row if it is still unbound; `false` when a message took it meanwhile.
    pub async fn delete_unbound_attachment(&self, id: i64) -> Result<bool> {
        let done =
            sqlx::query("DELETE FROM message_attachments WHERE id = ? AND message_id IS NULL")
                .bind(id)
                .execute(&self.pool)
                .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Binds `ids` to `message_id` inside the transaction that stores the message: all of them,
    /// or an error (another message took one first).
    pub(crate) async fn bind_attachments(
        conn: &mut sqlx::AnyConnection,
        message_id: i64,
        channel_id: i64,
        uploader_id: i64,
        ids: &[i64],
    ) -> Result<()> {
        if ids.is_empty() {
            return Ok(());
        }
        let list: Vec<String> = ids.iter().map(i64::to_string).collect();
        let sql = format!(
            "UPDATE message_attachments SET message_id = {message_id} WHERE channel_id = \
             {channel_id} AND uploader_id = {uploader_id} AND message_id IS NULL AND id IN ({})",
            list.join(",")
        );
        let done = sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
            .execute(&mut *conn)
            .await?;
        if done.rows_affected() != ids.len() as u64 {
            return Err(StoreError::Conflict(
                "an attachment was already bound to another message".into(),
            ));
        }
        Ok(())
    }
}

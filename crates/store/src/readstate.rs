//! Read state: each user's last read message per channel, unread and mention counts, read
//! receipts per message, and the room members a message's `@login`s name.

use crate::{Backend, Result, Store, StoreError, now_micros};

/// Unread counts stop here: a channel never opened may hold a million messages, and counting
/// further says nothing more to a person than "a lot".
pub const UNREAD_COUNT_CAP: i64 = 1000;

/// Channels per counting statement (SQLite allows 500 terms in a compound `SELECT`).
const CHANNELS_PER_STATEMENT: usize = 100;

/// A user's read state in one channel.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ChannelUnread {
    pub channel_id: i64,
    /// 0 when the user has read nothing there yet.
    pub last_read_message_id: i64,
    /// Others' messages after it that are not deleted or moderated, at most
    /// [`UNREAD_COUNT_CAP`].
    pub unread_count: i64,
    /// Those of them that mention the user or everyone.
    pub mention_count: i64,
}

impl Store {
    /// Moves a user's read position in a channel forward to `message_id` (never back) and
    /// returns the position now stored.
    pub async fn mark_read(&self, user_id: i64, channel_id: i64, message_id: i64) -> Result<i64> {
        let sql = match self.backend {
            Backend::Sqlite => {
                "INSERT INTO channel_read_states (user_id, channel_id, last_read_message_id, \
                 updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (user_id, channel_id) DO UPDATE SET \
                 last_read_message_id = MAX(last_read_message_id, excluded.last_read_message_id), \
                 updated_at = excluded.updated_at"
            }
            Backend::MySql => {
                "INSERT INTO channel_read_states (user_id, channel_id, last_read_message_id, \
                 updated_at) VALUES (?, ?, ?, ?) ON DUPLICATE KEY UPDATE \
                 last_read_message_id = GREATEST(last_read_message_id, \
                 VALUES(last_read_message_id)), updated_at = VALUES(updated_at)"
            }
        };
        sqlx::query(sql)
            .bind(user_id)
            .bind(channel_id)
            .bind(message_id)
            .bind(now_micros())
            .execute(&self.pool)
            .await?;
        Ok(sqlx::query_scalar(
            "SELECT last_read_message_id FROM channel_read_states \
             WHERE user_id = ? AND channel_id = ?",
        )
        .bind(user_id)
        .bind(channel_id)
        .fetch_one(&self.pool)
        .await?)
    }

    /// The id of a channel's newest message, if it has any.
    pub async fn newest_message_id(&self, channel_id: i64) -> Result<Option<i64>> {
        Ok(sqlx::query_scalar(
            "SELECT id FROM messages WHERE channel_id = ? ORDER BY id DESC LIMIT 1",
        )
        .bind(channel_id)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// `user_id`'s read state in each of `channel_ids`, in that order.
    pub async fn unread_counts(
        &self,
        user_id: i64,
        channel_ids: &[i64],
    ) -> Result<Vec<ChannelUnread>> {
        let mut out = Vec::with_capacity(channel_ids.len());
        for chunk in channel_ids.chunks(CHANNELS_PER_STATEMENT) {
            out.extend(self.unread_chunk(user_id, chunk).await?);
        }
        Ok(out)
    }

    async fn unread_chunk(&self, user_id: i64, channel_ids: &[i64]) -> Result<Vec<ChannelUnread>> {
        if channel_ids.is_empty() {
            return Ok(Vec::new());
        }
        // Ids are integers from our own rows, so the lists hold numbers only (see
        // `fetch_listed` on why such queries are not prepared).
        let list: Vec<String> = channel_ids.iter().map(i64::to_string).collect();
        let read: Vec<(i64, i64)> = self
            .fetch_listed(format!(
                "SELECT channel_id, last_read_message_id FROM channel_read_states \
                 WHERE user_id = {user_id} AND channel_id IN ({})",
                list.join(",")
            ))
            .await?;
        let last_read = |channel: i64| {
            read.iter()
                .find(|(c, _)| *c == channel)
                .map_or(0, |(_, id)| *id)
        };
        // One capped count per channel: each walks the channel's index from the read
        // position, so a never-read channel costs at most the cap.
        let parts: Vec<String> = channel_ids
            .iter()
            .map(|&channel| {
                let after = last_read(channel);
                format!(
                    "SELECT {channel} AS channel_id, {after} AS last_read_message_id, \
                     (SELECT COUNT(*) FROM (SELECT 1 AS one FROM messages m \
                       WHERE m.channel_id = {channel} AND m.id > {after} \
                       AND m.deleted_at IS NULL AND m.moderated_at IS NULL \
                       AND (m.author_id IS NULL OR m.author_id <> {user_id}) \
                       LIMIT {UNREAD_COUNT_CAP}) u) AS unread_count, \
                     (SELECT COUNT(DISTINCT mm.message_id) FROM message_mentions mm \
                       JOIN messages m ON m.id = mm.message_id \
                       WHERE mm.channel_id = {channel} AND mm.message_id > {after} \
                       AND (mm.user_id = {user_id} OR mm.user_id IS NULL) \
                       AND m.deleted_at IS NULL AND m.moderated_at IS NULL \
                       AND (m.author_id IS NULL OR m.author_id <> {user_id})) AS mention_count"
                )
            })
            .collect();
        let rows: Vec<ChannelUnread> = self.fetch_listed(parts.join(" UNION ALL ")).await?;
        Ok(channel_ids
            .iter()
            .filter_map(|id| rows.iter().find(|r| r.channel_id == *id).cloned())
            .collect())
    }

    /// Members of `room_id` whose login is one of `logins` (exactly), as `(user id, login)`.
    pub async fn members_by_login(
        &self,
        room_id: i64,
        logins: &[String],
    ) -> Result<Vec<(i64, String)>> {
        let mut found = Vec::new();
        // One prepared shape, one login at a time: a message names few people.
        for login in logins {
            let row: Option<(i64, String)> = sqlx::query_as(
                "SELECT u.id, u.login FROM users u JOIN room_members rm ON rm.user_id = u.id \
                 WHERE rm.room_id = ? AND u.login = ?",
            )
            .bind(room_id)
            .bind(login)
            .fetch_optional(&self.pool)
            .await?;
            // MariaDB compares case-insensitively; a login is exact.
            found.extend(row.filter(|(_, l)| l == login));
        }
        Ok(found)
    }

    /// Records that `user_id` received (`delivered`) and/or read (`read`, which implies
    /// received) a message, counting each first time on the message; returns the receipt's
    /// `(delivered_at, read_at)`. Repeats change nothing.
    pub async fn record_receipt(
        &self,
        message_id: i64,
        user_id: i64,
        delivered: bool,
        read: bool,
    ) -> Result<(Option<i64>, Option<i64>)> {
        let now = now_micros();
        let mut tx = self.pool.begin().await?;
        let exists: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM message_receipts WHERE message_id = ? AND user_id = ?",
        )
        .bind(message_id)
        .bind(user_id)
        .fetch_optional(&mut *tx)
        .await?;
        if exists.is_none() {
            sqlx::query("INSERT INTO message_receipts (message_id, user_id) VALUES (?, ?)")
                .bind(message_id)
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
        }
        // Each timestamp is set once; only the update that sets it counts it.
        let marks = [
            (delivered || read, "delivered_at", "delivered_count"),
            (read, "read_at", "read_count"),
        ];
        for (wanted, column, counter) in marks {
            if !wanted {
                continue;
            }
            let set = sqlx::query(sqlx::AssertSqlSafe(format!(
                "UPDATE message_receipts SET {column} = ? \
                 WHERE message_id = ? AND user_id = ? AND {column} IS NULL"
            )))
            .bind(now)
            .bind(message_id)
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
            if set.rows_affected() > 0 {
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "UPDATE messages SET {counter} = {counter} + 1 WHERE id = ?"
                )))
                .bind(message_id)
                .execute(&mut *tx)
                .await?;
            }
        }
        let receipt: (Option<i64>, Option<i64>) = sqlx::query_as(
            "SELECT delivered_at, read_at FROM message_receipts WHERE message_id = ? AND user_id = ?",
        )
        .bind(message_id)
        .bind(user_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound)?;
        tx.commit().await?;
        Ok(receipt)
    }
}

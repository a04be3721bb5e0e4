//! Moderation storage: removing members, room bans, timeouts, slow mode, renaming, deleting
//! and handing over a room, and the facts the posting path checks.

use sqlx::FromRow;

use crate::{Result, Store, StoreError, now_micros};

/// A room ban with the banned user's public fields.
#[derive(Debug, Clone, FromRow)]
pub struct Ban {
    pub id: i64,
    pub room_id: i64,
    pub user_id: i64,
    pub banned_by_id: Option<i64>,
    pub reason: Option<String>,
    pub created_at: i64,
    pub login: String,
    pub display_name: Option<String>,
    pub avatar_path: Option<String>,
    pub avatar_updated_at: Option<i64>,
    pub presence_status: String,
}

/// What the posting path must know about a member in a channel: the channel's slow mode, the
/// member's timeout and whether their level makes them exempt (admin or stronger).
#[derive(Debug, Clone, Copy, FromRow)]
pub struct PostingFacts {
    pub room_id: i64,
    pub slow_mode_seconds: i64,
    pub timed_out_until: Option<i64>,
    pub level: Option<i64>,
    pub admin_level: Option<i64>,
}

impl PostingFacts {
    /// Admin or stronger by level (the room's `admin+` rule).
    pub fn is_admin(&self) -> bool {
        matches!((self.level, self.admin_level), (Some(l), Some(a)) if l >= a)
    }
}

impl Store {
    /// Ends a membership. `false` when there was none.
    pub async fn remove_member(&self, room_id: i64, user_id: i64) -> Result<bool> {
        let done = sqlx::query("DELETE FROM room_members WHERE room_id = ? AND user_id = ?")
            .bind(room_id)
            .bind(user_id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Bans a user and ends their membership, in one transaction. `false` when already banned.
    pub async fn ban(
        &self,
        room_id: i64,
        user_id: i64,
        banned_by: i64,
        reason: Option<&str>,
    ) -> Result<bool> {
        let mut tx = self.pool.begin().await?;
        let inserted = sqlx::query(
            "INSERT INTO room_bans (room_id, user_id, banned_by_id, reason, created_at) \
             VALUES (?, ?, ?, ?, ?)",
        )
        .bind(room_id)
        .bind(user_id)
        .bind(banned_by)
        .bind(reason)
        .bind(now_micros())
        .execute(&mut *tx)
        .await;
        match inserted {
            Ok(_) => {}
            Err(e) => match StoreError::from(e) {
                StoreError::Conflict(_) => return Ok(false),
                other => return Err(other),
            },
        }
        sqlx::query("DELETE FROM room_members WHERE room_id = ? AND user_id = ?")
            .bind(room_id)
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Lifts a ban. `false` when there was none.
    pub async fn unban(&self, room_id: i64, user_id: i64) -> Result<bool> {
        let done = sqlx::query("DELETE FROM room_bans WHERE room_id = ? AND user_id = ?")
            .bind(room_id)
            .bind(user_id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    pub async fn is_banned(&self, room_id: i64, user_id: i64) -> Result<bool> {
        let found: Option<i64> =
            sqlx::query_scalar("SELECT id FROM room_bans WHERE room_id = ? AND user_id = ?")
                .bind(room_id)
                .bind(user_id)
                .fetch_optional(&self.pool)
                .await?;
        Ok(found.is_some())
    }

    /// A room's bans, newest first, at most `limit`.
    pub async fn bans(&self, room_id: i64, limit: i64) -> Result<Vec<Ban>> {
        Ok(sqlx::query_as(
            "SELECT b.id, b.room_id, b.user_id, b.banned_by_id, b.reason, b.created_at, u.login, \
             u.display_name, u.avatar_path, u.avatar_updated_at, u.presence_status \
             FROM room_bans b JOIN users u ON u.id = b.user_id \
             WHERE b.room_id = ? ORDER BY b.id DESC LIMIT ?",
        )
        .bind(room_id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Sets or clears (`None`) a member's timeout. `false` when not a member.
    pub async fn set_timeout(
        &self,
        room_id: i64,
        user_id: i64,
        until: Option<i64>,
    ) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE room_members SET timed_out_until = ? WHERE room_id = ? AND user_id = ?",
        )
        .bind(until)
        .bind(room_id)
        .bind(user_id)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    pub async fn set_slow_mode(&self, channel_id: i64, seconds: i64) -> Result<()> {
        sqlx::query("UPDATE channels SET slow_mode_seconds = ? WHERE id = ?")
            .bind(seconds)
            .bind(channel_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn rename_room(&self, room_id: i64, title: &str) -> Result<i64> {
        let now = now_micros();
        sqlx::query("UPDATE rooms SET title = ?, updated_at = ? WHERE id = ?")
            .bind(title)
            .bind(now)
            .bind(room_id)
            .execute(&self.pool)
            .await?;
        Ok(now)
    }

    /// Deletes a room and everything in it (members, channels, messages, bans, audit log).
    pub async fn delete_room(&self, room_id: i64) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        // Threads reference their parents; clear those links first (see `delete_channel`).
        sqlx::query(
            "UPDATE messages SET parent_id = NULL, thread_root_id = NULL \
             WHERE channel_id IN (SELECT id FROM channels WHERE room_id = ?)",
        )
        .bind(room_id)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "DELETE FROM messages WHERE channel_id IN (SELECT id FROM channels WHERE room_id = ?)",
        )
        .bind(room_id)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM rooms WHERE id = ?")
            .bind(room_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Makes `to` the owner and `from` an admin, in one transaction.
    pub async fn transfer_ownership(&self, room_id: i64, from: i64, to: i64) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        for (user_id, role) in [(to, "owner"), (from, "admin")] {
            let done =
                sqlx::query("UPDATE room_members SET role = ? WHERE room_id = ? AND user_id = ?")
                    .bind(role)
                    .bind(room_id)
                    .bind(user_id)
                    .execute(&mut *tx)
                    .await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::NotFound);
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// The facts the posting path checks, in one query; `None` when the channel is missing or
    /// the user is not a member of its room.
    pub async fn posting_facts(
        &self,
        channel_id: i64,
        user_id: i64,
    ) -> Result<Option<PostingFacts>> {
        Ok(sqlx::query_as(
            "SELECT c.room_id, c.slow_mode_seconds, m.timed_out_until, h.level, \
             (SELECT MIN(a.level) FROM room_role_hierarchy a \
              WHERE a.room_id = c.room_id AND a.role IN ('owner', 'admin')) AS admin_level \
             FROM channels c JOIN room_members m ON m.room_id = c.room_id AND m.user_id = ? \
             LEFT JOIN room_role_hierarchy h ON h.room_id = c.room_id AND h.role = m.role \
             WHERE c.id = ?",
        )
        .bind(user_id)
        .bind(channel_id)
        .fetch_optional(&self.pool)
        .await?)
    }
}

//! Channels (with their room-unique letters) and categories.

use crate::{Category, Channel, Result, Store, StoreError, insert_returning_id, now_micros};

macro_rules! select_channel {
    ($tail:literal) => {
        concat!(
            "SELECT id, room_id, name, letter, type, category_id, position, created_at, \
             slow_mode_seconds FROM channels ",
            $tail
        )
    };
}

/// Letters a room's channels are addressed by; 26 channels per room at most.
const LETTERS: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";

impl Store {
    pub async fn channels(&self, room_id: i64) -> Result<Vec<Channel>> {
        Ok(
            sqlx::query_as(select_channel!("WHERE room_id = ? ORDER BY id"))
                .bind(room_id)
                .fetch_all(&self.pool)
                .await?,
        )
    }

    pub async fn channel_by_id(&self, id: i64) -> Result<Option<Channel>> {
        Ok(sqlx::query_as(select_channel!("WHERE id = ?"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?)
    }

    /// The channel and the user's role in its room (`None` when not a member), in one query.
    pub async fn channel_with_role(
        &self,
        channel_id: i64,
        user_id: i64,
    ) -> Result<Option<(Channel, Option<String>)>> {
        #[derive(sqlx::FromRow)]
        struct Row {
            #[sqlx(flatten)]
            channel: Channel,
            member_role: Option<String>,
        }
        let row: Option<Row> = sqlx::query_as(
            "SELECT c.id, c.room_id, c.name, c.letter, c.type, c.category_id, c.position, c.created_at, \
             c.slow_mode_seconds, m.role AS member_role FROM channels c \
             LEFT JOIN room_members m ON m.room_id = c.room_id AND m.user_id = ? WHERE c.id = ?",
        )
        .bind(user_id)
        .bind(channel_id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|r| (r.channel, r.member_role)))
    }

    pub async fn categories(&self, room_id: i64) -> Result<Vec<Category>> {
        Ok(sqlx::query_as(
            "SELECT id, room_id, name, position, created_at FROM channel_categories \
             WHERE room_id = ? ORDER BY position, id",
        )
        .bind(room_id)
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn category_in_room(&self, room_id: i64, category_id: i64) -> Result<bool> {
        let found: Option<i64> =
            sqlx::query_scalar("SELECT id FROM channel_categories WHERE id = ? AND room_id = ?")
                .bind(category_id)
                .bind(room_id)
                .fetch_optional(&self.pool)
                .await?;
        Ok(found.is_some())
    }

    /// Renames a channel or moves it into another category or none (whichever is given).
    pub async fn update_channel(
        &self,
        channel_id: i64,
        name: Option<&str>,
        category: Option<Option<i64>>,
    ) -> Result<Option<Channel>> {
        let mut tx = self.pool.begin().await?;
        if let Some(name) = name {
            sqlx::query("UPDATE channels SET name = ? WHERE id = ?")
                .bind(name)
                .bind(channel_id)
                .execute(&mut *tx)
                .await?;
        }
        if let Some(category) = category {
            sqlx::query("UPDATE channels SET category_id = ? WHERE id = ?")
                .bind(category)
                .bind(channel_id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        self.channel_by_id(channel_id).await
    }

    /// Sets `(channel id, category id, position)` exactly as given, in one transaction. The
    /// caller has checked that every channel and category is the room's.
    pub async fn reorder_channels(&self, placements: &[(i64, Option<i64>, i64)]) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        for (id, category, position) in placements {
            sqlx::query("UPDATE channels SET category_id = ?, position = ? WHERE id = ?")
                .bind(*category)
                .bind(*position)
                .bind(*id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Sets `(category id, position)` as given, in one transaction; the caller has checked
    /// that every category is the room's.
    pub async fn reorder_categories(&self, positions: &[(i64, i64)]) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        for (id, position) in positions {
            sqlx::query("UPDATE channel_categories SET position = ? WHERE id = ?")
                .bind(*position)
                .bind(*id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// One category of the room, if it is one of its own.
    pub async fn category(&self, room_id: i64, category_id: i64) -> Result<Option<Category>> {
        Ok(sqlx::query_as(
            "SELECT id, room_id, name, position, created_at FROM channel_categories \
             WHERE id = ? AND room_id = ?",
        )
        .bind(category_id)
        .bind(room_id)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Creates a category; `Ok(None)` when the room already has `max`. A name the room
    /// already uses is a `Conflict`.
    pub async fn create_category(
        &self,
        room_id: i64,
        name: &str,
        position: i64,
        max: i64,
    ) -> Result<Option<Category>> {
        let mut tx = self.pool.begin().await?;
        // Creations in one room take turns on its row, so two cannot both find room.
        sqlx::query("UPDATE rooms SET id = id WHERE id = ?")
            .bind(room_id)
            .execute(&mut *tx)
            .await?;
        let count: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM channel_categories WHERE room_id = ?")
                .bind(room_id)
                .fetch_one(&mut *tx)
                .await?;
        if count >= max {
            return Ok(None);
        }
        let now = now_micros();
        let query = sqlx::query(
            "INSERT INTO channel_categories (room_id, name, position, created_at) \
             VALUES (?, ?, ?, ?)",
        )
        .bind(room_id)
        .bind(name)
        .bind(position)
        .bind(now);
        let id = insert_returning_id(&mut tx, self.backend, query).await?;
        tx.commit().await?;
        Ok(Some(Category {
            id,
            room_id,
            name: name.to_owned(),
            position,
            created_at: now,
        }))
    }

    /// Renames or moves a category (whichever is given); `Ok(None)` when it is not the room's.
    pub async fn update_category(
        &self,
        room_id: i64,
        category_id: i64,
        name: Option<&str>,
        position: Option<i64>,
    ) -> Result<Option<Category>> {
        sqlx::query(
            "UPDATE channel_categories SET name = COALESCE(?, name), \
             position = COALESCE(?, position) WHERE id = ? AND room_id = ?",
        )
        .bind(name)
        .bind(position)
        .bind(category_id)
        .bind(room_id)
        .execute(&self.pool)
        .await?;
        self.category(room_id, category_id).await
    }

    /// Deletes a category; its channels stay, with no category and their positions. `false`
    /// when it is not the room's.
    pub async fn delete_category(&self, room_id: i64, category_id: i64) -> Result<bool> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("UPDATE channels SET category_id = NULL WHERE room_id = ? AND category_id = ?")
            .bind(room_id)
            .bind(category_id)
            .execute(&mut *tx)
            .await?;
        let done = sqlx::query("DELETE FROM channel_categories WHERE id = ? AND room_id = ?")
            .bind(category_id)
            .bind(room_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(done.rows_affected() > 0)
    }

    /// Creates a channel under the lowest free letter, placed after its category's last
    /// channel. `Ok(None)` when all 26 letters are in use.
    pub async fn create_channel(
        &self,
        room_id: i64,
        name: &str,
        kind: &str,
        category_id: Option<i64>,
    ) -> Result<Option<Channel>> {
        // Two admins creating at once may pick the same letter; the unique key decides and
        // the loser tries the next free one.
        // Each conflict means another channel took a letter, so 27 tries always settle it.
        for _ in 0..27 {
            let used: Vec<String> =
                sqlx::query_scalar("SELECT letter FROM channels WHERE room_id = ?")
                    .bind(room_id)
                    .fetch_all(&self.pool)
                    .await?;
            let Some(letter) = LETTERS
                .chars()
                .map(String::from)
                .find(|l| !used.contains(l))
            else {
                return Ok(None);
            };
            let last: Option<i64> = match category_id {
                Some(cat) => {
                    sqlx::query_scalar(
                        "SELECT MAX(position) FROM channels WHERE room_id = ? AND category_id = ?",
                    )
                    .bind(room_id)
                    .bind(cat)
                    .fetch_one(&self.pool)
                    .await?
                }
                None => sqlx::query_scalar(
                    "SELECT MAX(position) FROM channels WHERE room_id = ? AND category_id IS NULL",
                )
                .bind(room_id)
                .fetch_one(&self.pool)
                .await?,
            };
            let position = last.map_or(0, |p| p + 1);
            let now = now_micros();
            let query = sqlx::query(
                "INSERT INTO channels (room_id, name, letter, type, category_id, position, created_at) \
                 VALUES (?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(room_id)
            .bind(name)
            .bind(&letter)
            .bind(kind)
            .bind(category_id)
            .bind(position)
            .bind(now);
            let mut conn = self.pool.acquire().await?;
            match insert_returning_id(&mut conn, self.backend, query).await {
                Ok(id) => {
                    return Ok(Some(Channel {
                        id,
                        room_id,
                        name: name.to_owned(),
                        letter,
                        kind: kind.to_owned(),
                        category_id,
                        position,
                        created_at: now,
                        slow_mode_seconds: 0,
                    }));
                }
                Err(StoreError::Conflict(_)) => continue,
                Err(other) => return Err(other),
            }
        }
        Err(StoreError::Conflict("channel letter contention".into()))
    }

    /// Deletes the channel with `letter` (and, by cascade, its messages). Returns its id.
    pub async fn delete_channel(&self, room_id: i64, letter: &str) -> Result<Option<i64>> {
        let mut tx = self.pool.begin().await?;
        let id: Option<i64> =
            sqlx::query_scalar("SELECT id FROM channels WHERE room_id = ? AND letter = ?")
                .bind(room_id)
                .bind(letter)
                .fetch_optional(&mut *tx)
                .await?;
        let Some(id) = id else {
            return Ok(None);
        };
        // Threads reference their parents; clear those links first so the cascade cannot trip
        // over the order in which a backend deletes rows.
        sqlx::query(
            "UPDATE messages SET parent_id = NULL, thread_root_id = NULL WHERE channel_id = ?",
        )
        .bind(id)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM messages WHERE channel_id = ?")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM channels WHERE id = ?")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(Some(id))
    }
}

//! Rooms, memberships and per-room role levels.

use crate::{
    Member, Result, Role, RoleLevel, Room, Store, StoreError, insert_returning_id, now_micros,
};

/// Default levels seeded for every new room (higher outranks lower).
pub const DEFAULT_ROLE_LEVELS: [(&str, i64); 4] = [
    ("owner", 400),
    ("admin", 300),
    ("member", 200),
    ("guest", 100),
];

macro_rules! select_member {
    ($tail:literal) => {
        concat!(
            "SELECT m.id, m.room_id, m.user_id, m.role, m.joined_at, m.timed_out_until, u.login, \
             u.display_name, u.avatar_path, u.avatar_updated_at, \
             CASE WHEN u.presence_invisible <> 0 THEN 'offline' ELSE u.presence_status END \
             AS presence_status \
             FROM room_members m JOIN users u ON u.id = m.user_id ",
            $tail
        )
    };
}

impl Store {
    /// Creates a room owned by `owner_id` under the first free slug among `base`, `base-2`, …
    /// (each candidate comes from `candidate(n)`), with the owner's membership and the default
    /// role levels, in one transaction.
    pub async fn create_room(
        &self,
        title: &str,
        owner_id: i64,
        candidate: impl Fn(u32) -> String,
    ) -> Result<Room> {
        // A concurrent creator can take the slug between our check and insert; retry then
        // (each conflict means another room took a candidate, so this bound is generous).
        for _ in 0..100 {
            let mut n = 1;
            let slug = loop {
                let slug = candidate(n);
                let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM rooms WHERE slug = ?")
                    .bind(&slug)
                    .fetch_optional(&self.pool)
                    .await?;
                if taken.is_none() {
                    break slug;
                }
                n += 1;
                if n > 10_000 {
                    return Err(StoreError::Conflict("no free slug".into()));
                }
            };
            match self.insert_room(title, &slug, owner_id).await {
                Err(StoreError::Conflict(_)) => continue,
                other => return other,
            }
        }
        Err(StoreError::Conflict("slug contention".into()))
    }

    async fn insert_room(&self, title: &str, slug: &str, owner_id: i64) -> Result<Room> {
        let now = now_micros();
        let mut tx = self.pool.begin().await?;
        let query = sqlx::query(
            "INSERT INTO rooms (title, slug, created_at, updated_at) VALUES (?, ?, ?, ?)",
        )
        .bind(title)
        .bind(slug)
        .bind(now)
        .bind(now);
        let room_id = insert_returning_id(&mut tx, self.backend, query).await?;
        sqlx::query(
            "INSERT INTO room_members (room_id, user_id, role, joined_at) VALUES (?, ?, 'owner', ?)",
        )
        .bind(room_id)
        .bind(owner_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        for (role, level) in DEFAULT_ROLE_LEVELS {
            sqlx::query("INSERT INTO room_role_hierarchy (room_id, role, level) VALUES (?, ?, ?)")
                .bind(room_id)
                .bind(role)
                .bind(level)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(Room {
            id: room_id,
            title: title.to_owned(),
            slug: slug.to_owned(),
            created_at: now,
            updated_at: now,
        })
    }

    pub async fn room_by_slug(&self, slug: &str) -> Result<Option<Room>> {
        Ok(sqlx::query_as(
            "SELECT id, title, slug, created_at, updated_at FROM rooms WHERE slug = ?",
        )
        .bind(slug)
        .fetch_optional(&self.pool)
        .await?)
    }

    pub async fn room_by_id(&self, id: i64) -> Result<Option<Room>> {
        Ok(
            sqlx::query_as(
                "SELECT id, title, slug, created_at, updated_at FROM rooms WHERE id = ?",
            )
            .bind(id)
            .fetch_optional(&self.pool)
            .await?,
        )
    }

    /// Rooms the user belongs to, by title.
    pub async fn rooms_for_user(&self, user_id: i64, limit: i64) -> Result<Vec<Room>> {
        Ok(sqlx::query_as(
            "SELECT r.id, r.title, r.slug, r.created_at, r.updated_at FROM rooms r \
             JOIN room_members m ON m.room_id = r.id WHERE m.user_id = ? \
             ORDER BY r.title, r.id LIMIT ?",
        )
        .bind(user_id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn membership(&self, room_id: i64, user_id: i64) -> Result<Option<Member>> {
        Ok(
            sqlx::query_as(select_member!("WHERE m.room_id = ? AND m.user_id = ?"))
                .bind(room_id)
                .bind(user_id)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    pub async fn members(&self, room_id: i64) -> Result<Vec<Member>> {
        Ok(
            sqlx::query_as(select_member!("WHERE m.room_id = ? ORDER BY m.id"))
                .bind(room_id)
                .fetch_all(&self.pool)
                .await?,
        )
    }

    pub async fn role_levels(&self, room_id: i64) -> Result<Vec<RoleLevel>> {
        Ok(sqlx::query_as(
            "SELECT role, level FROM room_role_hierarchy WHERE room_id = ? ORDER BY level DESC",
        )
        .bind(room_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Adds a member; an existing membership is a [`StoreError::Conflict`].
    pub async fn add_member(&self, room_id: i64, user_id: i64, role: Role) -> Result<()> {
        sqlx::query(
            "INSERT INTO room_members (room_id, user_id, role, joined_at) VALUES (?, ?, ?, ?)",
        )
        .bind(room_id)
        .bind(user_id)
        .bind(role.as_str())
        .bind(now_micros())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn set_member_role(&self, room_id: i64, user_id: i64, role: Role) -> Result<()> {
        let done =
            sqlx::query("UPDATE room_members SET role = ? WHERE room_id = ? AND user_id = ?")
                .bind(role.as_str())
                .bind(room_id)
                .bind(user_id)
                .execute(&self.pool)
                .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }
}

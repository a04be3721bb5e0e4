//! Channel permission overwrites (per role and per user, as allow/deny bit masks), role levels
//! and the paginated member list: what the domain's permission function is computed from.

use sqlx::FromRow;

use crate::{Member, Result, Store, StoreError, now_micros};

/// A role's overwrite on one channel.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct RoleOverwrite {
    pub channel_id: i64,
    pub role: String,
    pub allow_mask: i64,
    pub deny_mask: i64,
}

/// A user's overwrite on one channel, with the user's public fields.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct UserOverwrite {
    pub channel_id: i64,
    pub user_id: i64,
    pub allow_mask: i64,
    pub deny_mask: i64,
    pub login: String,
    pub display_name: Option<String>,
    pub avatar_path: Option<String>,
    pub avatar_updated_at: Option<i64>,
    pub presence_status: String,
}

macro_rules! select_user_overwrite {
    ($tail:literal) => {
        concat!(
            "SELECT o.channel_id, o.user_id, o.allow_mask, o.deny_mask, \
             u.login, u.display_name, u.avatar_path, u.avatar_updated_at, u.presence_status \
             FROM channel_user_overwrites o JOIN users u ON u.id = o.user_id ",
            $tail
        )
    };
}

/// The member filter of a page and its count: the room, then an optional escaped pattern
/// matched against the login and the display name.
macro_rules! member_filter {
    ($head:literal, $tail:literal) => {
        concat!(
            $head,
            " FROM room_members m JOIN users u ON u.id = m.user_id \
             WHERE m.room_id = ? AND (? IS NULL OR LOWER(u.login) LIKE ? ESCAPE '!' \
             OR LOWER(COALESCE(u.display_name, '')) LIKE ? ESCAPE '!') ",
            $tail
        )
    };
}

/// Which overwrite a write names.
#[derive(Debug, Clone, Copy)]
pub enum OverwriteTarget<'a> {
    Role(&'a str),
    User(i64),
}

impl Store {
    /// Every overwrite on the channels of a room (role ones, then user ones by storage order).
    pub async fn room_overwrites(
        &self,
        room_id: i64,
    ) -> Result<(Vec<RoleOverwrite>, Vec<UserOverwrite>)> {
        let roles = sqlx::query_as(
            "SELECT o.channel_id, o.role, o.allow_mask, o.deny_mask FROM channel_role_overwrites o \
             JOIN channels c ON c.id = o.channel_id WHERE c.room_id = ? ORDER BY o.id",
        )
        .bind(room_id)
        .fetch_all(&self.pool)
        .await?;
        let users = sqlx::query_as(select_user_overwrite!(
            "JOIN channels c ON c.id = o.channel_id WHERE c.room_id = ? ORDER BY o.id"
        ))
        .bind(room_id)
        .fetch_all(&self.pool)
        .await?;
        Ok((roles, users))
    }

    /// One channel's overwrites: roles by name, users in storage order.
    pub async fn channel_overwrites(
        &self,
        channel_id: i64,
    ) -> Result<(Vec<RoleOverwrite>, Vec<UserOverwrite>)> {
        let roles = sqlx::query_as(
            "SELECT channel_id, role, allow_mask, deny_mask FROM channel_role_overwrites \
             WHERE channel_id = ? ORDER BY role",
        )
        .bind(channel_id)
        .fetch_all(&self.pool)
        .await?;
        let users = sqlx::query_as(select_user_overwrite!(
            "WHERE o.channel_id = ? ORDER BY o.id"
        ))
        .bind(channel_id)
        .fetch_all(&self.pool)
        .await?;
        Ok((roles, users))
    }

    /// Every member's role in a room, as (user id, role).
    pub async fn member_roles(&self, room_id: i64) -> Result<Vec<(i64, String)>> {
        Ok(
            sqlx::query_as("SELECT user_id, role FROM room_members WHERE room_id = ?")
                .bind(room_id)
                .fetch_all(&self.pool)
                .await?,
        )
    }

    /// How many user overwrites a channel holds.
    pub async fn user_overwrite_count(&self, channel_id: i64) -> Result<i64> {
        Ok(
            sqlx::query_scalar("SELECT COUNT(*) FROM channel_user_overwrites WHERE channel_id = ?")
                .bind(channel_id)
                .fetch_one(&self.pool)
                .await?,
        )
    }

    /// Creates or replaces an overwrite; returns whether a row was there before.
    pub async fn put_overwrite(
        &self,
        channel_id: i64,
        target: OverwriteTarget<'_>,
        allow_mask: i64,
        deny_mask: i64,
    ) -> Result<bool> {
        // Two writers racing to create the same overwrite: the loser updates the winner's row.
        for _ in 0..2 {
            match self
                .try_put_overwrite(channel_id, target, allow_mask, deny_mask)
                .await
            {
                Err(StoreError::Conflict(_)) => continue,
                other => return other,
            }
        }
        Err(StoreError::Conflict("overwrite contention".into()))
    }

    async fn try_put_overwrite(
        &self,
        channel_id: i64,
        target: OverwriteTarget<'_>,
        allow_mask: i64,
        deny_mask: i64,
    ) -> Result<bool> {
        let now = now_micros();
        let existing: Option<i64> =
            match target {
                OverwriteTarget::Role(role) => {
                    sqlx::query_scalar(
                        "SELECT id FROM channel_role_overwrites WHERE channel_id = ? AND role = ?",
                    )
                    .bind(channel_id)
                    .bind(role)
                    .fetch_optional(&self.pool)
                    .await?
                }
                OverwriteTarget::User(user_id) => sqlx::query_scalar(
                    "SELECT id FROM channel_user_overwrites WHERE channel_id = ? AND user_id = ?",
                )
                .bind(channel_id)
                .bind(user_id)
                .fetch_optional(&self.pool)
                .await?,
            };
        let update = match target {
            OverwriteTarget::Role(_) => {
                "UPDATE channel_role_overwrites SET allow_mask = ?, deny_mask = ?, updated_at = ? \
                 WHERE id = ?"
            }
            OverwriteTarget::User(_) => {
                "UPDATE channel_user_overwrites SET allow_mask = ?, deny_mask = ?, updated_at = ? \
                 WHERE id = ?"
            }
        };
        if let Some(id) = existing {
            sqlx::query(update)
                .bind(allow_mask)
                .bind(deny_mask)
                .bind(now)
                .bind(id)
                .execute(&self.pool)
                .await?;
            return Ok(true);
        }
        let insert = match target {
            OverwriteTarget::Role(role) => sqlx::query(
                "INSERT INTO channel_role_overwrites \
                 (channel_id, role, allow_mask, deny_mask, created_at, updated_at) \
                 VALUES (?, ?, ?, ?, ?, ?)",
            )
            .bind(channel_id)
            .bind(role),
            OverwriteTarget::User(user_id) => sqlx::query(
                "INSERT INTO channel_user_overwrites \
                 (channel_id, user_id, allow_mask, deny_mask, created_at, updated_at) \
                 VALUES (?, ?, ?, ?, ?, ?)",
            )
            .bind(channel_id)
            .bind(user_id),
        };
        insert
            .bind(allow_mask)
            .bind(deny_mask)
            .bind(now)
            .bind(now)
            .execute(&self.pool)
            .await?;
        Ok(false)
    }

    /// Removes an overwrite; returns whether there was one.
    pub async fn delete_overwrite(
        &self,
        channel_id: i64,
        target: OverwriteTarget<'_>,
    ) -> Result<bool> {
        let done = match target {
            OverwriteTarget::Role(role) => {
                sqlx::query("DELETE FROM channel_role_overwrites WHERE channel_id = ? AND role = ?")
                    .bind(channel_id)
                    .bind(role)
                    .execute(&self.pool)
                    .await?
            }
            OverwriteTarget::User(id) => {
                sqlx::query(
                    "DELETE FROM channel_user_overwrites WHERE channel_id = ? AND user_id = ?",
                )
                .bind(channel_id)
                .bind(id)
                .execute(&self.pool)
                .await?
            }
        };
        Ok(done.rows_affected() > 0)
    }

    /// Sets a role's level in a room; `false` when the room has no row for the role.
    pub async fn set_role_level(&self, room_id: i64, role: &str, level: i64) -> Result<bool> {
        let exists: Option<i64> =
            sqlx::query_scalar("SELECT id FROM room_role_hierarchy WHERE room_id = ? AND role = ?")
                .bind(room_id)
                .bind(role)
                .fetch_optional(&self.pool)
                .await?;
        let Some(id) = exists else {
            return Ok(false);
        };
        sqlx::query("UPDATE room_role_hierarchy SET level = ? WHERE id = ?")
            .bind(level)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(true)
    }

    /// A page of a room's members sorted by name (display name, else login, case-insensitive),
    /// optionally only those whose login or display name contains `search`; with the count of
    /// all that match.
    pub async fn members_page(
        &self,
        room_id: i64,
        search: Option<&str>,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<Member>, i64)> {
        // `LIKE` wildcards in the search are matched literally (decision 22), as in message
        // search.
        let pattern = search.map(|text| {
            let escaped = text
                .to_lowercase()
                .replace('!', "!!")
                .replace('%', "!%")
                .replace('_', "!_");
            format!("%{escaped}%")
        });
        let items = sqlx::query_as(member_filter!(
            "SELECT m.id, m.room_id, m.user_id, m.role, m.joined_at, m.timed_out_until, \
             u.login, u.display_name, u.avatar_path, u.avatar_updated_at, u.presence_status",
            "ORDER BY LOWER(COALESCE(u.display_name, u.login)), m.id LIMIT ? OFFSET ?"
        ))
        .bind(room_id)
        .bind(pattern.as_deref())
        .bind(pattern.as_deref())
        .bind(pattern.as_deref())
        .bind(limit)
        .bind(offset)
        .fetch_all(&self.pool)
        .await?;
        let total = sqlx::query_scalar(member_filter!("SELECT COUNT(*)", ""))
            .bind(room_id)
            .bind(pattern.as_deref())
            .bind(pattern.as_deref())
            .bind(pattern.as_deref())
            .fetch_one(&self.pool)
            .await?;
        Ok((items, total))
    }

    /// How many members a room has.
    pub async fn member_count(&self, room_id: i64) -> Result<i64> {
        Ok(
            sqlx::query_scalar("SELECT COUNT(*) FROM room_members WHERE room_id = ?")
                .bind(room_id)
                .fetch_one(&self.pool)
                .await?,
        )
    }
}

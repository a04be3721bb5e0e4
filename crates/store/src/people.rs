//! Friends and blocks: directional friend links (requester → addressee, at most one row per
//! pair, looked up both ways) and one-way blocks. Also the public fields of people.

use sqlx::FromRow;

use crate::{Result, Store, StoreError, insert_returning_id, now_micros};

/// What others may see of an account, with what presence needs.
#[derive(Debug, Clone, FromRow)]
pub struct Person {
    pub id: i64,
    pub login: String,
    pub display_name: Option<String>,
    pub avatar_path: Option<String>,
    pub avatar_updated_at: Option<i64>,
    pub presence_status: String,
    pub presence_invisible: i64,
    pub last_seen_at: Option<i64>,
}

#[derive(Debug, Clone, FromRow)]
pub struct FriendLink {
    pub id: i64,
    pub requester_id: i64,
    pub addressee_id: i64,
    pub status: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub responded_at: Option<i64>,
}

const PERSON: &str = "SELECT id, login, display_name, avatar_path, avatar_updated_at, \
     presence_status, presence_invisible, last_seen_at FROM users";

macro_rules! select_link {
    ($tail:literal) => {
        concat!(
            "SELECT id, requester_id, addressee_id, status, created_at, updated_at, responded_at \
             FROM friend_links ",
            $tail
        )
    };
}

/// Integers only, for an `IN (…)` list.
pub(crate) fn id_list(ids: &[i64]) -> String {
    let list: Vec<String> = ids.iter().map(i64::to_string).collect();
    list.join(",")
}

impl Store {
    pub async fn person(&self, id: i64) -> Result<Option<Person>> {
        Ok(self.people(&[id]).await?.into_iter().next())
    }

    /// The people of `ids` that exist, in no particular order.
    pub async fn people(&self, ids: &[i64]) -> Result<Vec<Person>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        self.fetch_listed(format!("{PERSON} WHERE id IN ({})", id_list(ids)))
            .await
    }

    /// Records when a user was last connected.
    pub async fn set_last_seen(&self, id: i64, at: i64) -> Result<()> {
        sqlx::query("UPDATE users SET last_seen_at = ? WHERE id = ?")
            .bind(at)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Sets or clears "appear offline".
    pub async fn set_invisible(&self, id: i64, invisible: bool) -> Result<()> {
        sqlx::query("UPDATE users SET presence_invisible = ?, updated_at = ? WHERE id = ?")
            .bind(i64::from(invisible))
            .bind(now_micros())
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn friend_link(&self, id: i64) -> Result<Option<FriendLink>> {
        Ok(sqlx::query_as(select_link!("WHERE id = ?"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?)
    }

    /// The link between two users, whichever asked whom.
    pub async fn friend_link_between(&self, a: i64, b: i64) -> Result<Option<FriendLink>> {
        Ok(sqlx::query_as(select_link!(
            "WHERE (requester_id = ? AND addressee_id = ?) OR (requester_id = ? AND addressee_id = ?) \
             ORDER BY id LIMIT 1"
        ))
        .bind(a)
        .bind(b)
        .bind(b)
        .bind(a)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// A new pending request; [`StoreError::Conflict`] when the pair already has one.
    pub async fn create_friend_link(&self, requester: i64, addressee: i64) -> Result<FriendLink> {
        let now = now_micros();
        let mut conn = self.pool.acquire().await?;
        let query = sqlx::query(
            "INSERT INTO friend_links (requester_id, addressee_id, status, created_at, updated_at) \
             VALUES (?, ?, 'pending', ?, ?)",
        )
        .bind(requester)
        .bind(addressee)
        .bind(now)
        .bind(now);
        let id = insert_returning_id(&mut conn, self.backend, query).await?;
        drop(conn);
        self.friend_link(id).await?.ok_or(StoreError::NotFound)
    }

    /// Makes an existing link a fresh pending request from `requester` to `addressee`.
    pub async fn renew_friend_link(
        &self,
        id: i64,
        requester: i64,
        addressee: i64,
    ) -> Result<FriendLink> {
        let now = now_micros();
        sqlx::query(
            "UPDATE friend_links SET requester_id = ?, addressee_id = ?, status = 'pending', \
             created_at = ?, updated_at = ?, responded_at = NULL WHERE id = ?",
        )
        .bind(requester)
        .bind(addressee)
        .bind(now)
        .bind(now)
        .bind(id)
        .execute(&self.pool)
        .await?;
        self.friend_link(id).await?.ok_or(StoreError::NotFound)
    }

    /// Answers a request (`accepted` or `declined`), stamping `responded_at`.
    pub async fn answer_friend_link(&self, id: i64, status: &str) -> Result<FriendLink> {
        let now = now_micros();
        sqlx::query(
            "UPDATE friend_links SET status = ?, responded_at = ?, updated_at = ? WHERE id = ?",
        )
        .bind(status)
        .bind(now)
        .bind(now)
        .bind(id)
        .execute(&self.pool)
        .await?;
        self.friend_link(id).await?.ok_or(StoreError::NotFound)
    }

    pub async fn delete_friend_link(&self, id: i64) -> Result<bool> {
        let done = sqlx::query("DELETE FROM friend_links WHERE id = ?")
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    /// The other side of each accepted link of `user`.
    pub async fn friend_ids(&self, user: i64, limit: i64) -> Result<Vec<i64>> {
        Ok(sqlx::query_scalar(
            "SELECT CASE WHEN requester_id = ? THEN addressee_id ELSE requester_id END \
             FROM friend_links WHERE (requester_id = ? OR addressee_id = ?) \
             AND status = 'accepted' ORDER BY id LIMIT ?",
        )
        .bind(user)
        .bind(user)
        .bind(user)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Pending links of `user`, either way, oldest first.
    pub async fn pending_links(&self, user: i64, limit: i64) -> Result<Vec<FriendLink>> {
        Ok(sqlx::query_as(select_link!(
            "WHERE (requester_id = ? OR addressee_id = ?) AND status = 'pending' \
             ORDER BY created_at, id LIMIT ?"
        ))
        .bind(user)
        .bind(user)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Blocks `blocked` for `blocker`; `false` if it already was.
    pub async fn block(&self, blocker: i64, blocked: i64) -> Result<bool> {
        let done = sqlx::query(
            "INSERT INTO user_blocks (blocker_id, blocked_id, created_at) VALUES (?, ?, ?)",
        )
        .bind(blocker)
        .bind(blocked)
        .bind(now_micros())
        .execute(&self.pool)
        .await;
        match done.map_err(StoreError::from) {
            Ok(_) => Ok(true),
            Err(StoreError::Conflict(_)) => Ok(false),
            Err(e) => Err(e),
        }
    }

    pub async fn unblock(&self, blocker: i64, blocked: i64) -> Result<bool> {
        let done = sqlx::query("DELETE FROM user_blocks WHERE blocker_id = ? AND blocked_id = ?")
            .bind(blocker)
            .bind(blocked)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Whom `blocker` blocks, most recent first.
    pub async fn blocked_ids(&self, blocker: i64, limit: i64) -> Result<Vec<i64>> {
        Ok(sqlx::query_scalar(
            "SELECT blocked_id FROM user_blocks WHERE blocker_id = ? \
             ORDER BY created_at DESC LIMIT ?",
        )
        .bind(blocker)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Who blocks `user` (their status is hidden from `user`).
    pub async fn blocker_ids(&self, user: i64) -> Result<Vec<i64>> {
        Ok(
            sqlx::query_scalar("SELECT blocker_id FROM user_blocks WHERE blocked_id = ?")
                .bind(user)
                .fetch_all(&self.pool)
                .await?,
        )
    }

    /// Whether `blocker` blocks `blocked`.
    pub async fn blocks(&self, blocker: i64, blocked: i64) -> Result<bool> {
        let found: Option<i64> = sqlx::query_scalar(
            "SELECT blocker_id FROM user_blocks WHERE blocker_id = ? AND blocked_id = ?",
        )
        .bind(blocker)
        .bind(blocked)
        .fetch_optional(&self.pool)
        .await?;
        Ok(found.is_some())
    }
}

//! Room invitations.

use crate::{Invitation, Result, Role, Store, insert_returning_id, now_micros};

macro_rules! select_invitation {
    ($tail:literal) => {
        concat!(
            "SELECT id, room_id, code, role, created_by_id, expires_at, created_at \
             FROM room_invitations ",
            $tail
        )
    };
}

impl Store {
    /// Stores an invitation; a code collision is a [`StoreError::Conflict`].
    pub async fn create_invitation(
        &self,
        room_id: i64,
        code: &str,
        role: Role,
        created_by: i64,
        expires_at: Option<i64>,
    ) -> Result<Invitation> {
        let now = now_micros();
        let query = sqlx::query(
            "INSERT INTO room_invitations (room_id, code, role, created_by_id, expires_at, created_at) \
             VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(room_id)
        .bind(code)
        .bind(role.as_str())
        .bind(created_by)
        .bind(expires_at)
        .bind(now);
        let mut conn = self.pool.acquire().await?;
        let id = insert_returning_id(&mut conn, self.backend, query).await?;
        Ok(Invitation {
            id,
            room_id,
            code: code.to_owned(),
            role: role.as_str().to_owned(),
            created_by_id: Some(created_by),
            expires_at,
            created_at: now,
        })
    }

    /// A room's invitations, newest first, at most `limit`.
    pub async fn invitations(&self, room_id: i64, limit: i64) -> Result<Vec<Invitation>> {
        Ok(sqlx::query_as(select_invitation!(
            "WHERE room_id = ? ORDER BY created_at DESC, id DESC LIMIT ?"
        ))
        .bind(room_id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn invitation_by_code(&self, code: &str) -> Result<Option<Invitation>> {
        Ok(sqlx::query_as(select_invitation!("WHERE code = ?"))
            .bind(code)
            .fetch_optional(&self.pool)
            .await?)
    }

    /// Deletes an invitation of this room; `false` when there is none.
    pub async fn delete_invitation(&self, room_id: i64, invitation_id: i64) -> Result<bool> {
        let done = sqlx::query("DELETE FROM room_invitations WHERE id = ? AND room_id = ?")
            .bind(invitation_id)
            .bind(room_id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }
}

//! Sign-in sessions and their rotating refresh tokens (hashes only; the domain makes and
//! hashes the tokens). A session is one sign-in; each refresh marks the presented token used
//! and adds its successor, so a used token presented again is told apart from an unknown one.

use crate::{Backend, Result, Store, insert_returning_id, now_micros};

/// What presenting a refresh token led to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rotation {
    /// The token was current: it is now used and its successor is stored.
    Rotated { session_id: i64, user_id: i64 },
    /// The token had already been used: the session has just been revoked.
    Reused { session_id: i64, user_id: i64 },
    /// No such token, or it expired, or its session had ended.
    Refused,
}

#[derive(sqlx::FromRow)]
struct Presented {
    token_id: i64,
    session_id: i64,
    user_id: i64,
    token_expires_at: i64,
    used_at: Option<i64>,
    revoked_at: Option<i64>,
}

impl Store {
    /// Starts a session for `user_id` with its first refresh token (expiring at `expires_at`,
    /// microseconds). Ended and expired sessions of the user are deleted first, so the table
    /// holds live sessions and the recent history of tokens only.
    pub async fn create_session(
        &self,
        user_id: i64,
        token_hash: &str,
        expires_at: i64,
    ) -> Result<i64> {
        let now = now_micros();
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "DELETE FROM auth_refresh_tokens WHERE session_id IN (SELECT id FROM auth_sessions \
             WHERE user_id = ? AND (revoked_at IS NOT NULL OR expires_at < ?))",
        )
        .bind(user_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "DELETE FROM auth_sessions WHERE user_id = ? AND (revoked_at IS NOT NULL OR expires_at < ?)",
        )
        .bind(user_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let insert = sqlx::query(
            "INSERT INTO auth_sessions (user_id, created_at, refreshed_at, expires_at) \
             VALUES (?, ?, ?, ?)",
        )
        .bind(user_id)
        .bind(now)
        .bind(now)
        .bind(expires_at);
        let session_id = insert_returning_id(&mut tx, self.backend, insert).await?;
        insert_token(&mut tx, session_id, token_hash, now, expires_at).await?;
        tx.commit().await?;
        Ok(session_id)
    }

    /// Exchanges the refresh token hashed `old_hash` for `new_hash` (expiring at
    /// `expires_at`). A token already used revokes its whole session.
    pub async fn rotate_refresh_token(
        &self,
        old_hash: &str,
        new_hash: &str,
        expires_at: i64,
    ) -> Result<Rotation> {
        let now = now_micros();
        let mut tx = self.pool.begin().await?;
        let lock = match self.backend {
            Backend::MySql => " FOR UPDATE",
            Backend::Sqlite => "",
        };
        let sql = format!(
            "SELECT t.id AS token_id, t.session_id, s.user_id, t.expires_at AS token_expires_at, \
             t.used_at, s.revoked_at FROM auth_refresh_tokens t \
             JOIN auth_sessions s ON s.id = t.session_id WHERE t.token_hash = ?{lock}"
        );
        let presented: Option<Presented> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(old_hash)
            .fetch_optional(&mut *tx)
            .await?;
        let Some(token) = presented else {
            return Ok(Rotation::Refused);
        };
        if token.revoked_at.is_some() {
            return Ok(Rotation::Refused);
        }
        let (session_id, user_id) = (token.session_id, token.user_id);
        // Claimed with a condition, so two requests racing with one token cannot both win:
        // the loser is a reuse like any other.
        let claimed = token.used_at.is_none()
            && sqlx::query(
                "UPDATE auth_refresh_tokens SET used_at = ? WHERE id = ? AND used_at IS NULL",
            )
            .bind(now)
            .bind(token.token_id)
            .execute(&mut *tx)
            .await?
            .rows_affected()
                == 1;
        if !claimed {
            revoke(&mut tx, session_id, now).await?;
            tx.commit().await?;
            return Ok(Rotation::Reused {
                session_id,
                user_id,
            });
        }
        if token.token_expires_at <= now {
            tx.commit().await?;
            return Ok(Rotation::Refused);
        }
        insert_token(&mut tx, session_id, new_hash, now, expires_at).await?;
        sqlx::query("UPDATE auth_sessions SET refreshed_at = ?, expires_at = ? WHERE id = ?")
            .bind(now)
            .bind(expires_at)
            .bind(session_id)
            .execute(&mut *tx)
            .await?;
        // Tokens past their expiry can no longer be presented usefully; the rest stay for
        // reuse detection.
        sqlx::query("DELETE FROM auth_refresh_tokens WHERE session_id = ? AND expires_at < ?")
            .bind(session_id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(Rotation::Rotated {
            session_id,
            user_id,
        })
    }

    /// Whether the session is live (not revoked, not expired); its user if so.
    pub async fn live_session_user(&self, session_id: i64) -> Result<Option<i64>> {
        Ok(sqlx::query_scalar(
            "SELECT user_id FROM auth_sessions WHERE id = ? AND revoked_at IS NULL AND expires_at > ?",
        )
        .bind(session_id)
        .bind(now_micros())
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Ends one session of `user_id`; false if it was not theirs or had already ended.
    pub async fn revoke_session(&self, user_id: i64, session_id: i64) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE auth_sessions SET revoked_at = ? WHERE id = ? AND user_id = ? \
             AND revoked_at IS NULL",
        )
        .bind(now_micros())
        .bind(session_id)
        .bind(user_id)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Ends every live session of `user_id` except `keep`; returns the sessions ended.
    pub async fn revoke_user_sessions(&self, user_id: i64, keep: Option<i64>) -> Result<Vec<i64>> {
        let now = now_micros();
        let keep = keep.unwrap_or(0);
        let mut tx = self.pool.begin().await?;
        let ids: Vec<i64> = sqlx::query_scalar(
            "SELECT id FROM auth_sessions WHERE user_id = ? AND id <> ? AND revoked_at IS NULL",
        )
        .bind(user_id)
        .bind(keep)
        .fetch_all(&mut *tx)
        .await?;
        sqlx::query(
            "UPDATE auth_sessions SET revoked_at = ? WHERE user_id = ? AND id <> ? \
             AND revoked_at IS NULL",
        )
        .bind(now)
        .bind(user_id)
        .bind(keep)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(ids)
    }

    /// Ends the user's live sessions beyond the `keep` newest; returns the sessions ended.
    pub async fn revoke_sessions_beyond(&self, user_id: i64, keep: u32) -> Result<Vec<i64>> {
        let live: Vec<i64> = sqlx::query_scalar(
            "SELECT id FROM auth_sessions WHERE user_id = ? AND revoked_at IS NULL ORDER BY id DESC",
        )
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?;
        let ended: Vec<i64> = live.into_iter().skip(keep as usize).collect();
        let now = now_micros();
        for id in &ended {
            revoke(&mut *self.pool.acquire().await?, *id, now).await?;
        }
        Ok(ended)
    }

    /// Replaces an account's password hash.
    pub async fn set_password(&self, user_id: i64, hashed_password: &str) -> Result<()> {
        sqlx::query("UPDATE users SET hashed_password = ?, updated_at = ? WHERE id = ?")
            .bind(hashed_password)
            .bind(now_micros())
            .bind(user_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

async fn insert_token(
    conn: &mut sqlx::AnyConnection,
    session_id: i64,
    token_hash: &str,
    now: i64,
    expires_at: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO auth_refresh_tokens (session_id, token_hash, created_at, expires_at) \
         VALUES (?, ?, ?, ?)",
    )
    .bind(session_id)
    .bind(token_hash)
    .bind(now)
    .bind(expires_at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

async fn revoke(conn: &mut sqlx::AnyConnection, session_id: i64, now: i64) -> Result<()> {
    sqlx::query("UPDATE auth_sessions SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL")
        .bind(now)
        .bind(session_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

//! Accounts.

use crate::{Result, Store, StoreError, User, insert_returning_id, now_micros};

macro_rules! select_user {
    ($tail:literal) => {
        concat!(
            "SELECT id, login, hashed_password, display_name, avatar_updated_at, avatar_path, \
             presence_status, presence_invisible, created_at, updated_at FROM users ",
            $tail
        )
    };
}

impl Store {
    /// Creates an account; a taken login or login key (the case-folded login) is a
    /// [`StoreError::Conflict`].
    pub async fn create_user(
        &self,
        login: &str,
        login_key: &str,
        hashed_password: &str,
        display_name: Option<&str>,
        status: &str,
    ) -> Result<User> {
        let now = now_micros();
        let mut conn = self.pool.acquire().await?;
        let query = sqlx::query(
            "INSERT INTO users (login, login_key, hashed_password, display_name, presence_status, \
             created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(login)
        .bind(login_key)
        .bind(hashed_password)
        .bind(display_name)
        .bind(status)
        .bind(now)
        .bind(now);
        let id = insert_returning_id(&mut conn, self.backend, query).await?;
        drop(conn);
        self.user_by_id(id).await?.ok_or(StoreError::NotFound)
    }

    pub async fn user_by_id(&self, id: i64) -> Result<Option<User>> {
        Ok(sqlx::query_as(select_user!("WHERE id = ?"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?)
    }

    pub async fn user_by_login(&self, login: &str) -> Result<Option<User>> {
        Ok(sqlx::query_as(select_user!("WHERE login = ?"))
            .bind(login)
            .fetch_optional(&self.pool)
            .await?)
    }

    /// The account whose case-folded login is `key` (accounts created before logins were
    /// folded and colliding with an older one have no key and are found by exact login only).
    pub async fn user_by_login_key(&self, key: &str) -> Result<Option<User>> {
        Ok(sqlx::query_as(select_user!("WHERE login_key = ?"))
            .bind(key)
            .fetch_optional(&self.pool)
            .await?)
    }

    /// Accounts without a login key, oldest first: those created before keys existed (until
    /// [`Store::set_login_key`] gives them one) and those whose key collides with another's.
    pub async fn users_without_login_key(&self) -> Result<Vec<(i64, String)>> {
        Ok(
            sqlx::query_as("SELECT id, login FROM users WHERE login_key IS NULL ORDER BY id")
                .fetch_all(&self.pool)
                .await?,
        )
    }

    /// Gives an account its login key; `false` when another account already holds that key.
    pub async fn set_login_key(&self, id: i64, key: &str) -> Result<bool> {
        let done = sqlx::query("UPDATE users SET login_key = ? WHERE id = ?")
            .bind(key)
            .bind(id)
            .execute(&self.pool)
            .await;
        match done.map_err(StoreError::from) {
            Ok(_) => Ok(true),
            Err(StoreError::Conflict(_)) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Replaces an account's password hash (a predecessor's hash upgraded after a sign-in).
    pub async fn set_password_hash(&self, id: i64, hashed_password: &str) -> Result<()> {
        sqlx::query("UPDATE users SET hashed_password = ? WHERE id = ?")
            .bind(hashed_password)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Sets whichever of display name and presence status is given; `None` if the account is
    /// gone.
    pub async fn update_profile(
        &self,
        id: i64,
        display_name: Option<&str>,
        status: Option<&str>,
    ) -> Result<Option<User>> {
        sqlx::query(
            "UPDATE users SET display_name = COALESCE(?, display_name), \
             presence_status = COALESCE(?, presence_status), updated_at = ? WHERE id = ?",
        )
        .bind(display_name)
        .bind(status)
        .bind(now_micros())
        .bind(id)
        .execute(&self.pool)
        .await?;
        self.user_by_id(id).await
    }
}

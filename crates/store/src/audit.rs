//! The room audit log: one row per change, with who made it, what it touched and the state
//! before and after (JSON text), read newest first by id.

use sqlx::FromRow;

use crate::{Result, Store, now_micros};

/// An entry as written.
#[derive(Debug, Clone)]
pub struct NewAuditEntry<'a> {
    pub room_id: i64,
    pub actor_id: Option<i64>,
    pub action: &'a str,
    pub target_type: &'a str,
    pub target_id: Option<i64>,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// An entry as read, with the actor's public fields.
#[derive(Debug, Clone, FromRow)]
pub struct AuditEntry {
    pub id: i64,
    pub room_id: i64,
    pub actor_id: Option<i64>,
    pub action: String,
    pub target_type: String,
    pub target_id: Option<i64>,
    pub before_json: Option<String>,
    pub after_json: Option<String>,
    pub created_at: i64,
    pub actor_login: Option<String>,
    pub actor_display_name: Option<String>,
    pub actor_avatar_path: Option<String>,
    pub actor_avatar_updated_at: Option<i64>,
    pub actor_presence_status: Option<String>,
}

impl Store {
    pub async fn insert_audit(&self, entry: &NewAuditEntry<'_>) -> Result<()> {
        sqlx::query(
            "INSERT INTO room_audit_log \
             (room_id, actor_id, action, target_type, target_id, before_json, after_json, created_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(entry.room_id)
        .bind(entry.actor_id)
        .bind(entry.action)
        .bind(entry.target_type)
        .bind(entry.target_id)
        .bind(entry.before.as_deref())
        .bind(entry.after.as_deref())
        .bind(now_micros())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Up to `limit` entries of a room older than `before_id` (all when `None`), newest first.
    pub async fn audit_log(
        &self,
        room_id: i64,
        before_id: Option<i64>,
        limit: i64,
    ) -> Result<Vec<AuditEntry>> {
        Ok(sqlx::query_as(
            "SELECT a.id, a.room_id, a.actor_id, a.action, a.target_type, a.target_id, \
             a.before_json, a.after_json, a.created_at, u.login AS actor_login, \
             u.display_name AS actor_display_name, u.avatar_path AS actor_avatar_path, \
             u.avatar_updated_at AS actor_avatar_updated_at, \
             u.presence_status AS actor_presence_status \
             FROM room_audit_log a LEFT JOIN users u ON u.id = a.actor_id \
             WHERE a.room_id = ? AND a.id < ? ORDER BY a.id DESC LIMIT ?",
        )
        .bind(room_id)
        .bind(before_id.unwrap_or(i64::MAX))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }
}

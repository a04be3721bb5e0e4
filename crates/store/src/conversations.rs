//! Direct conversations (1:1 and groups), their participants, messages and reactions. Pages
//! walk a conversation in id order, as channel history does.

use sqlx::FromRow;

use crate::people::id_list;
use crate::{Result, Store, StoreError, insert_returning_id, now_micros};

#[derive(Debug, Clone, FromRow)]
pub struct Conversation {
    pub id: i64,
    pub user_a_id: Option<i64>,
    pub user_b_id: Option<i64>,
    pub creator_id: Option<i64>,
    pub title: Option<String>,
    pub is_group: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub last_message_at: Option<i64>,
}

#[derive(Debug, Clone, FromRow)]
pub struct Participant {
    pub conversation_id: i64,
    pub user_id: i64,
    pub nickname: Option<String>,
    pub note: Option<String>,
    pub joined_at: i64,
    pub last_read_at: Option<i64>,
}

#[derive(Debug, Clone, FromRow)]
pub struct DirectMessage {
    pub id: i64,
    pub conversation_id: i64,
    pub sender_id: i64,
    pub recipient_id: Option<i64>,
    pub parent_id: Option<i64>,
    pub content: String,
    pub created_at: i64,
    pub edited_at: Option<i64>,
    pub deleted_at: Option<i64>,
    pub read_at: Option<i64>,
}

#[derive(Debug, Clone, FromRow)]
pub struct DirectReaction {
    pub message_id: i64,
    pub user_id: i64,
    pub emoji: String,
}

const CONVERSATION: &str = "SELECT id, user_a_id, user_b_id, creator_id, title, is_group, \
     created_at, updated_at, last_message_at FROM direct_conversations";
const PARTICIPANT: &str = "SELECT conversation_id, user_id, nickname, note, joined_at, \
     last_read_at FROM direct_conversation_participants";
const MESSAGE: &str = "SELECT id, conversation_id, sender_id, recipient_id, parent_id, content, \
     created_at, edited_at, deleted_at, read_at FROM direct_messages";

impl Store {
    pub async fn conversation(&self, id: i64) -> Result<Option<Conversation>> {
        Ok(
            sqlx::query_as(sqlx::AssertSqlSafe(format!("{CONVERSATION} WHERE id = ?")))
                .bind(id)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    /// The 1:1 conversation of two users, created (with both participants) when missing.
    pub async fn pair_conversation(&self, a: i64, b: i64, creator: i64) -> Result<Conversation> {
        let (low, high) = (a.min(b), a.max(b));
        let find = format!("{CONVERSATION} WHERE user_a_id = ? AND user_b_id = ?");
        let existing: Option<Conversation> = sqlx::query_as(sqlx::AssertSqlSafe(find.clone()))
            .bind(low)
            .bind(high)
            .fetch_optional(&self.pool)
            .await?;
        let conversation = match existing {
            Some(c) => c,
            None => {
                let now = now_micros();
                let mut conn = self.pool.acquire().await?;
                let query = sqlx::query(
                    "INSERT INTO direct_conversations (user_a_id, user_b_id, creator_id, is_group, \
                     created_at, updated_at) VALUES (?, ?, ?, 0, ?, ?)",
                )
                .bind(low)
                .bind(high)
                .bind(creator)
                .bind(now)
                .bind(now);
                match insert_returning_id(&mut conn, self.backend, query).await {
                    // Created meanwhile by the other user: use theirs.
                    Ok(_) | Err(StoreError::Conflict(_)) => {}
                    Err(e) => return Err(e),
                }
                drop(conn);
                sqlx::query_as(sqlx::AssertSqlSafe(find))
                    .bind(low)
                    .bind(high)
                    .fetch_one(&self.pool)
                    .await?
            }
        };
        self.add_participants(conversation.id, &[low, high]).await?;
        Ok(conversation)
    }

    /// A new group with `members` (the creator among them).
    pub async fn create_group(
        &self,
        creator: i64,
        title: Option<&str>,
        members: &[i64],
    ) -> Result<Conversation> {
        let now = now_micros();
        let mut conn = self.pool.acquire().await?;
        let query = sqlx::query(
            "INSERT INTO direct_conversations (creator_id, title, is_group, created_at, \
             updated_at, last_message_at) VALUES (?, ?, 1, ?, ?, ?)",
        )
        .bind(creator)
        .bind(title)
        .bind(now)
        .bind(now)
        .bind(now);
        let id = insert_returning_id(&mut conn, self.backend, query).await?;
        drop(conn);
        self.add_participants(id, members).await?;
        self.conversation(id).await?.ok_or(StoreError::NotFound)
    }

    /// Adds participants who are not in yet.
    pub async fn add_participants(&self, conversation: i64, users: &[i64]) -> Result<()> {
        let now = now_micros();
        for &user in users {
            let done = sqlx::query(
                "INSERT INTO direct_conversation_participants (conversation_id, user_id, joined_at) \
                 VALUES (?, ?, ?)",
            )
            .bind(conversation)
            .bind(user)
            .bind(now)
            .execute(&self.pool)
            .await;
            match done.map_err(StoreError::from) {
                Ok(_) | Err(StoreError::Conflict(_)) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    pub async fn remove_participant(&self, conversation: i64, user: i64) -> Result<bool> {
        let done = sqlx::query(
            "DELETE FROM direct_conversation_participants WHERE conversation_id = ? AND user_id = ?",
        )
        .bind(conversation)
        .bind(user)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    pub async fn delete_conversation(&self, id: i64) -> Result<()> {
        sqlx::query("DELETE FROM direct_conversations WHERE id = ?")
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn rename_conversation(&self, id: i64, title: Option<&str>) -> Result<()> {
        sqlx::query("UPDATE direct_conversations SET title = ?, updated_at = ? WHERE id = ?")
            .bind(title)
            .bind(now_micros())
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Conversations `user` takes part in, latest activity first.
    pub async fn conversations_of(&self, user: i64, limit: i64) -> Result<Vec<Conversation>> {
        Ok(sqlx::query_as(
            "SELECT c.id, c.user_a_id, c.user_b_id, c.creator_id, c.title, c.is_group, \
             c.created_at, c.updated_at, c.last_message_at FROM direct_conversations c \
             JOIN direct_conversation_participants p ON p.conversation_id = c.id AND p.user_id = ? \
             ORDER BY COALESCE(c.last_message_at, 0) DESC, c.updated_at DESC, c.id DESC LIMIT ?",
        )
        .bind(user)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Participants of the listed conversations, in joining order.
    pub async fn participants(&self, conversations: &[i64]) -> Result<Vec<Participant>> {
        if conversations.is_empty() {
            return Ok(Vec::new());
        }
        self.fetch_listed(format!(
            "{PARTICIPANT} WHERE conversation_id IN ({}) ORDER BY joined_at, id",
            id_list(conversations)
        ))
        .await
    }

    pub async fn participant(&self, conversation: i64, user: i64) -> Result<Option<Participant>> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{PARTICIPANT} WHERE conversation_id = ? AND user_id = ?"
        )))
        .bind(conversation)
        .bind(user)
        .fetch_optional(&self.pool)
        .await?)
    }

    pub async fn set_note(&self, conversation: i64, user: i64, note: Option<&str>) -> Result<()> {
        sqlx::query(
            "UPDATE direct_conversation_participants SET note = ? \
             WHERE conversation_id = ? AND user_id = ?",
        )
        .bind(note)
        .bind(conversation)
        .bind(user)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// `user` has read `conversation` up to now: their `last_read_at`, and the `read_at` of
    /// 1:1 messages addressed to them.
    pub async fn mark_conversation_read(&self, conversation: i64, user: i64) -> Result<()> {
        let now = now_micros();
        sqlx::query(
            "UPDATE direct_conversation_participants SET last_read_at = ? \
             WHERE conversation_id = ? AND user_id = ?",
        )
        .bind(now)
        .bind(conversation)
        .bind(user)
        .execute(&self.pool)
        .await?;
        sqlx::query(
            "UPDATE direct_messages SET read_at = ? \
             WHERE conversation_id = ? AND recipient_id = ? AND read_at IS NULL",
        )
        .bind(now)
        .bind(conversation)
        .bind(user)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Messages by others that `user` has not read, per listed conversation: in 1:1, those
    /// addressed to them without `read_at`; in groups, those after their `last_read_at`.
    pub async fn conversation_unread_counts(
        &self,
        user: i64,
        conversations: &[i64],
    ) -> Result<Vec<(i64, i64)>> {
        if conversations.is_empty() {
            return Ok(Vec::new());
        }
        self.fetch_listed(format!(
            "SELECT m.conversation_id, COUNT(*) FROM direct_messages m \
             JOIN direct_conversations c ON c.id = m.conversation_id \
             JOIN direct_conversation_participants p \
               ON p.conversation_id = m.conversation_id AND p.user_id = {user} \
             WHERE m.conversation_id IN ({}) AND m.sender_id <> {user} AND m.deleted_at IS NULL \
             AND ((c.is_group = 0 AND m.recipient_id = {user} AND m.read_at IS NULL) \
               OR (c.is_group = 1 AND (p.last_read_at IS NULL OR m.created_at > p.last_read_at))) \
             GROUP BY m.conversation_id",
            id_list(conversations)
        ))
        .await
    }

    /// The newest message of each listed conversation that has one.
    pub async fn last_messages(&self, conversations: &[i64]) -> Result<Vec<DirectMessage>> {
        if conversations.is_empty() {
            return Ok(Vec::new());
        }
        self.fetch_listed(format!(
            "{MESSAGE} WHERE id IN (SELECT MAX(id) FROM direct_messages \
             WHERE conversation_id IN ({}) GROUP BY conversation_id)",
            id_list(conversations)
        ))
        .await
    }

    /// Stores a message and moves the conversation's activity and the sender's read mark.
    pub async fn create_direct_message(
        &self,
        conversation: i64,
        sender: i64,
        recipient: Option<i64>,
        parent: Option<i64>,
        content: &str,
    ) -> Result<DirectMessage> {
        let now = now_micros();
        let mut tx = self.pool.begin().await?;
        let query = sqlx::query(
            "INSERT INTO direct_messages (conversation_id, sender_id, recipient_id, parent_id, \
             content, created_at) VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(conversation)
        .bind(sender)
        .bind(recipient)
        .bind(parent)
        .bind(content)
        .bind(now);
        let id = insert_returning_id(&mut tx, self.backend, query).await?;
        sqlx::query(
            "UPDATE direct_conversations SET last_message_at = ?, updated_at = ? WHERE id = ?",
        )
        .bind(now)
        .bind(now)
        .bind(conversation)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "UPDATE direct_conversation_participants SET last_read_at = ? \
             WHERE conversation_id = ? AND user_id = ?",
        )
        .bind(now)
        .bind(conversation)
        .bind(sender)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        self.direct_message(id).await?.ok_or(StoreError::NotFound)
    }

    pub async fn direct_message(&self, id: i64) -> Result<Option<DirectMessage>> {
        Ok(
            sqlx::query_as(sqlx::AssertSqlSafe(format!("{MESSAGE} WHERE id = ?")))
                .bind(id)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    /// Up to `limit` messages before `before` (or the newest), oldest first; the flag says
    /// whether older ones remain.
    pub async fn direct_page(
        &self,
        conversation: i64,
        before: Option<i64>,
        limit: i64,
    ) -> Result<(Vec<DirectMessage>, bool)> {
        let mut rows: Vec<DirectMessage> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{MESSAGE} WHERE conversation_id = ? AND id < ? ORDER BY id DESC LIMIT ?"
        )))
        .bind(conversation)
        .bind(before.unwrap_or(i64::MAX))
        .bind(limit + 1)
        .fetch_all(&self.pool)
        .await?;
        let more = rows.len() as i64 > limit;
        rows.truncate(usize::try_from(limit).unwrap_or(0));
        rows.reverse();
        Ok((rows, more))
    }

    pub async fn edit_direct_message(&self, id: i64, content: &str) -> Result<()> {
        sqlx::query("UPDATE direct_messages SET content = ?, edited_at = ? WHERE id = ?")
            .bind(content)
            .bind(now_micros())
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Deletes a message: its content is erased, the row stays so replies keep their place.
    pub async fn delete_direct_message(&self, id: i64) -> Result<()> {
        sqlx::query("UPDATE direct_messages SET content = '', deleted_at = ? WHERE id = ?")
            .bind(now_micros())
            .bind(id)
            .execute(&self.pool)
            .await?;
        sqlx::query("DELETE FROM direct_message_reactions WHERE message_id = ?")
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// `false` when the reaction was already there.
    pub async fn add_direct_reaction(&self, message: i64, user: i64, emoji: &str) -> Result<bool> {
        let done = sqlx::query(
            "INSERT INTO direct_message_reactions (message_id, user_id, emoji, created_at) \
             VALUES (?, ?, ?, ?)",
        )
        .bind(message)
        .bind(user)
        .bind(emoji)
        .bind(now_micros())
        .execute(&self.pool)
        .await;
        match done.map_err(StoreError::from) {
            Ok(_) => Ok(true),
            Err(StoreError::Conflict(_)) => Ok(false),
            Err(e) => Err(e),
        }
    }

    pub async fn remove_direct_reaction(
        &self,
        message: i64,
        user: i64,
        emoji: &str,
    ) -> Result<bool> {
        let done = sqlx::query(
            "DELETE FROM direct_message_reactions WHERE message_id = ? AND user_id = ? AND emoji = ?",
        )
        .bind(message)
        .bind(user)
        .bind(emoji)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Reactions on the listed messages.
    pub async fn direct_reactions(&self, messages: &[i64]) -> Result<Vec<DirectReaction>> {
        if messages.is_empty() {
            return Ok(Vec::new());
        }
        self.fetch_listed(format!(
            "SELECT message_id, user_id, emoji FROM direct_message_reactions \
             WHERE message_id IN ({}) ORDER BY emoji, user_id",
            id_list(messages)
        ))
        .await
    }
}

//! Channel messages: creation with thread links, lookup, and history pages.
//!
//! Pages walk a channel in id order: ids are assigned at commit, so "after the last id I saw"
//! is exactly "everything I missed".

use sqlx::Arguments;
use sqlx::any::AnyArguments;

use crate::{Message, Result, Store, StoreError, insert_returning_id, now_micros};

/// The message columns every read uses, with its author, moderator and pin (a message is
/// pinned at most once: `pinned_messages` is unique on channel and message).
macro_rules! select_message {
    ($tail:literal) => {
        concat!(
            "SELECT m.id, m.channel_id, m.author_id, m.parent_id, \
             COALESCE(m.thread_root_id, m.id) AS thread_root_id, m.content, m.created_at, \
             m.updated_at, m.edited_at, m.deleted_at, m.moderated_at, m.moderation_note, \
             m.moderated_by_id, m.delivered_count, m.read_count, m.mention_ids, \
             m.mention_everyone, u.login AS author_login, u.display_name AS author_display_name, \
             u.avatar_path AS author_avatar_path, u.avatar_updated_at AS author_avatar_updated_at, \
             u.presence_status AS author_presence_status, \
             mu.login AS moderator_login, mu.display_name AS moderator_display_name, \
             mu.avatar_path AS moderator_avatar_path, \
             mu.avatar_updated_at AS moderator_avatar_updated_at, \
             mu.presence_status AS moderator_presence_status, \
             p.id AS pin_id, p.note AS pin_note, p.pinned_at, p.pinned_by_id, \
             pu.login AS pinner_login, pu.display_name AS pinner_display_name, \
             pu.avatar_path AS pinner_avatar_path, \
             pu.avatar_updated_at AS pinner_avatar_updated_at, \
             pu.presence_status AS pinner_presence_status \
             FROM messages m LEFT JOIN users u ON u.id = m.author_id \
             LEFT JOIN users mu ON mu.id = m.moderated_by_id \
             LEFT JOIN pinned_messages p ON p.channel_id = m.channel_id AND p.message_id = m.id \
             LEFT JOIN users pu ON pu.id = p.pinned_by_id ",
            $tail
        )
    };
}

/// Every read column of a message, for queries built elsewhere in the crate (search).
pub(crate) const MESSAGE_SELECT: &str = select_message!("");

/// A message just inserted: its own columns and its author's. No one can have moderated or
/// pinned it yet, and the writer reads every batch back, so it decodes only these.
#[derive(sqlx::FromRow)]
struct NewRow {
    id: i64,
    channel_id: i64,
    author_id: Option<i64>,
    parent_id: Option<i64>,
    thread_root_id: Option<i64>,
    content: String,
    created_at: i64,
    updated_at: i64,
    mention_ids: Option<String>,
    mention_everyone: i64,
    author_login: Option<String>,
    author_display_name: Option<String>,
    author_avatar_path: Option<String>,
    author_avatar_updated_at: Option<i64>,
    author_presence_status: Option<String>,
}

impl From<NewRow> for Message {
    fn from(row: NewRow) -> Self {
        Message {
            id: row.id,
            channel_id: row.channel_id,
            author_id: row.author_id,
            parent_id: row.parent_id,
            thread_root_id: row.thread_root_id,
            content: row.content,
            created_at: row.created_at,
            updated_at: row.updated_at,
            mention_ids: row.mention_ids,
            mention_everyone: row.mention_everyone,
            author_login: row.author_login,
            author_display_name: row.author_display_name,
            author_avatar_path: row.author_avatar_path,
            author_avatar_updated_at: row.author_avatar_updated_at,
            author_presence_status: row.author_presence_status,
            ..Message::default()
        }
    }
}

/// What to store for a new message; `parent_id` must already be checked to be in the channel.
#[derive(Debug, Clone)]
pub struct NewMessage<'a> {
    pub channel_id: i64,
    pub author_id: i64,
    pub content: &'a str,
    pub parent_id: Option<i64>,
    /// Users the message mentions (members of the channel's room, resolved by the domain).
    pub mentions: &'a [i64],
    /// Whether it mentions everyone in the room.
    pub mention_everyone: bool,
    /// The client's nonce: a resend with the same one from the same author within
    /// [`NONCE_WINDOW_MICROS`] returns the first message instead of storing another.
    pub nonce: Option<&'a str>,
}

/// How long a nonce identifies its message: a day.
pub const NONCE_WINDOW_MICROS: i64 = 24 * 3600 * 1_000_000;

/// Which slice of a channel's history to read.
#[derive(Debug, Clone, Copy)]
pub enum HistoryQuery {
    /// The newest `limit` messages.
    Latest { limit: i64 },
    /// The oldest `limit` messages.
    Oldest { limit: i64 },
    /// Up to `limit` messages strictly older than `id`.
    Before { id: i64, limit: i64 },
    /// Up to `limit` messages strictly newer than `id`.
    After { id: i64, limit: i64 },
    /// `id` with up to `(limit-1)/2` older and the rest newer messages around it.
    Around { id: i64, limit: i64 },
}

/// A page in ascending id order, with whether more exists on either side.
#[derive(Debug, Clone)]
pub struct HistoryPage {
    pub items: Vec<Message>,
    pub has_more_backward: bool,
    pub has_more_forward: bool,
}

/// `INSERT` of `rows` messages, one `(?, …)` group per message.
fn insert_messages_sql(rows: usize) -> String {
    let groups = vec!["(?, ?, ?, ?, ?, ?, ?, ?, ?)"; rows].join(", ");
    format!(
        "INSERT INTO messages (channel_id, author_id, parent_id, thread_root_id, content, \
         mention_ids, mention_everyone, created_at, updated_at) VALUES {groups}"
    )
}

/// A message of a batch that is a resend: of a message stored before, or of an earlier one in
/// the same batch.
#[derive(Debug, Clone, Copy)]
enum Replay {
    Stored(i64),
    InBatch(usize),
}

/// Which messages of `batch` resend a nonce already known. A nonce older than the window is
/// forgotten here, so that its author may use it again.
async fn find_replays(
    tx: &mut sqlx::AnyConnection,
    batch: &[NewMessage<'_>],
    now: i64,
) -> Result<Vec<Option<Replay>>> {
    let mut replays = Vec::with_capacity(batch.len());
    for (i, new) in batch.iter().enumerate() {
        let Some(nonce) = new.nonce else {
            replays.push(None);
            continue;
        };
        if let Some(earlier) = batch[..i]
            .iter()
            .position(|o| o.author_id == new.author_id && o.nonce == Some(nonce))
        {
            replays.push(Some(Replay::InBatch(earlier)));
            continue;
        }
        let found: Option<(i64, i64)> = sqlx::query_as(
            "SELECT message_id, created_at FROM message_nonces WHERE author_id = ? AND nonce = ?",
        )
        .bind(new.author_id)
        .bind(nonce)
        .fetch_optional(&mut *tx)
        .await?;
        replays.push(match found {
            Some((id, at)) if at >= now - NONCE_WINDOW_MICROS => Some(Replay::Stored(id)),
            Some(_) => {
                sqlx::query("DELETE FROM message_nonces WHERE author_id = ? AND nonce = ?")
                    .bind(new.author_id)
                    .bind(nonce)
                    .execute(&mut *tx)
                    .await?;
                None
            }
            None => None,
        });
    }
    Ok(replays)
}

/// Stores what comes with a new message: its nonce (unique per author, so two nodes cannot
/// both store a resend) and its mentions, for counting.
async fn record_extras(
    tx: &mut sqlx::AnyConnection,
    new: &NewMessage<'_>,
    id: i64,
    now: i64,
) -> Result<()> {
    if let Some(nonce) = new.nonce {
        sqlx::query(
            "INSERT INTO message_nonces (author_id, nonce, message_id, created_at) \
             VALUES (?, ?, ?, ?)",
        )
        .bind(new.author_id)
        .bind(nonce)
        .bind(id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    }
    let everyone = new.mention_everyone.then_some(None);
    for user in new.mentions.iter().map(|u| Some(*u)).chain(everyone) {
        sqlx::query(
            "INSERT INTO message_mentions (message_id, channel_id, user_id) VALUES (?, ?, ?)",
        )
        .bind(id)
        .bind(new.channel_id)
        .bind(user)
        .execute(&mut *tx)
        .await?;
    }
    Ok(())
}

/// The stored form of a message's mentioned users: ids joined by commas, `None` for none.
fn mention_list(ids: &[i64]) -> Option<String> {
    (!ids.is_empty()).then(|| ids.iter().map(i64::to_string).collect::<Vec<_>>().join(","))
}

/// Most rows in one `INSERT`.
const MAX_INSERT_ROWS: usize = 256;

/// How a batch of `n` rows is split into `INSERT`s: powers of two, largest first (at most
/// `MAX_INSERT_ROWS`), so every batch size uses the same nine statement shapes.
fn insert_chunks(mut n: usize) -> impl Iterator<Item = usize> {
    std::iter::from_fn(move || {
        if n == 0 {
            return None;
        }
        let size = (1 << n.ilog2()).min(MAX_INSERT_ROWS);
        n -= size;
        Some(size)
    })
}

/// `INSERT … RETURNING id` for a chunk of `rows` (a power of two up to `MAX_INSERT_ROWS`),
/// built once per shape rather than on every batch.
fn insert_returning_sql(rows: usize) -> &'static str {
    static SHAPES: std::sync::LazyLock<Vec<String>> = std::sync::LazyLock::new(|| {
        (0..=MAX_INSERT_ROWS.ilog2())
            .map(|k| format!("{} RETURNING id", insert_messages_sql(1 << k)))
            .collect()
    });
    &SHAPES[rows.ilog2() as usize]
}

/// The values for [`insert_messages_sql`]: each message with its thread root.
fn message_arguments<'a>(
    rows: impl Iterator<Item = (&'a NewMessage<'a>, Option<i64>)>,
    now: i64,
) -> Result<AnyArguments> {
    let mut arguments = AnyArguments::default();
    for (new, root) in rows {
        arguments
            .add(new.channel_id)
            .and_then(|()| arguments.add(new.author_id))
            .and_then(|()| arguments.add(new.parent_id))
            .and_then(|()| arguments.add(root))
            .and_then(|()| arguments.add(new.content))
            .and_then(|()| arguments.add(mention_list(new.mentions)))
            .and_then(|()| arguments.add(i64::from(new.mention_everyone)))
            .and_then(|()| arguments.add(now))
            .and_then(|()| arguments.add(now))
            .map_err(sqlx::Error::Encode)?;
    }
    Ok(arguments)
}

impl Store {
    /// Stores a message. Replies inherit their parent's thread root. A resend (same author
    /// and nonce within a day) returns the message first stored, marked `replayed`.
    pub async fn create_message(&self, new: NewMessage<'_>) -> Result<Message> {
        let result = match self.create_messages(std::slice::from_ref(&new)).await {
            // Another node stored the same nonce between our lookup and our insert: this
            // attempt finds it.
            Err(StoreError::Conflict(_)) if new.nonce.is_some() => {
                self.create_messages(std::slice::from_ref(&new)).await
            }
            other => other,
        };
        result?.pop().ok_or(StoreError::NotFound)
    }

    /// Stores several messages in **one transaction** (one commit, one disk flush for the
    /// batch) and returns them in order. All or nothing: callers retry one by one on error.
    /// Messages whose nonce is already known are not stored again: the earlier message takes
    /// their place in the answer, marked `replayed`.
    pub async fn create_messages(&self, batch: &[NewMessage<'_>]) -> Result<Vec<Message>> {
        if batch.is_empty() {
            return Ok(Vec::new());
        }
        let now = now_micros();
        let mut tx = self.pool.begin().await?;
        let replays = find_replays(&mut tx, batch, now).await?;
        let fresh: Vec<&NewMessage<'_>> = batch
            .iter()
            .zip(&replays)
            .filter(|(_, replay)| replay.is_none())
            .map(|(new, _)| new)
            .collect();
        let mut roots = Vec::with_capacity(fresh.len());
        for new in &fresh {
            roots.push(match new.parent_id {
                Some(parent) => {
                    let root: Option<Option<i64>> =
                        sqlx::query_scalar("SELECT thread_root_id FROM messages WHERE id = ?")
                            .bind(parent)
                            .fetch_optional(&mut *tx)
                            .await?;
                    Some(root.ok_or(StoreError::NotFound)?.unwrap_or(parent))
                }
                None => None,
            });
        }
        let ids = if fresh.is_empty() {
            Vec::new()
        } else if self.returning {
            // A few statements for the whole batch, of power-of-two sizes so that only a few
            // statement shapes exist (each shape is a prepared statement in every connection's
            // cache). A statement's rows are inserted in VALUES order and the ids grow with
            // each row, so its sorted ids match its part of the batch.
            let mut ids = Vec::with_capacity(fresh.len());
            let mut rows = fresh.iter().copied().zip(roots.iter().copied());
            for size in insert_chunks(fresh.len()) {
                let arguments = message_arguments(rows.by_ref().take(size), now)?;
                let mut chunk: Vec<i64> =
                    sqlx::query_scalar_with(insert_returning_sql(size), arguments)
                        .fetch_all(&mut *tx)
                        .await?;
                chunk.sort_unstable();
                ids.extend(chunk);
            }
            ids
        } else {
            let mut ids = Vec::with_capacity(fresh.len());
            for (new, root) in fresh.iter().copied().zip(roots.iter().copied()) {
                let arguments = message_arguments(std::iter::once((new, root)), now)?;
                let query =
                    sqlx::query_with(sqlx::AssertSqlSafe(insert_messages_sql(1)), arguments);
                ids.push(insert_returning_id(&mut tx, self.backend, query).await?);
            }
            ids
        };
        if ids.len() != fresh.len() {
            return Err(StoreError::Unavailable(
                format!("{} rows inserted for {} messages", ids.len(), fresh.len()).into(),
            ));
        }
        for (new, id) in fresh.iter().zip(&ids) {
            record_extras(&mut tx, new, *id, now).await?;
        }
        tx.commit().await?;
        // New messages have no replies or reactions yet: the rows alone are complete.
        let mut stored = self.message_rows(&ids).await?.into_iter();
        let mut out: Vec<Message> = Vec::with_capacity(batch.len());
        for (new, replay) in batch.iter().zip(replays) {
            let mut message = match replay {
                None => stored.next().ok_or(StoreError::NotFound)?,
                Some(Replay::InBatch(earlier)) => {
                    let mut first = out.get(earlier).cloned().ok_or(StoreError::NotFound)?;
                    first.replayed = true;
                    first
                }
                Some(Replay::Stored(id)) => {
                    let mut first = self.message_by_id(id).await?.ok_or(StoreError::NotFound)?;
                    first.replayed = true;
                    first
                }
            };
            message.nonce = new.nonce.map(str::to_owned);
            out.push(message);
        }
        Ok(out)
    }

    /// Rows for `ids` of messages just inserted, which ascend (a batch's ids grow in batch
    /// order), without reply counts or reactions, in that order.
    async fn message_rows(&self, ids: &[i64]) -> Result<Vec<Message>> {
        debug_assert!(ids.is_sorted());
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        // Ids are integers from our own inserts, so the IN list holds numbers only.
        let list: Vec<String> = ids.iter().map(i64::to_string).collect();
        let sql = format!(
            "SELECT m.id, m.channel_id, m.author_id, m.parent_id, \
             COALESCE(m.thread_root_id, m.id) AS thread_root_id, m.content, m.created_at, \
             m.updated_at, m.mention_ids, m.mention_everyone, u.login AS author_login, u.display_name AS author_display_name, \
             u.avatar_path AS author_avatar_path, \
             u.avatar_updated_at AS author_avatar_updated_at, \
             u.presence_status AS author_presence_status \
             FROM messages m LEFT JOIN users u ON u.id = m.author_id WHERE m.id IN ({})",
            list.join(",")
        );
        let rows: Vec<NewRow> = self.fetch_listed(sql).await?;
        let mut rows: Vec<Message> = rows.into_iter().map(Message::from).collect();
        rows.sort_unstable_by_key(|m| m.id);
        Ok(rows)
    }

    /// `(value, rows)` for each of `values` found in `column` (one of our own column names).
    async fn counts_by(&self, column: &'static str, values: &[i64]) -> Result<Vec<(i64, i64)>> {
        // Integers from our own rows only, so the IN list holds numbers only.
        let list: Vec<String> = values.iter().map(i64::to_string).collect();
        self.fetch_listed(format!(
            "SELECT {column}, COUNT(*) FROM messages WHERE {column} IN ({}) GROUP BY {column}",
            list.join(",")
        ))
        .await
    }

    /// Runs `sql`, which embeds a list of ids, as a plain text query. Prepared, every distinct
    /// list would be one more statement in the connection's cache; once the cache is full each
    /// new one evicts another, and on MySQL/MariaDB the eviction's close packet (which gets no
    /// reply) holds back the next packet until the server's delayed ACK, about 40 ms, since the
    /// driver's sockets keep Nagle's algorithm on.
    pub(crate) async fn fetch_listed<T>(&self, sql: String) -> Result<Vec<T>>
    where
        T: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow> + Send + Unpin,
    {
        let rows = sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|row| T::from_row(row).map_err(StoreError::from))
            .collect()
    }

    pub async fn message_by_id(&self, id: i64) -> Result<Option<Message>> {
        let Some(message) = self.message_row(id).await? else {
            return Ok(None);
        };
        let mut items = vec![message];
        self.attach_reactions(&mut items).await?;
        Ok(items.pop())
    }

    /// The message without its reactions (a new message has none).
    async fn message_row(&self, id: i64) -> Result<Option<Message>> {
        let found: Option<Message> = sqlx::query_as(select_message!("WHERE m.id = ?"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        let mut items: Vec<Message> = found.into_iter().collect();
        self.attach_counts(&mut items).await?;
        Ok(items.pop())
    }

    /// Fills what the row query leaves out: reply counts and reactions.
    pub(crate) async fn attach_details(&self, items: &mut [Message]) -> Result<()> {
        self.attach_counts(items).await?;
        self.attach_reactions(items).await
    }

    /// Fills reply counts for `items` with two grouped queries (not one sub-query per row).
    async fn attach_counts(&self, items: &mut [Message]) -> Result<()> {
        if items.is_empty() {
            return Ok(());
        }
        let ids: Vec<i64> = items.iter().map(|m| m.id).collect();
        let mut roots: Vec<i64> = items
            .iter()
            .map(|m| m.thread_root_id.unwrap_or(m.id))
            .collect();
        roots.sort_unstable();
        roots.dedup();
        let replies = self.counts_by("parent_id", &ids).await?;
        // Roots are stored without a thread root, so this counts replies only.
        let threads = self.counts_by("thread_root_id", &roots).await?;
        for item in items.iter_mut() {
            let root = item.thread_root_id.unwrap_or(item.id);
            item.reply_count = replies
                .iter()
                .find(|(id, _)| *id == item.id)
                .map_or(0, |(_, n)| *n);
            item.thread_reply_count = threads
                .iter()
                .find(|(id, _)| *id == root)
                .map_or(0, |(_, n)| *n);
        }
        Ok(())
    }

    /// Adds a reaction; `false` when this user already reacted with this emoji.
    pub async fn add_reaction(&self, message_id: i64, user_id: i64, emoji: &str) -> Result<bool> {
        let inserted = sqlx::query(
            "INSERT INTO message_reactions (message_id, user_id, emoji, created_at) VALUES (?, ?, ?, ?)",
        )
        .bind(message_id)
        .bind(user_id)
        .bind(emoji)
        .bind(now_micros())
        .execute(&self.pool)
        .await;
        match inserted.map_err(StoreError::from) {
            Ok(_) => Ok(true),
            Err(StoreError::Conflict(_)) => Ok(false),
            Err(other) => Err(other),
        }
    }

    /// Removes a reaction; `false` when there was none.
    pub async fn remove_reaction(
        &self,
        message_id: i64,
        user_id: i64,
        emoji: &str,
    ) -> Result<bool> {
        let done = sqlx::query(
            "DELETE FROM message_reactions WHERE message_id = ? AND user_id = ? AND emoji = ?",
        )
        .bind(message_id)
        .bind(user_id)
        .bind(emoji)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Loads the reactions of `items` in one query.
    async fn attach_reactions(&self, items: &mut [Message]) -> Result<()> {
        if items.is_empty() {
            return Ok(());
        }
        // Ids are integers from our own rows, so the IN list is built from numbers only.
        let ids: Vec<String> = items.iter().map(|m| m.id.to_string()).collect();
        let sql = format!(
            "SELECT message_id, emoji, user_id FROM message_reactions WHERE message_id IN ({}) \
             ORDER BY message_id, emoji, user_id",
            ids.join(",")
        );
        let rows: Vec<crate::Reaction> = self.fetch_listed(sql).await?;
        for item in items.iter_mut() {
            item.reactions = rows
                .iter()
                .filter(|r| r.message_id == item.id)
                .cloned()
                .collect();
        }
        Ok(())
    }

    /// Replaces a message's text and marks it edited.
    pub async fn edit_message(&self, id: i64, content: &str) -> Result<Message> {
        let now = now_micros();
        sqlx::query("UPDATE messages SET content = ?, edited_at = ?, updated_at = ? WHERE id = ?")
            .bind(content)
            .bind(now)
            .bind(now)
            .bind(id)
            .execute(&self.pool)
            .await?;
        self.message_by_id(id).await?.ok_or(StoreError::NotFound)
    }

    /// Soft-deletes a message (the row stays so threads and history keep their shape).
    pub async fn delete_message(&self, id: i64) -> Result<Message> {
        let now = now_micros();
        sqlx::query("UPDATE messages SET deleted_at = ?, updated_at = ? WHERE id = ?")
            .bind(now)
            .bind(now)
            .bind(id)
            .execute(&self.pool)
            .await?;
        self.message_by_id(id).await?.ok_or(StoreError::NotFound)
    }

    /// Suppresses a message (`Some(moderator, note)`) or restores it (`None`).
    pub async fn moderate_message(
        &self,
        id: i64,
        by: Option<(i64, Option<&str>)>,
    ) -> Result<Message> {
        let now = now_micros();
        let (at, moderator, note) = match by {
            Some((moderator, note)) => (Some(now), Some(moderator), note),
            None => (None, None, None),
        };
        sqlx::query(
            "UPDATE messages SET moderated_at = ?, moderated_by_id = ?, moderation_note = ?, \
             updated_at = ? WHERE id = ?",
        )
        .bind(at)
        .bind(moderator)
        .bind(note)
        .bind(now)
        .bind(id)
        .execute(&self.pool)
        .await?;
        self.message_by_id(id).await?.ok_or(StoreError::NotFound)
    }

    /// The channel a message belongs to, if it exists.
    pub async fn message_channel(&self, id: i64) -> Result<Option<i64>> {
        Ok(
            sqlx::query_scalar("SELECT channel_id FROM messages WHERE id = ?")
                .bind(id)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    pub async fn history(&self, channel_id: i64, query: HistoryQuery) -> Result<HistoryPage> {
        let mut page = self.history_rows(channel_id, query).await?;
        self.attach_details(&mut page.items).await?;
        Ok(page)
    }

    async fn history_rows(&self, channel_id: i64, query: HistoryQuery) -> Result<HistoryPage> {
        match query {
            HistoryQuery::Latest { limit } => {
                let mut items = self.older_than(channel_id, i64::MAX, limit + 1).await?;
                let has_more_backward = trim(&mut items, limit);
                items.reverse();
                Ok(HistoryPage {
                    items,
                    has_more_backward,
                    has_more_forward: false,
                })
            }
            HistoryQuery::Oldest { limit } => {
                let mut items = self.newer_than(channel_id, 0, limit + 1).await?;
                let has_more_forward = trim(&mut items, limit);
                Ok(HistoryPage {
                    items,
                    has_more_backward: false,
                    has_more_forward,
                })
            }
            HistoryQuery::Before { id, limit } => {
                let mut items = self.older_than(channel_id, id, limit + 1).await?;
                let has_more_backward = trim(&mut items, limit);
                items.reverse();
                let newest = items.last().map_or(id, |m| m.id);
                let has_more_forward = self.any_newer(channel_id, newest).await?;
                Ok(HistoryPage {
                    items,
                    has_more_backward,
                    has_more_forward,
                })
            }
            HistoryQuery::After { id, limit } => {
                let mut items = self.newer_than(channel_id, id, limit + 1).await?;
                let has_more_forward = trim(&mut items, limit);
                let oldest = items.first().map_or(id, |m| m.id);
                let has_more_backward = self.any_older(channel_id, oldest).await?;
                Ok(HistoryPage {
                    items,
                    has_more_backward,
                    has_more_forward,
                })
            }
            HistoryQuery::Around { id, limit } => {
                let before_count = (limit - 1) / 2;
                let after_count = limit - 1 - before_count;
                let mut older = self.older_than(channel_id, id, before_count + 1).await?;
                let has_more_backward = trim(&mut older, before_count);
                older.reverse();
                let mut newer = self.newer_than(channel_id, id, after_count + 1).await?;
                let has_more_forward = trim(&mut newer, after_count);
                let pivot = self.message_row(id).await?;
                let mut items = older;
                items.extend(pivot);
                items.extend(newer);
                Ok(HistoryPage {
                    items,
                    has_more_backward,
                    has_more_forward,
                })
            }
        }
    }

    /// Pins `message_id` (a message of `channel_id`), or re-pins it with a new note, pinner and
    /// time. `false` when the channel already has `max` pinned messages and this is not one.
    pub async fn pin_message(
        &self,
        channel_id: i64,
        message_id: i64,
        user_id: i64,
        note: Option<&str>,
        max: i64,
    ) -> Result<bool> {
        let now = now_micros();
        let mut tx = self.pool.begin().await?;
        // Pins of one channel take turns on the channel's row, so two of them cannot both
        // find room under the limit, and on MariaDB they cannot deadlock on each other's
        // index locks (a count and an insert in one statement did, with concurrent pins).
        sqlx::query("UPDATE channels SET id = id WHERE id = ?")
            .bind(channel_id)
            .execute(&mut *tx)
            .await?;
        let updated = sqlx::query(
            "UPDATE pinned_messages SET pinned_by_id = ?, pinned_at = ?, note = ? \
             WHERE channel_id = ? AND message_id = ?",
        )
        .bind(user_id)
        .bind(now)
        .bind(note)
        .bind(channel_id)
        .bind(message_id)
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() == 0 {
            let pinned: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM pinned_messages WHERE channel_id = ?")
                    .bind(channel_id)
                    .fetch_one(&mut *tx)
                    .await?;
            if pinned >= max {
                return Ok(false);
            }
            sqlx::query(
                "INSERT INTO pinned_messages (channel_id, message_id, pinned_by_id, pinned_at, note) \
                 VALUES (?, ?, ?, ?, ?)",
            )
            .bind(channel_id)
            .bind(message_id)
            .bind(user_id)
            .bind(now)
            .bind(note)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// Unpins a message; `false` when it was not pinned in this channel.
    pub async fn unpin_message(&self, channel_id: i64, message_id: i64) -> Result<bool> {
        let done =
            sqlx::query("DELETE FROM pinned_messages WHERE channel_id = ? AND message_id = ?")
                .bind(channel_id)
                .bind(message_id)
                .execute(&self.pool)
                .await?;
        Ok(done.rows_affected() > 0)
    }

    /// A channel's pinned messages, most recently pinned first, at most `limit`.
    pub async fn pinned_messages(&self, channel_id: i64, limit: i64) -> Result<Vec<Message>> {
        let mut items: Vec<Message> = sqlx::query_as(select_message!(
            "WHERE p.channel_id = ? ORDER BY p.pinned_at DESC, p.id DESC LIMIT ?"
        ))
        .bind(channel_id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        self.attach_details(&mut items).await?;
        Ok(items)
    }

    /// Message `root` and the messages of its thread in `channel_id` (replies to it and
    /// messages whose thread root it is), oldest first, at most `limit`.
    pub async fn thread(&self, channel_id: i64, root: i64, limit: i64) -> Result<Vec<Message>> {
        let mut items: Vec<Message> = sqlx::query_as(select_message!(
            "WHERE m.channel_id = ? AND (m.id = ? OR m.thread_root_id = ? OR m.parent_id = ?) \
             ORDER BY m.id ASC LIMIT ?"
        ))
        .bind(channel_id)
        .bind(root)
        .bind(root)
        .bind(root)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        self.attach_details(&mut items).await?;
        Ok(items)
    }

    async fn older_than(&self, channel_id: i64, id: i64, limit: i64) -> Result<Vec<Message>> {
        Ok(sqlx::query_as(select_message!(
            "WHERE m.channel_id = ? AND m.id < ? ORDER BY m.id DESC LIMIT ?"
        ))
        .bind(channel_id)
        .bind(id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn newer_than(&self, channel_id: i64, id: i64, limit: i64) -> Result<Vec<Message>> {
        Ok(sqlx::query_as(select_message!(
            "WHERE m.channel_id = ? AND m.id > ? ORDER BY m.id ASC LIMIT ?"
        ))
        .bind(channel_id)
        .bind(id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn any_newer(&self, channel_id: i64, id: i64) -> Result<bool> {
        let found: Option<i64> =
            sqlx::query_scalar("SELECT id FROM messages WHERE channel_id = ? AND id > ? LIMIT 1")
                .bind(channel_id)
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
        Ok(found.is_some())
    }

    async fn any_older(&self, channel_id: i64, id: i64) -> Result<bool> {
        let found: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM messages WHERE channel_id = ? AND id < ? ORDER BY id DESC LIMIT 1",
        )
        .bind(channel_id)
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(found.is_some())
    }
}

/// Cuts a list fetched with one extra row back to `limit`; says whether the extra row existed.
fn trim(items: &mut Vec<Message>, limit: i64) -> bool {
    let limit = usize::try_from(limit).unwrap_or(0);
    if items.len() > limit {
        items.truncate(limit);
        true
    } else {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::insert_chunks;

    #[test]
    fn a_batch_is_split_into_power_of_two_inserts_largest_first() {
        assert_eq!(insert_chunks(0).count(), 0);
        assert_eq!(insert_chunks(1).collect::<Vec<_>>(), [1]);
        assert_eq!(insert_chunks(99).collect::<Vec<_>>(), [64, 32, 2, 1]);
        assert_eq!(insert_chunks(256).collect::<Vec<_>>(), [256]);
        assert_eq!(
            insert_chunks(600).collect::<Vec<_>>(),
            [256, 256, 64, 16, 8]
        );
        for n in 0..1000 {
            let sizes: Vec<usize> = insert_chunks(n).collect();
            assert_eq!(sizes.iter().sum::<usize>(), n);
            assert!(sizes.iter().all(|s| s.is_power_of_two() && *s <= 256));
        }
    }
}

//! Channel search on the databases' full-text indexes: SQLite FTS5 with the trigram tokenizer
//! (any substring of three characters or more) and MariaDB's FULLTEXT index (words and word
//! prefixes). Text the index cannot serve — shorter queries, and on MariaDB anything but plain
//! words — falls back to the escaped `LIKE` scan, so `%`, `_`, quotes and operators are always
//! matched literally (decision 22).

use std::sync::LazyLock;

use crate::messages::MESSAGE_SELECT;
use crate::{Backend, Message, Result, Store};

/// What a channel search matches: every filter given (all `None` matches every message).
#[derive(Debug, Clone, Default)]
pub struct SearchFilter<'a> {
    /// Case-insensitive substring of the content; deleted and moderated messages never match.
    pub text: Option<&'a str>,
    pub author_id: Option<i64>,
    pub has_attachments: Option<bool>,
    /// Inclusive bounds on `created_at`, in microseconds.
    pub start: Option<i64>,
    pub end: Option<i64>,
    /// The thread's root and the messages whose thread root it is.
    pub thread_root_id: Option<i64>,
    pub limit: i64,
}

/// The trigram tokenizer indexes runs of three characters: shorter text cannot use it.
const TRIGRAM: usize = 3;
/// MariaDB's default `innodb_ft_min_token_size`: shorter words are not in the index.
const FULLTEXT_MIN_WORD: usize = 3;

/// How the text filter is matched.
enum TextMatch {
    /// No text filter.
    None,
    /// `LOWER(content) LIKE ? ESCAPE '!'` over the channel's messages.
    Like(String),
    /// SQLite: an FTS5 phrase, which with trigrams is a case-insensitive substring.
    Fts(String),
    /// MariaDB: a boolean FULLTEXT query that narrows the rows, confirmed by the `LIKE`.
    FullText { against: String, like: String },
}

/// Every filter but the text, then newest first. Absent filters are NULLs that match
/// everything, so each way of matching text is one statement whatever the filters.
const FILTERS: &str = "AND (? IS NULL OR m.author_id = ?) \
     AND (? IS NULL OR m.created_at >= ?) \
     AND (? IS NULL OR m.created_at <= ?) \
     AND (? IS NULL OR m.id = ? OR m.thread_root_id = ?) \
     AND (? IS NULL OR ? = (CASE WHEN EXISTS (SELECT 1 FROM message_attachments a \
          WHERE a.message_id = m.id) THEN 1 ELSE 0 END)) ";

const VISIBLE: &str = "AND m.deleted_at IS NULL AND m.moderated_at IS NULL ";

static PLAIN_SQL: LazyLock<String> = LazyLock::new(|| {
    format!("{MESSAGE_SELECT} WHERE m.channel_id = ? {FILTERS} ORDER BY m.id DESC LIMIT ?")
});

static LIKE_SQL: LazyLock<String> = LazyLock::new(|| {
    format!(
        "{MESSAGE_SELECT} WHERE m.channel_id = ? AND LOWER(m.content) LIKE ? ESCAPE '!' \
         {VISIBLE}{FILTERS} ORDER BY m.id DESC LIMIT ?"
    )
});

/// The index drives the query: it yields matching rows newest first, so a common word stops
/// after `limit` rows and a rare one reads only its own few.
static FTS_SQL: LazyLock<String> = LazyLock::new(|| {
    let joined = MESSAGE_SELECT.replacen(
        "FROM messages m ",
        "FROM messages_fts f JOIN messages m ON m.id = f.rowid ",
        1,
    );
    format!(
        "{joined} WHERE messages_fts MATCH ? AND m.channel_id = ? {VISIBLE}{FILTERS} \
         ORDER BY f.rowid DESC LIMIT ?"
    )
});

static FULLTEXT_SQL: LazyLock<String> = LazyLock::new(|| {
    format!(
        "{MESSAGE_SELECT} WHERE MATCH (m.content) AGAINST (? IN BOOLEAN MODE) \
         AND m.channel_id = ? AND LOWER(m.content) LIKE ? ESCAPE '!' {VISIBLE}{FILTERS} \
         ORDER BY m.id DESC LIMIT ?"
    )
});

/// `%text%` with `LIKE`'s wildcards (and the escape character `!`) escaped; `!` because a
/// backslash is written differently in SQLite and MariaDB literals.
fn like_pattern(text: &str) -> String {
    let escaped = text
        .to_lowercase()
        .replace('!', "!!")
        .replace('%', "!%")
        .replace('_', "!_");
    format!("%{escaped}%")
}

/// An FTS5 query for `text` as one phrase: inside double quotes nothing is an operator, and
/// a double quote is written twice.
fn fts_phrase(text: &str) -> String {
    format!("\"{}\"", text.replace('"', "\"\""))
}

/// A boolean FULLTEXT query requiring every indexed word of `text` as a word or word prefix,
/// or `None` when `text` is not plain words (anything else is left to `LIKE`, so no
/// character can act as an operator) or has no word long enough to be indexed.
fn fulltext_query(text: &str) -> Option<String> {
    if !text
        .chars()
        .all(|c| c.is_alphanumeric() || c.is_whitespace())
    {
        return None;
    }
    let words: Vec<String> = text
        .split_whitespace()
        .filter(|w| w.chars().count() >= FULLTEXT_MIN_WORD)
        .map(|w| format!("+{w}*"))
        .collect();
    (!words.is_empty()).then(|| words.join(" "))
}

fn text_match(backend: Backend, text: Option<&str>) -> TextMatch {
    let Some(text) = text else {
        return TextMatch::None;
    };
    match backend {
        Backend::Sqlite if text.chars().count() >= TRIGRAM => TextMatch::Fts(fts_phrase(text)),
        Backend::MySql => match fulltext_query(text) {
            Some(against) => TextMatch::FullText {
                against,
                like: like_pattern(text),
            },
            None => TextMatch::Like(like_pattern(text)),
        },
        Backend::Sqlite => TextMatch::Like(like_pattern(text)),
    }
}

impl Store {
    /// Messages of `channel_id` that match every filter given, newest first.
    pub async fn search(&self, channel_id: i64, filter: &SearchFilter<'_>) -> Result<Vec<Message>> {
        let query = match text_match(self.backend, filter.text) {
            TextMatch::None => {
                sqlx::query_as(sqlx::AssertSqlSafe(PLAIN_SQL.as_str())).bind(channel_id)
            }
            TextMatch::Like(pattern) => sqlx::query_as(sqlx::AssertSqlSafe(LIKE_SQL.as_str()))
                .bind(channel_id)
                .bind(pattern),
            TextMatch::Fts(phrase) => sqlx::query_as(sqlx::AssertSqlSafe(FTS_SQL.as_str()))
                .bind(phrase)
                .bind(channel_id),
            TextMatch::FullText { against, like } => {
                sqlx::query_as(sqlx::AssertSqlSafe(FULLTEXT_SQL.as_str()))
                    .bind(against)
                    .bind(channel_id)
                    .bind(like)
            }
        };
        let has_attachments = filter.has_attachments.map(i64::from);
        let mut items: Vec<Message> = query
            .bind(filter.author_id)
            .bind(filter.author_id)
            .bind(filter.start)
            .bind(filter.start)
            .bind(filter.end)
            .bind(filter.end)
            .bind(filter.thread_root_id)
            .bind(filter.thread_root_id)
            .bind(filter.thread_root_id)
            .bind(has_attachments)
            .bind(has_attachments)
            .bind(filter.limit)
            .fetch_all(&self.pool)
            .await?;
        self.attach_details(&mut items).await?;
        Ok(items)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_fts_phrase_quotes_everything_and_doubles_quotes() {
        assert_eq!(fts_phrase(r#"say "hi" OR x*"#), r#""say ""hi"" OR x*""#);
    }

    #[test]
    fn only_plain_words_reach_the_fulltext_index() {
        assert_eq!(
            fulltext_query("hello wor").as_deref(),
            Some("+hello* +wor*")
        );
        assert_eq!(
            fulltext_query("Привет мир").as_deref(),
            Some("+Привет* +мир*")
        );
        assert_eq!(fulltext_query("go to it"), None, "no word is long enough");
        for tricky in [
            "+a -b",
            "e_c",
            "100%",
            "\"quoted\"",
            "x*",
            "a(b)",
            "foo@bar",
        ] {
            assert_eq!(fulltext_query(tricky), None, "{tricky}");
        }
    }

    #[test]
    fn like_wildcards_and_the_escape_are_escaped() {
        assert_eq!(like_pattern("100%_!"), "%100!%!_!!%");
    }
}

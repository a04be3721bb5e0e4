//! Charge storage: one [`Store`] over SQLite (embedded default) and MariaDB/MySQL.
//!
//! Both backends share the same SQL through sqlx's `Any` driver: the schema keeps to types both
//! understand (BIGINT ids, integer microsecond timestamps, strings), and each backend owns its
//! own migration folder for the DDL that differs. Handlers never see SQL; they call the
//! use-case methods in the modules below.
#![cfg_attr(not(test), warn(clippy::unwrap_used, clippy::expect_used))]

mod attachments;
mod audit;
pub mod backup;
mod blobs;
mod channels;
mod conversations;
mod error;
mod invitations;
mod messages;
mod models;
mod moderation;
mod people;
mod permissions;
mod readstate;
mod rooms;
mod search;
mod sessions;
mod users;

use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};

pub use attachments::{NewAttachment, UnboundAttachment, file_keys};
pub use audit::{AuditEntry, NewAuditEntry};
pub use blobs::{BlobBackend, BlobWriter, Blobs, S3Options, install_crypto_provider, new_key};
pub use conversations::{Conversation, DirectMessage, DirectReaction, Participant};
pub use error::StoreError;
pub use messages::{HistoryPage, HistoryQuery, NONCE_WINDOW_MICROS, NewMessage};
pub use models::*;
pub use moderation::{Ban, PostingFacts};
pub use people::{FriendLink, Person};
pub use permissions::{OverwriteTarget, RoleOverwrite, UserOverwrite};
pub use readstate::{ChannelUnread, UNREAD_COUNT_CAP};
pub use search::SearchFilter;
pub use sessions::Rotation;

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Which SQL backend a [`Store`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    MySql,
}

impl Backend {
    pub fn from_url(url: &str) -> Option<Self> {
        if url.starts_with("sqlite:") {
            Some(Self::Sqlite)
        } else if url.starts_with("mysql:") || url.starts_with("mariadb:") {
            Some(Self::MySql)
        } else {
            None
        }
    }
}

/// Pool sizing and timeouts; the defaults suit a small community server.
#[derive(Debug, Clone)]
pub struct StoreOptions {
    pub max_connections: u32,
    pub acquire_timeout: Duration,
}

impl Default for StoreOptions {
    fn default() -> Self {
        Self {
            max_connections: 16,
            acquire_timeout: Duration::from_secs(3),
        }
    }
}

/// Handle to the database; cheap to clone (an `Arc`'d pool inside).
#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// `INSERT … RETURNING` works (SQLite, MariaDB ≥ 10.5; not MySQL): a batch of messages is
    /// one statement instead of one per message.
    returning: bool,
}

static SQLITE_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static MYSQL_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/mysql");

impl Store {
    /// Opens a pool for `url` (`sqlite://…` or `mysql://…`). A SQLite file and its parent
    /// directory are created when missing. Fails fast when the server cannot be reached;
    /// callers decide how long to keep retrying.
    pub async fn connect(url: &str, options: &StoreOptions) -> Result<Self> {
        sqlx::any::install_default_drivers();
        let backend = Backend::from_url(url).ok_or_else(|| {
            StoreError::Config(format!(
                "unsupported database URL scheme in {:?}; use sqlite://… or mysql://…",
                redact_url(url)
            ))
        })?;
        let url = match backend {
            Backend::Sqlite => prepare_sqlite_url(url)?,
            Backend::MySql => url.replacen("mariadb:", "mysql:", 1),
        };
        let connect_options = AnyConnectOptions::from_str(&url)
            .map_err(|e| StoreError::Config(format!("invalid database URL: {e}")))?;
        let pool = AnyPoolOptions::new()
            .max_connections(match backend {
                // SQLite has one writer; a few readers beside it are plenty.
                Backend::Sqlite => options.max_connections.clamp(1, 8),
                Backend::MySql => options.max_connections,
            })
            .acquire_timeout(options.acquire_timeout)
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    match backend {
                        Backend::Sqlite => {
                            conn.execute(
                                "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                                 PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;",
                            )
                            .await?;
                        }
                        Backend::MySql => {
                            conn.execute("SET time_zone = '+00:00'").await?;
                        }
                    }
                    Ok(())
                })
            })
            .connect_with(connect_options)
            .await
            .map_err(StoreError::from)?;
        let returning = match backend {
            Backend::Sqlite => true,
            Backend::MySql => {
                let version: String = sqlx::query_scalar("SELECT CAST(VERSION() AS CHAR)")
                    .fetch_one(&pool)
                    .await?;
                mariadb_with_returning(&version)
            }
        };
        Ok(Self {
            pool,
            backend,
            returning,
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Applies every pending migration of this backend.
    pub async fn migrate(&self) -> Result<()> {
        let migrator = match self.backend {
            Backend::Sqlite => &SQLITE_MIGRATOR,
            Backend::MySql => &MYSQL_MIGRATOR,
        };
        migrator
            .run(&self.pool)
            .await
            .map_err(StoreError::Migration)
    }

    /// A cheap round trip, used by readiness checks.
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Current time as stored: microseconds since the Unix epoch, UTC.
pub fn now_micros() -> i64 {
    chrono::Utc::now().timestamp_micros()
}

/// Hides the password of a database URL for messages and logs.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            match userinfo.find(':') {
                Some(colon) => format!(
                    "{}{}:***{}",
                    &url[..scheme_end + 3],
                    &userinfo[..colon],
                    &url[at..]
                ),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

fn prepare_sqlite_url(url: &str) -> Result<String> {
    let rest = url.trim_start_matches("sqlite:").trim_start_matches("//");
    let path = rest.split('?').next().unwrap_or_default();
    if path.is_empty() || path == ":memory:" {
        return Ok(url.to_owned());
    }
    if let Some(parent) = std::path::Path::new(path).parent()
        && !parent.as_os_str().is_empty()
    {
        std::fs::create_dir_all(parent).map_err(|e| {
            StoreError::Config(format!("cannot create directory {}: {e}", parent.display()))
        })?;
    }
    Ok(if url.contains("mode=") {
        url.to_owned()
    } else if url.contains('?') {
        format!("{url}&mode=rwc")
    } else {
        format!("{url}?mode=rwc")
    })
}

impl Store {
    /// Runs one administrative statement (tests and tooling create/drop databases with it).
    pub async fn execute_admin(&self, sql: &str) -> Result<()> {
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned()))
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

/// Runs an INSERT on `conn` and returns the new row's id. The `Any` driver does not always
/// report it, so fall back to asking the backend on the same connection.
async fn insert_returning_id<'q>(
    conn: &mut sqlx::AnyConnection,
    backend: Backend,
    query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>,
) -> Result<i64> {
    let done = query.execute(&mut *conn).await?;
    if let Some(id) = done.last_insert_id() {
        return Ok(id);
    }
    let sql = match backend {
        Backend::Sqlite => "SELECT last_insert_rowid()",
        Backend::MySql => "SELECT CAST(LAST_INSERT_ID() AS SIGNED)",
    };
    Ok(sqlx::query_scalar(sql).fetch_one(&mut *conn).await?)
}

/// `10.11.19-MariaDB-…` and later (10.5 added `INSERT … RETURNING`); MySQL has no RETURNING.
fn mariadb_with_returning(version: &str) -> bool {
    if !version.contains("MariaDB") {
        return false;
    }
    let mut parts = version
        .split(['.', '-'])
        .map(|p| p.parse::<u32>().unwrap_or(0));
    let (major, minor) = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
    (major, minor) >= (10, 5)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn returning_is_used_on_mariadb_10_5_and_later_only() {
        assert!(mariadb_with_returning("10.11.19-MariaDB-0+deb12u1"));
        assert!(mariadb_with_returning("11.4.2-MariaDB-ubu2404"));
        assert!(!mariadb_with_returning("10.4.30-MariaDB"));
        assert!(!mariadb_with_returning("8.0.36"));
    }

    #[test]
    fn redact_url_hides_only_the_password() {
        assert_eq!(
            redact_url("mysql://charge:secret@db:3306/charge"),
            "mysql://charge:***@db:3306/charge"
        );
        assert_eq!(redact_url("mysql://root@db/x"), "mysql://root@db/x");
        assert_eq!(
            redact_url("sqlite://data/charge.db"),
            "sqlite://data/charge.db"
        );
    }
}

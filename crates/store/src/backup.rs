//! Online copies of an embedded SQLite database: `VACUUM INTO` writes one transaction's
//! consistent view to a new file while the server keeps reading and writing.

use std::path::{Path, PathBuf};

use sqlx::{ConnectOptions, Connection};

use crate::{Backend, Result, Store, StoreError};

/// The database file a `sqlite://` URL names, or `None` for MariaDB and in-memory databases.
pub fn sqlite_file(url: &str) -> Option<PathBuf> {
    if Backend::from_url(url) != Some(Backend::Sqlite) {
        return None;
    }
    let rest = url.trim_start_matches("sqlite:").trim_start_matches("//");
    let path = rest.split('?').next().unwrap_or_default();
    (!path.is_empty() && path != ":memory:").then(|| PathBuf::from(path))
}

impl Store {
    /// Writes a consistent copy of this SQLite database to `dest` (which must not exist yet),
    /// then checks the copy with `PRAGMA quick_check`. Writers are not blocked: the copy is
    /// the database as of the moment the statement's read transaction began.
    pub async fn sqlite_snapshot(&self, dest: &Path) -> Result<()> {
        if self.backend != Backend::Sqlite {
            return Err(StoreError::Config(
                "an online snapshot is only taken of SQLite databases".into(),
            ));
        }
        let target = dest
            .to_str()
            .ok_or_else(|| StoreError::Config(format!("{} is not valid UTF-8", dest.display())))?;
        sqlx::query("VACUUM INTO ?")
            .bind(target.to_owned())
            .execute(&self.pool)
            .await?;
        let mut copy = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(dest)
            .read_only(true)
            .connect()
            .await?;
        let verdict: String = sqlx::query_scalar("PRAGMA quick_check")
            .fetch_one(&mut copy)
            .await?;
        copy.close().await?;
        if verdict == "ok" {
            Ok(())
        } else {
            Err(StoreError::Config(format!(
                "the copy failed its integrity check: {verdict}"
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::sqlite_file;
    use std::path::PathBuf;

    #[test]
    fn the_database_file_is_read_from_sqlite_urls_only() {
        assert_eq!(
            sqlite_file("sqlite://data/charge.db?mode=rwc"),
            Some(PathBuf::from("data/charge.db"))
        );
        assert_eq!(
            sqlite_file("sqlite:///var/lib/charge/charge.db"),
            Some(PathBuf::from("/var/lib/charge/charge.db"))
        );
        assert_eq!(sqlite_file("sqlite::memory:"), None);
        assert_eq!(sqlite_file("mysql://root@localhost/chat"), None);
    }
}

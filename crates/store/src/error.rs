//! Typed storage errors: callers map them to HTTP answers without looking at SQL.

use thiserror::Error;

#[derive(Debug, Error)]
pub enum StoreError {
    /// The database cannot be reached right now (down, pool exhausted, connection lost).
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// A uniqueness constraint rejected the write; carries the constraint or column hint.
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("not found")]
    NotFound,
    #[error("configuration: {0}")]
    Config(String),
    #[error("migration failed: {0}")]
    Migration(String),
    #[error("database error: {0}")]
    Other(String),
}

impl From<sqlx::Error> for StoreError {
    fn from(err: sqlx::Error) -> Self {
        match &err {
            sqlx::Error::RowNotFound => StoreError::NotFound,
            sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::WorkerCrashed => StoreError::Unavailable(err.to_string()),
            sqlx::Error::Database(db) => {
                if db.is_unique_violation() {
                    StoreError::Conflict(db.message().to_owned())
                } else if is_connection_loss(db.code().as_deref()) {
                    StoreError::Unavailable(db.message().to_owned())
                } else {
                    StoreError::Other(err.to_string())
                }
            }
            _ => StoreError::Other(err.to_string()),
        }
    }
}

/// MySQL error codes that mean the server went away or refused us, not that the query is wrong.
fn is_connection_loss(code: Option<&str>) -> bool {
    matches!(
        code,
        Some("2002" | "2003" | "2006" | "2013" | "1053" | "1040" | "08S01")
    )
}

impl StoreError {
    pub fn is_unavailable(&self) -> bool {
        matches!(self, StoreError::Unavailable(_))
    }
}

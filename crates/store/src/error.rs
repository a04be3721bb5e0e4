//! Typed storage errors: callers map them to HTTP answers without looking at SQL. Each keeps
//! the driver's error as its source, so a log line shows the whole chain.

use thiserror::Error;

#[derive(Debug, Error)]
pub enum StoreError {
    /// The database cannot be reached right now (down, pool exhausted, connection lost).
    #[error("database unavailable")]
    Unavailable(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// A uniqueness constraint rejected the write (the source names the constraint).
    #[error("conflict")]
    Conflict(#[source] Box<dyn std::error::Error + Send + Sync>),
    #[error("not found")]
    NotFound,
    #[error("configuration: {0}")]
    Config(String),
    #[error("migration failed")]
    Migration(#[source] sqlx::migrate::MigrateError),
    #[error("database error")]
    Other(#[source] sqlx::Error),
    /// The file store (local directory or bucket) failed.
    #[error("file storage error")]
    Blob(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl From<sqlx::Error> for StoreError {
    fn from(err: sqlx::Error) -> Self {
        match &err {
            sqlx::Error::RowNotFound => StoreError::NotFound,
            sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::WorkerCrashed => StoreError::Unavailable(Box::new(err)),
            sqlx::Error::Database(db) => {
                if db.is_unique_violation() {
                    StoreError::Conflict(Box::new(err))
                } else if is_connection_loss(db.code().as_deref()) {
                    StoreError::Unavailable(Box::new(err))
                } else {
                    StoreError::Other(err)
                }
            }
            _ => StoreError::Other(err),
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

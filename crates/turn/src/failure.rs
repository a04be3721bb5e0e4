//! How a probe fails: a [`Category`] (the `category` metric label) and a message. Shared by
//! the TURN exchange and the probe that drives it.

use std::fmt;

use serde::Serialize;

/// Failure categories, as used in reports and the `category` metric label.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    /// The listener could not be reached: DNS, refused or silent socket, TLS handshake.
    Connect,
    /// The server answered but refused the credentials or the allocation.
    Auth,
    /// The server answered something that is not a valid TURN exchange.
    Protocol,
    /// The configuration cannot be probed: malformed URL, missing credentials.
    Config,
    /// Anything else, e.g. a local socket error.
    Unexpected,
}

impl Category {
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Connect => "connect",
            Category::Auth => "auth",
            Category::Protocol => "protocol",
            Category::Config => "config",
            Category::Unexpected => "unexpected",
        }
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A categorised probe failure.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    pub category: Category,
    pub message: String,
}

impl Failure {
    pub fn new(category: Category, message: impl Into<String>) -> Self {
        Self {
            category,
            message: message.into(),
        }
    }
}

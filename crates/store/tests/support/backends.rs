//! The two storage backends every storage test runs on, defined once for the store's tests and
//! the server's (whose harness includes this file by path).
//!
//! A test written as `async fn name(db: Db)` and registered with `both_backends!(name)` becomes
//! two tests, `name::sqlite` and `name::mariadb`: failures name the backend, and the two run in
//! parallel. SQLite lives in a temporary directory. MariaDB lives in a database of its own on
//! the server `CHARGE_TEST_MYSQL_URL` names, created for the test and dropped when the test
//! ends, also when it fails. Databases that earlier runs left behind (a killed process) are
//! dropped when the first MariaDB test of a run starts.
//!
//! MariaDB is required: without `CHARGE_TEST_MYSQL_URL` a MariaDB test fails and says how to
//! set it, unless `CHARGE_TEST_SKIP_MYSQL=1` asks to skip MariaDB; then each MariaDB test
//! passes without running and the run prints a note that it did so.
#![allow(dead_code)]

use std::io::Write;
use std::sync::Once;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use sqlx::Connection;
use sqlx::mysql::MySqlConnection;

/// The server MariaDB tests create their databases on.
pub const MYSQL_URL_VARIABLE: &str = "CHARGE_TEST_MYSQL_URL";
/// Set to `1` to skip the MariaDB tests explicitly.
pub const SKIP_MYSQL_VARIABLE: &str = "CHARGE_TEST_SKIP_MYSQL";

/// Every test database's name starts with this, followed by the owning process id.
const NAME_PREFIX: &str = "charge_t_";
/// The prefix the store's tests used before, also followed by the process id: databases left
/// under it are swept too.
const FORMER_PREFIX: &str = "charge_store_";

/// How long a test database's `DROP DATABASE` may wait for a lock before it gives up.
const DROP_LOCK_WAIT_SECONDS: u32 = 10;

/// A storage backend a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Db {
    Sqlite,
    MariaDb,
}

impl Db {
    /// Whether the MariaDB variant of `test` runs: true when MariaDB is configured, false (with
    /// a note) when `CHARGE_TEST_SKIP_MYSQL=1`; otherwise the test fails saying what to set.
    pub fn mariadb_runs(test: &str) -> bool {
        if mariadb_url().is_some() {
            return true;
        }
        eprintln!("{test}: skipped on MariaDB ({SKIP_MYSQL_VARIABLE}=1)");
        false
    }
}

/// The MariaDB server URL (no database), or None when skipping MariaDB was asked for.
///
/// # Panics
/// When `CHARGE_TEST_MYSQL_URL` is unset and `CHARGE_TEST_SKIP_MYSQL=1` is not set: a run that
/// silently left out MariaDB would look green while testing half of what ships.
pub fn mariadb_url() -> Option<String> {
    if let Ok(url) = std::env::var(MYSQL_URL_VARIABLE)
        && !url.trim().is_empty()
    {
        return Some(url.trim().trim_end_matches('/').to_owned());
    }
    if std::env::var(SKIP_MYSQL_VARIABLE).is_ok_and(|v| v.trim() == "1") {
        static NOTE: Once = Once::new();
        // Straight to stderr: the test harness would swallow a note printed with eprintln!.
        NOTE.call_once(|| {
            let _ = writeln!(
                std::io::stderr(),
                "note: {SKIP_MYSQL_VARIABLE}=1, so every MariaDB test passes without running"
            );
        });
        return None;
    }
    panic!(
        "{MYSQL_URL_VARIABLE} is not set. Storage tests run on SQLite and on MariaDB, and MariaDB \
         is required: point {MYSQL_URL_VARIABLE} at a server where the tests may create and drop \
         databases (e.g. {MYSQL_URL_VARIABLE}=mysql://root@127.0.0.1:3306; scripts/test.sh sets \
         it), or set {SKIP_MYSQL_VARIABLE}=1 to skip the MariaDB tests on purpose."
    )
}

/// A fresh, empty database for one test; a MariaDB one is dropped when this is dropped.
pub struct TestDatabase {
    /// The URL the server or store connects with.
    pub url: String,
    /// The SQLite file's directory (also a scratch directory for MariaDB tests).
    pub dir: tempfile::TempDir,
    /// MariaDB's server URL and this database's name.
    mariadb: Option<(String, String)>,
}

impl TestDatabase {
    /// Creates an empty database on `db`.
    ///
    /// # Panics
    /// When MariaDB is asked for but not configured or not reachable (see [`mariadb_url`]).
    pub async fn create(db: Db) -> Self {
        let dir = tempfile::tempdir().expect("temporary directory");
        match db {
            Db::Sqlite => TestDatabase {
                url: format!("sqlite://{}/charge.db", dir.path().display()),
                dir,
                mariadb: None,
            },
            Db::MariaDb => {
                let Some(server) = mariadb_url() else {
                    panic!("a MariaDB database was asked for while {SKIP_MYSQL_VARIABLE}=1");
                };
                drop_databases_of_finished_runs(&server);
                let name = unique_name();
                let mut admin = admin_connection(&server).await;
                sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                    "CREATE DATABASE {name} CHARACTER SET utf8mb4"
                )))
                .execute(&mut admin)
                .await
                .unwrap_or_else(|e| panic!("create the test database {name}: {e}"));
                let _ = admin.close().await;
                TestDatabase {
                    url: format!("{server}/{name}"),
                    dir,
                    mariadb: Some((server, name)),
                }
            }
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Some((server, name)) = self.mariadb.take() {
            // Drop runs inside the test's runtime, which must not be blocked on: the database is
            // dropped from a thread with a runtime of its own, and this waits for that thread.
            let outcome = std::thread::spawn(move || {
                let result = block_on(drop_database(&server, &name));
                (name, result)
            })
            .join();
            match outcome {
                Ok((_, Ok(()))) => {}
                Ok((name, Err(e))) => warn(&format!("could not drop test database {name}: {e}")),
                Err(_) => warn("dropping a test database panicked"),
            }
        }
    }
}

/// `charge_t_<process id>_<counter>_<nanoseconds>`: unique within and across runs.
fn unique_name() -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!(
        "{NAME_PREFIX}{}_{}_{nanos}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst)
    )
}

async fn admin_connection(server: &str) -> MySqlConnection {
    MySqlConnection::connect(server).await.unwrap_or_else(|e| {
        panic!("cannot connect to MariaDB at {MYSQL_URL_VARIABLE} ({e}); is the server running?")
    })
}

async fn drop_database(server: &str, name: &str) -> Result<(), sqlx::Error> {
    let mut admin = MySqlConnection::connect(server).await?;
    // A transaction the test left open would otherwise make the drop wait for a year.
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "SET SESSION lock_wait_timeout = {DROP_LOCK_WAIT_SECONDS}"
    )))
    .execute(&mut admin)
    .await?;
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE IF EXISTS {name}"
    )))
    .execute(&mut admin)
    .await?;
    admin.close().await
}

/// Once per process: drops the test databases of processes that are no longer running (a run
/// that was killed before its guards ran). Databases of live processes, such as a concurrent
/// run, are left alone. Linux only, as it asks `/proc` which processes live.
fn drop_databases_of_finished_runs(server: &str) {
    static ONCE: Once = Once::new();
    if !std::path::Path::new("/proc/self").exists() {
        return;
    }
    ONCE.call_once(|| {
        let server = server.to_owned();
        let swept = std::thread::spawn(move || block_on(sweep(&server)))
            .join()
            .unwrap_or_else(|_| Err("the sweep panicked".into()));
        if let Err(e) = swept {
            warn(&format!("could not drop leftover test databases: {e}"));
        }
    });
}

async fn sweep(server: &str) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let mut admin = MySqlConnection::connect(server).await?;
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA \
         WHERE SCHEMA_NAME LIKE 'charge\\_t\\_%' OR SCHEMA_NAME LIKE 'charge\\_store\\_%'",
    )
    .fetch_all(&mut admin)
    .await?;
    admin.close().await?;
    for name in names {
        let owner = name
            .strip_prefix(NAME_PREFIX)
            .or_else(|| name.strip_prefix(FORMER_PREFIX))
            .and_then(|rest| rest.split('_').next())
            .and_then(|pid| pid.parse::<u32>().ok());
        let Some(pid) = owner else { continue };
        if pid != std::process::id() && !std::path::Path::new(&format!("/proc/{pid}")).exists() {
            drop_database(server, &name).await?;
        }
    }
    Ok(())
}

/// Runs `work` to completion on a runtime of its own (for use from a plain thread).
fn block_on<T, E: std::fmt::Display>(
    work: impl Future<Output = Result<T, E>>,
) -> Result<T, String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    runtime
        .block_on(async { tokio::time::timeout(Duration::from_secs(60), work).await })
        .map_err(|_| "timed out".to_owned())?
        .map_err(|e| e.to_string())
}

/// Straight to stderr, so the warning shows even for a passing test.
fn warn(message: &str) {
    let _ = writeln!(std::io::stderr(), "warning: {message}");
}

/// Turns `async fn $name(db: Db)` into the tests `$name::sqlite` and `$name::mariadb`. Extra
/// arguments go to `#[tokio::test(…)]`, e.g. `both_backends!(name, flavor = "multi_thread")`.
macro_rules! both_backends {
    ($name:ident) => {
        mod $name {
            #[tokio::test]
            async fn sqlite() {
                super::$name(super::Db::Sqlite).await;
            }

            #[tokio::test]
            async fn mariadb() {
                if super::Db::mariadb_runs(module_path!()) {
                    super::$name(super::Db::MariaDb).await;
                }
            }
        }
    };
    ($name:ident, $($runtime:tt)+) => {
        mod $name {
            #[tokio::test($($runtime)+)]
            async fn sqlite() {
                super::$name(super::Db::Sqlite).await;
            }

            #[tokio::test($($runtime)+)]
            async fn mariadb() {
                if super::Db::mariadb_runs(module_path!()) {
                    super::$name(super::Db::MariaDb).await;
                }
            }
        }
    };
}
pub(crate) use both_backends;

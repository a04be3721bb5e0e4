//! `charge backup <dir>`: a consistent copy of a running server's SQLite database and of the
//! files kept beside it in the data directory (attachments, avatars), taken while it serves.
//!
//! The database is copied first, with `VACUUM INTO` (one read transaction, writers go on),
//! then the files. A file written after the database copy is at worst an unreferenced extra
//! in the backup; a row never points at a file the backup lacks unless that file was deleted
//! while the backup ran. MariaDB is backed up with `mariadb-dump` (see docs/DEPLOYMENT.md).

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use charge_config::Settings;
use charge_store::{Store, StoreOptions};

/// What a backup wrote.
#[derive(Debug)]
pub struct BackupReport {
    /// The database copy inside the backup directory.
    pub database: PathBuf,
    pub database_bytes: u64,
    /// Files copied from the data directory besides the database.
    pub files: u64,
    pub file_bytes: u64,
}

/// Copies the configured SQLite database and its data directory into `dest`, which must not
/// exist or be an empty directory.
pub async fn run(settings: &Settings, dest: &Path) -> anyhow::Result<BackupReport> {
    let url = settings.database_url.expose();
    let Some(db_file) = charge_store::backup::sqlite_file(url) else {
        bail!(
            "charge backup copies the embedded SQLite database; back up MariaDB with \
             mariadb-dump --single-transaction (docs/DEPLOYMENT.md, \"Backups\")"
        );
    };
    if !db_file.is_file() {
        bail!("no database at {}", db_file.display());
    }
    prepare_destination(dest)?;
    let file_name = db_file
        .file_name()
        .context("the database path has no file name")?;
    let database = dest.join(file_name);
    let partial = dest.join(format!("{}.partial", file_name.to_string_lossy()));
    let store = Store::connect(
        url,
        &StoreOptions {
            max_connections: 1,
            ..StoreOptions::default()
        },
    )
    .await
    .context("cannot open the database")?;
    let copied = store.sqlite_snapshot(&partial).await;
    store.close().await;
    copied.context("cannot copy the database")?;
    std::fs::rename(&partial, &database).context("cannot name the database copy")?;
    let database_bytes = std::fs::metadata(&database)?.len();

    let data_dir = match db_file.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let skip = Skip {
        db_file: std::path::absolute(&db_file)?,
        dest: std::path::absolute(dest)?,
    };
    let mut report = BackupReport {
        database,
        database_bytes,
        files: 0,
        file_bytes: 0,
    };
    copy_tree(&data_dir, dest, &skip, &mut report)
        .with_context(|| format!("cannot copy the files of {}", data_dir.display()))?;
    Ok(report)
}

fn prepare_destination(dest: &Path) -> anyhow::Result<()> {
    if dest.exists() {
        let mut entries = std::fs::read_dir(dest)
            .with_context(|| format!("{} is not a readable directory", dest.display()))?;
        if entries.next().is_some() {
            bail!(
                "{} is not empty; a backup goes into a new directory",
                dest.display()
            );
        }
    } else {
        std::fs::create_dir_all(dest)
            .with_context(|| format!("cannot create {}", dest.display()))?;
    }
    Ok(())
}

/// What the file copy leaves out: the live database (copied above) with its journal files,
/// and the backup itself when it is written inside the data directory.
struct Skip {
    db_file: PathBuf,
    dest: PathBuf,
}

impl Skip {
    fn skips(&self, path: &Path) -> bool {
        let Ok(path) = std::path::absolute(path) else {
            return true;
        };
        if path == self.dest {
            return true;
        }
        let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else {
            return false;
        };
        let db_name = self.db_file.file_name().unwrap_or_default();
        dir == self.db_file.parent().unwrap_or(Path::new("/"))
            && ["", "-wal", "-shm", "-journal"].iter().any(|suffix| {
                let mut candidate = db_name.to_os_string();
                candidate.push(suffix);
                candidate == name
            })
    }
}

/// Copies regular files and directories of `from` into `to`; symbolic links and special
/// files are left out (a backup holds data, not pointers to elsewhere).
fn copy_tree(from: &Path, to: &Path, skip: &Skip, report: &mut BackupReport) -> anyhow::Result<()> {
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let path = entry.path();
        if skip.skips(&path) {
            continue;
        }
        let kind = entry.file_type()?;
        let target = to.join(entry.file_name());
        if kind.is_dir() {
            std::fs::create_dir_all(&target)?;
            copy_tree(&path, &target, skip, report)?;
        } else if kind.is_file() {
            match std::fs::copy(&path, &target) {
                Ok(bytes) => {
                    report.files += 1;
                    report.file_bytes += bytes;
                }
                // Deleted since it was listed (an expired upload): nothing to keep.
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(e).with_context(|| format!("copying {}", path.display())),
            }
        }
    }
    Ok(())
}

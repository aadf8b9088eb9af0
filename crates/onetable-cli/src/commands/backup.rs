//! `onetable backup` and `onetable restore` (备份与恢复) of the embedded SQLite database.

use std::path::Path;

use anyhow::{bail, Context};
use onetable_server::Settings;
use onetable_store::{backup, DatabaseUrl};

fn report(what: &str, path: &Path, copied: &backup::Copied) {
    let rows: i64 = copied.tables.iter().map(|(_, n)| n).sum();
    println!(
        "{what} {}: {} bytes, {} tables, {rows} rows, integrity ok",
        path.display(),
        copied.bytes,
        copied.tables.len()
    );
}

/// A consistent copy while the server runs.
///
/// # Errors
/// On PostgreSQL (use `pg_dump`), when the file exists, or on a database or file fault.
pub fn backup(settings: &Settings, to: &Path) -> anyhow::Result<()> {
    let db = super::open(settings)?;
    if db.backend() == onetable_store::Backend::Postgres {
        bail!("PostgreSQL: back up with `pg_dump --format=custom` or `pg_basebackup` (README, “Backups”)");
    }
    let copied = backup::backup(&db, to).with_context(|| format!("backup to {} failed", to.display()))?;
    report("backed up to", to, &copied);
    Ok(())
}

/// Puts a backup in the place of the configured SQLite database (the server must be stopped),
/// and drops the cube snapshots, which describe the data as it was after the backup.
///
/// # Errors
/// When the database exists and `force` is not given, the backup fails its check, or on a file fault.
pub fn restore(settings: &Settings, from: &Path, force: bool) -> anyhow::Result<()> {
    let url = DatabaseUrl::parse(&settings.effective_database_url()).context("invalid database URL")?;
    let DatabaseUrl::Sqlite(target) = url else {
        bail!("PostgreSQL: restore with `pg_restore` into an empty database (README, “Backups”)");
    };
    if target.exists() && !force {
        bail!("{} exists: stop the server and add --force to replace it with the backup", target.display());
    }
    let copied = backup::restore(from, &target).with_context(|| format!("restore from {} failed", from.display()))?;
    let snapshots = settings.data_dir.join("cubes");
    if snapshots.exists() {
        std::fs::remove_dir_all(&snapshots).with_context(|| format!("cannot remove {}", snapshots.display()))?;
        println!("removed the cube snapshots in {} (they hold data newer than the backup)", snapshots.display());
    }
    report("restored into", &target, &copied);
    // Migrations newer than the backup run now, not at the first request.
    super::open(settings)?;
    Ok(())
}

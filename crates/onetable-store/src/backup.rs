//! Backups (备份) of the embedded SQLite database, taken while the server runs, and restores.
//! `VACUUM INTO` copies one read transaction's view of the whole database, so the copy is
//! consistent however many writes go on meanwhile, and in WAL mode it blocks no writer.
//! PostgreSQL is backed up with its own tools (`pg_dump`, `pg_basebackup`; see the README).

use std::path::{Path, PathBuf};

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

use crate::connection::{Db, DbConn};
use crate::error::{StoreError, StoreResult};

/// What a backup or a restore checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Copied {
    pub bytes: u64,
    /// Every table of the copy with its row count, by name.
    pub tables: Vec<(String, i64)>,
}

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct Check {
    #[diesel(sql_type = Text)]
    integrity_check: String,
}

fn file_error(path: &Path, source: std::io::Error) -> StoreError {
    StoreError::SqliteFile { path: path.display().to_string(), source }
}

fn refused(path: &Path, why: &str) -> StoreError {
    file_error(path, std::io::Error::other(why.to_owned()))
}

/// A file beside `path` that a crash may leave behind, never `path` itself half written.
fn partial(path: &Path) -> PathBuf {
    let mut name = path.file_name().map(std::ffi::OsStr::to_os_string).unwrap_or_default();
    name.push(format!(".partial-{}", std::process::id()));
    path.with_file_name(name)
}

fn sqlite_literal(path: &Path) -> String {
    format!("'{}'", path.display().to_string().replace('\'', "''"))
}

/// The tables of a SQLite database (not SQLite's own), by name.
///
/// # Errors
/// On a query failure.
pub fn tables(conn: &mut SqliteConnection) -> StoreResult<Vec<String>> {
    let names: Vec<Name> = diesel::sql_query(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    )
    .load(conn)?;
    Ok(names.into_iter().map(|n| n.name).collect())
}

/// Opens a SQLite file that must exist, checks it whole (`PRAGMA integrity_check`) and counts
/// every table's rows.
///
/// # Errors
/// When the file is missing, not a database, or damaged.
pub fn verify(path: &Path) -> StoreResult<Copied> {
    let bytes = std::fs::metadata(path).map_err(|e| file_error(path, e))?.len();
    let url = format!("file:{}?mode=ro", path.display());
    let mut conn = SqliteConnection::establish(&url)?;
    let checks: Vec<Check> = diesel::sql_query("PRAGMA integrity_check").load(&mut conn)?;
    if checks.first().map(|c| c.integrity_check.as_str()) != Some("ok") {
        return Err(refused(path, "the file fails SQLite's integrity check"));
    }
    let mut counted = Vec::new();
    for table in tables(&mut conn)? {
        let count: Count = diesel::sql_query(format!("SELECT count(*) AS n FROM \"{table}\"")).get_result(&mut conn)?;
        counted.push((table, count.n));
    }
    if counted.is_empty() {
        return Err(refused(path, "the file holds no tables: not a onetable database"));
    }
    Ok(Copied { bytes, tables: counted })
}

/// Writes a consistent copy of the SQLite database to `to` (which must not exist) while the
/// server may be writing, then checks the copy.
///
/// # Errors
/// On PostgreSQL (use `pg_dump`), when `to` exists, or on a file or database fault (the partial
/// copy is removed).
pub fn backup(db: &Db, to: &Path) -> StoreResult<Copied> {
    if to.exists() {
        return Err(refused(to, "the backup file exists already; name a new one"));
    }
    let temporary = partial(to);
    let _ = std::fs::remove_file(&temporary);
    let mut conn = db.conn()?;
    let DbConn::Sqlite(sqlite) = &mut *conn else {
        return Err(refused(to, "PostgreSQL is backed up with pg_dump or pg_basebackup (see the README)"));
    };
    let copied = sqlite
        .batch_execute(&format!("VACUUM INTO {}", sqlite_literal(&temporary)))
        .map_err(StoreError::from)
        .and_then(|()| verify(&temporary))
        .and_then(|copied| std::fs::rename(&temporary, to).map(|()| copied).map_err(|e| file_error(to, e)));
    if copied.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    copied
}

/// Puts the backup `from` in the place of the SQLite database at `to`, whole or not at all: the
/// backup is checked first, copied beside the database and renamed over it, and the database's
/// old write-ahead log is removed so that it cannot be replayed onto the restored file. The
/// server must be stopped.
///
/// # Errors
/// When the backup fails its check, or on a file fault (the database is then untouched).
pub fn restore(from: &Path, to: &Path) -> StoreResult<Copied> {
    let checked = verify(from)?;
    let temporary = partial(to);
    if let Some(parent) = to.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| file_error(parent, e))?;
    }
    std::fs::copy(from, &temporary).map_err(|e| file_error(&temporary, e))?;
    for suffix in ["-wal", "-shm"] {
        let mut side = to.as_os_str().to_os_string();
        side.push(suffix);
        match std::fs::remove_file(PathBuf::from(side)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                let _ = std::fs::remove_file(&temporary);
                return Err(file_error(to, e));
            }
            _ => {}
        }
    }
    std::fs::rename(&temporary, to).map_err(|e| file_error(to, e))?;
    Ok(checked)
}

#[derive(QueryableByName)]
struct Column {
    #[diesel(sql_type = Text)]
    name: String,
}

#[derive(QueryableByName)]
struct Row {
    #[diesel(sql_type = Text)]
    row: String,
}

/// Every table's rows, each as its values' SQL literals, in a stable order: two databases hold
/// the same data exactly when these are equal (how a restore is checked against its source).
///
/// # Errors
/// On a query failure.
pub fn contents(conn: &mut SqliteConnection) -> StoreResult<Vec<(String, Vec<String>)>> {
    let mut out = Vec::new();
    for table in tables(conn)? {
        let columns: Vec<Column> =
            diesel::sql_query(format!("SELECT name FROM pragma_table_info('{table}')")).load(conn)?;
        let quoted: Vec<String> = columns.iter().map(|c| format!("quote(\"{}\")", c.name)).collect();
        let order: Vec<String> = columns.iter().map(|c| format!("\"{}\"", c.name)).collect();
        let rows: Vec<Row> = diesel::sql_query(format!(
            "SELECT {} AS row FROM \"{table}\" ORDER BY {}",
            quoted.join(" || ',' || "),
            order.join(", ")
        ))
        .load(conn)?;
        out.push((table, rows.into_iter().map(|r| r.row).collect()));
    }
    Ok(out)
}

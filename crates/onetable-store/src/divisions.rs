//! Importing the national division list (the five CSV files of `shared/data/divisions/`, gzip or
//! plain) into `regions`, idempotently: new codes are inserted, renamed ones updated, vanished ones
//! retired (`valid_to`), never deleted — data may hang off them.

use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::path::{Path, PathBuf};

use chrono::{NaiveDate, Utc};
use diesel::prelude::*;
use flate2::read::GzDecoder;
use onetable_core::{RegionCode, RegionLevel};

use crate::connection::{insert_batch, DbConn};
use crate::error::StoreError;
use crate::models::{NewRegion, NewRegionChange};
use crate::schema::{region_changes, regions};

/// Rows per INSERT: 6 columns × 5,000 stays under both backends' bind-parameter limits.
const BATCH: usize = 5_000;
/// How many problems an error lists before it only counts.
const MAX_LISTED: usize = 20;

/// The five files, in hierarchy order, with the level their rows must have.
pub const DIVISION_FILES: [(&str, RegionLevel); 5] = [
    ("provinces", RegionLevel::Province),
    ("cities", RegionLevel::Prefecture),
    ("areas", RegionLevel::County),
    ("streets", RegionLevel::Township),
    ("villages", RegionLevel::Village),
];

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("cannot read {path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("no {0}.csv.gz or {0}.csv in the division folder")]
    MissingFile(String),
    #[error("{file}: cannot read CSV: {source}")]
    Csv { file: String, source: csv::Error },
    #[error("{file}: no `{column}` column in the header")]
    MissingColumn { file: String, column: &'static str },
    #[error("{file} line {line}: {message}")]
    BadRow { file: String, line: u64, message: String },
    #[error("{count} region(s) have no parent in the files or the database, e.g. {examples:?}")]
    Orphans { count: usize, examples: Vec<String> },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<diesel::result::Error> for ImportError {
    fn from(e: diesel::result::Error) -> Self {
        Self::Store(StoreError::Query(e))
    }
}

/// One division read from the files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Division {
    pub code: RegionCode,
    pub name: String,
}

/// The divisions read for one import, hierarchy order, and the region they were limited to.
#[derive(Debug, Clone, Default)]
pub struct DivisionSet {
    pub divisions: Vec<Division>,
    pub scope: Option<RegionCode>,
    /// Rows whose code names a unit of a higher level than their file (e.g. `441900 东莞市` in
    /// the county file): placeholders for units without that level, skipped.
    pub placeholders_skipped: usize,
}

/// Reads the five files from a folder (`NAME.csv.gz` or `NAME.csv`), keeping only the
/// divisions inside `scope` and the ancestors of `scope`.
///
/// # Errors
/// When a file is missing or unreadable, or a row's code is invalid or repeated.
pub fn read_dir(dir: &Path, scope: Option<RegionCode>) -> Result<DivisionSet, ImportError> {
    read_with(scope, |name| {
        for (file, gz) in [(format!("{name}.csv.gz"), true), (format!("{name}.csv"), false)] {
            let path: PathBuf = dir.join(&file);
            if path.exists() {
                let bytes = std::fs::read(&path)
                    .map_err(|source| ImportError::Io { path: path.display().to_string(), source })?;
                return Ok((file, decode(bytes, gz)));
            }
        }
        Err(ImportError::MissingFile(name.to_owned()))
    })
}

/// Reads the five files from memory (name without extension → bytes, gzip detected by magic).
///
/// # Errors
/// As [`read_dir`].
pub fn read_embedded(files: &[(&str, &[u8])], scope: Option<RegionCode>) -> Result<DivisionSet, ImportError> {
    read_with(scope, |name| {
        let (_, bytes) =
            files.iter().find(|(file, _)| *file == name).ok_or_else(|| ImportError::MissingFile(name.to_owned()))?;
        let gz = bytes.starts_with(&[0x1f, 0x8b]);
        Ok((format!("{name}.csv"), decode(bytes.to_vec(), gz)))
    })
}

fn decode(bytes: Vec<u8>, gz: bool) -> Box<dyn Read> {
    if gz {
        Box::new(GzDecoder::new(std::io::Cursor::new(bytes)))
    } else {
        Box::new(std::io::Cursor::new(bytes))
    }
}

fn read_with(
    scope: Option<RegionCode>,
    mut open: impl FnMut(&str) -> Result<(String, Box<dyn Read>), ImportError>,
) -> Result<DivisionSet, ImportError> {
    let mut set = DivisionSet { scope, ..DivisionSet::default() };
    let mut seen = HashSet::new();
    for (name, level) in DIVISION_FILES {
        let (file, reader) = open(name)?;
        read_file(&file, reader, level, &mut set, &mut seen)?;
    }
    Ok(set)
}

fn read_file(
    file: &str,
    reader: Box<dyn Read>,
    level: RegionLevel,
    set: &mut DivisionSet,
    seen: &mut HashSet<RegionCode>,
) -> Result<(), ImportError> {
    let csv_error = |source| ImportError::Csv { file: file.to_owned(), source };
    let mut csv = csv::ReaderBuilder::new().trim(csv::Trim::All).from_reader(reader);
    let headers = csv.headers().map_err(csv_error)?.clone();
    let column = |column: &'static str| {
        headers
            .iter()
            .position(|h| h.trim_start_matches('\u{feff}') == column)
            .ok_or_else(|| ImportError::MissingColumn { file: file.to_owned(), column })
    };
    let (code_at, name_at) = (column("code")?, column("name")?);
    for record in csv.records() {
        let record = record.map_err(csv_error)?;
        let line = record.position().map_or(0, csv::Position::line);
        let bad_row = |message: String| ImportError::BadRow { file: file.to_owned(), line, message };
        let raw_code = record.get(code_at).unwrap_or_default();
        let code = RegionCode::parse(raw_code).map_err(|e| bad_row(format!("`{raw_code}`: {e}")))?;
        if code.level() != level {
            set.placeholders_skipped += 1;
            continue;
        }
        let in_scope = set.scope.is_none_or(|s| s.contains(code) || code.contains(s));
        if !in_scope {
            continue;
        }
        let name = record.get(name_at).unwrap_or_default();
        if name.is_empty() {
            return Err(bad_row(format!("{code} has an empty name")));
        }
        if !seen.insert(code) {
            return Err(bad_row(format!("{code} appears twice")));
        }
        set.divisions.push(Division { code, name: name.to_owned() });
    }
    Ok(())
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ImportSummary {
    pub read: usize,
    pub inserted: usize,
    pub renamed: usize,
    pub retired: usize,
    pub restored: usize,
    pub unchanged: usize,
    pub placeholders_skipped: usize,
}

struct Existing {
    name: String,
    retired: bool,
}

/// Applies a division set to `regions` in one transaction, recording every rename, retirement
/// and restoration in `region_changes` with the given effective date.
///
/// # Errors
/// When a division's parent is neither in the set nor in the database, or on a database error
/// (nothing is written then).
pub fn import(conn: &mut DbConn, set: &DivisionSet, effective: NaiveDate) -> Result<ImportSummary, ImportError> {
    conn.transaction(|conn| import_in_transaction(conn, set, effective))
}

fn import_in_transaction(
    conn: &mut DbConn,
    set: &DivisionSet,
    effective: NaiveDate,
) -> Result<ImportSummary, ImportError> {
    let existing = load_existing(conn, set.scope)?;
    let incoming: HashSet<RegionCode> = set.divisions.iter().map(|d| d.code).collect();
    check_parents(conn, set, &incoming, &existing)?;

    let now = Utc::now().naive_utc();
    let change = |code: RegionCode, kind: &str, old_name: Option<&str>, new_name: Option<&str>| NewRegionChange {
        old_code: code.to_string(),
        new_code: (kind != "retire").then(|| code.to_string()),
        kind: kind.to_owned(),
        old_name: old_name.map(str::to_owned),
        new_name: new_name.map(str::to_owned),
        effective,
        recorded_at: now,
    };
    let mut summary = ImportSummary {
        read: set.divisions.len(),
        placeholders_skipped: set.placeholders_skipped,
        ..ImportSummary::default()
    };
    let mut inserts = Vec::new();
    let mut changes = Vec::new();
    for division in &set.divisions {
        let code = division.code;
        match existing.get(&code) {
            None => inserts.push(NewRegion {
                code: code.to_string(),
                name: division.name.clone(),
                level: i32::from(code.level().number()),
                parent_code: code.parent().map(|p| p.to_string()),
                valid_from: effective,
            }),
            Some(old) if old.retired => {
                diesel::update(regions::table.find(code.to_string()))
                    .set((regions::name.eq(&division.name), regions::valid_to.eq(None::<NaiveDate>)))
                    .execute(conn)?;
                changes.push(change(code, "restore", Some(&old.name), Some(&division.name)));
                summary.restored += 1;
            }
            Some(old) if old.name != division.name => {
                diesel::update(regions::table.find(code.to_string()))
                    .set(regions::name.eq(&division.name))
                    .execute(conn)?;
                changes.push(change(code, "rename", Some(&old.name), Some(&division.name)));
                summary.renamed += 1;
            }
            Some(_) => summary.unchanged += 1,
        }
    }
    // Parents before children, for the foreign key.
    inserts.sort_by(|a, b| (a.level, &a.code).cmp(&(b.level, &b.code)));
    for chunk in inserts.chunks(BATCH) {
        insert_batch::<_, NewRegion>(conn, regions::table, chunk)?;
    }
    summary.inserted = inserts.len();

    let mut vanished: Vec<(&RegionCode, &Existing)> =
        existing.iter().filter(|(code, old)| !old.retired && !incoming.contains(code)).collect();
    vanished.sort_by_key(|(code, _)| **code);
    for chunk in vanished.chunks(BATCH) {
        let codes: Vec<String> = chunk.iter().map(|(code, _)| code.to_string()).collect();
        diesel::update(regions::table.filter(regions::code.eq_any(codes)))
            .set(regions::valid_to.eq(Some(effective)))
            .execute(conn)?;
        changes.extend(chunk.iter().map(|(code, old)| change(**code, "retire", Some(&old.name), None)));
    }
    summary.retired = vanished.len();

    for chunk in changes.chunks(BATCH) {
        insert_batch::<_, NewRegionChange>(conn, region_changes::table, chunk)?;
    }
    Ok(summary)
}

/// The stored regions an import of `scope` may touch: everything inside it and its ancestors.
fn load_existing(conn: &mut DbConn, scope: Option<RegionCode>) -> Result<HashMap<RegionCode, Existing>, ImportError> {
    let mut query = regions::table.select((regions::code, regions::name, regions::valid_to)).into_boxed();
    if let Some(scope) = scope {
        let ancestors: Vec<String> = scope.ancestors().iter().map(ToString::to_string).collect();
        query = query.filter(
            regions::code
                .ge(scope.to_string())
                .and(regions::code.le(scope.descendant_upper_bound()))
                .or(regions::code.eq_any(ancestors)),
        );
    }
    let rows: Vec<(String, String, Option<NaiveDate>)> = query.load(conn)?;
    let mut out = HashMap::with_capacity(rows.len());
    for (code, name, valid_to) in rows {
        // Rows were validated on the way in; one that no longer parses is not ours to touch.
        if let Ok(code) = RegionCode::parse(&code) {
            out.insert(code, Existing { name, retired: valid_to.is_some() });
        }
    }
    Ok(out)
}

fn check_parents(
    conn: &mut DbConn,
    set: &DivisionSet,
    incoming: &HashSet<RegionCode>,
    existing: &HashMap<RegionCode, Existing>,
) -> Result<(), ImportError> {
    let missing: Vec<RegionCode> = set
        .divisions
        .iter()
        .filter_map(|d| d.code.parent())
        .filter(|p| !incoming.contains(p) && !existing.contains_key(p))
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    // Parents outside the scope may already be stored.
    let stored: HashSet<String> = regions::table
        .filter(regions::code.eq_any(missing.iter().map(ToString::to_string).collect::<Vec<_>>()))
        .select(regions::code)
        .load::<String>(conn)?
        .into_iter()
        .collect();
    let orphans: Vec<String> = set
        .divisions
        .iter()
        .filter(|d| d.code.parent().is_some_and(|p| missing.contains(&p) && !stored.contains(&p.to_string())))
        .map(|d| format!("{} {}", d.code, d.name))
        .collect();
    if orphans.is_empty() {
        return Ok(());
    }
    Err(ImportError::Orphans { count: orphans.len(), examples: orphans.into_iter().take(MAX_LISTED).collect() })
}

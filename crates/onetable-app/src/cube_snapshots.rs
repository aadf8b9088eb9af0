//! Cube snapshots on disk (立方快照): after a cube is built from the store, its columns are written
//! to `data_dir/cubes/` (Parquet, and a JSON note of the registry fingerprint, the latest entry
//! change it holds, the villages it was built over and the files' sizes). A restarted server loads
//! the snapshot and catches up from the store's change times exactly as a warm cube does; a
//! snapshot cut short, of another registry or of another division list is not served: the cube is
//! rebuilt.

use std::path::{Path, PathBuf};

use chrono::NaiveDateTime;
use onetable_analytics::{Cube, SnapshotFiles, SnapshotFrames};
use onetable_core::Period;
use onetable_store::{cube_source, DbConn};
use serde::{Deserialize, Serialize};

use onetable_analytics::Measure;

use crate::problem::Problem;

/// `cube-2025.json`: what the snapshot holds.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SnapshotNote {
    pub period: String,
    pub fingerprint: String,
    /// The latest entry change the cube held when written.
    pub latest: NaiveDateTime,
    pub villages: usize,
    pub data_bytes: usize,
    pub names_bytes: usize,
    pub written_at: NaiveDateTime,
}

fn paths(dir: &Path, period: &str) -> (PathBuf, PathBuf, PathBuf) {
    (
        dir.join(format!("cube-{period}.parquet")),
        dir.join(format!("cube-{period}.names.parquet")),
        dir.join(format!("cube-{period}.json")),
    )
}

fn write(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let temporary = path.with_extension(format!("tmp-{}", std::process::id()));
    std::fs::write(&temporary, bytes)?;
    std::fs::rename(&temporary, path)
}

/// Writes the snapshot of a cube (its frames, taken while it was locked); the note last, so a
/// note always describes whole files.
///
/// # Errors
/// A file or encoding fault, as text for the log.
pub fn save(dir: &Path, fingerprint: &str, latest: NaiveDateTime, cube: SnapshotFrames) -> Result<(), String> {
    let started = std::time::Instant::now();
    let (period, villages) = (cube.period.clone(), cube.villages);
    let files = cube.encode().map_err(|e| e.to_string())?;
    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    let (data, names, note) = paths(dir, &period);
    // The old note goes first: a crash half way leaves no note, not a note of other files.
    let _ = std::fs::remove_file(&note);
    write(&data, &files.data).map_err(|e| e.to_string())?;
    write(&names, &files.names).map_err(|e| e.to_string())?;
    let about = SnapshotNote {
        period: period.clone(),
        fingerprint: fingerprint.to_owned(),
        latest,
        villages,
        data_bytes: files.data.len(),
        names_bytes: files.names.len(),
        written_at: chrono::Utc::now().naive_utc(),
    };
    write(&note, &serde_json::to_vec_pretty(&about).map_err(|e| e.to_string())?).map_err(|e| e.to_string())?;
    tracing::info!(
        period = period.as_str(),
        bytes = files.data.len(),
        ms = started.elapsed().as_millis(),
        "cube snapshot written"
    );
    Ok(())
}

/// The cube of `period` from its snapshot, with the latest change it holds — or `None` (logged)
/// when there is none, or it is cut short, of another registry fingerprint or of another number
/// of villages than the store has now.
/// `measures` gives the cube's view of the registry for the period (as a build would use).
pub fn load(
    dir: &Path,
    conn: &mut DbConn,
    period: Period,
    fingerprint: &str,
    measures: impl FnOnce(&mut DbConn, Period) -> Result<Vec<Measure>, Problem>,
) -> Option<(Cube, NaiveDateTime)> {
    let key = period.to_string();
    let (data, names, note) = paths(dir, &key);
    let about: SnapshotNote = serde_json::from_slice(&std::fs::read(&note).ok()?).ok()?;
    let refuse = |why: &str| {
        tracing::warn!(period = %key, why, "cube snapshot not used; rebuilding from the store");
        None
    };
    if about.fingerprint != fingerprint {
        return refuse("registry changed");
    }
    let files = SnapshotFiles { data: std::fs::read(&data).ok()?, names: std::fs::read(&names).ok()? };
    if files.data.len() != about.data_bytes || files.names.len() != about.names_bytes {
        return refuse("files cut short or replaced");
    }
    let villages = cube_source::current_villages(conn).ok()?.len();
    if villages != about.villages {
        return refuse("division list changed");
    }
    let measures = measures(conn, period).ok()?;
    match Cube::from_snapshot(&key, measures, &files) {
        Ok(cube) if cube.villages() == villages => Some((cube, about.latest)),
        Ok(_) => refuse("villages differ"),
        Err(e) => refuse(&e.to_string()),
    }
}

/// The periods with a snapshot note in `dir`, to warm at start.
#[must_use]
pub fn periods(dir: &Path) -> Vec<Period> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut out: Vec<Period> = entries
        .filter_map(|e| {
            e.ok()?
                .file_name()
                .to_str()?
                .strip_prefix("cube-")?
                .strip_suffix(".json")
                .and_then(|p| Period::parse(p).ok())
        })
        .collect();
    out.sort_by_key(ToString::to_string);
    out
}

//! The server's cubes (one per period), built on first use and kept fresh without rebuilding:
//! every read first asks the store which entries changed since the cube last looked (one indexed
//! query on `entries (period, updated_at)`) and applies those whose change time differs from the
//! cube's. This sees every writer — this server's approvals and imports, other servers, the
//! `onetable import` command — and a change is visible to the first read after it commits.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use chrono::NaiveDateTime;
use onetable_analytics::{Cube, CubeError};
use onetable_core::Period;
use onetable_store::{cube_source, registry, DbConn};

pub use crate::cube_build::{build, measures};
use crate::cube_build::{load_entries, millis};
use crate::metrics::{Metrics, PeriodLabels, SourceLabels};
use crate::problem::Problem;

/// Longest a write may take from taking its change time to committing, for the freshness check.
const LOOK_BACK_SECONDS: i64 = 5;

/// What the freshness check has seen: the latest change time applied, and when it last looked.
#[derive(Debug, Clone, Copy)]
struct Seen {
    latest: NaiveDateTime,
    checked_at: NaiveDateTime,
}

#[derive(Default)]
struct Slot {
    /// The cube, and the registry fingerprint it was built under.
    cube: RwLock<Option<(String, Cube)>>,
    /// Where the cube came from: `snapshot` or `store`.
    origin: Mutex<Option<&'static str>>,
    seen: Mutex<Option<Seen>>,
    /// Held while building, so that concurrent first readers build once.
    building: Mutex<()>,
    /// The latest change the snapshot on disk holds (none: no snapshot of this cube yet).
    saved: Mutex<Option<NaiveDateTime>>,
    /// What the cube holds in memory, and when it was last read (a tick of the cache's clock).
    bytes: AtomicUsize,
    used: AtomicU64,
}

#[derive(Default)]
pub struct CubeCache {
    slots: Mutex<HashMap<String, Arc<Slot>>>,
    /// Where cube snapshots are kept; none: cubes live in memory only.
    snapshots: Option<PathBuf>,
    /// Most bytes the cubes may hold together; beyond it the least recently read are dropped
    /// (none: no limit).
    budget: Option<usize>,
    clock: AtomicU64,
    metrics: Metrics,
}

impl std::fmt::Debug for CubeCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CubeCache").finish_non_exhaustive()
    }
}

fn cube_error(e: CubeError) -> Problem {
    Problem::internal(format!("analytics: {e}"))
}

impl CubeCache {
    /// A cache that keeps a snapshot of each cube it builds in `dir` and loads it after a restart.
    #[must_use]
    pub fn with_snapshots(dir: PathBuf) -> Self {
        Self { snapshots: Some(dir), ..Self::default() }
    }

    /// Records builds, catch-ups and sizes into `metrics`.
    #[must_use]
    pub fn with_metrics(mut self, metrics: Metrics) -> Self {
        self.metrics = metrics;
        self
    }

    /// Keeps the cubes in memory under `bytes` together, dropping the least recently read first
    /// (a dropped cube is loaded again from its snapshot, or rebuilt, when next read).
    #[must_use]
    pub fn with_budget(mut self, bytes: usize) -> Self {
        self.budget = Some(bytes);
        self
    }

    /// Bytes held by the cubes in memory now.
    #[must_use]
    pub fn held_bytes(&self) -> usize {
        let slots = self.slots.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        slots.values().map(|s| s.bytes.load(Ordering::Relaxed)).sum()
    }

    /// Drops the least recently read cubes, other than `keep`, while the cubes hold more than the
    /// budget. Readers of a dropped cube finish on it; its memory goes with the last of them.
    fn evict(&self, keep: &str) {
        let Some(budget) = self.budget else { return };
        let mut slots = self.slots.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        loop {
            let held: usize = slots.values().map(|s| s.bytes.load(Ordering::Relaxed)).sum();
            if held <= budget {
                return;
            }
            let oldest = slots
                .iter()
                .filter(|(period, slot)| period.as_str() != keep && slot.bytes.load(Ordering::Relaxed) > 0)
                .min_by_key(|(_, slot)| slot.used.load(Ordering::Relaxed))
                .map(|(period, _)| period.clone());
            let Some(oldest) = oldest else { return };
            tracing::info!(period = %oldest, held, budget, "cube dropped from memory (least recently read)");
            slots.remove(&oldest);
        }
    }

    /// The periods with a snapshot on disk, to warm at start.
    #[must_use]
    pub fn snapshot_periods(&self) -> Vec<Period> {
        self.snapshots.as_deref().map(crate::cube_snapshots::periods).unwrap_or_default()
    }

    /// The cubes in memory and where each came from (`snapshot` or `store`), by period.
    #[must_use]
    pub fn warm(&self) -> Vec<(String, &'static str)> {
        let slots = self.slots.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut out: Vec<(String, &'static str)> = slots
            .iter()
            .filter(|(_, slot)| slot.cube.read().unwrap_or_else(std::sync::PoisonError::into_inner).is_some())
            .filter_map(|(period, slot)| {
                Some((period.clone(), (*slot.origin.lock().unwrap_or_else(std::sync::PoisonError::into_inner))?))
            })
            .collect();
        out.sort();
        out
    }

    fn slot(&self, period: &str) -> Arc<Slot> {
        let mut slots = self.slots.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        slots.entry(period.to_owned()).or_default().clone()
    }

    /// Runs `read` on the cube of `period`, building it first if need be (or if the registry
    /// changed since it was built). Blocking: call from a blocking task.
    ///
    /// # Errors
    /// On a database fault, or whatever `read` returns.
    pub fn read<T>(
        &self,
        conn: &mut DbConn,
        period: Period,
        read: impl FnOnce(&Cube) -> Result<T, Problem>,
    ) -> Result<T, Problem> {
        let slot = self.ready(conn, period)?;
        let cube = slot.cube.read().unwrap_or_else(std::sync::PoisonError::into_inner);
        match cube.as_ref() {
            Some((_, cube)) => read(cube),
            None => Err(Problem::internal("cube vanished while building")),
        }
    }

    /// [`Self::read`], also handing `read` the cubes of the periods containing `period` (its
    /// quarter and year) when one of its derived indicators has inputs of another frequency — the
    /// monthly `DER.DIBAO_RATE` over the annual `POP.REGISTERED`.
    ///
    /// # Errors
    /// On a database fault, or whatever `read` returns.
    pub fn read_with<T>(
        &self,
        conn: &mut DbConn,
        period: Period,
        read: impl FnOnce(&Cube, &[&Cube]) -> Result<T, Problem>,
    ) -> Result<T, Problem> {
        let slot = self.ready(conn, period)?;
        let needs = {
            let cube = slot.cube.read().unwrap_or_else(std::sync::PoisonError::into_inner);
            cube.as_ref().is_some_and(|(_, cube)| reads_other_periods(cube))
        };
        let mut outer = Vec::new();
        if needs {
            for containing in containing_periods(period) {
                outer.push(self.ready(conn, containing)?);
            }
        }
        let cube = slot.cube.read().unwrap_or_else(std::sync::PoisonError::into_inner);
        let guards: Vec<_> =
            outer.iter().map(|s| s.cube.read().unwrap_or_else(std::sync::PoisonError::into_inner)).collect();
        let others: Vec<&Cube> = guards.iter().filter_map(|g| g.as_ref().map(|(_, c)| c)).collect();
        match cube.as_ref() {
            Some((_, cube)) => read(cube, &others),
            None => Err(Problem::internal("cube vanished while building")),
        }
    }

    /// The slot of `period` with its cube built (or loaded) and caught up with the store.
    fn ready(&self, conn: &mut DbConn, period: Period) -> Result<Arc<Slot>, Problem> {
        let key = period.to_string();
        let slot = self.slot(&key);
        slot.used.store(self.clock.fetch_add(1, Ordering::Relaxed) + 1, Ordering::Relaxed);
        let fingerprint = registry::fingerprint(conn)?;
        let fresh = slot
            .cube
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .as_ref()
            .is_some_and(|(f, _)| *f == fingerprint);
        if fresh {
            self.catch_up(conn, &key, &slot)?;
            return Ok(slot);
        }
        let building = slot.building.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let current =
            slot.cube.read().unwrap_or_else(std::sync::PoisonError::into_inner).as_ref().map(|(f, _)| f.clone());
        if current.as_deref() != Some(fingerprint.as_str()) {
            let checked_at = chrono::Utc::now().naive_utc();
            let loaded = self
                .snapshots
                .as_deref()
                .and_then(|dir| crate::cube_snapshots::load(dir, conn, period, &fingerprint, measures));
            let from_snapshot = loaded.is_some();
            let started = std::time::Instant::now();
            let (cube, latest) = match loaded {
                Some((cube, latest)) => (cube, latest),
                None => {
                    let (cube, latest) = build(conn, period)?;
                    (cube, latest.unwrap_or(chrono::DateTime::UNIX_EPOCH.naive_utc()))
                }
            };
            let source = if from_snapshot { "snapshot" } else { "store" };
            let labels = SourceLabels { source: source.to_owned() };
            self.metrics.cube_build_seconds.get_or_create(&labels).observe(started.elapsed().as_secs_f64());
            let stored = cube.measures().iter().filter(|m| !m.is_derived()).count();
            let cells = i64::try_from(cube.villages().saturating_mul(stored)).unwrap_or(i64::MAX);
            self.metrics.cube_cells.get_or_create(&PeriodLabels { period: key.clone() }).set(cells);
            slot.bytes.store(cube.memory_bytes(), Ordering::Relaxed);
            *slot.cube.write().unwrap_or_else(std::sync::PoisonError::into_inner) = Some((fingerprint.clone(), cube));
            *slot.origin.lock().unwrap_or_else(std::sync::PoisonError::into_inner) =
                Some(if from_snapshot { "snapshot" } else { "store" });
            // A snapshot's cube has seen the store up to its latest change; the catch-up below
            // applies everything since, as on any read.
            let seen = Seen { latest, checked_at: if from_snapshot { latest } else { checked_at } };
            *slot.seen.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(seen);
            if from_snapshot {
                *slot.saved.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(latest);
                self.catch_up(conn, &key, &slot)?;
            } else if let Some(dir) = self.snapshots.clone() {
                snapshot_later(dir, fingerprint, latest, slot.clone());
            }
        }
        drop(building);
        self.evict(&key);
        Ok(slot)
    }

    /// Catches every cube in memory up with the store and writes its snapshot where the one on
    /// disk is older (at shutdown, so that the next start catches up from here); how many were
    /// written.
    pub fn snapshot_all(&self, conn: &mut DbConn) -> usize {
        let Some(dir) = self.snapshots.clone() else { return 0 };
        let slots: Vec<(String, Arc<Slot>)> = self
            .slots
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .iter()
            .map(|(p, s)| (p.clone(), s.clone()))
            .collect();
        let mut written = 0;
        for (period, slot) in slots {
            if let Err(e) = self.catch_up(conn, &period, &slot) {
                tracing::warn!(period, error = %e.describe(), "cube not caught up at shutdown");
                continue;
            }
            let Some(seen) = *slot.seen.lock().unwrap_or_else(std::sync::PoisonError::into_inner) else { continue };
            let saved = *slot.saved.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            if saved.is_some_and(|saved| saved >= seen.latest) {
                continue;
            }
            let frames = {
                let cube = slot.cube.read().unwrap_or_else(std::sync::PoisonError::into_inner);
                cube.as_ref().map(|(fingerprint, cube)| (fingerprint.clone(), cube.snapshot_frames()))
            };
            let Some((fingerprint, Ok(frames))) = frames else { continue };
            match crate::cube_snapshots::save(&dir, &fingerprint, seen.latest, frames) {
                Ok(()) => {
                    *slot.saved.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(seen.latest);
                    written += 1;
                }
                Err(e) => tracing::warn!(error = %e, "cube snapshot not written at shutdown"),
            }
        }
        written
    }

    /// Applies the current state of these villages' entries for `period` to its cube, if one is
    /// loaded.
    ///
    /// # Errors
    /// On a database fault.
    pub fn changed(&self, conn: &mut DbConn, period: &str, villages: &[String]) -> Result<(), Problem> {
        let Some(slot) = self.slots.lock().unwrap_or_else(std::sync::PoisonError::into_inner).get(period).cloned()
        else {
            return Ok(());
        };
        if slot.cube.read().unwrap_or_else(std::sync::PoisonError::into_inner).is_none() || villages.is_empty() {
            return Ok(());
        }
        let entries = load_entries(conn, period, villages)?;
        let mut cube = slot.cube.write().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((_, loaded)) = cube.as_mut() {
            if let Err(e) = loaded.apply(&entries) {
                // A village the cube does not know (the division list changed): rebuild on next read.
                tracing::info!(error = %e, period, "cube dropped, will rebuild");
                *cube = None;
                slot.bytes.store(0, Ordering::Relaxed);
            }
        }
        Ok(())
    }

    /// Applies entries of `period` changed since the cube last looked.
    fn catch_up(&self, conn: &mut DbConn, period: &str, slot: &Slot) -> Result<(), Problem> {
        let seen = *slot.seen.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let Some(seen) = seen else { return Ok(()) };
        let started = std::time::Instant::now();
        let checked_at = chrono::Utc::now().naive_utc();
        // Change times are taken before commit, so a write that committed after the last look may
        // carry a time older than the latest seen — but not older than the last look minus the
        // longest write. Rows the cube already holds (same change time) are skipped.
        let from = seen.latest.min(seen.checked_at - chrono::Duration::seconds(LOOK_BACK_SECONDS));
        let changed = cube_source::changed_since(conn, period, from)?;
        let latest = changed.iter().map(|(_, at)| *at).max().unwrap_or(seen.latest).max(seen.latest);
        let villages: Vec<String> = {
            let cube = slot.cube.read().unwrap_or_else(std::sync::PoisonError::into_inner);
            let Some((_, cube)) = cube.as_ref() else { return Ok(()) };
            changed
                .into_iter()
                .filter(|(village, at)| {
                    let held = village.parse::<u64>().ok().and_then(|v| cube.updated_ms(v));
                    held != Some(millis(*at))
                })
                .map(|(v, _)| v)
                .collect()
        };
        self.changed(conn, period, &villages)?;
        let mut seen = slot.seen.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let checked_at = seen.map_or(checked_at, |s| s.checked_at.max(checked_at));
        *seen = Some(Seen { latest: seen.map_or(latest, |s| s.latest.max(latest)), checked_at });
        self.metrics.cube_catch_up_seconds.observe(started.elapsed().as_secs_f64());
        Ok(())
    }
}

/// Whether a derived indicator of the cube reads an indicator the cube does not hold (one of
/// another frequency).
fn reads_other_periods(cube: &Cube) -> bool {
    cube.measures()
        .iter()
        .filter_map(|m| m.formula.as_ref())
        .any(|f| f.codes().iter().any(|code| cube.measure(code).is_none()))
}

/// The periods of coarser frequencies containing `period`: a month's quarter and year, a
/// quarter's year.
fn containing_periods(period: Period) -> Vec<Period> {
    match period {
        Period::Year(_) => Vec::new(),
        Period::Quarter(year, _) => vec![Period::Year(year)],
        Period::Month(year, month) => {
            vec![Period::containing(onetable_core::indicator::Frequency::Quarterly, year, month), Period::Year(year)]
        }
    }
}

/// Writes the snapshot of a freshly built cube on another thread, so the read that built it is
/// answered first. The cube is locked only while its frames are taken (they share its memory);
/// the encoding and the writing take seconds nationally, and a catch-up must not wait for them.
fn snapshot_later(dir: PathBuf, fingerprint: String, latest: NaiveDateTime, slot: Arc<Slot>) {
    let spawned = std::thread::Builder::new().name("cube-snapshot".into()).spawn(move || {
        let frames = {
            let cube = slot.cube.read().unwrap_or_else(std::sync::PoisonError::into_inner);
            cube.as_ref().filter(|(f, _)| *f == fingerprint).map(|(_, cube)| cube.snapshot_frames())
        };
        let saved = match frames {
            Some(Ok(frames)) => crate::cube_snapshots::save(&dir, &fingerprint, latest, frames),
            Some(Err(e)) => Err(e.to_string()),
            None => Ok(()),
        };
        match saved {
            Ok(()) => *slot.saved.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(latest),
            Err(e) => tracing::warn!(error = %e, "cube snapshot not written"),
        }
    });
    if let Err(e) = spawned {
        tracing::warn!(error = %e, "cube snapshot not written");
    }
}

/// Maps analytics failures for handlers.
#[must_use]
pub fn internal(e: CubeError) -> Problem {
    cube_error(e)
}

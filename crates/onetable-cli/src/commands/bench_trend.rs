//! `onetable bench trend`: ten annual periods of the national data in one process under a memory
//! budget, and the ten-year trend a national dashboard draws.
//!
//! The store holds one generated year (2025, from `bench cube`); the nine years before it are
//! cube snapshots restated from it (every number scaled), loaded by the server's own start-up
//! path. Generating nine more national years in the store would take most of an hour and ~60 GB.

use std::time::{Duration, Instant};

use anyhow::anyhow;
use onetable_app::cubes;
use onetable_app::dashboards::series::{self, SeriesAsk};
use onetable_app::{Actor, App, Origin, SubjectKind};
use onetable_core::{Period, RegionCode, RegionLevel, Role, Scope};
use onetable_store::{cube_source, Db};

use super::bench_cube::{generated, median, memory_mib, ms, peak_rss_mib, RATIOS};

const FIRST: i32 = 2016;
const LAST: i32 = 2025;
const RUNS: usize = 15;

fn rss_mib() -> f64 {
    memory_mib("VmRSS:")
}

fn mib(bytes: usize) -> String {
    format!("{:.0} MiB", bytes as f64 / 1024.0 / 1024.0)
}

/// # Errors
/// Without the generated 2025 data (`bench cube` first), or on any read failure.
pub async fn trend_bench(db: Db, budget_mib: usize) -> anyhow::Result<()> {
    let last = Period::Year(LAST);
    if cube_source::period_entries(&mut *db.conn()?, &last.to_string())?.is_empty() {
        return Err(anyhow!("no entries for {last}: run `onetable bench cube` on this database first"));
    }
    let dir = std::env::temp_dir().join(format!("onetable-bench-trend-{}", std::process::id()));
    let snapshots = dir.join("cubes");
    let started = Instant::now();
    let (cube, latest) = cubes::build(&mut *db.conn()?, last).map_err(|e| anyhow!(e.describe()))?;
    let latest = latest.unwrap_or(chrono::DateTime::UNIX_EPOCH.naive_utc());
    let fingerprint = onetable_store::registry::fingerprint(&mut *db.conn()?)?;
    println!(
        "villages: {}; {last} cube built from the store in {:.1} s",
        cube.villages(),
        started.elapsed().as_secs_f64()
    );
    let started = Instant::now();
    for year in FIRST..=LAST {
        // 2 % fewer of everything per year back, so that a trend has a slope to check by eye.
        let factor = 1.0 - 0.02 * f64::from(LAST - year);
        let restated = cube.restated(&year.to_string(), factor)?;
        let frames = restated.snapshot_frames()?;
        onetable_app::cube_snapshots::save(&snapshots, &fingerprint, latest, frames).map_err(|e| anyhow!(e))?;
    }
    println!("{} snapshots ({FIRST}–{LAST}) written in {:.1} s", LAST - FIRST + 1, started.elapsed().as_secs_f64());
    let indicators = {
        let mut codes: Vec<String> =
            generated(&mut *db.conn()?)?.into_iter().filter(|(_, b)| !b).take(8).map(|(c, _)| c).collect();
        codes.extend(RATIOS.iter().map(|c| (*c).to_owned()));
        codes.join(",")
    };
    drop(cube);
    let before = rss_mib();

    // The server's start: it loads every snapshot in the background, under the budget.
    let budget = budget_mib.saturating_mul(1024 * 1024);
    let started = Instant::now();
    let app = App::start(db.clone(), onetable_app::imports::Limits::default())
        .map_err(|e| anyhow!(e.describe()))?
        .with_cube_snapshots(snapshots.clone(), (budget > 0).then_some(budget));
    let periods = usize::try_from(LAST - FIRST + 1)?;
    while app.cubes.warm().len() < periods && started.elapsed() < Duration::from_secs(300) {
        std::thread::sleep(Duration::from_millis(50));
    }
    println!(
        "start-up warm-up: {} of {periods} cubes loaded from snapshots in {:.1} s; held {} (budget {}), process RSS {:.0} MiB (before the start: {before:.0} MiB)",
        app.cubes.warm().len(),
        started.elapsed().as_secs_f64(),
        mib(app.cubes.held_bytes()),
        if budget > 0 { mib(budget) } else { "none".to_owned() },
        rss_mib(),
    );

    let actor = Actor {
        subject: "bench_national_viewer".to_owned(),
        kind: SubjectKind::User,
        role: Role::Viewer,
        scope: Scope::Nationwide,
        department: None,
        origin: Origin::default(),
    };
    let ask = |within: Option<RegionCode>, level: RegionLevel| SeriesAsk {
        indicators: indicators.clone(),
        within: within.map(|w| w.to_string()),
        level: Some(level),
        periods: format!("{FIRST}..{LAST}"),
        periods_field: None,
        include: None,
    };
    let mut samples = Vec::new();
    let mut shape = (0, 0);
    for _ in 0..RUNS {
        let t = Instant::now();
        let answer =
            series::series(&app, &actor, ask(None, RegionLevel::Province)).await.map_err(|e| anyhow!(e.describe()))?;
        samples.push(t.elapsed());
        shape = (answer.periods.len(), answer.periods.first().map_or(0, |p| p.parts.rows.len()));
    }
    println!(
        "trend of 10 indicators (8 sums, 2 ratios) over {} periods for every province ({} rows a period, one request): median {}, slowest {}",
        shape.0,
        shape.1,
        ms(median(samples.clone())),
        ms(samples.iter().max().copied().unwrap_or_default())
    );

    let provinces: Vec<RegionCode> = cube_source::current_villages(&mut *db.conn()?)?
        .iter()
        .filter_map(|v| RegionCode::parse(v).ok())
        .map(|v| v.truncated_to(RegionLevel::Province))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut samples = Vec::new();
    for province in &provinces {
        let t = Instant::now();
        series::series(&app, &actor, ask(Some(*province), RegionLevel::County))
            .await
            .map_err(|e| anyhow!(e.describe()))?;
        samples.push(t.elapsed());
    }
    println!(
        "each province's own trend with its counties ({} requests of {} periods): median {}, slowest {}",
        provinces.len(),
        shape.0,
        ms(median(samples.clone())),
        ms(samples.iter().max().copied().unwrap_or_default())
    );
    println!(
        "after the trends: held {} in {} cubes, process RSS {:.0} MiB, peak {:.0} MiB",
        mib(app.cubes.held_bytes()),
        app.cubes.warm().len(),
        rss_mib(),
        peak_rss_mib()
    );
    drop(app);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

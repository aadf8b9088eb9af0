//! `onetable bench outliers`: outliers (异常值) over the demo prefecture's data — its 1,294
//! villages filled for six years by `onetable demo`'s generator (filled here when missing) —
//! through the app layer the API calls: a county and the prefecture, every numeric indicator of
//! the annual form, against each village's five earlier years and its county's villages; the
//! first read (cubes built) and warm reads; then one village's flags, as its form asks for them.

use std::time::{Duration, Instant};

use anyhow::anyhow;
use onetable_app::entries::access::EntryRef;
use onetable_app::quality::outliers::{self, OutlierQuery};
use onetable_app::App;
use onetable_core::{Period, RegionCode, Role};
use onetable_store::Db;

use super::bench_supplies::actor;

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

pub async fn outliers_bench(db: Db) -> anyhow::Result<()> {
    let now = chrono::Utc::now().naive_utc();
    let (prefecture, _) = super::bench_registers::prepare(&db, now)?;
    let today = onetable_app::time::china_today();
    let filled =
        onetable_app::demo::fill(&mut *db.conn()?, prefecture, today, now).map_err(|e| anyhow!(e.describe()))?;
    let year = filled.periods.iter().filter(|p| p.len() == 4).max().cloned().unwrap_or_else(|| "2025".to_owned());
    let app = App::start(db.clone(), onetable_app::imports::Limits::default()).map_err(|e| anyhow!(e.describe()))?;
    let admin = actor("bench_admin", Role::Admin, prefecture, None);
    let county = RegionCode::parse("522301")?;
    println!(
        "{} backend; period {year}; history: the five years before it",
        if matches!(*db.conn()?, onetable_store::DbConn::Sqlite(_)) { "SQLite" } else { "PostgreSQL" }
    );
    for (label, within) in [("county 522301", county), ("prefecture 5223", prefecture)] {
        let mut times = Vec::new();
        let mut found = (0, 0, 0);
        for _ in 0..6 {
            let query = OutlierQuery {
                within: Some(within.to_string()),
                period: year.clone(),
                limit: Some(10_000),
                ..OutlierQuery::default()
            };
            let started = Instant::now();
            let report = outliers::outliers(&app, &admin, query).await.map_err(|e| anyhow!(e.describe()))?;
            times.push(started.elapsed());
            found = (report.checked, report.outliers.len(), report.short_history);
        }
        let first = times.remove(0);
        times.sort();
        println!(
            "{label}: {} values checked, {} flagged ({} without 3 earlier years); first {:.0} ms, warm median {:.1} ms (min {:.1}, max {:.1})",
            found.0,
            found.1,
            found.2,
            ms(first),
            ms(times[times.len() / 2]),
            ms(times[0]),
            ms(times[times.len() - 1])
        );
    }
    let village = RegionCode::parse("522301100200")?;
    let at = EntryRef { region: village, period: Period::parse(&year).map_err(|e| anyhow!(e))? };
    let mut times = Vec::new();
    let mut flagged = 0;
    for _ in 0..6 {
        let started = Instant::now();
        flagged = outliers::of_entry(&app, &admin, at).await.map_err(|e| anyhow!(e.describe()))?.outliers.len();
        times.push(started.elapsed());
    }
    times.remove(0);
    times.sort();
    println!(
        "one village's flags for its form ({village}): {flagged} flagged, warm median {:.1} ms (max {:.1})",
        ms(times[times.len() / 2]),
        ms(times[times.len() - 1])
    );
    Ok(())
}

//! `onetable bench supply`: 数据回流 at a prefecture's scale — a department's approved supply of
//! 10 annual indicators pushed for every village of the demo prefecture (1,294 villages, 12,940
//! rows) through the app layer the API calls: how long a push takes into empty forms, into forms
//! holding its earlier numbers, and unchanged; then, the forms approved, how long until the
//! prefecture's dashboard shows the pushed numbers. On the configured database.

use std::time::{Duration, Instant};

use anyhow::anyhow;
use onetable_analytics::report::Datum;
use onetable_app::actor::{Actor, Origin, SubjectKind};
use onetable_app::sharing::requests::Decision;
use onetable_app::supplies::push::{SuppliedRow, SupplyPush};
use onetable_app::supplies::{grants, push, NewSupply};
use onetable_app::App;
use onetable_core::indicator::Frequency;
use onetable_core::{RegionCode, RegionLevel, Role, Scope};
use onetable_store::Db;

/// An actor of the benchmarks that call the app layer directly.
pub(super) fn actor(subject: &str, role: Role, region: RegionCode, department: Option<&str>) -> Actor {
    Actor {
        subject: subject.to_owned(),
        kind: SubjectKind::User,
        role,
        scope: Scope::Within(region),
        department: department.map(str::to_owned),
        origin: Origin::default(),
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

pub async fn supply_bench(db: Db) -> anyhow::Result<()> {
    let now = chrono::Utc::now().naive_utc();
    let (prefecture, found) = super::bench_registers::prepare(&db, now)?;
    let villages: Vec<String> = found.into_iter().map(|v| v.code).collect();
    let mut conn = db.conn()?;
    // Ten annual whole-number indicators the village types today (no formula, no register).
    let indicators: Vec<String> = onetable_store::registry::current(&mut conn)?
        .into_values()
        .filter(|r| {
            r.status == "active"
                && r.frequency == "annual"
                && r.value_type == "integer"
                && r.formula.is_none()
                && r.register_aggregate.is_none()
                && r.sensitivity == "public"
        })
        .take(10)
        .map(|r| r.code)
        .collect();
    drop(conn);
    let today = onetable_app::time::china_today();
    let [year, _] = onetable_app::registers::derived::open_periods(Frequency::Annual, today);
    println!(
        "{} villages × {} indicators ({}) for {year}, {} backend",
        villages.len(),
        indicators.len(),
        indicators.join(","),
        if matches!(*db.conn()?, onetable_store::DbConn::Sqlite(_)) { "SQLite" } else { "PostgreSQL" }
    );
    let app = App::start(db.clone(), onetable_app::imports::Limits::default()).map_err(|e| anyhow!(e.describe()))?;
    let department = actor("bench_ga", Role::Department, prefecture, Some("公安局（压测）"));
    let admin = actor("bench_admin", Role::Admin, prefecture, None);
    let filed = grants::file(
        &app,
        &department,
        NewSupply {
            indicators: indicators.clone(),
            registers: Vec::new(),
            region: prefecture.to_string(),
            purpose: serde_json::from_value(serde_json::json!("压测"))?,
            source_system: serde_json::from_value(serde_json::json!("压测系统"))?,
            refresh: "monthly".into(),
        },
    )
    .await
    .map_err(|e| anyhow!(e.describe()))?;
    grants::decide(&app, &admin, filed.id, Decision::Approve, None).await.map_err(|e| anyhow!(e.describe()))?;
    let rows = |bump: i64| SupplyPush {
        rows: villages
            .iter()
            .enumerate()
            .flat_map(|(v, village)| {
                indicators.iter().enumerate().map(move |(i, code)| SuppliedRow {
                    region: village.clone(),
                    period: year.to_string(),
                    indicator: code.clone(),
                    value: serde_json::json!(100 + i64::try_from((v * 7 + i) % 50).unwrap_or(0) + bump),
                    as_of: today,
                })
            })
            .collect(),
    };
    for (label, bump) in
        [("into empty forms", 0), ("new numbers over its earlier ones", 1), ("the same numbers again", 1)]
    {
        let body = rows(bump);
        let started = Instant::now();
        let report = push::push(&app, &department, filed.id, body).await.map_err(|e| anyhow!(e.describe()))?;
        println!(
            "push of {} rows, {label}: {:.0} ms ({} prefilled, {} offered, {} locked)",
            report.received,
            ms(started.elapsed()),
            report.prefilled.prefilled,
            report.prefilled.offered,
            report.prefilled.locked
        );
    }
    // The dashboard is read once (its cube built), the reviewers approve every form (not timed,
    // as a review would: status and change time), and the next read must show the pushed numbers.
    let viewer = actor("bench_viewer", Role::Admin, prefecture, None);
    let ask = || onetable_app::dashboards::aggregates::AggregateAsk {
        indicators: indicators[0].clone(),
        within: Some(prefecture.to_string()),
        level: Some(RegionLevel::Prefecture),
        period: year.to_string(),
        include: None,
        format: None,
    };
    onetable_app::dashboards::aggregates::aggregates(&app, &viewer, ask()).await.map_err(|e| anyhow!(e.describe()))?;
    {
        let mut conn = db.conn()?;
        let at = chrono::Utc::now().naive_utc();
        for village in &villages {
            onetable_store::entries::set_status(&mut conn, village, &year.to_string(), "approved")?;
            onetable_store::entries::touch_entry(&mut conn, village, &year.to_string(), "bench_reviewer", at)?;
        }
    }
    let started = Instant::now();
    let read = onetable_app::dashboards::aggregates::aggregates(&app, &viewer, ask())
        .await
        .map_err(|e| anyhow!(e.describe()))?;
    let took = started.elapsed();
    let shown = read.report.rows.first().and_then(|r| r.values.first()).cloned().unwrap_or(Datum::Null);
    let expected: i64 = (0..villages.len()).map(|v| 101 + i64::try_from((v * 7) % 50).unwrap_or(0)).sum();
    println!(
        "{} forms approved → the prefecture's dashboard: {:.0} ms (the cube catches up on read); {} shows {shown:?}, pushed total {expected}",
        villages.len(),
        ms(took),
        indicators[0]
    );
    Ok(())
}

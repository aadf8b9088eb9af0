//! `onetable bench cube`: the sharing issue's national targets. Generates (once) a synthetic
//! annual period for every village in the database — import the national division list first —
//! then times the cube build from the store, rollups to counties and provinces, a county pull as
//! JSON, the same rollup as one SQL `GROUP BY`, and the time from a committed change to the rollup.

use std::time::{Duration, Instant};

use anyhow::anyhow;
use diesel::prelude::*;
use onetable_analytics::{EntryState, Selection};
use onetable_app::cubes::{self, CubeCache};
use onetable_app::registry::catalogue;
use onetable_core::{Period, RegionCode, RegionLevel};
use onetable_store::cells as stored;
use onetable_store::cells::DataValueRow;
use onetable_store::entries::EntryRow;
use onetable_store::{cube_source, Backend, Db, DbConn};

const PERIOD: Period = Period::Year(2025);
const INDICATORS: usize = 60;
/// Inputs of the two derived ratios, generated first.
const RATIO_INPUTS: [&str; 4] = ["POP.REGISTERED", "POP.AGED_60", "POP.MALE", "POP.FEMALE"];
pub(crate) const RATIOS: [&str; 2] = ["DER.AGEING_RATE", "DER.SEX_RATIO"];
const RUNS: usize = 15;

pub(crate) fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

pub(crate) fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

pub(crate) fn peak_rss_mib() -> f64 {
    memory_mib("VmHWM:")
}

/// A memory line of `/proc/self/status` (`VmHWM:` the peak resident set, `VmRSS:` the current), in MiB.
pub(crate) fn memory_mib(field: &str) -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kib: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0.0);
    kib / 1024.0
}

/// The 60 generated indicators: the ratio inputs, then annual stored numeric or yes/no ones.
pub(crate) fn generated(conn: &mut DbConn) -> anyhow::Result<Vec<(String, bool)>> {
    let measures = cubes::measures(conn, PERIOD).map_err(|e| anyhow!(e.describe()))?;
    let mut out: Vec<(String, bool)> = RATIO_INPUTS.iter().map(|c| ((*c).to_owned(), false)).collect();
    for m in measures.iter().filter(|m| !m.is_derived() && m.kind != onetable_analytics::MeasureKind::Text) {
        if out.len() == INDICATORS {
            break;
        }
        if !out.iter().any(|(c, _)| *c == m.code) {
            out.push((m.code.clone(), m.kind == onetable_analytics::MeasureKind::Boolean));
        }
    }
    Ok(out)
}

/// A deterministic value in 0..1000 per village and indicator.
fn value(village: u64, indicator: usize) -> u64 {
    let mut x = village.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ (indicator as u64).wrapping_mul(0xC2B2_AE3D_27D4_EB4F);
    x ^= x >> 29;
    x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    (x >> 32) % 1000 + 1
}

fn generate(db: &Db, villages: &[String], indicators: &[(String, bool)]) -> anyhow::Result<()> {
    let now = chrono::Utc::now().naive_utc();
    let started = Instant::now();
    for chunk in villages.chunks(2_000) {
        let mut conn = db.conn()?;
        let entries: Vec<EntryRow> = chunk
            .iter()
            .map(|v| EntryRow {
                region_code: v.clone(),
                period: PERIOD.to_string(),
                status: "approved".to_owned(),
                revision: 1,
                updated_by: "bench".to_owned(),
                updated_at: now,
            })
            .collect();
        let mut cells = Vec::with_capacity(chunk.len() * indicators.len());
        for village in chunk {
            let number: u64 = village.parse()?;
            for (i, (code, boolean)) in indicators.iter().enumerate() {
                let raw = value(number, i);
                let text = match (*boolean, code.as_str()) {
                    (true, _) => raw.is_multiple_of(2).to_string(),
                    (false, "POP.REGISTERED") => (raw * 4).to_string(),
                    (false, "POP.MALE" | "POP.FEMALE") => (raw * 2).to_string(),
                    _ => raw.to_string(),
                };
                cells.push(DataValueRow {
                    region_code: village.clone(),
                    indicator_code: code.clone(),
                    period: PERIOD.to_string(),
                    value: text,
                    source: "import".to_owned(),
                    revision: 1,
                    entered_by: "bench".to_owned(),
                    entered_at: now,
                });
            }
        }
        onetable_store::connection::transaction(&mut conn, |conn| {
            onetable_store::entries::insert_entries(conn, &entries)?;
            stored::insert_cells(conn, &cells)
        })?;
    }
    println!(
        "generated {} villages × {} indicators = {} values in {:.1} s",
        villages.len(),
        indicators.len(),
        villages.len() * indicators.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// # Errors
/// When the database has no villages, or on any fault.
pub fn cube_bench(db: &Db) -> anyhow::Result<()> {
    let now = chrono::Utc::now().naive_utc();
    catalogue::load(&mut *db.conn()?, catalogue::SEED_INDICATORS, Some(catalogue::SEED_RULES), "bench", now)
        .map_err(|e| anyhow!("catalogue: {e}"))?;
    let villages = cube_source::current_villages(&mut *db.conn()?)?;
    if villages.is_empty() {
        return Err(anyhow!("no villages: run `onetable regions import ../shared/data/divisions` first"));
    }
    let indicators = generated(&mut *db.conn()?)?;
    if cube_source::period_entries(&mut *db.conn()?, &PERIOD.to_string())?.is_empty() {
        generate(db, &villages, &indicators)?;
    }
    println!("villages: {}, backend: {}", villages.len(), db.backend().as_str());

    let before = peak_rss_mib();
    let started = Instant::now();
    let analytics = CubeCache::default();
    let mut conn = db.conn()?;
    let county_count =
        analytics.read(&mut conn, PERIOD, |cube| Ok(cube.villages())).map_err(|e| anyhow!(e.describe()))?;
    let build = started.elapsed();
    println!(
        "cube build from the store: {:.1} s ({county_count} villages), peak RSS {:.0} MiB (before: {before:.0} MiB)",
        build.as_secs_f64(),
        peak_rss_mib()
    );

    let sums: Vec<String> = indicators.iter().filter(|(_, b)| !b).take(8).map(|(c, _)| c.clone()).collect();
    let mut ten = sums.clone();
    ten.extend(RATIOS.iter().map(|c| (*c).to_owned()));
    println!("indicators of the rollups: {}", ten.join(","));
    let selection = Selection { within: None, indicators: ten.clone(), min_state: EntryState::Approved };
    for level in [RegionLevel::County, RegionLevel::Province] {
        let (mut samples, mut scans) = (Vec::new(), Vec::new());
        let mut rows = 0;
        for _ in 0..RUNS {
            let t = Instant::now();
            rows = analytics
                .read(&mut conn, PERIOD, |cube| {
                    let scan = Instant::now();
                    let report = cube.rollup(&selection, level).map_err(cubes::internal);
                    scans.push(scan.elapsed());
                    report
                })
                .map_err(|e| anyhow!(e.describe()))?
                .rows
                .len();
            samples.push(t.elapsed());
        }
        println!(
            "rollup of 10 indicators (8 sums, 2 ratios) to {} ({rows} rows): median {} (the rollup on the cube: {}; the rest is the read's registry and freshness checks)",
            level.as_str(),
            ms(median(samples)),
            ms(median(scans))
        );
    }

    let county = RegionCode::parse(&villages[villages.len() / 2])?.truncated_to(RegionLevel::County);
    let twenty: Vec<String> = indicators.iter().take(20).map(|(c, _)| c.clone()).collect();
    let pull = Selection { within: Some(county), indicators: twenty, min_state: EntryState::Approved };
    let mut samples = Vec::new();
    let mut size = (0, 0);
    for _ in 0..RUNS {
        let t = Instant::now();
        let report = analytics
            .read(&mut conn, PERIOD, |cube| cube.village_rows(&pull, None).map_err(cubes::internal))
            .map_err(|e| anyhow!(e.describe()))?;
        let body = serde_json::to_vec(&report.to_json_rows())?;
        size = (report.rows.len(), body.len());
        samples.push(t.elapsed());
    }
    println!(
        "pull of county {county} ({} villages × 20 indicators, {} bytes JSON): median {}",
        size.0,
        size.1,
        ms(median(samples))
    );

    let sql = group_by_sql(db.backend(), &sums);
    let mut samples = Vec::new();
    for _ in 0..3 {
        let t = Instant::now();
        let n = diesel::sql_query(sql.as_str()).execute(&mut *conn)?;
        samples.push(t.elapsed());
        let _ = n;
    }
    println!(
        "the same rollup (8 sums to counties) as one SQL GROUP BY on {}: median {}",
        db.backend().as_str(),
        ms(median(samples))
    );

    // Freshness: commit a change to one village, then read until the rollup shows it.
    let village = villages[villages.len() / 2].clone();
    let county_code = county.to_string();
    let selection = Selection {
        within: Some(county),
        indicators: vec!["POP.REGISTERED".to_owned()],
        min_state: EntryState::Approved,
    };
    let total = |conn: &mut DbConn| -> anyhow::Result<onetable_analytics::Datum> {
        let report = analytics
            .read(conn, PERIOD, |cube| cube.rollup(&selection, RegionLevel::County).map_err(cubes::internal))
            .map_err(|e| anyhow!(e.describe()))?;
        Ok(report
            .rows
            .iter()
            .find(|r| r.code == county_code)
            .map(|r| r.values[0].clone())
            .unwrap_or(onetable_analytics::Datum::Null))
    };
    let old = total(&mut conn)?;
    let stamp = chrono::Utc::now().naive_utc();
    onetable_store::connection::transaction(&mut conn, |conn| {
        stored::delete_cells(conn, &village, &PERIOD.to_string(), &["POP.REGISTERED".to_owned()])?;
        let cell = DataValueRow {
            region_code: village.clone(),
            indicator_code: "POP.REGISTERED".to_owned(),
            period: PERIOD.to_string(),
            // Different on every run, so that the rollup must change.
            value: (10_000 + stamp.and_utc().timestamp_millis() % 90_000).to_string(),
            source: "entry".to_owned(),
            revision: 2,
            entered_by: "bench".to_owned(),
            entered_at: stamp,
        };
        stored::insert_cells(conn, &[cell])?;
        onetable_store::entries::touch_entry(conn, &village, &PERIOD.to_string(), "bench", stamp)
    })?;
    let committed = Instant::now();
    loop {
        if total(&mut conn)? != old {
            break;
        }
        if committed.elapsed() > Duration::from_secs(10) {
            return Err(anyhow!("the change did not show within 10 s"));
        }
    }
    println!("freshness: committed change visible in the county rollup after {}", ms(committed.elapsed()));
    Ok(())
}

fn group_by_sql(backend: Backend, sums: &[String]) -> String {
    let cast = match backend {
        Backend::Postgres => "CAST(dv.value AS DOUBLE PRECISION)",
        Backend::Sqlite => "CAST(dv.value AS REAL)",
    };
    let codes = sums.iter().map(|c| format!("'{c}'")).collect::<Vec<_>>().join(",");
    format!(
        "SELECT t.parent_code, dv.indicator_code, SUM({cast}) FROM data_values dv \
         JOIN regions v ON v.code = dv.region_code JOIN regions t ON t.code = v.parent_code \
         WHERE dv.period = '2025' AND dv.indicator_code IN ({codes}) GROUP BY t.parent_code, dv.indicator_code"
    )
}

/// Freshness as a user sees it: a reviewer approves a submitted entry over HTTP, and a viewer's
/// aggregate request is repeated until the county's value changes.
///
/// # Errors
/// On any fault, or when the change does not show within 10 s.
pub async fn http_freshness(db: Db, settings: &onetable_server::Settings) -> anyhow::Result<()> {
    use onetable_app::accounts::{self, AccountSpec};

    let village = cube_source::current_villages(&mut *db.conn()?)?
        .into_iter()
        .filter_map(|v| RegionCode::parse(&v).ok())
        .find(|v| v.truncated_to(RegionLevel::County).level() == RegionLevel::County)
        .ok_or_else(|| anyhow!("no village under a county"))?;
    let (county, township, province) = (
        village.truncated_to(RegionLevel::County),
        village.truncated_to(RegionLevel::Township),
        village.truncated_to(RegionLevel::Province),
    );
    let period = PERIOD.to_string();
    {
        let mut conn = db.conn()?;
        let now = chrono::Utc::now().naive_utc();
        onetable_store::entries::touch_entry(&mut conn, &village.to_string(), &period, "bench", now)?;
        onetable_store::entries::set_status(&mut conn, &village.to_string(), &period, "submitted")?;
    }
    let revision = onetable_store::entries::find(&mut *db.conn()?, &village.to_string(), &period)?
        .ok_or_else(|| anyhow!("no entry for {village}"))?
        .revision;
    let password = "Bench-pass-2025!";
    for (username, role, scope) in [
        ("bench_reviewer", onetable_core::Role::Reviewer, township),
        ("bench_viewer", onetable_core::Role::Viewer, province),
    ] {
        if onetable_store::identity::find_user(&mut *db.conn()?, username)?.is_none() {
            let spec = AccountSpec {
                username: username.to_owned(),
                role,
                region: Some(scope),
                department: None,
                phone: None,
                password_issued: false,
            };
            accounts::create(&mut *db.conn()?, &spec, password, None, chrono::Utc::now().naive_utc())
                .map_err(|e| anyhow!(e.describe()))?;
        }
    }
    let (base, handle) = super::bench::spawn_server(settings, &db)?;
    let client = reqwest::Client::new();
    let login = |username: &'static str| {
        let (client, base) = (client.clone(), base.clone());
        async move {
            let body: serde_json::Value = client
                .post(format!("{base}/api/v1/auth/login"))
                .json(&serde_json::json!({"username": username, "password": password}))
                .send()
                .await?
                .json()
                .await?;
            body["access_token"].as_str().map(str::to_owned).ok_or_else(|| anyhow!("login of {username} failed"))
        }
    };
    let (reviewer, viewer) = (login("bench_reviewer").await?, login("bench_viewer").await?);
    let path =
        format!("{base}/api/v1/aggregates?indicators=POP.REGISTERED&within={province}&level=county&period={period}");
    let county_value = || {
        let (client, path, viewer) = (client.clone(), path.clone(), viewer.clone());
        let county = county.to_string();
        async move {
            let body: serde_json::Value = client.get(&path).bearer_auth(&viewer).send().await?.json().await?;
            let rows = body["rows"].as_array().cloned().unwrap_or_default();
            anyhow::Ok(
                rows.into_iter().find(|r| r["code"] == county.as_str()).map(|r| r["values"]["POP.REGISTERED"].clone()),
            )
        }
    };
    let started = Instant::now();
    let before = county_value().await?;
    println!("HTTP: first aggregate request (builds the cube): {:.1} s", started.elapsed().as_secs_f64());
    let mut samples = Vec::new();
    for _ in 0..RUNS {
        let t = Instant::now();
        county_value().await?;
        samples.push(t.elapsed());
    }
    println!(
        "HTTP: POP.REGISTERED of the counties of province {province} (one request): median {}",
        ms(median(samples))
    );
    let approved = client
        .post(format!("{base}/api/v1/entries/{village}/{period}/approve"))
        .bearer_auth(&reviewer)
        .header("if-match", format!("\"{revision}\""))
        .send()
        .await?;
    let returned = Instant::now();
    if !approved.status().is_success() {
        return Err(anyhow!("approve of {village}: {} {}", approved.status(), approved.text().await?));
    }
    let mut reads = 0;
    loop {
        reads += 1;
        if county_value().await? != before {
            break;
        }
        if returned.elapsed() > Duration::from_secs(10) {
            return Err(anyhow!("the approval did not show within 10 s"));
        }
    }
    println!(
        "HTTP freshness: approve of {village} returned → new value in the county aggregate after {} ({reads} aggregate request(s))",
        ms(returned.elapsed())
    );
    handle.stop(true).await;
    Ok(())
}

//! `onetable bench …`: the speed targets, measured on a database you name (use a fresh one).

use std::collections::BTreeMap;
use std::io::Write;
use std::time::{Duration, Instant};

use anyhow::{anyhow, Context};
use onetable_app::accounts::{self, AccountSpec};
use onetable_app::demo;
use onetable_app::entries::load_form;
use onetable_app::imports::{import, read_table, FileFormat, Importer, Limits};
use onetable_app::registry::catalogue;
use onetable_core::{Period, RegionCode, Role};
use onetable_server::{Application, Settings};
use onetable_store::{divisions, entries, seed, Db, DbConn};

const PERIOD: Period = Period::Year(2025);

/// Demo regions and the catalogue, loaded if missing.
fn prepare(db: &Db) -> anyhow::Result<()> {
    let now = chrono::Utc::now().naive_utc();
    divisions::import(&mut *db.conn()?, &seed::demo_divisions()?, now.date())?;
    catalogue::load(&mut *db.conn()?, catalogue::SEED_INDICATORS, Some(catalogue::SEED_RULES), "bench", now)
        .map_err(|e| anyhow!("catalogue: {e}"))?;
    Ok(())
}

fn villages(conn: &mut DbConn) -> anyhow::Result<Vec<(String, Option<String>)>> {
    Ok(entries::village_statuses(conn, RegionCode::parse(seed::DEMO_PREFECTURE)?, &PERIOD.to_string())?)
}

/// The demo prefecture's whole annual form as one long CSV; `bump` shifts integers so a re-import
/// changes every value.
fn annual_csv(conn: &mut DbConn, bump: i64) -> anyhow::Result<(Vec<u8>, usize)> {
    let form = load_form(conn, PERIOD).map_err(|e| anyhow!(e.describe()))?;
    let mut out = b"region_code,indicator_code,period,value\n".to_vec();
    let mut rows = 0;
    for (village, _) in villages(conn)? {
        let mut values = demo::village_values(RegionCode::parse(&village)?, false);
        demo::complete(&form, &mut values);
        for (code, value) in values {
            let value = match value.parse::<i64>() {
                Ok(n) if bump != 0 && code == "PROFILE.GROUPS" => (n + bump).to_string(),
                _ => value,
            };
            writeln!(out, "{village},{code},2025,\"{}\"", value.replace('"', "\"\""))?;
            rows += 1;
        }
    }
    Ok((out, rows))
}

fn time_import(conn: &mut DbConn, csv: &[u8]) -> anyhow::Result<(Duration, onetable_app::imports::ImportReport)> {
    let started = Instant::now();
    let table = read_table(csv, FileFormat::Csv, &Limits::default()).map_err(|e| anyhow!(e.describe()))?;
    let everywhere = |_| true;
    let who = Importer { actor: "bench", reaches: &everywhere, now: chrono::Utc::now().naive_utc() };
    let report = import(conn, &table, None, false, &who).map_err(|e| anyhow!(e.describe()))?;
    Ok((started.elapsed(), report))
}

pub fn import_bench(db: &Db) -> anyhow::Result<()> {
    prepare(db)?;
    let mut conn = db.conn()?;
    let (csv, rows) = annual_csv(&mut conn, 0)?;
    println!("backend: {}; file: {rows} rows, {} KiB", db.backend().as_str(), csv.len() / 1024);
    let (first, report) = time_import(&mut conn, &csv)?;
    println!(
        "import into empty entries: {:.3} s ({} inserted, {} unchanged)",
        first.as_secs_f64(),
        report.inserted,
        report.unchanged
    );
    let (again, report) = time_import(&mut conn, &csv)?;
    println!("same file again:           {:.3} s ({} unchanged)", again.as_secs_f64(), report.unchanged);
    let (changed_csv, _) = annual_csv(&mut conn, 1)?;
    let (changed, report) = time_import(&mut conn, &changed_csv)?;
    println!("one value per village changed: {:.3} s ({} updated)", changed.as_secs_f64(), report.updated);
    if let DbConn::Postgres(pg) = &mut *conn {
        let copy = copy_bench(pg, &csv)?;
        println!(
            "PostgreSQL COPY of the same rows into a bare table: {:.3} s; import / COPY = {:.1}",
            copy.as_secs_f64(),
            first.as_secs_f64() / copy.as_secs_f64()
        );
    }
    Ok(())
}

diesel::table! {
    bench_copy (region_code, indicator_code, period) {
        region_code -> Text,
        indicator_code -> Text,
        period -> Text,
        value -> Text,
    }
}

fn copy_bench(pg: &mut diesel::PgConnection, csv: &[u8]) -> anyhow::Result<Duration> {
    use diesel::pg::{CopyFormat, CopyHeader};
    use diesel::{ExecuteCopyFromDsl, RunQueryDsl};
    diesel::sql_query("DROP TABLE IF EXISTS bench_copy").execute(pg)?;
    diesel::sql_query("CREATE TABLE bench_copy (region_code TEXT, indicator_code TEXT, period TEXT, value TEXT)")
        .execute(pg)?;
    let started = Instant::now();
    diesel::copy_from(bench_copy::table)
        .from_raw_data(bench_copy::table, |copy| {
            copy.write_all(csv).map_err(|e| diesel::result::Error::SerializationError(Box::new(e)))
        })
        .with_format(CopyFormat::Csv)
        .with_header(CopyHeader::Set(true))
        .execute(pg)
        .map_err(|e: diesel::result::Error| anyhow!("COPY failed: {e}"))?;
    let elapsed = started.elapsed();
    RunQueryDsl::execute(diesel::sql_query("DROP TABLE bench_copy"), pg)?;
    Ok(elapsed)
}

/// Starts the server in this process on a free loopback port, logins not rate-limited; its base
/// URL and the handle that stops it.
///
/// # Errors
/// When the server cannot start.
pub fn spawn_server(settings: &Settings, db: &Db) -> anyhow::Result<(String, actix_web::dev::ServerHandle)> {
    let mut bench_settings = settings.clone();
    bench_settings.bind = "127.0.0.1:0".to_owned();
    bench_settings.login_rate_per_minute = 10_000;
    // Cube snapshots of the bench's database must not land in the data folder of another one.
    bench_settings.data_dir = std::env::temp_dir().join(format!("onetable-bench-{}", std::process::id()));
    let app = Application::build(&bench_settings, db.clone())?;
    let base = format!("http://127.0.0.1:{}", app.port());
    let server = app.into_server();
    let handle = server.handle();
    actix_web::rt::spawn(server);
    Ok((base, handle))
}

pub async fn patch_bench(db: Db, settings: &Settings, clients: usize, seconds: u64) -> anyhow::Result<()> {
    prepare(&db)?;
    let editable: Vec<String> = villages(&mut *db.conn()?)?
        .into_iter()
        .filter(|(_, status)| {
            status.as_deref().is_none_or(|s| {
                s.parse::<onetable_core::workflow::EntryStatus>()
                    .is_ok_and(onetable_core::workflow::EntryStatus::editable)
            })
        })
        .map(|(v, _)| v)
        .take(clients)
        .collect();
    let form = load_form(&mut *db.conn()?, PERIOD).map_err(|e| anyhow!(e.describe()))?;
    let codes: Vec<String> = demo::village_values(RegionCode::parse(&editable[0])?, false)
        .into_keys()
        .filter(|c| form.entered.get(c).is_some_and(|d| d.value_type.is_numeric()))
        .take(20)
        .collect();
    let password = "Bench-pass-2025!";
    for (i, village) in editable.iter().enumerate() {
        let spec = AccountSpec {
            username: format!("bench_clerk_{i}"),
            role: Role::Clerk,
            region: Some(RegionCode::parse(village)?),
            department: None,
            phone: None,
            password_issued: false,
        };
        if onetable_store::identity::find_user(&mut *db.conn()?, &spec.username)?.is_none() {
            accounts::create(&mut *db.conn()?, &spec, password, None, chrono::Utc::now().naive_utc())
                .map_err(|e| anyhow!(e.describe()))?;
        }
    }
    let (base, handle) = spawn_server(settings, &db)?;
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for (i, village) in editable.iter().enumerate() {
        let (client, base, village, codes) = (client.clone(), base.clone(), village.clone(), codes.clone());
        let login: serde_json::Value = client
            .post(format!("{base}/api/v1/auth/login"))
            .json(&serde_json::json!({"username": format!("bench_clerk_{i}"), "password": password}))
            .send()
            .await?
            .json()
            .await?;
        let token = login["access_token"].as_str().context("login failed")?.to_owned();
        tasks.push(actix_web::rt::spawn(async move {
            patch_loop(&client, &base, &village, &token, &codes, deadline).await
        }));
    }
    let mut latencies = Vec::new();
    let mut refused = 0;
    for task in tasks {
        let (mut l, r) = task.await??;
        latencies.append(&mut l);
        refused += r;
    }
    handle.stop(true).await;
    latencies.sort_unstable();
    let at = |q: f64| {
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss, clippy::cast_precision_loss)]
        let index = ((latencies.len() as f64 - 1.0) * q).round() as usize;
        latencies.get(index).copied().unwrap_or_default().as_secs_f64() * 1000.0
    };
    #[allow(clippy::cast_precision_loss)]
    let rate = latencies.len() as f64 / seconds as f64;
    println!(
        "backend: {}; {} clients × {seconds} s; PATCH of {} values with rules: {} requests ({rate:.0}/s), {refused} non-200",
        db.backend().as_str(),
        editable.len(),
        codes.len(),
        latencies.len()
    );
    println!("latency ms: median {:.2}, p90 {:.2}, p99 {:.2}, max {:.2}", at(0.5), at(0.9), at(0.99), at(1.0));
    Ok(())
}

async fn patch_loop(
    client: &reqwest::Client,
    base: &str,
    village: &str,
    token: &str,
    codes: &[String],
    deadline: Instant,
) -> anyhow::Result<(Vec<Duration>, usize)> {
    let url = format!("{base}/api/v1/entries/{village}/2025");
    let entry: serde_json::Value = client.get(&url).bearer_auth(token).send().await?.json().await?;
    let mut revision = entry["revision"].as_i64().unwrap_or(0);
    let (mut latencies, mut refused, mut round) = (Vec::new(), 0, 0_i64);
    while Instant::now() < deadline {
        round += 1;
        let values: BTreeMap<&str, i64> = codes
            .iter()
            .enumerate()
            .map(|(i, c)| (c.as_str(), 10 + (round + i64::try_from(i).unwrap_or(0)) % 50))
            .collect();
        let started = Instant::now();
        let response = client
            .patch(&url)
            .bearer_auth(token)
            .header("if-match", revision.to_string())
            .json(&serde_json::json!({"values": values, "reason": "bench"}))
            .send()
            .await?;
        let status = response.status();
        let body: serde_json::Value = response.json().await?;
        latencies.push(started.elapsed());
        if status.is_success() {
            revision = body["revision"].as_i64().unwrap_or(revision + 1);
        } else {
            refused += 1;
        }
    }
    Ok((latencies, refused))
}

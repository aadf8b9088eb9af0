//! `onetable bench accounts`: a county's first day — a staff sheet of 1,500 accounts (the demo
//! prefecture's 1,294 villages' clerks, its townships' reviewers, its departments' users) imported
//! over HTTP, argon2id hashing included, while another client keeps asking `GET /api/v1/me`: how
//! long the import takes, and how long the other requests wait meanwhile.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use anyhow::{anyhow, Context};
use onetable_app::accounts::{self, AccountSpec};
use onetable_core::{RegionCode, RegionLevel, Role};
use onetable_server::Settings;
use onetable_store::regions::{self, RegionSearch};
use onetable_store::{divisions, seed, Db};

use super::bench::spawn_server;

/// The staff sheet: every village's clerk by name path, then reviewers and department users up
/// to `total` rows.
fn staff_sheet(db: &Db, total: usize) -> anyhow::Result<String> {
    let mut conn = db.conn()?;
    let scope = RegionCode::parse(seed::DEMO_PREFECTURE)?;
    let search = |level| RegionSearch { scope: Some(scope), level: Some(level), ..RegionSearch::default() };
    let villages = regions::search(&mut conn, &search(RegionLevel::Village), 100_000, 0)?.items;
    let townships = regions::search(&mut conn, &search(RegionLevel::Township), 100_000, 0)?.items;
    let names: std::collections::HashMap<String, String> =
        townships.iter().map(|t| (t.code.clone(), t.name.clone())).collect();
    let mut sheet = "用户名,姓名,角色,所辖地区,部门,电话\n".to_owned();
    let mut rows = 0;
    for village in &villages {
        let township = village.parent_code.as_deref().and_then(|p| names.get(p)).cloned().unwrap_or_default();
        // A village's name with its township's, as a county's sheet writes them; the code where the
        // name repeats within the township.
        let twins = villages.iter().filter(|v| v.parent_code == village.parent_code && v.name == village.name).count();
        let place = if twins > 1 { village.code.clone() } else { format!("{township}/{}", village.name) };
        writeln!(sheet, "c{},填报员{rows},村级填报员,{place},,138{:08}", village.code, rows)?;
        rows += 1;
    }
    let mut i = 0;
    while rows < total {
        let township = &townships[i % townships.len()];
        if i < townships.len() {
            writeln!(sheet, "r{},审核员{i},乡镇审核员,{},,", township.code, township.code)?;
        } else {
            writeln!(sheet, "d{i},部门用户{i},部门用户,{},部门{},", seed::DEMO_PREFECTURE, i % 12)?;
        }
        rows += 1;
        i += 1;
    }
    Ok(sheet)
}

pub async fn accounts_bench(db: Db, settings: &Settings, total: usize) -> anyhow::Result<()> {
    let now = chrono::Utc::now().naive_utc();
    if !regions::has_villages(&mut *db.conn()?)? {
        divisions::import(&mut *db.conn()?, &seed::demo_divisions()?, now.date())?;
    }
    let admin = "bench_county_admin";
    let password = "Bench-admin-2025!";
    if onetable_store::identity::find_user(&mut *db.conn()?, admin)?.is_none() {
        let spec = AccountSpec {
            username: admin.to_owned(),
            role: Role::Admin,
            region: Some(RegionCode::parse(seed::DEMO_PREFECTURE)?),
            department: None,
            phone: None,
            password_issued: false,
        };
        accounts::create(&mut *db.conn()?, &spec, password, None, now).map_err(|e| anyhow!(e.describe()))?;
    }
    let sheet = staff_sheet(&db, total)?;
    let (base, handle) = spawn_server(settings, &db)?;
    let client = reqwest::Client::new();
    let login: serde_json::Value = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&serde_json::json!({"username": admin, "password": password}))
        .send()
        .await?
        .json()
        .await?;
    let token = login["access_token"].as_str().context("login failed")?.to_owned();

    let (dry, dry_took) = post(&client, &base, &token, "?dry_run=true", &sheet).await?;
    let refused = dry["refused"].as_u64().unwrap_or(0);
    if refused > 0 {
        return Err(anyhow!("the sheet has {refused} refused rows: {}", dry["rows"]));
    }
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let prober = {
        let (client, base, token, done) = (client.clone(), base.clone(), token.clone(), done.clone());
        actix_web::rt::spawn(async move {
            let mut waits = Vec::new();
            while !done.load(std::sync::atomic::Ordering::Relaxed) {
                let started = Instant::now();
                let ok = client
                    .get(format!("{base}/api/v1/me"))
                    .bearer_auth(&token)
                    .send()
                    .await
                    .is_ok_and(|r| r.status() == 200);
                waits.push((started.elapsed(), ok));
                actix_web::rt::time::sleep(Duration::from_millis(50)).await;
            }
            waits
        })
    };
    let (report, took) = post(&client, &base, &token, "", &sheet).await?;
    done.store(true, std::sync::atomic::Ordering::Relaxed);
    let mut waits = prober.await?;
    handle.stop(true).await;
    let created = report["created"].as_u64().unwrap_or(0);
    let failed = waits.iter().filter(|(_, ok)| !ok).count();
    waits.sort_unstable();
    let at = |q: f64| {
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss, clippy::cast_precision_loss)]
        waits.get(((waits.len().saturating_sub(1)) as f64 * q) as usize).map_or(Duration::ZERO, |w| w.0)
    };
    println!("staff sheet: {} rows ({} bytes)", total, sheet.len());
    println!("dry run: {dry_took:.2?}");
    println!(
        "import: {created} accounts created in {took:.2?} (argon2id on {} threads)",
        std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
    );
    println!(
        "GET /api/v1/me meanwhile: {} requests, {failed} failed, median {:.1?}, p95 {:.1?}, max {:.1?}",
        waits.len(),
        at(0.5),
        at(0.95),
        at(1.0)
    );
    Ok(())
}

async fn post(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    query: &str,
    sheet: &str,
) -> anyhow::Result<(serde_json::Value, Duration)> {
    let started = Instant::now();
    let response = client
        .post(format!("{base}/api/v1/users/import{query}"))
        .bearer_auth(token)
        .header("content-type", "text/csv")
        .body(sheet.to_owned())
        .send()
        .await?;
    let status = response.status();
    let body: serde_json::Value = response.json().await?;
    if !status.is_success() {
        return Err(anyhow!("import answered {status}: {body}"));
    }
    Ok((body, started.elapsed()))
}

//! What each subcommand does.

pub mod audit;
pub mod backup;
pub mod bench;
pub mod bench_accounts;
pub mod bench_cube;
pub mod bench_forms;
pub mod bench_outliers;
pub mod bench_registers;
pub mod bench_supplies;
pub mod bench_trend;
pub mod bench_webhooks;
pub mod extract;
pub mod forms;
pub mod identity;
pub mod receiver;
pub mod user_import;

use std::path::Path;

use anyhow::{bail, Context};
use onetable_app::registry::catalogue;
use onetable_core::RegionCode;
use onetable_server::{Application, Settings};
use onetable_store::{divisions, seed, DatabaseUrl, Db};

/// The layered settings with the global `--database-url` on top.
pub fn settings(config: Option<&Path>, database_url: Option<&str>) -> anyhow::Result<Settings> {
    let mut settings = Settings::load(config).context("cannot read the configuration")?;
    if let Some(url) = database_url {
        url.clone_into(&mut settings.database_url);
    }
    Ok(settings)
}

/// Connects and migrates: every command that touches the database starts here.
pub(crate) fn open(settings: &Settings) -> anyhow::Result<Db> {
    let url = DatabaseUrl::parse(&settings.effective_database_url()).context("invalid database URL")?;
    let db = Db::connect(&url, settings.db_max_connections).with_context(|| format!("cannot open {url}"))?;
    let applied = db.migrate().context("cannot migrate the database")?;
    tracing::info!(database = %url, migrations_applied = applied, "database ready");
    Ok(db)
}

/// Opens (and migrates) the database and runs `f` on it.
pub fn with_db(settings: &Settings, f: impl FnOnce(&Db) -> anyhow::Result<()>) -> anyhow::Result<()> {
    f(&open(settings)?)
}

pub async fn bench_patch(settings: &Settings, clients: usize, seconds: u64) -> anyhow::Result<()> {
    let db = open(settings)?;
    bench::patch_bench(db, settings, clients, seconds).await
}

pub async fn bench_accounts(settings: &Settings, total: usize) -> anyhow::Result<()> {
    let db = open(settings)?;
    bench_accounts::accounts_bench(db, settings, total).await
}

pub async fn bench_supply(settings: &Settings) -> anyhow::Result<()> {
    bench_supplies::supply_bench(open(settings)?).await
}

pub async fn bench_webhooks(settings: &Settings, events: usize, down_seconds: u64) -> anyhow::Result<()> {
    let db = open(settings)?;
    bench_webhooks::webhooks_bench(db, events, down_seconds).await
}

pub async fn bench_outliers(settings: &Settings) -> anyhow::Result<()> {
    let db = open(settings)?;
    bench_outliers::outliers_bench(db).await
}

pub async fn bench_registers(settings: &Settings, villages: usize) -> anyhow::Result<()> {
    let db = open(settings)?;
    bench_registers::registers_bench(db, settings, villages).await
}

pub fn migrate(settings: &Settings) -> anyhow::Result<()> {
    open(settings)?;
    Ok(())
}

pub async fn serve(mut settings: Settings, bind: Option<String>) -> anyhow::Result<()> {
    if let Some(bind) = bind {
        settings.bind = bind;
    }
    let db = open(&settings)?;
    run(&settings, db).await
}

async fn run(settings: &Settings, db: Db) -> anyhow::Result<()> {
    let app =
        Application::build(settings, db).with_context(|| format!("cannot start the server on {}", settings.bind))?;
    let host = settings.bind.rsplit_once(':').map_or("127.0.0.1", |(host, _)| host);
    eprintln!("onetable listening on http://{host}:{} (API docs: /docs)", app.port());
    app.run_until_stopped().await.context("server failed")
}

pub async fn demo(mut settings: Settings, bind: Option<String>) -> anyhow::Result<()> {
    if let Some(bind) = bind {
        settings.bind = bind;
    }
    let db = open(&settings)?;
    let set = seed::demo_divisions().context("the shipped demo divisions are unreadable")?;
    let summary = divisions::import(&mut *db.conn()?, &set, chrono_today()).context("cannot load the demo regions")?;
    eprintln!(
        "demo regions (黔西南州 5223): {} read, {} new, {} unchanged",
        summary.read, summary.inserted, summary.unchanged
    );
    let now = chrono::Utc::now().naive_utc();
    let loaded =
        catalogue::load(&mut *db.conn()?, catalogue::SEED_INDICATORS, Some(catalogue::SEED_RULES), "demo", now)
            .map_err(|e| anyhow::anyhow!("the shipped catalogue does not load: {e}"))?;
    eprintln!(
        "catalogue: {} indicators new, {} unchanged; {} rules saved",
        loaded.indicators_created, loaded.indicators_unchanged, loaded.rules_saved
    );
    let started = std::time::Instant::now();
    let today = (chrono::Utc::now() + chrono::TimeDelta::hours(8)).date_naive();
    let filled = onetable_app::demo::fill(&mut *db.conn()?, RegionCode::parse(seed::DEMO_PREFECTURE)?, today, now)
        .map_err(|e| anyhow::anyhow!("cannot fill the demo values: {}", e.describe()))?;
    if filled.skipped_existing {
        eprintln!("demo values: the demo's forms exist already, kept as they are");
    } else {
        eprintln!(
            "demo values: {} villages, {} forms ({}), {} values in {:.1} s; the latest year: {} draft, {} submitted, {} approved, {} with warnings, {} with a population jump",
            filled.villages,
            filled.entries,
            filled.periods.join(" "),
            filled.values,
            started.elapsed().as_secs_f64(),
            filled.draft,
            filled.submitted,
            filled.approved,
            filled.with_warnings,
            filled.jumps
        );
    }
    identity::ensure_demo_users(&mut *db.conn()?)?;
    eprintln!("demo accounts (DEMO ONLY — these passwords are public; sign in on the web pages at / or at POST /api/v1/auth/login):");
    for user in &identity::DEMO_USERS {
        let region = user.region.unwrap_or("nationwide");
        eprintln!("  {:<16} {:<10} {region:<13} {}", user.username, user.role.as_str(), user.password);
    }
    let request = onetable_app::demo::ensure_request(&mut *db.conn()?, RegionCode::parse(seed::DEMO_PREFECTURE)?, now)
        .map_err(|e| anyhow::anyhow!("cannot file the demo data request: {}", e.describe()))?;
    let dashboard =
        onetable_app::demo::ensure_dashboard(&mut *db.conn()?, RegionCode::parse(seed::DEMO_PREFECTURE)?, now)
            .map_err(|e| anyhow::anyhow!("cannot save the demo dashboard: {}", e.describe()))?;
    // demo_clerk's village (the first demo account) has a reminder from its township waiting.
    let clerk_village = RegionCode::parse(identity::DEMO_USERS[0].region.unwrap_or_default())?;
    onetable_app::demo::ensure_reminder(&mut *db.conn()?, clerk_village, onetable_app::time::china_today(), now)
        .map_err(|e| anyhow::anyhow!("cannot send the demo reminder: {}", e.describe()))?;
    let keys =
        onetable_app::registers::sealing::DataKeys::load_or_create(&settings.data_dir, settings.data_key.as_deref())
            .map_err(|e| anyhow::anyhow!(e))?;
    let neighbour = RegionCode::parse(DEMO_NEIGHBOUR_VILLAGE)?;
    let listed = onetable_app::demo::ensure_registers(&mut *db.conn()?, clerk_village, neighbour, &keys, now)
        .map_err(|e| anyhow::anyhow!("cannot fill the demo registers: {}", e.describe()))?;
    if listed > 0 {
        eprintln!("registers: {listed} 低保户 listed in {clerk_village}; 农村低保户数/人数 are derived from the list");
    }
    let county = clerk_village.truncated_to(onetable_core::RegionLevel::County);
    let supplied =
        onetable_app::demo::ensure_supplies(&mut *db.conn()?, RegionCode::parse(seed::DEMO_PREFECTURE)?, county, now)
            .map_err(|e| anyhow::anyhow!("cannot push the demo supplies: {}", e.describe()))?;
    if supplied > 0 {
        eprintln!(
            "supplies: 公安局 and 民政局 pushed {supplied} values for {county}; the clerk's forms show them as 预填"
        );
    }
    // 民政局's system, subscribed to its first request: each approval in 5223 is pushed there.
    if !settings.webhook_allowed_hosts.iter().any(|h| h == "127.0.0.1") {
        settings.webhook_allowed_hosts.push("127.0.0.1".to_owned());
    }
    // On the port after the server's, so that its address (and the subscription) stays the same
    // from one start to the next: an event written before a crash is sent after the restart.
    let next_port =
        settings.bind.rsplit_once(':').and_then(|(_, p)| p.parse::<u16>().ok()).map_or(0, |p| p.wrapping_add(1));
    let (receiver, _, _) = receiver::start(&format!("127.0.0.1:{next_port}"), onetable_app::demo::DEMO_SECRET)
        .or_else(|_| receiver::start("127.0.0.1:0", onetable_app::demo::DEMO_SECRET))
        .context("cannot start the demo department system")?;
    onetable_app::demo::ensure_subscription(&mut *db.conn()?, request, &format!("{receiver}/events"), now)
        .map_err(|e| anyhow::anyhow!("cannot subscribe the demo department system: {}", e.describe()))?;
    eprintln!(
        "department system (民政局, DEMO ONLY secret {}): {receiver}/ shows the signed events of request {request} (an approval by demo_reviewer arrives at once)",
        onetable_app::demo::DEMO_SECRET
    );
    eprintln!("pages: http://{}/ (the clerk's forms: demo_clerk; the review queue: demo_reviewer)", settings.bind);
    eprintln!("dashboard {dashboard} (demo_viewer lands on it): http://{}/dashboard?id={dashboard}", settings.bind);
    eprintln!("browse: /api/v1/regions/522300000000/children (with the bearer token)");
    eprintln!("dashboards (demo_viewer): /api/v1/aggregates?indicators=POP.REGISTERED,DER.AGEING_RATE&within=5223&level=county&period=2025");
    eprintln!("pull (demo_department): /api/v1/data-requests/{request}/data?period=2025&level=county&format=csv");
    run(&settings, db).await
}

/// The village next to the demo clerk's, where one of its 低保 households is listed too.
const DEMO_NEIGHBOUR_VILLAGE: &str = "522301100201";

pub fn import_regions(
    settings: &Settings,
    from: &Path,
    prefix: Option<&str>,
    effective: Option<&str>,
) -> anyhow::Result<()> {
    let scope = prefix.map(RegionCode::parse).transpose().context("--prefix is not a region code")?;
    let effective = match effective {
        Some(text) => chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").context("--effective must be YYYY-MM-DD")?,
        None => chrono_today(),
    };
    if !from.is_dir() {
        bail!("{} is not a folder", from.display());
    }
    let db = open(settings)?;
    let started = std::time::Instant::now();
    let set = divisions::read_dir(from, scope)?;
    let read_time = started.elapsed();
    let summary = divisions::import(&mut *db.conn()?, &set, effective)?;
    println!("{}", serde_json::to_string_pretty(&summary)?);
    eprintln!("imported in {:.2}s (reading {:.2}s)", started.elapsed().as_secs_f64(), read_time.as_secs_f64());
    Ok(())
}

pub fn load_catalogue(db: &Db, indicators: &Path, rules: Option<&Path>) -> anyhow::Result<()> {
    let read = |path: &Path| std::fs::read(path).with_context(|| format!("cannot read {}", path.display()));
    let indicators = read(indicators)?;
    let rules = rules.map(read).transpose()?;
    let now = chrono::Utc::now().naive_utc();
    let summary = catalogue::load(&mut *db.conn()?, &indicators, rules.as_deref(), "cli", now)
        .map_err(|e| anyhow::anyhow!("nothing was loaded: {e}"))?;
    println!("{}", serde_json::to_string_pretty(&summary)?);
    Ok(())
}

pub fn import_values(db: &Db, file: &Path, period: Option<&str>, dry_run: bool) -> anyhow::Result<()> {
    use onetable_app::imports::{import, read_table, FileFormat, Importer, Limits};
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let is_xlsx = file.extension().is_some_and(|e| e.eq_ignore_ascii_case("xlsx"));
    let format = if is_xlsx { FileFormat::Xlsx } else { FileFormat::Csv };
    let started = std::time::Instant::now();
    let table = read_table(&bytes, format, &Limits::default()).map_err(|e| anyhow::anyhow!(e.describe()))?;
    let everywhere = |_| true;
    let who = Importer { actor: "cli", reaches: &everywhere, now: chrono::Utc::now().naive_utc() };
    let report = import(&mut *db.conn()?, &table, period, dry_run, &who)
        .map_err(|e| anyhow::anyhow!("nothing was imported: {}", e.describe()))?;
    println!("{}", serde_json::to_string_pretty(&report)?);
    eprintln!("{} cells in {:.2}s", report.cells, started.elapsed().as_secs_f64());
    Ok(())
}

fn chrono_today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}

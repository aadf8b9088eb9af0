//! `onetable bench registers`: a county's registers (台账) — 300 villages keeping 40,000 低保
//! households and 120,000 特困 persons — then how long a village's 5,000-row Excel list takes to
//! import, how long a record change takes to reach the village's derived count, and how long a
//! change confirmed on a submitted form takes to reach the county aggregate. Through the app
//! layer (the use cases the API calls), on the configured database.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::{Duration, Instant};

use anyhow::anyhow;
use onetable_app::actor::{Actor, Origin, SubjectKind};
use onetable_app::entries::access::EntryRef;
use onetable_app::registers::records::{RecordInput, RecordRef};
use onetable_app::App;
use onetable_core::indicator::Frequency;
use onetable_core::register::id_number::check_character;
use onetable_core::{RegionCode, RegionLevel, Role, Scope};
use onetable_server::Settings;
use onetable_store::regions::{self, RegionSearch};
use onetable_store::{divisions, seed, Db};

fn actor(subject: &str, role: Role, region: RegionCode) -> Actor {
    Actor {
        subject: subject.to_owned(),
        kind: SubjectKind::User,
        role,
        scope: Scope::Within(region),
        department: None,
        origin: Origin::default(),
    }
}

fn id_number(village: usize, serial: usize) -> String {
    // A birth date per record, a serial per village: unique within the bench, check digit right.
    let birth = format!("19{:02}{:02}{:02}", 30 + serial % 60, 1 + serial % 12, 1 + (serial / 12) % 28);
    let first17 = format!("{:06}{birth}{:03}", 522_301 + village % 97, serial % 1000);
    format!("{first17}{}", check_character(&first17).unwrap_or('0'))
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn median(mut samples: Vec<Duration>) -> (f64, f64) {
    samples.sort();
    let at = |q: f64| ms(samples[((samples.len() as f64 - 1.0) * q).round() as usize]);
    (at(0.5), at(0.95))
}

/// The demo prefecture's divisions (imported once) and the catalogue, for a bench on an empty
/// database; answers the prefecture and its villages.
///
/// # Errors
/// On a database fault or a bad seed.
pub fn prepare(
    db: &Db,
    now: chrono::NaiveDateTime,
) -> anyhow::Result<(RegionCode, Vec<onetable_store::models::RegionRow>)> {
    let mut conn = db.conn()?;
    if !regions::has_villages(&mut conn)? {
        divisions::import(&mut conn, &seed::demo_divisions()?, now.date())?;
    }
    onetable_app::registry::catalogue::load(
        &mut conn,
        onetable_app::registry::catalogue::SEED_INDICATORS,
        Some(onetable_app::registry::catalogue::SEED_RULES),
        "bench",
        now,
    )
    .map_err(|e| anyhow!("{e}"))?;
    let prefecture = RegionCode::parse(seed::DEMO_PREFECTURE)?;
    let search = RegionSearch { scope: Some(prefecture), level: Some(RegionLevel::Village), ..RegionSearch::default() };
    Ok((prefecture, regions::search(&mut conn, &search, 100_000, 0)?.items))
}

pub async fn registers_bench(db: Db, settings: &Settings, villages: usize) -> anyhow::Result<()> {
    let now = chrono::Utc::now().naive_utc();
    let (prefecture, all) = prepare(&db, now)?;
    let chosen: Vec<RegionCode> =
        all.iter().take(villages + 1).map(|v| RegionCode::parse(&v.code)).collect::<Result<_, _>>()?;
    let (kept, fresh) = chosen.split_at(villages.min(chosen.len() - 1));
    let keys =
        onetable_app::registers::sealing::DataKeys::load_or_create(&settings.data_dir, settings.data_key.as_deref())
            .map_err(|e| anyhow!(e))?;
    let app = App::start(db.clone(), onetable_app::imports::Limits::default())
        .map_err(|e| anyhow!(e.describe()))?
        .with_data_keys(keys);
    let admin = actor("bench_admin", Role::Admin, prefecture);
    link(&app, &admin).await?;

    // The county's lists: 133 households and 400 persons a village, one transaction a village.
    let started = Instant::now();
    let mut records = 0usize;
    let already =
        onetable_store::registers::records::of_village(&mut *db.conn()?, "REG.DIBAO", &kept[0].to_string())?.len();
    if already == 0 {
        for (v, village) in kept.iter().enumerate() {
            let code = village.to_string();
            let keys = app.data_keys().map_err(|e| anyhow!(e.describe()))?;
            records += app
                .write(move |conn| {
                    let dibao = onetable_app::registers::load(conn, "REG.DIBAO")?;
                    let tekun = onetable_app::registers::load(conn, "REG.TEKUN")?;
                    let input = RecordInput::default();
                    for n in 0..133 {
                        let values = BTreeMap::from([
                            ("head_name".to_owned(), format!("户主{n}")),
                            ("id_number".to_owned(), id_number(v, n)),
                            ("members".to_owned(), (1 + n % 5).to_string()),
                            ("kind".to_owned(), ["A类", "B类", "C类"][n % 3].to_owned()),
                        ]);
                        onetable_app::registers::records::insert(conn, &dibao, &code, &values, &input, &keys, "bench")?;
                    }
                    for n in 0..400 {
                        let values = BTreeMap::from([
                            ("name".to_owned(), format!("供养{n}")),
                            ("id_number".to_owned(), id_number(v, 200 + n)),
                            ("care".to_owned(), ["集中供养", "分散供养"][n % 2].to_owned()),
                        ]);
                        onetable_app::registers::records::insert(conn, &tekun, &code, &values, &input, &keys, "bench")?;
                    }
                    onetable_app::registers::derived::refresh(
                        conn,
                        "REG.DIBAO",
                        &code,
                        onetable_app::time::china_today(),
                        "bench",
                        chrono::Utc::now().naive_utc(),
                    )?;
                    Ok(533)
                })
                .await
                .map_err(|e| anyhow!(e.describe()))?;
        }
        let took = started.elapsed();
        println!(
            "seeded {records} records in {} villages in {:.1} s ({:.0} records/s)",
            kept.len(),
            took.as_secs_f64(),
            records as f64 / took.as_secs_f64()
        );
    } else {
        println!("registers already seeded ({already} 低保 households in the first village): kept");
    }

    // The bulk load's WAL copied back before timing (a county's database in steady state; right
    // after 160,000 inserts the checkpointer is still copying them, and the import competes with it).
    for _ in 0..600 {
        if onetable_store::connection::checkpoint(&mut *db.conn()?)? {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }

    // A village's own list of 5,000 households, imported at once.
    let target = fresh[0];
    let mut sheet = "序号,户主姓名,身份证号码,保障人数,保障类别,组别\n".to_owned();
    for n in 0..5000 {
        writeln!(
            sheet,
            "{},户主{n},{},{},{},第{}组",
            n + 1,
            id_number(500 + n / 1000, n),
            1 + n % 5,
            ["A类", "B类", "C类"][n % 3],
            1 + n % 8
        )?;
    }
    let clerk = actor("bench_clerk", Role::Clerk, target);
    let turn = app.upload_turn().map_err(|e| anyhow!(e.describe()))?;
    let started = Instant::now();
    let report = onetable_app::registers::import::import(
        &app,
        &clerk,
        &turn,
        "REG.DIBAO".into(),
        target,
        onetable_app::imports::FileFormat::Csv,
        sheet.into_bytes(),
        false,
    )
    .await
    .map_err(|e| anyhow!(e.describe()))?;
    let took = started.elapsed();
    drop(turn);
    println!(
        "import of a 5,000-row village list: {:.0} ms (inserted {}, updated {}, unchanged {})",
        ms(took),
        report.inserted,
        report.updated,
        report.unchanged
    );

    // A record change reaching the village's derived count (a draft form).
    let village = kept[0];
    let clerk = actor("bench_clerk", Role::Clerk, village);
    let due = onetable_app::registers::derived::open_periods(Frequency::Monthly, onetable_app::time::china_today())[0];
    let first = onetable_store::registers::records::of_village(&mut *db.conn()?, "REG.DIBAO", &village.to_string())?
        .into_iter()
        .next()
        .ok_or_else(|| anyhow!("no record"))?;
    let mut samples = Vec::new();
    let mut revision = first.revision;
    for i in 0..30 {
        let input = RecordInput {
            values: BTreeMap::from([("members".to_owned(), serde_json::json!(1 + i % 7))]),
            ..RecordInput::default()
        };
        let at = RecordRef { register: "REG.DIBAO".into(), id: first.id };
        let started = Instant::now();
        let edited = onetable_app::registers::records::edit(&app, &clerk, at, Some(&revision.to_string()), input)
            .await
            .map_err(|e| anyhow!(e.describe()))?;
        let entry = onetable_app::entries::view::read(&app, &clerk, EntryRef { region: village, period: due })
            .await
            .map_err(|e| anyhow!(e.describe()))?;
        samples.push(started.elapsed());
        revision = edited.revision;
        let shown = entry
            .values
            .iter()
            .find(|c| c.code == "SOC.DIBAO_PERSONS")
            .map(|c| c.value.to_string())
            .unwrap_or_default();
        if i == 29 {
            println!("last change: SOC.DIBAO_PERSONS of {village} {due} now {shown}");
        }
    }
    let (p50, p95) = median(samples);
    println!("record change → the village's derived count (edit, recount, write, read back): median {p50:.1} ms, p95 {p95:.1} ms");

    // The county aggregate of the derived counts after a confirmed change (submitted form).
    let reviewer = actor("bench_reviewer", Role::Reviewer, prefecture);
    let ask = || onetable_app::dashboards::aggregates::AggregateAsk {
        indicators: "SOC.DIBAO_PERSONS,SOC.DIBAO_HOUSEHOLDS".into(),
        within: Some(prefecture.to_string()),
        level: Some(RegionLevel::County),
        period: due.to_string(),
        include: Some("submitted".into()),
        format: None,
    };
    let started = Instant::now();
    onetable_app::dashboards::aggregates::aggregates(&app, &reviewer, ask())
        .await
        .map_err(|e| anyhow!(e.describe()))?;
    println!("county aggregate of the derived counts, first read (cube built): {:.0} ms", ms(started.elapsed()));
    let mut samples = Vec::new();
    for _ in 0..10 {
        let started = Instant::now();
        onetable_app::dashboards::aggregates::aggregates(&app, &reviewer, ask())
            .await
            .map_err(|e| anyhow!(e.describe()))?;
        samples.push(started.elapsed());
    }
    let (p50, p95) = median(samples);
    println!("county aggregate of the derived counts, warm: median {p50:.1} ms, p95 {p95:.1} ms");
    onetable_store::entries::set_status(&mut *db.conn()?, &village.to_string(), &due.to_string(), "submitted")?;
    let mut samples = Vec::new();
    for i in 0..10 {
        // 3, 4, 5, 6, 3…: never the value the loop above left (2), never the one just written.
        let input = RecordInput {
            values: BTreeMap::from([("members".to_owned(), serde_json::json!(3 + i % 4))]),
            ..RecordInput::default()
        };
        let at = RecordRef { register: "REG.DIBAO".into(), id: first.id };
        let started = Instant::now();
        let edited = onetable_app::registers::records::edit(&app, &clerk, at, Some(&revision.to_string()), input)
            .await
            .map_err(|e| anyhow!(e.describe()))?;
        revision = edited.revision;
        let at = EntryRef { region: village, period: due };
        let entry = onetable_app::entries::view::read(&app, &reviewer, at).await.map_err(|e| anyhow!(e.describe()))?;
        onetable_app::registers::confirm::confirm(&app, &reviewer, at, Some(&entry.revision.to_string()))
            .await
            .map_err(|e| anyhow!(e.describe()))?;
        onetable_app::dashboards::aggregates::aggregates(&app, &reviewer, ask())
            .await
            .map_err(|e| anyhow!(e.describe()))?;
        samples.push(started.elapsed());
    }
    let (p50, p95) = median(samples);
    println!("record change → confirmed on the submitted form → county aggregate: median {p50:.1} ms, p95 {p95:.1} ms");
    Ok(())
}

async fn link(app: &App, _admin: &Actor) -> anyhow::Result<()> {
    app.write(|conn| {
        let current = onetable_store::registry::current(conn)?;
        for (code, formula) in onetable_app::demo::REGISTER_LINKS {
            let Some(row) = current.get(code) else { continue };
            if row.register_aggregate.as_deref() == Some(formula) {
                continue;
            }
            let mut def = row.to_def().map_err(onetable_app::problem::Problem::internal)?;
            def.register_aggregate = Some(formula.to_owned());
            onetable_app::registry::update(conn, &def, "bench", chrono::Utc::now().naive_utc(), None)?;
        }
        Ok(())
    })
    .await
    .map_err(|e| anyhow!(e.describe()))?;
    app.forms.invalidate();
    Ok(())
}

/// `onetable bench register-counts` (PostgreSQL): a province's registers — `records` synthetic
/// records over 20,250 villages (9 prefectures × 10 counties × 15 townships × 15 villages), one in
/// twenty closed — written in SQL, vacuumed and analysed; then the count of open records by
/// village for one county (225 villages), timed.
pub fn register_counts_bench(db: &Db, records: i64) -> anyhow::Result<()> {
    use diesel::RunQueryDsl;
    let mut conn = db.conn()?;
    let onetable_store::DbConn::Postgres(pg) = &mut *conn else {
        return Err(anyhow!("bench register-counts needs DATABASE_URL=postgres://…"));
    };
    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let have: Count = diesel::sql_query("SELECT count(*) AS n FROM register_records WHERE register_code = 'REG.BENCH'")
        .get_result(pg)?;
    if have.n < records {
        let started = Instant::now();
        let step = 1_000_000;
        let mut from = have.n + 1;
        while from <= records {
            let to = (from + step - 1).min(records);
            diesel::sql_query(format!(
                "INSERT INTO register_records (register_code, region_code, group_name, key_hash, person_hash, plain, sealed, \
                 opened_on, closed_on, close_reason, revision, created_by, created_at, updated_by, updated_at) \
                 SELECT 'REG.BENCH', \
                   '52' || lpad((1 + (v / 2250))::text, 2, '0') || lpad((1 + (v / 225) % 10)::text, 2, '0') \
                     || (100 + (v / 15) % 15)::text || (200 + v % 15)::text, \
                   NULL, md5(g::text), md5('p' || g::text), '{{}}', '{{}}', NULL, \
                   CASE WHEN g % 20 = 0 THEN DATE '2025-06-30' ELSE NULL END, NULL, 1, 'bench', now(), 'bench', now() \
                 FROM generate_series({from}::bigint, {to}::bigint) g, LATERAL (SELECT (g % 20250)::int AS v) village"
            ))
            .execute(pg)?;
            println!("  {to} records written ({:.0} s)", started.elapsed().as_secs_f64());
            from = to + 1;
        }
        diesel::sql_query("VACUUM ANALYZE register_records").execute(pg)?;
        println!("wrote {} records and vacuumed in {:.0} s", records - have.n, started.elapsed().as_secs_f64());
    }
    drop(conn);
    let mut conn = db.conn()?;
    let day = chrono::NaiveDate::from_ymd_opt(2025, 12, 31).ok_or_else(|| anyhow!("date"))?;
    let mut samples = Vec::new();
    let mut villages = 0;
    let mut open = 0;
    for _ in 0..20 {
        let started = Instant::now();
        let counts = onetable_store::registers::records::open_counts(
            &mut conn,
            "REG.BENCH",
            "520101000000",
            "520101999999",
            day,
        )?;
        samples.push(started.elapsed());
        villages = counts.len();
        open = counts.iter().map(|(_, n)| n).sum::<i64>();
    }
    let (p50, p95) = median(samples);
    println!("open records by village for one county ({villages} villages, {open} open records): median {p50:.1} ms, p95 {p95:.1} ms");
    Ok(())
}

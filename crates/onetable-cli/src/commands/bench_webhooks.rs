//! `onetable bench webhooks`: pushes to a department system at a prefecture's scale. A department
//! subscribes its approved request for the demo prefecture to a local receiver that checks every
//! signature and deduplicates by event id; `--events` villages' forms are approved through the app
//! layer (the outbox fills in the approvals' transactions), then the delivery worker is started
//! and timed until the receiver has every event. With `--down-seconds`, the forms are reopened
//! and approved again (two events a village, in order) while the receiver answers 503 for that
//! long; then it comes up and the time until every event arrived is measured, with how many
//! arrived twice and how many out of order. On the configured database.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::anyhow;
use onetable_app::actor::Actor;
use onetable_app::entries::access::EntryRef;
use onetable_app::subscriptions::delivery::{self, Webhooks};
use onetable_app::subscriptions::{manage, NewSubscription};
use onetable_app::App;
use onetable_core::workflow::{APPROVE, REOPEN};
use onetable_core::{Period, RegionCode, Role};
use onetable_store::Db;

use super::bench_supplies::actor;
use super::receiver;

/// The period the bench's forms are in: its own, apart from the demo's years.
const PERIOD: &str = "2015";
const SECRET: &str = "bench-only-whsec-0123456789";

/// The villages' forms submitted (written as a clerk's submission leaves them).
fn submit_all(db: &Db, villages: &[String]) -> anyhow::Result<()> {
    let mut conn = db.conn()?;
    let now = chrono::Utc::now().naive_utc();
    for village in villages {
        let cells = [("POP.REGISTERED".to_owned(), "1200".to_owned()), ("POP.HOUSEHOLDS".to_owned(), "300".to_owned())];
        let codes: Vec<String> = cells.iter().map(|(c, _)| c.clone()).collect();
        onetable_store::cells::delete_cells(&mut conn, village, PERIOD, &codes)?;
        let rows: Vec<onetable_store::cells::DataValueRow> = cells
            .iter()
            .map(|(code, value)| onetable_store::cells::DataValueRow {
                region_code: village.clone(),
                indicator_code: code.clone(),
                period: PERIOD.to_owned(),
                value: value.clone(),
                source: "entry".to_owned(),
                revision: 1,
                entered_by: "bench_clerk".to_owned(),
                entered_at: now,
            })
            .collect();
        onetable_store::cells::insert_cells(&mut conn, &rows)?;
        if onetable_store::entries::find(&mut conn, village, PERIOD)?.is_none() {
            let entry = onetable_store::entries::EntryRow {
                region_code: village.clone(),
                period: PERIOD.to_owned(),
                status: "submitted".to_owned(),
                revision: 1,
                updated_by: "bench_clerk".to_owned(),
                updated_at: now,
            };
            onetable_store::entries::insert_entries(&mut conn, &[entry])?;
        } else {
            onetable_store::entries::set_status(&mut conn, village, PERIOD, "submitted")?;
        }
    }
    Ok(())
}

async fn step(app: &App, actor: &Actor, village: &str, step: onetable_core::workflow::Step) -> anyhow::Result<()> {
    let at = EntryRef { region: RegionCode::parse(village)?, period: Period::parse(PERIOD).map_err(|e| anyhow!(e))? };
    let revision =
        onetable_store::entries::find(&mut *app.db.conn()?, village, PERIOD)?.map_or(0, |e| e.revision).to_string();
    let comment = (step.name == REOPEN.name).then(|| "压测：重新打开".to_owned());
    onetable_app::entries::workflow::review(app, actor, at, Some(&revision), step, comment)
        .await
        .map_err(|e| anyhow!(e.describe()))?;
    Ok(())
}

/// Waits until the receiver has `count` unique events; how long it took.
async fn until(received: &receiver::Received, count: usize, limit: Duration) -> Option<Duration> {
    let started = Instant::now();
    while received.unique.load(Ordering::SeqCst) < count {
        if started.elapsed() > limit {
            return None;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    Some(started.elapsed())
}

pub async fn webhooks_bench(db: Db, events: usize, down_seconds: u64) -> anyhow::Result<()> {
    let now = chrono::Utc::now().naive_utc();
    let (prefecture, found) = super::bench_registers::prepare(&db, now)?;
    let villages: Vec<String> = found.into_iter().map(|v| v.code).take(events).collect();
    let (url, received, _receiver) = receiver::start("127.0.0.1:0", SECRET)?;
    let webhooks = Webhooks::new(&["127.0.0.1".to_owned()], Duration::from_secs(10), Duration::from_secs(60));
    let app = App::start(db.clone(), onetable_app::imports::Limits::default())
        .map_err(|e| anyhow!(e.describe()))?
        .with_webhooks(webhooks);
    println!(
        "{} villages' {PERIOD} forms, {} backend; receiver {url}",
        villages.len(),
        if matches!(*db.conn()?, onetable_store::DbConn::Sqlite(_)) { "SQLite" } else { "PostgreSQL" }
    );
    let department = actor("bench_mz", Role::Department, prefecture, Some("民政局（压测）"));
    let reviewer = actor("bench_reviewer", Role::Reviewer, prefecture, None);
    let request = {
        let mut conn = db.conn()?;
        let row = onetable_store::sharing::NewDataRequest {
            title: "压测：人口核对".to_owned(),
            purpose: "压测".to_owned(),
            legal_basis: String::new(),
            department: "民政局（压测）".to_owned(),
            requested_by: "bench_mz".to_owned(),
            region_code: prefecture.to_string(),
            indicators: "POP.REGISTERED,POP.HOUSEHOLDS".to_owned(),
            periods: Some(PERIOD.to_owned()),
            frequency: None,
            start_period: None,
            expires_at: now + chrono::TimeDelta::days(30),
            status: "pending".to_owned(),
            created_at: now,
            registers: None,
            full_values_asked: false,
        };
        let saved = onetable_store::sharing::insert(&mut conn, &row)?;
        onetable_store::sharing::decide(&mut conn, saved.id, "pending", "approved", "bench_admin", None, now)?;
        saved.id
    };
    let subscription = manage::subscribe(
        &app,
        &department,
        serde_json::from_value::<NewSubscription>(
            serde_json::json!({"data_request_id": request, "url": format!("{url}/events"), "secret": SECRET}),
        )?,
    )
    .await
    .map_err(|e| anyhow!(e.describe()))?;

    // 1. Approvals fill the outbox; then the worker sends them.
    submit_all(&db, &villages)?;
    let started = Instant::now();
    for village in &villages {
        step(&app, &reviewer, village, APPROVE).await?;
    }
    println!(
        "{} approvals (each writing its event in its transaction): {:.2} s",
        villages.len(),
        started.elapsed().as_secs_f64()
    );
    let alive: Arc<dyn std::any::Any + Send + Sync> = Arc::new(());
    tokio::spawn(delivery::run(app.clone(), Arc::downgrade(&alive), Box::pin(std::future::pending())));
    match until(&received, villages.len(), Duration::from_secs(120)).await {
        Some(took) => println!("{} events delivered to the receiver: {:.2} s", villages.len(), took.as_secs_f64()),
        None => println!("NOT all delivered within 120 s: {}", received.unique.load(Ordering::SeqCst)),
    }

    // 2. The receiver down while every form is reopened and approved again.
    if down_seconds > 0 {
        received.set_down(true);
        let down_at = Instant::now();
        for village in &villages {
            step(&app, &reviewer, village, REOPEN).await?;
        }
        submit_all(&db, &villages)?;
        for village in &villages {
            step(&app, &reviewer, village, APPROVE).await?;
        }
        let waiting = Duration::from_secs(down_seconds).saturating_sub(down_at.elapsed());
        println!("receiver down (503) for {down_seconds} s; {} more events written while it is", villages.len() * 2);
        tokio::time::sleep(waiting).await;
        received.set_down(false);
        let total = villages.len() * 3;
        match until(&received, total, Duration::from_secs(900)).await {
            Some(took) => println!(
                "receiver up: all {total} events delivered {:.1} s later; refused while down {}, arrived twice {}, out of order {}",
                took.as_secs_f64(),
                received.refused.load(Ordering::SeqCst),
                received.repeated.load(Ordering::SeqCst),
                received.out_of_order.load(Ordering::SeqCst),
            ),
            None => println!("NOT all delivered within 900 s after it came up: {}", received.unique.load(Ordering::SeqCst)),
        }
    }
    // The last round's outcomes are recorded just after the receiver answered.
    for _ in 0..100 {
        let (pending, _, _) = onetable_store::subscriptions::counts(&mut *db.conn()?, subscription.id)?;
        if pending == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let log = onetable_app::subscriptions::replay::events(
        &app,
        &department,
        subscription.id,
        onetable_app::subscriptions::replay::EventQuery { after: None, limit: Some(1000) },
    )
    .await
    .map_err(|e| anyhow!(e.describe()))?;
    let attempts: i64 = log.items.iter().map(|e| i64::from(e.attempts)).sum();
    let delivered = log.items.iter().filter(|e| e.status == "delivered").count();
    println!("the delivery log's first {} events: {delivered} delivered, {attempts} attempts in all", log.items.len());
    Ok(())
}

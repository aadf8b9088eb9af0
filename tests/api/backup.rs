//! Backups while clerks write (备份): the copy holds exactly the store as it was at one moment
//! during the backup — every write answered before it began, nothing answered after it ended —
//! and a backup taken at rest restores into a fresh database with every table's rows equal.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use onetable_core::Role;
use onetable_store::{backup, Backend, DbConn};
use onetable_tests::TestApp;
use serde_json::json;

const VILLAGES: [&str; 4] = ["522301100200", "522301100201", "522301100202", "522301100203"];

/// (village, value, answered at) of every PATCH answered 200.
type Answered = Arc<Mutex<Vec<(String, i64, Instant)>>>;

async fn write_until(app: Arc<TestApp>, village: &'static str, stop: Instant, answered: Answered) {
    let token = app.user_token(&format!("clerk_{village}"), Role::Clerk, Some(village), None).await;
    let path = format!("/api/v1/entries/{village}/2025");
    let mut revision = 0;
    let mut value = 0;
    while Instant::now() < stop {
        value += 1;
        let response = app
            .client
            .patch(app.url(&path))
            .bearer_auth(&token)
            .header("if-match", format!("\"{revision}\""))
            .json(&json!({"values": {"POP.REGISTERED": value}}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 200);
        let body: serde_json::Value = response.json().await.unwrap();
        revision = body["revision"].as_i64().unwrap();
        answered.lock().unwrap().push((village.to_owned(), value, Instant::now()));
    }
}

fn stored(path: &std::path::Path, village: &str) -> i64 {
    let db = onetable_store::Db::connect(&onetable_store::DatabaseUrl::Sqlite(path.to_owned()), 1).unwrap();
    let cells = onetable_store::cells::values_of(&mut db.conn().unwrap(), "2025", &[village.to_owned()]).unwrap();
    cells.iter().find(|c| c.indicator_code == "POP.REGISTERED").map_or(0, |c| c.value.parse().unwrap())
}

fn contents_of(db: &onetable_store::Db) -> Vec<(String, Vec<String>)> {
    let mut conn = db.conn().unwrap();
    let DbConn::Sqlite(sqlite) = &mut *conn else { panic!("SQLite only") };
    backup::contents(sqlite).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_backup_under_write_load_is_one_moment_and_a_restore_gives_every_row_back() {
    let app = Arc::new(TestApp::spawn(Backend::Sqlite).await);
    app.load_catalogue();
    let folder = tempfile::tempdir().unwrap();
    let answered: Answered = Arc::default();
    let stop = Instant::now() + Duration::from_millis(2_500);
    let writers: Vec<_> =
        VILLAGES.iter().map(|v| tokio::spawn(write_until(app.clone(), v, stop, answered.clone()))).collect();

    tokio::time::sleep(Duration::from_millis(1_000)).await;
    let under_load = folder.path().join("under-load.db");
    let began = Instant::now();
    let (db, to) = (app.db.clone(), under_load.clone());
    let copied = tokio::task::spawn_blocking(move || backup::backup(&db, &to)).await.unwrap().unwrap();
    let ended = Instant::now();
    for writer in writers {
        writer.await.unwrap();
    }
    let answered = answered.lock().unwrap().clone();
    assert!(copied.tables.iter().any(|(t, n)| t == "data_values" && *n > 0), "{copied:?}");
    let during = answered.iter().filter(|(_, _, at)| *at >= began && *at <= ended).count();
    let after = answered.iter().filter(|(_, _, at)| *at > ended).count();
    assert!(after > 0, "writes went on after the backup ({during} during it)");
    for village in VILLAGES {
        let mine: Vec<_> = answered.iter().filter(|(v, _, _)| v == village).collect();
        let before = mine.iter().filter(|(_, _, at)| *at < began).map(|(_, n, _)| *n).max().unwrap_or(0);
        let by_end = mine.iter().filter(|(_, _, at)| *at <= ended).map(|(_, n, _)| *n).max().unwrap_or(0);
        let held = stored(&under_load, village);
        // Values only grow, so the copy's is at least the last answered before and at most one
        // in flight by the end (a write answered just after may have committed before).
        assert!(held >= before, "{village}: the backup lost an answered write ({held} < {before})");
        let last = mine.iter().map(|(_, n, _)| *n).max().unwrap_or(0);
        assert!(held <= by_end + 1 && held <= last, "{village}: {held} was written after the backup ended ({by_end})");
    }

    // At rest: a backup, restored into a fresh file, holds every table's rows exactly.
    let at_rest = folder.path().join("at-rest.db");
    let (db, to) = (app.db.clone(), at_rest.clone());
    tokio::task::spawn_blocking(move || backup::backup(&db, &to)).await.unwrap().unwrap();
    let restored = folder.path().join("restored").join("onetable.db");
    backup::restore(&at_rest, &restored).unwrap();
    let fresh = onetable_store::Db::connect(&onetable_store::DatabaseUrl::Sqlite(restored.clone()), 1).unwrap();
    assert_eq!(fresh.migrate().unwrap(), 0, "the restored database is at the current schema");
    let (source, copy) = (contents_of(&app.db), contents_of(&fresh));
    assert_eq!(source.len(), copy.len());
    for ((table, rows), (copied_table, copied_rows)) in source.iter().zip(&copy) {
        assert_eq!(table, copied_table);
        assert_eq!(rows, copied_rows, "table {table}");
    }
    assert!(source.iter().map(|(_, r)| r.len()).sum::<usize>() > 1_000);

    // A backup over an existing file, or a damaged one restored, changes nothing.
    assert!(backup::backup(&app.db, &at_rest).is_err());
    let damaged = folder.path().join("damaged.db");
    let bytes = std::fs::read(&at_rest).unwrap();
    std::fs::write(&damaged, &bytes[..bytes.len() / 2]).unwrap();
    let before = std::fs::read(&restored).unwrap();
    assert!(backup::restore(&damaged, &restored).is_err());
    assert_eq!(std::fs::read(&restored).unwrap(), before, "a refused restore leaves the database as it was");
}

//! `onetable serve` stopped with SIGTERM in the middle of clerks' PATCHes: it stops accepting,
//! answers the writes already under way, and exits within its grace time. Afterwards every
//! answered write is stored and no write is stored that was not answered.

#![allow(clippy::unwrap_used)] // a test: a failure is a panic with its message

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{onetable_ok as onetable, BIN};
const VILLAGES: [&str; 4] = ["522301100200", "522301100201", "522301100202", "522301100203"];
const PASSWORD: &str = "Graceful-test-2025";

/// Each clerk's last answered value, and whether any PATCH went unanswered.
async fn write_until_refused(base: String, village: &'static str) -> (i64, usize) {
    let client = reqwest::Client::new();
    let token = common::login(&client, &base, &format!("c{village}"), PASSWORD).await;
    let (mut revision, mut answered, mut unanswered) = (0, 0, 0);
    loop {
        let sent = client
            .patch(format!("{base}/api/v1/entries/{village}/2025"))
            .bearer_auth(&token)
            .header("if-match", format!("\"{revision}\""))
            .json(&serde_json::json!({"values": {"POP.REGISTERED": answered + 1}}))
            .send()
            .await;
        let Ok(response) = sent else {
            unanswered += 1;
            break;
        };
        let status = response.status().as_u16();
        let Ok(body) = response.json::<serde_json::Value>().await else {
            unanswered += 1;
            break;
        };
        if status == 503 {
            break;
        }
        assert_eq!(status, 200, "{body}");
        revision = body["revision"].as_i64().unwrap();
        answered += 1;
    }
    (answered, unanswered)
}

fn stored(db: &Path, village: &str) -> i64 {
    let url = onetable_store::DatabaseUrl::Sqlite(db.to_owned());
    let db = onetable_store::Db::connect(&url, 1).unwrap();
    let cells = onetable_store::cells::values_of(&mut db.conn().unwrap(), "2025", &[village.to_owned()]).unwrap();
    cells.iter().find(|c| c.indicator_code == "POP.REGISTERED").map_or(0, |c| c.value.parse().unwrap())
}

#[actix_web::test]
async fn sigterm_under_write_load_answers_what_it_took_stores_only_that_and_exits_in_time() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("onetable.db");
    let url = format!("sqlite://{}", db.display());
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    onetable(&url, &["regions", "import", "--from", &repo.join("data/regions-5223").display().to_string()], None);
    let catalogue = repo.join("data/catalogue");
    onetable(
        &url,
        &[
            "catalogue",
            "load",
            "--indicators",
            &catalogue.join("indicators.csv").display().to_string(),
            "--rules",
            &catalogue.join("rules.csv").display().to_string(),
        ],
        None,
    );
    onetable(
        &url,
        &["users", "add", "--username", "admin5223", "--role", "admin", "--region", "5223", "--own-password"],
        Some(&format!("{PASSWORD}\n")),
    );
    for village in VILLAGES {
        let name = format!("c{village}");
        onetable(
            &url,
            &["users", "add", "--username", &name, "--role", "clerk", "--region", village, "--own-password"],
            Some(&format!("{PASSWORD}\n")),
        );
    }

    let mut server = Command::new(BIN)
        .args(["--database-url", &url, "serve", "--bind", "127.0.0.1:0"])
        .env("ONETABLE_DATA_DIR", dir.path())
        .env("ONETABLE_SHUTDOWN_GRACE_SECONDS", "10")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let base = common::listening(&mut server);

    // A dashboard read builds the 2025 cube before the load.
    let client = reqwest::Client::new();
    let admin = common::login(&client, &base, "admin5223", PASSWORD).await;
    let read = client
        .get(format!("{base}/api/v1/aggregates?indicators=POP.REGISTERED&within=5223&period=2025"))
        .bearer_auth(admin)
        .send()
        .await
        .unwrap();
    assert_eq!(read.status().as_u16(), 200);
    let load_began = chrono::Utc::now().naive_utc();
    let writers: Vec<_> = VILLAGES.iter().map(|v| actix_web::rt::spawn(write_until_refused(base.clone(), v))).collect();
    actix_web::rt::time::sleep(Duration::from_millis(1_500)).await;
    let signalled = Instant::now();
    let killed = Command::new("kill").args(["-TERM", &server.id().to_string()]).status().unwrap();
    assert!(killed.success());
    let status = server.wait().unwrap();
    let took = signalled.elapsed();
    assert!(status.success(), "exit after SIGTERM: {status}");
    assert!(took < Duration::from_secs(10), "exited in {took:?}, beyond the grace time");

    let mut total = 0;
    for (village, writer) in VILLAGES.iter().zip(writers) {
        let (answered, unanswered) = writer.await.unwrap();
        total += answered;
        let held = stored(&db, village);
        // Values count up by one per answered write: the stored one is exactly the last answered.
        assert_eq!(held, answered, "{village}: stored {held}, answered {answered} ({unanswered} unanswered)");
    }
    assert!(total > 20, "the load was real: {total} answered writes");
    eprintln!("{total} writes answered; exited {took:?} after SIGTERM");

    // The cube went to disk at shutdown holding the load: its snapshot has seen changes made
    // after the load began (the one written after the build had seen none).
    let note: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("cubes/cube-2025.json")).unwrap()).unwrap();
    let latest =
        chrono::NaiveDateTime::parse_from_str(note["latest"].as_str().unwrap(), "%Y-%m-%dT%H:%M:%S%.f").unwrap();
    assert!(latest > load_began, "snapshot latest {latest} is from before the load ({load_began})");
}

//! Bulk import of values (批量导入): CSV and XLSX, long and wide, all or nothing, Idempotency-Key.

use onetable_analytics::render::{to_xlsx, Cell, Table};
use onetable_core::Role;
use onetable_tests::{each_backend, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

const VILLAGE: &str = "522301100200";

async fn post(
    app: &TestApp,
    token: &str,
    query: &str,
    content_type: &str,
    body: Vec<u8>,
    key: Option<&str>,
) -> (u16, Value, bool) {
    let mut request = app
        .client
        .post(app.url(&format!("/api/v1/imports{query}")))
        .bearer_auth(token)
        .header("content-type", content_type)
        .body(body);
    if let Some(key) = key {
        request = request.header("idempotency-key", key);
    }
    let response = request.send().await.unwrap();
    let replayed = response.headers().contains_key("idempotent-replayed");
    (response.status().as_u16(), response.json().await.unwrap_or(Value::Null), replayed)
}

fn long_csv(rows: &[(&str, &str, &str)]) -> Vec<u8> {
    let mut text = String::from("\u{feff}region_code,indicator_code,period,value\n");
    for (region, code, value) in rows {
        text.push_str(&format!("{region},{code},2025,{value}\n"));
    }
    text.into_bytes()
}

async fn setup(app: &TestApp) -> String {
    app.load_catalogue();
    app.user_token("town_rev", Role::Reviewer, Some("522301100"), None).await
}

async fn value(app: &TestApp, token: &str, region: &str, code: &str) -> Value {
    let (_, entry) = app.get_as(token, &format!("/api/v1/entries/{region}/2025")).await;
    entry["values"].as_array().unwrap().iter().find(|c| c["code"] == code).map_or(Value::Null, |c| c["value"].clone())
}

#[tokio::test]
async fn a_long_csv_imports_and_reimports_unchanged_and_dry_runs_write_nothing() {
    each_backend(|app| async move {
        let token = setup(&app).await;
        let file = long_csv(&[
            (VILLAGE, "POP.REGISTERED", "1000"),
            (VILLAGE, "POP.MALE", "500"),
            ("522301100201", "POP.REGISTERED", "800"),
        ]);
        let (status, dry, _) = post(&app, &token, "?dry_run=true", "text/csv", file.clone(), None).await;
        assert_eq!(status, 200, "{dry}");
        assert_eq!(
            (dry["dry_run"].as_bool(), dry["inserted"].as_u64(), dry["layout"].as_str()),
            (Some(true), Some(3), Some("long"))
        );
        assert_eq!(value(&app, &token, VILLAGE, "POP.REGISTERED").await, Value::Null, "a dry run writes nothing");

        let (status, report, _) = post(&app, &token, "", "text/csv; charset=utf-8", file.clone(), None).await;
        assert_eq!((status, report["inserted"].as_u64()), (200, Some(3)), "{report}");
        assert_eq!(value(&app, &token, VILLAGE, "POP.REGISTERED").await, 1000);
        let (_, again, _) = post(&app, &token, "", "text/csv", file, None).await;
        assert_eq!((again["inserted"].as_u64(), again["unchanged"].as_u64()), (Some(0), Some(3)));
        let changed = long_csv(&[(VILLAGE, "POP.REGISTERED", "1001")]);
        let (_, updated, _) = post(&app, &token, "", "text/csv", changed, None).await;
        assert_eq!(updated["updated"], 1);
        let (_, history) = app.get_as(&token, &format!("/api/v1/entries/{VILLAGE}/2025/history")).await;
        assert_eq!(history["items"][0]["source"], "import");
        assert_eq!(history["items"][0]["old_value"], "1000");
    })
    .await;
}

#[tokio::test]
async fn one_bad_cell_rejects_the_whole_file_with_row_and_column() {
    each_backend(|app| async move {
        let token = setup(&app).await;
        let file = long_csv(&[
            (VILLAGE, "POP.REGISTERED", "1000"),
            (VILLAGE, "POP.MALE", "五百"),
            ("522301100201", "NO.SUCH", "1"),
            ("522302001001", "POP.MALE", "1"),
        ]);
        let (status, body, _) = post(&app, &token, "", "text/csv", file, None).await;
        assert_eq!(status, 422, "{body}");
        assert_eq!(body["error"], "import_rejected");
        let messages: Vec<&str> =
            body["details"].as_array().unwrap().iter().map(|d| d["message"].as_str().unwrap()).collect();
        assert_eq!(messages.len(), 3, "{messages:?}");
        assert!(messages.iter().any(|m| m.starts_with("第 3 行 value 列") && m.contains("应为整数")), "{messages:?}");
        assert!(
            messages.iter().any(|m| m.starts_with("第 5 行 region_code 列") && m.contains("管辖范围")),
            "out of scope: {messages:?}"
        );
        assert_eq!(value(&app, &token, VILLAGE, "POP.REGISTERED").await, Value::Null, "nothing imported");
    })
    .await;
}

#[tokio::test]
async fn a_retried_import_with_the_same_key_imports_once() {
    each_backend(|app| async move {
        let token = setup(&app).await;
        let file = long_csv(&[(VILLAGE, "POP.REGISTERED", "1000")]);
        let (status, first, replayed) = post(&app, &token, "", "text/csv", file.clone(), Some("k-1")).await;
        assert_eq!((status, replayed), (200, false));
        let (status, second, replayed) = post(&app, &token, "", "text/csv", file, Some("k-1")).await;
        assert_eq!((status, replayed), (200, true));
        assert_eq!(first, second, "the first answer, replayed");
        let (_, history) = app.get_as(&token, &format!("/api/v1/entries/{VILLAGE}/2025/history")).await;
        assert_eq!(history["total"], 1, "imported once");
        let other = long_csv(&[(VILLAGE, "POP.REGISTERED", "2000")]);
        let (status, body, _) = post(&app, &token, "", "text/csv", other, Some("k-1")).await;
        assert_eq!((status, body["error"].as_str()), (422, Some("idempotency_key_reused")));
        assert_eq!(value(&app, &token, VILLAGE, "POP.REGISTERED").await, 1000);
    })
    .await;
}

#[tokio::test]
async fn a_wide_xlsx_uploaded_as_multipart_imports_by_code_and_by_name() {
    each_backend(|app| async move {
        let token = setup(&app).await;
        let table = Table {
            headers: vec![
                "region_code".into(),
                "名称".into(),
                "POP.REGISTERED".into(),
                "户籍男性人口".into(),
                "村委会驻地海拔".into(),
            ],
            rows: vec![
                vec![
                    VILLAGE.into(),
                    "吴家坪村".into(),
                    Cell::Number(1200.0),
                    Cell::Number(600.0),
                    Cell::Number(1234.5),
                ],
                vec!["522301100201".into(), "必亮村".into(), Cell::Number(900.0), Cell::Empty, Cell::Empty],
            ],
        };
        let bytes = to_xlsx(&[("data", &table)]).unwrap();
        let part = reqwest::multipart::Part::bytes(bytes)
            .file_name("2025年报.xlsx")
            .mime_str("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
            .unwrap();
        let form = reqwest::multipart::Form::new().part("file", part);
        let response = app
            .client
            .post(app.url("/api/v1/imports?period=2025"))
            .bearer_auth(&token)
            .multipart(form)
            .send()
            .await
            .unwrap();
        let status = response.status();
        let report: Value = response.json().await.unwrap();
        assert_eq!(status, 200, "{report}");
        assert_eq!((report["layout"].as_str(), report["inserted"].as_u64()), (Some("wide"), Some(4)));
        assert_eq!(value(&app, &token, VILLAGE, "POP.MALE").await, 600);
        assert_eq!(value(&app, &token, VILLAGE, "PROFILE.ALTITUDE_M").await, 1234.5);
    })
    .await;
}

#[tokio::test]
async fn approved_entries_are_not_overwritten_and_limits_hold() {
    for backend in onetable_tests::backends() {
        let app = TestApp::spawn_with(backend, |s| s.import_max_mib = 1).await;
        let reviewer = setup(&app).await;
        let clerk = app.user_token("li_clerk", Role::Clerk, Some(VILLAGE), None).await;
        let entry = format!("/api/v1/entries/{VILLAGE}/2025");
        let send = |method: Method, token: String, path: String, revision: i64, body: Value| {
            let app = &app;
            async move {
                app.client
                    .request(method, app.url(&path))
                    .bearer_auth(token)
                    .header("if-match", revision.to_string())
                    .json(&body)
                    .send()
                    .await
                    .unwrap()
                    .status()
            }
        };
        send(Method::PATCH, clerk.clone(), entry.clone(), 0, json!({"values": {"POP.REGISTERED": 10}})).await;
        send(Method::POST, clerk.clone(), format!("{entry}/submit"), 1, json!({})).await;
        assert_eq!(send(Method::POST, reviewer.clone(), format!("{entry}/approve"), 2, json!({})).await, 200);

        let file = long_csv(&[(VILLAGE, "POP.REGISTERED", "99"), ("522301100201", "POP.REGISTERED", "50")]);
        let (status, report, _) = post(&app, &reviewer, "", "text/csv", file, None).await;
        assert_eq!(status, 200, "{report}");
        assert_eq!((report["inserted"].as_u64(), report["rejected"].as_u64()), (Some(1), Some(1)));
        assert_eq!(report["locked"][0]["status"], "approved");
        assert_eq!(value(&app, &reviewer, VILLAGE, "POP.REGISTERED").await, 10, "approved values stand");

        let big = vec![b'x'; 1024 * 1024 + 100];
        assert_eq!(post(&app, &reviewer, "", "text/csv", big, None).await.0, 413);
        assert_eq!(post(&app, &reviewer, "", "application/json", b"{}".to_vec(), None).await.0, 415);
        let viewer_token = app.token.clone();
        assert_eq!(post(&app, &viewer_token, "", "text/csv", long_csv(&[]), None).await.0, 403);
    }
}

#[tokio::test]
async fn a_retry_while_the_first_import_runs_is_409() {
    use sha2::{Digest, Sha256};
    each_backend(|app| async move {
        let token = setup(&app).await;
        let file = long_csv(&[(VILLAGE, "POP.REGISTERED", "1000")]);
        // The first request holds the key (as it would while importing): same caller, same body.
        let mut hasher = Sha256::new();
        hasher.update(b"");
        hasher.update([0]);
        hasher.update(&file);
        let running = onetable_store::idempotency::IdempotencyRow {
            key: "k-run".into(),
            actor: "town_rev".into(),
            request_hash: format!("{:x}", hasher.finalize()),
            state: "running".into(),
            response_status: None,
            response_body: None,
            created_at: chrono::Utc::now().naive_utc(),
            holder: None,
        };
        let lease = onetable_server::routes::imports::KEY_LEASE;
        let claimed =
            onetable_store::idempotency::claim_key(&mut app.db.conn().unwrap(), &running, running.created_at - lease);
        assert!(claimed.unwrap().is_none());
        let (status, body, _) = post(&app, &token, "", "text/csv", file, Some("k-run")).await;
        assert_eq!((status, body["error"].as_str()), (409, Some("request_in_progress")));
        assert_eq!(value(&app, &token, VILLAGE, "POP.REGISTERED").await, Value::Null, "not imported twice");
    })
    .await;
}

/// The claim a killed server left behind (`running`, older than the lease): a retry with the same
/// key and body runs the import instead of answering 409 forever.
#[tokio::test]
async fn a_key_whose_holder_died_becomes_retryable() {
    each_backend(|app| async move {
        let token = setup(&app).await;
        let file = long_csv(&[(VILLAGE, "POP.REGISTERED", "1000")]);
        let lease = onetable_server::routes::imports::KEY_LEASE;
        let dead = onetable_store::idempotency::IdempotencyRow {
            key: "k-dead".into(),
            actor: "town_rev".into(),
            request_hash: request_hash("", &file),
            state: "running".into(),
            response_status: None,
            response_body: None,
            created_at: chrono::Utc::now().naive_utc() - lease - chrono::TimeDelta::minutes(7),
            holder: None,
        };
        let mut conn = app.db.conn().unwrap();
        assert!(onetable_store::idempotency::claim_key(&mut conn, &dead, dead.created_at - lease).unwrap().is_none());
        drop(conn);
        let (status, body, _) = post(&app, &token, "", "text/csv", file.clone(), Some("k-dead")).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["inserted"], 1);
        assert_eq!(value(&app, &token, VILLAGE, "POP.REGISTERED").await, 1000);
        let (status, _, replayed) = post(&app, &token, "", "text/csv", file, Some("k-dead")).await;
        assert_eq!(status, 200);
        assert!(replayed, "then replayed");
    })
    .await;
}

/// On PostgreSQL a `kill -9` mid-import left its claim `running` for the whole 5-minute lease,
/// answering every retry 409. Now a claim names its server process, whose life is an advisory
/// lock the database frees when the process's connection ends: a retry of a dead process's claim
/// runs at once; a live process's claim still gets 409.
#[tokio::test]
async fn on_postgresql_a_claim_of_a_killed_server_is_taken_over_at_once_and_a_live_ones_is_not() {
    let Some(_) = onetable_tests::postgres_admin_url() else { return };
    let app = TestApp::spawn(onetable_store::Backend::Postgres).await;
    let token = setup(&app).await;
    let file = long_csv(&[(VILLAGE, "POP.REGISTERED", "1000")]);
    let claim = |key: &str, holder: i32| onetable_store::idempotency::IdempotencyRow {
        key: key.into(),
        actor: "town_rev".into(),
        request_hash: request_hash("", &file),
        state: "running".into(),
        response_status: None,
        response_body: None,
        created_at: chrono::Utc::now().naive_utc(),
        holder: Some(holder),
    };
    let lease = onetable_server::routes::imports::KEY_LEASE;
    // Another server, alive: its lock is held on a connection of its own.
    let live = onetable_store::idempotency::hold(app.db.url(), [424_242]).unwrap().unwrap();
    let running = claim("k-live", live.id);
    let mut conn = app.db.conn().unwrap();
    assert!(onetable_store::idempotency::claim_key(&mut conn, &running, running.created_at - lease).unwrap().is_none());
    drop(conn);
    let (status, body, _) = post(&app, &token, "", "text/csv", file.clone(), Some("k-live")).await;
    assert_eq!((status, body["error"].as_str()), (409, Some("request_in_progress")), "{body}");
    // The same server killed: its connection ends, the database frees its lock.
    drop(live);
    // A closed connection's backend lets go of its locks a moment later, not within `drop`:
    // wait (bounded) until the database shows the lock free, as after a real `kill -9`.
    wait_for_lock_freed(&app, 424_242).await;
    let (status, body, _) = post(&app, &token, "", "text/csv", file.clone(), Some("k-live")).await;
    assert_eq!(status, 200, "taken over at once, not after the lease: {body}");
    assert_eq!(body["inserted"], 1);
    let (status, _, replayed) = post(&app, &token, "", "text/csv", file, Some("k-live")).await;
    assert_eq!(status, 200);
    assert!(replayed, "then replayed");
}

async fn wait_for_lock_freed(app: &TestApp, holder: i64) {
    use diesel::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let mut conn = app.db.conn().unwrap();
        let onetable_store::DbConn::Postgres(pg) = &mut *conn else { return };
        let held: Count = diesel::sql_query("SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) AND objsubid = 2 AND objid::bigint = $1")
            .bind::<diesel::sql_types::BigInt, _>(holder)
            .get_result(pg)
            .unwrap();
        if held.n == 0 {
            return;
        }
        assert!(std::time::Instant::now() < deadline, "the database never freed the dropped connection's lock");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

fn request_hash(query: &str, file: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    hasher.update(query.as_bytes());
    hasher.update([0]);
    hasher.update(file);
    format!("{:x}", hasher.finalize())
}

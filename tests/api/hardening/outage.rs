//! A database outage is answered at once with 503 and `Retry-After`, and the server recovers by
//! itself (issue 13, item 9); a server that died holding an Idempotency-Key does not leave it
//! stuck (item 6).

use std::time::{Duration, Instant};

use diesel::{Connection, PgConnection, RunQueryDsl};
use onetable_core::Role;
use onetable_store::Backend;
use onetable_tests::{postgres_admin_url, TestApp};

/// Closes the test database to new connections and cuts the open ones, as a failed-over or
/// restarted PostgreSQL would; `false` opens it again.
fn close_database(name: &str, closed: bool) {
    let admin_url = postgres_admin_url().unwrap();
    let mut admin = PgConnection::establish(&admin_url).unwrap();
    diesel::sql_query(format!("ALTER DATABASE {name} ALLOW_CONNECTIONS {}", !closed)).execute(&mut admin).unwrap();
    if closed {
        diesel::sql_query(format!("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"))
            .execute(&mut admin)
            .unwrap();
    }
}

#[tokio::test]
async fn an_outage_is_a_quick_503_with_retry_after_and_the_server_recovers() {
    if postgres_admin_url().is_none() {
        eprintln!("skipped: needs ONETABLE_TEST_PG (an outage is a PostgreSQL matter)");
        return;
    }
    let app = TestApp::spawn(Backend::Postgres).await;
    let clerk = app.user_token("out_clerk", Role::Clerk, Some("522301100200"), None).await;
    let probe = "/api/v1/regions/522301100200";
    assert_eq!(app.get_as(&clerk, probe).await.0, 200);
    let name = app.database_name().unwrap();
    close_database(&name, true);
    // Past the second a token check is trusted, so the request needs the database.
    tokio::time::sleep(Duration::from_millis(1_200)).await;

    for _ in 0..3 {
        let started = Instant::now();
        let response = app.client.get(app.url(probe)).bearer_auth(&clerk).send().await.unwrap();
        let took = started.elapsed();
        assert_eq!(response.status(), 503);
        assert_eq!(response.headers()["retry-after"], "5");
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["error"], "database_unavailable");
        assert!(took < Duration::from_secs(8), "answered in {took:?}, not after the 10 s it used to hang");
    }
    let started = Instant::now();
    let ready = app.client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!((ready.status().as_u16(), started.elapsed() < Duration::from_secs(3)), (503, true));

    close_database(&name, false);
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let status = app.get_as(&clerk, probe).await.0;
        if status == 200 {
            break;
        }
        assert!(Instant::now() < deadline, "did not recover: {status}");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert_eq!(app.client.get(app.url("/readyz")).send().await.unwrap().status(), 200);
}

/// A SQLite server that starts finds no request of its own running: claims left `running` by the
/// process before it are released, and a retry runs.
#[tokio::test]
async fn keys_left_running_by_a_dead_server_are_released_at_start() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    app.load_catalogue();
    let token = app.user_token("out_rev", Role::Reviewer, Some("522301100"), None).await;
    let left = onetable_store::idempotency::IdempotencyRow {
        key: "k-left".into(),
        actor: "out_rev".into(),
        request_hash: "whatever".into(),
        state: "running".into(),
        response_status: None,
        response_body: None,
        created_at: chrono::Utc::now().naive_utc(),
        holder: None,
    };
    let now = left.created_at;
    onetable_store::idempotency::claim_key(&mut app.db.conn().unwrap(), &left, now).unwrap();
    let restarted = onetable_server::Application::build(&app.settings, app.db.clone()).unwrap();
    drop(restarted);
    let csv = "region_code,indicator_code,period,value\n522301100200,POP.REGISTERED,2025,5\n";
    let response = app
        .client
        .post(app.url("/api/v1/imports"))
        .bearer_auth(&token)
        .header("content-type", "text/csv")
        .header("idempotency-key", "k-left")
        .body(csv)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap_or_default());
}

//! Cubes survive a restart: a built cube is written to the data folder, a restarted server loads
//! it (its /readyz says so), catches up with what changed while it was down, and answers as the
//! store says; a snapshot cut short or of another registry is rebuilt, never served.

use std::time::{Duration, Instant};

use onetable_core::Role;
use onetable_tests::{each_backend, TestApp};
use serde_json::{json, Value};

const AGGREGATE: &str = "/api/v1/aggregates?indicators=POP.REGISTERED&within=522301&level=county&period=2025";

async fn registered(app: &TestApp, token: &str) -> i64 {
    let (status, body) = app.get_as(token, AGGREGATE).await;
    assert_eq!(status, 200, "{body}");
    body["rows"][0]["values"]["POP.REGISTERED"].as_i64().unwrap_or(0)
}

/// Waits until /readyz lists the 2025 cube, and says where it came from.
async fn warm_source(app: &TestApp) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let ready: Value = app.client.get(app.url("/readyz")).send().await.unwrap().json().await.unwrap();
        if let Some(cube) = ready["cubes"].as_array().and_then(|c| c.iter().find(|c| c["period"] == "2025")) {
            return cube["source"].as_str().unwrap().to_owned();
        }
        assert!(Instant::now() < deadline, "no warm 2025 cube: {ready}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn snapshot_written(app: &TestApp) -> std::path::PathBuf {
    let dir = app.settings.data_dir.join("cubes");
    let deadline = Instant::now() + Duration::from_secs(20);
    while !dir.join("cube-2025.json").exists() {
        assert!(Instant::now() < deadline, "no snapshot in {}", dir.display());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    dir
}

#[tokio::test]
async fn a_restarted_server_loads_its_cubes_catches_up_and_never_serves_a_bad_snapshot() {
    each_backend(|mut app| async move {
        app.load_catalogue();
        app.seed_entry("522301100200", "2025", "approved", &[("POP.REGISTERED", "1000")]);
        let admin = app.user_token("zhou_admin", Role::Admin, Some("5223"), None).await;
        assert_eq!(registered(&app, &admin).await, 1000);
        assert_eq!(warm_source(&app).await, "store");
        let dir = snapshot_written(&app).await;

        // Written while the server is down: the restarted one catches up from the change times.
        app.stop_server().await;
        app.seed_entry("522301100201", "2025", "approved", &[("POP.REGISTERED", "3000")]);
        app.restart().await;
        assert_eq!(warm_source(&app).await, "snapshot", "loaded at start, before any aggregate");
        assert_eq!(registered(&app, &admin).await, 4000);

        // Cut short: rebuilt from the store, and still right.
        let data = dir.join("cube-2025.parquet");
        let bytes = std::fs::read(&data).unwrap();
        std::fs::write(&data, &bytes[..bytes.len() / 2]).unwrap();
        app.restart().await;
        assert_eq!(registered(&app, &admin).await, 4000);
        assert_eq!(warm_source(&app).await, "store");

        // Another registry (a new indicator of the period): rebuilt, not loaded.
        snapshot_written(&app).await;
        let indicator = json!({"code": "T.NEW", "name": "测试新指标", "unit": "人", "value_type": "integer", "category": "人口",
            "frequency": "annual", "aggregation": "sum"});
        let (status, _) = app.send_json(reqwest::Method::POST, &admin, "/api/v1/indicators", &indicator).await;
        assert_eq!(status, 201);
        app.restart().await;
        assert_eq!(registered(&app, &admin).await, 4000);
        assert_eq!(warm_source(&app).await, "store");
    })
    .await;
}

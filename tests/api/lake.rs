//! The partitioned extract: Hive-style partitions with a manifest (types, registry versions,
//! checksums), typed columns and derived indicators per village, incremental runs that rewrite
//! only the changed provinces, and a partition that is replaced whole or not at all. (That Spark
//! and DuckDB read it as the API counts is scripts/peers.sh.)

use onetable_app::cubes::CubeCache;
use onetable_app::lake::{write_extract, ExtractAsk};
use onetable_app::problem::Kind;
use onetable_tests::each_backend;
use sha2::{Digest, Sha256};

#[tokio::test]
async fn a_period_is_written_as_typed_partitions_with_a_manifest_and_rewritten_only_where_it_changed() {
    each_backend(|app| async move {
        app.load_catalogue();
        app.seed_entry(
            "522301100200",
            "2025",
            "approved",
            &[("POP.MALE", "520"), ("POP.FEMALE", "480"), ("SVC.CLINIC", "true")],
        );
        app.seed_entry("522301100201", "2025", "submitted", &[("POP.MALE", "10")]);
        let lake = tempfile::tempdir().unwrap();
        let cubes = CubeCache::default();
        let ask = ExtractAsk {
            period: "2025".into(),
            indicators: vec!["POP.MALE".into(), "POP.FEMALE".into(), "DER.SEX_RATIO".into()],
            changed_since: None,
        };
        let db = app.db.clone();
        let dir = lake.path().to_path_buf();
        let (manifest, cubes) = tokio::task::spawn_blocking(move || {
            let manifest = write_extract(&mut db.conn().unwrap(), &cubes, &dir, &ask).unwrap();
            (manifest, cubes)
        })
        .await
        .unwrap();
        assert_eq!(manifest.written, vec!["period=2025/province=52/part-00000.parquet"]);
        let file = &manifest.files[0];
        let bytes = std::fs::read(lake.path().join(&file.path)).unwrap();
        assert_eq!((file.bytes, file.sha256.clone()), (bytes.len(), format!("{:x}", Sha256::digest(&bytes))));
        let male = manifest.columns.iter().find(|c| c.name == "pop_male").unwrap();
        assert_eq!(
            (male.kind.as_str(), male.indicator.as_deref(), male.version),
            ("bigint", Some("POP.MALE"), Some(1))
        );

        let frame = onetable_analytics::report::read_parquet(&bytes).unwrap();
        assert_eq!(frame.height(), file.rows);
        assert!(frame.column("pop_male").unwrap().i64().is_ok(), "integers as integers");
        assert!(frame.column("der_sex_ratio").unwrap().f64().is_ok(), "derived as doubles");
        let codes = frame.column("village_code").unwrap().str().unwrap().clone();
        let row = codes.iter().position(|c| c == Some("522301100200")).unwrap();
        assert_eq!(frame.column("status").unwrap().str().unwrap().get(row), Some("approved"));
        assert!(frame.column("approved_at").unwrap().str().unwrap().get(row).is_some_and(|t| t.ends_with('Z')));
        assert_eq!(frame.column("pop_male").unwrap().i64().unwrap().get(row), Some(520));
        let ratio = frame.column("der_sex_ratio").unwrap().f64().unwrap().get(row).unwrap();
        assert!((ratio - 520.0 / 480.0 * 100.0).abs() < 1e-9, "derived per village: {ratio}");
        assert!(frame.column("county_name").unwrap().str().unwrap().get(row).is_some_and(|n| !n.is_empty()));
        let other = codes.iter().position(|c| c == Some("522301100201")).unwrap();
        assert_eq!(frame.column("status").unwrap().str().unwrap().get(other), Some("submitted"));

        // Nothing changed since: nothing is rewritten, and the manifest still lists the partition.
        let since = chrono::Utc::now();
        std::thread::sleep(std::time::Duration::from_millis(5));
        let dir = lake.path().to_path_buf();
        let db = app.db.clone();
        let again =
            ExtractAsk { period: "2025".into(), indicators: vec!["POP.MALE".into()], changed_since: Some(since) };
        let (unchanged, cubes) = tokio::task::spawn_blocking(move || {
            (write_extract(&mut db.conn().unwrap(), &cubes, &dir, &again).unwrap(), cubes)
        })
        .await
        .unwrap();
        assert!(unchanged.written.is_empty());
        assert_eq!(unchanged.files, manifest.files);

        // An extract killed half way left a hidden temporary file: the partition is still whole.
        std::fs::write(lake.path().join("period=2025/province=52/.part-00000.parquet.999.tmp"), b"PAR1 half").unwrap();
        assert_eq!(std::fs::read(lake.path().join(&file.path)).unwrap(), bytes);

        // A change after `since`: that province is rewritten, whole.
        app.seed_entry("522301100202", "2025", "approved", &[("POP.MALE", "7")]);
        let dir = lake.path().to_path_buf();
        let db = app.db.clone();
        let changed =
            ExtractAsk { period: "2025".into(), indicators: vec!["POP.MALE".into()], changed_since: Some(since) };
        let rewritten = tokio::task::spawn_blocking(move || {
            write_extract(&mut db.conn().unwrap(), &cubes, &dir, &changed).unwrap()
        })
        .await
        .unwrap();
        assert_eq!(rewritten.written.len(), 1);
        assert_eq!(rewritten.files[0].rows, file.rows, "a partition is always all of its villages");

        // Bad asks: a clear 422 naming the field, nothing written.
        let db = app.db.clone();
        let dir = lake.path().join("other");
        let probe = dir.clone();
        let refusals = tokio::task::spawn_blocking(move || {
            let cubes = CubeCache::default();
            let mut conn = db.conn().unwrap();
            let unknown = ExtractAsk { period: "2025".into(), indicators: vec!["NO.SUCH".into()], changed_since: None };
            let bad_period = ExtractAsk { period: "20x5".into(), indicators: vec![], changed_since: None };
            [
                write_extract(&mut conn, &cubes, &dir, &unknown).unwrap_err(),
                write_extract(&mut conn, &cubes, &dir, &bad_period).unwrap_err(),
            ]
        })
        .await
        .unwrap();
        let kinds: Vec<_> = refusals.iter().map(|p| (p.code(), p.kind())).collect();
        assert_eq!(kinds, vec![("unknown_indicator", Kind::Invalid), ("invalid_period", Kind::Invalid)]);
        assert!(!probe.exists(), "nothing written");
    })
    .await;
}

#[tokio::test]
async fn a_department_takes_the_extract_its_request_grants_and_nothing_more() {
    use onetable_core::Role;
    use serde_json::json;
    use std::io::Read;
    each_backend(|app| async move {
        app.load_catalogue();
        app.seed_entry("522301100200", "2025", "approved", &[("POP.MALE", "520"), ("POP.FEMALE", "480")]);
        app.seed_entry("522301100201", "2025", "submitted", &[("POP.MALE", "10")]);
        app.seed_entry("522302101200", "2025", "approved", &[("POP.MALE", "99")]);
        let department = app.user_token("tj_dept", Role::Department, Some("5223"), Some("统计局")).await;
        let admin = app.user_token("zhou_admin", Role::Admin, Some("5223"), None).await;
        let body = json!({"title": "性别比", "purpose": "人口统计", "indicators": ["POP.MALE", "DER.SEX_RATIO"], "region": "522301",
            "periods": ["2025"], "expires_at": "2099-12-31"});
        let (_, filed) = app.send_json(reqwest::Method::POST, &department, "/api/v1/data-requests", &body).await;
        let id = filed["id"].as_i64().unwrap();
        let path = format!("/api/v1/data-requests/{id}/extract?period=2025");
        let get = |token: String, path: String| {
            let app = &app;
            async move {
                let response = app.client.get(app.url(&path)).bearer_auth(token).send().await.unwrap();
                (response.status().as_u16(), response.bytes().await.unwrap().to_vec())
            }
        };
        assert_eq!(get(department.clone(), path.clone()).await.0, 403, "not approved yet");
        app.send_json(reqwest::Method::POST, &admin, &format!("/api/v1/data-requests/{id}/approve"), &json!({})).await;
        assert_eq!(get(department.clone(), format!("/api/v1/data-requests/{id}/extract?period=2024")).await.0, 403);
        let (status, bytes) = get(department.clone(), path.clone()).await;
        assert_eq!(status, 200);

        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut manifest = String::new();
        zip.by_name("period=2025/_manifest.json").unwrap().read_to_string(&mut manifest).unwrap();
        let manifest: serde_json::Value = serde_json::from_str(&manifest).unwrap();
        let mut parquet = Vec::new();
        zip.by_name("period=2025/province=52/part-00000.parquet").unwrap().read_to_end(&mut parquet).unwrap();
        assert_eq!(manifest["files"][0]["sha256"], format!("{:x}", Sha256::digest(&parquet)));
        let indicators: Vec<&str> = manifest["columns"].as_array().unwrap().iter().filter_map(|c| c["indicator"].as_str()).collect();
        assert_eq!(indicators, vec!["POP.MALE", "DER.SEX_RATIO"], "the granted indicators only");
        let frame = onetable_analytics::report::read_parquet(&parquet).unwrap();
        let codes: Vec<Option<&str>> = frame.column("village_code").unwrap().str().unwrap().iter().collect();
        assert_eq!(codes, vec![Some("522301100200")], "approved villages inside the granted region only");
        assert!(frame.column("pop_female").is_err(), "an input of a granted ratio is not granted itself");

        // The village sees the use; another department does not see the request.
        let clerk = app.user_token("clerk", Role::Clerk, Some("522301100200"), None).await;
        let (_, usage) = app.get_as(&clerk, "/api/v1/regions/522301100200/usage").await;
        assert!(usage.to_string().contains("统计局"), "{usage}");
        let other = app.user_token("ws_dept", Role::Department, Some("5223"), Some("卫健委")).await;
        assert_eq!(get(other, path).await.0, 404);
    })
    .await;
}

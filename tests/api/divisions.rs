//! Importing the national division list (统计用区划代码): history-aware, idempotent, all or nothing.

use std::io::Write;
use std::path::Path;

use onetable_core::RegionCode;
use onetable_store::divisions::{self, ImportError, ImportSummary};
use onetable_tests::{backends, date, TestApp};

const PROVINCES: &str = "code,name\n52,\"贵州省\"\n";
const CITIES: &str = "code,name,provinceCode\n5223,\"黔西南布依族苗族自治州\",52\n";
// The second row is a placeholder of the kind the national list has (441900 东莞市): skipped.
const AREAS: &str = "code,name,cityCode,provinceCode\n522301,\"兴义市\",5223,52\n522300,\"黔西南州\",5223,52\n";
const STREETS: &str = "code,name,areaCode,provinceCode,cityCode\n\
522301001,\"黄草街道\",522301,52,5223\n522301100,\"顶效镇\",522301,52,5223\n";
const VILLAGES: &str = "code,name,streetCode,provinceCode,cityCode,areaCode\n\
522301001001,\"街心社区\",522301001,52,5223,522301\n\
522301001002,\"向阳社区\",522301001,52,5223,522301\n\
522301100200,\"绿荫村\",522301100,52,5223,522301\n";

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

fn write_gz(dir: &Path, name: &str, text: &str) {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(text.as_bytes()).unwrap();
    std::fs::write(dir.join(name), encoder.finish().unwrap()).unwrap();
}

fn fixture(villages: &str, gz_villages: bool) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "provinces.csv", PROVINCES);
    write(dir.path(), "cities.csv", CITIES);
    write(dir.path(), "areas.csv", AREAS);
    write(dir.path(), "streets.csv", STREETS);
    if gz_villages {
        write_gz(dir.path(), "villages.csv.gz", villages);
    } else {
        write(dir.path(), "villages.csv", villages);
    }
    dir
}

fn import(app: &TestApp, dir: &Path, scope: Option<&str>, effective: &str) -> Result<ImportSummary, ImportError> {
    let scope = scope.map(|s| RegionCode::parse(s).unwrap());
    let set = divisions::read_dir(dir, scope)?;
    divisions::import(&mut app.db.conn().unwrap(), &set, date(effective))
}

#[tokio::test]
async fn reimport_renames_retires_and_is_idempotent() {
    for backend in backends() {
        let mut app = TestApp::spawn_empty(backend).await;
        let first = import(&app, fixture(VILLAGES, false).path(), None, "2025-01-01").unwrap();
        app.sign_in_viewer("52").await;
        assert_eq!(first.read, 8);
        assert_eq!(first.inserted, 8);
        assert_eq!(first.placeholders_skipped, 1);

        // A year later: 绿荫村 is renamed and 向阳社区 is gone; the villages file is gzipped now.
        let next_year = VILLAGES
            .replace("\"绿荫村\"", "\"绿荫新村\"")
            .replace("522301001002,\"向阳社区\",522301001,52,5223,522301\n", "");
        let dir = fixture(&next_year, true);
        let second = import(&app, dir.path(), None, "2026-01-01").unwrap();
        assert_eq!((second.read, second.inserted, second.renamed, second.retired, second.unchanged), (7, 0, 1, 1, 6));

        let (status, renamed) = app.get_json("/api/v1/regions/522301100200").await;
        assert_eq!(status, 200);
        assert_eq!(renamed["name"], "绿荫新村");
        assert_eq!(renamed["changes"][0]["kind"], "rename");
        assert_eq!(renamed["changes"][0]["old_name"], "绿荫村");
        assert_eq!(renamed["changes"][0]["effective"], "2026-01-01");

        // The vanished code is kept (data may hang off it), retired, and out of current lists.
        let (status, retired) = app.get_json("/api/v1/regions/522301001002").await;
        assert_eq!(status, 200);
        assert_eq!(retired["valid_to"], "2026-01-01");
        assert_eq!(retired["changes"][0]["kind"], "retire");
        let (_, children) = app.get_json("/api/v1/regions/522301001/children").await;
        assert_eq!(children["total"], 1);
        let (_, with_retired) = app.get_json("/api/v1/regions?within=522301001&include_retired=true").await;
        assert_eq!(with_retired["total"], 2);

        // The same files again change nothing and record nothing.
        let third = import(&app, dir.path(), None, "2026-06-01").unwrap();
        assert_eq!((third.inserted, third.renamed, third.retired, third.unchanged), (0, 0, 0, 7));
        let (_, again) = app.get_json("/api/v1/regions/522301100200").await;
        assert_eq!(again["changes"].as_array().unwrap().len(), 1);

        // A code that comes back is restored.
        let fourth = import(&app, fixture(VILLAGES, false).path(), None, "2027-01-01").unwrap();
        assert_eq!((fourth.restored, fourth.renamed), (1, 1));
        let (_, restored) = app.get_json("/api/v1/regions/522301001002").await;
        assert_eq!(restored["valid_to"], serde_json::Value::Null);
    }
}

#[tokio::test]
async fn a_prefix_import_touches_only_that_region_and_its_ancestors() {
    for backend in backends() {
        let mut app = TestApp::spawn_empty(backend).await;
        let summary = import(&app, fixture(VILLAGES, false).path(), Some("522301001"), "2025-01-01").unwrap();
        app.sign_in_viewer("52").await;
        // 52, 5223, 522301, 522301001 and its two communities.
        assert_eq!((summary.read, summary.inserted), (6, 6));
        let (status, _) = app.get_json("/api/v1/regions/522301100200").await;
        assert_eq!(status, 404);
        // Re-importing another prefix does not retire the first one's regions.
        import(&app, fixture(VILLAGES, false).path(), Some("522301100"), "2025-01-01").unwrap();
        let (_, first) = app.get_json("/api/v1/regions/522301001001").await;
        assert_eq!(first["valid_to"], serde_json::Value::Null);
    }
}

#[tokio::test]
async fn an_orphan_or_bad_row_rejects_the_whole_import() {
    for backend in backends() {
        let app = TestApp::spawn_empty(backend).await;
        let orphan = format!("{VILLAGES}522301200201,\"无主村\",522301200,52,5223,522301\n");
        let err = import(&app, fixture(&orphan, false).path(), None, "2025-01-01").unwrap_err();
        assert!(matches!(err, ImportError::Orphans { count: 1, .. }), "{err}");
        let stored = onetable_store::regions::find(&mut app.db.conn().unwrap(), RegionCode::parse("52").unwrap());
        assert_eq!(stored.unwrap(), None, "nothing may be written");

        let bad = format!("{VILLAGES}52230110020X,\"坏代码\",522301100,52,5223,522301\n");
        let err = import(&app, fixture(&bad, false).path(), None, "2025-01-01").unwrap_err();
        assert!(err.to_string().contains("villages.csv line 5"), "{err}");
        let missing = tempfile::tempdir().unwrap();
        let err = import(&app, missing.path(), None, "2025-01-01").unwrap_err();
        assert!(matches!(err, ImportError::MissingFile(ref f) if f == "provinces"), "{err}");
    }
}

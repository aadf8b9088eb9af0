//! The demo's values: plausible, passing every error rule, with work left for reviewers.

use std::collections::BTreeMap;

use onetable_app::entries::{formula_values, load_form, rule_results};
use onetable_core::{Period, RegionCode};
use onetable_store::entries as store;
use onetable_tests::{backends, TestApp};

#[tokio::test]
async fn demo_values_pass_every_error_rule_and_leave_work_for_reviewers() {
    let app = TestApp::spawn(backends()[0]).await;
    app.load_catalogue();
    let mut conn = app.db.conn().unwrap();
    let now = chrono::Utc::now().naive_utc();
    let period = Period::Year(2025);
    let within = RegionCode::parse("5223").unwrap();
    let summary = onetable_app::demo::fill(&mut conn, within, period, now).unwrap();
    assert_eq!(summary.villages, 1294);
    assert!(summary.submitted > 100 && summary.approved > 100 && summary.draft > 100, "{summary:?}");
    assert!(summary.with_warnings > 10);

    let form = load_form(&mut conn, period).unwrap();
    let (mut warnings, mut failures) = (0, Vec::new());
    for (village, status) in store::village_statuses(&mut conn, within, "2025").unwrap() {
        assert!(status.is_some(), "{village} has an entry");
        let cells: BTreeMap<String, String> = store::values(&mut conn, &village, "2025")
            .unwrap()
            .into_iter()
            .map(|v| (v.indicator_code, v.value))
            .collect();
        for def in form.entered.values() {
            if let Some(value) = cells.get(&def.code) {
                let raw = onetable_core::value::RawCell::Text(value.clone());
                assert!(onetable_core::value::check_cell(def, &raw).is_ok(), "{village} {}: {value}", def.code);
            }
        }
        for result in rule_results(&form, &formula_values(&form, &cells)) {
            if result.outcome == "fail" {
                if result.severity == "error" {
                    failures.push(format!("{village} {}", result.code));
                } else {
                    warnings += 1;
                }
            }
        }
    }
    assert!(failures.is_empty(), "error rules fail: {failures:?}");
    assert!(warnings >= summary.with_warnings, "the warning villages show warnings");
    let again = onetable_app::demo::fill(&mut conn, within, period, now).unwrap();
    assert!(again.skipped_existing, "a second demo run keeps what is there");
}

/// The demo's data request is approved, so the demo department pulls at once; it is created once.
#[tokio::test]
async fn the_demo_department_can_pull_at_once() {
    let app = TestApp::spawn(backends()[0]).await;
    app.load_catalogue();
    let now = chrono::Utc::now().naive_utc();
    let within = RegionCode::parse("5223").unwrap();
    {
        let mut conn = app.db.conn().unwrap();
        onetable_app::demo::fill(&mut conn, within, Period::Year(2025), now).unwrap();
    }
    let id = onetable_app::demo::ensure_request(&mut app.db.conn().unwrap(), within, now).unwrap();
    assert_eq!(onetable_app::demo::ensure_request(&mut app.db.conn().unwrap(), within, now).unwrap(), id);
    let department = app.user_token("demo_dept", onetable_core::Role::Department, Some("5223"), Some("民政局")).await;
    let (status, pulled) =
        app.get_as(&department, &format!("/api/v1/data-requests/{id}/data?period=2025&level=county")).await;
    assert_eq!(status, 200, "{pulled}");
    let rows = pulled["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 8);
    assert!(rows.iter().all(|r| r["values"]["POP.REGISTERED"].as_f64().unwrap() > 0.0), "{pulled}");
}

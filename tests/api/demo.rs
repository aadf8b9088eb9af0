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
    let within = RegionCode::parse("5223").unwrap();
    let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 7).unwrap();
    let summary = onetable_app::demo::fill(&mut conn, within, today, now).unwrap();
    assert_eq!(summary.villages, 1294);
    assert!(summary.submitted > 100 && summary.approved > 100 && summary.draft > 100, "{summary:?}");
    assert!(summary.with_warnings > 10);

    let mut expected: Vec<String> = (2021..=2025).map(|y| y.to_string()).collect();
    expected.extend(["2025Q4", "2026Q1", "2026Q2", "2026Q3", "2025-12"].map(str::to_owned));
    expected.extend((1..=11).map(|m| format!("2026-{m:02}")));
    assert_eq!(summary.periods, expected, "five years, four quarters, twelve months closed by 2026-12-07");
    assert!(summary.jumps > 5, "{summary:?}");
    // The demo clerk's village has a trail an auditor can follow: its submissions and approvals.
    let auditor = app.user_token("demo_audit_reader", onetable_core::Role::Auditor, None, None).await;
    let (_, submits) = app.get_as(&auditor, "/api/v1/audit/events?actor=demo_clerk&action=entries.submit").await;
    assert!(submits["total"].as_i64().unwrap() >= 4, "{submits}");
    assert_eq!(submits["items"][0]["target"].as_str().unwrap().split('/').next(), Some("522301100200"));
    let (_, approvals) = app.get_as(&auditor, "/api/v1/audit/events?actor=demo_reviewer&action=entries.approve").await;
    assert_eq!(approvals["total"], submits["total"], "each submission approved");
    let (mut warnings, mut failures) = (0, Vec::new());
    for checked in &summary.periods {
        let period = Period::parse(checked).unwrap();
        let form = load_form(&mut conn, period).unwrap();
        for (village, status) in store::village_statuses(&mut conn, within, checked).unwrap() {
            assert!(status.is_some(), "{village} has an entry of {checked}");
            let cells: BTreeMap<String, String> = store::values(&mut conn, &village, checked)
                .unwrap()
                .into_iter()
                .map(|v| (v.indicator_code, v.value))
                .collect();
            for def in form.entered.values() {
                if let Some(value) = cells.get(&def.code) {
                    let raw = onetable_core::value::RawCell::Text(value.clone());
                    assert!(
                        onetable_core::value::check_cell(def, &raw).is_ok(),
                        "{village} {checked} {}: {value}",
                        def.code
                    );
                }
            }
            for result in rule_results(&form, &formula_values(&form, &cells)) {
                if result.outcome == "fail" {
                    if result.severity == "error" {
                        failures.push(format!("{village} {checked} {}", result.code));
                    } else if checked == "2025" {
                        warnings += 1;
                    }
                }
            }
        }
    }
    assert!(failures.is_empty(), "error rules fail: {failures:?}");
    assert!(warnings >= summary.with_warnings, "the warning villages show warnings");

    // Villages change from year to year as villages do; a few jump.
    let registered = |conn: &mut onetable_store::DbConn, village: &str, year: &str| -> f64 {
        store::values(conn, village, year)
            .unwrap()
            .into_iter()
            .find(|v| v.indicator_code == "POP.REGISTERED")
            .unwrap()
            .value
            .parse()
            .unwrap()
    };
    let mut changes = Vec::new();
    for (village, _) in store::village_statuses(&mut conn, within, "2024").unwrap().into_iter().step_by(7) {
        changes.push(registered(&mut conn, &village, "2024") / registered(&mut conn, &village, "2023") - 1.0);
    }
    assert!(changes.iter().all(|c| c.abs() < 0.04), "a year's change is small: {changes:?}");
    assert!(changes.iter().any(|c| c.abs() > 0.001), "but not nothing");
    // The demo clerk: 2024 approved and complete, 2025 in draft and a third filled.
    let clerk = "522301100200";
    let entries = store::of_region(&mut conn, clerk).unwrap();
    let status = |period: &str| entries.iter().find(|e| e.period == period).map(|e| e.status.clone());
    assert_eq!((status("2024").as_deref(), status("2025").as_deref()), (Some("approved"), Some("draft")));
    let filled = store::values(&mut conn, clerk, "2025").unwrap().len();
    let last_year = store::values(&mut conn, clerk, "2024").unwrap().len();
    assert!(filled * 2 < last_year && filled > 0, "{filled} of {last_year}");
    let again = onetable_app::demo::fill(&mut conn, within, today, now).unwrap();
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
        onetable_app::demo::fill(&mut conn, within, chrono::Utc::now().date_naive(), now).unwrap();
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

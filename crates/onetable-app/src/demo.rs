//! Demo values (演示数据): plausible 2025 annual forms for every demo village, consistent with the
//! reference rules by construction (sums add up, parts stay below totals), a few with warnings,
//! and a spread of workflow states so the review screens have something to show.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use onetable_core::indicator::ValueType;
use onetable_core::{Period, RegionCode};
use onetable_store::cells as store;
use onetable_store::cells::DataValueRow;
use onetable_store::entries::{self as entry_store, EntryRow, NewEntryEvent};
use onetable_store::DbConn;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::Serialize;

use onetable_core::workflow::EntryStatus;

use crate::entries::{load_form, Form};
use crate::problem::Problem;

/// The village the demo clerk keeps: left in draft, complete and clean.
pub const DEMO_CLERK_VILLAGE: &str = "522301100200";

const INDUSTRIES: [&str; 6] = ["茶叶", "刺梨", "蔬菜", "生猪养殖", "食用菌", "乡村旅游"];

/// Values in hundredths, so parts and totals add up exactly.
fn cents(rng: &mut StdRng, low: f64, high: f64) -> i64 {
    #[allow(clippy::cast_possible_truncation)]
    let value = (rng.gen_range(low..high) * 100.0).round() as i64;
    value
}

fn money(hundredths: i64) -> String {
    #[allow(clippy::cast_precision_loss)]
    let value = hundredths as f64 / 100.0;
    value.to_string()
}

#[allow(clippy::cast_possible_truncation, clippy::cast_precision_loss, clippy::cast_sign_loss)]
fn share(total: i64, fraction: f64) -> i64 {
    (total as f64 * fraction).round() as i64
}

/// A village's values, by indicator code (canonical text). `warning` makes one warning rule fail.
#[must_use]
pub fn village_values(village: RegionCode, warning: bool) -> BTreeMap<String, String> {
    let seed = village.to_string().parse::<u64>().unwrap_or(0);
    let rng = &mut StdRng::seed_from_u64(seed);
    let mut v: BTreeMap<String, String> = BTreeMap::new();
    let mut put = |code: &str, value: String| {
        v.insert(code.to_owned(), value);
    };
    let registered: i64 = rng.gen_range(300..3000);
    let households = share(registered, rng.gen_range(0.26..0.32));
    let male = share(registered, rng.gen_range(0.49..0.53));
    let aged_60 = share(registered, rng.gen_range(0.12..0.22));
    let labour = share(registered, rng.gen_range(0.55..0.65));
    put("PROFILE.GROUPS", rng.gen_range(4..20).to_string());
    put("PROFILE.NATURAL_VILLAGES", rng.gen_range(4..30).to_string());
    put("PROFILE.AREA_KM2", money(cents(rng, 4.0, 60.0)));
    put("PROFILE.ALTITUDE_M", money(cents(rng, 500.0, 1900.0)));
    put("PROFILE.TERRAIN", (if rng.gen_bool(0.7) { "山区" } else { "丘陵" }).to_owned());
    put("PROFILE.IS_TOWNSHIP_SEAT", (village.segments()[4] == 1).to_string());
    put("PROFILE.DIST_TOWNSHIP_KM", money(cents(rng, 0.5, 25.0)));
    put("POP.HOUSEHOLDS", households.to_string());
    put("POP.REGISTERED", registered.to_string());
    put("POP.MALE", male.to_string());
    put("POP.FEMALE", (registered - male).to_string());
    put("POP.RESIDENT_HOUSEHOLDS", share(households, rng.gen_range(0.6..0.9)).to_string());
    put("POP.RESIDENT", share(registered, rng.gen_range(0.55..0.85)).to_string());
    put("POP.AGED_60", aged_60.to_string());
    put("POP.AGED_80", share(aged_60, rng.gen_range(0.1..0.2)).to_string());
    put("POP.UNDER_18", share(registered, rng.gen_range(0.18..0.26)).to_string());
    put("POP.MINORITY", share(registered, rng.gen_range(0.0..0.9)).to_string());
    put("POP.DISABLED", share(registered, rng.gen_range(0.01..0.03)).to_string());
    put("LAB.LABOUR_FORCE", labour.to_string());
    put("LAB.SKILL_TRAINED", share(labour, rng.gen_range(0.05..0.15)).to_string());
    put("LAB.PRIMARY_INDUSTRY_WORKERS", share(labour, rng.gen_range(0.3..0.5)).to_string());
    let cultivated = cents(rng, 500.0, 5000.0);
    let paddy = share(cultivated, rng.gen_range(0.2..0.5));
    put("LAND.CULTIVATED_MU", money(cultivated));
    put("LAND.PADDY_MU", money(paddy));
    put("LAND.DRY_MU", money(cultivated - paddy));
    put("LAND.IRRIGATED_MU", money(share(cultivated, rng.gen_range(0.3..0.7))));
    let high_standard = if warning { share(cultivated, 1.2) } else { share(cultivated, rng.gen_range(0.1..0.4)) };
    put("LAND.HIGH_STANDARD_MU", money(high_standard));
    put("LAND.FOREST_MU", money(cents(rng, 1000.0, 10000.0)));
    put("LAND.ORCHARD_MU", money(cents(rng, 50.0, 500.0)));
    put("LAND.WATER_MU", money(cents(rng, 0.0, 50.0)));
    put("LAND.IDLE_MU", money(cents(rng, 0.0, 20.0)));
    put("LAND.TRANSFERRED_MU", money(share(cultivated, rng.gen_range(0.1..0.3))));
    let parts = [
        ("ECO.COLLECTIVE_OPERATING_INCOME", cents(rng, 2.0, 30.0)),
        ("ECO.COLLECTIVE_CONTRACT_INCOME", cents(rng, 0.0, 10.0)),
        ("ECO.COLLECTIVE_INVESTMENT_INCOME", cents(rng, 0.0, 8.0)),
        ("ECO.COLLECTIVE_SUBSIDY_INCOME", cents(rng, 1.0, 15.0)),
        ("ECO.COLLECTIVE_OTHER_INCOME", cents(rng, 0.0, 3.0)),
    ];
    let total: i64 = parts.iter().map(|(_, c)| c).sum();
    for (code, amount) in parts {
        put(code, money(amount));
    }
    put("ECO.COLLECTIVE_TOTAL_INCOME", money(total));
    put("ECO.COLLECTIVE_TOTAL_EXPENSE", money(share(total, rng.gen_range(0.4..0.8))));
    put("ECO.COLLECTIVE_ASSETS", money(cents(rng, 50.0, 500.0)));
    put("ECO.COLLECTIVE_DEBT", money(cents(rng, 0.0, 50.0)));
    put("ECO.PER_CAPITA_INCOME", money(cents(rng, 11000.0, 17000.0)));
    put("ECO.COOPERATIVES", rng.gen_range(0..6).to_string());
    put("ECO.HOMESTAYS", rng.gen_range(0..10).to_string());
    put("SOC.POVERTY_ALLEVIATED_HOUSEHOLDS", share(households, rng.gen_range(0.05..0.2)).to_string());
    put("SOC.PENSION_INSURED", share(registered, rng.gen_range(0.6..0.75)).to_string());
    put("SOC.MEDICAL_INSURED", share(registered, rng.gen_range(0.9..0.99)).to_string());
    put("INFRA.TAP_WATER_HOUSEHOLDS", share(households, rng.gen_range(0.8..1.0)).to_string());
    put("INFRA.BROADBAND_HOUSEHOLDS", share(households, rng.gen_range(0.4..0.8)).to_string());
    put("INFRA.SANITARY_TOILET_HOUSEHOLDS", share(households, rng.gen_range(0.5..0.9)).to_string());
    put("INFRA.DILAPIDATED_HOUSES", rng.gen_range(0..5).to_string());
    put("INFRA.ROAD_KM", money(cents(rng, 5.0, 30.0)));
    for code in [
        "INFRA.HARDENED_ROAD",
        "INFRA.BROADBAND",
        "INFRA.WASTE_COLLECTION",
        "SVC.CLINIC",
        "ORG.FIRST_SECRETARY",
        "SVC.CULTURE_SQUARE",
    ] {
        put(code, rng.gen_bool(0.9).to_string());
    }
    for code in [
        "INFRA.BUS_SERVICE",
        "INFRA.SEWAGE_TREATMENT",
        "SVC.KINDERGARTEN",
        "SVC.PRIMARY_SCHOOL",
        "ORG.SECRETARY_IS_DIRECTOR",
    ] {
        put(code, rng.gen_bool(0.5).to_string());
    }
    put("SVC.VILLAGE_DOCTORS", rng.gen_range(1..4).to_string());
    put("SVC.ELDERLY_CARE_CENTRES", rng.gen_range(0..3).to_string());
    put("SVC.SERVICE_CENTRE_M2", money(cents(rng, 200.0, 800.0)));
    put("ORG.PARTY_MEMBERS", share(registered, rng.gen_range(0.03..0.06)).to_string());
    put("ORG.CADRES", rng.gen_range(5..10).to_string());
    let grids: i64 = rng.gen_range(3..10);
    put("ORG.GRIDS", grids.to_string());
    put("ORG.GRID_WORKERS", (grids + rng.gen_range(0..5)).to_string());
    put("ORG.OPERATING_FUNDS", money(cents(rng, 5.0, 20.0)));
    put("ORG.SECRETARY_PAY_MONTHLY", money(cents(rng, 2500.0, 3500.0)));
    put("AGR.GRAIN_OUTPUT_T", money(share(cultivated, rng.gen_range(0.002..0.004))));
    put("AGR.PIGS_SLAUGHTERED", rng.gen_range(100..2000).to_string());
    put("AGR.CATTLE_SLAUGHTERED", rng.gen_range(10..300).to_string());
    put("AGR.LEADING_INDUSTRY", INDUSTRIES[rng.gen_range(0..INDUSTRIES.len())].to_owned());
    v
}

/// Fills a value for every entered indicator of the form that the generator does not know, so
/// the form is complete whatever the catalogue holds.
pub fn complete(form: &Form, values: &mut BTreeMap<String, String>) {
    for (code, def) in &form.entered {
        if values.contains_key(code) {
            continue;
        }
        let value = match &def.value_type {
            ValueType::Integer | ValueType::Decimal { .. } => def.constraints.min.unwrap_or(0.0).max(0.0).to_string(),
            ValueType::Boolean => "false".to_owned(),
            ValueType::Enum { options } => options.first().cloned().unwrap_or_default(),
            ValueType::Text { .. } => "无".to_owned(),
            ValueType::Date => "2025-01-01".to_owned(),
        };
        values.insert(code.clone(), value);
    }
    values.retain(|code, _| form.entered.contains_key(code));
}

#[derive(Debug, Default, Serialize)]
pub struct DemoSummary {
    pub villages: usize,
    pub values: usize,
    pub draft: usize,
    pub submitted: usize,
    pub approved: usize,
    pub with_warnings: usize,
    pub skipped_existing: bool,
}

/// Fills `period`'s form for every current village inside `within`, unless any entry of the period
/// exists there already (a demo run twice keeps what people changed).
///
/// # Errors
/// On a database fault.
pub fn fill(conn: &mut DbConn, within: RegionCode, period: Period, now: NaiveDateTime) -> Result<DemoSummary, Problem> {
    let form = load_form(conn, period)?;
    let period_text = period.to_string();
    let villages: Vec<String> =
        entry_store::village_statuses(conn, within, &period_text)?.into_iter().map(|(v, _)| v).collect();
    let mut summary = DemoSummary { villages: villages.len(), ..DemoSummary::default() };
    if !store::entries_of(conn, &period_text, &villages)?.is_empty() {
        summary.skipped_existing = true;
        return Ok(summary);
    }
    onetable_store::connection::transaction(conn, |conn| {
        let mut entries = Vec::new();
        for (index, village) in villages.iter().enumerate() {
            let Ok(code) = RegionCode::parse(village) else { continue };
            let is_clerk_village = village == DEMO_CLERK_VILLAGE;
            let warning = !is_clerk_village && index % 25 == 5;
            let mut values = village_values(code, warning);
            complete(&form, &mut values);
            // Every tenth village is half done.
            if index % 10 == 0 && !is_clerk_village {
                let keep = values.len() / 2;
                values = values.into_iter().take(keep).collect();
            }
            let status = match index % 10 {
                _ if is_clerk_village || warning => EntryStatus::Draft,
                4..=6 => EntryStatus::Submitted,
                7..=9 => EntryStatus::Approved,
                _ => EntryStatus::Draft,
            };
            match status {
                EntryStatus::Submitted => summary.submitted += 1,
                EntryStatus::Approved => summary.approved += 1,
                EntryStatus::Draft | EntryStatus::Returned => summary.draft += 1,
            }
            summary.with_warnings += usize::from(warning);
            summary.values += values.len();
            let rows: Vec<DataValueRow> = values
                .into_iter()
                .map(|(indicator_code, value)| DataValueRow {
                    region_code: village.clone(),
                    indicator_code,
                    period: period_text.clone(),
                    value,
                    source: "import".to_owned(),
                    revision: 1,
                    entered_by: "demo".to_owned(),
                    entered_at: now,
                })
                .collect();
            let codes: Vec<String> = rows.iter().map(|r| r.indicator_code.clone()).collect();
            store::replace_cells(conn, village, &period_text, &codes, &rows, &[])?;
            let steps: &[&str] = match status {
                EntryStatus::Submitted => &["submit"],
                EntryStatus::Approved => &["submit", "approve"],
                EntryStatus::Draft | EntryStatus::Returned => &[],
            };
            for (step, action) in steps.iter().enumerate() {
                entry_store::record_event(
                    conn,
                    &NewEntryEvent {
                        region_code: village.clone(),
                        period: period_text.clone(),
                        action: (*action).to_owned(),
                        actor: "demo".to_owned(),
                        comment: None,
                        revision: i64::try_from(step).unwrap_or(0) + 2,
                        occurred_at: now,
                    },
                )?;
            }
            entries.push(EntryRow {
                region_code: village.clone(),
                period: period_text.clone(),
                status: status.as_str().to_owned(),
                revision: 1 + i64::try_from(steps.len()).unwrap_or(0),
                updated_by: "demo".to_owned(),
                updated_at: now,
            });
        }
        store::insert_entries(conn, &entries)?;
        Ok::<_, Problem>(())
    })?;
    Ok(summary)
}

/// An approved demo data request (报表准入) of the demo department over the demo prefecture, so
/// that pulls work at once; created once. Returns its id.
///
/// # Errors
/// On a database fault.
pub fn ensure_request(conn: &mut DbConn, prefecture: RegionCode, now: NaiveDateTime) -> Result<i64, Problem> {
    use onetable_store::sharing::{self, RequestScope};
    let department = "民政局";
    let (existing, _) = sharing::list(conn, &RequestScope::Department(department.to_owned()), None, 1, 0)?;
    if let Some(request) = existing.first() {
        return Ok(request.id);
    }
    let row = sharing::NewDataRequest {
        title: "2025 年养老服务统计（演示）".to_owned(),
        purpose: "养老服务设施规划".to_owned(),
        legal_basis: "《中华人民共和国老年人权益保障法》".to_owned(),
        department: department.to_owned(),
        requested_by: "demo_department".to_owned(),
        region_code: prefecture.to_string(),
        indicators: "POP.REGISTERED,POP.HOUSEHOLDS,POP.AGED_60,DER.AGEING_RATE".to_owned(),
        periods: Some("2025".to_owned()),
        frequency: None,
        start_period: None,
        expires_at: now + chrono::Duration::days(365),
        status: crate::sharing::PENDING.to_owned(),
        created_at: now,
    };
    let saved = sharing::insert(conn, &row)?;
    sharing::decide(conn, saved.id, crate::sharing::PENDING, crate::sharing::APPROVED, "demo_admin", None, now)?;
    Ok(saved.id)
}

/// The demo prefecture's dashboard (看板), shared with its viewers, who land on it; created once.
/// Returns its id.
///
/// # Errors
/// On a database fault.
pub fn ensure_dashboard(conn: &mut DbConn, prefecture: RegionCode, now: NaiveDateTime) -> Result<i64, Problem> {
    use onetable_store::dashboards::{self as saved, DashboardContent};
    let region = prefecture.to_string();
    if let Some(existing) = saved::of_regions(conn, &region, &region)?.last() {
        return Ok(existing.id);
    }
    let items = serde_json::json!([
        {"title": "各县（市、区）填报完成情况", "chart": "completeness", "period": "latest_annual"},
        {"chart": "bar", "indicators": ["POP.REGISTERED", "DER.AGEING_RATE"], "period": "latest_annual"},
        {"title": "老龄化率近三年", "chart": "line", "indicators": ["DER.AGEING_RATE"], "period": "latest_annual", "span": 3},
        {"title": "基础数据表", "chart": "table", "indicators": ["POP.HOUSEHOLDS", "POP.REGISTERED", "POP.AGED_60", "DER.AGEING_RATE"], "period": "latest_annual"},
    ]);
    let content = DashboardContent {
        name: "黔西南州基础数据看板（演示）".to_owned(),
        region_code: region,
        items: items.to_string(),
        shared: true,
        updated_by: "demo_admin".to_owned(),
        updated_at: now,
    };
    Ok(saved::insert(conn, &content)?.id)
}

//! The demo's values (演示数据): a village's annual form in any year of the demo, consistent with
//! the reference rules by construction (sums add up, parts stay below totals) and changing from
//! year to year as villages do (people leave, incomes grow, roads and broadband arrive); its
//! quarterly and monthly forms; a value for every indicator a catalogue adds.

use std::collections::BTreeMap;

use onetable_core::indicator::ValueType;
use onetable_core::{Period, RegionCode};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::entries::Form;

/// The year the demo's values are drawn for; earlier years are derived from it.
const LATEST: i32 = 2025;

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

fn seed_of(village: RegionCode) -> u64 {
    village.to_string().parse::<u64>().unwrap_or(0)
}

/// How a village's people, land and money stood in `year` against [`LATEST`]: each village
/// shrinks or grows a little every year (most lose people to the towns), incomes grow 4–9 % a
/// year. `jump` makes the last year's population jump by a third: a change worth a warning.
#[derive(Debug, Clone, Copy)]
struct Drift {
    people: f64,
    land: f64,
    money: f64,
}

fn drift(village: RegionCode, year: i32, jump: bool) -> Drift {
    let mut drift = Drift { people: 1.0, land: 1.0, money: 1.0 };
    for y in (year + 1..=LATEST).rev() {
        let rng = &mut StdRng::seed_from_u64(seed_of(village) ^ (u64::try_from(y).unwrap_or(0) << 40));
        drift.people /= if jump && y == LATEST { 1.35 } else { 1.0 + rng.gen_range(-0.025..0.008) };
        drift.land /= 1.0 + rng.gen_range(-0.004..0.001);
        drift.money /= 1.0 + rng.gen_range(0.04..0.09);
    }
    drift
}

#[allow(clippy::cast_possible_truncation, clippy::cast_precision_loss)]
fn scaled(value: i64, factor: f64) -> i64 {
    (value as f64 * factor).round() as i64
}

/// The year a village got a thing it has in [`LATEST`] (broadband, waste collection): some long
/// before the demo's first year, some during it.
fn arrived(village: RegionCode, what: u64) -> i32 {
    let rng = &mut StdRng::seed_from_u64(seed_of(village).wrapping_mul(31).wrapping_add(what));
    rng.gen_range(2018..=LATEST)
}

/// A village's values in [`LATEST`], by indicator code (canonical text). `warning` makes one
/// warning rule fail.
#[must_use]
pub fn village_values(village: RegionCode, warning: bool) -> BTreeMap<String, String> {
    village_values_in(village, LATEST, warning, false)
}

/// A village's annual form of `year` (the same village over the years: its fractions kept, its
/// totals drifting). `warning` makes one warning rule fail; `jump` makes its population jump in
/// [`LATEST`] against the year before.
#[must_use]
pub fn village_values_in(village: RegionCode, year: i32, warning: bool, jump: bool) -> BTreeMap<String, String> {
    let rng = &mut StdRng::seed_from_u64(seed_of(village));
    let drift = drift(village, year, jump);
    let mut v: BTreeMap<String, String> = BTreeMap::new();
    let mut put = |code: &str, value: String| {
        v.insert(code.to_owned(), value);
    };
    let registered: i64 = scaled(rng.gen_range(300..3000), drift.people).max(50);
    let households = share(registered, rng.gen_range(0.26..0.32));
    let male = share(registered, rng.gen_range(0.49..0.53));
    // The villages age: a year earlier, a little less of them was 60 or over.
    #[allow(clippy::cast_precision_loss)]
    let aged_60 = share(registered, rng.gen_range(0.12..0.22) - 0.004 * f64::from(LATEST - year));
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
    let cultivated = scaled(cents(rng, 500.0, 5000.0), drift.land);
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
        ("ECO.COLLECTIVE_OPERATING_INCOME", scaled(cents(rng, 2.0, 30.0), drift.money)),
        ("ECO.COLLECTIVE_CONTRACT_INCOME", scaled(cents(rng, 0.0, 10.0), drift.money)),
        ("ECO.COLLECTIVE_INVESTMENT_INCOME", scaled(cents(rng, 0.0, 8.0), drift.money)),
        ("ECO.COLLECTIVE_SUBSIDY_INCOME", scaled(cents(rng, 1.0, 15.0), drift.money)),
        ("ECO.COLLECTIVE_OTHER_INCOME", scaled(cents(rng, 0.0, 3.0), drift.money)),
    ];
    let total: i64 = parts.iter().map(|(_, c)| c).sum();
    for (code, amount) in parts {
        put(code, money(amount));
    }
    put("ECO.COLLECTIVE_TOTAL_INCOME", money(total));
    put("ECO.COLLECTIVE_TOTAL_EXPENSE", money(share(total, rng.gen_range(0.4..0.8))));
    put("ECO.COLLECTIVE_ASSETS", money(cents(rng, 50.0, 500.0)));
    put("ECO.COLLECTIVE_DEBT", money(cents(rng, 0.0, 50.0)));
    put("ECO.PER_CAPITA_INCOME", money(scaled(cents(rng, 11000.0, 17000.0), drift.money)));
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
    for (what, code) in [
        "INFRA.HARDENED_ROAD",
        "INFRA.BROADBAND",
        "INFRA.WASTE_COLLECTION",
        "SVC.CLINIC",
        "ORG.FIRST_SECRETARY",
        "SVC.CULTURE_SQUARE",
    ]
    .into_iter()
    .enumerate()
    {
        let has = rng.gen_bool(0.9);
        // Roads, broadband and waste collection came to villages over these years.
        let yet = what > 2 || year >= arrived(village, what as u64);
        put(code, (has && yet).to_string());
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

/// A village's quarterly form: migrant workers by where they went (more away in spring, fewer
/// at the new year), children and old people left behind, orphans. Parts never exceed their total.
#[must_use]
pub fn quarter_values(village: RegionCode, year: i32, quarter: u8) -> BTreeMap<String, String> {
    let rng = &mut StdRng::seed_from_u64(seed_of(village));
    #[allow(clippy::cast_precision_loss)]
    let registered: f64 = rng.gen_range(300..3000_i64) as f64 * drift(village, year, false).people;
    let season = [0.88, 1.04, 1.06, 0.96][usize::from(quarter.clamp(1, 4) - 1)];
    let wobble =
        &mut StdRng::seed_from_u64(seed_of(village) ^ (u64::from(quarter) << 32) ^ u64::try_from(year).unwrap_or(0));
    let labour = registered * 0.6;
    #[allow(clippy::cast_possible_truncation)]
    let migrants = (labour * rng.gen_range(0.25..0.45) * season * wobble.gen_range(0.97..1.03)).round() as i64;
    let out = share(migrants, rng.gen_range(0.5..0.7));
    let within = share(migrants - out, rng.gen_range(0.6..0.95));
    #[allow(clippy::cast_possible_truncation)]
    let whole = |fraction: f64| (registered * fraction).round() as i64;
    BTreeMap::from([
        ("LAB.MIGRANT_WORKERS".to_owned(), migrants.to_string()),
        ("LAB.MIGRANT_OUT_OF_PROVINCE".to_owned(), out.to_string()),
        ("LAB.MIGRANT_IN_PROVINCE".to_owned(), within.to_string()),
        ("LAB.LOCAL_EMPLOYED".to_owned(), whole(rng.gen_range(0.05..0.12)).to_string()),
        ("POP.LEFT_BEHIND_CHILDREN".to_owned(), whole(rng.gen_range(0.01..0.04)).to_string()),
        ("POP.LEFT_BEHIND_ELDERLY".to_owned(), whole(rng.gen_range(0.02..0.05)).to_string()),
        ("SOC.ORPHANS".to_owned(), rng.gen_range(0..4_i32).to_string()),
    ])
}

/// A village's monthly form: households and people on 低保 (persons at least households),
/// people in 特困 care, households watched against falling back into poverty.
#[must_use]
pub fn month_values(village: RegionCode, year: i32, month: u8) -> BTreeMap<String, String> {
    let rng = &mut StdRng::seed_from_u64(seed_of(village));
    #[allow(clippy::cast_precision_loss)]
    let registered: f64 = rng.gen_range(300..3000_i64) as f64 * drift(village, year, false).people;
    let wobble =
        &mut StdRng::seed_from_u64(seed_of(village) ^ (u64::from(month) << 24) ^ u64::try_from(year).unwrap_or(0));
    #[allow(clippy::cast_possible_truncation)]
    let households = ((registered * 0.29 * rng.gen_range(0.03..0.08)) + f64::from(wobble.gen_range(-1..=1_i32)))
        .round()
        .max(0.0) as i64;
    let persons = share(households, rng.gen_range(1.8..2.6)).max(households);
    BTreeMap::from([
        ("SOC.DIBAO_HOUSEHOLDS".to_owned(), households.to_string()),
        ("SOC.DIBAO_PERSONS".to_owned(), persons.to_string()),
        ("SOC.TEKUN_PERSONS".to_owned(), rng.gen_range(0..6_i32).to_string()),
        ("SOC.MONITORED_HOUSEHOLDS".to_owned(), (rng.gen_range(0..9_i32) + wobble.gen_range(0..2_i32)).to_string()),
    ])
}

/// The form's values of `period` for a village: the annual, quarterly or monthly ones.
#[must_use]
pub fn period_values(village: RegionCode, period: Period, warning: bool, jump: bool) -> BTreeMap<String, String> {
    match period {
        Period::Year(year) => village_values_in(village, year, warning, jump),
        Period::Quarter(year, quarter) => quarter_values(village, year, quarter),
        Period::Month(year, month) => month_values(village, year, month),
    }
}

//! The demo's supplying departments (数据回流): 公安局 supplies 户籍人口 and 户籍户数 for the
//! prefecture, 民政局 supplies 特困供养人数 monthly; both approved, their numbers pushed for the
//! demo clerk's county, so the clerk's first forms show 预填 values to confirm. 民政局 also
//! supplies the county's 低保户 list (the register the 低保 counts derive from).

use chrono::NaiveDateTime;
use onetable_core::indicator::Frequency;
use onetable_core::RegionCode;
use onetable_store::supplies::{self as store, SuppliedValueRow};
use onetable_store::DbConn;

use crate::problem::Problem;
use crate::sharing::{APPROVED, PENDING};
use crate::supplies::prefill;

/// One demo supply: who, what, from which system.
struct DemoSupply {
    department: &'static str,
    indicators: &'static [&'static str],
    purpose: &'static str,
    source_system: &'static str,
    refresh: &'static str,
}

const SUPPLIES: [DemoSupply; 2] = [
    DemoSupply {
        department: "公安局",
        indicators: &["POP.REGISTERED", "POP.HOUSEHOLDS"],
        purpose: "户籍人口、户数数据回流，村里不再重复填报（演示）",
        source_system: "公安人口信息管理系统",
        refresh: "monthly",
    },
    DemoSupply {
        department: "民政局",
        indicators: &["SOC.TEKUN_PERSONS"],
        purpose: "特困供养人员数据回流（演示）",
        source_system: "民政救助业务系统",
        refresh: "monthly",
    },
];

/// Files, approves and pushes the demo supplies for the villages of `county`, once. Answers how
/// many values were pushed.
///
/// # Errors
/// On a database fault.
pub fn ensure_supplies(
    conn: &mut DbConn,
    prefecture: RegionCode,
    county: RegionCode,
    now: NaiveDateTime,
) -> Result<usize, Problem> {
    onetable_store::connection::transaction(conn, |conn| push_all(conn, prefecture, county, now))
}

fn push_all(
    conn: &mut DbConn,
    prefecture: RegionCode,
    county: RegionCode,
    now: NaiveDateTime,
) -> Result<usize, Problem> {
    if !store::with_status(conn, &[PENDING, APPROVED])?.is_empty() {
        return Ok(0);
    }
    let today = crate::time::china_today();
    let [year, _] = crate::registers::derived::open_periods(Frequency::Annual, today);
    let [month, _] = crate::registers::derived::open_periods(Frequency::Monthly, today);
    let year_end = match year {
        onetable_core::Period::Year(y) => chrono::NaiveDate::from_ymd_opt(y, 12, 31).unwrap_or(today),
        _ => today,
    };
    let villages: Vec<String> = onetable_store::entries::village_statuses(conn, county, &year.to_string())?
        .into_iter()
        .map(|(v, _)| v)
        .collect();
    let mut pushed = 0;
    for supply in &SUPPLIES {
        let row = store::insert(
            conn,
            &store::NewSupply {
                department: supply.department.to_owned(),
                requested_by: "demo_department".to_owned(),
                region_code: prefecture.to_string(),
                indicators: supply.indicators.join(","),
                purpose: supply.purpose.to_owned(),
                source_system: supply.source_system.to_owned(),
                refresh: supply.refresh.to_owned(),
                status: PENDING.to_owned(),
                created_at: now,
                registers: None,
            },
        )?;
        store::decide(conn, row.id, PENDING, APPROVED, "demo_admin", None, now)?;
        let mut rows = Vec::new();
        for (i, village) in villages.iter().enumerate() {
            for code in supply.indicators {
                let (period, value) = match *code {
                    // Last year's number moved a little, as a year's births, deaths and moves do.
                    "POP.REGISTERED" | "POP.HOUSEHOLDS" => {
                        let before = onetable_store::entries::values(conn, village, &year.previous().to_string())?
                            .into_iter()
                            .find(|v| v.indicator_code == *code)
                            .and_then(|v| v.value.parse::<i64>().ok());
                        let Some(before) = before else { continue };
                        let step = i64::try_from(i % 7).unwrap_or(0) - 2;
                        (year, (before + if *code == "POP.REGISTERED" { step * 3 } else { step }).max(0))
                    }
                    _ => (month, i64::try_from(i % 5).unwrap_or(0)),
                };
                rows.push(SuppliedValueRow {
                    region_code: village.clone(),
                    indicator_code: (*code).to_owned(),
                    period: period.to_string(),
                    supply_id: row.id,
                    value: value.to_string(),
                    as_of: if period == year { year_end } else { today },
                    received_at: now,
                });
            }
        }
        store::upsert_values(conn, &rows)?;
        prefill::apply(conn, &rows, supply.department, "demo_department", now)?;
        pushed += rows.len();
    }
    // 民政局 also supplies the 低保户 list itself (台账供给), from which the villages' 低保 counts
    // are derived: the next village's list in the demo came from it (demo/registers.rs).
    let lists = store::insert(
        conn,
        &store::NewSupply {
            department: "民政局".to_owned(),
            requested_by: "demo_department".to_owned(),
            region_code: county.to_string(),
            indicators: String::new(),
            purpose: "低保对象名单按村回流，村里不再手工造册（演示）".to_owned(),
            source_system: "全国社会救助信息系统".to_owned(),
            refresh: "monthly".to_owned(),
            status: PENDING.to_owned(),
            created_at: now,
            registers: Some("REG.DIBAO".to_owned()),
        },
    )?;
    store::decide(conn, lists.id, PENDING, APPROVED, "demo_admin", None, now)?;
    Ok(pushed)
}

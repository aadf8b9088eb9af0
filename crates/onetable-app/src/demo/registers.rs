//! The demo's registers (台账): the clerk's village keeps its 低保户 list here, and the form's
//! 农村低保户数 and 农村低保人数 are derived from it; one household is also listed in the next
//! village, so the reviewer has a duplicate to look at. Names and ID numbers are invented (the
//! ID numbers carry a valid check digit, birth dates in the past).

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use onetable_core::register::id_number::check_character;
use onetable_core::RegionCode;
use onetable_store::DbConn;

use crate::problem::Problem;
use crate::registers::records::{insert, RecordInput};
use crate::registers::sealing::DataKeys;

/// The indicators the demo derives from registers.
pub const REGISTER_LINKS: [(&str, &str); 2] =
    [("SOC.DIBAO_HOUSEHOLDS", "count(REG.DIBAO)"), ("SOC.DIBAO_PERSONS", "sum(REG.DIBAO.members)")];

const HOUSEHOLDS: [(&str, u32, &str, &str); 12] = [
    ("王德明", 3, "A类", "19580312"),
    ("杨秀英", 1, "A类", "19490817"),
    ("韦国强", 4, "B类", "19720105"),
    ("罗桂芬", 2, "B类", "19630921"),
    ("黄正文", 5, "B类", "19800614"),
    ("陈玉兰", 1, "C类", "19410203"),
    ("吴志华", 3, "B类", "19770730"),
    ("岑光荣", 2, "C类", "19550418"),
    ("龙金花", 2, "A类", "19660911"),
    ("潘永福", 4, "B类", "19830227"),
    ("蒙小燕", 3, "C类", "19900512"),
    ("石昌平", 1, "A类", "19480126"),
];

const SURNAMES: [&str; 12] = ["王", "杨", "韦", "罗", "黄", "陈", "吴", "岑", "龙", "潘", "蒙", "石"];
const GIVEN: [&str; 10] = ["光明", "秀兰", "国华", "玉珍", "德才", "春燕", "永忠", "桂英", "正平", "金凤"];

/// The next village's list, as long as the households its latest monthly form counts, so its
/// counts do not move when the list comes in (the duplicate household is already on it).
fn neighbour_list(
    conn: &mut DbConn,
    def: &onetable_core::register::RegisterDef,
    neighbour: RegionCode,
    keys: &DataKeys,
) -> Result<(), Problem> {
    let code = neighbour.to_string();
    let due = crate::registers::derived::open_periods(
        onetable_core::indicator::Frequency::Monthly,
        crate::time::china_today(),
    )[0];
    let stored: BTreeMap<String, String> =
        onetable_store::entries::cell_values(conn, &code, &due.to_string())?.into_iter().collect();
    let number = |key: &str| stored.get(key).and_then(|v| v.parse::<u32>().ok()).unwrap_or(0);
    let households = number("SOC.DIBAO_HOUSEHOLDS").clamp(1, 200);
    let persons = number("SOC.DIBAO_PERSONS").max(households + 4);
    let (mut left, rest) = (persons - HOUSEHOLDS[4].1, households - 1);
    let county = &code[..6];
    for n in 0..rest {
        let members = if n + 1 == rest { left.max(1) } else { (left / (rest - n)).max(1) };
        left = left.saturating_sub(members);
        let birth = format!("19{:02}{:02}{:02}", 40 + n % 50, 1 + n % 12, 1 + n % 28);
        let values = BTreeMap::from([
            ("head_name".to_owned(), format!("{}{}", SURNAMES[n as usize % 12], GIVEN[n as usize % 10])),
            ("id_number".to_owned(), id_number(county, &birth, 20 + n as usize)),
            ("members".to_owned(), members.to_string()),
            ("kind".to_owned(), ["A类", "B类", "C类"][n as usize % 3].to_owned()),
        ]);
        // Pushed by 民政局's system under its supply of the list (demo/supplies.rs).
        insert(conn, def, &code, &values, &RecordInput::default(), keys, "demo_department")?;
    }
    Ok(())
}

fn id_number(county: &str, birth: &str, serial: usize) -> String {
    let first17 = format!("{county}{birth}{:03}", (100 + serial * 7) % 1000);
    let check = check_character(&first17).unwrap_or('0');
    format!("{first17}{check}")
}

/// Links the demo indicators to `REG.DIBAO` and fills the clerk village's list, once.
///
/// # Errors
/// On a database error.
pub fn ensure_registers(
    conn: &mut DbConn,
    village: RegionCode,
    neighbour: RegionCode,
    keys: &DataKeys,
    now: NaiveDateTime,
) -> Result<usize, Problem> {
    let current = onetable_store::registry::current(conn)?;
    for (code, aggregate) in REGISTER_LINKS {
        let Some(row) = current.get(code) else { continue };
        if row.register_aggregate.as_deref() == Some(aggregate) {
            continue;
        }
        let mut def = row.to_def().map_err(Problem::internal)?;
        def.register_aggregate = Some(aggregate.to_owned());
        crate::registry::update(conn, &def, "demo", now, Some("由低保户台账自动统计".into()))?;
    }
    let village_code = village.to_string();
    if !onetable_store::registers::records::of_village(conn, "REG.DIBAO", &village_code)?.is_empty() {
        return Ok(0);
    }
    let def = crate::registers::load(conn, "REG.DIBAO")?;
    let county = &village_code[..6];
    for (i, (name, members, kind, birth)) in HOUSEHOLDS.iter().enumerate() {
        let values = BTreeMap::from([
            ("head_name".to_owned(), (*name).to_owned()),
            ("id_number".to_owned(), id_number(county, birth, i)),
            ("members".to_owned(), members.to_string()),
            ("kind".to_owned(), (*kind).to_owned()),
            ("amount".to_owned(), format!("{}", members * 380)),
            ("phone".to_owned(), format!("1388590{:04}", 1200 + i * 37)),
        ]);
        let group = Some(format!("第{}村民小组", ["一", "二", "三"][i % 3]));
        let input = RecordInput { group, reason: Some("从原 Excel 台账录入".into()), ..RecordInput::default() };
        insert(conn, &def, &village_code, &values, &input, keys, "demo_clerk")?;
        if i == 4 {
            // The same household, listed in the next village too: a person counted twice.
            insert(conn, &def, &neighbour.to_string(), &values, &RecordInput::default(), keys, "demo_department")?;
        }
    }
    neighbour_list(conn, &def, neighbour, keys)?;
    let today = crate::time::china_today();
    crate::registers::derived::refresh(conn, "REG.DIBAO", &village_code, today, "demo_clerk", now)?;
    crate::registers::derived::refresh(conn, "REG.DIBAO", &neighbour.to_string(), today, "demo_department", now)?;
    Ok(HOUSEHOLDS.len())
}

//! The segmented scan over a cube of many blocks, checked against sums computed village by
//! village; and inputs read from the cube of the containing period.

use std::collections::{BTreeMap, HashMap};

use onetable_core::indicator::Aggregation;
use onetable_core::{RegionCode, RegionLevel};

use super::{code, measure};
use crate::cube::{CubeBuilder, EntryState, BLOCK_ROWS};
use crate::measure::MeasureKind;
use crate::query::Selection;
use crate::report::Datum;
use crate::Cube;

/// One generated village: its code, entry state and values (none where it left the cell empty).
struct Village {
    code: RegionCode,
    state: EntryState,
    registered: Option<f64>,
    pay: Option<f64>,
    flag: Option<bool>,
}

/// Three counties of ~20,000 villages (so runs cross block boundaries) and, in another province,
/// townships directly under a prefecture (no county).
fn villages() -> Vec<Village> {
    let mut out = Vec::new();
    let mut codes: Vec<String> = Vec::new();
    for county in 1..=3 {
        for township in 1..=100 {
            for village in 1..=200 {
                codes.push(format!("5223{county:02}{township:03}{village:03}"));
            }
        }
    }
    codes.extend((1..=50).map(|v| format!("441900003{v:03}")));
    for (i, text) in codes.iter().enumerate() {
        out.push(Village {
            code: code(text),
            state: match i % 5 {
                0 => EntryState::Submitted,
                1 => EntryState::Open,
                _ => EntryState::Approved,
            },
            registered: (i % 7 != 0).then_some((i % 97) as f64),
            pay: (i % 11 != 0).then_some((i % 1013) as f64 + 0.5),
            flag: (i % 13 != 0).then_some(i % 3 == 0),
        });
    }
    assert!(out.len() > 3 * BLOCK_ROWS);
    out
}

fn build(villages: &[Village]) -> Cube {
    let measures = vec![
        measure("POP.REGISTERED", MeasureKind::Integer, Aggregation::Sum, None),
        measure("ECO.PAY", MeasureKind::Decimal, Aggregation::Avg, None),
        measure("ECO.PAY_MIN", MeasureKind::Decimal, Aggregation::Min, None),
        measure("ECO.PAY_MAX", MeasureKind::Decimal, Aggregation::Max, None),
        measure("ORG.FLAG", MeasureKind::Boolean, Aggregation::CountTrue, None),
        measure("DER.PAY_PER_HEAD", MeasureKind::Decimal, Aggregation::Ratio, Some("ECO.PAY / POP.REGISTERED")),
    ];
    let mut builder = CubeBuilder::new("2025", measures, villages.iter().map(|v| v.code).collect(), HashMap::new());
    for v in villages {
        let number = v.code.number();
        builder.entry(number, v.state, 1);
        if let Some(r) = v.registered {
            builder.value(number, "POP.REGISTERED", &r.to_string());
        }
        if let Some(p) = v.pay {
            for code in ["ECO.PAY", "ECO.PAY_MIN", "ECO.PAY_MAX"] {
                builder.value(number, code, &p.to_string());
            }
        }
        if let Some(f) = v.flag {
            builder.value(number, "ORG.FLAG", &f.to_string());
        }
    }
    builder.finish()
}

#[derive(Default)]
struct Expected {
    villages: u32,
    approved: u32,
    registered: Vec<f64>,
    pay: Vec<f64>,
    flags: u32,
    flag_cells: u32,
    pay_with_registered: f64,
    registered_with_pay: f64,
}

#[test]
fn the_segmented_scan_agrees_with_village_by_village_sums_at_every_level() {
    let villages = villages();
    let cube = build(&villages);
    let selection = Selection {
        within: None,
        indicators: ["POP.REGISTERED", "ECO.PAY", "ECO.PAY_MIN", "ECO.PAY_MAX", "ORG.FLAG", "DER.PAY_PER_HEAD"]
            .map(String::from)
            .to_vec(),
        min_state: EntryState::Approved,
    };
    for level in [RegionLevel::Province, RegionLevel::County, RegionLevel::Township] {
        let mut expected: BTreeMap<u64, Expected> = BTreeMap::new();
        for v in &villages {
            let up = v.code.truncated_to(level);
            if up.level() != level {
                continue;
            }
            let e = expected.entry(up.number()).or_default();
            e.villages += 1;
            if v.state != EntryState::Approved {
                continue;
            }
            e.approved += 1;
            e.registered.extend(v.registered);
            e.pay.extend(v.pay);
            e.flags += u32::from(v.flag == Some(true));
            e.flag_cells += u32::from(v.flag.is_some());
            // Sums of each input over its own counted cells (ratio of sums).
            e.pay_with_registered += v.pay.unwrap_or(0.0);
            e.registered_with_pay += v.registered.unwrap_or(0.0);
        }
        let report = cube.rollup(&selection, level).unwrap();
        assert_eq!(report.rows.len(), expected.len(), "{level:?}");
        for (row, (key, e)) in report.rows.iter().zip(&expected) {
            assert_eq!(row.code, format!("{key:012}"));
            let c = row.completeness.unwrap();
            assert_eq!((c.expected, c.approved), (e.villages, e.approved), "{level:?} {key}");
            let sum: f64 = e.registered.iter().sum();
            let pays = e.pay.len() as f64;
            let want = [
                Datum::number(sum),
                Datum::number(e.pay.iter().sum::<f64>() / pays),
                Datum::number(e.pay.iter().copied().fold(f64::INFINITY, f64::min)),
                Datum::number(e.pay.iter().copied().fold(f64::NEG_INFINITY, f64::max)),
                if e.flag_cells == 0 { Datum::Null } else { Datum::number(f64::from(e.flags)) },
                Datum::number(e.pay_with_registered / e.registered_with_pay),
            ];
            let got: Vec<Datum> = row
                .values
                .iter()
                .map(|d| if let Datum::Number(n) = d { Datum::number(*n) } else { d.clone() })
                .collect();
            assert_eq!(got, want, "{level:?} {key}");
        }
    }
    // Inside one county only: its townships, none of the others'.
    let within = Selection { within: Some(code("522302")), ..selection };
    let townships = cube.rollup(&within, RegionLevel::Township).unwrap();
    assert_eq!(townships.rows.len(), 100);
    assert!(townships.rows.iter().all(|r| r.code.starts_with("522302")));
    assert_eq!(townships.rows[0].completeness.unwrap().expected, 200);
}

#[test]
fn a_monthly_rate_reads_the_annual_population_from_the_containing_cube() {
    let villages: Vec<RegionCode> = ["522301001001", "522301001002", "522301001003"].map(code).to_vec();
    let mut year = CubeBuilder::new(
        "2025",
        vec![measure("POP.REGISTERED", MeasureKind::Integer, Aggregation::Sum, None)],
        villages.clone(),
        HashMap::new(),
    );
    let mut month = CubeBuilder::new(
        "2025-03",
        vec![
            measure("SOC.DIBAO_PERSONS", MeasureKind::Integer, Aggregation::Sum, None),
            measure(
                "DER.DIBAO_RATE",
                MeasureKind::Decimal,
                Aggregation::Ratio,
                Some("SOC.DIBAO_PERSONS / POP.REGISTERED * 100"),
            ),
        ],
        villages.clone(),
        HashMap::new(),
    );
    // Village 3's annual entry is not approved: its population does not count, nor its persons.
    let annual = [(EntryState::Approved, "1000"), (EntryState::Approved, "3000"), (EntryState::Submitted, "500")];
    for (v, (state, registered)) in villages.iter().zip(annual) {
        year.entry(v.number(), state, 1);
        year.value(v.number(), "POP.REGISTERED", registered);
        month.entry(v.number(), EntryState::Approved, 1);
        month.value(v.number(), "SOC.DIBAO_PERSONS", "60");
    }
    let (year, month) = (year.finish(), month.finish());
    let selection = Selection {
        within: None,
        indicators: vec!["SOC.DIBAO_PERSONS".into(), "DER.DIBAO_RATE".into()],
        min_state: EntryState::Approved,
    };
    let alone = month.rollup(&selection, RegionLevel::County).unwrap();
    assert_eq!(alone.rows[0].values, [Datum::Number(180.0), Datum::Null], "no annual cube: unknown");
    let county = month.rollup_with(&selection, RegionLevel::County, &[&year]).unwrap();
    // Persons of all three villages; the rate over villages whose both entries count: 120 / 4000.
    assert_eq!(county.rows[0].values, [Datum::Number(180.0), Datum::number(120.0 / 4000.0 * 100.0)]);
    let rows = month.village_rows_with(&selection, None, &[&year]).unwrap();
    let rates: Vec<Datum> = rows.rows.iter().map(|r| r.values[1].clone()).collect();
    assert_eq!(rates, [Datum::number(6.0), Datum::number(2.0), Datum::Null]);

    // The extract's per-village column: the same rates for a department (approved only); for an
    // admin's whole extract the submitted annual figure counts too.
    let extracted = |min_state, containing: &[&Cube]| -> Vec<Option<f64>> {
        let parts = month.extract_within(&["DER.DIBAO_RATE".into()], None, None, min_state, containing).unwrap();
        parts[0].frame.column("der_dibao_rate").unwrap().f64().unwrap().iter().collect()
    };
    assert_eq!(extracted(Some(EntryState::Approved), &[&year]), [Some(6.0), Some(2.0), None]);
    assert_eq!(extracted(None, &[&year]), [Some(6.0), Some(2.0), Some(12.0)]);
    assert_eq!(extracted(None, &[]), [None, None, None], "no annual cube: unknown");
}

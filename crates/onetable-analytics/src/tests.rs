//! Rollups and pulls over a hand-made cube whose answers are computed by hand.

use std::collections::HashMap;

use onetable_core::formula::parse;
use onetable_core::indicator::Aggregation;
use onetable_core::{RegionCode, RegionLevel};

use crate::cube::{CubeBuilder, EntryState, VillageEntry};
use crate::measure::{Measure, MeasureKind};
use crate::query::Selection;
use crate::report::Datum;

fn measure(code: &str, kind: MeasureKind, aggregation: Aggregation, formula: Option<&str>) -> Measure {
    Measure {
        code: code.into(),
        name: code.to_lowercase(),
        unit: String::new(),
        kind,
        aggregation,
        sensitive: false,
        formula: formula.map(|f| parse(f).unwrap()),
    }
}

fn code(text: &str) -> RegionCode {
    RegionCode::parse(text).unwrap()
}

/// Two townships of one county; township A has villages 1 and 2, township B village 3 and an
/// unreported village 4.
fn cube() -> crate::Cube {
    let measures = vec![
        measure("POP.REGISTERED", MeasureKind::Integer, Aggregation::Sum, None),
        measure("POP.AGED_60", MeasureKind::Integer, Aggregation::Sum, None),
        measure("ORG.FIRST_SECRETARY", MeasureKind::Boolean, Aggregation::CountTrue, None),
        measure("ECO.PAY", MeasureKind::Decimal, Aggregation::Avg, None),
        measure("GEO.TERRAIN", MeasureKind::Text, Aggregation::None, None),
        measure(
            "DER.AGEING_RATE",
            MeasureKind::Decimal,
            Aggregation::Ratio,
            Some("POP.AGED_60 / POP.REGISTERED * 100"),
        ),
    ];
    let villages = ["522301001001", "522301001002", "522301002001", "522301002002"].map(code).to_vec();
    let names: HashMap<u64, String> = [
        ("522301001001", "一村"),
        ("522301001002", "二村"),
        ("522301002001", "三村"),
        ("522301002002", "四村"),
        ("522301001000", "甲镇"),
        ("522301002000", "乙镇"),
        ("522301000000", "兴义市"),
    ]
    .into_iter()
    .map(|(c, n)| (code(c).number(), n.to_owned()))
    .collect();
    let mut builder = CubeBuilder::new("2025", measures, villages, names);
    let rows = [
        ("522301001001", EntryState::Approved, "1000", "100", "true", "3000", "山区"),
        ("522301001002", EntryState::Approved, "3000", "900", "false", "5000", "丘陵"),
        ("522301002001", EntryState::Submitted, "500", "250", "true", "4000", "山区"),
    ];
    for (village, state, registered, aged, secretary, pay, terrain) in rows {
        let v = code(village).number();
        builder.entry(v, state, 1_000);
        builder.value(v, "POP.REGISTERED", registered);
        builder.value(v, "POP.AGED_60", aged);
        builder.value(v, "ORG.FIRST_SECRETARY", secretary);
        builder.value(v, "ECO.PAY", pay);
        builder.value(v, "GEO.TERRAIN", terrain);
    }
    builder.finish()
}

fn all(min_state: EntryState) -> Selection {
    Selection {
        within: Some(code("522301")),
        indicators: ["POP.REGISTERED", "DER.AGEING_RATE", "ORG.FIRST_SECRETARY", "ECO.PAY", "GEO.TERRAIN"]
            .map(String::from)
            .to_vec(),
        min_state,
    }
}

#[test]
fn derived_indicators_are_ratios_of_sums_not_averages_of_ratios() {
    let report = cube().rollup(&all(EntryState::Approved), RegionLevel::County).unwrap();
    assert_eq!(report.rows.len(), 1);
    let row = &report.rows[0];
    assert_eq!((row.code.as_str(), row.name.as_str()), ("522301000000", "兴义市"));
    // Approved only: villages 1 and 2. (100 + 900) / (1000 + 3000) = 25 %, while the average of
    // their rates (10 % and 30 %) would be 20 %.
    assert_eq!(row.values[0], Datum::Number(4000.0));
    assert_eq!(row.values[1], Datum::Number(25.0));
    assert_eq!(row.values[2], Datum::Number(1.0), "count_true: one of the two has a first secretary");
    assert_eq!(row.values[3], Datum::Number(4000.0), "avg of 3000 and 5000");
    assert_eq!(row.values[4], Datum::Null, "text is not aggregated");
    let c = row.completeness.unwrap();
    assert_eq!((c.expected, c.submitted, c.approved), (4, 1, 2));
}

#[test]
fn submitted_values_count_when_asked_and_townships_roll_up_separately() {
    let report = cube().rollup(&all(EntryState::Submitted), RegionLevel::Township).unwrap();
    let rows: Vec<_> =
        report.rows.iter().map(|r| (r.name.as_str(), r.values[0].clone(), r.values[1].clone())).collect();
    assert_eq!(
        rows,
        vec![("甲镇", Datum::Number(4000.0), Datum::Number(25.0)), ("乙镇", Datum::Number(500.0), Datum::Number(50.0)),]
    );
    let county = cube().rollup(&all(EntryState::Submitted), RegionLevel::County).unwrap();
    // (100 + 900 + 250) / 4500
    assert_eq!(county.rows[0].values[1], Datum::number(1250.0 / 4500.0 * 100.0));
    assert_eq!(county.rows[0].values[2], Datum::Number(2.0));
    assert_eq!(county.rows[0].values[3], Datum::Number(4000.0), "avg of 3000, 5000, 4000");
}

#[test]
fn a_region_with_no_counted_values_has_nulls_not_zeros() {
    let report = cube().rollup(&all(EntryState::Approved), RegionLevel::Township).unwrap();
    let b = report.rows.iter().find(|r| r.name == "乙镇").unwrap();
    assert_eq!(b.values[..4], [Datum::Null, Datum::Null, Datum::Null, Datum::Null]);
    assert_eq!(b.completeness.unwrap().expected, 2);
}

#[test]
fn village_rows_carry_names_and_per_village_derived_values() {
    let report = cube().village_rows(&all(EntryState::Approved), None).unwrap();
    assert_eq!(report.rows.len(), 2, "only approved entries");
    let first = &report.rows[0];
    assert_eq!(
        (first.name.as_str(), first.township.as_deref(), first.county.as_deref()),
        ("一村", Some("甲镇"), Some("兴义市"))
    );
    assert_eq!(
        first.values,
        vec![
            Datum::Number(1000.0),
            Datum::Number(10.0),
            Datum::Bool(true),
            Datum::Number(3000.0),
            Datum::Text("山区".into())
        ]
    );
    assert_eq!(
        cube().village_rows(&all(EntryState::Approved), Some(1_000)).unwrap().rows.len(),
        0,
        "nothing changed after"
    );
}

#[test]
fn applying_a_change_rebuilds_only_what_it_touches_and_shows_at_once() {
    let mut cube = cube();
    cube.apply(&[VillageEntry {
        code: code("522301002001"),
        state: EntryState::Approved,
        updated_ms: 2_000,
        values: vec![("POP.REGISTERED".into(), "600".into()), ("POP.AGED_60".into(), "300".into())],
    }])
    .unwrap();
    let county = cube.rollup(&all(EntryState::Approved), RegionLevel::County).unwrap();
    assert_eq!(county.rows[0].values[0], Datum::Number(4600.0));
    assert_eq!(county.rows[0].values[1], Datum::number(1300.0 / 4600.0 * 100.0));
    // The change replaced the village's values: the ones not given are gone.
    assert_eq!(county.rows[0].values[2], Datum::Number(1.0));
    let changed = cube.village_rows(&all(EntryState::Approved), Some(1_000)).unwrap();
    assert_eq!(changed.rows.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(), ["三村"]);
    assert!(cube
        .apply(&[VillageEntry {
            code: code("522301003001"),
            state: EntryState::Approved,
            updated_ms: 0,
            values: vec![]
        }])
        .is_err());
}

#[test]
fn every_format_carries_the_same_numbers() {
    let report = cube().rollup(&all(EntryState::Approved), RegionLevel::Township).unwrap();
    let parquet = report.to_parquet().unwrap();
    let frame = crate::report::read_parquet(&parquet).unwrap();
    let registered = frame.column("POP.REGISTERED").unwrap().f64().unwrap().get(0);
    assert_eq!(registered, Some(4000.0));
    let json = report.to_json_rows();
    assert_eq!(json[0]["values"]["POP.REGISTERED"], 4000);
    assert_eq!(json[0]["completeness"]["expected"], 2);
    let table = report.to_table(crate::Headers::Names);
    assert_eq!(table.headers[..3], ["区划代码".to_owned(), "名称".into(), "应报村数".into()]);
}

#[test]
fn a_snapshot_restores_the_same_answers_and_a_broken_one_is_refused() {
    let original = cube();
    let files = original.to_snapshot().unwrap();
    let measures = original.measures().to_vec();
    let restored = crate::Cube::from_snapshot("2025", measures.clone(), &files).unwrap();
    let selection = all(EntryState::Submitted);
    for level in [RegionLevel::Township, RegionLevel::County] {
        let (a, b) = (original.rollup(&selection, level).unwrap(), restored.rollup(&selection, level).unwrap());
        assert_eq!(
            a.rows.iter().map(|r| (&r.code, &r.name, &r.values)).collect::<Vec<_>>(),
            b.rows.iter().map(|r| (&r.code, &r.name, &r.values)).collect::<Vec<_>>()
        );
    }
    let village = code("522301001001").number();
    assert_eq!(restored.updated_ms(village), Some(1_000));
    // Cut short, or lacking a column the registry now has: refused, never half loaded.
    let cut = crate::SnapshotFiles { data: files.data[..files.data.len() / 2].to_vec(), names: files.names.clone() };
    assert!(crate::Cube::from_snapshot("2025", measures.clone(), &cut).is_err());
    let mut more = measures;
    more.push(measure("NEW.ONE", MeasureKind::Integer, Aggregation::Sum, None));
    assert!(crate::Cube::from_snapshot("2025", more, &files).is_err());
}

mod scan;

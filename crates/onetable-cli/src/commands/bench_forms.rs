//! `onetable bench forms`: how long the analyzer takes on a wide department form — 60 data
//! columns under a two-row header with merged groups, a title, a 单位 row and 200 villages —
//! read from XLSX and mapped against the reference catalogue (target: under 100 ms).

use std::time::{Duration, Instant};

use anyhow::anyhow;
use onetable_analytics::filled::{FilledForm, Span};
use onetable_analytics::render::Cell;
use onetable_app::imports::budget::Budget;
use onetable_app::imports::Limits;
use onetable_app::legacy::analyze::analyze_sheet;
use onetable_app::legacy::read::read_form;
use onetable_app::registry::catalogue;
use onetable_store::{registry, Db};

const DATA_COLUMNS: usize = 60;
const ROWS: usize = 200;
const RUNS: usize = 50;

/// The form: groups of three columns under a merged parent; 45 columns named as the registry
/// names its indicators (with their units), 15 the registry has nothing for.
fn wide_form(names: &[(String, String)]) -> anyhow::Result<Vec<u8>> {
    let width = DATA_COLUMNS + 2;
    let mut top = vec!["序号".to_owned(), "村名".to_owned()];
    let mut leaf = vec![String::new(), String::new()];
    let mut merges = vec![Span { top: 0, left: 0, bottom: 1, right: 0 }, Span { top: 0, left: 1, bottom: 1, right: 1 }];
    for i in 0..DATA_COLUMNS {
        if i % 3 == 0 {
            top.push(format!("第{}部分", i / 3 + 1));
            merges.push(Span { top: 0, left: i + 2, bottom: 0, right: i + 4 });
        } else {
            top.push(String::new());
        }
        leaf.push(match names.get(i) {
            Some((name, unit)) if i < 45 && !unit.is_empty() => format!("{name}（{unit}）"),
            Some((name, _)) if i < 45 => name.clone(),
            _ => format!("自定义调查项{}", i + 1),
        });
    }
    let body = (0..ROWS)
        .map(|r| {
            let mut row = vec![Cell::Number((r + 1) as f64), Cell::Text(format!("第{}村", r + 1))];
            row.extend((0..DATA_COLUMNS).map(|c| Cell::Number(((r * 7 + c) % 100) as f64)));
            row
        })
        .collect();
    let form = FilledForm {
        title_rows: vec!["2025年度村级综合情况统计表".to_owned()],
        note_rows: vec!["填报单位：  单位：见各列".to_owned()],
        header: vec![top, leaf],
        merges,
        body,
        footer: vec!["填表人：  审核人：".to_owned()],
        width,
    };
    form.to_xlsx("统计表").map_err(|e| anyhow!("{e}"))
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss, clippy::cast_precision_loss)]
    let at = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[at]
}

pub fn forms_bench(db: &Db) -> anyhow::Result<()> {
    let now = chrono::Utc::now().naive_utc();
    catalogue::load(&mut *db.conn()?, catalogue::SEED_INDICATORS, Some(catalogue::SEED_RULES), "bench", now)
        .map_err(|e| anyhow!("catalogue: {e}"))?;
    let current = registry::current(&mut *db.conn()?)?;
    let names: Vec<(String, String)> =
        current.values().filter(|r| r.formula.is_none()).map(|r| (r.name.clone(), r.unit.clone())).collect();
    let bytes = wide_form(&names)?;
    let limits = Limits::default();
    let mut times = Vec::with_capacity(RUNS);
    let mut matched = 0;
    for _ in 0..RUNS {
        let started = Instant::now();
        let mut conn = db.conn()?;
        let sheet = read_form(&bytes, &mut Budget::new(limits)).map_err(|e| anyhow!(e.describe()))?;
        let current = registry::current(&mut conn)?;
        let analysis = analyze_sheet(&sheet, &current, None).map_err(|e| anyhow!(e.describe()))?;
        times.push(started.elapsed());
        matched = analysis.coverage.matched;
        anyhow::ensure!(analysis.columns.len() == DATA_COLUMNS, "found {} data columns", analysis.columns.len());
    }
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "analyze a {DATA_COLUMNS}-column form (XLSX, {} KiB, 2-row merged header, {ROWS} villages; read + registry + layout + matching), {RUNS} runs: \
         median {:.1} ms, p95 {:.1} ms, max {:.1} ms (target < 100 ms); {matched} of {DATA_COLUMNS} columns matched",
        bytes.len() / 1024,
        ms(percentile(&times, 0.5)),
        ms(percentile(&times, 0.95)),
        ms(times[times.len() - 1]),
    );
    Ok(())
}

//! The indicator catalogue as files: loading the reference CSV format (the same path as the API,
//! same compatibility rules, all or nothing) and exporting the registry for Excel.

use chrono::NaiveDateTime;
use onetable_analytics::render::{Cell, Table};
use onetable_store::registry::{self as store, IndicatorRow, RuleRow};
use onetable_store::DbConn;
use serde::Serialize;

use crate::problem::Problem;
use crate::registry;
use crate::registry::inputs::{to_row, IndicatorInput, RuleInput};

/// The shipped seed: the reference catalogue (98 indicators, 15 rules).
pub const SEED_INDICATORS: &[u8] = include_bytes!("../../../../data/catalogue/indicators.csv");
pub const SEED_RULES: &[u8] = include_bytes!("../../../../data/catalogue/rules.csv");

#[derive(Debug, Default, Clone, Serialize, PartialEq, Eq)]
pub struct LoadSummary {
    pub indicators_created: usize,
    pub indicators_updated: usize,
    pub indicators_unchanged: usize,
    pub rules_saved: usize,
    pub rules_unchanged: usize,
    /// Reference registers (台账类型) added.
    pub registers_created: usize,
}

/// Why a load was refused: every problem, with the file line it came from.
#[derive(Debug)]
pub struct LoadError {
    pub problems: Vec<String>,
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} problem(s):\n  {}", self.problems.len(), self.problems.join("\n  "))
    }
}

fn describe(error: &Problem) -> String {
    error.describe().replace('\n', " ")
}

fn read_csv(bytes: &[u8], file: &str) -> Result<Vec<(u64, csv::StringRecord)>, LoadError> {
    let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new().trim(csv::Trim::All).from_reader(text);
    let headers = reader.headers().map_err(|e| LoadError { problems: vec![format!("{file}: {e}")] })?.clone();
    let mut out = vec![(1, headers)];
    for record in reader.records() {
        let record = record.map_err(|e| LoadError { problems: vec![format!("{file}: {e}")] })?;
        out.push((record.position().map_or(0, csv::Position::line), record));
    }
    Ok(out)
}

fn column<'a>(headers: &csv::StringRecord, record: &'a csv::StringRecord, name: &str) -> &'a str {
    onetable_analytics::render::unneutralize(
        headers.iter().position(|h| h == name).and_then(|i| record.get(i)).unwrap_or(""),
    )
}

fn number(text: &str) -> Result<Option<f64>, String> {
    if text.is_empty() {
        Ok(None)
    } else {
        text.parse().map(Some).map_err(|_| format!("“{text}”不是数字"))
    }
}

/// Loads or updates indicators (and rules) from CSV in the reference catalogue's format, in one
/// transaction: any problem refuses the whole load and writes nothing.
///
/// # Errors
/// Every problem found, or a database fault.
pub fn load(
    conn: &mut DbConn,
    indicators: &[u8],
    rules: Option<&[u8]>,
    actor: &str,
    now: NaiveDateTime,
) -> Result<LoadSummary, LoadError> {
    let fault = |e: &dyn std::fmt::Display| LoadError { problems: vec![format!("database: {e}")] };
    let mut problems = Vec::new();
    let result =
        onetable_store::connection::transaction::<LoadSummary, onetable_store::diesel_error::Error>(conn, |conn| {
            let mut summary = LoadSummary::default();
            match load_indicators(conn, indicators, actor, now, &mut summary) {
                Ok(found) => problems.extend(found),
                Err(e) => problems.extend(e.problems),
            }
            if let Some(rules) = rules {
                match load_rules(conn, rules, actor, now, &mut summary) {
                    Ok(found) => problems.extend(found),
                    Err(e) => problems.extend(e.problems),
                }
            }
            // The reference registers come with the reference rules (the catalogue's own load).
            if rules.is_some() {
                match crate::registers::types::load_seed(conn, actor, now) {
                    Ok(added) => summary.registers_created = added,
                    Err(e) => problems.push(format!("registers: {}", e.describe())),
                }
            }
            if problems.is_empty() {
                Ok(summary)
            } else {
                Err(onetable_store::diesel_error::Error::RollbackTransaction)
            }
        });
    match result {
        Ok(summary) => Ok(summary),
        Err(onetable_store::diesel_error::Error::RollbackTransaction) => Err(LoadError { problems }),
        Err(e) => Err(fault(&e)),
    }
}

fn load_indicators(
    conn: &mut DbConn,
    bytes: &[u8],
    actor: &str,
    now: NaiveDateTime,
    summary: &mut LoadSummary,
) -> Result<Vec<String>, LoadError> {
    let mut records = read_csv(bytes, "indicators")?.into_iter();
    let (_, headers) = records.next().unwrap_or_default();
    let mut problems = Vec::new();
    // Entered indicators first, so derived ones find their inputs however the file is ordered.
    let mut records: Vec<_> = records.collect();
    records.sort_by_key(|(_, r)| !column(&headers, r, "formula").is_empty());
    for (line, record) in records {
        let get = |name: &str| column(&headers, &record, name).to_owned();
        let code = get("code");
        let (min, max) = match (number(&get("min")), number(&get("max"))) {
            (Ok(min), Ok(max)) => (min, max),
            (Err(e), _) | (_, Err(e)) => {
                problems.push(format!("indicators line {line} ({code}): {e}"));
                continue;
            }
        };
        let input = IndicatorInput {
            code: Some(code.clone()),
            name: get("name"),
            description: get("description"),
            unit: get("unit"),
            value_type: get("value_type"),
            min,
            max,
            required: matches!(get("required").as_str(), "true" | "1" | "yes" | "是"),
            category: get("category"),
            frequency: get("frequency"),
            aggregation: get("aggregation"),
            sensitivity: Some(get("sensitivity")).filter(|s| !s.is_empty()),
            owner_department: get("owner_department"),
            legal_basis: get("legal_basis"),
            formula: Some(get("formula")).filter(|f| !f.is_empty()),
            status: Some(get("status")).filter(|s| !s.is_empty() && s != "deprecated"),
            change_note: Some("导入指标目录".to_owned()),
            aliases: Some(get("aliases").split('|').map(str::to_owned).collect()),
        };
        let outcome = input.to_def(&code).and_then(|mut def| {
            let exists = store::versions(conn, &code)?.last().cloned();
            // A load adds the file's aliases to those learned since; it never forgets one.
            if let Some(current) = &exists {
                let mut all = current.alias_list();
                all.extend(def.aliases);
                def.aliases = super::inputs::tidy_aliases(&all);
            }
            match exists {
                None => registry::create(conn, &def, actor, now, input.change_note.clone()).map(|_| 0),
                Some(_) => registry::update(conn, &def, actor, now, input.change_note.clone()).map(|s| {
                    if s.written {
                        1
                    } else {
                        2
                    }
                }),
            }
        });
        match outcome {
            Ok(0) => summary.indicators_created += 1,
            Ok(1) => summary.indicators_updated += 1,
            Ok(_) => summary.indicators_unchanged += 1,
            Err(e) => problems.push(format!("indicators line {line} ({code}): {}", describe(&e))),
        }
    }
    Ok(problems)
}

fn load_rules(
    conn: &mut DbConn,
    bytes: &[u8],
    actor: &str,
    now: NaiveDateTime,
    summary: &mut LoadSummary,
) -> Result<Vec<String>, LoadError> {
    let mut records = read_csv(bytes, "rules")?.into_iter();
    let (_, headers) = records.next().unwrap_or_default();
    let current = store::current(conn).map_err(|e| LoadError { problems: vec![e.to_string()] })?;
    let mut problems = Vec::new();
    for (line, record) in records {
        let get = |name: &str| column(&headers, &record, name).to_owned();
        let tolerance = match number(&get("tolerance")) {
            Ok(t) => t,
            Err(e) => {
                problems.push(format!("rules line {line}: {e}"));
                continue;
            }
        };
        let input = RuleInput {
            code: Some(get("code")),
            name: get("name"),
            expression: get("expression"),
            severity: get("severity"),
            message: get("message"),
            tolerance,
            missing: Some(get("missing")).filter(|m| !m.is_empty()),
            active: None,
        };
        let spec = input.to_spec(&get("code"));
        if let Err(e) = registry::validate_rule(&spec, &current) {
            problems.push(format!("rules line {line} ({}): {}", spec.code, describe(&e)));
            continue;
        }
        let row = to_row(&spec, actor, now);
        let existing = store::find_rule(conn, &spec.code).map_err(|e| LoadError { problems: vec![e.to_string()] })?;
        let same = existing.as_ref().is_some_and(|old| {
            RuleRow { updated_by: old.updated_by.clone(), updated_at: old.updated_at, ..row.clone() } == *old
        });
        if same {
            summary.rules_unchanged += 1;
        } else {
            store::save_rule(conn, &row).map_err(|e| LoadError { problems: vec![e.to_string()] })?;
            summary.rules_saved += 1;
        }
    }
    Ok(problems)
}

/// The registry as two tables (indicators in form order, then rules), columns as the reference
/// catalogue plus version, status, legal basis and required.
#[must_use]
pub fn export_tables(indicators: Vec<IndicatorRow>, rules: Vec<RuleRow>) -> (Table, Table) {
    let headers = [
        "code",
        "name",
        "category",
        "unit",
        "value_type",
        "aggregation",
        "frequency",
        "min",
        "max",
        "sensitivity",
        "owner_department",
        "formula",
        "description",
        "legal_basis",
        "required",
        "status",
        "version",
        "aliases",
    ];
    let rows = indicators
        .into_iter()
        .map(|r| {
            let aliases = r.alias_list().join("|");
            vec![
                r.code.into(),
                r.name.into(),
                r.category.into(),
                r.unit.into(),
                r.value_type.into(),
                r.aggregation.into(),
                r.frequency.into(),
                Cell::from(r.min_value),
                Cell::from(r.max_value),
                r.sensitivity.into(),
                r.owner_department.into(),
                r.formula.unwrap_or_default().into(),
                r.description.into(),
                r.legal_basis.into(),
                (if r.required { "true" } else { "false" }).into(),
                r.status.into(),
                Cell::Number(f64::from(r.version)),
                aliases.into(),
            ]
        })
        .collect();
    let rule_headers = ["code", "name", "expression", "severity", "message", "tolerance", "missing", "active"];
    let rule_rows = rules
        .into_iter()
        .map(|r| {
            vec![
                r.code.into(),
                r.name.into(),
                r.expression.into(),
                r.severity.into(),
                r.message.into(),
                Cell::Number(r.tolerance),
                (if r.missing_as_zero { "zero" } else { "skip" }).into(),
                (if r.active { "true" } else { "false" }).into(),
            ]
        })
        .collect();
    (
        Table { headers: headers.iter().map(|h| (*h).to_owned()).collect(), rows },
        Table { headers: rule_headers.iter().map(|h| (*h).to_owned()).collect(), rows: rule_rows },
    )
}

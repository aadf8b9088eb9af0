//! A record's values checked against its register's columns and stored in canonical text, the
//! same way a form's cells are.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::definition::{ColumnDef, ColumnKind, RegisterDef};
use super::id_number::IdNumber;
use crate::indicator::{Aggregation, Constraints, Frequency, IndicatorDef, IndicatorStatus, Sensitivity, ValueType};
use crate::value::{check_cell, RawCell};

/// A refused value: the column, a stable code, a Chinese message naming the column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnProblem {
    pub column: String,
    pub code: &'static str,
    pub message: String,
}

/// Checks every given value of a record; `Ok` holds the canonical values of the columns given
/// (a `Null` clears one). With `whole` (a new record) the required columns must all be there.
///
/// # Errors
/// Every refused value at once.
pub fn check_values(
    def: &RegisterDef,
    raw: &BTreeMap<String, RawCell>,
    whole: bool,
    today: NaiveDate,
) -> Result<BTreeMap<String, Option<String>>, Vec<ColumnProblem>> {
    let mut out = BTreeMap::new();
    let mut problems = Vec::new();
    for (code, cell) in raw {
        let Some(column) = def.column(code) else {
            problems.push(ColumnProblem {
                column: code.clone(),
                code: "unknown_column",
                message: format!("{} 没有“{code}”这一列", def.name),
            });
            continue;
        };
        match check_value(column, cell, today) {
            Ok(value) => {
                out.insert(code.clone(), value);
            }
            Err((code, message)) => problems.push(ColumnProblem { column: column.code.clone(), code, message }),
        }
    }
    if whole {
        for column in def.columns.iter().filter(|c| c.required) {
            if !matches!(out.get(&column.code), Some(Some(_))) && !problems.iter().any(|p| p.column == column.code) {
                problems.push(ColumnProblem {
                    column: column.code.clone(),
                    code: "required",
                    message: format!("{}为必填项", column.name),
                });
            }
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

/// One value of `column`: `Ok(None)` clears it.
///
/// # Errors
/// `(code, message)` naming the column.
pub fn check_value(
    column: &ColumnDef,
    cell: &RawCell,
    today: NaiveDate,
) -> Result<Option<String>, (&'static str, String)> {
    let text = match cell {
        RawCell::Text(t) => Some(t.trim().to_owned()),
        RawCell::Number(n) => Some(n.trim().to_owned()),
        RawCell::Bool(_) | RawCell::Null => None,
    };
    if let Some(text) = &text {
        if let Err(p) = crate::text::check_chars(text) {
            return Err((p.code(), format!("{}：{p}", column.name)));
        }
    }
    let empty = matches!(cell, RawCell::Null) || text.as_deref().is_some_and(str::is_empty);
    if empty {
        return if column.required {
            Err(("required", format!("{}为必填项，不能为空", column.name)))
        } else {
            Ok(None)
        };
    }
    match column.kind {
        ColumnKind::IdNumber => IdNumber::parse(text.as_deref().unwrap_or(""), today)
            .map(|id| Some(id.as_str().to_owned()))
            .map_err(|m| ("invalid_id_number", format!("{}：{m}", column.name))),
        ColumnKind::Phone => phone(text.as_deref().unwrap_or(""))
            .map(Some)
            .ok_or_else(|| ("invalid_phone", format!("{}应为 11 位手机号或带区号的固定电话", column.name))),
        ColumnKind::Date => {
            let value = check_cell(&as_indicator(column), cell).map_err(|m| ("invalid_value", m))?;
            match value.as_deref().map(|v| NaiveDate::parse_from_str(v, "%Y-%m-%d")) {
                Some(Ok(day)) if day > today => Err(("in_future", format!("{} {day} 晚于今天", column.name))),
                _ => Ok(value),
            }
        }
        _ => check_cell(&as_indicator(column), cell).map_err(|m| ("invalid_value", m)),
    }
}

/// A mainland mobile (`1[3-9]` and 9 digits) or a landline with its area code; spaces and
/// hyphens dropped, a `+86` prefix allowed.
fn phone(text: &str) -> Option<String> {
    let digits: String = text.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
    let digits = digits.strip_prefix("+86").unwrap_or(&digits);
    if !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let mobile = digits.len() == 11 && digits.starts_with('1') && digits.as_bytes()[1] >= b'3';
    let landline = digits.starts_with('0') && (10..=12).contains(&digits.len());
    (mobile || landline).then(|| digits.to_owned())
}

/// The column as an indicator, so its value is checked exactly as a form's cell of that type.
fn as_indicator(column: &ColumnDef) -> IndicatorDef {
    let value_type = match column.kind {
        ColumnKind::Integer => ValueType::Integer,
        ColumnKind::Decimal => ValueType::Decimal { scale: crate::indicator::DEFAULT_DECIMAL_SCALE },
        ColumnKind::Boolean => ValueType::Boolean,
        ColumnKind::Enum => ValueType::Enum { options: column.options.clone() },
        ColumnKind::Date => ValueType::Date,
        ColumnKind::Text | ColumnKind::IdNumber | ColumnKind::Phone => {
            ValueType::Text { max_length: crate::indicator::DEFAULT_TEXT_LENGTH }
        }
    };
    IndicatorDef {
        code: column.code.clone(),
        name: column.name.clone(),
        description: String::new(),
        unit: String::new(),
        value_type,
        constraints: Constraints { min: column.min, max: column.max, required: column.required },
        category: String::new(),
        frequency: Frequency::Annual,
        aggregation: Aggregation::None,
        sensitivity: Sensitivity::Public,
        owner_department: String::new(),
        legal_basis: String::new(),
        formula: None,
        register_aggregate: None,
        status: IndicatorStatus::Active,
        aliases: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::definition::{Personal, RegisterUnit};
    use super::*;

    fn dibao() -> RegisterDef {
        let column = |code: &str, kind: ColumnKind| ColumnDef {
            code: code.into(),
            name: code.into(),
            kind,
            personal: Personal::No,
            required: false,
            min: None,
            max: None,
            options: Vec::new(),
            aliases: Vec::new(),
        };
        RegisterDef {
            code: "REG.DIBAO".into(),
            name: "低保户台账".into(),
            unit: RegisterUnit::Household,
            description: String::new(),
            columns: vec![
                ColumnDef {
                    required: true,
                    personal: Personal::Sensitive,
                    ..column("id_number", ColumnKind::IdNumber)
                },
                ColumnDef { min: Some(1.0), ..column("members", ColumnKind::Integer) },
                ColumnDef { options: vec!["A".into(), "B".into()], ..column("kind", ColumnKind::Enum) },
                column("start_date", ColumnKind::Date),
                column("head_name", ColumnKind::Text),
                column("phone", ColumnKind::Phone),
            ],
            key: vec!["id_number".into()],
        }
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 7).unwrap_or_default()
    }

    fn text(t: &str) -> RawCell {
        RawCell::Text(t.into())
    }

    #[test]
    fn every_bad_value_is_named_by_its_column() {
        let raw = BTreeMap::from([
            ("id_number".to_owned(), text("110105194912310021")),
            ("members".to_owned(), RawCell::Number("0".into())),
            ("kind".to_owned(), text("C")),
            ("start_date".to_owned(), text("2099-01-01")),
            ("head_name".to_owned(), text("张\u{7}三")),
            ("phone".to_owned(), text("12345")),
            ("colour".to_owned(), text("red")),
        ]);
        let problems = check_values(&dibao(), &raw, true, today()).unwrap_err();
        let columns: Vec<&str> = problems.iter().map(|p| p.column.as_str()).collect();
        assert_eq!(columns, ["colour", "head_name", "id_number", "kind", "members", "phone", "start_date"]);
        assert!(problems.iter().all(|p| !p.message.is_empty()));
    }

    #[test]
    fn good_values_are_canonical_and_required_ones_are_asked_for() {
        let raw = BTreeMap::from([
            ("id_number".to_owned(), text("11010519491231002x")),
            ("members".to_owned(), RawCell::Number("3".into())),
            ("phone".to_owned(), text("138-1234-1234")),
        ]);
        let values = check_values(&dibao(), &raw, true, today()).unwrap();
        assert_eq!(values["id_number"].as_deref(), Some("11010519491231002X"));
        assert_eq!(values["phone"].as_deref(), Some("13812341234"));
        let missing = check_values(&dibao(), &BTreeMap::new(), true, today()).unwrap_err();
        assert_eq!(missing[0].code, "required");
        assert!(check_values(&dibao(), &BTreeMap::new(), false, today()).is_ok());
    }
}

//! Cell values (填报值): checking one entered value against its indicator and storing it in a
//! canonical text form, the same on both backends.

use crate::formula::Value;
use crate::indicator::{IndicatorDef, ValueType};

/// A value as it arrives: from JSON (typed) or from a CSV/XLSX cell (text).
#[derive(Debug, Clone, PartialEq)]
pub enum RawCell {
    /// Clears the value.
    Null,
    Bool(bool),
    /// A JSON number, in its original spelling (so the decimal scale can be checked).
    Number(String),
    Text(String),
}

/// Checks `raw` against the definition; `Ok(None)` clears the value, `Ok(Some(text))` is the
/// canonical stored form.
///
/// # Errors
/// A Chinese message for the clerk: what is wrong and what is allowed.
pub fn check_cell(def: &IndicatorDef, raw: &RawCell) -> Result<Option<String>, String> {
    if def.is_derived() {
        return Err(format!("{} 是派生指标，由公式计算，不能填报", def.name));
    }
    if let Some(aggregate) = &def.register_aggregate {
        let register = aggregate.split(['(', ',', ')']).nth(1).unwrap_or_default().trim();
        return Err(format!("{} 由台账（{register}）自动统计，不能手填；请在台账中增减记录", def.name));
    }
    let text = match raw {
        RawCell::Null => {
            return if def.constraints.required {
                Err(format!("{} 为必填项，不能清空", def.name))
            } else {
                Ok(None)
            };
        }
        RawCell::Text(t) if t.trim().is_empty() => {
            return if def.constraints.required {
                Err(format!("{} 为必填项，不能为空", def.name))
            } else {
                Ok(None)
            };
        }
        RawCell::Bool(b) => return boolean(def, Some(*b)),
        RawCell::Number(n) => n.trim().to_owned(),
        RawCell::Text(t) => t.trim().to_owned(),
    };
    match &def.value_type {
        ValueType::Integer => {
            let value: i64 = text.parse().map_err(|_| format!("{} 应为整数，收到“{text}”", def.name))?;
            if value == 0 && text.starts_with('-') {
                return Err(negative_zero(def, &text));
            }
            #[allow(clippy::cast_precision_loss)]
            range(def, value as f64)?;
            Ok(Some(value.to_string()))
        }
        ValueType::Decimal { scale } => {
            let value: f64 = text
                .parse()
                .ok()
                .filter(|v: &f64| v.is_finite() && !text.contains(['e', 'E']))
                .ok_or_else(|| format!("{} 应为数字，收到“{text}”", def.name))?;
            if value == 0.0 && text.starts_with('-') {
                return Err(negative_zero(def, &text));
            }
            let decimals = text.split_once('.').map_or(0, |(_, frac)| frac.trim_end_matches('0').len());
            if decimals > *scale as usize {
                return Err(format!("{} 最多保留 {scale} 位小数，收到“{text}”", def.name));
            }
            range(def, value)?;
            Ok(Some(value.to_string()))
        }
        ValueType::Boolean => match text.as_str() {
            "true" | "1" | "是" => boolean(def, Some(true)),
            "false" | "0" | "否" => boolean(def, Some(false)),
            _ => Err(format!("{} 应为“是”或“否”（true/false），收到“{text}”", def.name)),
        },
        ValueType::Enum { options } => {
            if options.contains(&text) {
                Ok(Some(text))
            } else {
                Err(format!("{} 只能是 {} 之一，收到“{text}”", def.name, options.join("、")))
            }
        }
        ValueType::Text { max_length } => {
            let length = text.chars().count();
            if length > *max_length as usize {
                Err(format!("{} 最多 {max_length} 个字，收到 {length} 个", def.name))
            } else {
                Ok(Some(text))
            }
        }
        ValueType::Date => chrono_free_date(&text)
            .then(|| Some(text.clone()))
            .ok_or_else(|| format!("{} 应为日期 YYYY-MM-DD，收到“{text}”", def.name)),
    }
}

/// `-0` is not a value anyone means; stored, it would read back as "-0" on one backend and "0" on
/// another.
fn negative_zero(def: &IndicatorDef, text: &str) -> String {
    format!("{} 收到“{text}”：零请写作 0", def.name)
}

fn boolean(def: &IndicatorDef, value: Option<bool>) -> Result<Option<String>, String> {
    if def.value_type == ValueType::Boolean {
        Ok(value.map(|b| b.to_string()))
    } else {
        Err(format!("{} 的值类型是 {}，不能填“是/否”", def.name, def.value_type.spelling()))
    }
}

fn range(def: &IndicatorDef, value: f64) -> Result<(), String> {
    if let Some(min) = def.constraints.min.filter(|min| value < *min) {
        return Err(format!("{} 不能小于 {min}，收到 {value}", def.name));
    }
    if let Some(max) = def.constraints.max.filter(|max| value > *max) {
        return Err(format!("{} 不能大于 {max}，收到 {value}", def.name));
    }
    Ok(())
}

/// `YYYY-MM-DD` with a real day of that month.
fn chrono_free_date(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    let [y, m, d] = parts.as_slice() else { return false };
    let (Ok(year), Ok(month), Ok(day)) = (y.parse::<i32>(), m.parse::<u32>(), d.parse::<u32>()) else { return false };
    if y.len() != 4 || m.len() != 2 || d.len() != 2 || !(1..=12).contains(&month) {
        return false;
    }
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days = [31, if leap { 29 } else { 28 }, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month as usize - 1];
    (1..=days).contains(&day)
}

/// A stored value as the formula language sees it (text, enum and date values are not visible).
#[must_use]
pub fn formula_value(value_type: &ValueType, stored: &str) -> Option<Value> {
    match value_type {
        ValueType::Integer | ValueType::Decimal { .. } => stored.parse().ok().map(Value::Number),
        ValueType::Boolean => Some(Value::Bool(stored == "true")),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::indicator::{Aggregation, Constraints, Frequency, IndicatorStatus, Sensitivity};

    fn def(value_type: ValueType, min: Option<f64>, max: Option<f64>) -> IndicatorDef {
        IndicatorDef {
            code: "T.X".into(),
            name: "测试".into(),
            description: String::new(),
            unit: String::new(),
            value_type,
            constraints: Constraints { min, max, required: false },
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

    fn num(text: &str) -> RawCell {
        RawCell::Number(text.into())
    }

    #[test]
    fn types_scales_ranges_options_lengths() {
        let int = def(ValueType::Integer, Some(0.0), Some(100.0));
        assert_eq!(check_cell(&int, &num("12")), Ok(Some("12".into())));
        assert!(check_cell(&int, &num("12.5")).unwrap_err().contains("整数"));
        assert!(check_cell(&int, &num("101")).unwrap_err().contains("不能大于 100"));
        assert!(check_cell(&int, &num("-1")).unwrap_err().contains("不能小于 0"));
        assert_eq!(check_cell(&int, &RawCell::Text(" 7 ".into())), Ok(Some("7".into())), "CSV text");
        let dec = def(ValueType::Decimal { scale: 2 }, None, None);
        assert_eq!(check_cell(&dec, &num("12.50")), Ok(Some("12.5".into())));
        assert!(check_cell(&dec, &num("1.234")).unwrap_err().contains("2 位小数"));
        assert!(check_cell(&dec, &num("1e3")).is_err());
        assert!(check_cell(&int, &num("-0")).unwrap_err().contains("零请写作 0"));
        assert!(check_cell(&dec, &num("-0.0")).unwrap_err().contains("零请写作 0"));
        assert_eq!(check_cell(&int, &num("0")), Ok(Some("0".into())));
        let boolean = def(ValueType::Boolean, None, None);
        assert_eq!(check_cell(&boolean, &RawCell::Bool(true)), Ok(Some("true".into())));
        assert_eq!(check_cell(&boolean, &RawCell::Text("否".into())), Ok(Some("false".into())));
        assert!(check_cell(&int, &RawCell::Bool(true)).is_err());
        let terrain = def(ValueType::Enum { options: vec!["平原".into(), "山区".into()] }, None, None);
        assert_eq!(check_cell(&terrain, &RawCell::Text("山区".into())), Ok(Some("山区".into())));
        assert!(check_cell(&terrain, &RawCell::Text("海岛".into())).unwrap_err().contains("平原、山区"));
        let text = def(ValueType::Text { max_length: 3 }, None, None);
        assert!(check_cell(&text, &RawCell::Text("一二三四".into())).unwrap_err().contains("最多 3 个字"));
        let date = def(ValueType::Date, None, None);
        assert!(check_cell(&date, &RawCell::Text("2024-02-29".into())).is_ok());
        assert!(check_cell(&date, &RawCell::Text("2025-02-29".into())).is_err());
        let mut required = def(ValueType::Integer, None, None);
        required.constraints.required = true;
        assert!(check_cell(&required, &RawCell::Null).unwrap_err().contains("必填"));
        assert_eq!(check_cell(&int, &RawCell::Null), Ok(None));
        let mut derived = def(ValueType::Decimal { scale: 2 }, None, None);
        derived.formula = Some("A.B * 2".into());
        assert!(check_cell(&derived, &num("1")).unwrap_err().contains("派生"));
    }
}

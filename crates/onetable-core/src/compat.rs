//! Schema compatibility between two versions of an indicator, in the manner of a schema
//! registry's backward compatibility: a change is *breaking* when a value valid under the old
//! definition may be invalid, or mean something else, under the new one.
//!
//! Compatible: wording (name, aliases, description, category), owner, legal basis, sensitivity, widening a
//! range, adding enum options, raising a decimal scale or text length, dropping `required`.
//! Breaking: value type, unit, aggregation, frequency, formula, removing enum options, narrowing
//! a range, lowering scale or length, making a value required.

use serde::Serialize;

use crate::indicator::{IndicatorDef, ValueType};

/// One difference between two versions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    pub field: &'static str,
    pub breaking: bool,
    /// What changed, in Chinese.
    pub message: String,
}

fn change(field: &'static str, breaking: bool, message: String) -> Change {
    Change { field, breaking, message }
}

/// Every difference from `old` to `new`, breaking or not.
#[must_use]
pub fn changes(old: &IndicatorDef, new: &IndicatorDef) -> Vec<Change> {
    let mut out = Vec::new();
    let wording = [
        ("name", &old.name, &new.name),
        ("description", &old.description, &new.description),
        ("category", &old.category, &new.category),
        ("owner_department", &old.owner_department, &new.owner_department),
        ("legal_basis", &old.legal_basis, &new.legal_basis),
    ];
    for (field, a, b) in wording {
        if a != b {
            out.push(change(field, false, format!("{field}：“{a}” → “{b}”")));
        }
    }
    if old.aliases != new.aliases {
        out.push(change(
            "aliases",
            false,
            format!("别名：“{}” → “{}”", old.aliases.join("、"), new.aliases.join("、")),
        ));
    }
    if old.sensitivity != new.sensitivity {
        out.push(change("sensitivity", false, format!("敏感级别：{} → {}", old.sensitivity, new.sensitivity)));
    }
    if old.unit != new.unit {
        out.push(change("unit", true, format!("计量单位：“{}” → “{}”，已有数值的含义会改变", old.unit, new.unit)));
    }
    if old.aggregation != new.aggregation {
        out.push(change("aggregation", true, format!("汇总方式：{} → {}", old.aggregation, new.aggregation)));
    }
    if old.frequency != new.frequency {
        out.push(change("frequency", true, format!("填报频率：{} → {}", old.frequency, new.frequency)));
    }
    if old.formula != new.formula {
        let show = |f: &Option<String>| f.clone().unwrap_or_else(|| "（无）".to_owned());
        out.push(change("formula", true, format!("公式：{} → {}", show(&old.formula), show(&new.formula))));
    }
    if old.register_aggregate != new.register_aggregate {
        let show = |f: &Option<String>| f.clone().unwrap_or_else(|| "（无）".to_owned());
        // Starting or stopping to derive it from a register keeps what is stored meaningful;
        // counting something else under the same code does not.
        let breaking = old.register_aggregate.is_some() && new.register_aggregate.is_some();
        out.push(change(
            "formula",
            breaking,
            format!("台账汇总：{} → {}", show(&old.register_aggregate), show(&new.register_aggregate)),
        ));
    }
    value_type_changes(&old.value_type, &new.value_type, &mut out);
    range_changes(old, new, &mut out);
    out
}

fn value_type_changes(old: &ValueType, new: &ValueType, out: &mut Vec<Change>) {
    match (old, new) {
        (a, b) if a == b => {}
        (ValueType::Decimal { scale: a }, ValueType::Decimal { scale: b }) => {
            out.push(change("value_type", b < a, format!("小数位数：{a} → {b}")));
        }
        (ValueType::Text { max_length: a }, ValueType::Text { max_length: b }) => {
            out.push(change("value_type", b < a, format!("文本最大长度：{a} → {b}")));
        }
        (ValueType::Enum { options: a }, ValueType::Enum { options: b }) => {
            let removed: Vec<&String> = a.iter().filter(|o| !b.contains(o)).collect();
            let added: Vec<&String> = b.iter().filter(|o| !a.contains(o)).collect();
            if !removed.is_empty() {
                let list: Vec<&str> = removed.iter().map(|s| s.as_str()).collect();
                out.push(change("value_type", true, format!("删除了枚举选项：{}", list.join("、"))));
            }
            if !added.is_empty() {
                let list: Vec<&str> = added.iter().map(|s| s.as_str()).collect();
                out.push(change("value_type", false, format!("新增枚举选项：{}", list.join("、"))));
            }
        }
        (a, b) => out.push(change("value_type", true, format!("值类型：{} → {}", a.spelling(), b.spelling()))),
    }
}

fn range_changes(old: &IndicatorDef, new: &IndicatorDef, out: &mut Vec<Change>) {
    let (a, b) = (&old.constraints, &new.constraints);
    let show = |v: Option<f64>| v.map_or_else(|| "无".to_owned(), |v| v.to_string());
    if a.min != b.min {
        // Narrowing: a lower bound appears or rises.
        let narrower = match (a.min, b.min) {
            (_, None) => false,
            (None, Some(_)) => true,
            (Some(x), Some(y)) => y > x,
        };
        out.push(change("min", narrower, format!("最小值：{} → {}", show(a.min), show(b.min))));
    }
    if a.max != b.max {
        let narrower = match (a.max, b.max) {
            (_, None) => false,
            (None, Some(_)) => true,
            (Some(x), Some(y)) => y < x,
        };
        out.push(change("max", narrower, format!("最大值：{} → {}", show(a.max), show(b.max))));
    }
    if a.required != b.required {
        out.push(change("required", b.required, format!("必填：{} → {}", a.required, b.required)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::indicator::{Aggregation, Constraints, Frequency, IndicatorStatus, Sensitivity};

    fn base() -> IndicatorDef {
        IndicatorDef {
            code: "POP.REGISTERED".into(),
            name: "户籍人口".into(),
            description: String::new(),
            unit: "人".into(),
            value_type: ValueType::Integer,
            constraints: Constraints { min: Some(0.0), max: Some(100_000.0), required: false },
            category: "人口".into(),
            frequency: Frequency::Annual,
            aggregation: Aggregation::Sum,
            sensitivity: Sensitivity::Public,
            owner_department: "公安局".into(),
            legal_basis: String::new(),
            formula: None,
            register_aggregate: None,
            status: IndicatorStatus::Active,
            aliases: Vec::new(),
        }
    }

    fn breaking(edit: impl FnOnce(&mut IndicatorDef)) -> bool {
        let mut new = base();
        edit(&mut new);
        let changes = changes(&base(), &new);
        assert!(!changes.is_empty(), "the edit changed nothing");
        changes.iter().any(|c| c.breaking)
    }

    #[test]
    fn the_compatibility_matrix() {
        assert!(!breaking(|d| d.name = "户籍总人口".into()));
        assert!(!breaking(|d| d.description = "说明".into()));
        assert!(!breaking(|d| d.category = "人口与户籍".into()));
        assert!(!breaking(|d| d.aliases = vec!["总人口".into()]), "an alias is wording");
        assert!(!breaking(|d| d.constraints.max = Some(200_000.0)), "widening");
        assert!(!breaking(|d| d.constraints.min = None), "widening");
        assert!(breaking(|d| d.constraints.max = Some(50_000.0)), "narrowing");
        assert!(breaking(|d| d.constraints.min = Some(1.0)), "narrowing");
        assert!(breaking(|d| d.value_type = ValueType::Decimal { scale: 2 }));
        assert!(breaking(|d| d.unit = "万人".into()));
        assert!(breaking(|d| d.aggregation = Aggregation::Avg));
        assert!(breaking(|d| d.frequency = Frequency::Quarterly));
        assert!(breaking(|d| d.constraints.required = true));
        let with_options =
            |options: &[&str]| ValueType::Enum { options: options.iter().map(|s| (*s).to_owned()).collect() };
        let old = IndicatorDef { value_type: with_options(&["平原", "山区"]), ..base() };
        let added = IndicatorDef { value_type: with_options(&["平原", "山区", "丘陵"]), ..base() };
        let removed = IndicatorDef { value_type: with_options(&["平原"]), ..base() };
        assert!(!changes(&old, &added).iter().any(|c| c.breaking));
        assert!(changes(&old, &removed).iter().any(|c| c.breaking));
        assert!(changes(&base(), &base()).is_empty());
    }
}

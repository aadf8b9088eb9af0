//! Compatibility between two versions of a register type, in the manner of the indicators'
//! (`crate::compat`): a change is *breaking* when a record kept under the old definition may be
//! invalid, unreadable or mean something else under the new one.
//!
//! Compatible: wording (name, description, a column's name and aliases), adding an optional
//! column, dropping `required`, widening a range, adding options, raising a column's protection
//! (`false` → `true` → `"sensitive"`; values already stored are sealed when the column becomes
//! sealed). Breaking: the unit, the key, removing a column, changing its type, making it
//! required, adding a required column, narrowing a range, removing options, lowering protection.

use serde::Serialize;

use super::definition::{ColumnDef, Personal, RegisterDef};

/// One difference between two versions of a register type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RegisterChange {
    /// What it touches: `name`, `unit`, `key`, `columns.members.type`…
    pub field: String,
    pub breaking: bool,
    /// What changed, in Chinese.
    pub message: String,
}

fn push(out: &mut Vec<RegisterChange>, field: String, breaking: bool, message: String) {
    out.push(RegisterChange { field, breaking, message });
}

fn rank(p: Personal) -> u8 {
    match p {
        Personal::No => 0,
        Personal::Personal => 1,
        Personal::Sensitive => 2,
    }
}

fn protection(p: Personal) -> &'static str {
    match p {
        Personal::No => "非个人信息",
        Personal::Personal => "个人信息",
        Personal::Sensitive => "敏感个人信息",
    }
}

/// Every difference from `old` to `new`, breaking or not.
#[must_use]
pub fn changes(old: &RegisterDef, new: &RegisterDef) -> Vec<RegisterChange> {
    let mut out = Vec::new();
    if old.name.trim() != new.name.trim() {
        push(&mut out, "name".into(), false, format!("名称：“{}” → “{}”", old.name, new.name));
    }
    if old.description != new.description {
        push(&mut out, "description".into(), false, "说明已修改".into());
    }
    if old.unit != new.unit {
        push(
            &mut out,
            "unit".into(),
            true,
            format!("每条记录：一{} → 一{}，已有记录的含义会改变", old.unit.label(), new.unit.label()),
        );
    }
    if old.key != new.key {
        push(
            &mut out,
            "key".into(),
            true,
            format!("主键列：{} → {}，已有记录须重新识别", old.key.join("、"), new.key.join("、")),
        );
    }
    for column in &old.columns {
        match new.column(&column.code) {
            None => push(
                &mut out,
                format!("columns.{}", column.code),
                true,
                format!("删除列 {}（{}），已有记录中的该列数值将无法读取", column.code, column.name),
            ),
            Some(after) => column_changes(column, after, &mut out),
        }
    }
    for column in new.columns.iter().filter(|c| old.column(&c.code).is_none()) {
        let message = if column.required {
            format!("新增必填列 {}（{}），已有记录没有该列的值", column.code, column.name)
        } else {
            format!("新增列 {}（{}）", column.code, column.name)
        };
        push(&mut out, format!("columns.{}", column.code), column.required, message);
    }
    out
}

fn column_changes(old: &ColumnDef, new: &ColumnDef, out: &mut Vec<RegisterChange>) {
    let field = |what: &str| format!("columns.{}.{what}", old.code);
    let label = &old.name;
    if old.name != new.name {
        push(out, field("name"), false, format!("列名：“{}” → “{}”", old.name, new.name));
    }
    if old.aliases != new.aliases {
        push(out, field("aliases"), false, format!("列 {label} 的别名已修改"));
    }
    if old.kind != new.kind {
        push(out, field("type"), true, format!("列 {label} 的类型：{} → {}，已有数值可能不再有效", old.kind, new.kind));
    }
    match rank(new.personal).cmp(&rank(old.personal)) {
        std::cmp::Ordering::Greater => {
            let sealing = new.sealed() && !old.sealed();
            let note = if sealing { "，已有数值将加密存储" } else { "" };
            push(
                out,
                field("personal"),
                false,
                format!("列 {label} 的保护级别：{} → {}{note}", protection(old.personal), protection(new.personal)),
            );
        }
        std::cmp::Ordering::Less => push(
            out,
            field("personal"),
            true,
            format!(
                "列 {label} 的保护级别不能降低（{} → {}）：已有数值是按原级别收集和保护的",
                protection(old.personal),
                protection(new.personal)
            ),
        ),
        std::cmp::Ordering::Equal => {}
    }
    if old.required != new.required {
        let breaking = new.required;
        let message = if breaking {
            format!("列 {label} 改为必填，已有记录可能没有该值")
        } else {
            format!("列 {label} 改为选填")
        };
        push(out, field("required"), breaking, message);
    }
    bound_change(out, field("min"), label, "最小值", old.min, new.min, |a, b| b <= a);
    bound_change(out, field("max"), label, "最大值", old.max, new.max, |a, b| b >= a);
    let removed: Vec<&String> = old.options.iter().filter(|o| !new.options.contains(o)).collect();
    let added: Vec<&String> = new.options.iter().filter(|o| !old.options.contains(o)).collect();
    if !removed.is_empty() {
        let names: Vec<&str> = removed.iter().map(|s| s.as_str()).collect();
        push(out, field("options"), true, format!("列 {label} 删除选项：{}，已有记录可能用了它", names.join("、")));
    }
    if !added.is_empty() {
        let names: Vec<&str> = added.iter().map(|s| s.as_str()).collect();
        push(out, field("options"), false, format!("列 {label} 新增选项：{}", names.join("、")));
    }
}

/// A bound moved: widening (`wider(old, new)`, or dropping it) is compatible; narrowing is not.
fn bound_change(
    out: &mut Vec<RegisterChange>,
    field: String,
    label: &str,
    what: &str,
    old: Option<f64>,
    new: Option<f64>,
    wider: impl Fn(f64, f64) -> bool,
) {
    let show = |b: Option<f64>| b.map_or_else(|| "无".to_owned(), |v| v.to_string());
    let breaking = match (old, new) {
        (None, None) => return,
        (Some(a), Some(b)) if a == b => return,
        (Some(a), Some(b)) => !wider(a, b),
        (Some(_), None) => false,
        (None, Some(_)) => true,
    };
    push(out, field, breaking, format!("列 {label} 的{what}：{} → {}", show(old), show(new)));
}

#[cfg(test)]
mod tests {
    use super::*;

    use super::super::{ColumnKind, RegisterUnit};

    fn col(code: &str, kind: ColumnKind) -> ColumnDef {
        ColumnDef {
            code: code.into(),
            name: code.to_uppercase(),
            kind,
            personal: Personal::No,
            required: false,
            min: None,
            max: None,
            options: Vec::new(),
            aliases: Vec::new(),
        }
    }

    fn dibao() -> RegisterDef {
        let id = ColumnDef { personal: Personal::Sensitive, required: true, ..col("id_number", ColumnKind::IdNumber) };
        let name = ColumnDef { personal: Personal::Personal, ..col("head_name", ColumnKind::Text) };
        let members = ColumnDef { min: Some(1.0), max: Some(20.0), ..col("members", ColumnKind::Integer) };
        let kind = ColumnDef { options: vec!["A".into(), "B".into()], ..col("kind", ColumnKind::Enum) };
        RegisterDef {
            code: "REG.T".into(),
            name: "低保户台账".into(),
            unit: RegisterUnit::Household,
            description: String::new(),
            columns: vec![id, name, col("phone", ColumnKind::Phone), members, kind],
            key: vec!["id_number".into()],
        }
    }

    fn breaking(old: &RegisterDef, new: &RegisterDef) -> Vec<String> {
        changes(old, new).into_iter().filter(|c| c.breaking).map(|c| c.field).collect()
    }

    #[test]
    fn wording_widening_and_raising_protection_are_compatible() {
        let old = dibao();
        let mut new = old.clone();
        new.name = "农村低保户台账".into();
        new.columns[3].max = Some(30.0);
        new.columns[3].min = None;
        new.columns[4].options.push("C".into());
        new.columns[2].personal = Personal::Sensitive;
        new.columns[1].aliases = vec!["户主".into()];
        new.columns.push(col("bank", ColumnKind::Text));
        let all = changes(&old, &new);
        assert_eq!(all.len(), 7, "{all:?}");
        assert!(all.iter().all(|c| !c.breaking), "{all:?}");
        assert!(all.iter().any(|c| c.message.contains("加密存储")));
        assert!(changes(&old, &old).is_empty());
    }

    #[test]
    fn what_may_invalidate_records_is_breaking() {
        let old = dibao();
        let mut new = old.clone();
        new.unit = RegisterUnit::Person;
        new.columns[3].min = Some(2.0);
        new.columns[4].options = vec!["A".into()];
        new.columns[1].personal = Personal::No;
        new.columns[2].required = true;
        new.columns.remove(0);
        new.key = vec!["head_name".into()];
        new.columns.push(ColumnDef { required: true, ..col("x", ColumnKind::Text) });
        let found = breaking(&old, &new);
        for field in [
            "unit",
            "key",
            "columns.id_number",
            "columns.head_name.personal",
            "columns.phone.required",
            "columns.members.min",
            "columns.kind.options",
            "columns.x",
        ] {
            assert!(found.contains(&field.to_owned()), "{field} missing from {found:?}");
        }
        let mut retyped = old.clone();
        retyped.columns[3].kind = ColumnKind::Decimal;
        assert_eq!(breaking(&old, &retyped), vec!["columns.members.type".to_owned()]);
    }
}

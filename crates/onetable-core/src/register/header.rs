//! A village's own Excel list matched to a register's columns: the header row found among the
//! first rows (a title such as “XX村低保户花名册” often sits above it), each header cell matched
//! by name, code or alias exactly (normalised as the duplicate guard normalises names), then by
//! the closest name above the similarity threshold. 序号, 备注 and the like are left unmatched.

use crate::similarity::{normalize, similarity, NEAR_DUPLICATE_THRESHOLD};

use super::definition::RegisterDef;

/// The pseudo-column for 村民小组 / 网格.
pub const GROUP: &str = "@group";

/// Names a village list gives its group column.
const GROUP_NAMES: [&str; 5] = ["村民小组", "组别", "所属小组", "网格", "小组"];

/// The header found: its row (0-based) and, for each of its cells, the column it names.
#[derive(Debug, Clone, PartialEq)]
pub struct HeaderMatch {
    pub row: usize,
    pub columns: Vec<Option<String>>,
}

/// The column a header text names, if any.
#[must_use]
pub fn column_for(def: &RegisterDef, header: &str) -> Option<String> {
    let wanted = normalize(header);
    if wanted.is_empty() {
        return None;
    }
    if GROUP_NAMES.iter().any(|n| normalize(n) == wanted) {
        return Some(GROUP.to_owned());
    }
    let exact = def.columns.iter().find(|c| {
        normalize(&c.name) == wanted || c.code == header.trim() || c.aliases.iter().any(|a| normalize(a) == wanted)
    });
    if let Some(column) = exact {
        return Some(column.code.clone());
    }
    def.columns
        .iter()
        .map(|c| (c, similarity(&c.name, header)))
        .filter(|(_, score)| *score >= NEAR_DUPLICATE_THRESHOLD)
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(c, _)| c.code.clone())
}

/// Finds the header among the first ten rows: the row naming the most columns (at least two, or
/// one when the register has one). A column named twice keeps its first cell.
#[must_use]
pub fn find_header(def: &RegisterDef, rows: &[Vec<String>]) -> Option<HeaderMatch> {
    let mut best: Option<(usize, HeaderMatch)> = None;
    for (row, cells) in rows.iter().enumerate().take(10) {
        let mut columns: Vec<Option<String>> = Vec::with_capacity(cells.len());
        for cell in cells {
            let column = column_for(def, cell).filter(|c| !columns.iter().any(|seen| seen.as_ref() == Some(c)));
            columns.push(column);
        }
        let named = columns.iter().flatten().count();
        if named > best.as_ref().map_or(0, |(n, _)| *n) {
            best = Some((named, HeaderMatch { row, columns }));
        }
    }
    let needed = if def.columns.len() == 1 { 1 } else { 2 };
    best.filter(|(named, _)| *named >= needed).map(|(_, found)| found)
}

#[cfg(test)]
mod tests {
    use super::super::definition::{ColumnDef, ColumnKind, Personal, RegisterUnit};
    use super::*;

    fn def() -> RegisterDef {
        let column = |code: &str, name: &str, aliases: &[&str]| ColumnDef {
            code: code.into(),
            name: name.into(),
            kind: ColumnKind::Text,
            personal: Personal::No,
            required: false,
            min: None,
            max: None,
            options: Vec::new(),
            aliases: aliases.iter().map(|a| (*a).to_owned()).collect(),
        };
        RegisterDef {
            code: "REG.DIBAO".into(),
            name: "低保户台账".into(),
            unit: RegisterUnit::Household,
            description: String::new(),
            columns: vec![
                column("head_name", "户主姓名", &["姓名"]),
                column("id_number", "户主身份证号", &["身份证号码"]),
                column("members", "保障人数", &[]),
            ],
            key: vec!["id_number".into()],
        }
    }

    #[test]
    fn the_header_is_found_below_a_title_and_matched_by_alias_and_likeness() {
        let rows = vec![
            vec!["吴家坪村低保户花名册".to_owned()],
            ["序号", "姓 名", "身份证号码", "保障 人数", "组别", "备注"].map(str::to_owned).to_vec(),
        ];
        let found = find_header(&def(), &rows).unwrap();
        assert_eq!(found.row, 1);
        let columns: Vec<Option<&str>> = found.columns.iter().map(Option::as_deref).collect();
        assert_eq!(columns, [None, Some("head_name"), Some("id_number"), Some("members"), Some(GROUP), None]);
        assert_eq!(column_for(&def(), "享受保障人数").as_deref(), Some("members"));
        assert!(find_header(&def(), &[vec!["甲".to_owned(), "乙".to_owned()]]).is_none());
    }
}

//! A county's staff sheet (人员名单) as rows of accounts: its header names the columns in
//! Chinese or English, in any order; each row is one person.

use onetable_core::Role;

/// One column of the sheet, by what it holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    Username,
    DisplayName,
    Role,
    Region,
    Department,
    Phone,
}

impl Column {
    pub const ALL: [Self; 6] =
        [Self::Username, Self::DisplayName, Self::Role, Self::Region, Self::Department, Self::Phone];

    /// The field name in the API and in refusals.
    #[must_use]
    pub fn field(self) -> &'static str {
        match self {
            Self::Username => "username",
            Self::DisplayName => "display_name",
            Self::Role => "role",
            Self::Region => "region",
            Self::Department => "department",
            Self::Phone => "phone",
        }
    }

    /// The header the template writes.
    #[must_use]
    pub fn header_zh(self) -> &'static str {
        match self {
            Self::Username => "用户名",
            Self::DisplayName => "姓名",
            Self::Role => "角色",
            Self::Region => "所辖地区",
            Self::Department => "部门",
            Self::Phone => "电话",
        }
    }

    /// The headers people write for it (besides the field name itself).
    fn aliases(self) -> &'static [&'static str] {
        match self {
            Self::Username => &["用户名", "账号", "帐号", "登录名", "登录账号"],
            Self::DisplayName => &["姓名", "名字", "显示名", "名称"],
            Self::Role => &["角色", "岗位", "身份"],
            Self::Region => &["所辖地区", "所辖区划", "区划", "区划代码", "地区", "村", "所属村", "所属地区", "辖区"],
            Self::Department => &["部门", "单位", "所属部门"],
            Self::Phone => &["电话", "手机", "手机号", "手机号码", "联系电话"],
        }
    }

    fn of_header(header: &str) -> Option<Self> {
        let header: String = header.chars().filter(|c| !c.is_whitespace() && *c != '*').collect();
        let header = header.trim_end_matches(['（', '(']).to_lowercase();
        let base = header.split(['（', '(']).next().unwrap_or_default();
        Self::ALL.into_iter().find(|c| c.field() == base || c.aliases().contains(&base))
    }
}

/// One person's row, as written (trimmed; empty cells are `None`).
#[derive(Debug, Clone, Default)]
pub struct StaffRow {
    /// The row's number in the sheet (the header is row 1).
    pub line: usize,
    pub username: Option<String>,
    pub display_name: Option<String>,
    pub role: Option<String>,
    pub region: Option<String>,
    pub department: Option<String>,
    pub phone: Option<String>,
}

impl StaffRow {
    fn set(&mut self, column: Column, value: String) {
        let value = Some(value.trim().to_owned()).filter(|v| !v.is_empty());
        match column {
            Column::Username => self.username = value,
            Column::DisplayName => self.display_name = value,
            Column::Role => self.role = value,
            Column::Region => self.region = value,
            Column::Department => self.department = value,
            Column::Phone => self.phone = value,
        }
    }

    fn is_blank(&self) -> bool {
        [&self.username, &self.display_name, &self.role, &self.region, &self.department, &self.phone]
            .iter()
            .all(|v| v.is_none())
    }
}

/// Why a sheet cannot be read as a staff list at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SheetProblem {
    Empty,
    /// The columns every row needs that the header lacks.
    MissingColumns(Vec<Column>),
    TooManyRows(usize),
}

/// The most accounts one sheet may create: a province's clerks come county by county.
pub const MAX_ROWS: usize = 5_000;

/// The rows of a staff sheet, blank rows skipped.
///
/// # Errors
/// An empty sheet, a header without 用户名/角色/所辖地区, more than [`MAX_ROWS`] people.
pub fn staff_rows(table: &[Vec<String>]) -> Result<Vec<StaffRow>, SheetProblem> {
    let Some(header) = table.first() else {
        return Err(SheetProblem::Empty);
    };
    let columns: Vec<Option<Column>> = header.iter().map(|h| Column::of_header(h)).collect();
    let missing: Vec<Column> = [Column::Username, Column::Role, Column::Region]
        .into_iter()
        .filter(|needed| !columns.contains(&Some(*needed)))
        .collect();
    if !missing.is_empty() {
        return Err(SheetProblem::MissingColumns(missing));
    }
    let mut rows = Vec::new();
    for (index, cells) in table.iter().enumerate().skip(1) {
        let mut row = StaffRow { line: index + 1, ..StaffRow::default() };
        for (cell, column) in cells.iter().zip(&columns) {
            if let Some(column) = column {
                row.set(*column, cell.clone());
            }
        }
        if !row.is_blank() {
            rows.push(row);
        }
        if rows.len() > MAX_ROWS {
            return Err(SheetProblem::TooManyRows(table.len() - 1));
        }
    }
    Ok(rows)
}

/// A role as a sheet writes it: `clerk`, 村级填报员, 填报员, 审核员 …
#[must_use]
pub fn role_of(text: &str) -> Option<Role> {
    let text = text.trim();
    if let Ok(role) = text.to_lowercase().parse::<Role>() {
        return Some(role);
    }
    let by_name = [
        (Role::Clerk, &["村级填报员", "填报员", "村填报员", "信息员"][..]),
        (Role::Reviewer, &["乡镇审核员", "审核员", "县级审核员"][..]),
        (Role::Admin, &["管理员", "系统管理员"][..]),
        (Role::Viewer, &["看板用户", "查看者", "看板", "领导"][..]),
        (Role::Department, &["部门用户", "部门"][..]),
        (Role::Auditor, &["审计员"][..]),
    ];
    by_name.into_iter().find(|(_, names)| names.contains(&text)).map(|(role, _)| role)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(rows: &[&[&str]]) -> Vec<Vec<String>> {
        rows.iter().map(|r| r.iter().map(|c| (*c).to_owned()).collect()).collect()
    }

    #[test]
    fn headers_in_chinese_or_english_in_any_order() {
        let rows = staff_rows(&table(&[
            &["所辖地区", "姓名", "用户名*", "角色", "手机号码"],
            &["敬南镇/吴家坪村", "张三", "zhangsan", "填报员", "13800000000"],
            &["", "", "", "", ""],
            &["5223", "李四", "lisi", "admin", ""],
        ]))
        .unwrap();
        assert_eq!(rows.len(), 2, "the blank row is skipped");
        assert_eq!(rows[0].username.as_deref(), Some("zhangsan"));
        assert_eq!(rows[0].region.as_deref(), Some("敬南镇/吴家坪村"));
        assert_eq!(rows[0].phone.as_deref(), Some("13800000000"));
        assert_eq!(rows[1].line, 4, "lines count the header and the blank row");
        assert_eq!(rows[1].phone, None);
    }

    #[test]
    fn a_header_without_the_needed_columns_is_refused() {
        let missing = staff_rows(&table(&[&["姓名", "电话"], &["张三", "1"]])).unwrap_err();
        assert_eq!(missing, SheetProblem::MissingColumns(vec![Column::Username, Column::Role, Column::Region]));
        assert_eq!(staff_rows(&[]).unwrap_err(), SheetProblem::Empty);
    }

    #[test]
    fn roles_by_code_or_by_name() {
        assert_eq!(role_of("clerk"), Some(Role::Clerk));
        assert_eq!(role_of(" 村级填报员 "), Some(Role::Clerk));
        assert_eq!(role_of("Reviewer"), Some(Role::Reviewer));
        assert_eq!(role_of("看板用户"), Some(Role::Viewer));
        assert_eq!(role_of("村长"), None);
    }
}

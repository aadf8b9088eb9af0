//! Accounts in bulk (批量导入账户): a county's staff sheet, one row per person, checked row by row
//! against the same rules as one account made in the users page; a dry run answers every row's
//! outcome and changes nothing; the real run creates all the new accounts or none, and is
//! idempotent by username (a row whose account already exists as written is `unchanged`). Each
//! new account gets a one-time password, answered once to the admin who ran the import and kept
//! only as a hash; the person must replace it at the first sign-in.

pub mod initial;
pub mod places;
pub mod sheet;
pub mod template;

use std::collections::HashMap;

use onetable_core::{RegionCode, Role};
use onetable_store::identity::{self, NewUser, UserRow};
use serde::Serialize;
use utoipa::ToSchema;

use super::{admin_may_assign, validate, AccountSpec};
use crate::actor::{Actor, SubjectKind};
use crate::imports::{read_table, FileFormat, Limits};
use crate::problem::{AppResult, Problem};
use crate::App;
use places::{PlaceProblem, Places};
use sheet::{Column, SheetProblem, StaffRow};

/// What became, or would become, of one row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RowOutcome {
    /// A new account (in a dry run: would be).
    Created,
    /// The account exists already, as the row writes it.
    Unchanged,
    /// The row cannot be imported; `problems` says why, at its columns.
    Refused,
}

/// One refusal at a row's column.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RowProblem {
    /// The field (`username`, `role`, `region`, `department`, `phone`, `display_name`).
    pub field: String,
    /// The sheet's column header for it, e.g. 所辖地区.
    pub column: String,
    pub code: String,
    pub message: String,
}

/// One row of the sheet and its outcome.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AccountRow {
    /// The row's number in the sheet (the header is row 1).
    pub row: usize,
    pub username: Option<String>,
    pub display_name: Option<String>,
    #[schema(example = "clerk")]
    pub role: Option<String>,
    /// The region the row resolved to (12 digits).
    pub region: Option<String>,
    pub region_name: Option<String>,
    pub outcome: RowOutcome,
    pub problems: Vec<RowProblem>,
}

/// A new account's one-time password: shown to the importing admin once, never stored in clear.
#[derive(Clone, Serialize, ToSchema)]
pub struct InitialPassword {
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub region: Option<String>,
    pub region_name: Option<String>,
    pub password: String,
}

impl std::fmt::Debug for InitialPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InitialPassword").field("username", &self.username).finish_non_exhaustive()
    }
}

/// The answer to a staff sheet.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AccountImport {
    pub dry_run: bool,
    pub total: usize,
    pub created: usize,
    pub unchanged: usize,
    pub refused: usize,
    pub rows: Vec<AccountRow>,
    /// The real run only: each new account's one-time password, in the sheet's order. This is
    /// the only time they are shown.
    pub initial_passwords: Vec<InitialPassword>,
}

impl AccountImport {
    /// The 422 of a real run with refused rows: nothing was created.
    fn rejection(&self) -> Problem {
        let mut error = Problem::unprocessable(
            "import_rejected",
            format!("名单中有 {} 行不能导入，整个名单未导入；请按提示修改后重新上传", self.refused),
        );
        for row in self.rows.iter().filter(|r| r.outcome == RowOutcome::Refused) {
            for p in &row.problems {
                error = error.with_detail(
                    Some(&p.field),
                    &p.code,
                    format!("第 {} 行 {}：{}", row.row, p.column, p.message),
                );
            }
        }
        error
    }
}

/// A staff sheet's cells are few: bounded well below a value import's.
fn sheet_limits(app: &App) -> Limits {
    Limits { cells: 100_000, area: 400_000, ..app.table_limits }
}

fn unreadable_sheet(problem: SheetProblem) -> Problem {
    match problem {
        SheetProblem::Empty => Problem::unprocessable(
            "unreadable_file",
            "名单是空的：第一行应为表头（用户名、姓名、角色、所辖地区、部门、电话）",
        ),
        SheetProblem::MissingColumns(columns) => {
            let names: Vec<&str> = columns.iter().map(|c| c.header_zh()).collect();
            let mut error = Problem::unprocessable(
                "unreadable_file",
                format!("名单的表头缺少：{}（请下载模板对照）", names.join("、")),
            );
            for column in columns {
                error = error.with_detail(
                    Some(column.field()),
                    "missing_column",
                    format!("缺少“{}”列", column.header_zh()),
                );
            }
            error
        }
        SheetProblem::TooManyRows(rows) => Problem::too_large(
            "file_too_large",
            format!("名单有 {rows} 行，一次最多导入 {} 个账户，请分开上传", sheet::MAX_ROWS),
        ),
    }
}

/// Imports a staff sheet (or, with `dry_run`, says what it would do).
///
/// # Errors
/// 403 not an admin; 413 a sheet beyond the limits; 422 an unreadable sheet, or (real run) any
/// refused row — then nothing is created.
pub async fn import(
    app: &App,
    actor: &Actor,
    format: FileFormat,
    bytes: Vec<u8>,
    dry_run: bool,
) -> AppResult<AccountImport> {
    app.authorize(actor, "users.import", None, actor.require_role(&[Role::Admin])).await?;
    let limits = sheet_limits(app);
    let table = app.compute(move || read_table(&bytes, format, &limits)).await?;
    let rows = sheet::staff_rows(&table).map_err(unreadable_sheet)?;
    let checker = actor.clone();
    let (mut report, specs) = app.run(move |conn| check_rows(conn, &checker, rows, dry_run)).await?;
    if dry_run {
        return Ok(report);
    }
    if report.refused > 0 {
        app.audit(actor.event("users.import", None, "failure")).await?;
        return Err(report.rejection());
    }
    let passwords: Vec<String> = specs.iter().map(|(spec, _)| initial::fresh(&spec.username)).collect();
    let to_hash = passwords.clone();
    let hashes = app.compute(move || initial::hash_all(&to_hash)).await?;
    let now = chrono::Utc::now().naive_utc();
    let new_users: Vec<NewUser> =
        specs.iter().zip(hashes).map(|((spec, name), hash)| spec.row(name.clone(), hash, now)).collect();
    let (importer, count) = (actor.clone(), new_users.len());
    app.write(move |conn| {
        for user in &new_users {
            if identity::find_user_any_case(conn, &user.username)?.is_some() {
                return Err(Problem::conflict(
                    "username_taken",
                    format!("用户名 {} 刚被另一次操作占用，请重新导入", user.username),
                ));
            }
            identity::insert_user(conn, user).map_err(Problem::internal)?;
            let mut event = importer.event("users.create", Some(user.username.clone()), "success");
            event.detail =
                Some(format!("role={} region={} via=import", user.role, user.region_code.as_deref().unwrap_or("-")));
            onetable_store::audit::record(conn, &event)?;
        }
        let mut event = importer.event("users.import", None, "success");
        event.detail = Some(format!("created={count}"));
        onetable_store::audit::record(conn, &event)?;
        Ok(())
    })
    .await?;
    let names: HashMap<&str, &AccountRow> =
        report.rows.iter().filter_map(|r| r.username.as_deref().map(|u| (u, r))).collect();
    let initial_passwords = specs
        .iter()
        .zip(passwords)
        .map(|((spec, display_name), password)| {
            let row = names.get(spec.username.as_str());
            InitialPassword {
                username: spec.username.clone(),
                display_name: display_name.clone(),
                role: spec.role.as_str().to_owned(),
                region: spec.region.map(|r| r.to_string()),
                region_name: row.and_then(|r| r.region_name.clone()),
                password,
            }
        })
        .collect();
    report.initial_passwords = initial_passwords;
    Ok(report)
}

/// The template of a staff sheet, its example village one in the admin's scope.
///
/// # Errors
/// 403 not an admin.
pub async fn staff_template(app: &App, actor: &Actor) -> AppResult<Vec<u8>> {
    app.authorize(actor, "users.import", None, actor.require_role(&[Role::Admin])).await?;
    app.compute(|| template::staff_template("敬南镇/吴家坪村")).await
}

/// Every row checked; the accounts to create with their display names.
fn check_rows(
    conn: &mut onetable_store::DbConn,
    actor: &Actor,
    rows: Vec<StaffRow>,
    dry_run: bool,
) -> AppResult<(AccountImport, Vec<(AccountSpec, String)>)> {
    let mut places = Places::within(actor.scope.region());
    let mut first_line: HashMap<String, usize> = HashMap::new();
    let mut out = Vec::with_capacity(rows.len());
    let mut specs = Vec::new();
    for row in rows {
        let mut checked = RowCheck::new(&row);
        let role = checked.role(&row);
        let region = checked.region(conn, &mut places, &row)?;
        let username = row.username.clone().unwrap_or_default();
        if let Some(first) = first_line.get(&username.to_ascii_lowercase()) {
            checked.refuse(Column::Username, "duplicate_username", format!("与第 {first} 行的用户名重复"));
        } else if !username.is_empty() {
            first_line.insert(username.to_ascii_lowercase(), row.line);
        }
        if let (Some(role), false) = (role, checked.refused_at(Column::Region)) {
            let spec = AccountSpec {
                username: username.clone(),
                role,
                region: region.as_ref().and_then(|r| RegionCode::parse(&r.code).ok()),
                department: row.department.clone(),
                phone: row.phone.clone(),
                password_issued: true,
            };
            checked.rules(actor, &spec);
            if !checked.refused() {
                match identity::find_user_any_case(conn, &username)? {
                    Some(existing)
                        if same_account(&existing, &spec, &row) && super::admin_may_manage(actor, &existing) =>
                    {
                        checked.outcome = RowOutcome::Unchanged;
                    }
                    Some(_) => checked.refuse(
                        Column::Username,
                        "username_taken",
                        "用户名已被另一个账户使用（或已有账户的角色、地区与表中不同），请换一个用户名",
                    ),
                    None => specs.push((spec, row.display_name.clone().unwrap_or_else(|| username.clone()))),
                }
            }
        }
        out.push(checked.finish(&row, role, region));
    }
    if out.iter().any(|r| r.outcome == RowOutcome::Refused) {
        specs.clear();
    }
    let count = |outcome| out.iter().filter(|r| r.outcome == outcome).count();
    let report = AccountImport {
        dry_run,
        total: out.len(),
        created: count(RowOutcome::Created),
        unchanged: count(RowOutcome::Unchanged),
        refused: count(RowOutcome::Refused),
        rows: out,
        initial_passwords: Vec::new(),
    };
    Ok((report, specs))
}

/// Whether the stored account is what the row writes (fields the row leaves empty are not
/// compared): importing the same sheet twice changes nothing.
fn same_account(existing: &UserRow, spec: &AccountSpec, row: &StaffRow) -> bool {
    existing.username == spec.username
        && existing.role == spec.role.as_str()
        && existing.region_code == spec.region.map(|r| r.to_string())
        && (row.department.is_none() || existing.department == spec.department)
        && row.display_name.as_ref().is_none_or(|name| *name == existing.display_name)
        && (row.phone.is_none() || existing.phone == spec.phone)
}

/// One row's checks as they accumulate.
struct RowCheck {
    outcome: RowOutcome,
    problems: Vec<RowProblem>,
}

impl RowCheck {
    fn new(row: &StaffRow) -> Self {
        let mut check = Self { outcome: RowOutcome::Created, problems: Vec::new() };
        for (column, value) in
            [(Column::Username, &row.username), (Column::Role, &row.role), (Column::Region, &row.region)]
        {
            if value.is_none() {
                check.refuse(column, "required", format!("请填写{}", column.header_zh()));
            }
        }
        check
    }

    fn refuse(&mut self, column: Column, code: &str, message: impl Into<String>) {
        self.outcome = RowOutcome::Refused;
        self.problems.push(RowProblem {
            field: column.field().to_owned(),
            column: column.header_zh().to_owned(),
            code: code.to_owned(),
            message: message.into(),
        });
    }

    fn refused(&self) -> bool {
        self.outcome == RowOutcome::Refused
    }

    fn refused_at(&self, column: Column) -> bool {
        self.problems.iter().any(|p| p.field == column.field())
    }

    fn role(&mut self, row: &StaffRow) -> Option<Role> {
        let text = row.role.as_deref()?;
        let role = sheet::role_of(text);
        if role.is_none() {
            self.refuse(
                Column::Role,
                "unknown_role",
                format!("角色“{text}”不存在：可填 村级填报员、乡镇审核员、管理员、看板用户、部门用户"),
            );
        }
        role
    }

    fn region(
        &mut self,
        conn: &mut onetable_store::DbConn,
        places: &mut Places,
        row: &StaffRow,
    ) -> AppResult<Option<onetable_store::models::RegionRow>> {
        let Some(text) = row.region.as_deref() else { return Ok(None) };
        Ok(match places.resolve(conn, text)? {
            Ok(region) => Some(region),
            Err(PlaceProblem::Unknown) => {
                self.refuse(
                    Column::Region,
                    "unknown_region",
                    format!("在您的管辖范围内找不到“{text}”：请填写 12 位区划代码，或“乡镇/村”这样的名称"),
                );
                None
            }
            Err(PlaceProblem::Ambiguous(candidates)) => {
                self.refuse(
                    Column::Region,
                    "ambiguous_region",
                    format!(
                        "“{text}”对应多个地区：{}；请写上所属乡镇（如 乡镇/村）或填写区划代码",
                        candidates.join("、")
                    ),
                );
                None
            }
        })
    }

    /// The rules one account made in the users page meets: fields, and what this admin may grant.
    fn rules(&mut self, actor: &Actor, spec: &AccountSpec) {
        if let Err(problem) = validate(spec, None) {
            for detail in problem.details() {
                let column = Column::ALL
                    .into_iter()
                    .find(|c| Some(c.field()) == detail.field.as_deref())
                    .unwrap_or(Column::Username);
                self.refuse(column, &detail.code, detail.message.clone());
            }
        }
        if actor.kind == SubjectKind::Operator {
            return;
        }
        if let Err(problem) = admin_may_assign(actor, spec.role, spec.region) {
            let column = if problem.code() == "out_of_scope" { Column::Region } else { Column::Role };
            self.refuse(column, problem.code(), problem.message().to_owned());
        }
    }

    fn finish(
        self,
        row: &StaffRow,
        role: Option<Role>,
        region: Option<onetable_store::models::RegionRow>,
    ) -> AccountRow {
        AccountRow {
            row: row.line,
            username: row.username.clone(),
            display_name: row.display_name.clone(),
            role: role.map(|r| r.as_str().to_owned()),
            region: region.as_ref().map(|r| r.code.clone()),
            region_name: region.map(|r| r.name),
            outcome: self.outcome,
            problems: self.problems,
        }
    }
}

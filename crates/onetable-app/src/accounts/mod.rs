//! Creating and changing user accounts: the rules the API and the CLI share.

pub mod admin;
pub mod bulk;
pub mod clients;
pub mod hashing;
pub mod operator;
pub mod password_rules;
pub mod passwords;
pub mod sessions;
pub mod standing;

use chrono::NaiveDateTime;
use onetable_core::{password, RegionCode, Role};
use onetable_store::identity::{self, NewUser, UserRow};
use onetable_store::{regions, DbConn};

use crate::actor::Actor;
use crate::problem::Problem;

/// What an account is to be: checked by [`validate`] before anything is stored.
#[derive(Debug, Clone)]
pub struct AccountSpec {
    pub username: String,
    pub role: Role,
    pub region: Option<RegionCode>,
    pub department: Option<String>,
    /// A mobile or landline number (digits, `+`, `-`, spaces), for whoever chases the account's
    /// village.
    pub phone: Option<String>,
    /// Someone else chose the password (an admin, the operator, a bulk import): the person must
    /// choose its own at the next sign-in.
    pub password_issued: bool,
}

impl AccountSpec {
    /// The stored row of a new account with this spec, its password already hashed.
    #[must_use]
    pub fn row(&self, display_name: String, password_hash: String, now: NaiveDateTime) -> NewUser {
        NewUser {
            username: self.username.clone(),
            display_name,
            role: self.role.as_str().to_owned(),
            region_code: self.region.map(|r| r.to_string()),
            department: self.department.clone(),
            password_hash,
            disabled: false,
            failed_logins: 0,
            password_changed_at: now,
            created_at: now,
            updated_at: now,
            must_change_password: self.password_issued,
            phone: self.phone.clone(),
        }
    }
}

/// Collects every problem with an account's fields (and a new password, if any) as one 422.
///
/// # Errors
/// `validation_failed` with one detail per problem.
pub fn validate(spec: &AccountSpec, new_password: Option<&str>) -> Result<(), Problem> {
    let mut error = Problem::unprocessable("validation_failed", "用户信息不符合要求，请按提示修改");
    let name = &spec.username;
    let name_ok = (3..=64).contains(&name.len())
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    if !name_ok {
        error = error.with_detail(
            Some("username"),
            "invalid_username",
            "用户名须为 3–64 个字母、数字、点、下划线或连字符（中文姓名请填写 display_name）",
        );
    }
    match spec.region {
        None if !spec.role.may_be_nationwide() => {
            error = error.with_detail(Some("region"), "required", format!("{}必须指定所辖区划", spec.role.label_zh()));
        }
        Some(region) if !spec.role.scope_levels().contains(&region.level()) => {
            let levels: Vec<&str> = spec.role.scope_levels().iter().map(|l| l.as_str()).collect();
            error = error.with_detail(
                Some("region"),
                "region_level_not_allowed",
                format!("{}的区划级别须为：{}", spec.role.label_zh(), levels.join("、")),
            );
        }
        _ => {}
    }
    let has_department = spec.department.as_deref().is_some_and(|d| !d.trim().is_empty());
    if spec.role.needs_department() && !has_department {
        error = error.with_detail(Some("department"), "required", "部门用户必须指定所属部门");
    }
    if let Some(phone) = spec.phone.as_deref() {
        if !phone_ok(phone) {
            error = error.with_detail(Some("phone"), "invalid_phone", "电话须为 5–20 位数字（可含 +、- 和空格）");
        }
    }
    if let Some(password) = new_password {
        for problem in password::check(&spec.username, password) {
            error = error.with_detail(Some("password"), problem.code(), problem.to_string());
        }
    }
    if error.has_details() {
        Err(error)
    } else {
        Ok(())
    }
}

/// A phone number as a staff sheet writes one: 13800000000, 0859-3221234, +86 138 0000 0000.
fn phone_ok(phone: &str) -> bool {
    let digits = phone.chars().filter(char::is_ascii_digit).count();
    (5..=20).contains(&digits) && phone.chars().all(|c| c.is_ascii_digit() || matches!(c, '+' | '-' | ' '))
}

/// Whether an admin may give an account this role and region: inside its own scope, never an
/// auditor (auditors are created by the operator, so admins cannot appoint those who watch them),
/// and another admin only below its own level — unless the admin is province-level.
///
/// # Errors
/// 403 `forbidden` or `out_of_scope`.
pub fn admin_may_assign(admin: &Actor, role: Role, region: Option<RegionCode>) -> Result<(), Problem> {
    if role == Role::Auditor {
        return Err(Problem::forbidden("forbidden", "审计员账户只能由运维人员通过命令行创建"));
    }
    let Some(region) = region else {
        return Err(Problem::forbidden("forbidden", "全国范围的账户只能由运维人员通过命令行创建"));
    };
    admin.require_write(region)?;
    // A nationwide admin may make admins of any region.
    if let Some(scope) = admin.scope.region() {
        if role == Role::Admin
            && region.level() <= scope.level()
            && scope.level() != onetable_core::RegionLevel::Province
        {
            return Err(Problem::forbidden("forbidden", "只能创建比自己级别低的管理员（省级管理员除外）"));
        }
    }
    Ok(())
}

/// Whether an admin may see and change an existing account.
#[must_use]
pub fn admin_may_manage(admin: &Actor, user: &UserRow) -> bool {
    let region = user.region_code.as_deref().and_then(|r| RegionCode::parse(r).ok());
    let role = user.role.parse().unwrap_or(Role::Auditor);
    admin_may_assign(admin, role, region).is_ok() || user.username == admin.subject
}

/// Stores a new account after checking that its region exists and its username is free.
///
/// # Errors
/// 422 for an unknown region, 409 for a taken username, 500 on a database fault.
pub fn create(
    conn: &mut DbConn,
    spec: &AccountSpec,
    password: &str,
    display_name: Option<String>,
    now: NaiveDateTime,
) -> Result<UserRow, Problem> {
    if let Some(region) = spec.region {
        if regions::find(conn, region)?.is_none() {
            return Err(Problem::unprocessable("validation_failed", "所辖区划不存在").with_detail(
                Some("region"),
                "unknown_region",
                format!("区划 {region} 不存在，请先导入区划"),
            ));
        }
    }
    if identity::find_user_any_case(conn, &spec.username)?.is_some() {
        return Err(Problem::conflict("username_taken", format!("用户名 {} 已被使用", spec.username)));
    }
    let password_hash = hashing::hash(password).map_err(Problem::internal)?;
    identity::insert_user(conn, &spec.row(display_name.unwrap_or_else(|| spec.username.clone()), password_hash, now))
        .map_err(|e| {
            // Two admins racing for the same name: the index decides.
            if is_unique_violation(&e) {
                Problem::conflict("username_taken", format!("用户名 {} 已被使用", spec.username))
            } else {
                Problem::internal(e)
            }
        })
}

fn is_unique_violation(e: &onetable_store::diesel_error::Error) -> bool {
    matches!(
        e,
        onetable_store::diesel_error::Error::DatabaseError(
            onetable_store::diesel_error::DatabaseErrorKind::UniqueViolation,
            _
        )
    )
}

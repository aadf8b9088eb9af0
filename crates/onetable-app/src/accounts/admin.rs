//! Admins manage the accounts inside their scope (用户管理): create, read, list, change — never
//! above their scope, another admin only below their own level unless province-level, and never
//! an auditor. Every change is audited.

use chrono::NaiveDateTime;
use onetable_core::{RegionCode, Role};
use onetable_store::identity::{self, UserChanges, UserRow};
use serde::Serialize;
use utoipa::ToSchema;

use super::{admin_may_assign, admin_may_manage, create as store_account, hashing, validate, AccountSpec};
use crate::actor::Actor;
use crate::input::region_code;
use crate::paging::Page;
use crate::problem::{AppResult, Problem};
use crate::App;

/// An account as admins see it (never the password hash).
#[derive(Debug, Serialize, ToSchema)]
pub struct User {
    pub username: String,
    pub display_name: String,
    #[schema(example = "clerk")]
    pub role: String,
    pub region: Option<String>,
    /// The region's name (in the list; absent where a single account is answered).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region_name: Option<String>,
    pub department: Option<String>,
    pub phone: Option<String>,
    pub disabled: bool,
    /// Temporarily locked after repeated failed logins.
    pub locked: bool,
    /// The person must choose a new password at the next sign-in (an admin chose this one).
    pub must_change_password: bool,
    #[serde(serialize_with = "crate::time::utc")]
    pub password_changed_at: NaiveDateTime,
    #[serde(serialize_with = "crate::time::utc")]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "crate::time::utc")]
    pub updated_at: NaiveDateTime,
}

impl From<UserRow> for User {
    fn from(row: UserRow) -> Self {
        let now = chrono::Utc::now().naive_utc();
        Self {
            locked: row.locked_until.is_some_and(|until| until > now),
            username: row.username,
            display_name: row.display_name,
            role: row.role,
            region: row.region_code,
            region_name: None,
            department: row.department,
            phone: row.phone,
            disabled: row.disabled,
            must_change_password: row.must_change_password,
            password_changed_at: row.password_changed_at,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

/// One page of accounts.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserPage {
    pub items: Vec<User>,
    pub total: i64,
    pub limit: i64,
    pub offset: i64,
}

/// The 404 of an account the admin does not manage (or that does not exist).
#[must_use]
pub fn user_not_found(username: &str) -> Problem {
    Problem::not_found("user_not_found", format!("用户 {username} 不存在"))
}

/// A role from the input, or a 422 naming the field.
///
/// # Errors
/// For an unknown role.
pub fn parse_role(text: &str) -> AppResult<Role> {
    text.parse().map_err(|e: onetable_core::role::UnknownRole| {
        Problem::unprocessable("validation_failed", "用户信息不符合要求，请按提示修改").with_detail(
            Some("role"),
            "unknown_role",
            e.to_string(),
        )
    })
}

/// A new account, as the admin wrote it.
#[derive(Debug, Clone)]
pub struct NewAccount {
    pub username: String,
    pub password: String,
    pub role: String,
    pub region: Option<String>,
    pub department: Option<String>,
    pub display_name: Option<String>,
    pub phone: Option<String>,
}

/// An admin creates an account inside its scope.
///
/// # Errors
/// 403 not an admin or outside its scope or level, 400 a bad region code, 422 fields or password
/// refused, 409 the username (in any case) taken.
pub async fn create(app: &App, actor: &Actor, new: NewAccount) -> AppResult<User> {
    app.authorize(actor, "users.create", Some(new.username.clone()), actor.require_role(&[Role::Admin])).await?;
    let region = new.region.as_deref().map(|r| region_code(r, "region")).transpose()?;
    let spec = AccountSpec {
        username: new.username.trim().to_owned(),
        role: parse_role(&new.role)?,
        region,
        department: new.department.map(|d| d.trim().to_owned()).filter(|d| !d.is_empty()),
        phone: new.phone.map(|p| p.trim().to_owned()).filter(|p| !p.is_empty()),
        password_issued: true,
    };
    validate(&spec, Some(&new.password))?;
    let decision = admin_may_assign(actor, spec.role, spec.region);
    app.authorize(actor, "users.create", Some(spec.username.clone()), decision).await?;
    let now = chrono::Utc::now().naive_utc();
    let (password, display_name, for_db) = (new.password, new.display_name, spec.clone());
    let user = app.run(move |conn| store_account(conn, &for_db, &password, display_name, now)).await?;
    let mut event = actor.event("users.create", Some(spec.username), "success");
    event.detail = Some(format!("role={} region={}", user.role, user.region_code.as_deref().unwrap_or("-")));
    app.audit(event).await?;
    Ok(User::from(user))
}

/// The stored account, if the admin manages it (404 otherwise).
async fn managed(app: &App, actor: &Actor, username: String) -> AppResult<UserRow> {
    let admin = actor.clone();
    app.run(move |conn| {
        identity::find_user(conn, &username)?
            .filter(|user| admin_may_manage(&admin, user))
            .ok_or_else(|| user_not_found(&username))
    })
    .await
}

/// An account the admin manages.
///
/// # Errors
/// 403 not an admin, 404 not one it manages.
pub async fn get(app: &App, actor: &Actor, username: String) -> AppResult<User> {
    app.authorize(actor, "users.read", Some(username.clone()), actor.require_role(&[Role::Admin])).await?;
    Ok(User::from(managed(app, actor, username).await?))
}

/// Which accounts a list shows: of a role, inside a region, whose username or name contains a
/// text — each optional.
#[derive(Debug, Clone, Default)]
pub struct UserQuery {
    pub role: Option<String>,
    pub within: Option<String>,
    pub text: Option<String>,
}

/// Accounts scoped inside the admin's region (or `within` it), by username.
///
/// # Errors
/// 403 not an admin, 400/422 bad parameters, 404 `within` outside the scope.
pub async fn list(
    app: &App,
    actor: &Actor,
    ask: UserQuery,
    (limit, offset): (Option<i64>, Option<i64>),
) -> AppResult<UserPage> {
    let UserQuery { role, within, text } = ask;
    let text = text.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty());
    app.authorize(actor, "users.list", None, actor.require_role(&[Role::Admin])).await?;
    let page = Page::new(limit, offset)?;
    let role = role.as_deref().map(parse_role).transpose()?;
    // A nationwide admin lists everyone unless it names a region.
    let within = match within.as_deref() {
        Some(text) => {
            let code = region_code(text, "within")?;
            actor.require_read(code)?;
            Some(code)
        }
        None => actor.scope.region(),
    };
    let range = within.map(|w| (w.to_string(), w.descendant_upper_bound()));
    let (rows, total, names) = app
        .run(move |conn| {
            let (rows, total) =
                identity::list_users(conn, range, role.map(Role::as_str), text.as_deref(), (page.limit, page.offset))?;
            let names = crate::regions::names::names(conn, rows.iter().filter_map(|r| r.region_code.as_deref()))?;
            Ok((rows, total, names))
        })
        .await?;
    let items = rows
        .into_iter()
        .map(|row| {
            let mut user = User::from(row);
            user.region_name = user.region.as_ref().and_then(|code| names.get(code).cloned());
            user
        })
        .collect();
    Ok(UserPage { items, total, limit: page.limit, offset: page.offset })
}

/// What an admin changes about an account: only the fields present.
#[derive(Debug, Clone, Default)]
pub struct AccountChange {
    pub display_name: Option<String>,
    pub role: Option<String>,
    pub region: Option<String>,
    pub department: Option<String>,
    pub disabled: Option<bool>,
    pub password: Option<String>,
    /// An empty text clears it.
    pub phone: Option<String>,
}

/// An admin changes an account it manages (same rules as creating one). A new password, or
/// enabling, also lifts a lockout; a role, scope, department, password or enabled change ends the
/// account's sessions.
///
/// # Errors
/// 403, 404, 400/422 as [`create`].
pub async fn update(app: &App, actor: &Actor, username: String, change: AccountChange) -> AppResult<User> {
    app.authorize(actor, "users.update", Some(username.clone()), actor.require_role(&[Role::Admin])).await?;
    let current = managed(app, actor, username.clone()).await?;
    let region = match change.region.as_deref() {
        Some(text) => Some(region_code(text, "region")?),
        None => current.region_code.as_deref().and_then(|r| RegionCode::parse(r).ok()),
    };
    let spec = AccountSpec {
        username: current.username.clone(),
        role: match change.role.as_deref() {
            Some(role) => parse_role(role)?,
            None => parse_role(&current.role)?,
        },
        region,
        department: change.department.clone().or_else(|| current.department.clone()),
        phone: change.phone.clone().or_else(|| current.phone.clone()).filter(|p| !p.trim().is_empty()),
        password_issued: change.password.is_some(),
    };
    validate(&spec, change.password.as_deref())?;
    if change.role.is_some() || change.region.is_some() {
        let decision = admin_may_assign(actor, spec.role, spec.region);
        app.authorize(actor, "users.update", Some(username.clone()), decision).await?;
    }
    let now = chrono::Utc::now().naive_utc();
    let mut changes = UserChanges {
        display_name: change.display_name,
        role: change.role.map(|_| spec.role.as_str().to_owned()),
        region_code: change.region.map(|_| spec.region.map(|r| r.to_string())),
        department: change.department.map(Some),
        disabled: change.disabled,
        phone: change.phone.map(|_| spec.phone.clone()),
        updated_at: Some(now),
        ..UserChanges::default()
    };
    if let Some(new_password) = &change.password {
        changes.password_hash = Some(hashing::hash(new_password).map_err(Problem::internal)?);
        changes.password_changed_at = Some(now);
        // A password an admin chose is the person's to replace at the next sign-in.
        changes.must_change_password = Some(true);
    }
    if change.password.is_some() || change.disabled == Some(false) {
        changes.failed_logins = Some(0);
        changes.locked_until = Some(None);
    }
    let (id, name) = (current.id, username.clone());
    let updated = app
        .run(move |conn| {
            if let Some(region) = spec.region.filter(|_| changes.region_code.is_some()) {
                if onetable_store::regions::find(conn, region)?.is_none() {
                    return Err(Problem::unprocessable("validation_failed", "所辖区划不存在").with_detail(
                        Some("region"),
                        "unknown_region",
                        format!("区划 {region} 不存在"),
                    ));
                }
            }
            identity::update_user(conn, id, &changes)?;
            identity::find_user(conn, &name)?.ok_or_else(|| user_not_found(&name))
        })
        .await?;
    app.audit(actor.event("users.update", Some(username), "success")).await?;
    Ok(User::from(updated))
}

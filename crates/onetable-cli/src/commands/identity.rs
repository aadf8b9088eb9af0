//! Operator commands for accounts, department clients and signing keys. The operator stands
//! outside the admin hierarchy: these bypass admin scope rules (not the password policy or the
//! role-level rules) and are recorded in the audit trail as actor `cli`.

use std::io::{BufRead, IsTerminal};

use anyhow::{anyhow, bail, Context};
use onetable_app::accounts::{self, operator, AccountSpec};
use onetable_app::{Actor, App};
use onetable_core::{RegionCode, Role};
use onetable_server::auth::keys;
use onetable_store::audit;
use onetable_store::identity;
use onetable_store::{Db, DbConn};

/// Asks twice on a terminal; otherwise reads the first line of stdin (so scripts can pipe it).
fn read_password() -> anyhow::Result<String> {
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("密码 Password: ")?;
        let second = rpassword::prompt_password("再次输入 Again: ")?;
        if first != second {
            bail!("the two passwords differ");
        }
        Ok(first)
    } else {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        Ok(line.trim_end_matches(['\r', '\n']).to_owned())
    }
}

fn api_error(e: &onetable_app::Problem) -> anyhow::Error {
    anyhow!("{}", e.describe())
}

pub struct AddUser {
    pub username: String,
    pub role: String,
    pub region: Option<String>,
    pub department: Option<String>,
    pub display_name: Option<String>,
    /// The person typed its own password: no change at the first sign-in.
    pub own_password: bool,
}

/// The operator's use cases run on an application over the database, as the server's do (beside
/// a running server, without disturbing it).
fn operator_app(db: &Db) -> anyhow::Result<App> {
    App::for_command_line(db.clone()).map_err(|e| api_error(&e))
}

pub async fn add_user(db: &Db, args: AddUser) -> anyhow::Result<()> {
    let role: Role = args.role.parse()?;
    let region = args.region.as_deref().map(RegionCode::parse).transpose().context("--region")?;
    let spec = AccountSpec {
        username: args.username,
        role,
        region,
        department: args.department,
        phone: None,
        password_issued: !args.own_password,
    };
    let password = read_password()?;
    let app = operator_app(db)?;
    let user = operator::add_account(&app, &Actor::operator(), spec, password, args.display_name)
        .await
        .map_err(|e| api_error(&e))?;
    println!("created {} ({}, {})", user.username, user.role, user.region.as_deref().unwrap_or("nationwide"));
    Ok(())
}

pub async fn reset_password(db: &Db, username: &str) -> anyhow::Result<()> {
    let password = read_password()?;
    let app = operator_app(db)?;
    operator::reset_password(&app, &Actor::operator(), username.to_owned(), password)
        .await
        .map_err(|e| api_error(&e))?;
    println!("password of {username} changed; any lockout lifted");
    Ok(())
}

pub async fn add_client(db: &Db, department: &str, region: &str, client_id: Option<String>) -> anyhow::Result<()> {
    let region = RegionCode::parse(region).context("--region")?;
    let app = operator_app(db)?;
    let secret = operator::add_client(&app, &Actor::operator(), department.to_owned(), region, client_id)
        .await
        .map_err(|e| api_error(&e))?;
    println!("client_id:     {}", secret.client_id);
    println!("client_secret: {}", secret.client_secret);
    eprintln!("The secret is shown once and stored only as a hash: keep it now.");
    Ok(())
}

pub async fn set_client_disabled(db: &Db, client_id: &str, disabled: bool) -> anyhow::Result<()> {
    let app = operator_app(db)?;
    operator::set_client_disabled(&app, &Actor::operator(), client_id.to_owned(), disabled)
        .await
        .map_err(|e| api_error(&e))?;
    println!("{client_id} {}", if disabled { "disabled" } else { "enabled" });
    Ok(())
}

pub fn rotate_keys(db: &Db) -> anyhow::Result<()> {
    let mut conn = db.conn()?;
    let kid = keys::add_key(&mut conn)?;
    audit::record(&mut conn, &Actor::operator().event("keys.rotate", Some(kid.clone()), "success"))?;
    println!("new signing key {kid}; tokens signed by older keys stay valid until they expire");
    Ok(())
}

/// One demo account. Demo only: the passwords are public (README).
pub struct DemoUser {
    pub username: &'static str,
    pub role: Role,
    pub region: Option<&'static str>,
    pub department: Option<&'static str>,
    pub display_name: &'static str,
    pub password: &'static str,
}

const fn demo(
    username: &'static str,
    role: Role,
    region: Option<&'static str>,
    display_name: &'static str,
    password: &'static str,
) -> DemoUser {
    DemoUser { username, role, region, department: None, display_name, password }
}

/// The demo's accounts, one per role, for 黔西南州.
pub const DEMO_USERS: [DemoUser; 6] = [
    demo("demo_clerk", Role::Clerk, Some("522301100200"), "吴家坪村填报员", "Clerk-demo-2025"),
    demo("demo_reviewer", Role::Reviewer, Some("522301100"), "敬南镇审核员", "Reviewer-demo-2025"),
    demo("demo_admin", Role::Admin, Some("5223"), "黔西南州管理员", "Admin-demo-2025"),
    demo("demo_viewer", Role::Viewer, Some("5223"), "黔西南州看板", "Viewer-demo-2025"),
    DemoUser {
        department: Some("民政局"),
        ..demo("demo_department", Role::Department, Some("5223"), "州民政局", "Dept-demo-2025")
    },
    demo("demo_auditor", Role::Auditor, None, "审计员", "Auditor-demo-2025"),
];

/// Creates the demo accounts that do not exist yet.
pub fn ensure_demo_users(conn: &mut DbConn) -> anyhow::Result<()> {
    let now = chrono::Utc::now().naive_utc();
    for user in &DEMO_USERS {
        if identity::find_user(conn, user.username)?.is_some() {
            continue;
        }
        let spec = AccountSpec {
            username: user.username.to_owned(),
            role: user.role,
            region: user.region.map(RegionCode::parse).transpose()?,
            department: user.department.map(str::to_owned),
            phone: None,
            password_issued: false,
        };
        accounts::create(conn, &spec, user.password, Some(user.display_name.to_owned()), now)
            .map_err(|e| api_error(&e))?;
    }
    Ok(())
}

//! Operator commands for accounts, department clients and signing keys. The operator stands
//! outside the admin hierarchy: these bypass admin scope rules (not the password policy or the
//! role-level rules) and are recorded in the audit trail as actor `cli`.

use std::io::{BufRead, IsTerminal};

use anyhow::{anyhow, bail, Context};
use onetable_app::accounts::hashing;
use onetable_app::accounts::{self, AccountSpec};
use onetable_core::{password, RegionCode, Role};
use onetable_server::auth::keys;
use onetable_store::audit::{self, NewAuditEvent};
use onetable_store::identity::{self, NewClient, UserChanges};
use onetable_store::{regions, Db, DbConn};

fn operator_event(action: &str, target: &str, detail: Option<String>) -> NewAuditEvent {
    NewAuditEvent {
        occurred_at: chrono::Utc::now().naive_utc(),
        actor: Some("cli".to_owned()),
        role: Some("operator".to_owned()),
        action: action.to_owned(),
        target: Some(target.to_owned()),
        outcome: "success".to_owned(),
        request_id: None,
        client_addr: None,
        detail,
    }
}

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
}

pub fn add_user(db: &Db, args: AddUser) -> anyhow::Result<()> {
    let role: Role = args.role.parse()?;
    let region = args.region.as_deref().map(RegionCode::parse).transpose().context("--region")?;
    let spec = AccountSpec { username: args.username, role, region, department: args.department };
    let password = read_password()?;
    accounts::validate(&spec, Some(&password)).map_err(|e| api_error(&e))?;
    let mut conn = db.conn()?;
    let now = chrono::Utc::now().naive_utc();
    let user = accounts::create(&mut conn, &spec, &password, args.display_name, now).map_err(|e| api_error(&e))?;
    audit::record(&mut conn, &operator_event("users.create", &user.username, Some(format!("role={}", user.role))))?;
    println!("created {} ({}, {})", user.username, user.role, user.region_code.as_deref().unwrap_or("nationwide"));
    Ok(())
}

pub fn reset_password(db: &Db, username: &str) -> anyhow::Result<()> {
    let mut conn = db.conn()?;
    let user = identity::find_user(&mut conn, username)?.ok_or_else(|| anyhow!("no user {username}"))?;
    let password = read_password()?;
    let problems = password::check(username, &password);
    if !problems.is_empty() {
        let messages: Vec<String> = problems.iter().map(ToString::to_string).collect();
        bail!("{}", messages.join("；"));
    }
    let now = chrono::Utc::now().naive_utc();
    let changes = UserChanges {
        password_hash: Some(hashing::hash(&password).map_err(|e| anyhow!(e))?),
        password_changed_at: Some(now),
        failed_logins: Some(0),
        locked_until: Some(None),
        updated_at: Some(now),
        ..UserChanges::default()
    };
    identity::update_user(&mut conn, user.id, &changes)?;
    audit::record(&mut conn, &operator_event("users.reset_password", username, None))?;
    println!("password of {username} changed; any lockout lifted");
    Ok(())
}

pub fn add_client(db: &Db, department: &str, region: &str, client_id: Option<String>) -> anyhow::Result<()> {
    let region = RegionCode::parse(region).context("--region")?;
    let mut conn = db.conn()?;
    if regions::find(&mut conn, region)?.is_none() {
        bail!("region {region} does not exist: import the regions first");
    }
    let client_id = client_id.unwrap_or_else(|| format!("client-{}", &uuid_simple()[..12]));
    if identity::find_client(&mut conn, &client_id)?.is_some() {
        bail!("client {client_id} exists already");
    }
    let secret = hashing::random_secret();
    identity::insert_client(
        &mut conn,
        &NewClient {
            client_id: client_id.clone(),
            secret_hash: hashing::hash(&secret).map_err(|e| anyhow!(e))?,
            department: department.to_owned(),
            region_code: region.to_string(),
            disabled: false,
            created_at: chrono::Utc::now().naive_utc(),
        },
    )?;
    audit::record(&mut conn, &operator_event("clients.create", &client_id, Some(department.to_owned())))?;
    println!("client_id:     {client_id}");
    println!("client_secret: {secret}");
    eprintln!("The secret is shown once and stored only as a hash: keep it now.");
    Ok(())
}

pub fn set_client_disabled(db: &Db, client_id: &str, disabled: bool) -> anyhow::Result<()> {
    let mut conn = db.conn()?;
    if identity::set_client_disabled(&mut conn, client_id, disabled)? == 0 {
        bail!("no client {client_id}");
    }
    let action = if disabled { "clients.disable" } else { "clients.enable" };
    audit::record(&mut conn, &operator_event(action, client_id, None))?;
    println!("{client_id} {}", if disabled { "disabled" } else { "enabled" });
    Ok(())
}

pub fn rotate_keys(db: &Db) -> anyhow::Result<()> {
    let mut conn = db.conn()?;
    let kid = keys::add_key(&mut conn)?;
    audit::record(&mut conn, &operator_event("keys.rotate", &kid, None))?;
    println!("new signing key {kid}; tokens signed by older keys stay valid until they expire");
    Ok(())
}

fn uuid_simple() -> String {
    hashing::random_secret().replace(['-', '_'], "").to_lowercase()
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
        };
        accounts::create(conn, &spec, user.password, Some(user.display_name.to_owned()), now)
            .map_err(|e| api_error(&e))?;
    }
    Ok(())
}

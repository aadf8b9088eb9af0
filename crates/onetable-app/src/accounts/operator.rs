//! The operator's actions (运维操作): what `onetable users …` and `onetable clients …` do. The
//! operator stands outside the admin hierarchy — it makes the first admin, auditors and nationwide
//! accounts, which no admin may — but not outside the rules: the same account and password checks
//! as the API, the same stores, each action audited. The CLI is an interface like HTTP; the
//! operator is its [`Actor`].

use onetable_core::{RegionCode, Role, Scope};
use onetable_store::identity::{self, NewClient, UserChanges};

use super::admin::{user_not_found, User};
use super::clients::NewSecret;
use super::{create, hashing, validate, AccountSpec};
use crate::actor::{Actor, Origin, SubjectKind};
use crate::problem::{AppResult, Problem};
use crate::App;

impl Actor {
    /// The operator at the command line, recorded as `cli` in the audit trail.
    #[must_use]
    pub fn operator() -> Self {
        Self {
            subject: "cli".to_owned(),
            kind: SubjectKind::Operator,
            role: Role::Admin,
            scope: Scope::from_region(None),
            department: None,
            origin: Origin::default(),
        }
    }
}

fn require_operator(actor: &Actor) -> AppResult<()> {
    if actor.kind == SubjectKind::Operator {
        Ok(())
    } else {
        Err(Problem::forbidden("forbidden", "只有运维人员可以在命令行执行此操作"))
    }
}

/// The operator creates an account: any role, any region or nationwide, checked as the API
/// checks one.
///
/// # Errors
/// 403 for anyone but the operator; 422 fields or password refused, an unknown region; 409 a
/// username taken.
pub async fn add_account(
    app: &App,
    actor: &Actor,
    spec: AccountSpec,
    password: String,
    display_name: Option<String>,
) -> AppResult<User> {
    require_operator(actor)?;
    validate(&spec, Some(&password))?;
    let now = chrono::Utc::now().naive_utc();
    let user = app.write(move |conn| create(conn, &spec, &password, display_name, now)).await?;
    let mut event = actor.event("users.create", Some(user.username.clone()), "success");
    event.detail = Some(format!("role={}", user.role));
    app.audit(event).await?;
    Ok(User::from(user))
}

/// The operator gives an account a new password (the same password rules as the API's), which
/// also lifts a lockout and ends the account's sessions; the person must replace it at the next
/// sign-in.
///
/// # Errors
/// 403 for anyone but the operator; 404 no such account; 422 the password refused.
pub async fn reset_password(app: &App, actor: &Actor, username: String, password: String) -> AppResult<User> {
    require_operator(actor)?;
    let name = username.clone();
    let user = app.run(move |conn| identity::find_user(conn, &name)?.ok_or_else(|| user_not_found(&name))).await?;
    let spec = AccountSpec {
        username: user.username.clone(),
        role: user.role.parse().map_err(Problem::internal)?,
        region: user.region_code.as_deref().and_then(|r| RegionCode::parse(r).ok()),
        department: user.department.clone(),
        phone: user.phone.clone(),
        password_issued: true,
    };
    validate(&spec, Some(&password))?;
    let now = chrono::Utc::now().naive_utc();
    let changes = UserChanges {
        password_hash: Some(hashing::hash(&password).map_err(Problem::internal)?),
        password_changed_at: Some(now),
        failed_logins: Some(0),
        locked_until: Some(None),
        updated_at: Some(now),
        // The operator chose it: the person replaces it at the next sign-in.
        must_change_password: Some(true),
        ..UserChanges::default()
    };
    let (id, name) = (user.id, username.clone());
    let updated = app
        .write(move |conn| {
            identity::update_user(conn, id, &changes)?;
            identity::find_user(conn, &name)?.ok_or_else(|| user_not_found(&name))
        })
        .await?;
    app.audit(actor.event("users.reset_password", Some(username), "success")).await?;
    Ok(User::from(updated))
}

/// The operator registers a department system in a region; its secret is answered once and kept
/// only as a hash.
///
/// # Errors
/// 403 for anyone but the operator; 422 an unknown region; 409 a client id taken.
pub async fn add_client(
    app: &App,
    actor: &Actor,
    department: String,
    region: RegionCode,
    client_id: Option<String>,
) -> AppResult<NewSecret> {
    require_operator(actor)?;
    let client_id = client_id.unwrap_or_else(|| {
        let random: String = hashing::random_secret().chars().filter(char::is_ascii_alphanumeric).take(12).collect();
        format!("client-{}", random.to_lowercase())
    });
    let secret = hashing::random_secret();
    let secret_hash = hashing::hash(&secret).map_err(Problem::internal)?;
    let (id, dept) = (client_id.clone(), department.clone());
    app.write(move |conn| {
        if onetable_store::regions::find(conn, region)?.is_none() {
            return Err(Problem::unprocessable("unknown_region", format!("区划 {region} 不存在：请先导入区划")));
        }
        if identity::find_client(conn, &id)?.is_some() {
            return Err(Problem::conflict("client_exists", format!("系统 {id} 已存在")));
        }
        let row = NewClient {
            client_id: id,
            secret_hash,
            department: dept,
            region_code: region.to_string(),
            disabled: false,
            created_at: chrono::Utc::now().naive_utc(),
        };
        identity::insert_client(conn, &row)?;
        Ok(())
    })
    .await?;
    let mut event = actor.event("clients.create", Some(client_id.clone()), "success");
    event.detail = Some(department);
    app.audit(event).await?;
    Ok(NewSecret { client_id, client_secret: secret })
}

/// The operator disables a department system (its tokens stop at once) or enables it again.
///
/// # Errors
/// 403 for anyone but the operator; 404 no such system.
pub async fn set_client_disabled(app: &App, actor: &Actor, client_id: String, disabled: bool) -> AppResult<()> {
    require_operator(actor)?;
    let id = client_id.clone();
    let changed = app.write(move |conn| Ok(identity::set_client_disabled(conn, &id, disabled)?)).await?;
    if changed == 0 {
        return Err(Problem::not_found("client_not_found", format!("系统 {client_id} 不存在")));
    }
    let action = if disabled { "clients.disable" } else { "clients.enable" };
    app.audit(actor.event(action, Some(client_id), "success")).await
}

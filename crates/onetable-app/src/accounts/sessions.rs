//! Signing in (登录): a person with username and password, a department system with its client
//! credentials. Failed attempts are counted and lock a person's account for a while; every attempt
//! is audited; a refusal never says whether the account exists, the password was wrong, or the
//! account is locked or disabled. The interface turns what is granted into a token.

use chrono::{Duration, NaiveDateTime, Utc};
use onetable_store::audit::NewAuditEvent;
use onetable_store::identity::{self, UserChanges, UserRow};

use super::hashing;
use super::password_rules::PasswordRules;
use crate::actor::{Origin, SubjectKind};
use crate::problem::{AppResult, Kind, Problem};
use crate::App;

/// How many failures in a row lock an account, and for how long.
#[derive(Debug, Clone, Copy)]
pub struct Lockout {
    pub attempts: i32,
    pub seconds: i64,
}

/// Who signed in, with what the token will carry.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub subject: String,
    pub kind: SubjectKind,
    pub role: String,
    pub region: Option<String>,
    pub department: Option<String>,
    /// The account's session generation (tokens of earlier generations no longer work).
    pub generation: i32,
    /// The person must choose a new password before anything else works.
    pub password_change_required: bool,
    /// When the password expires (none: never, or a department system).
    pub password_expires_at: Option<NaiveDateTime>,
}

impl SignedIn {
    /// A person, as its stored account stands now under the deployment's password `rules`.
    #[must_use]
    pub fn of_user(user: &UserRow, rules: &PasswordRules, now: NaiveDateTime) -> Self {
        Self {
            subject: user.username.clone(),
            kind: SubjectKind::User,
            role: user.role.clone(),
            region: user.region_code.clone(),
            department: user.department.clone(),
            generation: user.session_generation,
            password_change_required: rules.change_required(user, now),
            password_expires_at: rules.expires_at(user),
        }
    }
}

enum Outcome {
    Success(SignedIn),
    Failure { locked_now: bool },
}

/// The one answer to every failed login.
fn invalid_credentials() -> Problem {
    Problem::new(Kind::Unauthorized, "invalid_credentials", "用户名或密码错误；多次失败后账户将被暂时锁定")
}

/// The answer to every failed client authentication (RFC 6749 §5.2).
#[must_use]
pub fn invalid_client() -> Problem {
    Problem::new(
        Kind::Unauthorized,
        "invalid_client",
        "客户端认证失败：client_id 或 client_secret 错误，或客户端已停用",
    )
    .with_challenge("Basic realm=\"onetable\"")
}

fn event(origin: &Origin, subject: &str, action: &str, outcome: &str, role: Option<String>) -> NewAuditEvent {
    NewAuditEvent {
        occurred_at: Utc::now().naive_utc(),
        actor: Some(subject.to_owned()),
        role,
        action: action.to_owned(),
        target: Some(subject.to_owned()),
        outcome: outcome.to_owned(),
        request_id: origin.request_id.clone(),
        client_addr: origin.client_addr.clone(),
        detail: None,
    }
}

/// A person signs in. A success clears the failure count; the failure that reaches
/// `lockout.attempts` locks the account for `lockout.seconds`.
///
/// # Errors
/// 401 `invalid_credentials` for any refusal.
pub async fn sign_in(
    app: &App,
    username: String,
    password: String,
    lockout: Lockout,
    origin: &Origin,
) -> AppResult<SignedIn> {
    let name = username.clone();
    let rules = app.passwords;
    let outcome = app
        .run(move |conn| {
            let now = Utc::now().naive_utc();
            let Some(user) = identity::find_user(conn, &name)? else {
                hashing::verify_against_dummy(&password);
                return Ok(Outcome::Failure { locked_now: false });
            };
            let locked = user.locked_until.is_some_and(|until| until > now);
            let matches = hashing::verify(&user.password_hash, &password);
            if user.disabled || locked {
                return Ok(Outcome::Failure { locked_now: false });
            }
            if matches {
                if user.failed_logins != 0 || user.locked_until.is_some() {
                    let reset =
                        UserChanges { failed_logins: Some(0), locked_until: Some(None), ..UserChanges::default() };
                    identity::update_user(conn, user.id, &reset)?;
                }
                return Ok(Outcome::Success(SignedIn::of_user(&user, &rules, now)));
            }
            let failures = user.failed_logins + 1;
            let locked_now = failures >= lockout.attempts;
            let changes = if locked_now {
                UserChanges {
                    failed_logins: Some(0),
                    locked_until: Some(Some(now + Duration::seconds(lockout.seconds))),
                    ..UserChanges::default()
                }
            } else {
                UserChanges { failed_logins: Some(failures), ..UserChanges::default() }
            };
            identity::update_user(conn, user.id, &changes)?;
            Ok(Outcome::Failure { locked_now })
        })
        .await?;
    match outcome {
        Outcome::Success(signed_in) => {
            app.audit(event(origin, &username, "auth.login", "success", Some(signed_in.role.clone()))).await?;
            Ok(signed_in)
        }
        Outcome::Failure { locked_now } => {
            app.metrics.login_failures.inc();
            app.audit(event(origin, &username, "auth.login", "failure", None)).await?;
            if locked_now {
                app.metrics.lockouts.inc();
                app.audit(event(origin, &username, "auth.lockout", "success", None)).await?;
            }
            Err(invalid_credentials())
        }
    }
}

/// A department system signs in with its client id and secret (OAuth2 client credentials).
///
/// # Errors
/// 401 `invalid_client` for an unknown, disabled or wrong client.
pub async fn client_sign_in(app: &App, client_id: String, secret: String, origin: &Origin) -> AppResult<SignedIn> {
    let id = client_id.clone();
    let client = app
        .run(move |conn| {
            let Some(client) = identity::find_client(conn, &id)? else {
                hashing::verify_against_dummy(&secret);
                return Ok(None);
            };
            let ok = hashing::verify(&client.secret_hash, &secret) && !client.disabled;
            Ok(ok.then_some(client))
        })
        .await?;
    let outcome = if client.is_some() { "success" } else { "failure" };
    let role = client.as_ref().map(|_| "department".to_owned());
    app.audit(event(origin, &client_id, "auth.token", outcome, role)).await?;
    let client = client.ok_or_else(invalid_client)?;
    Ok(SignedIn {
        subject: client.client_id,
        kind: SubjectKind::Client,
        role: "department".to_owned(),
        region: Some(client.region_code),
        department: Some(client.department),
        generation: client.session_generation,
        password_change_required: false,
        password_expires_at: None,
    })
}

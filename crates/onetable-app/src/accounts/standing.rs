//! A session after sign-in: who the caller is ([`me`]), ending it ([`logout`]), and whether a
//! token still stands for its account ([`still_stands`], on every request) — so that a role,
//! scope, password or enabled change takes effect on the next request, not when the token expires.

use chrono::{DateTime, Utc};
use onetable_store::{identity, regions};
use serde::Serialize;
use utoipa::ToSchema;

use crate::actor::{Actor, SubjectKind};
use crate::problem::{AppResult, Problem};
use crate::App;

/// What a token says of its holder.
#[derive(Debug, Clone)]
pub struct TokenFacts {
    pub jti: String,
    pub kind: SubjectKind,
    pub subject: String,
    pub role: String,
    pub region: Option<String>,
    pub department: Option<String>,
    pub generation: i32,
}

/// Whether the account behind a token still is what the token says: not revoked, enabled, the
/// same session generation (no password, enabled, role or scope change since), and the same role,
/// scope and department (a change made around the generation, e.g. by an older binary).
///
/// # Errors
/// When the database fails.
pub async fn still_stands(app: &App, facts: TokenFacts) -> AppResult<bool> {
    app.run(move |conn| {
        if identity::is_revoked(conn, &facts.jti)? {
            return Ok(false);
        }
        let same = |role: &str, region: Option<&str>, department: Option<&str>, generation: i32| {
            facts.role == role
                && facts.region.as_deref() == region
                && facts.department.as_deref() == department
                && facts.generation == generation
        };
        Ok(match facts.kind {
            SubjectKind::User => identity::find_user(conn, &facts.subject)?.is_some_and(|u| {
                !u.disabled && same(&u.role, u.region_code.as_deref(), u.department.as_deref(), u.session_generation)
            }),
            SubjectKind::Client => identity::find_client(conn, &facts.subject)?.is_some_and(|c| {
                !c.disabled && same("department", Some(&c.region_code), Some(&c.department), c.session_generation)
            }),
            // The operator acts at the command line; a token claiming to be it stands for nothing.
            SubjectKind::Operator => false,
        })
    })
    .await
}

/// The caller's identity and scope, as the token states them.
#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    /// Username, or client id for a department system.
    pub subject: String,
    /// `user` or `client`.
    #[schema(value_type = String, example = "user")]
    pub kind: SubjectKind,
    #[schema(example = "clerk")]
    pub role: String,
    /// The region scope (12 digits); null for a nationwide auditor.
    pub region: Option<String>,
    pub region_name: Option<String>,
    pub department: Option<String>,
    pub expires_at: DateTime<Utc>,
    /// The person must choose a new password before anything else (`POST /api/v1/me/password`).
    pub password_change_required: bool,
    /// When the password expires; absent when passwords do not expire (or for a system).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password_expires_at: Option<DateTime<Utc>>,
    /// Days before expiry from which the pages warn.
    pub password_warning_days: u32,
}

/// Who the actor is and where it may reach; `expires_at` is the token's expiry (Unix seconds).
///
/// # Errors
/// When the database fails.
pub async fn me(app: &App, actor: &Actor, expires_at: i64) -> AppResult<Me> {
    let scope = actor.scope.region();
    let (rules, subject, kind) = (app.passwords, actor.subject.clone(), actor.kind);
    let (region_name, password) = app
        .run(move |conn| {
            let name = match scope {
                Some(code) => regions::find(conn, code)?.map(|r| r.name),
                None => None,
            };
            let user = match kind {
                SubjectKind::User => identity::find_user(conn, &subject)?,
                _ => None,
            };
            let now = Utc::now().naive_utc();
            let password = user.map(|u| (rules.change_required(&u, now), rules.expires_at(&u)));
            Ok((name, password))
        })
        .await?;
    Ok(Me {
        subject: actor.subject.clone(),
        kind: actor.kind,
        role: actor.role.as_str().to_owned(),
        region: scope.map(|c| c.to_string()),
        region_name,
        department: actor.department.clone(),
        expires_at: DateTime::from_timestamp(expires_at, 0).unwrap_or_default(),
        password_change_required: password.is_some_and(|(required, _)| required),
        password_expires_at: password.and_then(|(_, at)| at).map(|at| at.and_utc()),
        password_warning_days: rules.warning_days,
    })
}

/// Revokes the token `jti` until it would have expired (`expires_at`, Unix seconds); audited.
///
/// # Errors
/// When the expiry is out of range or the database fails.
pub async fn logout(app: &App, actor: &Actor, jti: String, expires_at: i64) -> AppResult<()> {
    let expires_at = DateTime::from_timestamp(expires_at, 0)
        .ok_or_else(|| Problem::internal("token expiry out of range"))?
        .naive_utc();
    app.run(move |conn| Ok(identity::revoke_token(conn, &jti, expires_at, Utc::now().naive_utc())?)).await?;
    app.audit(actor.event("auth.logout", Some(actor.subject.clone()), "success")).await
}

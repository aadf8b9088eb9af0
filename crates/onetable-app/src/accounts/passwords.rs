//! Passwords people own (等保: 首次登录修改初始口令, 口令复杂度, 定期更换): a person changes its
//! own password; a password someone else chose, or one older than the configured age, must be
//! changed at the next sign-in before anything else works; the last few may not come back.

use chrono::Utc;
use onetable_core::password;
use onetable_store::identity::{self, UserChanges, UserRow};
use onetable_store::password_history;

use super::hashing;
pub use super::password_rules::PasswordRules;
use super::sessions::SignedIn;
use crate::actor::{Actor, SubjectKind};
use crate::problem::{AppResult, Problem};
use crate::App;

/// A person's request to replace its password.
pub struct OwnPasswordChange {
    pub current: String,
    pub new: String,
}

impl std::fmt::Debug for OwnPasswordChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OwnPasswordChange { .. }")
    }
}

fn refused(field: &str, code: &str, message: impl Into<String>) -> Problem {
    let summary = if field == "current" {
        "当前密码不正确，密码未修改"
    } else {
        "新密码不符合要求，请按提示修改"
    };
    Problem::unprocessable("validation_failed", summary).with_detail(Some(field), code, message)
}

/// A person replaces its own password, proving the current one. The new one meets the policy,
/// is not the current one nor one of the last [`PasswordRules::history`]. Every session of the
/// account ends (the generation advances); the interface signs the caller in again with the
/// answer, so only its *other* sessions end.
///
/// # Errors
/// 403 for a department system (it has a secret, not a password); 422 naming `current` (wrong)
/// or `new` (refused by the policy, or reused).
pub async fn change_own(app: &App, actor: &Actor, change: OwnPasswordChange) -> AppResult<SignedIn> {
    if actor.kind != SubjectKind::User {
        return Err(Problem::forbidden("forbidden", "只有用户账户可以修改密码；部门系统请申请更换密钥"));
    }
    let rules = app.passwords;
    let name = actor.subject.clone();
    let OwnPasswordChange { current, new } = change;
    // One turn on the blocking pool: the account, and the argon2 checks of the new password.
    let (user, checked) = app
        .run(move |conn| {
            let user = identity::find_user(conn, &name)?
                .ok_or_else(|| Problem::forbidden("forbidden", "账户不存在或已停用"))?;
            let verdict = checked_hash(conn, &user, &current, &new, rules)?;
            Ok((user, verdict))
        })
        .await?;
    let id = user.id;
    let new_hash = match checked {
        Ok(hash) => hash,
        Err(problem) => {
            app.audit(actor.event("users.change_password", Some(actor.subject.clone()), "failure")).await?;
            return Err(problem);
        }
    };
    let now = Utc::now().naive_utc();
    let (old_hash, name) = (user.password_hash.clone(), actor.subject.clone());
    let changed = app
        .write(move |conn| {
            password_history::remember(conn, id, &old_hash, now, rules.history)?;
            let changes = UserChanges {
                password_hash: Some(new_hash),
                password_changed_at: Some(now),
                must_change_password: Some(false),
                failed_logins: Some(0),
                locked_until: Some(None),
                updated_at: Some(now),
                ..UserChanges::default()
            };
            identity::update_user(conn, id, &changes)?;
            identity::find_user(conn, &name)?.ok_or_else(|| Problem::internal("account vanished"))
        })
        .await?;
    app.audit(actor.event("users.change_password", Some(actor.subject.clone()), "success")).await?;
    Ok(SignedIn::of_user(&changed, &rules, now))
}

/// The hash of `new` if it may replace the account's password (`current` right, the policy met,
/// not the current one nor one of the last few), else the refusal to answer.
fn checked_hash(
    conn: &mut onetable_store::DbConn,
    user: &UserRow,
    current: &str,
    new: &str,
    rules: PasswordRules,
) -> AppResult<Result<String, Problem>> {
    if !hashing::verify(&user.password_hash, current) {
        return Ok(Err(refused("current", "wrong_password", "当前密码不正确")));
    }
    let problems = password::check(&user.username, new);
    if !problems.is_empty() {
        let mut problem = Problem::unprocessable("validation_failed", "新密码不符合要求，请按提示修改");
        for p in problems {
            problem = problem.with_detail(Some("new"), p.code(), p.to_string());
        }
        return Ok(Err(problem));
    }
    if hashing::verify(&user.password_hash, new) {
        return Ok(Err(refused("new", "password_reused", "新密码不能与当前密码相同")));
    }
    let earlier = password_history::recent(conn, user.id, rules.history)?;
    if earlier.iter().any(|hash| hashing::verify(hash, new)) {
        let message = format!("新密码不能与最近 {} 次使用过的密码相同", rules.history);
        return Ok(Err(refused("new", "password_reused", message)));
    }
    Ok(Ok(hashing::hash(new).map_err(Problem::internal)?))
}

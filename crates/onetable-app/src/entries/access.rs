//! Who may touch a village's entry: the roles of each action, and the village inside the actor's
//! scope (reading outside it is a 404, writing a 403). Denials are audited.

use std::sync::Arc;

use onetable_core::{Period, RegionCode, Role};
use onetable_store::DbConn;

use super::{require_village, Form};
use crate::actor::Actor;
use crate::problem::{AppResult, Kind, Problem};
use crate::App;

/// Roles that read entries: the village's clerk, reviewers and admins over it.
pub const READERS: [Role; 3] = [Role::Clerk, Role::Reviewer, Role::Admin];

/// Roles that change values: the village's clerk.
pub const EDITORS: [Role; 1] = [Role::Clerk];

/// One village's entry for one period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EntryRef {
    pub region: RegionCode,
    pub period: Period,
}

/// The actor may act on this village: `roles`, and the village inside its scope.
///
/// # Errors
/// 403 or 404, audited.
pub async fn authorize(
    app: &App,
    actor: &Actor,
    action: &str,
    at: EntryRef,
    roles: &[Role],
    write: bool,
) -> AppResult<()> {
    let target = Some(at.region.to_string());
    app.authorize(actor, action, target.clone(), actor.require_role(roles)).await?;
    let scope = if write { actor.require_write(at.region) } else { actor.require_read(at.region) };
    app.authorize(actor, action, target, scope).await
}

/// The revision a write is based on, from the `If-Match` text (`3`, `"3"` or `W/"3"`).
///
/// # Errors
/// 428 when there is none, 400 when it is not a revision.
pub fn revision(if_match: Option<&str>) -> AppResult<i64> {
    let Some(text) = if_match else {
        return Err(Problem::new(
            Kind::PreconditionRequired,
            "if_match_required",
            "修改填报表须带 If-Match 请求头（值为读取时的 revision），以免覆盖他人的修改",
        ));
    };
    let text = text.trim();
    let text = text.strip_prefix("W/").unwrap_or(text).trim_matches('"');
    text.parse().map_err(|_| {
        Problem::bad_request("invalid_if_match", "If-Match 应为版本号，如 \"3\"").with_detail(
            Some("If-Match"),
            "invalid_value",
            text.to_owned(),
        )
    })
}

/// Authorises a write (roles, scope) and then reads its revision, in that order.
///
/// # Errors
/// 403 (audited), then 428 or 400.
pub async fn authorize_write(
    app: &App,
    actor: &Actor,
    action: &str,
    at: EntryRef,
    roles: &[Role],
    if_match: Option<&str>,
) -> AppResult<i64> {
    authorize(app, actor, action, at, roles, true).await?;
    revision(if_match)
}

/// Runs `work` on the village's form of the period (the village checked, the form from the cache),
/// in one write transaction when `write`.
///
/// # Errors
/// 404/400 for a region that is not a village, 400 for a period without a form, or `work`'s.
pub async fn with_form<T, F>(app: &App, at: EntryRef, write: bool, work: F) -> AppResult<T>
where
    F: FnOnce(&mut DbConn, &Arc<Form>) -> AppResult<T> + Send + 'static,
    T: Send + 'static,
{
    let forms = app.forms.clone();
    let job = move |conn: &mut DbConn| {
        require_village(conn, at.region)?;
        let form = forms.get(conn, at.period)?;
        work(conn, &form)
    };
    if write {
        app.write(job).await
    } else {
        app.run(job).await
    }
}

//! An uploaded file imported by a person (批量导入): who may, and the import itself — read with
//! bounded cost, checked against the registry and the importer's scope, then written in one turn.

use onetable_core::Role;

use super::{apply, check, read_table, FileFormat, ImportReport, Importer};
use crate::actor::Actor;
use crate::problem::AppResult;
use crate::uploads::UploadTurn;
use crate::App;

/// Who imports values: clerks (their village), reviewers and admins (their scope).
pub const IMPORTERS: [Role; 3] = [Role::Clerk, Role::Reviewer, Role::Admin];

/// Whether the actor may import at all (before any of the file is read). Denials are audited.
///
/// # Errors
/// 403 for other roles.
pub async fn authorize(app: &App, actor: &Actor) -> AppResult<()> {
    app.authorize(actor, "imports.create", None, actor.require_role(&IMPORTERS)).await
}

/// Imports `bytes` (or, with `dry_run`, reports what it would change), during its upload turn. All or nothing: any bad
/// cell or a row outside the actor's scope rejects the file with a report.
///
/// # Errors
/// 403 for other roles, 413 beyond the reading limits, 422 an unreadable file or the report.
pub async fn import_file(
    app: &App,
    actor: &Actor,
    _turn: &UploadTurn,
    format: FileFormat,
    bytes: Vec<u8>,
    period: Option<String>,
    dry_run: bool,
) -> AppResult<ImportReport> {
    authorize(app, actor).await?;
    let scope_actor = actor.clone();
    let subject = actor.subject.clone();
    let now = chrono::Utc::now().naive_utc();
    let limits = app.table_limits;
    let size = bytes.len();
    // Reading needs no connection, checking no write turn; only the final write takes one.
    let table = app.compute(move || read_table(&bytes, format, &limits)).await?;
    let checked = app
        .run(move |conn| {
            let reaches = |code| scope_actor.reaches(code);
            let who = Importer { actor: &subject, reaches: &reaches, now };
            check(conn, &table, period.as_deref(), dry_run, &who)
        })
        .await?;
    let writer = actor.subject.clone();
    let report = app.write(move |conn| apply(conn, checked, &writer, now)).await?;
    if !dry_run {
        app.metrics.transfer("import", report.rows, Some(size));
        let mut event = actor.event("imports.create", None, "success");
        event.detail =
            Some(format!("inserted={} updated={} rejected={}", report.inserted, report.updated, report.rejected));
        app.audit(event).await?;
    }
    Ok(report)
}

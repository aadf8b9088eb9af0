//! Analyzing one form (分析报表): read the file, find the header, map every column.

use onetable_core::legacy::{self, LayoutProblem, Sheet};
use onetable_store::registry;

use super::read::read_form;
use super::views::FormAnalysis;
use super::{known, ANALYSTS};
use crate::actor::Actor;
use crate::imports::budget::Budget;
use crate::problem::{AppResult, Problem};
use crate::uploads::UploadTurn;
use crate::App;

/// The 422 of a sheet with no header to analyze.
#[must_use]
pub fn layout_problem(problem: &LayoutProblem) -> Problem {
    let code = match problem {
        LayoutProblem::Empty => "empty_sheet",
        LayoutProblem::NoHeader => "no_header",
        LayoutProblem::TooManyColumns { .. } => "too_many_columns",
        LayoutProblem::CellTooLong { .. } => "header_too_long",
    };
    Problem::unprocessable(code, problem.to_string())
}

/// Analyzes a sheet against the registry as it stands.
///
/// # Errors
/// 422 when the sheet has no header to analyze.
pub fn analyze_sheet(
    sheet: &Sheet,
    current: &crate::registry::Current,
    file_name: Option<String>,
) -> Result<FormAnalysis, Problem> {
    let analysis = legacy::analyze(sheet, &known(current)).map_err(|p| layout_problem(&p))?;
    let header = legacy::layout::header_block(sheet, &analysis.layout);
    Ok(FormAnalysis::new(file_name, analysis, header))
}

/// Whether the actor may analyze forms at all (before the file is read). Denials are audited.
///
/// # Errors
/// 403 for other roles.
pub async fn authorize(app: &App, actor: &Actor) -> AppResult<()> {
    app.authorize(actor, "forms.analyze", None, actor.require_role(&ANALYSTS)).await
}

/// A department or an admin analyzes a form file, during its upload turn. The file is read
/// without a database connection; one is taken only to read the registry. Nothing is stored.
///
/// # Errors
/// 403 for other roles; 422 a file that is not a table, an empty or password-protected workbook,
/// a sheet with no header, too many columns or a header cell too long; 413 beyond the limits.
pub async fn analyze_file(
    app: &App,
    actor: &Actor,
    _turn: &UploadTurn,
    bytes: Vec<u8>,
    file_name: Option<String>,
) -> AppResult<FormAnalysis> {
    authorize(app, actor).await?;
    let limits = app.table_limits;
    let current = app.run(|conn| Ok(registry::current(conn)?)).await?;
    app.compute(move || {
        let sheet = read_form(&bytes, &mut Budget::new(limits))?;
        analyze_sheet(&sheet, &current, file_name)
    })
    .await
}

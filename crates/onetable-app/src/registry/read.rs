//! Reading the registry: every role but the auditor (who reads only the audit trail) — the
//! indicators and their versions, the duplicate check on a name, the rules, the catalogue export.

use onetable_analytics::render;
use onetable_core::Role;
use onetable_store::registry as store;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::catalogue::export_tables;
use super::manage::indicator_not_found;
use super::views::{Indicator, Rule};
use super::{duplicates, Similar};
use crate::actor::Actor;
use crate::problem::{AppResult, Problem};
use crate::App;

/// Roles that read the registry.
pub const READERS: [Role; 5] = [Role::Clerk, Role::Reviewer, Role::Admin, Role::Viewer, Role::Department];

/// 403 for the auditor, recorded.
///
/// # Errors
/// When the actor may not read the registry.
pub async fn authorize(app: &App, actor: &Actor, action: &str) -> AppResult<()> {
    app.authorize(actor, action, None, actor.require_role(&READERS)).await
}

/// Which indicators a list shows.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct IndicatorFilter {
    pub category: Option<String>,
    /// `draft`, `active` or `deprecated`.
    pub status: Option<String>,
    /// `annual`, `quarterly` or `monthly`.
    pub frequency: Option<String>,
    /// A fragment of the code or name.
    pub q: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct IndicatorList {
    pub items: Vec<Indicator>,
    pub total: usize,
}

/// The current version of every indicator that matches, in form order.
///
/// # Errors
/// 403 for the auditor.
pub async fn list(app: &App, actor: &Actor, filter: IndicatorFilter) -> AppResult<IndicatorList> {
    authorize(app, actor, "indicators.read").await?;
    let mut rows: Vec<_> = app.run(|conn| Ok(store::current(conn)?)).await?.into_values().collect();
    let q = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()).map(str::to_lowercase);
    rows.retain(|row| {
        filter.category.as_deref().is_none_or(|c| row.category == c)
            && filter.status.as_deref().is_none_or(|s| row.status == s)
            && filter.frequency.as_deref().is_none_or(|f| row.frequency == f)
            && q.as_deref().is_none_or(|q| row.code.to_lowercase().contains(q) || row.name.contains(q))
    });
    rows.sort_by(|a, b| (a.sort_order, &a.code).cmp(&(b.sort_order, &b.code)));
    let items: Vec<Indicator> = rows.into_iter().map(Indicator::from).collect();
    Ok(IndicatorList { total: items.len(), items })
}

/// Every version of `code`, oldest first: nothing is ever overwritten.
///
/// # Errors
/// 403 for the auditor, 404 for an unknown code.
pub async fn versions(app: &App, actor: &Actor, code: String) -> AppResult<Vec<Indicator>> {
    authorize(app, actor, "indicators.read").await?;
    let lookup = code.clone();
    let versions = app.run(move |conn| Ok(store::versions(conn, &lookup)?)).await?;
    if versions.is_empty() {
        return Err(indicator_not_found(&code));
    }
    Ok(versions.into_iter().map(Indicator::from).collect())
}

/// The current version of `code`.
///
/// # Errors
/// As [`versions`].
pub async fn current(app: &App, actor: &Actor, code: String) -> AppResult<Indicator> {
    versions(app, actor, code).await?.pop().ok_or_else(|| Problem::internal("versions vanished"))
}

/// A name to check against the registry.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CheckRequest {
    #[schema(example = "低保户数")]
    pub name: String,
    #[serde(default)]
    pub unit: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CheckResult {
    /// True when creating an indicator with this name would be refused as a duplicate.
    pub would_be_refused: bool,
    pub duplicates: Vec<Similar>,
    pub near_matches: Vec<Similar>,
}

/// The duplicate guard on a name, creating nothing — for admins, and for departments drafting a
/// data request who want the existing code.
///
/// # Errors
/// 403 for the auditor.
pub async fn check(app: &App, actor: &Actor, request: CheckRequest) -> AppResult<CheckResult> {
    authorize(app, actor, "indicators.check").await?;
    let current = app.run(|conn| Ok(store::current(conn)?)).await?;
    let report = duplicates(request.name.trim(), request.unit.trim(), None, &current);
    Ok(CheckResult {
        would_be_refused: !report.duplicates.is_empty(),
        duplicates: report.duplicates,
        near_matches: report.near_matches,
    })
}

/// Every validation rule, by code.
///
/// # Errors
/// 403 for the auditor.
pub async fn rules(app: &App, actor: &Actor) -> AppResult<Vec<Rule>> {
    authorize(app, actor, "rules.read").await?;
    let rows = app.run(|conn| Ok(store::rules(conn)?)).await?;
    Ok(rows.into_iter().map(Rule::from).collect())
}

/// One rule.
///
/// # Errors
/// 403 for the auditor, 404 for an unknown code.
pub async fn rule(app: &App, actor: &Actor, code: String) -> AppResult<Rule> {
    authorize(app, actor, "rules.read").await?;
    let lookup = code.clone();
    let row = app.run(move |conn| Ok(store::find_rule(conn, &lookup)?)).await?;
    let row = row.ok_or_else(|| Problem::not_found("rule_not_found", format!("校验规则 {code} 不存在")))?;
    Ok(Rule::from(row))
}

/// The formats the catalogue exports to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CatalogueFormat {
    /// Indicators only, UTF-8 with BOM; loads back with `onetable catalogue load`.
    Csv,
    /// Sheets `indicators` and `rules`.
    Xlsx,
}

impl CatalogueFormat {
    /// The extension, which is also the name the caller asks for.
    #[must_use]
    pub const fn extension(self) -> &'static str {
        match self {
            Self::Csv => "csv",
            Self::Xlsx => "xlsx",
        }
    }
}

/// The registry (current versions, form order) as a file, for people who work in Excel; audited.
///
/// # Errors
/// 403 for the auditor, 400 for a format other than `csv` or `xlsx`.
pub async fn export(app: &App, actor: &Actor, format: Option<&str>) -> AppResult<(CatalogueFormat, Vec<u8>)> {
    authorize(app, actor, "catalogue.export").await?;
    let format = match format.unwrap_or("csv") {
        "csv" => CatalogueFormat::Csv,
        "xlsx" => CatalogueFormat::Xlsx,
        other => {
            return Err(Problem::bad_request("invalid_query", "format 应为 csv 或 xlsx").with_detail(
                Some("format"),
                "invalid_value",
                other,
            ))
        }
    };
    // Loading and rendering run on the blocking pool.
    let body = app
        .run(move |conn| {
            let (current, rules) = (store::current(conn)?, store::rules(conn)?);
            let mut rows: Vec<_> = current.into_values().collect();
            rows.sort_by(|a, b| (a.sort_order, &a.code).cmp(&(b.sort_order, &b.code)));
            let (indicators, rules) = export_tables(rows, rules);
            match format {
                CatalogueFormat::Csv => render::to_csv(&indicators).map_err(Problem::internal),
                CatalogueFormat::Xlsx => {
                    render::to_xlsx(&[("indicators", &indicators), ("rules", &rules)]).map_err(Problem::internal)
                }
            }
        })
        .await?;
    app.audit(actor.event("catalogue.export", Some(format.extension().to_owned()), "success")).await?;
    Ok((format, body))
}

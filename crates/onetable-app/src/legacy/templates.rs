//! Report templates (报表模板): a department saves its analyzed form to have it filled in from the
//! registry every period; its own templates are listed and reused. The shape is checked in
//! `onetable_core::legacy::template`, the indicators and unit factors here against the registry.

use chrono::{DateTime, Utc};
use onetable_core::legacy::matching::factor_to;
use onetable_core::legacy::template::{RowLevel, Template, TemplateColumn, TemplateLabel};
use onetable_core::legacy::{LabelKind, Merge};
use onetable_core::Role;
use onetable_store::templates::{self as store, NewTemplate, TemplateRow};
use onetable_store::{connection::DbConn, registry};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::known;
use crate::actor::Actor;
use crate::problem::{AppResult, Problem};
use crate::App;
use onetable_core::spreadsheet::{column_index as letter_index, column_letters as letter};

/// Decimal places a filled column is written with at most.
const MAX_DECIMALS: u8 = 6;

/// A merged range of the header, zero-based, inclusive, in the header's rows.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
pub struct HeaderMerge {
    pub top: usize,
    pub left: usize,
    pub bottom: usize,
    pub right: usize,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct TemplateLabelInput {
    /// Spreadsheet letter: `A`.
    pub column: String,
    /// `sequence`, `region_code`, `county`, `township`, `village` or `remark`.
    pub kind: String,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct TemplateColumnInput {
    /// Spreadsheet letter: `C`.
    pub column: String,
    pub header: String,
    /// None: the column stays blank (the registry has nothing for it).
    pub code: Option<String>,
    /// The form's unit; the factor to the indicator's unit is worked out here.
    pub unit: Option<String>,
    /// Decimal places the form writes the column with (the analysis says), 0–6.
    pub decimals: Option<u8>,
}

/// A template as the page saves it from an analysis (`header_cells`, `header_merges`,
/// `label_columns`, `columns` as the analysis gave them, with the department's corrections).
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct TemplateInput {
    pub name: String,
    /// `village` (default; a 小计 row per township when the form has a 乡镇 column) or `township`.
    pub rows: Option<String>,
    #[serde(default)]
    pub title_rows: Vec<String>,
    #[serde(default)]
    pub note_rows: Vec<String>,
    pub header_cells: Vec<Vec<String>>,
    #[serde(default)]
    pub header_merges: Vec<HeaderMerge>,
    #[serde(default)]
    pub label_columns: Vec<TemplateLabelInput>,
    pub columns: Vec<TemplateColumnInput>,
}

/// A data column of a saved template.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TemplateColumnView {
    pub column: String,
    pub header: String,
    pub code: Option<String>,
    pub unit: Option<String>,
    /// A value in the form's unit times this is the registry's.
    pub factor: f64,
}

/// A saved template.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReportTemplate {
    pub id: i64,
    pub department: String,
    pub name: String,
    /// `village` or `township`.
    pub rows: String,
    /// The indicators it needs: a data request must grant them all to fill it.
    pub indicators: Vec<String>,
    pub columns: Vec<TemplateColumnView>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

fn label_kind(text: &str) -> Option<LabelKind> {
    serde_json::from_value(serde_json::Value::from(text)).ok()
}

/// The stored definition.
///
/// # Errors
/// A definition this server did not write.
pub fn definition(row: &TemplateRow) -> AppResult<Template> {
    serde_json::from_str(&row.definition).map_err(Problem::internal)
}

/// A stored template as clients read it.
///
/// # Errors
/// A definition this server did not write.
pub fn view(row: TemplateRow) -> AppResult<ReportTemplate> {
    let template = definition(&row)?;
    Ok(ReportTemplate {
        id: row.id,
        department: row.department,
        name: row.name,
        rows: (if template.rows == RowLevel::Township { "township" } else { "village" }).to_owned(),
        indicators: template.codes(),
        columns: template
            .columns
            .into_iter()
            .map(|c| TemplateColumnView {
                column: letter(c.index),
                header: c.header,
                code: c.code,
                unit: c.unit,
                factor: c.factor,
            })
            .collect(),
        created_by: row.created_by,
        created_at: row.created_at.and_utc(),
    })
}

/// Reads the input against the registry: every code active, every unit convertible.
fn to_template(conn: &mut DbConn, input: TemplateInput) -> AppResult<Template> {
    let current = registry::current(conn)?;
    let registry = known(&current);
    let mut error = Problem::unprocessable("validation_failed", "模板不符合要求，请按提示修改");
    let rows = match input.rows.as_deref().unwrap_or("village") {
        "village" => RowLevel::Village,
        "township" => RowLevel::Township,
        _ => {
            error = error.with_detail(Some("rows"), "invalid", "行只能是 village（村）或 township（乡镇）");
            RowLevel::Village
        }
    };
    let mut labels = Vec::new();
    for (i, l) in input.label_columns.iter().enumerate() {
        match (letter_index(&l.column), label_kind(&l.kind)) {
            (Some(index), Some(kind)) => labels.push(TemplateLabel { index, kind }),
            _ => {
                error = error.with_detail(
                    Some(&format!("label_columns[{i}]")),
                    "invalid",
                    format!("第 {} 个行标签列不正确", i + 1),
                );
            }
        }
    }
    let mut columns = Vec::new();
    for (i, c) in input.columns.iter().enumerate() {
        let field = format!("columns[{i}]");
        let Some(index) = letter_index(&c.column) else {
            error =
                error.with_detail(Some(&format!("{field}.column")), "invalid", format!("第 {} 列的列号不正确", i + 1));
            continue;
        };
        let unit = c.unit.as_deref().map(str::trim).filter(|u| !u.is_empty()).map(str::to_owned);
        let code = c.code.as_deref().map(str::trim).filter(|c| !c.is_empty()).map(str::to_owned);
        let factor = match &code {
            None => 1.0,
            Some(code) => match registry.iter().find(|k| &k.code == code) {
                None => {
                    error = error.with_detail(
                        Some(&format!("{field}.code")),
                        "unknown_indicator",
                        format!("第 {} 列：指标 {code} 不存在或已停用", i + 1),
                    );
                    continue;
                }
                Some(k) => match factor_to(unit.as_deref(), k) {
                    Some(f) => f,
                    None => {
                        error = error.with_detail(
                            Some(&format!("{field}.unit")),
                            "unit_mismatch",
                            format!(
                                "第 {} 列：单位“{}”不能换算为指标 {code} 的单位“{}”",
                                i + 1,
                                unit.as_deref().unwrap_or(""),
                                k.unit
                            ),
                        );
                        continue;
                    }
                },
            },
        };
        columns.push(TemplateColumn {
            index,
            header: c.header.trim().to_owned(),
            code,
            unit,
            factor,
            decimals: c.decimals.map(|d| d.min(MAX_DECIMALS)),
        });
    }
    let template = Template {
        title_rows: input.title_rows,
        note_rows: input.note_rows,
        header: input.header_cells,
        merges: input
            .header_merges
            .iter()
            .map(|m| Merge { top: m.top, left: m.left, bottom: m.bottom, right: m.right })
            .collect(),
        labels,
        columns,
        rows,
    };
    for (field, message) in template.problems() {
        error = error.with_detail(Some(&field), "invalid", message);
    }
    if template.codes().is_empty() && !error.has_details() {
        error = error.with_detail(Some("columns"), "no_indicators", "模板没有一列对应到指标库，无法自动填报");
    }
    if error.has_details() {
        return Err(error);
    }
    Ok(Template { merges: template.header_merges(), ..template })
}

fn department_of(actor: &Actor) -> AppResult<String> {
    actor.department.clone().ok_or_else(|| Problem::forbidden("forbidden", "账号未归属任何部门，不能保存报表模板"))
}

/// A department saves a template.
///
/// # Errors
/// 403 not a department; 422 a name missing, a shape, code or unit refused (a detail each).
pub async fn save(app: &App, actor: &Actor, input: TemplateInput) -> AppResult<ReportTemplate> {
    app.authorize(actor, "templates.save", None, actor.require_role(&[Role::Department])).await?;
    let department = department_of(actor)?;
    let name = input.name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(Problem::unprocessable("validation_failed", "请填写模板名称（200 字以内）").with_detail(
            Some("name"),
            "required",
            "模板名称不能为空，且不超过 200 字",
        ));
    }
    let subject = actor.subject.clone();
    let now = chrono::Utc::now().naive_utc();
    let row = app
        .write(move |conn| {
            let template = to_template(conn, input)?;
            let definition = serde_json::to_string(&template).map_err(Problem::internal)?;
            Ok(store::insert(
                conn,
                &NewTemplate { department, name, definition, created_by: subject, created_at: now },
            )?)
        })
        .await?;
    app.audit(actor.event("templates.save", Some(row.id.to_string()), "success")).await?;
    view(row)
}

/// The templates an actor may use: a department its own, an admin every department's.
///
/// # Errors
/// 403 for other roles.
pub async fn list(app: &App, actor: &Actor) -> AppResult<Vec<ReportTemplate>> {
    app.authorize(actor, "templates.list", None, actor.require_role(&[Role::Department, Role::Admin])).await?;
    let department = if actor.role == Role::Admin { None } else { Some(department_of(actor)?) };
    let rows = app.run(move |conn| Ok(store::list(conn, department.as_deref())?)).await?;
    rows.into_iter().map(view).collect()
}

/// The 404 of a template the actor does not see.
#[must_use]
pub fn not_found(id: i64) -> Problem {
    Problem::not_found("template_not_found", format!("报表模板 {id} 不存在"))
}

/// A template the actor may use (its department's, or any for an admin); 404 otherwise.
///
/// # Errors
/// 404, or a database fault.
pub async fn visible(app: &App, actor: &Actor, id: i64) -> AppResult<TemplateRow> {
    let row = app.run(move |conn| Ok(store::find(conn, id)?)).await?.ok_or_else(|| not_found(id))?;
    if actor.role == Role::Admin || actor.department.as_deref() == Some(row.department.as_str()) {
        Ok(row)
    } else {
        Err(not_found(id))
    }
}

/// A department deletes one of its templates.
///
/// # Errors
/// 403 not a department; 404 not its template.
pub async fn delete(app: &App, actor: &Actor, id: i64) -> AppResult<()> {
    app.authorize(actor, "templates.delete", Some(id.to_string()), actor.require_role(&[Role::Department])).await?;
    visible(app, actor, id).await?;
    app.write(move |conn| Ok(store::delete(conn, id)?)).await?;
    app.audit(actor.event("templates.delete", Some(id.to_string()), "success")).await?;
    Ok(())
}

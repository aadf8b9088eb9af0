//! From an analyzed form to a data request (从报表到数据需求): the matched columns become a draft
//! request the department completes (purpose, legal basis, periods) and files as any other; the
//! columns the registry has nothing for become proposed indicators for an admin. Only the
//! proposals are stored; the draft is the department's to file.

use onetable_core::indicator::{IndicatorStatus, Sensitivity};
use onetable_core::Role;
use onetable_store::proposals::{self as store, NewProposal};
use onetable_store::registry;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::confirm::MAX_MAPPINGS;
use super::proposals::{already_pending, Proposal, PENDING};
use crate::actor::Actor;
use crate::problem::{AppResult, Problem};
use crate::App;

/// One column of the analyzed form, as the department settled it.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct DraftColumn {
    /// The header as written.
    pub header: String,
    /// The name the analysis read (or the department corrected).
    pub name: String,
    /// The form's unit for it.
    pub unit: Option<String>,
    /// The indicator it maps to; none for a column the registry lacks (it is proposed).
    pub code: Option<String>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct DraftInput {
    /// The form's title: the draft's title and the proposals' source.
    pub form_title: Option<String>,
    pub columns: Vec<DraftColumn>,
}

/// A data request to complete and file (POST /api/v1/data-requests), and what was proposed.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RequestDraft {
    pub title: String,
    /// The matched indicators, in form order, each once.
    pub indicators: Vec<String>,
    /// Those of them that are sensitive: the request needs a legal basis.
    pub sensitive: Vec<String>,
    /// The department's region.
    pub region: Option<String>,
    /// One per column with no indicator, pending an admin (an earlier pending proposal of the
    /// same name is reused, not repeated).
    pub proposals: Vec<Proposal>,
}

fn checked_title(title: Option<&str>) -> String {
    let title = title.map(str::trim).filter(|t| !t.is_empty()).unwrap_or("（未命名报表）");
    title.chars().take(200).collect()
}

/// A department turns an analyzed form into a draft request and proposals, all or nothing.
///
/// # Errors
/// 403 not a department (or without one); 422 no columns, an unknown or retired code, an empty
/// name (a detail per column).
pub async fn draft_request(app: &App, actor: &Actor, input: DraftInput) -> AppResult<RequestDraft> {
    app.authorize(actor, "forms.draft_request", None, actor.require_role(&[Role::Department])).await?;
    let department =
        actor.department.clone().ok_or_else(|| Problem::forbidden("forbidden", "账号未归属任何部门，不能申请数据"))?;
    if input.columns.is_empty() || input.columns.len() > MAX_MAPPINGS {
        return Err(Problem::unprocessable("validation_failed", format!("请提交 1 至 {MAX_MAPPINGS} 列")).with_detail(
            Some("columns"),
            "invalid",
            "列数不正确",
        ));
    }
    let title = checked_title(input.form_title.as_deref());
    let region = match &actor.scope {
        onetable_core::Scope::Within(code) => Some(code.to_string()),
        onetable_core::Scope::Nationwide => None,
    };
    let subject = actor.subject.clone();
    let now = chrono::Utc::now().naive_utc();
    let draft = app
        .write(move |conn| {
            let current = registry::current(conn)?;
            let mut error = Problem::unprocessable("validation_failed", "列的映射不符合要求，请按提示修改");
            let (mut indicators, mut sensitive, mut wanted) = (Vec::new(), Vec::new(), Vec::new());
            for (i, column) in input.columns.iter().enumerate() {
                let name = column.name.trim();
                match column.code.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
                    Some(code) => match current.get(code).filter(|r| r.status == IndicatorStatus::Active.as_ref()) {
                        Some(row) if !indicators.contains(&row.code) => {
                            if row.sensitivity == Sensitivity::Sensitive.as_ref() {
                                sensitive.push(row.code.clone());
                            }
                            indicators.push(row.code.clone());
                        }
                        Some(_) => {}
                        None => {
                            error = error.with_detail(
                                Some(&format!("columns[{i}].code")),
                                "unknown_indicator",
                                format!("第 {} 列：指标 {code} 不存在或已停用", i + 1),
                            );
                        }
                    },
                    None if name.is_empty() || name.chars().count() > 200 => {
                        error = error.with_detail(
                            Some(&format!("columns[{i}].name")),
                            "required",
                            format!("第 {} 列：新指标的名称不能为空，且不超过 200 字", i + 1),
                        );
                    }
                    None => wanted.push(column.clone()),
                }
            }
            if error.has_details() {
                return Err(error);
            }
            let mut existing = store::list(conn, Some(PENDING), Some(&department))?;
            let mut proposals = Vec::new();
            for column in wanted {
                let name = column.name.trim().to_owned();
                if let Some(row) = already_pending(&existing, &name) {
                    if !proposals.iter().any(|p: &Proposal| p.id == row.id) {
                        proposals.push(Proposal::from(row.clone()));
                    }
                    continue;
                }
                let row = store::insert(
                    conn,
                    &NewProposal {
                        name,
                        unit: column.unit.unwrap_or_default().trim().chars().take(20).collect(),
                        header: column.header.trim().chars().take(400).collect(),
                        form_title: title.clone(),
                        department: department.clone(),
                        proposed_by: subject.clone(),
                        proposed_at: now,
                        status: PENDING.to_owned(),
                    },
                )?;
                existing.push(row.clone());
                proposals.push(Proposal::from(row));
            }
            Ok(RequestDraft { title, indicators, sensitive, region, proposals })
        })
        .await?;
    let mut event = actor.event("forms.draft_request", None, "success");
    event.detail = Some(format!(
        "indicators={};proposals={}",
        draft.indicators.join(","),
        draft.proposals.iter().map(|p| p.id.to_string()).collect::<Vec<_>>().join(",")
    ));
    app.audit(event).await?;
    Ok(draft)
}

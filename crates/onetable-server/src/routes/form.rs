//! `GET /api/v1/form?period=` — the one form (一张表) of a period.

use std::collections::HashSet;

use actix_web::{get, web, HttpResponse};
use onetable_core::indicator::IndicatorStatus;
use onetable_core::{formula, Period};
use onetable_store::registry;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::routes::indicators::require_reader;
use crate::routes::rules::Rule;
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FormQuery {
    /// `2025` (annual), `2025Q3` (quarterly) or `2025-09` (monthly).
    pub period: String,
}

/// One field of the form.
#[derive(Debug, Serialize, ToSchema)]
pub struct FormField {
    pub code: String,
    pub version: i32,
    pub name: String,
    pub unit: String,
    pub value_type: String,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub required: bool,
    /// The indicator's description: help text for the clerk.
    pub help: String,
    /// Computed from `formula`, not entered.
    pub derived: bool,
    pub formula: Option<String>,
    pub sensitivity: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FormSection {
    pub category: String,
    pub fields: Vec<FormField>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Form {
    pub period: String,
    pub frequency: String,
    pub sections: Vec<FormSection>,
    /// The active rules whose every input is on this form.
    pub rules: Vec<Rule>,
}

/// Everything a client needs to render the entry form of a period: sections (categories, in the
/// catalogue's order) of the active indicators of that period's frequency, and the rules.
#[utoipa::path(
    tag = "registry",
    security(("bearer" = [])),
    params(FormQuery),
    responses((status = 200, body = Form), (status = 400, description = "bad period", body = ErrorBody))
)]
#[get("/api/v1/form")]
pub async fn get_form(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<FormQuery>,
) -> Result<HttpResponse, ApiError> {
    state.authorize(&caller, "form.read", None, require_reader(&caller)).await?;
    let period = Period::parse(query.period.trim()).map_err(|m| {
        ApiError::bad_request("invalid_period", m.clone()).with_detail(Some("period"), "invalid_period", m)
    })?;
    let frequency = period.frequency();
    let (current, rules) = state.run(|conn| Ok((registry::current(conn)?, registry::rules(conn)?))).await?;
    let mut rows: Vec<_> = current
        .into_values()
        .filter(|r| r.status == IndicatorStatus::Active.as_ref() && r.frequency == frequency.as_ref())
        .collect();
    rows.sort_by(|a, b| (a.sort_order, &a.code).cmp(&(b.sort_order, &b.code)));
    let on_form: HashSet<String> = rows.iter().map(|r| r.code.clone()).collect();
    let mut sections: Vec<FormSection> = Vec::new();
    for row in rows {
        let field = FormField {
            derived: row.formula.is_some(),
            code: row.code,
            version: row.version,
            name: row.name,
            unit: row.unit,
            value_type: row.value_type,
            min: row.min_value,
            max: row.max_value,
            required: row.required,
            help: row.description,
            formula: row.formula,
            sensitivity: row.sensitivity,
        };
        match sections.iter_mut().find(|s| s.category == row.category) {
            Some(section) => section.fields.push(field),
            None => sections.push(FormSection { category: row.category, fields: vec![field] }),
        }
    }
    let rules = rules
        .into_iter()
        .filter(|r| r.active)
        .filter(|r| formula::parse(&r.expression).is_ok_and(|e| e.codes().iter().all(|c| on_form.contains(c))))
        .map(Rule::from)
        .collect();
    Ok(HttpResponse::Ok().json(Form {
        period: period.to_string(),
        frequency: frequency.as_ref().to_owned(),
        sections,
        rules,
    }))
}

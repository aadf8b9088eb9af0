//! The form of a period (一张表) as a client renders it: sections of the active indicators of the
//! period's frequency, in the catalogue's order, and the active rules whose every input is on it.

use std::collections::HashSet;

use onetable_core::indicator::IndicatorStatus;
use onetable_core::{formula, Period};
use onetable_store::registry as store;
use serde::Serialize;
use utoipa::ToSchema;

use super::read::authorize;
use super::views::Rule;
use crate::actor::Actor;
use crate::problem::{AppResult, Problem};
use crate::App;

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
    /// Kept from a register (`count(REG.DIBAO)`): filled by itself, read-only on the form.
    pub register: Option<String>,
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

/// The form of `period` (`2025`, `2025Q3` or `2025-09`).
///
/// # Errors
/// 403 for the auditor, 400 for a bad period.
pub async fn form(app: &App, actor: &Actor, period: &str) -> AppResult<Form> {
    authorize(app, actor, "form.read").await?;
    let period = Period::parse(period.trim()).map_err(|m| {
        Problem::bad_request("invalid_period", m.clone()).with_detail(Some("period"), "invalid_period", m)
    })?;
    let frequency = period.frequency();
    let (current, rules) = app.run(|conn| Ok((store::current(conn)?, store::rules(conn)?))).await?;
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
            register: row.register_aggregate,
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
    Ok(Form { period: period.to_string(), frequency: frequency.as_ref().to_owned(), sections, rules })
}

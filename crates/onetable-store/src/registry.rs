//! The indicator registry's rows: every version of every indicator, the rules, and (for the
//! compatibility check) whether an indicator has stored values.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use onetable_core::indicator::{parse_choice, Constraints, IndicatorDef, ValueType};

use crate::connection::DbConn;
use crate::error::StoreResult;
use crate::schema::{data_values, indicators, rules};

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = indicators)]
pub struct IndicatorRow {
    pub code: String,
    pub version: i32,
    pub name: String,
    pub normalized_name: String,
    pub description: String,
    pub unit: String,
    pub value_type: String,
    pub min_value: Option<f64>,
    pub max_value: Option<f64>,
    pub required: bool,
    pub category: String,
    pub frequency: String,
    pub aggregation: String,
    pub sensitivity: String,
    pub owner_department: String,
    pub legal_basis: String,
    pub formula: Option<String>,
    pub status: String,
    pub created_by: String,
    pub created_at: NaiveDateTime,
    pub change_note: Option<String>,
    pub sort_order: i32,
    /// Aliases (别名), `|`-separated.
    pub aliases: String,
    /// A register aggregate the value is derived from (`count(REG.DIBAO)`).
    pub register_aggregate: Option<String>,
}

impl IndicatorRow {
    /// The definition this row stores.
    ///
    /// # Errors
    /// When a stored enumeration no longer parses (a corrupt row).
    pub fn to_def(&self) -> Result<IndicatorDef, String> {
        Ok(IndicatorDef {
            code: self.code.clone(),
            name: self.name.clone(),
            description: self.description.clone(),
            unit: self.unit.clone(),
            value_type: ValueType::parse(&self.value_type)?,
            constraints: Constraints { min: self.min_value, max: self.max_value, required: self.required },
            category: self.category.clone(),
            frequency: parse_choice(&self.frequency, "frequency")?,
            aggregation: parse_choice(&self.aggregation, "aggregation")?,
            sensitivity: parse_choice(&self.sensitivity, "sensitivity")?,
            owner_department: self.owner_department.clone(),
            legal_basis: self.legal_basis.clone(),
            formula: self.formula.clone(),
            register_aggregate: self.register_aggregate.clone(),
            status: parse_choice(&self.status, "status")?,
            aliases: self.alias_list(),
        })
    }

    /// A row for `def` as version `version`.
    #[must_use]
    pub fn from_def(
        def: &IndicatorDef,
        version: i32,
        sort_order: i32,
        by: &str,
        at: NaiveDateTime,
        note: Option<String>,
    ) -> Self {
        Self {
            code: def.code.clone(),
            version,
            name: def.name.clone(),
            normalized_name: onetable_core::similarity::normalize(&def.name),
            description: def.description.clone(),
            unit: def.unit.clone(),
            value_type: def.value_type.spelling(),
            min_value: def.constraints.min,
            max_value: def.constraints.max,
            required: def.constraints.required,
            category: def.category.clone(),
            frequency: def.frequency.as_ref().to_owned(),
            aggregation: def.aggregation.as_ref().to_owned(),
            sensitivity: def.sensitivity.as_ref().to_owned(),
            owner_department: def.owner_department.clone(),
            legal_basis: def.legal_basis.clone(),
            formula: def.formula.clone(),
            status: def.status.as_ref().to_owned(),
            created_by: by.to_owned(),
            created_at: at,
            change_note: note,
            sort_order,
            aliases: def.aliases.join("|"),
            register_aggregate: def.register_aggregate.clone(),
        }
    }

    /// The aliases, in the order they were added.
    #[must_use]
    pub fn alias_list(&self) -> Vec<String> {
        self.aliases.split('|').filter(|a| !a.is_empty()).map(str::to_owned).collect()
    }
}

/// The latest version of every indicator, by code.
///
/// # Errors
/// On a database error.
pub fn current(conn: &mut DbConn) -> StoreResult<BTreeMap<String, IndicatorRow>> {
    let rows: Vec<IndicatorRow> = indicators::table
        .order((indicators::code, indicators::version))
        .select(IndicatorRow::as_select())
        .load(conn)?;
    Ok(rows.into_iter().map(|row| (row.code.clone(), row)).collect())
}

/// Changes whenever an indicator version or a rule is written: how many of each there are and the
/// latest write times. Cheap to read, so caches of the parsed registry can check it per request.
///
/// # Errors
/// On a database error.
pub fn fingerprint(conn: &mut DbConn) -> StoreResult<String> {
    use diesel::dsl::{count_star, max};
    let (versions, latest): (i64, Option<NaiveDateTime>) =
        indicators::table.select((count_star(), max(indicators::created_at))).get_result(conn)?;
    let (rule_count, rules_latest): (i64, Option<NaiveDateTime>) =
        rules::table.select((count_star(), max(rules::updated_at))).get_result(conn)?;
    Ok(format!("{versions}/{latest:?}/{rule_count}/{rules_latest:?}"))
}

/// Every version of one indicator, oldest first.
///
/// # Errors
/// On a database error.
pub fn versions(conn: &mut DbConn, code: &str) -> StoreResult<Vec<IndicatorRow>> {
    Ok(indicators::table
        .filter(indicators::code.eq(code))
        .order(indicators::version)
        .select(IndicatorRow::as_select())
        .load(conn)?)
}

/// # Errors
/// On a database error (a duplicate `(code, version)` is a unique violation: a concurrent edit).
pub fn insert_version(conn: &mut DbConn, row: &IndicatorRow) -> Result<(), diesel::result::Error> {
    diesel::insert_into(indicators::table).values(row).execute(conn)?;
    Ok(())
}

/// Whether any value is stored for the indicator, in any period.
///
/// # Errors
/// On a database error.
pub fn has_data(conn: &mut DbConn, code: &str) -> StoreResult<bool> {
    let count: i64 = data_values::table.filter(data_values::indicator_code.eq(code)).count().get_result(conn)?;
    Ok(count > 0)
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = rules)]
pub struct RuleRow {
    pub code: String,
    pub name: String,
    pub expression: String,
    pub severity: String,
    pub message: String,
    pub tolerance: f64,
    pub missing_as_zero: bool,
    pub active: bool,
    pub updated_by: String,
    pub updated_at: NaiveDateTime,
}

/// # Errors
/// On a database error.
pub fn rules(conn: &mut DbConn) -> StoreResult<Vec<RuleRow>> {
    Ok(rules::table.order(rules::code).select(RuleRow::as_select()).load(conn)?)
}

/// # Errors
/// On a database error.
pub fn find_rule(conn: &mut DbConn, code: &str) -> StoreResult<Option<RuleRow>> {
    Ok(rules::table.find(code).select(RuleRow::as_select()).get_result(conn).optional()?)
}

/// Inserts or replaces a rule.
///
/// # Errors
/// On a database error.
pub fn save_rule(conn: &mut DbConn, rule: &RuleRow) -> StoreResult<()> {
    if find_rule(conn, &rule.code)?.is_some() {
        diesel::update(rules::table.find(&rule.code)).set(rule).execute(conn)?;
    } else {
        diesel::insert_into(rules::table).values(rule).execute(conn)?;
    }
    Ok(())
}

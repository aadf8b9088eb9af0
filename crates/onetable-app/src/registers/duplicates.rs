//! Persons listed twice (重复纳入): the same ID number open in two villages' registers of one type
//! — the commonest error in these lists. Each village's reviewer sees the pairs that touch a
//! village of its scope.

use std::collections::BTreeMap;

use onetable_core::register::mask;
use onetable_core::Role;
use onetable_store::registers::records as store;
use serde::Serialize;
use utoipa::ToSchema;

use super::load;
use super::record_view::values_of;
use crate::actor::Actor;
use crate::problem::AppResult;
use crate::App;

/// One listing of a person listed twice.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Listing {
    pub village: String,
    pub village_name: String,
    /// The record, when its village is in the reader's scope.
    pub record: Option<i64>,
    pub group: Option<String>,
}

/// A person open in more than one village's register.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Duplicate {
    /// The ID number, masked.
    pub person: String,
    pub listings: Vec<Listing>,
}

/// Roles that see the duplicates of their scope.
pub const DUPLICATE_READERS: [Role; 2] = [Role::Reviewer, Role::Clerk];

/// The persons of `register` listed in two villages where one of them is in the actor's scope.
///
/// # Errors
/// 403 a role that reads no records, 404 an unknown register.
pub async fn duplicates(app: &App, actor: &Actor, register: String) -> AppResult<Vec<Duplicate>> {
    app.authorize(actor, "registers.duplicates", Some(register.clone()), actor.require_role(&DUPLICATE_READERS))
        .await?;
    let keys = app.data_keys()?;
    let scope = actor.clone();
    app.run(move |conn| {
        let def = load(conn, &register)?;
        let rows = store::listed_twice(conn, &register)?;
        let reaches = |code: &str| onetable_core::RegionCode::parse(code).is_ok_and(|c| scope.reaches(c));
        let mut by_person: BTreeMap<String, Vec<store::RecordRow>> = BTreeMap::new();
        for row in rows {
            if let Some(person) = row.person_hash.clone() {
                by_person.entry(person).or_default().push(row);
            }
        }
        by_person.retain(|_, rows| rows.iter().any(|r| reaches(&r.region_code)));
        let codes: Vec<String> = by_person.values().flatten().map(|r| r.region_code.clone()).collect();
        let names = crate::regions::names::names(conn, codes.iter().map(String::as_str))?;
        let column = def.person_column().cloned();
        let mut out = Vec::new();
        for rows in by_person.into_values() {
            let person = match (&column, rows.first()) {
                (Some(column), Some(row)) => {
                    values_of(row, &keys)?.get(&column.code).map(|v| mask(column, v)).unwrap_or_default()
                }
                _ => String::new(),
            };
            let listings = rows
                .into_iter()
                .map(|r| Listing {
                    village_name: names.get(&r.region_code).cloned().unwrap_or_default(),
                    record: reaches(&r.region_code).then_some(r.id),
                    group: r.group_name,
                    village: r.region_code,
                })
                .collect();
            out.push(Duplicate { person, listings });
        }
        Ok(out)
    })
    .await
}

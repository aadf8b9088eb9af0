//! Counts below the village (村民小组 / 网格): the open records of a register per village and
//! group, for the villages of a reviewer's (or a clerk's) scope. The five-level hierarchy stays as
//! it is; a group is a record's attribute, not a region.

use onetable_core::RegionCode;
use onetable_store::registers::records as store;
use serde::Serialize;
use utoipa::ToSchema;

use super::{load, RECORD_READERS};
use crate::actor::Actor;
use crate::problem::{AppResult, Problem};
use crate::App;

/// Open records of one group of one village.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GroupRow {
    pub village: String,
    pub village_name: String,
    /// None: records that name no group.
    pub group: Option<String>,
    pub open: i64,
}

/// The open records of `register` per village and group within `within` (default: the actor's
/// scope).
///
/// # Errors
/// 403 a role that reads no records, 404 outside the scope or an unknown register.
pub async fn group_counts(
    app: &App,
    actor: &Actor,
    register: String,
    within: Option<RegionCode>,
) -> AppResult<Vec<GroupRow>> {
    let action = "registers.groups";
    app.authorize(actor, action, Some(register.clone()), actor.require_role(&RECORD_READERS)).await?;
    let Some(within) = within.or_else(|| actor.scope.region()) else {
        return Err(Problem::bad_request("invalid_query", "请给出区划（within）").with_detail(
            Some("within"),
            "required",
            "within",
        ));
    };
    app.authorize(actor, action, Some(within.to_string()), actor.require_read(within)).await?;
    app.run(move |conn| {
        load(conn, &register)?;
        let rows = store::group_counts(conn, &register, &within.to_string(), &within.descendant_upper_bound())?;
        let villages: Vec<String> = rows.iter().map(|(v, _, _)| v.clone()).collect();
        let names = crate::regions::names::names(conn, villages.iter().map(String::as_str))?;
        Ok(rows
            .into_iter()
            .map(|(village, group, open)| GroupRow {
                village_name: names.get(&village).cloned().unwrap_or_default(),
                village,
                group,
                open,
            })
            .collect())
    })
    .await
}

//! A village's list (台账列表): search, filter, the counts it feeds, and its groups.

use std::collections::BTreeMap;

use onetable_core::RegionCode;
use onetable_store::registers::records as store;
use serde::Serialize;
use utoipa::ToSchema;

use super::derived::{open_periods, readers, value};
use super::load;
use super::record_view::{record, Record};
use super::records::authorize;
use crate::actor::Actor;
use crate::entries::require_village;
use crate::problem::AppResult;
use crate::App;

/// What the list shows.
#[derive(Debug, Clone, Default)]
pub struct RecordQuery {
    /// Text in any value the reader sees in the clear (a name), or a whole ID number.
    pub q: Option<String>,
    /// `open` (default), `closed` or `all`.
    pub status: Option<String>,
    pub group: Option<String>,
    pub limit: usize,
    pub offset: usize,
}

/// A count the register feeds, for the period being filled.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FedCount {
    pub indicator: String,
    pub name: String,
    pub unit: String,
    pub period: String,
    pub value: String,
}

/// Open records per 村民小组.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GroupCount {
    /// None: records that name no group.
    pub group: Option<String>,
    pub open: usize,
}

/// A page of a village's records.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RecordList {
    pub register: String,
    pub village: String,
    /// Matching records, all pages.
    pub total: usize,
    pub records: Vec<Record>,
    pub counts: Vec<FedCount>,
    pub groups: Vec<GroupCount>,
}

/// The village's records of a register, masked.
///
/// # Errors
/// 403 a role that reads no records, 404 a village outside the scope or an unknown register.
pub async fn list(
    app: &App,
    actor: &Actor,
    register: String,
    village: RegionCode,
    query: RecordQuery,
) -> AppResult<RecordList> {
    authorize(app, actor, "registers.records.list", village, false).await?;
    let keys = app.data_keys()?;
    app.run(move |conn| {
        require_village(conn, village)?;
        let def = load(conn, &register)?;
        let rows = store::of_village(conn, &register, &village.to_string())?;
        let today = crate::time::china_today();
        let mut counts = Vec::new();
        for reader in readers(conn)?.remove(&register).unwrap_or_default() {
            let period = open_periods(reader.frequency, today)[0];
            counts.push(FedCount {
                value: value(&reader, &rows, period)?,
                indicator: reader.code,
                name: reader.name,
                unit: reader.unit,
                period: period.to_string(),
            });
        }
        let mut groups: BTreeMap<Option<String>, usize> = BTreeMap::new();
        for row in rows.iter().filter(|r| r.closed_on.is_none()) {
            *groups.entry(row.group_name.clone()).or_default() += 1;
        }
        let wanted_status = query.status.as_deref().unwrap_or("open");
        let needle = query.q.as_deref().map(str::trim).filter(|q| !q.is_empty()).map(str::to_uppercase);
        let person = needle.as_deref().filter(|q| q.len() == 18).map(|q| keys.lookup("person", q));
        let mut matching = Vec::new();
        for row in rows {
            let open = row.closed_on.is_none();
            let status_ok = match wanted_status {
                "closed" => !open,
                "all" => true,
                _ => open,
            };
            if !status_ok || query.group.as_ref().is_some_and(|g| row.group_name.as_ref() != Some(g)) {
                continue;
            }
            if let Some(needle) = &needle {
                let by_person = person.is_some() && row.person_hash == person;
                let by_text = !by_person
                    && super::record_view::plain_of(&row)?.values().any(|v| v.to_uppercase().contains(needle.as_str()));
                if !by_person && !by_text {
                    continue;
                }
            }
            matching.push(row);
        }
        let total = matching.len();
        let records = matching
            .into_iter()
            .rev()
            .skip(query.offset)
            .take(query.limit.clamp(1, 500))
            .map(|row| record(&def, row, &keys, false))
            .collect::<Result<_, _>>()?;
        Ok(RecordList {
            register,
            village: village.to_string(),
            total,
            records,
            counts,
            groups: groups.into_iter().map(|(group, open)| GroupCount { group, open }).collect(),
        })
    })
    .await
}

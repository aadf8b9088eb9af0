//! Row types: what the tables hold, not what the API shows.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::{Insertable, Queryable, Selectable};

use crate::schema::{region_changes, regions};

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = regions)]
pub struct RegionRow {
    pub code: String,
    pub name: String,
    pub level: i32,
    pub parent_code: Option<String>,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = regions)]
pub struct NewRegion {
    pub code: String,
    pub name: String,
    pub level: i32,
    pub parent_code: Option<String>,
    pub valid_from: NaiveDate,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = region_changes)]
pub struct NewRegionChange {
    pub old_code: String,
    pub new_code: Option<String>,
    pub kind: String,
    pub old_name: Option<String>,
    pub new_name: Option<String>,
    pub effective: NaiveDate,
    pub recorded_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = region_changes)]
pub struct RegionChangeRow {
    pub id: i64,
    pub old_code: String,
    pub new_code: Option<String>,
    pub kind: String,
    pub old_name: Option<String>,
    pub new_name: Option<String>,
    pub effective: NaiveDate,
    pub recorded_at: NaiveDateTime,
}

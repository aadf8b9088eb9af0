//! Region names for a list of codes: a page of accounts, deadlines or reminders names its regions,
//! so a person reads 吴家坪村, not 522301100200.

use std::collections::HashMap;

use onetable_core::RegionCode;
use onetable_store::{regions, DbConn};

use crate::problem::AppResult;

/// The name of each of `codes` that is a region (codes that are not are left out).
///
/// # Errors
/// On a database error.
pub fn names<'a>(conn: &mut DbConn, codes: impl IntoIterator<Item = &'a str>) -> AppResult<HashMap<String, String>> {
    let codes: Vec<RegionCode> = codes.into_iter().filter_map(|c| RegionCode::parse(c).ok()).collect();
    Ok(regions::find_many(conn, &codes)?.into_iter().map(|r| (r.code, r.name)).collect())
}

//! Reading the region hierarchy.

use diesel::prelude::*;
use onetable_core::{RegionCode, RegionLevel};

use crate::connection::{AnyBackend, DbConn};
use crate::error::StoreResult;
use crate::models::{RegionChangeRow, RegionRow};
use crate::schema::{region_changes, regions};

/// One page of rows and the total the filter matches.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
}

/// # Errors
/// On a database error.
pub fn find(conn: &mut DbConn, code: RegionCode) -> StoreResult<Option<RegionRow>> {
    Ok(regions::table.find(code.to_string()).select(RegionRow::as_select()).get_result(conn).optional()?)
}

/// Whether any current village is stored: a database nobody imported the divisions into has
/// none.
///
/// # Errors
/// On a database error.
pub fn has_villages(conn: &mut DbConn) -> StoreResult<bool> {
    use diesel::dsl::exists;
    Ok(diesel::select(exists(regions::table.filter(regions::level.eq(5)))).get_result(conn)?)
}

/// The rows of the given codes that exist, in no particular order.
///
/// # Errors
/// On a database error.
pub fn find_many(conn: &mut DbConn, codes: &[RegionCode]) -> StoreResult<Vec<RegionRow>> {
    let codes: Vec<String> = codes.iter().map(ToString::to_string).collect();
    Ok(regions::table.filter(regions::code.eq_any(codes)).select(RegionRow::as_select()).load(conn)?)
}

/// Current (not retired) children of a region, by code.
///
/// # Errors
/// On a database error.
pub fn children(conn: &mut DbConn, parent: RegionCode, limit: i64, offset: i64) -> StoreResult<Page<RegionRow>> {
    let parent = parent.to_string();
    let total = regions::table
        .filter(regions::parent_code.eq(&parent))
        .filter(regions::valid_to.is_null())
        .count()
        .get_result(conn)?;
    let items = regions::table
        .filter(regions::parent_code.eq(&parent))
        .filter(regions::valid_to.is_null())
        .order(regions::code)
        .limit(limit)
        .offset(offset)
        .select(RegionRow::as_select())
        .load(conn)?;
    Ok(Page { items, total })
}

/// What a region search asks for; every part is optional and they combine.
#[derive(Debug, Clone, Default)]
pub struct RegionSearch {
    /// A fragment of the name (matched anywhere in it).
    pub name: Option<String>,
    /// Only regions inside this one (itself excluded).
    pub within: Option<RegionCode>,
    pub level: Option<RegionLevel>,
    pub include_retired: bool,
    /// The caller's scope: only this region and what lies inside it.
    pub scope: Option<RegionCode>,
}

/// Searches current regions, ordered by level then code.
///
/// # Errors
/// On a database error.
pub fn search(conn: &mut DbConn, query: &RegionSearch, limit: i64, offset: i64) -> StoreResult<Page<RegionRow>> {
    let total = filtered(query).count().get_result(conn)?;
    let items = filtered(query)
        .order((regions::level, regions::code))
        .limit(limit)
        .offset(offset)
        .select(RegionRow::as_select())
        .load(conn)?;
    Ok(Page { items, total })
}

fn filtered(query: &RegionSearch) -> regions::BoxedQuery<'static, AnyBackend> {
    let mut q = regions::table.into_boxed();
    if let Some(name) = &query.name {
        q = q.filter(regions::name.like(format!("%{}%", escape_like(name))).escape('\\'));
    }
    if let Some(within) = query.within {
        q = q.filter(regions::code.gt(within.to_string())).filter(regions::code.le(within.descendant_upper_bound()));
    }
    if let Some(scope) = query.scope {
        q = q.filter(regions::code.ge(scope.to_string())).filter(regions::code.le(scope.descendant_upper_bound()));
    }
    if let Some(level) = query.level {
        q = q.filter(regions::level.eq(i32::from(level.number())));
    }
    if !query.include_retired {
        q = q.filter(regions::valid_to.is_null());
    }
    q
}

fn escape_like(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The recorded changes (renames, retirements, …) that touch a code, oldest first.
///
/// # Errors
/// On a database error.
pub fn changes_of(conn: &mut DbConn, code: RegionCode) -> StoreResult<Vec<RegionChangeRow>> {
    let code = code.to_string();
    Ok(region_changes::table
        .filter(region_changes::old_code.eq(&code).or(region_changes::new_code.eq(&code)))
        .order(region_changes::id)
        .select(RegionChangeRow::as_select())
        .load(conn)?)
}

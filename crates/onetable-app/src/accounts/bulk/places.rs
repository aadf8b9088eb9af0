//! The region a staff sheet names: a 12-digit code, or a name path (敬南镇/吴家坪村) resolved
//! within the admin's scope — the last segment the place, the ones before it its ancestors in
//! order, each compared by [`place_name::key`] (吴家坪村 is 吴家坪村村民委员会).

use std::collections::HashMap;

use onetable_core::{place_name, RegionCode};
use onetable_store::models::RegionRow;
use onetable_store::regions::{self, RegionSearch};
use onetable_store::DbConn;

use crate::problem::AppResult;

/// Why a sheet's region names no single place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlaceProblem {
    /// Nothing current by that code or name in the scope.
    Unknown,
    /// Several places fit; their names with their parents', to add to the path.
    Ambiguous(Vec<String>),
}

/// Resolves regions, remembering each text's answer (a township's name recurs on many rows).
pub struct Places {
    scope: Option<RegionCode>,
    known: HashMap<String, Result<RegionRow, PlaceProblem>>,
}

/// Most candidates a name may have before the path must say more.
const CANDIDATES: i64 = 50;

impl Places {
    #[must_use]
    pub fn within(scope: Option<RegionCode>) -> Self {
        Self { scope, known: HashMap::new() }
    }

    /// The one current region `text` names.
    ///
    /// # Errors
    /// A database error (the refusals are the inner `Err`).
    pub fn resolve(&mut self, conn: &mut DbConn, text: &str) -> AppResult<Result<RegionRow, PlaceProblem>> {
        if let Some(answer) = self.known.get(text) {
            return Ok(answer.clone());
        }
        let answer = self.look_up(conn, text)?;
        self.known.insert(text.to_owned(), answer.clone());
        Ok(answer)
    }

    fn look_up(&self, conn: &mut DbConn, text: &str) -> AppResult<Result<RegionRow, PlaceProblem>> {
        if text.bytes().all(|b| b.is_ascii_digit()) {
            // A code: whether it is in scope is the account rules' to say, with their message.
            let found = RegionCode::parse(text).ok().map(|code| regions::find(conn, code)).transpose()?.flatten();
            return Ok(found.filter(|r| r.valid_to.is_none()).ok_or(PlaceProblem::Unknown));
        }
        let segments = place_name::path_segments(text);
        let Some((last, outer)) = segments.split_last() else {
            return Ok(Err(PlaceProblem::Unknown));
        };
        let key = place_name::key(last);
        let search = RegionSearch { name: Some(key.clone()), scope: self.scope, ..RegionSearch::default() };
        let candidates: Vec<RegionRow> = regions::search(conn, &search, CANDIDATES, 0)?
            .items
            .into_iter()
            .filter(|r| place_name::key(&r.name) == key)
            .collect();
        let mut fitting = Vec::new();
        for candidate in candidates {
            let Ok(code) = RegionCode::parse(&candidate.code) else { continue };
            // Ancestors outermost first, as the path writes them.
            let ancestors = code.ancestors();
            let names: HashMap<String, String> =
                regions::find_many(conn, &ancestors)?.into_iter().map(|r| (r.code, r.name)).collect();
            let keys: Vec<String> =
                ancestors.iter().filter_map(|a| names.get(&a.to_string())).map(|n| place_name::key(n)).collect();
            if in_order(outer, &keys) {
                let parent = keys.last().cloned().unwrap_or_default();
                fitting.push((candidate, parent));
            }
        }
        Ok(match fitting.len() {
            0 => Err(PlaceProblem::Unknown),
            1 => Ok(fitting.remove(0).0),
            _ => Err(PlaceProblem::Ambiguous(
                fitting
                    .into_iter()
                    .map(|(r, parent)| format!("{parent}/{}（{}）", place_name::key(&r.name), r.code))
                    .collect(),
            )),
        })
    }
}

/// Whether every segment names one of the ancestors, in the ancestors' order (levels may be
/// skipped: 兴义市/吴家坪村 leaves the township out).
fn in_order(segments: &[&str], ancestors: &[String]) -> bool {
    let mut rest = ancestors.iter();
    segments.iter().all(|segment| {
        let key = place_name::key(segment);
        rest.any(|a| *a == key)
    })
}

#[cfg(test)]
mod tests {
    use super::in_order;

    #[test]
    fn a_path_names_ancestors_in_order_levels_may_be_skipped() {
        let ancestors =
            ["贵州省".to_owned(), "黔西南布依族苗族自治州".to_owned(), "兴义市".to_owned(), "敬南镇".to_owned()];
        assert!(in_order(&["敬南镇"], &ancestors));
        assert!(in_order(&["兴义市", "敬南镇"], &ancestors));
        assert!(in_order(&["兴义市"], &ancestors));
        assert!(!in_order(&["敬南镇", "兴义市"], &ancestors), "out of order");
        assert!(!in_order(&["顶效镇"], &ancestors));
        assert!(in_order(&[], &ancestors));
    }
}

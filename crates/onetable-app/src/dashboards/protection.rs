//! What a viewer (看板用户) may see of aggregates: sensitive indicators are not shown below county
//! level (they are named as withheld instead), and a sensitive count between 1 and 4 is shown as
//! `<5` at every level. Admins and reviewers see the numbers; departments see what their approved
//! request names (see [`crate::sharing::pull`]).

use onetable_analytics::{Cube, Datum, Report};
use onetable_core::{RegionLevel, Role};

/// The smallest count of a sensitive indicator a viewer sees; 1–4 show as `"<5"`.
pub const SMALL_COUNT: f64 = 5.0;

/// Whether indicator `code` is withheld from `role` in rows at `level`.
#[must_use]
pub fn hidden_from(role: Role, level: RegionLevel, cube: &Cube, code: &str) -> bool {
    role == Role::Viewer && level > RegionLevel::County && cube.measure(code).is_some_and(|m| m.sensitive)
}

/// Replaces sensitive counts between 1 and 4 by [`Datum::Suppressed`].
pub fn suppress_small_counts(report: &mut Report) {
    let small: Vec<bool> = report.measures.iter().map(|m| m.sensitive && m.is_count()).collect();
    for row in &mut report.rows {
        for (datum, small) in row.values.iter_mut().zip(&small) {
            if let (true, Datum::Number(n)) = (small, &datum) {
                if *n > 0.0 && *n < SMALL_COUNT {
                    *datum = Datum::Suppressed;
                }
            }
        }
    }
}

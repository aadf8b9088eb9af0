//! Data the binary ships, so that `onetable demo` and the tests work from any folder.

use onetable_core::RegionCode;

use crate::divisions::{read_embedded, DivisionSet, ImportError};

/// The demo prefecture: 黔西南布依族苗族自治州.
pub const DEMO_PREFECTURE: &str = "522300000000";

const DEMO_DIVISIONS: [(&str, &[u8]); 5] = [
    ("provinces", include_bytes!("../../../data/regions-5223/provinces.csv")),
    ("cities", include_bytes!("../../../data/regions-5223/cities.csv")),
    ("areas", include_bytes!("../../../data/regions-5223/areas.csv")),
    ("streets", include_bytes!("../../../data/regions-5223/streets.csv")),
    ("villages", include_bytes!("../../../data/regions-5223/villages.csv")),
];

/// The demo prefecture's divisions with its province and prefecture rows.
///
/// # Errors
/// Only if the shipped files are corrupt.
pub fn demo_divisions() -> Result<DivisionSet, ImportError> {
    let scope = RegionCode::parse(DEMO_PREFECTURE).ok();
    read_embedded(&DEMO_DIVISIONS, scope)
}

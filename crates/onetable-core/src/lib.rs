//! onetable's pure domain: identifiers, hierarchy rules, roles, and (later) indicators and formulas.
//!
//! Nothing here does IO; every other crate builds on these types.

pub mod formula;
pub mod password;
pub mod region;
pub mod role;

pub use region::{RegionCode, RegionCodeError, RegionKind, RegionLevel};
pub use role::Role;

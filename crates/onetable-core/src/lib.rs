//! onetable's pure domain: identifiers, hierarchy rules and (later) indicators and formulas.
//!
//! Nothing here does IO; every other crate builds on these types.

pub mod region;

pub use region::{RegionCode, RegionCodeError, RegionKind, RegionLevel};

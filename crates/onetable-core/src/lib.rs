//! onetable's pure domain: identifiers, hierarchy rules, roles, and (later) indicators and formulas.
//!
//! Nothing here does IO; every other crate builds on these types.

pub mod compat;
pub mod deadline;
pub mod formula;
pub mod indicator;
pub mod legacy;
pub mod password;
pub mod period;
pub mod place_name;
pub mod region;
pub mod register;
pub mod role;
pub mod scope;
pub mod similarity;
pub mod spreadsheet;
pub mod text;
pub mod value;
pub mod workflow;

pub use period::Period;
pub use region::{RegionCode, RegionCodeError, RegionKind, RegionLevel};
pub use role::Role;
pub use scope::Scope;

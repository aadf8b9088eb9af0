//! Supplies (数据供给, 数据回流) over HTTP: a department files a grant and, once approved, pushes
//! its values; the villages' forms show them prefilled.

pub mod decide;
pub mod discrepancies;
pub mod file;
pub mod records;
pub mod values;

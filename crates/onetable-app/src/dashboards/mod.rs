//! Dashboards (看板): aggregates with the viewers' protection rules, reporting progress, the burden
//! report.

pub mod aggregates;
pub mod burden;
pub mod progress;
pub mod protection;
pub mod saved;
pub mod series;

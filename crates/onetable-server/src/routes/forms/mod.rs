//! Legacy forms (报表清理): a department's old Excel form in, registry coverage out.

pub mod analyze;
pub mod confirm;

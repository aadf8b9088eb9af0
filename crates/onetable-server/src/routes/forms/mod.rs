//! Legacy forms (报表清理): a department's old Excel form in, registry coverage, a draft data
//! request and proposed indicators out.

pub mod analyze;
pub mod cleanup;
pub mod confirm;
pub mod draft;
pub mod proposals;
pub mod templates;

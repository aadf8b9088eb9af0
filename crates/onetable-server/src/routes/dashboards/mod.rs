//! Saved dashboards (看板): admins compose them; viewers, admins and reviewers in scope read them.

pub mod create;
pub mod delete;
pub mod get;
pub mod list;
pub mod update;

//! Data entry (一次录入): one village's form for one period, edited with optimistic concurrency,
//! validated cell by cell and rule by rule, and moved through review. The use cases are in
//! [`edit`], [`workflow`] and [`view`]; who may do them in [`access`].

pub mod access;
pub mod cell_json;
pub mod edit;
pub mod form;
pub mod history;
pub mod review_queue;
pub mod view;
pub mod workflow;
pub mod worklist;
pub mod write;

pub use form::{
    check_cells, formula_values, load_form, parse_period, require_village, rule_results, Form, FormCache, RuleResult,
    FORM_CHECK_TTL,
};
pub use write::{edit_event, locked, stale, transition, write_cells, Change, Written};

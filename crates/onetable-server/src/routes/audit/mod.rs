//! The audit trail (审计日志), for auditors only.

pub mod events;

//! One integration-test binary: every test drives a real server over real HTTP, on a fresh
//! database per test (SQLite always; PostgreSQL too when `ONETABLE_TEST_PG` is set).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod admin_pages;
mod audit;
mod audit_pages;
mod auth;
mod client_rotation;
mod dashboard_pages;
mod demo;
mod divisions;
mod docs;
mod entries;
mod form_pages;
mod form_requests;
mod forms_cleanup;
mod hardening;
mod health;
mod legacy_forms;
mod nationwide;
mod pages;
mod regions;
mod registry;
mod registry_pages;
mod report_templates;
mod request_pages;
mod saved_dashboards;
mod schema;
mod scope;
mod sessions;
mod sharing;
mod tokens;
mod trends;
mod use_cases;
mod users;
mod value_imports;
mod worklist;

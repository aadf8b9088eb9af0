//! onetable's HTTP API: actix-web routes (one module per resource), the error body, OpenAPI.

pub mod accounts;
pub mod analytics;
pub mod auth;
pub mod catalogue;
pub mod config;
pub mod demo;
pub mod docs;
pub mod entries;
pub mod error;
pub mod export;
pub mod group_commit;
pub mod imports;
pub mod openapi;
mod openapi_common;
pub mod registry;
pub mod routes;
pub mod sharing;
pub mod startup;
pub mod state;
pub mod time;

pub use config::Settings;
pub use startup::Application;

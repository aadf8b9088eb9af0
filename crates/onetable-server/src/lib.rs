//! onetable's HTTP API: actix-web routes (one module per resource), the error body, OpenAPI.

pub mod auth;
mod bare_errors;
pub mod config;
pub mod docs;
pub mod error;
pub mod export;
pub mod openapi;
mod openapi_common;
pub mod routes;
pub mod startup;
pub mod state;
pub mod upload;

pub use config::Settings;
pub use startup::Application;

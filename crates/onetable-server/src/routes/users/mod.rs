//! User management (用户管理) for admins, within their scope.

pub mod create;
pub mod get;
pub mod import;
pub mod list;
pub mod update;

pub use onetable_app::accounts::admin::{User, UserPage};

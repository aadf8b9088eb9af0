//! User management (用户管理) for admins, within their scope.

pub mod create;
pub mod get;
pub mod list;
pub mod update;

use chrono::NaiveDateTime;
use onetable_store::identity::UserRow;
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::ApiError;

/// An account as admins see it (never the password hash).
#[derive(Debug, Serialize, ToSchema)]
pub struct User {
    pub username: String,
    pub display_name: String,
    #[schema(example = "clerk")]
    pub role: String,
    pub region: Option<String>,
    pub department: Option<String>,
    pub disabled: bool,
    /// Temporarily locked after repeated failed logins.
    pub locked: bool,
    #[serde(serialize_with = "onetable_app::time::utc")]
    pub password_changed_at: NaiveDateTime,
    #[serde(serialize_with = "onetable_app::time::utc")]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "onetable_app::time::utc")]
    pub updated_at: NaiveDateTime,
}

impl From<UserRow> for User {
    fn from(row: UserRow) -> Self {
        let now = chrono::Utc::now().naive_utc();
        Self {
            locked: row.locked_until.is_some_and(|until| until > now),
            username: row.username,
            display_name: row.display_name,
            role: row.role,
            region: row.region_code,
            department: row.department,
            disabled: row.disabled,
            password_changed_at: row.password_changed_at,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

pub fn user_not_found(username: &str) -> ApiError {
    ApiError::not_found("user_not_found", format!("用户 {username} 不存在"))
}

/// Parses the role field of a request, as a 422 detail when wrong.
///
/// # Errors
/// When the text names no role.
pub fn parse_role(text: &str) -> Result<onetable_core::Role, ApiError> {
    text.parse().map_err(|e: onetable_core::role::UnknownRole| {
        ApiError::unprocessable("validation_failed", "用户信息不符合要求，请按提示修改").with_detail(
            Some("role"),
            "unknown_role",
            e.to_string(),
        )
    })
}

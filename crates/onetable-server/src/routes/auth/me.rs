//! `GET /api/v1/me`

use actix_web::{get, web, HttpResponse};
use chrono::{DateTime, Utc};
use onetable_store::regions;
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::tokens::SubjectKind;
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;

/// The caller's identity and scope, as the token states them.
#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    /// Username, or client id for a department system.
    pub subject: String,
    /// `user` or `client`.
    #[schema(value_type = String, example = "user")]
    pub kind: SubjectKind,
    #[schema(example = "clerk")]
    pub role: String,
    /// The region scope (12 digits); null for a nationwide auditor.
    pub region: Option<String>,
    pub region_name: Option<String>,
    pub department: Option<String>,
    pub expires_at: DateTime<Utc>,
}

/// Who the token says the caller is, and where it may reach.
#[utoipa::path(tag = "auth", security(("bearer" = [])), responses((status = 200, body = Me), (status = 401, body = ErrorBody)))]
#[get("/api/v1/me")]
pub async fn me(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, ApiError> {
    let scope = caller.scope.region();
    let region_name = match scope {
        Some(code) => state.run(move |conn| Ok(regions::find(conn, code)?.map(|r| r.name))).await?,
        None => None,
    };
    Ok(HttpResponse::Ok().json(Me {
        subject: caller.subject.clone(),
        kind: caller.kind,
        role: caller.role.as_str().to_owned(),
        region: scope.map(|c| c.to_string()),
        region_name,
        department: caller.department.clone(),
        expires_at: DateTime::from_timestamp(caller.expires_at, 0).unwrap_or_default(),
    }))
}

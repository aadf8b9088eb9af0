//! Submit, approve, return, reopen: `POST /api/v1/entries/{region}/{period}/{action}`.

use std::collections::BTreeMap;

use actix_web::{post, web, HttpRequest, HttpResponse};
use onetable_app::entries::workflow;
use onetable_app::text::Reason;
use onetable_core::workflow::{Step, APPROVE, REOPEN, RETURN};
use serde::Deserialize;
use utoipa::ToSchema;

use super::{if_match, parse_path, respond, Entry};
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::routes::json::Json;
use crate::state::AppState;

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct SubmitRequest {
    /// Rule code → why the flagged value is right anyway (one per failing warning rule).
    #[serde(default)]
    #[schema(value_type = BTreeMap<String, String>)]
    pub explanations: BTreeMap<String, Reason>,
}

/// The clerk submits the form for review. Refused (422, one detail per problem) while a required
/// value is missing, an error rule fails, or a failing warning rule has no explanation.
#[utoipa::path(
    tag = "entries",
    security(("bearer" = [])),
    params(("region" = String, Path), ("period" = String, Path), ("If-Match" = String, Header)),
    request_body = SubmitRequest,
    responses((status = 200, body = Entry), (status = 409, body = ErrorBody), (status = 412, body = ErrorBody), (status = 422, body = ErrorBody), (status = 428, body = ErrorBody))
)]
#[post("/api/v1/entries/{region}/{period}/submit")]
pub async fn submit(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    body: Json<SubmitRequest>,
) -> Result<HttpResponse, ApiError> {
    let at = parse_path(&path.0, &path.1)?;
    let explanations = body.into_inner().explanations.into_iter().map(|(code, why)| (code, why.into())).collect();
    let entry = workflow::submit(&state, &caller, at, if_match(&req).as_deref(), explanations).await?;
    Ok(respond(&entry))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct CommentRequest {
    /// Required to return (the clerk reads it) and to reopen (the reason).
    #[schema(inline)]
    pub comment: Option<Reason>,
    /// Accepted as a synonym of `comment` for reopen.
    #[schema(inline)]
    pub reason: Option<Reason>,
}

async fn review_step(
    state: &AppState,
    caller: &Caller,
    req: &HttpRequest,
    path: &(String, String),
    step: Step,
    comment: Option<String>,
) -> Result<HttpResponse, ApiError> {
    let at = parse_path(&path.0, &path.1)?;
    let entry = workflow::review(state, caller, at, if_match(req).as_deref(), step, comment).await?;
    Ok(respond(&entry))
}

/// A reviewer whose scope holds the village approves a submitted entry; it is then locked.
#[utoipa::path(
    tag = "entries",
    security(("bearer" = [])),
    params(("region" = String, Path), ("period" = String, Path), ("If-Match" = String, Header)),
    responses((status = 200, body = Entry), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 412, body = ErrorBody), (status = 428, body = ErrorBody))
)]
#[post("/api/v1/entries/{region}/{period}/approve")]
pub async fn approve(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    review_step(&state, &caller, &req, &path, APPROVE, None).await
}

/// A reviewer returns a submitted entry to the clerk with a comment.
#[utoipa::path(
    tag = "entries",
    security(("bearer" = [])),
    params(("region" = String, Path), ("period" = String, Path), ("If-Match" = String, Header)),
    request_body = CommentRequest,
    responses((status = 200, body = Entry), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 412, body = ErrorBody), (status = 422, body = ErrorBody), (status = 428, description = "no If-Match", body = ErrorBody))
)]
#[post("/api/v1/entries/{region}/{period}/return")]
pub async fn return_entry(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    body: Json<CommentRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    review_step(&state, &caller, &req, &path, RETURN, body.comment.or(body.reason).map(String::from)).await
}

/// The clerk or a reviewer reopens an approved entry (audited); it goes back through review.
#[utoipa::path(
    tag = "entries",
    security(("bearer" = [])),
    params(("region" = String, Path), ("period" = String, Path), ("If-Match" = String, Header)),
    request_body = CommentRequest,
    responses((status = 200, body = Entry), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 412, body = ErrorBody), (status = 422, body = ErrorBody), (status = 428, description = "no If-Match", body = ErrorBody))
)]
#[post("/api/v1/entries/{region}/{period}/reopen")]
pub async fn reopen(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    body: Json<CommentRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    review_step(&state, &caller, &req, &path, REOPEN, body.reason.or(body.comment).map(String::from)).await
}

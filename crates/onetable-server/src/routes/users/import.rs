//! `POST /api/v1/users/import` and `GET /api/v1/users/import/template`

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use onetable_app::accounts::bulk::{self, template, AccountImport};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::routes::imports::{read_body, ImportUpload, XLSX};
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AccountImportQuery {
    /// Check every row and answer what would happen; create nothing.
    pub dry_run: Option<bool>,
    /// `xlsx`: the real run answers the initial-password sheet (XLSX) instead of the JSON report.
    pub answer: Option<String>,
}

/// Imports a staff sheet (人员名单, XLSX or CSV; raw body or multipart): one row per person with
/// 用户名, 姓名, 角色, 所辖地区 (a 12-digit code or a name path such as 敬南镇/吴家坪村, resolved within
/// the admin's scope), 部门, 电话. `dry_run=true` answers each row's outcome (`created`,
/// `unchanged`, `refused` with the field and reason) and changes nothing. The real run creates
/// every new account or none (any refused row: 422 `import_rejected`, a detail per problem with
/// row and column), and is idempotent by username. Each new account's one-time password is in
/// this answer only (`initial_passwords`, or the XLSX with `answer=xlsx`); it must be replaced at
/// the first sign-in.
#[utoipa::path(
    tag = "users",
    security(("bearer" = [])),
    params(AccountImportQuery),
    request_body(description = "The staff sheet: XLSX, CSV (UTF-8), or a multipart form with one file part", content(
        (String = "text/csv"),
        (crate::export::Binary = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (ImportUpload = "multipart/form-data"),
    )),
    responses(
        (status = 200, body = AccountImport),
        (status = 403, description = "not an admin", body = ErrorBody),
        (status = 413, body = ErrorBody),
        (status = 415, body = ErrorBody),
        (status = 422, description = "`unreadable_file`, or `import_rejected` (nothing created)", body = ErrorBody),
        (status = 429, description = "`too_many_uploads`", body = ErrorBody),
    )
)]
#[post("/api/v1/users/import")]
pub async fn import_users(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    query: web::Query<AccountImportQuery>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let turn = state.upload_turn()?;
    let (format, bytes) = read_body(&req, payload, state.import_max_bytes).await?;
    let dry_run = query.dry_run.unwrap_or(false);
    let report = bulk::import(&state, &caller, format, bytes, dry_run).await?;
    drop(turn);
    if !dry_run && query.answer.as_deref() == Some("xlsx") {
        let sheet = template::password_sheet(&report.initial_passwords)?;
        return Ok(HttpResponse::Ok()
            .content_type(XLSX)
            .insert_header(("cache-control", "no-store"))
            .insert_header(("content-disposition", "attachment; filename=\"initial-passwords.xlsx\""))
            .body(sheet));
    }
    Ok(HttpResponse::Ok().insert_header(("cache-control", "no-store")).json(report))
}

/// The staff sheet's template (XLSX): the header, two example rows and what each column takes.
#[utoipa::path(
    tag = "users",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "the template", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = crate::export::Binary),
        (status = 403, body = ErrorBody),
    )
)]
#[get("/api/v1/users/import/template")]
pub async fn import_template(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, ApiError> {
    let sheet = bulk::staff_template(&state, &caller).await?;
    Ok(HttpResponse::Ok()
        .content_type(XLSX)
        .insert_header(("content-disposition", "attachment; filename=\"staff-template.xlsx\""))
        .body(sheet))
}

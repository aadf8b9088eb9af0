//! `GET /api/v1/regions/{code}/children`

use actix_web::{get, web, HttpResponse};
use onetable_store::regions;

use super::{parse_code, region_not_found, require_reader, Paging, Region, RegionPage};
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;

/// The current (not retired) children of a region, by code, paged.
#[utoipa::path(
    tag = "regions",
    security(("bearer" = [])),
    params(("code" = String, Path, description = "the parent region", example = "522301"), Paging),
    responses(
        (status = 200, body = RegionPage),
        (status = 400, description = "bad code or paging", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, description = "auditors read only the audit trail", body = ErrorBody),
        (status = 404, description = "no such region, or outside the caller's scope", body = ErrorBody),
    )
)]
#[get("/api/v1/regions/{code}/children")]
pub async fn list_children(
    state: web::Data<AppState>,
    caller: Caller,
    code: web::Path<String>,
    paging: web::Query<Paging>,
) -> Result<HttpResponse, ApiError> {
    let code = parse_code(&code, "code")?;
    state.authorize(&caller, "regions.read", Some(code.to_string()), require_reader(&caller)).await?;
    state.authorize(&caller, "regions.read", Some(code.to_string()), caller.require_read(code)).await?;
    let (limit, offset) = paging.resolve()?;
    let page = state
        .run(move |conn| {
            if regions::find(conn, code)?.is_none() {
                return Err(region_not_found(code));
            }
            let page = regions::children(conn, code, limit, offset)?;
            Ok(RegionPage {
                items: page.items.into_iter().map(Region::from_row).collect::<Result<_, _>>()?,
                total: page.total,
                limit,
                offset,
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

//! `/api/v1/data-requests` (报表准入): filing, review, and pulls of granted data.

pub mod data;
pub mod decide;
pub mod file;
pub mod list;

use onetable_store::sharing;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::sharing::{can_see, DataRequest};
use crate::state::AppState;

pub(crate) fn not_found(id: i64) -> ApiError {
    ApiError::not_found("data_request_not_found", format!("数据需求 {id} 不存在"))
}

/// The request, if the caller may see it (404 otherwise: others' requests do not exist for them).
pub(crate) async fn visible(state: &AppState, caller: &Caller, id: i64) -> Result<DataRequest, ApiError> {
    let row = state.run(move |conn| Ok(sharing::find(conn, id)?)).await?.ok_or_else(|| not_found(id))?;
    let request = DataRequest::from_row(row, chrono::Utc::now().naive_utc());
    if can_see(caller, &request) {
        Ok(request)
    } else {
        Err(not_found(id))
    }
}

//! `/api/v1/data-requests` (报表准入): filing, review, and pulls of granted data.

pub mod data;
pub mod decide;
pub mod extract;
pub mod file;
pub mod list;
pub mod records;

use onetable_app::sharing::pull;
use onetable_app::sharing::DataRequest;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::state::AppState;

/// The request, if the caller may see it (404 otherwise: others' requests do not exist for them).
pub(crate) async fn visible(state: &AppState, caller: &Caller, id: i64) -> Result<DataRequest, ApiError> {
    Ok(pull::visible(state, caller, id).await?)
}

//! The one error body of the API: `{"error": "snake_case_code", "message": "…", "details": […]}`,
//! and the one place a [`Problem`] of the application layer becomes an HTTP status.
//!
//! Client mistakes carry a Chinese message for clerks; internal faults are logged (with the
//! request id of the span they happen in) and answered with a bare 500 that leaks nothing.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
pub use onetable_app::problem::ErrorDetail;
use onetable_app::{Kind, Problem};
use serde::Serialize;
use utoipa::ToSchema;

/// The body of every error response.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct ErrorBody {
    /// A stable snake_case code, e.g. `invalid_region_code`.
    pub error: String,
    /// What went wrong and what to do, in Chinese.
    pub message: String,
    pub details: Vec<ErrorDetail>,
}

/// An error answer: a [`Problem`] on its way out.
#[derive(Debug)]
pub struct ApiError(pub Problem);

/// The status each kind of problem is answered with.
#[must_use]
pub fn status_of(kind: Kind) -> StatusCode {
    match kind {
        Kind::BadRequest => StatusCode::BAD_REQUEST,
        Kind::Unauthorized => StatusCode::UNAUTHORIZED,
        Kind::Forbidden => StatusCode::FORBIDDEN,
        Kind::NotFound => StatusCode::NOT_FOUND,
        Kind::Conflict => StatusCode::CONFLICT,
        Kind::Stale => StatusCode::PRECONDITION_FAILED,
        Kind::PreconditionRequired => StatusCode::PRECONDITION_REQUIRED,
        Kind::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        Kind::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        Kind::Invalid => StatusCode::UNPROCESSABLE_ENTITY,
        Kind::RateLimited => StatusCode::TOO_MANY_REQUESTS,
        Kind::HeadersTooLarge => StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
        Kind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        Kind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// The kind an HTTP-level refusal of this module's callers (the extractors) stands for.
fn kind_of(status: StatusCode) -> Kind {
    match status {
        StatusCode::BAD_REQUEST => Kind::BadRequest,
        StatusCode::UNAUTHORIZED => Kind::Unauthorized,
        StatusCode::FORBIDDEN => Kind::Forbidden,
        StatusCode::NOT_FOUND => Kind::NotFound,
        StatusCode::CONFLICT => Kind::Conflict,
        StatusCode::PRECONDITION_FAILED => Kind::Stale,
        StatusCode::PRECONDITION_REQUIRED => Kind::PreconditionRequired,
        StatusCode::PAYLOAD_TOO_LARGE => Kind::TooLarge,
        StatusCode::UNSUPPORTED_MEDIA_TYPE => Kind::UnsupportedMediaType,
        StatusCode::UNPROCESSABLE_ENTITY => Kind::Invalid,
        StatusCode::TOO_MANY_REQUESTS => Kind::RateLimited,
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE => Kind::HeadersTooLarge,
        StatusCode::SERVICE_UNAVAILABLE => Kind::Unavailable,
        _ => Kind::Internal,
    }
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self(Problem::new(kind_of(status), code, message))
    }

    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self(Problem::bad_request(code, message))
    }

    pub fn not_found(code: &'static str, message: impl Into<String>) -> Self {
        Self(Problem::not_found(code, message))
    }

    /// A fault of ours. The cause goes to the log only.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        Self(Problem::internal(cause))
    }

    pub fn unprocessable(code: &'static str, message: impl Into<String>) -> Self {
        Self(Problem::unprocessable(code, message))
    }

    /// 503 while the database cannot be reached.
    pub fn database_unavailable(cause: impl std::fmt::Display) -> Self {
        Self(Problem::unavailable(cause))
    }

    #[must_use]
    pub fn with_detail(self, field: Option<&str>, code: &str, message: impl Into<String>) -> Self {
        Self(self.0.with_detail(field, code, message))
    }

    #[must_use]
    pub fn with_retry_after(self, seconds: u64) -> Self {
        Self(self.0.with_retry_after(seconds))
    }

    #[must_use]
    pub fn with_challenge(self, scheme: &'static str) -> Self {
        Self(self.0.with_challenge(scheme))
    }

    #[must_use]
    pub fn code(&self) -> &'static str {
        self.0.code()
    }

    #[must_use]
    pub fn status(&self) -> StatusCode {
        status_of(self.0.kind())
    }

    /// The body this error is answered with.
    #[must_use]
    pub fn body(&self) -> ErrorBody {
        ErrorBody {
            error: self.0.code().to_owned(),
            message: self.0.message().to_owned(),
            details: self.0.details().to_vec(),
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status()
    }

    fn error_response(&self) -> HttpResponse {
        let problem = &self.0;
        if let Some(cause) = problem.cause() {
            tracing::error!(error.cause = %cause, "internal error");
        }
        let mut response = HttpResponse::build(self.status());
        if let Some(revision) = problem.revision() {
            response.insert_header(("etag", format!("\"{revision}\"")));
        }
        if let Some(seconds) = problem.retry_after() {
            response.insert_header(("retry-after", seconds.to_string()));
        }
        if let Some(scheme) = problem.challenge() {
            response.insert_header(("www-authenticate", scheme));
        }
        response.json(self.body())
    }
}

impl From<Problem> for ApiError {
    fn from(problem: Problem) -> Self {
        Self(problem)
    }
}

impl From<ApiError> for Problem {
    fn from(error: ApiError) -> Self {
        error.0
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        Self::internal(e)
    }
}

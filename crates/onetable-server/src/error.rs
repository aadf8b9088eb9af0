//! The one error body of the API: `{"error": "snake_case_code", "message": "…", "details": […]}`.
//!
//! Client mistakes carry a Chinese message for clerks; internal faults are logged (with the
//! request id of the span they happen in) and answered with a bare 500 that leaks nothing.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

/// One problem with one part of the input.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct ErrorDetail {
    /// The input field, parameter or column at fault.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// A stable snake_case code.
    pub code: String,
    /// What is wrong, in Chinese.
    pub message: String,
}

/// The body of every error response.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ErrorBody {
    /// A stable snake_case code, e.g. `invalid_region_code`.
    pub error: String,
    /// What went wrong and what to do, in Chinese.
    pub message: String,
    pub details: Vec<ErrorDetail>,
}

#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
    details: Vec<ErrorDetail>,
    /// Logged, never sent.
    cause: Option<String>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            details: Vec::new(),
            cause: None,
        }
    }

    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    pub fn not_found(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, code, message)
    }

    /// A fault of ours. The cause goes to the log only.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        Self {
            cause: Some(cause.to_string()),
            ..Self::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal_error",
                "服务器内部错误，请稍后重试；如持续出现，请把响应头中的 x-request-id 告知管理员",
            )
        }
    }

    #[must_use]
    pub fn with_detail(
        mut self,
        field: Option<&str>,
        code: &str,
        message: impl Into<String>,
    ) -> Self {
        self.details.push(ErrorDetail {
            field: field.map(str::to_owned),
            code: code.to_owned(),
            message: message.into(),
        });
        self
    }

    #[must_use]
    pub fn code(&self) -> &'static str {
        self.code
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        if let Some(cause) = &self.cause {
            tracing::error!(error.cause = %cause, "internal error");
        }
        HttpResponse::build(self.status).json(ErrorBody {
            error: self.code.to_owned(),
            message: self.message.clone(),
            details: self.details.clone(),
        })
    }
}

impl From<onetable_store::StoreError> for ApiError {
    fn from(e: onetable_store::StoreError) -> Self {
        Self::internal(e)
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        Self::internal(e)
    }
}

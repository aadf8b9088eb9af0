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
    /// What the caller may have meant (e.g. indicator codes close to an unknown one).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub suggestions: Vec<String>,
}

/// The body of every error response.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct ErrorBody {
    /// A stable snake_case code, e.g. `invalid_region_code`.
    pub error: String,
    /// What went wrong and what to do, in Chinese.
    pub message: String,
    pub details: Vec<ErrorDetail>,
}

/// An error answer. Boxed: handlers pass it around on every `?`.
#[derive(Debug)]
pub struct ApiError(Box<Parts>);

#[derive(Debug)]
struct Parts {
    status: StatusCode,
    code: &'static str,
    message: String,
    details: Vec<ErrorDetail>,
    /// Logged, never sent.
    cause: Option<String>,
    header: Option<(&'static str, String)>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self(Box::new(Parts { status, code, message: message.into(), details: Vec::new(), cause: None, header: None }))
    }

    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    pub fn not_found(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, code, message)
    }

    /// A fault of ours. The cause goes to the log only.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        let mut error = Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
            "服务器内部错误，请稍后重试；如持续出现，请把响应头中的 x-request-id 告知管理员",
        );
        error.0.cause = Some(cause.to_string());
        error
    }

    #[must_use]
    pub fn with_detail(mut self, field: Option<&str>, code: &str, message: impl Into<String>) -> Self {
        self.0.details.push(ErrorDetail {
            field: field.map(str::to_owned),
            code: code.to_owned(),
            message: message.into(),
            suggestions: Vec::new(),
        });
        self
    }

    /// As [`ApiError::with_detail`], with suggestions.
    #[must_use]
    pub fn with_suggestions(
        mut self,
        field: Option<&str>,
        code: &str,
        message: impl Into<String>,
        suggestions: Vec<String>,
    ) -> Self {
        self = self.with_detail(field, code, message);
        if let Some(last) = self.0.details.last_mut() {
            last.suggestions = suggestions;
        }
        self
    }

    /// A response header to send with the error (`WWW-Authenticate`, `Retry-After`).
    #[must_use]
    pub fn with_header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.0.header = Some((name, value.into()));
        self
    }

    pub fn unprocessable(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, code, message)
    }

    pub fn forbidden(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, code, message)
    }

    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, code, message)
    }

    #[must_use]
    pub fn has_details(&self) -> bool {
        !self.0.details.is_empty()
    }

    #[must_use]
    pub fn code(&self) -> &'static str {
        self.0.code
    }
}

impl ApiError {
    /// The body this error is answered with.
    #[must_use]
    pub fn body(&self) -> ErrorBody {
        ErrorBody { error: self.0.code.to_owned(), message: self.0.message.clone(), details: self.0.details.clone() }
    }

    #[must_use]
    pub fn status(&self) -> StatusCode {
        self.0.status
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.0.code, self.0.message)
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.0.status
    }

    fn error_response(&self) -> HttpResponse {
        let parts = &self.0;
        if let Some(cause) = &parts.cause {
            tracing::error!(error.cause = %cause, "internal error");
        }
        let mut response = HttpResponse::build(parts.status);
        if let Some((name, value)) = &parts.header {
            response.insert_header((*name, value.as_str()));
        }
        response.json(self.body())
    }
}

impl ApiError {
    /// 503 while the database cannot be reached: the request may be retried, and nothing was
    /// written. Logged as a warning with its cause, not as a fault of ours.
    pub fn database_unavailable(cause: impl std::fmt::Display) -> Self {
        tracing::warn!(error.cause = %cause, "database unavailable");
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "database_unavailable",
            "数据库暂时无法连接，请稍后重试；已填写的内容没有丢失",
        )
        .with_header("retry-after", RETRY_AFTER_SECONDS.to_string())
    }
}

/// What a 503 tells the client to wait before retrying.
const RETRY_AFTER_SECONDS: u32 = 5;

impl From<onetable_store::StoreError> for ApiError {
    fn from(e: onetable_store::StoreError) -> Self {
        if e.is_unavailable() {
            Self::database_unavailable(e)
        } else {
            Self::internal(e)
        }
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        Self::internal(e)
    }
}

impl ApiError {
    /// The message with its details, for a terminal.
    #[must_use]
    pub fn describe(&self) -> String {
        let mut out = self.0.message.clone();
        for detail in &self.0.details {
            out.push_str(&format!("\n  - {}: {}", detail.field.as_deref().unwrap_or("-"), detail.message));
        }
        out
    }
}

impl From<onetable_store::diesel_error::Error> for ApiError {
    fn from(e: onetable_store::diesel_error::Error) -> Self {
        if onetable_store::error::is_connection_lost(&e) {
            Self::database_unavailable(e)
        } else {
            Self::internal(e)
        }
    }
}

impl ApiError {
    /// Adds one detail per formula problem, its position in the message.
    #[must_use]
    pub fn with_formula_errors(mut self, field: &str, errors: &[onetable_core::formula::FormulaError]) -> Self {
        for error in errors {
            self = self.with_detail(Some(field), error.kind.code(), error.to_string());
        }
        self
    }
}

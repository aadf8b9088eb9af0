//! The one error of every use case: what went wrong, as a kind (invalid, not found, forbidden,
//! conflict, stale …), a stable snake_case code, a Chinese message and per-field details.
//! Interfaces map it once: the API to a status and the error body, the CLI to a message.

use serde::Serialize;
use utoipa::ToSchema;

/// What kind of refusal or fault a [`Problem`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The request cannot be read (a malformed parameter or body).
    BadRequest,
    /// No valid credentials.
    Unauthorized,
    /// The actor's role or scope does not allow it.
    Forbidden,
    /// Unknown, or outside the actor's scope.
    NotFound,
    /// Clashes with the stored state (a duplicate, a wrong workflow state).
    Conflict,
    /// The thing changed since the actor read it (a stale revision).
    Stale,
    /// A write came without the revision it was based on.
    PreconditionRequired,
    /// Larger than allowed.
    TooLarge,
    /// A body of a type the operation does not read.
    UnsupportedMediaType,
    /// Refused values, one detail each.
    Invalid,
    /// Too many attempts; retry later.
    RateLimited,
    /// The request's head is too large.
    HeadersTooLarge,
    /// The database cannot be reached; retry later.
    Unavailable,
    /// A fault of ours.
    Internal,
}

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

/// A refusal or a fault. Boxed: use cases pass it around on every `?`.
#[derive(Debug)]
pub struct Problem(Box<Parts>);

#[derive(Debug)]
struct Parts {
    kind: Kind,
    code: &'static str,
    message: String,
    details: Vec<ErrorDetail>,
    /// Logged, never shown.
    cause: Option<String>,
    /// For [`Kind::Stale`]: the current revision.
    revision: Option<i64>,
    /// For [`Kind::RateLimited`] and [`Kind::Unavailable`]: seconds to wait.
    retry_after: Option<u64>,
    /// For [`Kind::Unauthorized`]: the credentials scheme to ask for (`Bearer`, `Basic …`).
    challenge: Option<&'static str>,
}

/// How long a client is told to wait while the database cannot be reached.
pub const UNAVAILABLE_RETRY_SECONDS: u64 = 5;

impl Problem {
    pub fn new(kind: Kind, code: &'static str, message: impl Into<String>) -> Self {
        Self(Box::new(Parts {
            kind,
            code,
            message: message.into(),
            details: Vec::new(),
            cause: None,
            revision: None,
            retry_after: None,
            challenge: None,
        }))
    }

    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(Kind::BadRequest, code, message)
    }

    pub fn not_found(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(Kind::NotFound, code, message)
    }

    pub fn unprocessable(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(Kind::Invalid, code, message)
    }

    pub fn forbidden(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(Kind::Forbidden, code, message)
    }

    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(Kind::Conflict, code, message)
    }

    pub fn too_large(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(Kind::TooLarge, code, message)
    }

    /// The thing is at `current` now, not at the revision the actor read.
    pub fn stale(code: &'static str, message: impl Into<String>, current: i64) -> Self {
        let mut problem = Self::new(Kind::Stale, code, message);
        problem.0.revision = Some(current);
        problem
    }

    /// A fault of ours. The cause goes to the log only.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        let mut problem = Self::new(
            Kind::Internal,
            "internal_error",
            "服务器内部错误，请稍后重试；如持续出现，请把响应头中的 x-request-id 告知管理员",
        );
        problem.0.cause = Some(cause.to_string());
        problem
    }

    /// The database cannot be reached: the request may be retried, and nothing was written.
    /// Logged as a warning with its cause, not as a fault of ours.
    pub fn unavailable(cause: impl std::fmt::Display) -> Self {
        tracing::warn!(error.cause = %cause, "database unavailable");
        Self::new(Kind::Unavailable, "database_unavailable", "数据库暂时无法连接，请稍后重试；已填写的内容没有丢失")
            .with_retry_after(UNAVAILABLE_RETRY_SECONDS)
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

    /// As [`Problem::with_detail`], with suggestions.
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

    /// Adds one detail per formula problem, its position in the message.
    #[must_use]
    pub fn with_formula_errors(mut self, field: &str, errors: &[onetable_core::formula::FormulaError]) -> Self {
        for error in errors {
            self = self.with_detail(Some(field), error.kind.code(), error.to_string());
        }
        self
    }

    #[must_use]
    pub fn with_retry_after(mut self, seconds: u64) -> Self {
        self.0.retry_after = Some(seconds);
        self
    }

    #[must_use]
    pub fn with_challenge(mut self, scheme: &'static str) -> Self {
        self.0.challenge = Some(scheme);
        self
    }

    #[must_use]
    pub fn kind(&self) -> Kind {
        self.0.kind
    }

    #[must_use]
    pub fn code(&self) -> &'static str {
        self.0.code
    }

    #[must_use]
    pub fn message(&self) -> &str {
        &self.0.message
    }

    #[must_use]
    pub fn details(&self) -> &[ErrorDetail] {
        &self.0.details
    }

    #[must_use]
    pub fn has_details(&self) -> bool {
        !self.0.details.is_empty()
    }

    /// What to log for an internal fault.
    #[must_use]
    pub fn cause(&self) -> Option<&str> {
        self.0.cause.as_deref()
    }

    #[must_use]
    pub fn revision(&self) -> Option<i64> {
        self.0.revision
    }

    #[must_use]
    pub fn retry_after(&self) -> Option<u64> {
        self.0.retry_after
    }

    #[must_use]
    pub fn challenge(&self) -> Option<&'static str> {
        self.0.challenge
    }

    /// The message with its details, for a terminal.
    #[must_use]
    pub fn describe(&self) -> String {
        // At the command line the cause is the operator's to read: there is no log to look in.
        let mut out = match (&self.0.kind, &self.0.cause) {
            (Kind::Internal, Some(cause)) => format!("{}（{cause}）", self.0.message),
            _ => self.0.message.clone(),
        };
        for detail in &self.0.details {
            out.push_str(&format!("\n  - {}: {}", detail.field.as_deref().unwrap_or("-"), detail.message));
        }
        out
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.0.code, self.0.message)
    }
}

impl std::error::Error for Problem {}

impl From<onetable_store::StoreError> for Problem {
    fn from(e: onetable_store::StoreError) -> Self {
        if e.is_unavailable() {
            Self::unavailable(e)
        } else {
            Self::internal(e)
        }
    }
}

impl From<onetable_store::diesel_error::Error> for Problem {
    fn from(e: onetable_store::diesel_error::Error) -> Self {
        if onetable_store::error::is_connection_lost(&e) {
            Self::unavailable(e)
        } else {
            Self::internal(e)
        }
    }
}

impl From<tokio::task::JoinError> for Problem {
    fn from(e: tokio::task::JoinError) -> Self {
        Self::internal(e)
    }
}

/// The result of a use case.
pub type AppResult<T> = Result<T, Problem>;

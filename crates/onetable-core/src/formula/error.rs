use std::fmt;

use super::ast::Span;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormulaErrorKind {
    UnexpectedCharacter,
    BadNumber,
    UnexpectedToken,
    UnexpectedEnd,
    UnknownFunction,
    WrongArity,
    TooDeep,
    UnknownCode,
    DeprecatedCode,
    UnsupportedCode,
    TypeMismatch,
    Cycle,
}

impl FormulaErrorKind {
    /// A stable snake_case code for API error details.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::UnexpectedCharacter => "unexpected_character",
            Self::BadNumber => "bad_number",
            Self::UnexpectedToken => "unexpected_token",
            Self::UnexpectedEnd => "unexpected_end",
            Self::UnknownFunction => "unknown_function",
            Self::WrongArity => "wrong_arity",
            Self::TooDeep => "too_deep",
            Self::UnknownCode => "unknown_code",
            Self::DeprecatedCode => "deprecated_code",
            Self::UnsupportedCode => "unsupported_code",
            Self::TypeMismatch => "type_mismatch",
            Self::Cycle => "cycle",
        }
    }
}

/// A bad formula: what is wrong (in Chinese) and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormulaError {
    pub kind: FormulaErrorKind,
    pub span: Span,
    pub message: String,
}

impl FormulaError {
    pub(crate) fn new(kind: FormulaErrorKind, span: Span, message: impl Into<String>) -> Self {
        Self { kind, span, message: message.into() }
    }

    /// 1-based character column where the problem starts.
    #[must_use]
    pub fn column(&self) -> usize {
        self.span.start + 1
    }
}

impl fmt::Display for FormulaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "第 {} 个字符处：{}", self.column(), self.message)
    }
}

impl std::error::Error for FormulaError {}

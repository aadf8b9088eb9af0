//! The formula language (公式语言) of derived indicators and validation rules: numbers, indicator
//! codes, `+ - * /`, parentheses, comparisons, `and or not`, and `if coalesce abs round min max`.
//! Parsed once into an AST with positions, checked, then evaluated on one village's values (and,
//! in the analytics crate, compiled to column expressions).

mod ast;
mod check;
mod error;
mod eval;
mod lexer;
mod parser;

pub use ast::{BinaryOp, Expr, ExprKind, Function, Span, UnaryOp};
pub use check::{check, find_cycle, CodeInfo, CodeKind, Type};
pub use error::{FormulaError, FormulaErrorKind};
pub use eval::{evaluate, evaluate_rule, RuleOutcome, Value, DEFAULT_TOLERANCE};
pub use parser::parse;

#[cfg(test)]
mod tests;

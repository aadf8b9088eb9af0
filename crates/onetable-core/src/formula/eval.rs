use super::ast::{BinaryOp, Expr, ExprKind, Function, UnaryOp};

/// Equality in rules holds within this, unless the rule says otherwise.
pub const DEFAULT_TOLERANCE: f64 = 0.01;

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value {
    Number(f64),
    Bool(bool),
}

/// Evaluates a formula over one village's values. A missing input, a division by zero or a type
/// clash gives `None` (null) — never a panic, never infinity. Comparisons allow `tolerance`.
pub fn evaluate(expr: &Expr, values: &dyn Fn(&str) -> Option<Value>, tolerance: f64) -> Option<Value> {
    let number = |e: &Expr| match evaluate(e, values, tolerance) {
        Some(Value::Number(n)) => Some(n),
        _ => None,
    };
    let boolean = |e: &Expr| match evaluate(e, values, tolerance) {
        Some(Value::Bool(b)) => Some(b),
        _ => None,
    };
    match &expr.kind {
        ExprKind::Number(n) => Some(Value::Number(*n)),
        ExprKind::Bool(b) => Some(Value::Bool(*b)),
        ExprKind::Code(code) => values(code),
        ExprKind::Unary(UnaryOp::Neg, inner) => number(inner).map(|n| Value::Number(-n)),
        ExprKind::Unary(UnaryOp::Not, inner) => boolean(inner).map(|b| Value::Bool(!b)),
        ExprKind::Binary(BinaryOp::And, lhs, rhs) => match (boolean(lhs), boolean(rhs)) {
            (Some(false), _) | (_, Some(false)) => Some(Value::Bool(false)),
            (Some(true), Some(true)) => Some(Value::Bool(true)),
            _ => None,
        },
        ExprKind::Binary(BinaryOp::Or, lhs, rhs) => match (boolean(lhs), boolean(rhs)) {
            (Some(true), _) | (_, Some(true)) => Some(Value::Bool(true)),
            (Some(false), Some(false)) => Some(Value::Bool(false)),
            _ => None,
        },
        ExprKind::Binary(op, lhs, rhs) => {
            match (evaluate(lhs, values, tolerance)?, evaluate(rhs, values, tolerance)?) {
                (Value::Number(a), Value::Number(b)) => numeric(*op, a, b, tolerance),
                (Value::Bool(a), Value::Bool(b)) => match op {
                    BinaryOp::Eq => Some(Value::Bool(a == b)),
                    BinaryOp::Ne => Some(Value::Bool(a != b)),
                    _ => None,
                },
                _ => None,
            }
        }
        ExprKind::Call(function, args) => call(*function, args, values, tolerance),
    }
}

fn numeric(op: BinaryOp, a: f64, b: f64, tolerance: f64) -> Option<Value> {
    let finite = |n: f64| n.is_finite().then_some(Value::Number(n));
    match op {
        BinaryOp::Add => finite(a + b),
        BinaryOp::Sub => finite(a - b),
        BinaryOp::Mul => finite(a * b),
        BinaryOp::Div if b == 0.0 => None,
        BinaryOp::Div => finite(a / b),
        BinaryOp::Eq => Some(Value::Bool((a - b).abs() <= tolerance)),
        BinaryOp::Ne => Some(Value::Bool((a - b).abs() > tolerance)),
        BinaryOp::Lt => Some(Value::Bool(a < b)),
        BinaryOp::Le => Some(Value::Bool(a <= b + tolerance)),
        BinaryOp::Gt => Some(Value::Bool(a > b)),
        BinaryOp::Ge => Some(Value::Bool(a >= b - tolerance)),
        BinaryOp::And | BinaryOp::Or => None,
    }
}

fn call(function: Function, args: &[Expr], values: &dyn Fn(&str) -> Option<Value>, tolerance: f64) -> Option<Value> {
    let numbers = || -> Option<Vec<f64>> {
        args.iter()
            .map(|a| match evaluate(a, values, tolerance) {
                Some(Value::Number(n)) => Some(n),
                _ => None,
            })
            .collect()
    };
    match function {
        Function::If => match evaluate(args.first()?, values, tolerance)? {
            Value::Bool(true) => evaluate(args.get(1)?, values, tolerance),
            Value::Bool(false) => evaluate(args.get(2)?, values, tolerance),
            Value::Number(_) => None,
        },
        Function::Coalesce => args.iter().find_map(|a| evaluate(a, values, tolerance)),
        Function::Abs => Some(Value::Number(numbers()?.first()?.abs())),
        Function::Round => {
            let numbers = numbers()?;
            let digits = numbers.get(1).copied().unwrap_or(0.0).clamp(-10.0, 10.0);
            let scale = 10f64.powf(digits.trunc());
            let rounded = (numbers.first()? * scale).round() / scale;
            rounded.is_finite().then_some(Value::Number(rounded))
        }
        Function::Min => numbers()?.into_iter().reduce(f64::min).map(Value::Number),
        Function::Max => numbers()?.into_iter().reduce(f64::max).map(Value::Number),
    }
}

/// The result of one validation rule on one village.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleOutcome {
    Pass,
    Fail,
    /// An input was missing (with the default strategy) or the expression had no value.
    Skipped,
}

/// Evaluates a rule. With `missing_as_zero` false (the default strategy) a rule whose inputs are
/// not all present is skipped; with it true, missing inputs count as 0.
pub fn evaluate_rule(
    expr: &Expr,
    values: &dyn Fn(&str) -> Option<Value>,
    tolerance: f64,
    missing_as_zero: bool,
) -> RuleOutcome {
    let lookup = |code: &str| values(code).or(missing_as_zero.then_some(Value::Number(0.0)));
    if !missing_as_zero && expr.codes().iter().any(|c| values(c).is_none()) {
        return RuleOutcome::Skipped;
    }
    match evaluate(expr, &lookup, tolerance) {
        Some(Value::Bool(true)) => RuleOutcome::Pass,
        Some(Value::Bool(false)) => RuleOutcome::Fail,
        _ => RuleOutcome::Skipped,
    }
}

//! Formulas (the registry's formula language, `onetable_core::formula`) compiled from the core AST to polars expressions, so that a derived
//! indicator is evaluated over a whole column at once with the same meaning as
//! [`onetable_core::formula::evaluate`] on one village: a missing input or a division by zero is null.

use onetable_core::formula::{BinaryOp, Expr, ExprKind, Function, UnaryOp, DEFAULT_TOLERANCE};
use polars::prelude::{coalesce, lit, when, DataType, Expr as PlExpr, LiteralValue, RoundMode};

/// A typed null.
pub fn null_of(dtype: DataType) -> PlExpr {
    PlExpr::Literal(LiteralValue::untyped_null()).cast(dtype)
}

fn null_number() -> PlExpr {
    null_of(DataType::Float64)
}

/// Compiles `expr`; `column` gives the expression that stands for an indicator code and whether it
/// is boolean.
pub fn compile(expr: &Expr, column: &dyn Fn(&str) -> (PlExpr, bool)) -> PlExpr {
    let go = |e: &Expr| compile(e, column);
    match &expr.kind {
        ExprKind::Number(n) => lit(*n),
        ExprKind::Bool(b) => lit(*b),
        ExprKind::Code(code) => column(code).0,
        ExprKind::Unary(UnaryOp::Neg, inner) => lit(0.0) - go(inner),
        ExprKind::Unary(UnaryOp::Not, inner) => go(inner).not(),
        ExprKind::Binary(op, lhs, rhs) => binary(*op, lhs, rhs, column),
        ExprKind::Call(function, args) => call(*function, args, column),
    }
}

fn binary(op: BinaryOp, lhs: &Expr, rhs: &Expr, column: &dyn Fn(&str) -> (PlExpr, bool)) -> PlExpr {
    let (a, b) = (compile(lhs, column), compile(rhs, column));
    let tolerance = lit(DEFAULT_TOLERANCE);
    let booleans = is_boolean(lhs, column) && is_boolean(rhs, column);
    match op {
        BinaryOp::Add => a + b,
        BinaryOp::Sub => a - b,
        BinaryOp::Mul => a * b,
        BinaryOp::Div => when(b.clone().eq(lit(0.0))).then(null_number()).otherwise(a / b),
        BinaryOp::And => a.and(b),
        BinaryOp::Or => a.or(b),
        BinaryOp::Eq if booleans => a.eq(b),
        BinaryOp::Ne if booleans => a.neq(b),
        BinaryOp::Eq => (a - b).abs().lt_eq(tolerance),
        BinaryOp::Ne => (a - b).abs().gt(tolerance),
        BinaryOp::Lt => a.lt(b),
        BinaryOp::Le => a.lt_eq(b + tolerance),
        BinaryOp::Gt => a.gt(b),
        BinaryOp::Ge => a.gt_eq(b - tolerance),
    }
}

fn call(function: Function, args: &[Expr], column: &dyn Fn(&str) -> (PlExpr, bool)) -> PlExpr {
    let compiled: Vec<PlExpr> = args.iter().map(|a| compile(a, column)).collect();
    let any_null = || compiled.iter().map(|e| e.clone().is_null()).reduce(PlExpr::or).unwrap_or_else(|| lit(true));
    match (function, compiled.as_slice()) {
        (Function::If, [condition, then, otherwise]) => {
            // An unknown condition gives an unknown result, as in the row evaluator.
            when(condition.clone().is_null())
                .then(PlExpr::Literal(LiteralValue::untyped_null()))
                .when(condition.clone())
                .then(then.clone())
                .otherwise(otherwise.clone())
        }
        (Function::Coalesce, exprs) if !exprs.is_empty() => coalesce(exprs),
        (Function::Abs, [x]) => x.clone().abs(),
        (Function::Round, [x]) => x.clone().round(0, RoundMode::HalfAwayFromZero),
        (Function::Round, [x, _]) => match args.get(1).map(|a| &a.kind) {
            Some(ExprKind::Number(digits)) => {
                let scale = 10f64.powf(digits.clamp(-10.0, 10.0).trunc());
                (x.clone() * lit(scale)).round(0, RoundMode::HalfAwayFromZero) / lit(scale)
            }
            // Digits computed per village have no columnar equivalent; such formulas give null.
            _ => null_number(),
        },
        (Function::Min | Function::Max, exprs) if !exprs.is_empty() => {
            let reduced = exprs
                .iter()
                .cloned()
                .reduce(|acc, e| {
                    let pick = if function == Function::Min {
                        acc.clone().lt_eq(e.clone())
                    } else {
                        acc.clone().gt_eq(e.clone())
                    };
                    when(pick).then(acc).otherwise(e)
                })
                .unwrap_or_else(null_number);
            when(any_null()).then(null_number()).otherwise(reduced)
        }
        _ => null_number(),
    }
}

/// Whether a formula yields a boolean.
fn is_boolean(expr: &Expr, column: &dyn Fn(&str) -> (PlExpr, bool)) -> bool {
    match &expr.kind {
        ExprKind::Bool(_) | ExprKind::Unary(UnaryOp::Not, _) => true,
        ExprKind::Code(code) => column(code).1,
        ExprKind::Binary(op, _, _) => op.is_comparison() || matches!(op, BinaryOp::And | BinaryOp::Or),
        ExprKind::Call(Function::If, args) => args.get(1).is_some_and(|a| is_boolean(a, column)),
        ExprKind::Call(Function::Coalesce, args) => args.first().is_some_and(|a| is_boolean(a, column)),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use onetable_core::formula::{evaluate, parse, Value};
    use polars::prelude::{col, Column, DataFrame, IntoLazy};

    use super::*;

    /// The columnar result equals the one-village evaluator on every row, nulls included.
    #[test]
    fn agrees_with_the_row_evaluator() {
        let a = [Some(10.0), Some(3.0), None, Some(0.0), Some(-2.5)];
        let b = [Some(4.0), Some(0.0), Some(1.0), Some(0.0), Some(2.0)];
        let flag = [Some(true), Some(false), Some(true), None, Some(false)];
        let frame = DataFrame::new(
            a.len(),
            vec![
                Column::new("A.X".into(), a.to_vec()),
                Column::new("B.Y".into(), b.to_vec()),
                Column::new("C.Z".into(), flag.to_vec()),
            ],
        )
        .unwrap();
        let formulas = [
            "A.X / B.Y * 100",
            "A.X + B.Y - 1",
            "-A.X",
            "if(C.Z, A.X, B.Y)",
            "coalesce(A.X, B.Y)",
            "abs(A.X)",
            "round(A.X / 3, 2)",
            "round(A.X)",
            "min(A.X, B.Y)",
            "max(A.X, B.Y, 3)",
            "A.X == B.Y",
            "A.X >= B.Y and not C.Z",
            "A.X < 1 or C.Z",
            "C.Z == true",
        ];
        let column = |code: &str| (col(code), code == "C.Z");
        for text in formulas {
            let expr = parse(text).unwrap();
            let out = frame.clone().lazy().select([compile(&expr, &column).alias("out")]).collect().unwrap();
            let out = out.column("out").unwrap().as_materialized_series().clone();
            for row in 0..a.len() {
                let lookup = |code: &str| match code {
                    "A.X" => a[row].map(Value::Number),
                    "B.Y" => b[row].map(Value::Number),
                    _ => flag[row].map(Value::Bool),
                };
                let expected = evaluate(&expr, &lookup, DEFAULT_TOLERANCE);
                let got = out.get(row).unwrap();
                let got = if got.is_null() {
                    None
                } else if let Some(b) = got.extract_bool() {
                    Some(Value::Bool(b))
                } else {
                    got.extract::<f64>().map(Value::Number)
                };
                match (expected, got) {
                    (Some(Value::Number(e)), Some(Value::Number(g))) => {
                        assert!((e - g).abs() < 1e-9, "{text} row {row}: {e} vs {g}");
                    }
                    (e, g) => assert_eq!(e, g, "{text} row {row}"),
                }
            }
        }
    }
}

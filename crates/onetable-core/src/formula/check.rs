use super::ast::{BinaryOp, Expr, ExprKind, Function, UnaryOp};
use super::error::{FormulaError, FormulaErrorKind};

/// What a formula's code refers to, as far as checking is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeKind {
    /// integer or decimal
    Number,
    /// boolean
    Bool,
    /// text, enum or date: not usable in formulas
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodeInfo {
    pub kind: CodeKind,
    pub deprecated: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Type {
    Number,
    Bool,
}

impl Type {
    fn label(self) -> &'static str {
        match self {
            Self::Number => "数值",
            Self::Bool => "布尔（是/否）",
        }
    }
}

/// Checks codes (known, not deprecated, numeric or boolean) and types, and that the whole formula
/// yields `expected`. Returns every problem found, each with its position.
///
/// # Errors
/// The problems, when there are any.
pub fn check(expr: &Expr, expected: Type, lookup: impl Fn(&str) -> Option<CodeInfo>) -> Result<(), Vec<FormulaError>> {
    let mut checker = Checker { lookup: &lookup, errors: Vec::new() };
    if let Some(actual) = checker.infer(expr) {
        if actual != expected {
            checker.errors.push(FormulaError::new(
                FormulaErrorKind::TypeMismatch,
                expr.span,
                format!("公式结果应为{}，实际为{}", expected.label(), actual.label()),
            ));
        }
    }
    if checker.errors.is_empty() {
        Ok(())
    } else {
        Err(checker.errors)
    }
}

struct Checker<'a, F> {
    lookup: &'a F,
    errors: Vec<FormulaError>,
}

impl<F: Fn(&str) -> Option<CodeInfo>> Checker<'_, F> {
    fn want(&mut self, expr: &Expr, want: Type, context: &str) {
        if let Some(actual) = self.infer(expr) {
            if actual != want {
                self.errors.push(FormulaError::new(
                    FormulaErrorKind::TypeMismatch,
                    expr.span,
                    format!("{context}需要{}，这里是{}", want.label(), actual.label()),
                ));
            }
        }
    }

    /// The type of `expr`, or `None` when an error below makes it unknown.
    fn infer(&mut self, expr: &Expr) -> Option<Type> {
        match &expr.kind {
            ExprKind::Number(_) => Some(Type::Number),
            ExprKind::Bool(_) => Some(Type::Bool),
            ExprKind::Code(code) => self.code(code, expr),
            ExprKind::Unary(UnaryOp::Neg, inner) => {
                self.want(inner, Type::Number, "负号");
                Some(Type::Number)
            }
            ExprKind::Unary(UnaryOp::Not, inner) => {
                self.want(inner, Type::Bool, "not");
                Some(Type::Bool)
            }
            ExprKind::Binary(op, lhs, rhs) if op.is_arithmetic() => {
                self.want(lhs, Type::Number, op.symbol());
                self.want(rhs, Type::Number, op.symbol());
                Some(Type::Number)
            }
            ExprKind::Binary(op @ (BinaryOp::Eq | BinaryOp::Ne), lhs, rhs) => {
                let (l, r) = (self.infer(lhs), self.infer(rhs));
                if let (Some(l), Some(r)) = (l, r) {
                    if l != r {
                        self.errors.push(FormulaError::new(
                            FormulaErrorKind::TypeMismatch,
                            expr.span,
                            format!("{} 两边类型不同：{}与{}", op.symbol(), l.label(), r.label()),
                        ));
                    }
                }
                Some(Type::Bool)
            }
            ExprKind::Binary(op, lhs, rhs) if op.is_comparison() => {
                self.want(lhs, Type::Number, op.symbol());
                self.want(rhs, Type::Number, op.symbol());
                Some(Type::Bool)
            }
            ExprKind::Binary(op, lhs, rhs) => {
                self.want(lhs, Type::Bool, op.symbol());
                self.want(rhs, Type::Bool, op.symbol());
                Some(Type::Bool)
            }
            ExprKind::Call(function, args) => self.call(*function, args, expr),
        }
    }

    fn code(&mut self, code: &str, expr: &Expr) -> Option<Type> {
        let Some(info) = (self.lookup)(code) else {
            self.errors.push(FormulaError::new(
                FormulaErrorKind::UnknownCode,
                expr.span,
                format!("未知的指标代码 {code}"),
            ));
            return None;
        };
        if info.deprecated {
            self.errors.push(FormulaError::new(
                FormulaErrorKind::DeprecatedCode,
                expr.span,
                format!("指标 {code} 已停用，不能在新公式中引用"),
            ));
        }
        match info.kind {
            CodeKind::Number => Some(Type::Number),
            CodeKind::Bool => Some(Type::Bool),
            CodeKind::Other => {
                self.errors.push(FormulaError::new(
                    FormulaErrorKind::UnsupportedCode,
                    expr.span,
                    format!("指标 {code} 是文本、枚举或日期，不能用于公式"),
                ));
                None
            }
        }
    }

    fn call(&mut self, function: Function, args: &[Expr], expr: &Expr) -> Option<Type> {
        let name = function.name();
        match function {
            Function::If => {
                self.want(&args[0], Type::Bool, "if 的条件");
                let (a, b) = (self.infer(&args[1]), self.infer(&args[2]));
                match (a, b) {
                    (Some(a), Some(b)) if a != b => {
                        self.errors.push(FormulaError::new(
                            FormulaErrorKind::TypeMismatch,
                            expr.span,
                            "if 的两个结果类型应相同",
                        ));
                        None
                    }
                    (a, b) => a.or(b),
                }
            }
            Function::Coalesce => {
                let types: Vec<Option<Type>> = args.iter().map(|a| self.infer(a)).collect();
                let first = types.iter().flatten().next().copied();
                if types.iter().flatten().any(|t| Some(*t) != first) {
                    self.errors.push(FormulaError::new(
                        FormulaErrorKind::TypeMismatch,
                        expr.span,
                        "coalesce 的参数类型应相同",
                    ));
                }
                first
            }
            Function::Abs | Function::Round | Function::Min | Function::Max => {
                for arg in args {
                    self.want(arg, Type::Number, name);
                }
                Some(Type::Number)
            }
        }
    }
}

/// A cycle through `start` among derived indicators, as the list of codes around it, if any.
/// `deps` gives the codes a derived indicator's formula reads (empty for entered indicators).
#[must_use]
pub fn find_cycle(start: &str, deps: impl Fn(&str) -> Vec<String>) -> Option<Vec<String>> {
    fn walk(
        node: &str,
        start: &str,
        deps: &dyn Fn(&str) -> Vec<String>,
        path: &mut Vec<String>,
        seen: &mut std::collections::HashSet<String>,
    ) -> bool {
        for next in deps(node) {
            if next == start {
                return true;
            }
            if seen.insert(next.clone()) {
                path.push(next.clone());
                if walk(&next, start, deps, path, seen) {
                    return true;
                }
                path.pop();
            }
        }
        false
    }
    let mut path = vec![start.to_owned()];
    let mut seen = std::collections::HashSet::new();
    walk(start, start, &deps, &mut path, &mut seen).then(|| {
        path.push(start.to_owned());
        path
    })
}

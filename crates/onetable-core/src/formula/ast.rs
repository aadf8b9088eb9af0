use std::fmt;

/// Character positions (0-based, end exclusive) in the formula text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnaryOp {
    Neg,
    Not,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinaryOp {
    Add,
    Sub,
    Mul,
    Div,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    And,
    Or,
}

impl BinaryOp {
    #[must_use]
    pub fn symbol(self) -> &'static str {
        match self {
            Self::Add => "+",
            Self::Sub => "-",
            Self::Mul => "*",
            Self::Div => "/",
            Self::Eq => "==",
            Self::Ne => "!=",
            Self::Lt => "<",
            Self::Le => "<=",
            Self::Gt => ">",
            Self::Ge => ">=",
            Self::And => "and",
            Self::Or => "or",
        }
    }

    #[must_use]
    pub fn is_comparison(self) -> bool {
        matches!(self, Self::Eq | Self::Ne | Self::Lt | Self::Le | Self::Gt | Self::Ge)
    }

    #[must_use]
    pub fn is_arithmetic(self) -> bool {
        matches!(self, Self::Add | Self::Sub | Self::Mul | Self::Div)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Function {
    If,
    Coalesce,
    Abs,
    Round,
    Min,
    Max,
}

impl Function {
    pub const ALL: [Function; 6] = [Self::If, Self::Coalesce, Self::Abs, Self::Round, Self::Min, Self::Max];

    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::If => "if",
            Self::Coalesce => "coalesce",
            Self::Abs => "abs",
            Self::Round => "round",
            Self::Min => "min",
            Self::Max => "max",
        }
    }

    /// How many arguments it takes: (at least, at most).
    #[must_use]
    pub fn arity(self) -> (usize, usize) {
        match self {
            Self::If => (3, 3),
            Self::Abs => (1, 1),
            Self::Round => (1, 2),
            Self::Coalesce | Self::Min | Self::Max => (1, usize::MAX),
        }
    }

    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.name() == name)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    Number(f64),
    Bool(bool),
    /// An indicator code, e.g. `POP.REGISTERED`.
    Code(String),
    Unary(UnaryOp, Box<Expr>),
    Binary(BinaryOp, Box<Expr>, Box<Expr>),
    Call(Function, Vec<Expr>),
}

#[derive(Debug, Clone)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

/// Equality ignores positions: `(a)` and `a` are the same formula.
impl PartialEq for Expr {
    fn eq(&self, other: &Self) -> bool {
        self.kind == other.kind
    }
}

impl Expr {
    /// Every indicator code the formula reads, in order of appearance, without repeats.
    #[must_use]
    pub fn codes(&self) -> Vec<String> {
        let mut out = Vec::new();
        self.visit_codes(&mut |code, _| {
            if !out.iter().any(|c| c == code) {
                out.push(code.to_owned());
            }
        });
        out
    }

    /// Calls `f` on every code with its position.
    pub fn visit_codes(&self, f: &mut impl FnMut(&str, Span)) {
        match &self.kind {
            ExprKind::Code(code) => f(code, self.span),
            ExprKind::Unary(_, inner) => inner.visit_codes(f),
            ExprKind::Binary(_, lhs, rhs) => {
                lhs.visit_codes(f);
                rhs.visit_codes(f);
            }
            ExprKind::Call(_, args) => args.iter().for_each(|a| a.visit_codes(f)),
            ExprKind::Number(_) | ExprKind::Bool(_) => {}
        }
    }
}

/// Prints a formula that parses back to the same AST (binary operations fully parenthesised).
impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ExprKind::Number(n) => write!(f, "{n}"),
            ExprKind::Bool(b) => write!(f, "{b}"),
            ExprKind::Code(code) => f.write_str(code),
            ExprKind::Unary(UnaryOp::Neg, inner) => write!(f, "-({inner})"),
            ExprKind::Unary(UnaryOp::Not, inner) => write!(f, "(not {inner})"),
            ExprKind::Binary(op, lhs, rhs) => write!(f, "({lhs} {} {rhs})", op.symbol()),
            ExprKind::Call(func, args) => {
                write!(f, "{}(", func.name())?;
                for (i, arg) in args.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{arg}")?;
                }
                f.write_str(")")
            }
        }
    }
}

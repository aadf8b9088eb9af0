use super::ast::{BinaryOp, Expr, ExprKind, Function, Span, UnaryOp};
use super::error::{FormulaError, FormulaErrorKind};
use super::lexer::{lex, Token};

/// Deeper nesting than this is refused rather than risking the stack.
const MAX_DEPTH: usize = 64;

/// Parses a formula into its AST.
///
/// # Errors
/// With the position and a Chinese message, for any text that is not a formula.
pub fn parse(text: &str) -> Result<Expr, FormulaError> {
    let tokens = lex(text)?;
    let end = text.chars().count();
    let mut parser = Parser { tokens, pos: 0, end, depth: 0 };
    if parser.tokens.is_empty() {
        return Err(FormulaError::new(FormulaErrorKind::UnexpectedEnd, Span { start: 0, end: 0 }, "公式为空"));
    }
    let expr = parser.or()?;
    if let Some((token, span)) = parser.peek() {
        return Err(FormulaError::new(
            FormulaErrorKind::UnexpectedToken,
            span,
            format!("多余的内容“{}”", describe(&token)),
        ));
    }
    Ok(expr)
}

struct Parser {
    tokens: Vec<(Token, Span)>,
    pos: usize,
    end: usize,
    depth: usize,
}

fn describe(token: &Token) -> String {
    match token {
        Token::Number(n) => n.to_string(),
        Token::Code(c) | Token::Word(c) => c.clone(),
        Token::Op(op) => (*op).to_owned(),
        Token::LParen => "(".to_owned(),
        Token::RParen => ")".to_owned(),
        Token::Comma => ",".to_owned(),
    }
}

fn join(a: Span, b: Span) -> Span {
    Span { start: a.start, end: b.end }
}

impl Parser {
    fn peek(&self) -> Option<(Token, Span)> {
        self.tokens.get(self.pos).cloned()
    }

    fn end_span(&self) -> Span {
        Span { start: self.end, end: self.end }
    }

    fn eat_op(&mut self, ops: &[&'static str]) -> Option<(&'static str, Span)> {
        match self.peek() {
            Some((Token::Op(op), span)) if ops.contains(&op) => {
                self.pos += 1;
                Some((op, span))
            }
            _ => None,
        }
    }

    fn eat_word(&mut self, word: &str) -> Option<Span> {
        match self.peek() {
            Some((Token::Word(w), span)) if w == word => {
                self.pos += 1;
                Some(span)
            }
            _ => None,
        }
    }

    fn nested<T>(&mut self, at: Span, f: impl FnOnce(&mut Self) -> Result<T, FormulaError>) -> Result<T, FormulaError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(FormulaError::new(FormulaErrorKind::TooDeep, at, format!("公式嵌套超过 {MAX_DEPTH} 层")));
        }
        let out = f(self);
        self.depth -= 1;
        out
    }

    fn or(&mut self) -> Result<Expr, FormulaError> {
        let mut lhs = self.and()?;
        while self.eat_word("or").is_some() {
            let rhs = self.and()?;
            lhs = binary(BinaryOp::Or, lhs, rhs);
        }
        Ok(lhs)
    }

    fn and(&mut self) -> Result<Expr, FormulaError> {
        let mut lhs = self.not()?;
        while self.eat_word("and").is_some() {
            let rhs = self.not()?;
            lhs = binary(BinaryOp::And, lhs, rhs);
        }
        Ok(lhs)
    }

    fn not(&mut self) -> Result<Expr, FormulaError> {
        if let Some(span) = self.eat_word("not") {
            let inner = self.nested(span, Self::not)?;
            return Ok(Expr { span: join(span, inner.span), kind: ExprKind::Unary(UnaryOp::Not, Box::new(inner)) });
        }
        self.comparison()
    }

    fn comparison(&mut self) -> Result<Expr, FormulaError> {
        let lhs = self.additive()?;
        let Some((op, _)) = self.eat_op(&["==", "!=", "<", "<=", ">", ">="]) else {
            return Ok(lhs);
        };
        let op = match op {
            "==" => BinaryOp::Eq,
            "!=" => BinaryOp::Ne,
            "<" => BinaryOp::Lt,
            "<=" => BinaryOp::Le,
            ">" => BinaryOp::Gt,
            _ => BinaryOp::Ge,
        };
        let rhs = self.additive()?;
        if let Some((_, again)) = self.eat_op(&["==", "!=", "<", "<=", ">", ">="]) {
            return Err(FormulaError::new(
                FormulaErrorKind::UnexpectedToken,
                again,
                "比较不能连写（如 a < b < c），请用 and 连接两个比较",
            ));
        }
        Ok(binary(op, lhs, rhs))
    }

    fn additive(&mut self) -> Result<Expr, FormulaError> {
        let mut lhs = self.multiplicative()?;
        while let Some((op, _)) = self.eat_op(&["+", "-"]) {
            let rhs = self.multiplicative()?;
            lhs = binary(if op == "+" { BinaryOp::Add } else { BinaryOp::Sub }, lhs, rhs);
        }
        Ok(lhs)
    }

    fn multiplicative(&mut self) -> Result<Expr, FormulaError> {
        let mut lhs = self.unary()?;
        while let Some((op, _)) = self.eat_op(&["*", "/"]) {
            let rhs = self.unary()?;
            lhs = binary(if op == "*" { BinaryOp::Mul } else { BinaryOp::Div }, lhs, rhs);
        }
        Ok(lhs)
    }

    fn unary(&mut self) -> Result<Expr, FormulaError> {
        if let Some((_, span)) = self.eat_op(&["-"]) {
            let inner = self.nested(span, Self::unary)?;
            return Ok(Expr { span: join(span, inner.span), kind: ExprKind::Unary(UnaryOp::Neg, Box::new(inner)) });
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Expr, FormulaError> {
        let Some((token, span)) = self.peek() else {
            return Err(FormulaError::new(
                FormulaErrorKind::UnexpectedEnd,
                self.end_span(),
                "公式不完整，缺少运算对象",
            ));
        };
        self.pos += 1;
        match token {
            Token::Number(n) => Ok(Expr { kind: ExprKind::Number(n), span }),
            Token::Code(code) => Ok(Expr { kind: ExprKind::Code(code), span }),
            Token::Word(word) if word == "true" || word == "false" => {
                Ok(Expr { kind: ExprKind::Bool(word == "true"), span })
            }
            Token::Word(word) => self.call(&word, span),
            Token::LParen => {
                let inner = self.nested(span, Self::or)?;
                let close = self.expect_rparen(span)?;
                Ok(Expr { kind: inner.kind, span: join(span, close) })
            }
            other => Err(FormulaError::new(
                FormulaErrorKind::UnexpectedToken,
                span,
                format!("此处应为数字、指标代码、函数或括号，而不是“{}”", describe(&other)),
            )),
        }
    }

    fn expect_rparen(&mut self, open: Span) -> Result<Span, FormulaError> {
        match self.peek() {
            Some((Token::RParen, span)) => {
                self.pos += 1;
                Ok(span)
            }
            Some((other, span)) => Err(FormulaError::new(
                FormulaErrorKind::UnexpectedToken,
                span,
                format!("此处应为“)”，而不是“{}”（第 {} 个字符的括号未闭合）", describe(&other), open.start + 1),
            )),
            None => Err(FormulaError::new(
                FormulaErrorKind::UnexpectedEnd,
                self.end_span(),
                format!("第 {} 个字符的括号未闭合", open.start + 1),
            )),
        }
    }

    fn call(&mut self, name: &str, span: Span) -> Result<Expr, FormulaError> {
        let Some(function) = Function::from_name(name) else {
            let names: Vec<&str> = Function::ALL.iter().map(|f| f.name()).collect();
            return Err(FormulaError::new(
                FormulaErrorKind::UnknownFunction,
                span,
                format!("未知的函数或关键字“{name}”（可用函数：{}；指标代码须为大写）", names.join("、")),
            ));
        };
        match self.peek() {
            Some((Token::LParen, _)) => self.pos += 1,
            _ => {
                return Err(FormulaError::new(
                    FormulaErrorKind::UnexpectedToken,
                    span,
                    format!("函数 {name} 后应有“(”"),
                ))
            }
        }
        let mut args = Vec::new();
        if !matches!(self.peek(), Some((Token::RParen, _))) {
            loop {
                args.push(self.nested(span, Self::or)?);
                if matches!(self.peek(), Some((Token::Comma, _))) {
                    self.pos += 1;
                } else {
                    break;
                }
            }
        }
        let close = self.expect_rparen(span)?;
        let whole = join(span, close);
        let (min, max) = function.arity();
        if args.len() < min || args.len() > max {
            let expected = if min == max {
                format!("{min} 个")
            } else if max == usize::MAX {
                format!("至少 {min} 个")
            } else {
                format!("{min} 到 {max} 个")
            };
            return Err(FormulaError::new(
                FormulaErrorKind::WrongArity,
                whole,
                format!("函数 {name} 需要{expected}参数，实际 {} 个", args.len()),
            ));
        }
        Ok(Expr { kind: ExprKind::Call(function, args), span: whole })
    }
}

fn binary(op: BinaryOp, lhs: Expr, rhs: Expr) -> Expr {
    Expr { span: join(lhs.span, rhs.span), kind: ExprKind::Binary(op, Box::new(lhs), Box::new(rhs)) }
}

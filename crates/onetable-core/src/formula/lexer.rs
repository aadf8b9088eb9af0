use super::ast::Span;
use super::error::{FormulaError, FormulaErrorKind};

#[derive(Debug, Clone, PartialEq)]
pub enum Token {
    Number(f64),
    /// An upper-case indicator code.
    Code(String),
    /// A lower-case word: keyword or function name.
    Word(String),
    Op(&'static str),
    LParen,
    RParen,
    Comma,
}

/// Splits the text into tokens with their character spans.
pub fn lex(text: &str) -> Result<Vec<(Token, Span)>, FormulaError> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let start = i;
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let token = if c.is_ascii_digit() || (c == '.' && chars.get(i + 1).is_some_and(char::is_ascii_digit)) {
            while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                i += 1;
            }
            let literal: String = chars[start..i].iter().collect();
            let value = literal.parse::<f64>().ok().filter(|v| v.is_finite()).ok_or_else(|| {
                FormulaError::new(FormulaErrorKind::BadNumber, Span { start, end: i }, format!("无效的数字“{literal}”"))
            })?;
            Token::Number(value)
        } else if c.is_ascii_alphabetic() || c == '_' {
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || matches!(chars[i], '_' | '.')) {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            if word.starts_with(|c: char| c.is_ascii_uppercase()) {
                Token::Code(word)
            } else {
                Token::Word(word)
            }
        } else {
            let two: String = chars[i..chars.len().min(i + 2)].iter().collect();
            let op = match two.as_str() {
                "==" => Some("=="),
                "!=" => Some("!="),
                "<=" => Some("<="),
                ">=" => Some(">="),
                _ => None,
            };
            if let Some(op) = op {
                i += 2;
                Token::Op(op)
            } else {
                i += 1;
                match c {
                    '+' => Token::Op("+"),
                    '-' => Token::Op("-"),
                    '*' => Token::Op("*"),
                    '/' => Token::Op("/"),
                    '<' => Token::Op("<"),
                    '>' => Token::Op(">"),
                    '(' => Token::LParen,
                    ')' => Token::RParen,
                    ',' => Token::Comma,
                    _ => {
                        let hint = match c {
                            '=' => "（相等请用 ==）",
                            '（' | '）' | '，' => "（请使用半角括号和逗号）",
                            _ => "",
                        };
                        return Err(FormulaError::new(
                            FormulaErrorKind::UnexpectedCharacter,
                            Span { start, end: i },
                            format!("无法识别的字符“{c}”{hint}"),
                        ));
                    }
                }
            }
        };
        out.push((token, Span { start, end: i }));
    }
    Ok(out)
}

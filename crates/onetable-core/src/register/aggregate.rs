//! Register aggregates (台账汇总): an indicator's value derived from a register —
//! `count(REG.DIBAO)`, `count(REG.DIBAO, kind == "A")`, `sum(REG.DIBAO.members)`,
//! `sum(REG.HOUSEHOLD.members, poverty == true and members >= 3)` — over the records open at the
//! period's end. The condition compares a column with a literal (`== != < <= > >=`), joined by
//! `and`, `or`, `not` and parentheses; sensitive columns may not be read.

use std::collections::BTreeMap;

use super::definition::{ColumnKind, RegisterDef};

/// `count` or `sum` of a column.
#[derive(Debug, Clone, PartialEq)]
pub enum Measure {
    Count,
    Sum(String),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    Number(f64),
    Text(String),
    Bool(bool),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    Compare { column: String, op: &'static str, value: Literal },
    And(Box<Condition>, Box<Condition>),
    Or(Box<Condition>, Box<Condition>),
    Not(Box<Condition>),
}

/// A parsed register aggregate.
#[derive(Debug, Clone, PartialEq)]
pub struct Aggregate {
    pub register: String,
    pub measure: Measure,
    pub condition: Option<Condition>,
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Word(String),
    Number(f64),
    Text(String),
    Op(&'static str),
    Open,
    Close,
    Comma,
}

fn lex(text: &str) -> Result<Vec<Token>, String> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '"' || c == '“' {
            let close = if c == '"' { '"' } else { '”' };
            let start = i + 1;
            i = start;
            while i < chars.len() && chars[i] != close {
                i += 1;
            }
            if i == chars.len() {
                return Err("字符串缺少结尾的引号".into());
            }
            out.push(Token::Text(chars[start..i].iter().collect()));
            i += 1;
        } else if c.is_ascii_digit() || (c == '-' && chars.get(i + 1).is_some_and(char::is_ascii_digit)) {
            let start = i;
            i += 1;
            while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                i += 1;
            }
            let literal: String = chars[start..i].iter().collect();
            out.push(Token::Number(literal.parse().map_err(|_| format!("无效的数字“{literal}”"))?));
        } else if c.is_ascii_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || matches!(chars[i], '_' | '.')) {
                i += 1;
            }
            out.push(Token::Word(chars[start..i].iter().collect()));
        } else {
            let two: String = chars[i..chars.len().min(i + 2)].iter().collect();
            let op = ["==", "!=", "<=", ">="].into_iter().find(|op| *op == two);
            if let Some(op) = op {
                out.push(Token::Op(op));
                i += 2;
                continue;
            }
            out.push(match c {
                '<' => Token::Op("<"),
                '>' => Token::Op(">"),
                '(' => Token::Open,
                ')' => Token::Close,
                ',' => Token::Comma,
                '+' | '-' | '*' | '/' => return Err(format!("台账汇总中不能有“{c}”（不支持与其他公式组合）")),
                _ => return Err(format!("无法识别的字符“{c}”")),
            });
            i += 1;
        }
    }
    Ok(out)
}

/// Whether `text` reads as a register aggregate at all (`count(REG.` or `sum(REG.`): such a
/// formula is parsed here, not by the formula language.
#[must_use]
pub fn looks_like(text: &str) -> bool {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    compact.starts_with("count(REG.") || compact.starts_with("sum(REG.")
}

/// Parses an aggregate.
///
/// # Errors
/// A Chinese message saying what is wrong.
pub fn parse(text: &str) -> Result<Aggregate, String> {
    let tokens = lex(text)?;
    let mut p = Parser { tokens, pos: 0, depth: 0 };
    let measure_word = match p.next() {
        Some(Token::Word(w)) if w == "count" || w == "sum" => w,
        _ => return Err("台账汇总应为 count(REG.X[, 条件]) 或 sum(REG.X.列[, 条件])".into()),
    };
    p.expect(&Token::Open, "(")?;
    let Some(Token::Word(target)) = p.next() else { return Err("括号内应为台账代码，如 REG.DIBAO".into()) };
    let (register, measure) = if measure_word == "count" {
        (target, Measure::Count)
    } else {
        let (register, column) = target
            .rsplit_once('.')
            .filter(|(r, _)| r.contains('.'))
            .ok_or("sum 应写作 sum(REG.X.列)，如 sum(REG.DIBAO.members)")?;
        (register.to_owned(), Measure::Sum(column.to_owned()))
    };
    let condition = if p.peek() == Some(&Token::Comma) {
        p.pos += 1;
        Some(p.or()?)
    } else {
        None
    };
    p.expect(&Token::Close, ")")?;
    if p.pos < p.tokens.len() {
        return Err("台账汇总之后不能再有其他内容（不支持与其他公式组合）".into());
    }
    Ok(Aggregate { register, measure, condition })
}

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
    depth: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos)
    }

    fn next(&mut self) -> Option<Token> {
        let token = self.tokens.get(self.pos).cloned();
        self.pos += 1;
        token
    }

    fn expect(&mut self, token: &Token, shown: &str) -> Result<(), String> {
        if self.next().as_ref() == Some(token) {
            Ok(())
        } else {
            Err(format!("此处应为“{shown}”"))
        }
    }

    fn word(&mut self, word: &str) -> bool {
        if matches!(self.peek(), Some(Token::Word(w)) if w == word) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn or(&mut self) -> Result<Condition, String> {
        let mut lhs = self.and()?;
        while self.word("or") {
            lhs = Condition::Or(Box::new(lhs), Box::new(self.and()?));
        }
        Ok(lhs)
    }

    fn and(&mut self) -> Result<Condition, String> {
        let mut lhs = self.not()?;
        while self.word("and") {
            lhs = Condition::And(Box::new(lhs), Box::new(self.not()?));
        }
        Ok(lhs)
    }

    fn not(&mut self) -> Result<Condition, String> {
        self.depth += 1;
        if self.depth > 32 {
            return Err("条件嵌套过深".into());
        }
        let out = if self.word("not") {
            Ok(Condition::Not(Box::new(self.not()?)))
        } else if self.peek() == Some(&Token::Open) {
            self.pos += 1;
            let inner = self.or()?;
            self.expect(&Token::Close, ")")?;
            Ok(inner)
        } else {
            self.compare()
        };
        self.depth -= 1;
        out
    }

    fn compare(&mut self) -> Result<Condition, String> {
        let Some(Token::Word(column)) = self.next() else {
            return Err("条件应为“列 比较符 值”，如 kind == \"A\"".into());
        };
        let Some(Token::Op(op)) = self.next() else {
            return Err(format!("列 {column} 之后应为比较符（== != < <= > >=）"));
        };
        let value = match self.next() {
            Some(Token::Number(n)) => Literal::Number(n),
            Some(Token::Text(t)) => Literal::Text(t),
            Some(Token::Word(w)) if w == "true" || w == "false" => Literal::Bool(w == "true"),
            _ => return Err(format!("{column} {op} 之后应为数字、带引号的文字或 true/false")),
        };
        Ok(Condition::Compare { column, op, value })
    }
}

impl Aggregate {
    /// Checks the aggregate against its register: the columns exist, are not sensitive, and
    /// each comparison fits the column's type (a sum needs a number column).
    ///
    /// # Errors
    /// Every problem, in Chinese.
    pub fn check(&self, def: &RegisterDef) -> Result<(), Vec<String>> {
        let mut problems = Vec::new();
        if let Measure::Sum(column) = &self.measure {
            match def.column(column) {
                None => problems.push(format!("{} 没有列 {column}", def.code)),
                Some(c) if !matches!(c.kind, ColumnKind::Integer | ColumnKind::Decimal) => {
                    problems.push(format!("sum 只能用于数值列，{column} 是 {}", c.kind));
                }
                Some(_) => {}
            }
        }
        if let Some(condition) = &self.condition {
            check_condition(condition, def, &mut problems);
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems)
        }
    }

    /// The aggregate over `records` (each a record's canonical values, all open at the period's
    /// end). A record whose summed column is empty adds nothing.
    #[must_use]
    pub fn evaluate<'a>(&self, records: impl IntoIterator<Item = &'a BTreeMap<String, String>>) -> f64 {
        let mut total = 0.0;
        for record in records {
            if self.condition.as_ref().is_some_and(|c| !holds(c, record)) {
                continue;
            }
            total += match &self.measure {
                Measure::Count => 1.0,
                Measure::Sum(column) => record.get(column).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0),
            };
        }
        total
    }

    /// The columns it reads.
    #[must_use]
    pub fn columns(&self) -> Vec<String> {
        let mut out = Vec::new();
        if let Measure::Sum(column) = &self.measure {
            out.push(column.clone());
        }
        if let Some(c) = &self.condition {
            condition_columns(c, &mut out);
        }
        out
    }
}

fn condition_columns(condition: &Condition, out: &mut Vec<String>) {
    match condition {
        Condition::Compare { column, .. } => out.push(column.clone()),
        Condition::And(a, b) | Condition::Or(a, b) => {
            condition_columns(a, out);
            condition_columns(b, out);
        }
        Condition::Not(inner) => condition_columns(inner, out),
    }
}

fn check_condition(condition: &Condition, def: &RegisterDef, problems: &mut Vec<String>) {
    match condition {
        Condition::Compare { column, op, value } => {
            let Some(c) = def.column(column) else {
                problems.push(format!("{} 没有列 {column}", def.code));
                return;
            };
            if c.sealed() {
                problems.push(format!("列 {column} 是敏感个人信息，不能用于汇总条件"));
                return;
            }
            let ordered = !matches!(*op, "==" | "!=");
            let fits = match (c.kind, value) {
                (ColumnKind::Integer | ColumnKind::Decimal, Literal::Number(_)) => true,
                (ColumnKind::Boolean, Literal::Bool(_)) | (ColumnKind::Text | ColumnKind::Phone, Literal::Text(_)) => {
                    !ordered
                }
                (ColumnKind::Enum, Literal::Text(t)) => !ordered && c.options.contains(t),
                (ColumnKind::Date, Literal::Text(t)) => chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d").is_ok(),
                _ => false,
            };
            if !fits {
                problems.push(format!(
                    "条件 {column} {op} … 与列的类型（{}）不符{}",
                    c.kind,
                    match (c.kind, value) {
                        (ColumnKind::Enum, Literal::Text(t)) if !c.options.contains(t) => {
                            format!("：“{t}”不在选项 {} 中", c.options.join("、"))
                        }
                        _ => String::new(),
                    }
                ));
            }
        }
        Condition::And(a, b) | Condition::Or(a, b) => {
            check_condition(a, def, problems);
            check_condition(b, def, problems);
        }
        Condition::Not(inner) => check_condition(inner, def, problems),
    }
}

/// Whether a record meets the condition; an empty value meets no comparison.
fn holds(condition: &Condition, record: &BTreeMap<String, String>) -> bool {
    match condition {
        Condition::And(a, b) => holds(a, record) && holds(b, record),
        Condition::Or(a, b) => holds(a, record) || holds(b, record),
        Condition::Not(inner) => !holds(inner, record),
        Condition::Compare { column, op, value } => {
            let Some(stored) = record.get(column) else { return false };
            let ordering = match value {
                Literal::Number(n) => stored.parse::<f64>().ok().and_then(|v| v.partial_cmp(n)),
                Literal::Bool(b) => Some(stored.as_str().cmp(if *b { "true" } else { "false" })),
                Literal::Text(t) => Some(stored.as_str().cmp(t.as_str())),
            };
            let Some(ordering) = ordering else { return false };
            match *op {
                "==" => ordering.is_eq(),
                "!=" => ordering.is_ne(),
                "<" => ordering.is_lt(),
                "<=" => ordering.is_le(),
                ">" => ordering.is_gt(),
                _ => ordering.is_ge(),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn counts_and_sums_with_conditions() {
        let records = [
            record(&[("kind", "A"), ("members", "3"), ("poor", "true")]),
            record(&[("kind", "B"), ("members", "2"), ("poor", "false")]),
            record(&[("kind", "A"), ("members", "1")]),
        ];
        let eval = |text: &str| parse(text).unwrap().evaluate(&records);
        assert_eq!(eval("count(REG.DIBAO)"), 3.0);
        assert_eq!(eval("count(REG.DIBAO, kind == \"A\")"), 2.0);
        assert_eq!(eval("sum(REG.DIBAO.members)"), 6.0);
        assert_eq!(eval("sum(REG.DIBAO.members, poor == true or members >= 2)"), 5.0);
        assert_eq!(eval("count(REG.DIBAO, not (kind == \"A\" and members > 2))"), 2.0);
    }

    #[test]
    fn bad_aggregates_say_what_is_wrong() {
        assert!(looks_like("count( REG.DIBAO )"));
        assert!(!looks_like("POP.A + 1"));
        assert!(parse("sum(REG.DIBAO)").unwrap_err().contains("sum(REG.X.列)"));
        assert!(parse("count(REG.DIBAO, kind = \"A\")").is_err());
        assert!(parse("count(REG.DIBAO) + 1").unwrap_err().contains("不支持"));
        assert!(parse("count(REG.DIBAO, kind == \"A)").unwrap_err().contains("引号"));
    }
}

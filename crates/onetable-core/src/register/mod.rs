//! Registers (台账): the record-level lists a village keeps (households, 低保户, 残疾人…), defined
//! in the registry like indicators — typed columns, a key, personal and sensitive marks — and the
//! aggregates (`count`, `sum`) that derive indicator values from them.

pub mod aggregate;
pub mod compat;
mod definition;
pub mod header;
pub mod id_number;
pub mod record;

pub use definition::{ColumnDef, ColumnKind, Personal, RegisterCode, RegisterDef, RegisterUnit};

/// `张*`, `欧阳**`: a person's name with all but its first character hidden.
#[must_use]
pub fn mask_name(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => std::iter::once(first).chain(chars.map(|_| '*')).collect(),
        None => String::new(),
    }
}

/// `138****1234`: a phone number's first three and last four digits.
#[must_use]
pub fn mask_phone(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() < 8 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..3].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - 7))
}

/// How a stored value of `column` is shown to whoever may not see it in full.
#[must_use]
pub fn mask(column: &ColumnDef, value: &str) -> String {
    match column.kind {
        ColumnKind::IdNumber => id_number::mask_id(value),
        ColumnKind::Phone => mask_phone(value),
        ColumnKind::Text => mask_name(value),
        _ => "*".repeat(value.chars().count().clamp(1, 6)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks() {
        assert_eq!(mask_name("张三"), "张*");
        assert_eq!(mask_name("欧阳修文"), "欧***");
        assert_eq!(mask_phone("13812341234"), "138****1234");
    }
}

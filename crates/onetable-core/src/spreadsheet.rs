//! Spreadsheet columns by their letters (`A`, `Z`, `AA`, … `XFD`), as a person reads them and
//! every file, form and template names them.

/// The letters of a zero-based column: `0` is `A`, `26` is `AA`.
#[must_use]
pub fn column_letters(index: usize) -> String {
    let mut name = Vec::new();
    let mut column = index;
    loop {
        name.push(b'A' + u8::try_from(column % 26).unwrap_or(0));
        if column < 26 {
            break;
        }
        column = column / 26 - 1;
    }
    name.reverse();
    String::from_utf8(name).unwrap_or_default()
}

/// The zero-based column of up to three capital letters (`A` is 0, `AB` 27), or `None`.
#[must_use]
pub fn column_index(letters: &str) -> Option<usize> {
    let letters = letters.trim();
    if letters.is_empty() || letters.len() > 3 || !letters.bytes().all(|b| b.is_ascii_uppercase()) {
        return None;
    }
    Some(letters.bytes().fold(0usize, |n, b| n * 26 + usize::from(b - b'A') + 1) - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters_run_as_in_a_spreadsheet_both_ways() {
        for (index, letters) in [(0, "A"), (25, "Z"), (26, "AA"), (27, "AB"), (701, "ZZ"), (16_383, "XFD")] {
            assert_eq!(column_letters(index), letters);
            assert_eq!(column_index(letters), Some(index));
        }
        assert_eq!(column_index("a"), None);
        assert_eq!(column_index(""), None);
        assert_eq!(column_index("ABCD"), None);
    }
}

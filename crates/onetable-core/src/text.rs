//! What text from users may hold. Control characters (but tab and line breaks) are invisible,
//! break CSV and terminal output, and PostgreSQL refuses NUL outright; bidirectional overrides
//! (U+202E …) make a name read differently from what it is. Both are refused in every text field.

use std::fmt;

/// Why a piece of text is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TextProblem {
    /// A control character at this character position (1-based).
    Control { at: usize, ch: char },
    /// A bidirectional override or isolate at this position.
    Bidi { at: usize, ch: char },
    /// Longer than allowed, in characters.
    TooLong { max: usize, len: usize },
}

impl TextProblem {
    /// A stable snake_case code.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::Control { .. } => "control_character",
            Self::Bidi { .. } => "bidi_control",
            Self::TooLong { .. } => "too_long",
        }
    }
}

impl fmt::Display for TextProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Control { at, ch } => {
                write!(f, "第 {at} 个字符是不可见的控制字符 U+{:04X}，请删除（只允许制表符和换行）", u32::from(*ch))
            }
            Self::Bidi { at, ch } => {
                write!(f, "第 {at} 个字符是文字方向控制符 U+{:04X}，会使文字显示得与实际不同，请删除", u32::from(*ch))
            }
            Self::TooLong { max, len } => write!(f, "最多 {max} 个字，收到 {len} 个"),
        }
    }
}

impl std::error::Error for TextProblem {}

/// Whether `ch` is a bidirectional embedding, override or isolate (U+202A–U+202E, U+2066–U+2069).
#[must_use]
pub fn is_bidi_control(ch: char) -> bool {
    matches!(ch, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Whether `ch` is a control character other than tab, line feed and carriage return (C0, DEL,
/// C1).
#[must_use]
pub fn is_forbidden_control(ch: char) -> bool {
    ch.is_control() && !matches!(ch, '\t' | '\n' | '\r')
}

/// The first character `text` may not hold.
///
/// # Errors
/// The problem, with its position.
pub fn check_chars(text: &str) -> Result<(), TextProblem> {
    // Most text is plain: one pass over the bytes finds nothing to look at.
    let suspicious = text.bytes().any(|b| b < 0x20 || b == 0x7F || b == 0xC2 || b == 0xE2);
    if !suspicious {
        return Ok(());
    }
    for (index, ch) in text.chars().enumerate() {
        if is_forbidden_control(ch) {
            return Err(TextProblem::Control { at: index + 1, ch });
        }
        if is_bidi_control(ch) {
            return Err(TextProblem::Bidi { at: index + 1, ch });
        }
    }
    Ok(())
}

/// [`check_chars`] and at most `max` characters.
///
/// # Errors
/// The first problem.
pub fn check_text(text: &str, max: usize) -> Result<(), TextProblem> {
    check_chars(text)?;
    // Bytes bound characters from above: only long text is counted.
    if text.len() > max {
        let len = text.chars().count();
        if len > max {
            return Err(TextProblem::TooLong { max, len });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tabs_and_line_breaks_pass_other_controls_do_not() {
        assert_eq!(check_chars("食用菌\t合作社\r\n第二行"), Ok(()));
        assert_eq!(check_chars("a\0b"), Err(TextProblem::Control { at: 2, ch: '\0' }));
        assert_eq!(check_chars("\u{1b}[31m"), Err(TextProblem::Control { at: 1, ch: '\u{1b}' }));
        assert_eq!(check_chars("x\u{7f}"), Err(TextProblem::Control { at: 2, ch: '\u{7f}' }));
        assert_eq!(check_chars("x\u{85}"), Err(TextProblem::Control { at: 2, ch: '\u{85}' }));
    }

    #[test]
    fn bidi_overrides_are_refused_other_punctuation_is_not() {
        assert_eq!(check_chars("张三\u{202E}fdp.exe"), Err(TextProblem::Bidi { at: 3, ch: '\u{202E}' }));
        assert_eq!(check_chars("\u{2066}x"), Err(TextProblem::Bidi { at: 1, ch: '\u{2066}' }));
        assert_eq!(check_chars("“引号”—破折号…"), Ok(()));
        assert_eq!(check_chars("¥100 ©"), Ok(()));
    }

    #[test]
    fn length_counts_characters_not_bytes() {
        assert_eq!(check_text("村村村", 3), Ok(()));
        assert_eq!(check_text("村村村村", 3), Err(TextProblem::TooLong { max: 3, len: 4 }));
        assert!(TextProblem::TooLong { max: 3, len: 4 }.to_string().contains("最多 3 个字"));
    }
}

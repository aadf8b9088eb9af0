//! 居民身份证号 (GB 11643-1999): 17 digits and a check character, the birth date inside.

use chrono::NaiveDate;

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

/// A checked ID number, upper-case `X`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdNumber(String);

impl IdNumber {
    /// Checks length, digits, the check character and the birth date (a real day, not after
    /// `today`, not before 1900).
    ///
    /// # Errors
    /// A Chinese message saying which part is wrong.
    pub fn parse(text: &str, today: NaiveDate) -> Result<Self, String> {
        let text = text.trim().to_uppercase();
        let chars: Vec<char> = text.chars().collect();
        if chars.len() != 18 || !chars[..17].iter().all(char::is_ascii_digit) {
            return Err(format!("身份证号应为 18 位（前 17 位为数字），收到“{}”", mask_id(&text)));
        }
        if check_character(&text[..17]) != Some(chars[17]) {
            return Err(format!("身份证号校验位不正确（{}）", mask_id(&text)));
        }
        let birth = NaiveDate::parse_from_str(&text[6..14], "%Y%m%d")
            .map_err(|_| format!("身份证号中的出生日期 {} 不是有效日期", &text[6..14]))?;
        if birth > today {
            return Err(format!("身份证号中的出生日期 {birth} 晚于今天"));
        }
        if birth < NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or(birth) {
            return Err(format!("身份证号中的出生日期 {birth} 早于 1900 年"));
        }
        Ok(Self(text))
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The birth date written in it.
    #[must_use]
    pub fn birth_date(&self) -> Option<NaiveDate> {
        NaiveDate::parse_from_str(&self.0[6..14], "%Y%m%d").ok()
    }
}

/// `5223**********1234`: the first four and last four characters of an ID number, the rest
/// hidden (shorter text is hidden whole but its last character).
#[must_use]
pub fn mask_id(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() < 10 {
        return "*".repeat(chars.len().saturating_sub(1)) + &chars.last().map(char::to_string).unwrap_or_default();
    }
    let (head, tail) = (&chars[..4], &chars[chars.len() - 4..]);
    format!("{}{}{}", head.iter().collect::<String>(), "*".repeat(chars.len() - 8), tail.iter().collect::<String>())
}

/// The check character of 17 digits: for test data and the demo's invented persons.
#[must_use]
pub fn check_character(first17: &str) -> Option<char> {
    let digits: Vec<u32> = first17.chars().map(|c| c.to_digit(10)).collect::<Option<_>>()?;
    (digits.len() == 17).then(|| CHECK[(digits.iter().zip(WEIGHTS).map(|(d, w)| d * w).sum::<u32>() % 11) as usize])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 7).unwrap_or_default()
    }

    #[test]
    fn the_check_character_and_the_birth_date_are_verified() {
        // GB 11643's own example.
        assert_eq!(IdNumber::parse("11010519491231002x", today()).map(|id| id.0), Ok("11010519491231002X".into()));
        assert!(IdNumber::parse("110105194912310021", today()).unwrap_err().contains("校验位"));
        assert!(IdNumber::parse("1101051949123100", today()).unwrap_err().contains("18 位"));
        // 2030-01-01, with its check digit right: born in the future.
        let future = with_check("52232320300101001");
        assert!(IdNumber::parse(&future, today()).unwrap_err().contains("晚于今天"));
        let bad_day = with_check("52232319990230001");
        assert!(IdNumber::parse(&bad_day, today()).unwrap_err().contains("不是有效日期"));
    }

    #[test]
    fn masks_keep_four_and_four() {
        assert_eq!(mask_id("522323199001011234"), "5223**********1234");
    }

    fn with_check(first17: &str) -> String {
        format!("{first17}{}", check_character(first17).unwrap())
    }
}

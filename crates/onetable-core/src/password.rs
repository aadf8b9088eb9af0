//! The password policy (密码策略): at least 10 characters, at least 3 of the 4 character classes
//! (lower, upper, digit, symbol), and not containing the username.

/// One reason a password is refused; the message is for the person choosing it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordProblem {
    #[error("密码至少需要 {MIN_LENGTH} 个字符")]
    TooShort,
    #[error("密码需至少包含小写字母、大写字母、数字、符号中的 3 类")]
    TooFewClasses,
    #[error("密码不能包含用户名")]
    ContainsUsername,
}

impl PasswordProblem {
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::TooShort => "password_too_short",
            Self::TooFewClasses => "password_too_simple",
            Self::ContainsUsername => "password_contains_username",
        }
    }
}

pub const MIN_LENGTH: usize = 10;

/// Every problem with the password, empty when it is acceptable.
#[must_use]
pub fn check(username: &str, password: &str) -> Vec<PasswordProblem> {
    let mut problems = Vec::new();
    if password.chars().count() < MIN_LENGTH {
        problems.push(PasswordProblem::TooShort);
    }
    let classes = [
        password.chars().any(|c| c.is_lowercase()),
        password.chars().any(|c| c.is_uppercase()),
        password.chars().any(|c| c.is_ascii_digit()),
        password.chars().any(|c| !c.is_alphanumeric()),
    ];
    if classes.iter().filter(|&&present| present).count() < 3 {
        problems.push(PasswordProblem::TooFewClasses);
    }
    let username = username.trim().to_lowercase();
    if !username.is_empty() && password.to_lowercase().contains(&username) {
        problems.push(PasswordProblem::ContainsUsername);
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy() {
        assert!(check("li", "Sunny-Day-2025").is_empty());
        assert_eq!(check("li", "Ab1!"), [PasswordProblem::TooShort]);
        assert_eq!(check("li", "abcdefghijk1"), [PasswordProblem::TooFewClasses]);
        assert!(check("li", "abcdefgh1!").is_empty(), "lower + digit + symbol is 3 classes");
        assert_eq!(check("wangwu", "xxWangWu-2025"), [PasswordProblem::ContainsUsername]);
        assert_eq!(check("a", "short").len(), 2);
    }
}

//! A registry indicator as the legacy-form analyzer sees it: its name, unit and aliases, and what
//! its value type and formula say it can be.

/// A registry indicator as the matcher sees it.
#[derive(Debug, Clone)]
pub struct Known {
    pub code: String,
    pub name: String,
    pub unit: String,
    pub aliases: Vec<String>,
    pub derived: bool,
    /// A yes/no fact (value type boolean): only a yes/no column asks for it.
    pub yes_no: bool,
    /// For a derived share (formula `A / B * 100`): the codes of A and B.
    pub share_of: Option<(String, String)>,
}

/// The two codes of a share's formula, `A / B * 100`; none for any other formula.
#[must_use]
pub fn share_of(formula: &str) -> Option<(String, String)> {
    let (a, rest) = formula.split_once('/')?;
    let b = rest.trim().strip_suffix("* 100").or_else(|| rest.trim().strip_suffix("*100"))?;
    let code = |t: &str| {
        let t = t.trim();
        (!t.is_empty() && t.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '.' || c == '_'))
            .then(|| t.to_owned())
    };
    Some((code(a)?, code(b)?))
}

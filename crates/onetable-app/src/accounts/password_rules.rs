//! The deployment's password history and age (口令历史, 定期更换), which the sign-in reads to say
//! whether a person must choose a new password first.

use chrono::{Duration, NaiveDateTime};
use onetable_store::identity::UserRow;

/// The deployment's password rules beyond the complexity every password meets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PasswordRules {
    /// How many earlier passwords a change may not reuse (besides the current one).
    pub history: usize,
    /// Days a password lasts before it must be changed at the next sign-in; none: for ever.
    pub max_age_days: Option<u32>,
    /// Days before expiry from which the pages warn.
    pub warning_days: u32,
}

impl Default for PasswordRules {
    fn default() -> Self {
        Self { history: 5, max_age_days: None, warning_days: 14 }
    }
}

impl PasswordRules {
    /// When the account's password stops being accepted without a change (none: never).
    #[must_use]
    pub fn expires_at(&self, user: &UserRow) -> Option<NaiveDateTime> {
        self.max_age_days.map(|days| user.password_changed_at + Duration::days(i64::from(days)))
    }

    /// Whether the person must choose a new password before anything else: someone else chose
    /// this one, or it is older than the rules allow.
    #[must_use]
    pub fn change_required(&self, user: &UserRow, now: NaiveDateTime) -> bool {
        user.must_change_password || self.expires_at(user).is_some_and(|at| at <= now)
    }
}

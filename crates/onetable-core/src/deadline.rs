//! When a period's form is due (报送截止日期): a number of days after the period ends — by default
//! annual forms by 31 January, quarterly ones 15 days after the quarter, monthly ones 10 days after
//! the month — or a date set for one period. Nothing may be due before its period has ended.

use chrono::{Datelike, Days, NaiveDate};

use crate::indicator::Frequency;
use crate::period::Period;

/// The days after a period's end that its form is due by default.
#[must_use]
pub fn default_days_after(frequency: Frequency) -> u32 {
    match frequency {
        Frequency::Annual => 31,
        Frequency::Quarterly => 15,
        Frequency::Monthly => 10,
    }
}

/// The most days after the period's end a rule may give.
pub const MAX_DAYS_AFTER: u32 = 366;

/// The period's last day.
#[must_use]
pub fn last_day(period: Period) -> NaiveDate {
    let first_after = match period {
        Period::Year(y) | Period::Quarter(y, 4) | Period::Month(y, 12) => NaiveDate::from_ymd_opt(y + 1, 1, 1),
        Period::Quarter(y, q) => NaiveDate::from_ymd_opt(y, u32::from(q) * 3 + 1, 1),
        Period::Month(y, m) => NaiveDate::from_ymd_opt(y, u32::from(m) + 1, 1),
    };
    first_after.and_then(|d| d.pred_opt()).unwrap_or(NaiveDate::MIN)
}

/// The due date `days_after` the period ends.
#[must_use]
pub fn due(period: Period, days_after: u32) -> NaiveDate {
    last_day(period).checked_add_days(Days::new(u64::from(days_after))).unwrap_or(NaiveDate::MAX)
}

/// Whether `date` may be a period's due date: not before the period has ended.
#[must_use]
pub fn may_be_due(period: Period, date: NaiveDate) -> bool {
    date >= last_day(period)
}

/// Days from `today` to `due` (negative: overdue by that many).
#[must_use]
pub fn days_left(due: NaiveDate, today: NaiveDate) -> i64 {
    (due - today).num_days()
}

/// A due date as people read it: 2026年1月31日.
#[must_use]
pub fn label(due: NaiveDate) -> String {
    format!("{}年{}月{}日", due.year(), due.month(), due.day())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn the_defaults_are_31_january_15_days_after_a_quarter_10_after_a_month() {
        assert_eq!(due(Period::Year(2025), default_days_after(Frequency::Annual)), date(2026, 1, 31));
        assert_eq!(due(Period::Quarter(2025, 4), default_days_after(Frequency::Quarterly)), date(2026, 1, 15));
        assert_eq!(due(Period::Quarter(2025, 1), 15), date(2025, 4, 15));
        assert_eq!(due(Period::Month(2025, 2), default_days_after(Frequency::Monthly)), date(2025, 3, 10));
        assert_eq!(due(Period::Month(2025, 12), 10), date(2026, 1, 10));
    }

    #[test]
    fn nothing_is_due_before_its_period_ends() {
        assert!(!may_be_due(Period::Year(2025), date(2025, 12, 30)));
        assert!(may_be_due(Period::Year(2025), date(2025, 12, 31)));
        assert_eq!(last_day(Period::Month(2024, 2)), date(2024, 2, 29));
        assert_eq!(days_left(date(2026, 1, 31), date(2026, 2, 3)), -3);
        assert_eq!(label(date(2026, 1, 31)), "2026年1月31日");
    }
}

//! Reporting periods: `2025` (annual), `2025Q3` (quarterly), `2025-09` (monthly).

use std::fmt;

use crate::indicator::Frequency;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Period {
    Year(i32),
    Quarter(i32, u8),
    Month(i32, u8),
}

impl Period {
    /// # Errors
    /// For anything but `YYYY`, `YYYYQn` or `YYYY-MM` with a year from 2000 to 2100.
    pub fn parse(text: &str) -> Result<Self, String> {
        let bad = || format!("期别“{text}”无效：应为 2025（年）、2025Q3（季）或 2025-09（月）");
        let year = |y: &str| -> Result<i32, String> {
            let year: i32 = y.parse().map_err(|_| bad())?;
            if y.len() == 4 && (2000..=2100).contains(&year) {
                Ok(year)
            } else {
                Err(bad())
            }
        };
        if let Some((y, q)) = text.split_once('Q') {
            let quarter: u8 = q.parse().map_err(|_| bad())?;
            return if (1..=4).contains(&quarter) && q.len() == 1 {
                Ok(Self::Quarter(year(y)?, quarter))
            } else {
                Err(bad())
            };
        }
        if let Some((y, m)) = text.split_once('-') {
            let month: u8 = m.parse().map_err(|_| bad())?;
            return if (1..=12).contains(&month) && m.len() == 2 {
                Ok(Self::Month(year(y)?, month))
            } else {
                Err(bad())
            };
        }
        Ok(Self::Year(year(text)?))
    }

    #[must_use]
    pub fn frequency(self) -> Frequency {
        match self {
            Self::Year(_) => Frequency::Annual,
            Self::Quarter(..) => Frequency::Quarterly,
            Self::Month(..) => Frequency::Monthly,
        }
    }

    /// The period after this one, of the same frequency.
    #[must_use]
    pub fn next(self) -> Self {
        match self {
            Self::Year(y) => Self::Year(y + 1),
            Self::Quarter(y, 4) => Self::Quarter(y + 1, 1),
            Self::Quarter(y, q) => Self::Quarter(y, q + 1),
            Self::Month(y, 12) => Self::Month(y + 1, 1),
            Self::Month(y, m) => Self::Month(y, m + 1),
        }
    }

    /// The period of `frequency` that contains the given month.
    #[must_use]
    pub fn containing(frequency: Frequency, year: i32, month: u8) -> Self {
        match frequency {
            Frequency::Annual => Self::Year(year),
            Frequency::Quarterly => Self::Quarter(year, (month.clamp(1, 12) - 1) / 3 + 1),
            Frequency::Monthly => Self::Month(year, month.clamp(1, 12)),
        }
    }

    /// The last period of `frequency` that has ended by the given month (the form that is due).
    #[must_use]
    pub fn last_closed(frequency: Frequency, year: i32, month: u8) -> Self {
        Self::containing(frequency, year, month).previous()
    }

    /// The period of `frequency` that contains this one — itself at its own frequency, the year of
    /// a quarter or a month, the quarter of a month — or `None` for a finer frequency (a year is in
    /// no one month).
    #[must_use]
    pub fn at(self, frequency: Frequency) -> Option<Self> {
        if fineness(frequency) > fineness(self.frequency()) {
            return None;
        }
        let (year, month) = match self {
            Self::Year(y) => (y, 1),
            Self::Quarter(y, q) => (y, (q - 1) * 3 + 1),
            Self::Month(y, m) => (y, m),
        };
        Some(Self::containing(frequency, year, month))
    }

    /// Whether this period contains `other` (a year its quarters and months, a quarter its
    /// months, every period itself).
    #[must_use]
    pub fn contains(self, other: Self) -> bool {
        other.at(self.frequency()) == Some(self)
    }

    /// The period before this one, of the same frequency.
    #[must_use]
    pub fn previous(self) -> Self {
        match self {
            Self::Year(y) => Self::Year(y - 1),
            Self::Quarter(y, 1) => Self::Quarter(y - 1, 4),
            Self::Quarter(y, q) => Self::Quarter(y, q - 1),
            Self::Month(y, 1) => Self::Month(y - 1, 12),
            Self::Month(y, m) => Self::Month(y, m - 1),
        }
    }
}

/// How fine a frequency is: a year 0, a quarter 1, a month 2.
#[must_use]
pub fn fineness(frequency: Frequency) -> u8 {
    match frequency {
        Frequency::Annual => 0,
        Frequency::Quarterly => 1,
        Frequency::Monthly => 2,
    }
}

/// The most periods one request may span (five years of months).
pub const MAX_PERIODS: usize = 60;

/// Why a list or range of periods was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ManyPeriodsError {
    /// Not something we understand: a bad period, a backwards range, mixed frequencies, none.
    #[error("{0}")]
    Invalid(String),
    /// Well-formed, but spanning more than [`MAX_PERIODS`].
    #[error("一次最多 {MAX_PERIODS} 个期别")]
    TooMany,
}

impl Period {
    /// Several periods of one frequency: a list (`2023,2024,2025`), a range (`2023..2025`,
    /// `2025-01..2025-06`) or both, in time order without repeats.
    ///
    /// # Errors
    /// [`ManyPeriodsError::Invalid`] for a bad period, a range that runs backwards, mixed
    /// frequencies or none; otherwise [`ManyPeriodsError::TooMany`] beyond [`MAX_PERIODS`].
    pub fn parse_many(text: &str) -> Result<Vec<Self>, ManyPeriodsError> {
        let invalid = ManyPeriodsError::Invalid;
        let mut periods = Vec::new();
        // Past the limit we stop collecting but keep reading, so that a malformed part later on
        // is still reported as malformed.
        let mut too_many = false;
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (from, to) = part.split_once("..").unwrap_or((part, part));
            let (from, to) = (Self::parse(from.trim()).map_err(invalid)?, Self::parse(to.trim()).map_err(invalid)?);
            if from.frequency() != to.frequency() || from > to {
                return Err(invalid(format!("期别范围“{part}”无效：应为同一频度、由早到晚，如 2023..2025")));
            }
            let mut at = from;
            while !too_many && at <= to {
                periods.push(at);
                too_many = periods.len() > MAX_PERIODS;
                at = at.next();
            }
        }
        periods.sort();
        periods.dedup();
        let Some(first) = periods.first() else { return Err(invalid("请指定期别，如 2023..2025".to_owned())) };
        if periods.iter().any(|p| p.frequency() != first.frequency()) {
            return Err(invalid("期别须为同一频度（都为年、季或月）".to_owned()));
        }
        if too_many {
            return Err(ManyPeriodsError::TooMany);
        }
        Ok(periods)
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Year(y) => write!(f, "{y}"),
            Self::Quarter(y, q) => write!(f, "{y}Q{q}"),
            Self::Month(y, m) => write!(f, "{y}-{m:02}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods() {
        assert_eq!(Period::parse("2025"), Ok(Period::Year(2025)));
        assert_eq!(Period::parse("2025Q3").map(Period::frequency), Ok(Frequency::Quarterly));
        assert_eq!(Period::parse("2025-09").map(|p| p.to_string()), Ok("2025-09".to_owned()));
        assert_eq!(Period::parse("2025Q1").map(Period::previous), Ok(Period::Quarter(2024, 4)));
        assert_eq!(Period::Month(2025, 12).next(), Period::Month(2026, 1));
        assert_eq!(Period::containing(Frequency::Quarterly, 2025, 9), Period::Quarter(2025, 3));
        for bad in ["25", "2025Q5", "2025-13", "2025-9", "2025q3", "abcd", ""] {
            assert!(Period::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_period_contains_its_finer_periods() {
        assert_eq!(Period::Month(2025, 11).at(Frequency::Annual), Some(Period::Year(2025)));
        assert_eq!(Period::Month(2025, 11).at(Frequency::Quarterly), Some(Period::Quarter(2025, 4)));
        assert_eq!(Period::Quarter(2025, 3).at(Frequency::Quarterly), Some(Period::Quarter(2025, 3)));
        assert_eq!(Period::Year(2025).at(Frequency::Monthly), None);
        assert!(Period::Year(2025).contains(Period::Quarter(2025, 2)));
        assert!(Period::Quarter(2025, 2).contains(Period::Month(2025, 6)));
        assert!(!Period::Quarter(2025, 2).contains(Period::Month(2025, 7)));
        assert!(!Period::Month(2025, 6).contains(Period::Quarter(2025, 2)));
    }

    #[test]
    fn many_periods() {
        let years =
            |text: &str| Period::parse_many(text).map(|ps| ps.iter().map(ToString::to_string).collect::<Vec<_>>());
        assert_eq!(years("2023..2025"), Ok(vec!["2023".into(), "2024".into(), "2025".into()]));
        assert_eq!(years("2025, 2023,2025"), Ok(vec!["2023".into(), "2025".into()]));
        assert_eq!(years("2025Q3..2026Q1").map(|p| p.len()), Ok(3));
        assert_eq!(years("2025-11..2026-02").map(|p| p.len()), Ok(4));
        for bad in ["", "2025..2023", "2024,2025Q1", "2025..2025Q4", "2000-01..2010-12,x", "2025..x"] {
            assert!(matches!(Period::parse_many(bad), Err(ManyPeriodsError::Invalid(_))), "{bad}");
        }
        assert_eq!(Period::parse_many("2000-01..2010-12"), Err(ManyPeriodsError::TooMany));
        assert_eq!(years("2000-01..2004-12").map(|p| p.len()), Ok(60));
    }
}

//! Times in answers and requests. Stored times are UTC without an offset; answers give them with
//! `Z` (RFC 3339), as `/me` does, so a client never has to guess the zone.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, SecondsFormat, TimeZone, Utc};
use serde::{Deserialize, Deserializer, Serializer};

/// Today's date in China, where "this year" and "last month" of a form are meant.
#[must_use]
pub fn china_today() -> NaiveDate {
    let offset = chrono::TimeDelta::seconds(i64::from(CHINA_SECONDS_EAST));
    (Utc::now().naive_utc() + offset).date()
}

/// The date in China of a stored (UTC) time: a form submitted at 23:30 on the due date is on time.
#[must_use]
pub fn china_date(at: NaiveDateTime) -> NaiveDate {
    (at + chrono::TimeDelta::seconds(i64::from(CHINA_SECONDS_EAST))).date()
}

/// China Standard Time, the zone a plain date written by a user means.
const CHINA_SECONDS_EAST: i32 = 8 * 3600;

/// `2025-01-01T08:00:00Z`: a stored UTC time as RFC 3339 with its zone.
#[must_use]
pub fn rfc3339(at: &NaiveDateTime) -> String {
    at.and_utc().to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// `serialize_with` for a stored UTC time.
///
/// # Errors
/// The serializer's.
pub fn utc<S: Serializer>(at: &NaiveDateTime, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&rfc3339(at))
}

/// `serialize_with` for an optional stored UTC time.
///
/// # Errors
/// The serializer's.
#[allow(clippy::ref_option)]
pub fn utc_opt<S: Serializer>(at: &Option<NaiveDateTime>, serializer: S) -> Result<S::Ok, S::Error> {
    match at {
        Some(at) => serializer.serialize_str(&rfc3339(at)),
        None => serializer.serialize_none(),
    }
}

/// Parses an instant as a user writes it: RFC 3339 (`2027-12-31T16:00:00Z`,
/// `2027-12-31T24:00:00+08:00` …) or a plain date (`2027-12-31`), which means the end of that day
/// in China (23:59:59 +08:00): "valid until 31 December" includes the 31st.
///
/// # Errors
/// A Chinese message naming both accepted forms.
pub fn parse_until(text: &str) -> Result<DateTime<Utc>, String> {
    let text = text.trim();
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Ok(at.with_timezone(&Utc));
    }
    if let Ok(day) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        let end = day.and_hms_opt(23, 59, 59).ok_or("日期无效")?;
        let china = FixedOffset::east_opt(CHINA_SECONDS_EAST).ok_or("时区无效")?;
        return china
            .from_local_datetime(&end)
            .single()
            .map(|at| at.with_timezone(&Utc))
            .ok_or_else(|| "日期无效".into());
    }
    Err(format!("“{text}”不是日期（如 2027-12-31）或带时区的时间（如 2027-12-31T16:00:00Z）"))
}

/// `deserialize_with` for [`parse_until`].
///
/// # Errors
/// When the text is neither form.
pub fn until<'de, D: Deserializer<'de>>(deserializer: D) -> Result<DateTime<Utc>, D::Error> {
    let text = String::deserialize(deserializer)?;
    parse_until(&text).map_err(serde::de::Error::custom)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_date_is_the_end_of_that_day_in_china() {
        assert_eq!(parse_until("2027-12-31").map(|t| t.to_rfc3339()), Ok("2027-12-31T15:59:59+00:00".to_owned()));
        assert_eq!(
            parse_until("2027-12-31T16:00:00Z").map(|t| t.to_rfc3339()),
            Ok("2027-12-31T16:00:00+00:00".to_owned())
        );
        assert!(parse_until("31.12.2027").is_err_and(|e| e.contains("2027-12-31")));
    }

    #[test]
    fn stored_times_are_answered_with_z() {
        let at = NaiveDate::from_ymd_opt(2025, 1, 2).and_then(|d| d.and_hms_opt(3, 4, 5)).unwrap_or_default();
        assert_eq!(rfc3339(&at), "2025-01-02T03:04:05Z");
    }
}

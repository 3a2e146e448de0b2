//! The range of dates and times the API accepts: from 1900-01-01 to 9999-12-31 (UTC).
//!
//! Parsers take far more (year 0000, -4714, +262143), and the stores disagree on what they
//! hold: PostgreSQL refuses years before 4713 BC, SQLite keeps any text and then compares it as
//! text, where "-4714" sorts before "2026" but "10000" also does. Every time and day a caller
//! sends, in an argument, a filter, a mutation input or a cursor, must lie in this range, which
//! holds every real business date and sorts the same on both stores (four-digit years).

use chrono::{DateTime, Datelike, NaiveDate, Utc};

/// The first year accepted.
pub const FIRST_YEAR: i32 = 1900;
/// The last year accepted.
pub const LAST_YEAR: i32 = 9999;

/// The range as the API documents it.
pub const RANGE: &str = "1900-01-01 to 9999-12-31";

/// Whether a calendar day is in the accepted range.
pub fn day_in_range(day: NaiveDate) -> bool {
    (FIRST_YEAR..=LAST_YEAR).contains(&day.year())
}

/// Whether a moment (read in UTC) is in the accepted range.
pub fn moment_in_range(at: DateTime<Utc>) -> bool {
    day_in_range(at.date_naive())
}

/// The message a caller sees for a time or day out of range.
pub fn out_of_range_message() -> String {
    format!("dates and times must lie from {RANGE} (UTC)")
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn days_from_1900_to_9999_are_accepted() {
        assert!(day_in_range(day(1900, 1, 1)));
        assert!(day_in_range(day(2026, 12, 2)));
        assert!(day_in_range(day(9999, 12, 31)));
        assert!(!day_in_range(day(1899, 12, 31)));
        assert!(!day_in_range(day(0, 1, 1)));
        assert!(!day_in_range(day(-4714, 11, 24)));
        assert!(!day_in_range(day(10000, 1, 1)));
        assert!(!day_in_range(NaiveDate::MIN));
        assert!(!day_in_range(NaiveDate::MAX));
    }

    #[test]
    fn moments_are_read_in_utc() {
        let last = Utc.with_ymd_and_hms(9999, 12, 31, 23, 59, 59).unwrap();
        assert!(moment_in_range(last));
        assert!(!moment_in_range(last + chrono::Duration::seconds(1)));
        let first = Utc.with_ymd_and_hms(1900, 1, 1, 0, 0, 0).unwrap();
        assert!(moment_in_range(first));
        assert!(!moment_in_range(first - chrono::Duration::seconds(1)));
        assert!(!moment_in_range(DateTime::<Utc>::MIN_UTC));
    }
}

//! Paris wall-clock times. Deadlines are given as they are published ("21 December 2017,
//! 17:00") and stored as instants, so that they stay right across daylight-saving changes.

use chrono::{DateTime, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Europe::Paris;

use crate::error::DomainError;

/// The earliest calendar date any input takes: 1 January 1900 (older than any living
/// participant's birth).
pub const EARLIEST_DATE: NaiveDate = NaiveDate::from_ymd_opt(1900, 1, 1).expect("a date");
/// The latest calendar date any input takes: 31 December 2099. Due dates computed from it
/// (a report a month after a convention's end) stay within four-digit years, which strict
/// ISO 8601 parsers require.
pub const LATEST_DATE: NaiveDate = NaiveDate::from_ymd_opt(2099, 12, 31).expect("a date");

/// `date` if it lies within [`EARLIEST_DATE`]..=[`LATEST_DATE`], else `VALIDATION` on `field`.
pub fn within_range(field: &str, date: NaiveDate) -> Result<NaiveDate, DomainError> {
    if (EARLIEST_DATE..=LATEST_DATE).contains(&date) {
        Ok(date)
    } else {
        Err(DomainError::validation(
            field,
            format!("must lie between {EARLIEST_DATE} and {LATEST_DATE}"),
        ))
    }
}

/// The instant of `date` at `time` in Europe/Paris. A time that does not exist (the hour
/// skipped when clocks go forward) is refused; a time that happens twice (when clocks go back)
/// is the first of the two.
pub fn instant(
    field: &str,
    date: NaiveDate,
    time: NaiveTime,
) -> Result<DateTime<Utc>, DomainError> {
    match Paris.from_local_datetime(&NaiveDateTime::new(date, time)) {
        LocalResult::Single(t) => Ok(t.with_timezone(&Utc)),
        LocalResult::Ambiguous(first, _) => Ok(first.with_timezone(&Utc)),
        LocalResult::None => Err(DomainError::validation(
            field,
            "this time does not exist in Paris (clocks go forward)",
        )),
    }
}

/// The Paris wall-clock date and time of an instant.
pub fn wall_clock(instant: DateTime<Utc>) -> NaiveDateTime {
    instant.with_timezone(&Paris).naive_local()
}

/// The Paris calendar date of an instant: "today" for every rule that compares dates (an
/// exit's date, a committee's, an entry's), so that a social worker in Paris after midnight
/// is not told that today is in the future.
pub fn today(instant: DateTime<Utc>) -> NaiveDate {
    wall_clock(instant).date()
}

/// Parse `HH:MM`.
pub fn parse_time(field: &str, text: &str) -> Result<NaiveTime, DomainError> {
    // Exactly two digits, a colon, two digits: chrono alone also takes `9:5` and spaces.
    let shaped = text.len() == 5
        && text.bytes().enumerate().all(|(i, b)| {
            if i == 2 {
                b == b':'
            } else {
                b.is_ascii_digit()
            }
        });
    shaped
        .then(|| NaiveTime::parse_from_str(text, "%H:%M").ok())
        .flatten()
        .ok_or_else(|| DomainError::validation(field, "must be a time HH:MM, from 00:00 to 23:59"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    #[test]
    fn times_are_exactly_hh_mm() {
        assert!(parse_time("t", "09:05").is_ok());
        assert!(parse_time("t", "23:59").is_ok());
        for bad in [
            "9:05", "09:5", " 09:05", "09:05 ", "24:00", "09h05", "0905", "",
        ] {
            assert!(parse_time("t", bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn winter_and_summer_offsets() {
        let t = parse_time("t", "17:00").expect("time");
        assert_eq!(
            instant("t", d("2017-12-21"), t).expect("ok").to_rfc3339(),
            "2017-12-21T16:00:00+00:00"
        );
        assert_eq!(
            instant("t", d("2024-07-01"), t).expect("ok").to_rfc3339(),
            "2024-07-01T15:00:00+00:00"
        );
    }

    #[test]
    fn daylight_saving_days() {
        // 31 March 2024: 02:00 -> 03:00.
        assert!(instant("t", d("2024-03-31"), parse_time("t", "02:30").expect("t")).is_err());
        assert_eq!(
            instant("t", d("2024-03-31"), parse_time("t", "17:00").expect("t"))
                .expect("ok")
                .to_rfc3339(),
            "2024-03-31T15:00:00+00:00"
        );
        // 27 October 2024: 03:00 -> 02:00; 02:30 happens twice, the first is kept.
        assert_eq!(
            instant("t", d("2024-10-27"), parse_time("t", "02:30").expect("t"))
                .expect("ok")
                .to_rfc3339(),
            "2024-10-27T00:30:00+00:00"
        );
        assert!(parse_time("t", "25:00").is_err());
    }
}

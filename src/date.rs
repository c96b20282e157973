//! Dates: the moment a build claims to be made (`SOURCE_DATE_EPOCH`), and the calendar dates
//! editors write (`YYYY`, `YYYY-MM`, `YYYY-MM-DD`), checked and printed as a book prints them.

use time::{Date, Month, OffsetDateTime};

use crate::diagnostics::{Error, Result};

/// Latest `SOURCE_DATE_EPOCH` accepted: the last second of the year 9999.
const MAX_EPOCH: i64 = 253_402_300_799;

/// The moment a build claims to be made, from `SOURCE_DATE_EPOCH` or the clock, in UTC.
#[derive(Debug, Clone, Copy)]
pub struct BuildDate {
    pub moment: OffsetDateTime,
}

impl BuildDate {
    /// Read `SOURCE_DATE_EPOCH` when set (it must be a whole number of seconds), else now.
    pub fn from_env() -> Result<Self> {
        let seconds = match std::env::var("SOURCE_DATE_EPOCH") {
            Ok(value) => value
                .trim()
                .parse::<i64>()
                .ok()
                .filter(|s| (0..=MAX_EPOCH).contains(s))
                .ok_or_else(|| {
                    Error::msg(format!(
                        "SOURCE_DATE_EPOCH must be a number of seconds since 1970 (0 to {MAX_EPOCH}), not `{value}`"
                    ))
                })?,
            Err(_) => OffsetDateTime::now_utc().unix_timestamp().clamp(0, MAX_EPOCH),
        };
        Ok(Self::from_unix(seconds))
    }

    /// The date and time of a Unix timestamp between 1970 and 9999, in UTC.
    pub fn from_unix(seconds: i64) -> Self {
        let moment = OffsetDateTime::from_unix_timestamp(seconds.clamp(0, MAX_EPOCH))
            .unwrap_or(OffsetDateTime::UNIX_EPOCH);
        Self { moment }
    }

    /// The build time as `YYYY-MM-DDThh:mm:ssZ` (EPUB `dcterms:modified`).
    pub fn modified(&self) -> String {
        let m = self.moment;
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            m.year(),
            u8::from(m.month()),
            m.day(),
            m.hour(),
            m.minute(),
            m.second()
        )
    }

    /// The calendar day of the build.
    pub fn day(&self) -> Date {
        self.moment.date()
    }

    /// The build date as a book prints it: `1 January 2026`.
    pub fn long(&self) -> String {
        let d = self.day();
        format!("{} {} {}", d.day(), month_name(d.month()), d.year())
    }
}

/// A date an editor wrote: a year, a month of a year, or a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum BookDate {
    Year(i32),
    Month(i32, Month),
    Day(Date),
}

impl BookDate {
    /// Parse `YYYY`, `YYYY-MM` or `YYYY-MM-DD`; a day that does not exist (`1950-02-30`) is
    /// refused.
    pub fn parse(text: &str) -> Option<Self> {
        let number = |s: &str, len: usize| {
            (s.len() == len && s.bytes().all(|b| b.is_ascii_digit()))
                .then(|| s.parse::<u32>().ok())
                .flatten()
        };
        let parts: Vec<&str> = text.split('-').collect();
        let year = || number(parts[0], 4).map(|y| y as i32);
        let month = || {
            number(parts[1], 2)
                .and_then(|m| u8::try_from(m).ok())
                .and_then(|m| Month::try_from(m).ok())
        };
        match parts.len() {
            1 => Some(Self::Year(year()?)),
            2 => Some(Self::Month(year()?, month()?)),
            3 => {
                let day = u8::try_from(number(parts[2], 2)?).ok()?;
                Date::from_calendar_date(year()?, month()?, day)
                    .ok()
                    .map(Self::Day)
            }
            _ => None,
        }
    }

    /// The year of the date.
    pub fn year(&self) -> i32 {
        match self {
            Self::Year(y) | Self::Month(y, _) => *y,
            Self::Day(d) => d.year(),
        }
    }

    /// As a British book prints it: `14 February 1950`, `July 1960`, `1969`.
    pub fn display(&self) -> String {
        match self {
            Self::Year(y) => y.to_string(),
            Self::Month(y, m) => format!("{} {y}", month_name(*m)),
            Self::Day(d) => format!("{} {} {}", d.day(), month_name(d.month()), d.year()),
        }
    }
}

/// Whether a text is a date of the form `YYYY`, `YYYY-MM` or `YYYY-MM-DD` that exists.
pub fn is_valid(text: &str) -> bool {
    BookDate::parse(text).is_some()
}

/// `1950-02-14` → `14 February 1950`; `1950-02` → `February 1950`; `1950` stays; anything
/// else is printed as written.
pub fn display(text: &str) -> String {
    BookDate::parse(text).map_or_else(|| text.to_string(), |d| d.display())
}

/// The English name of a month.
pub fn month_name(month: Month) -> &'static str {
    match month {
        Month::January => "January",
        Month::February => "February",
        Month::March => "March",
        Month::April => "April",
        Month::May => "May",
        Month::June => "June",
        Month::July => "July",
        Month::August => "August",
        Month::September => "September",
        Month::October => "October",
        Month::November => "November",
        Month::December => "December",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_read_like_a_book() {
        assert_eq!(display("1950-02-14"), "14 February 1950");
        assert_eq!(display("1960-07"), "July 1960");
        assert_eq!(display("1969"), "1969");
    }

    #[test]
    fn days_that_do_not_exist_are_refused() {
        assert!(is_valid("1950-02-28"));
        assert!(is_valid("1952-02-29"));
        assert!(!is_valid("1950-02-29"));
        assert!(!is_valid("1950-02-30"));
        assert!(!is_valid("1950-13"));
        assert!(!is_valid("1950-00-10"));
        assert!(!is_valid("50-01-01"));
        assert!(!is_valid("1950-1-1"));
        assert!(!is_valid(""));
    }

    #[test]
    fn build_dates_come_from_the_epoch() {
        let date = BuildDate::from_unix(1_767_225_600);
        assert_eq!(date.modified(), "2026-01-01T00:00:00Z");
        assert_eq!(date.long(), "1 January 2026");
        assert_eq!(BuildDate::from_unix(0).modified(), "1970-01-01T00:00:00Z");
    }
}
